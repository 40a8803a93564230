// SPDX-License-Identifier: MIT
/*
 * The virtual I/O APIC (vdev/vioapic.c) through its register window:
 * version and ID, redirection entries with read-only bits, masking, edge
 * pins (one message per rising edge, lost while masked), level pins with
 * Remote IRR (one message until the EOI, again after the EOI if still
 * asserted, on unmasking an asserted pin), the EOI register, and Linux's
 * pre-0x20 edge/level flip clearing Remote IRR.
 * UNIT_SRCS: vdev/vioapic.c
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"
#include "unit.h"
#include "vdev/vioapic.h"
#include "vdev/vplat.h"

struct msg {
	uint32_t dest;
	bool logical;
	unsigned int mode;
	uint8_t vector;
	bool level;
};

static struct msg msgs[16];
static unsigned int nmsgs;
static iobus_fn mmio_fn;
static void *mmio_opaque;

void log_printf(enum log_level level, const char *fmt, ...)
{
}
int iobus_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len, iobus_fn fn,
			void *opaque)
{
	UNIT_CHECK(gpa == VPLAT_IOAPIC_BASE);
	mmio_fn = fn;
	mmio_opaque = opaque;
	return 0;
}
void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical,
		    unsigned int mode, uint8_t vector, bool level_trig)
{
	if (nmsgs < 16)
		msgs[nmsgs++] =
		    (struct msg){ dest, logical, mode, vector, level_trig };
}

static struct vm the_vm;
static struct vplat plat;

static struct vioapic *setup(void)
{
	memset(&the_vm, 0, sizeof(the_vm));
	nmsgs = 0;
	struct vioapic *io = vioapic_create(&the_vm);
	UNIT_CHECK(io != NULL);
	plat.ioapic = io;
	the_vm.platform = &plat;
	return io;
}

/* Through the MMIO window, as the guest does. */
static uint32_t reg_rd(uint32_t reg)
{
	uint64_t d = reg;

	mmio_fn(NULL, VPLAT_IOAPIC_BASE, 4, true, &d, mmio_opaque);
	mmio_fn(NULL, VPLAT_IOAPIC_BASE + 0x10, 4, false, &d, mmio_opaque);
	return (uint32_t)d;
}

static void reg_wr(uint32_t reg, uint32_t val)
{
	uint64_t d = reg;

	mmio_fn(NULL, VPLAT_IOAPIC_BASE, 4, true, &d, mmio_opaque);
	d = val;
	mmio_fn(NULL, VPLAT_IOAPIC_BASE + 0x10, 4, true, &d, mmio_opaque);
}

static void rte(unsigned int pin, uint32_t lo, uint32_t hi)
{
	reg_wr(0x11 + 2 * pin, hi);
	reg_wr(0x10 + 2 * pin, lo);
}

UNIT_TEST(registers)
{
	struct vioapic *io = setup();

	UNIT_CHECK(reg_rd(0x01) == (23u << 16 | 0x20));
	reg_wr(0x00, 0x0f0000ff);
	UNIT_CHECK(reg_rd(0x00) == 0x0f000000);
	reg_wr(0x01, 0);
	UNIT_CHECK(reg_rd(0x01) == (23u << 16 | 0x20));
	/* Reset: every pin masked. */
	for (unsigned int pin = 0; pin < 24; pin++)
		UNIT_CHECK(reg_rd(0x10 + 2 * pin) == 0x10000);
	/* Delivery status and Remote IRR do not take writes. */
	rte(3, 0x15031, 0x03000000);
	UNIT_CHECK(reg_rd(0x16) == 0x10031);
	UNIT_CHECK(reg_rd(0x17) == 0x03000000);
	UNIT_CHECK(reg_rd(0x10 + 48) == 0xffffffff); /* past the last pin */
	/* Narrow accesses do nothing. */
	uint64_t d = 0x12;
	mmio_fn(NULL, VPLAT_IOAPIC_BASE, 1, true, &d, mmio_opaque);
	UNIT_CHECK(vioapic_read(io, 0) == 0x40);
	vioapic_destroy(io);
}

