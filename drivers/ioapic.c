// SPDX-License-Identifier: MIT
/*
 * I/O APICs from the MADT (Intel 82093AA datasheet). Two registers in the
 * MMIO window reach everything else: write an index to IOREGSEL, then read
 * or write IOWIN (82093AA 3.1). That pair is not atomic, so one lock covers
 * every access. Every entry is masked at start: the firmware may have left
 * lines routed, and an unexpected interrupt on a vector nobody owns is
 * noise at best.
 */
#include "drivers/ioapic.h"

#include <errno.h>

#include "core/fmt.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/spinlock.h"

#define IOAPIC_REGSEL 0x00 /* byte offsets in the window */
#define IOAPIC_IOWIN 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_RTE(n) (0x10 + 2 * (n))

#define RTE_ACTIVE_LOW (1ull << 13)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)

struct ioapic {
	volatile uint32_t *regs;
	uint64_t phys;
	uint32_t id, gsi_base;
	unsigned int nr; /* redirection entries */
	uint8_t version;
	uint64_t routed[4]; /* entries a driver unmasked; under ioapic_lock */
};

/* Filled at INIT_IRQCHIP on the boot CPU; entries change under the lock. */
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int ioapic_nr;
/* IOREGSEL/IOWIN pairs and routed[]: a driver may route from any CPU. */
static struct spinlock ioapic_lock = SPINLOCK_INIT;

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_IOWIN / 4] = v;
}

/*
 * The low word carries the mask bit, so it is written masked first and
 * last: the entry never fires half-programmed.
 */
static void ioapic_write_rte(struct ioapic *io, unsigned int n, uint64_t rte)
{
	ioapic_write(io, IOAPIC_REG_RTE(n), (uint32_t)rte | RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_RTE(n) + 1, rte >> 32);
	ioapic_write(io, IOAPIC_REG_RTE(n), (uint32_t)rte);
}

uint64_t ioapic_rte(uint8_t vector, uint8_t dest, bool level, bool active_low,
		    bool masked)
{
	/* Delivery mode 000 (fixed), destination mode 0 (physical). */
	return (uint64_t)dest << 56 | (masked ? RTE_MASKED : 0) |
	       (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0) |
	       vector;
}

struct ioapic_isa_route ioapic_isa_resolve(const struct acpi_info *ai,
					   uint8_t isa_irq)
{
	struct ioapic_isa_route r = { .gsi = isa_irq };

	/* ISA interrupts are edge triggered, active high (ACPI 6.4 5.2.12.5).
	 */
	for (unsigned int i = 0; i < ai->noverrides && i < ACPI_MAX_OVERRIDES;
	     i++) {
		const struct acpi_override *o = &ai->overrides[i];

		if (o->isa_irq != isa_irq)
			continue;
		r.gsi = o->gsi;
		r.level = ioapic_inti_level(o->flags, false);
		r.active_low = ioapic_inti_active_low(o->flags, false);
		break;
	}
	return r;
}

uint32_t ioapic_isa_gsi(uint8_t isa_irq)
{
	return ioapic_isa_resolve(&acpi_info, isa_irq).gsi;
}

