// SPDX-License-Identifier: MIT
/*
 * The virtual I/O APIC. Registers (82093AA datasheet 3.0-3.2): IOREGSEL at
 * +0x00, IOWIN at +0x10, and the EOI register at +0x40 of version 0x20
 * parts; indirect registers 0x00 ID, 0x01 version, 0x02 arbitration ID,
 * 0x10 + 2n / 0x11 + 2n the low / high half of redirection entry n.
 *
 * Version 0x20 and not 0x11: Linux (io_apic.c __eoi_ioapic_pin) clears a
 * stuck Remote IRR of a version >= 0x20 I/O APIC with one write to the
 * EOI register, and of an older one by flipping the pin to edge and back,
 * two exits more each time; both work here, the first costs less.
 *
 * Pins: an edge pin sends on a rising input while unmasked (an edge seen
 * while masked is lost, as on the 82093AA). A level pin sends while its
 * input is asserted, unmasked and Remote IRR is clear, and sets Remote IRR;
 * the LAPIC's EOI of the vector (vioapic_eoi) or an EOI register write
 * clears it and sends again if the input is still asserted (3.2.4).
 * Polarity is stored for the guest to read back; inputs arrive as
 * asserted / not asserted (vplat_isa_irq), so it does not invert them.
 */
#include "vdev/vioapic.h"

#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"
#include "vdev/vplat.h"

#define IOAPIC_NPINS VPLAT_IOAPIC_PINS
#define RTE_VECTOR(r) ((uint8_t)(r))
#define RTE_MODE(r) (((r) >> 8) & 7)
#define RTE_LOGICAL (1ull << 11)
#define RTE_STATUS (1ull << 12)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST(r) ((uint32_t)((r) >> 56))
/* What the guest may write: vector, mode, dest mode, polarity, trigger,
 * mask, destination; delivery status and Remote IRR are read-only. */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1afffull)

/* Send pin @pin's message; under io->lock (IOAPIC before LAPIC). */
static void vioapic_send(struct vioapic *io, unsigned int pin)
{
	uint64_t r = io->redir[pin];
	bool level = r & RTE_LEVEL;

	if (level)
		io->redir[pin] |= RTE_REMOTE_IRR;
	vlapic_deliver(io->vm, RTE_DEST(r), r & RTE_LOGICAL, RTE_MODE(r),
		       RTE_VECTOR(r), level);
}

/* A level pin that can send (asserted, unmasked, Remote IRR clear) does. */
static void vioapic_check_level(struct vioapic *io, unsigned int pin)
{
	uint64_t r = io->redir[pin];

	if ((r & RTE_LEVEL) && !(r & (RTE_MASKED | RTE_REMOTE_IRR)) &&
	    (io->level & (1u << pin)))
		vioapic_send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level)
{
	if (!io || pin >= IOAPIC_NPINS)
		return;
	uint64_t flags = spin_lock_irqsave(&io->lock);
	bool was = io->level & (1u << pin);
	uint64_t r = io->redir[pin];

	if (level)
		io->level |= 1u << pin;
	else
		io->level &= ~(1u << pin);
	if (r & RTE_LEVEL)
		vioapic_check_level(io, pin);
	else if (level && !was && !(r & RTE_MASKED))
		vioapic_send(io, pin);
	spin_unlock_irqrestore(&io->lock, flags);
}