UNIT_TEST(edge_pins)
{
	struct vioapic *io = setup();

	rte(4, 0x34, 0x01000000); /* edge, fixed, physical 1 */
	vioapic_set_irq(io, 4, true);
	UNIT_CHECK(nmsgs == 1 && msgs[0].vector == 0x34 && msgs[0].dest == 1 &&
		   !msgs[0].level && !msgs[0].logical && msgs[0].mode == 0);
	vioapic_set_irq(io, 4, true); /* still high: no new edge */
	UNIT_CHECK(nmsgs == 1);
	vioapic_set_irq(io, 4, false);
	vioapic_set_irq(io, 4, true);
	UNIT_CHECK(nmsgs == 2);
	/* Masked: the edge is lost, and unmasking does not replay it. */
	vioapic_set_irq(io, 4, false);
	rte(4, 0x10034, 0x01000000);
	vioapic_set_irq(io, 4, true);
	rte(4, 0x00034, 0x01000000);
	UNIT_CHECK(nmsgs == 2);
	/* Logical destination, lowest priority. */
	rte(5, 0x935, 0x03000000);
	vioapic_set_irq(io, 5, true);
	UNIT_CHECK(nmsgs == 3 && msgs[2].logical && msgs[2].mode == 1 &&
		   msgs[2].dest == 3);
	vioapic_set_irq(io, 99, true); /* no such pin: ignored */
	vioapic_destroy(io);
}

UNIT_TEST(level_pins_remote_irr)
{
	struct vioapic *io = setup();

	rte(9, 0x8000 | 0x49, 0); /* level, vector 0x49 */
	vioapic_set_irq(io, 9, true);
	UNIT_CHECK(nmsgs == 1 && msgs[0].level && msgs[0].vector == 0x49);
	UNIT_CHECK(reg_rd(0x10 + 18) & (1u << 14)); /* Remote IRR */
	/* Still asserted, Remote IRR set: nothing more. */
	vioapic_set_irq(io, 9, true);
	UNIT_CHECK(nmsgs == 1);
	/* EOI while still asserted: sent again. */
	vioapic_eoi(&the_vm, 0x49);
	UNIT_CHECK(nmsgs == 2);
	/* Deasserted, then EOI: Remote IRR clears, nothing sent. */
	vioapic_set_irq(io, 9, false);
	vioapic_eoi(&the_vm, 0x49);
	UNIT_CHECK(nmsgs == 2 && !(reg_rd(0x10 + 18) & (1u << 14)));
	/* An EOI of another vector leaves it alone. */
	vioapic_set_irq(io, 9, true);
	UNIT_CHECK(nmsgs == 3);
	vioapic_eoi(&the_vm, 0x50);
	UNIT_CHECK(reg_rd(0x10 + 18) & (1u << 14));
	/* The EOI register (version 0x20). */
	uint64_t d = 0x49;
	mmio_fn(NULL, VPLAT_IOAPIC_BASE + 0x40, 4, true, &d, mmio_opaque);
	UNIT_CHECK(nmsgs == 4); /* still asserted: again */
	/* The edge/level flip clears Remote IRR (pre-0x20 Linux EOI). */
	rte(9, 0x10049, 0); /* edge, masked */
	rte(9, 0x18049, 0); /* level, masked */
	UNIT_CHECK(!(reg_rd(0x10 + 18) & (1u << 14)));
	UNIT_CHECK(nmsgs == 4);
	/* Unmasking an asserted level pin sends it. */
	rte(9, 0x08049, 0);
	UNIT_CHECK(nmsgs == 5);
	vioapic_destroy(io);
}

/* A guest writing nonsense: random selectors, values, EOIs and inputs.
 * Nothing crashes; delivery status and Remote IRR of edge pins stay 0. */
UNIT_TEST(hostile_guest_random_writes)
{
	struct vioapic *io = setup();
	uint64_t seed = 0x2545f4914f6cdd1dull;

	for (int i = 0; i < 100000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		uint64_t d = seed >> 32;
		unsigned int size = 1u << ((seed >> 3) & 3);
		switch ((seed >> 8) % 4) {
		case 0:
			mmio_fn(NULL, VPLAT_IOAPIC_BASE + ((seed >> 12) & 0xff),
				size > 4 ? 4 : size, true, &d, mmio_opaque);
			break;
		case 1:
			mmio_fn(NULL, VPLAT_IOAPIC_BASE + ((seed >> 12) & 0xff),
				4, false, &d, mmio_opaque);
			break;
		case 2:
			vioapic_set_irq(io, (seed >> 16) % 32, (seed >> 24) & 1);
			break;
		default:
			vioapic_eoi(&the_vm, (uint8_t)(seed >> 16));
		}
		nmsgs = 0;
	}
	for (unsigned int pin = 0; pin < 24; pin++) {
		uint64_t r = io->redir[pin];
		UNIT_CHECK(!(r & (1u << 12)));
		UNIT_CHECK((r & (1u << 15)) || !(r & (1u << 14)));
	}
	vioapic_destroy(io);
}