static struct ioapic *ioapic_for_gsi(uint32_t gsi, unsigned int *n)
{
	for (unsigned int i = 0; i < ioapic_nr; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->nr) {
			*n = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t dest, bool level,
		     bool active_low)
{
	unsigned int n;
	struct ioapic *io = ioapic_for_gsi(gsi, &n);

	/* 82093AA 3.2.4: vectors 0x10-0xfe; 16-31 are CPU exceptions here. */
	if (vector < 32 || vector == 0xff || dest > 0xff)
		return -EINVAL;
	if (!io)
		return -ENODEV;

	uint64_t flags = spin_lock_irqsave(&ioapic_lock);

	ioapic_write_rte(io, n,
			 ioapic_rte(vector, dest, level, active_low, false));
	io->routed[n / 64] |= 1ull << (n % 64);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int ioapic_route_isa(uint8_t isa_irq, uint8_t vector, uint32_t dest_apic_id)
{
	if (isa_irq > 15)
		return -EINVAL;

	struct ioapic_isa_route r = ioapic_isa_resolve(&acpi_info, isa_irq);

	return ioapic_route_gsi(r.gsi, vector, dest_apic_id, r.level,
				r.active_low);
}

static int ioapic_set_mask(uint32_t gsi, bool masked)
{
	unsigned int n;
	struct ioapic *io = ioapic_for_gsi(gsi, &n);

	if (!io)
		return -ENODEV;

	uint64_t flags = spin_lock_irqsave(&ioapic_lock);
	uint32_t lo = ioapic_read(io, IOAPIC_REG_RTE(n));

	if (masked) {
		lo |= RTE_MASKED;
		io->routed[n / 64] &= ~(1ull << (n % 64));
	} else {
		lo &= ~RTE_MASKED;
		io->routed[n / 64] |= 1ull << (n % 64);
	}
	ioapic_write(io, IOAPIC_REG_RTE(n), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int ioapic_mask(uint32_t gsi)
{
	return ioapic_set_mask(gsi, true);
}

int ioapic_unmask(uint32_t gsi)
{
	return ioapic_set_mask(gsi, false);
}

unsigned int ioapic_check_masks(void)
{
	unsigned int bad = 0;

	if (!ioapic_nr)
		return 0;

	uint64_t flags = spin_lock_irqsave(&ioapic_lock);

	for (unsigned int i = 0; i < ioapic_nr; i++) {
		struct ioapic *io = &ioapics[i];

		for (unsigned int n = 0; n < io->nr; n++) {
			bool masked =
			    ioapic_read(io, IOAPIC_REG_RTE(n)) & RTE_MASKED;
			bool routed = io->routed[n / 64] & (1ull << (n % 64));

			bad += masked == routed;
		}
	}
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return bad;
}

unsigned int ioapic_count(void)
{
	return ioapic_nr;
}

static void ioapic_log_overrides(void)
{
	char buf[200];
	int len = 0;

	for (unsigned int i = 0; i < acpi_info.noverrides; i++) {
		const struct acpi_override *o = &acpi_info.overrides[i];
		struct ioapic_isa_route r =
		    ioapic_isa_resolve(&acpi_info, o->isa_irq);

		if (len >= (int)sizeof(buf) - 24)
			break;
		len += fmt_snprintf(buf + len, sizeof(buf) - len, " %u->%u%s%s",
				    o->isa_irq, r.gsi, r.level ? " level" : "",
				    r.active_low ? " low" : "");
	}
	if (len)
		log_info("ioapic: ISA overrides:%s", buf);
}

static void ioapic_init(void)
{
	if (!acpi_info.have_madt || !acpi_info.nioapics) {
		log_warn(
		    "ioapic: none in the MADT; device interrupts need MSI");
		return;
	}
	for (unsigned int i = 0; i < acpi_info.nioapics && i < ACPI_MAX_IOAPICS;
	     i++) {
		const struct acpi_ioapic *a = &acpi_info.ioapics[i];
		struct ioapic *io = &ioapics[ioapic_nr];

		io->regs = mm_map_mmio(a->addr, 0x20);
		if (!io->regs) {
			log_err("ioapic: cannot map %#llx",
				(unsigned long long)a->addr);
			continue;
		}
		uint32_t ver = ioapic_read(io, IOAPIC_REG_VER);

		/* Nothing decodes the address: reads float to all-ones. */
		if (ver == UINT32_MAX) {
			log_err("ioapic: nothing answers at %#llx",
				(unsigned long long)a->addr);
			continue;
		}
		io->phys = a->addr;
		io->id = a->id;
		io->gsi_base = a->gsi_base;
		io->version = ver & 0xff;
		io->nr = ((ver >> 16) & 0xff) + 1; /* 82093AA 3.2.2 */
		for (unsigned int n = 0; n < io->nr; n++)
			ioapic_write_rte(io, n, RTE_MASKED);
		ioapic_nr++;
		log_info(
		    "ioapic: %#llx id %u version %#x GSI %u-%u, all masked",
		    (unsigned long long)io->phys, io->id, io->version,
		    io->gsi_base, io->gsi_base + io->nr - 1);
	}
	ioapic_log_overrides();
}
KEEL_INIT(INIT_IRQCHIP, ioapic_init);