/* Under io->lock: the EOI of @vector for every level pin using it. */
static void vioapic_eoi_locked(struct vioapic *io, uint8_t vector)
{
	for (unsigned int pin = 0; pin < IOAPIC_NPINS; pin++) {
		uint64_t r = io->redir[pin];
		if (RTE_VECTOR(r) != vector || !(r & RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		vioapic_check_level(io, pin);
	}
}

void vioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct vplat *p = vplat_of(vm);
	struct vioapic *io = p ? p->ioapic : NULL;

	if (!io)
		return;
	uint64_t flags = spin_lock_irqsave(&io->lock);
	vioapic_eoi_locked(io, vector);
	spin_unlock_irqrestore(&io->lock, flags);
}

static uint32_t vioapic_read_reg(struct vioapic *io, uint32_t reg)
{
	switch (reg) {
	case 0x00:
		return io->id;
	case 0x01: /* maximum redirection entry [23:16], version [7:0] */
		return (IOAPIC_NPINS - 1) << 16 | VIOAPIC_VERSION;
	case 0x02:
		return io->id;
	}
	if (reg >= 0x10 && reg < 0x10 + 2 * IOAPIC_NPINS) {
		uint64_t r = io->redir[(reg - 0x10) / 2];
		return reg & 1 ? (uint32_t)(r >> 32) : (uint32_t)r;
	}
	return 0xffffffffu; /* no such register: the bus floats */
}

static void vioapic_write_reg(struct vioapic *io, uint32_t reg, uint32_t val)
{
	if (reg == 0x00) {
		io->id = val & 0x0f000000u;
		return;
	}
	if (reg < 0x10 || reg >= 0x10 + 2 * IOAPIC_NPINS)
		return; /* version, arbitration: read-only */
	unsigned int pin = (reg - 0x10) / 2;
	uint64_t r = io->redir[pin], nr;
	if (reg & 1)
		nr = (r & 0xffffffffull) | (uint64_t)val << 32;
	else
		nr = (r & ~0xffffffffull) | val;
	nr = (nr & RTE_WRITABLE) | (r & RTE_REMOTE_IRR);
	/* Remote IRR means nothing for an edge pin: switching to edge
	 * clears it (what Linux's pre-0x20 EOI trick relies on). */
	if (!(nr & RTE_LEVEL))
		nr &= ~RTE_REMOTE_IRR;
	io->redir[pin] = nr;
	/* Unmasking an asserted level pin sends it now. */
	vioapic_check_level(io, pin);
}

uint32_t vioapic_read(struct vioapic *io, uint64_t off)
{
	uint64_t flags = spin_lock_irqsave(&io->lock);
	uint32_t val = 0;

	if (off == 0x00)
		val = io->ioregsel;
	else if (off == 0x10)
		val = vioapic_read_reg(io, io->ioregsel);
	spin_unlock_irqrestore(&io->lock, flags);
	return val;
}

void vioapic_write(struct vioapic *io, uint64_t off, uint32_t val)
{
	uint64_t flags = spin_lock_irqsave(&io->lock);

	if (off == 0x00)
		io->ioregsel = val & 0xff;
	else if (off == 0x10)
		vioapic_write_reg(io, io->ioregsel, val);
	else if (off == 0x40) /* EOI register: the vector's level pins */
		vioapic_eoi_locked(io, (uint8_t)val);
	spin_unlock_irqrestore(&io->lock, flags);
}

static int vioapic_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
			bool write, uint64_t *data, void *opaque)
{
	struct vioapic *io = opaque;
	uint64_t off = gpa - VPLAT_IOAPIC_BASE;

	/* 32-bit accesses only (82093AA 3.0); others read 0, write nothing. */
	if (size != 4 || (off & 3)) {
		if (!write)
			*data = 0;
		return 0;
	}
	if (write)
		vioapic_write(io, off, (uint32_t)*data);
	else
		*data = vioapic_read(io, off);
	return 0;
}

struct vioapic *vioapic_create(struct vm *vm)
{
	struct vioapic *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->lock = (struct spinlock)SPINLOCK_INIT;
	io->vm = vm;
	/* Every pin masked after reset (datasheet 3.2.4). */
	for (unsigned int i = 0; i < IOAPIC_NPINS; i++)
		io->redir[i] = RTE_MASKED;
	if (iobus_register_mmio(vm, VPLAT_IOAPIC_BASE, 0x1000, vioapic_mmio,
				io) < 0) {
		log_err("vm %u: vIOAPIC: cannot claim %#llx", vm->id,
			(unsigned long long)VPLAT_IOAPIC_BASE);
		free(io);
		return NULL;
	}
	return io;
}

void vioapic_destroy(struct vioapic *io)
{
	/* The MMIO range goes with the VM's bus; only the state is ours. */
	free(io);
}
