// SPDX-License-Identifier: MIT
/*
 * What the interrupt controllers derive from the MADT: ISA interrupts
 * through the interrupt source overrides, the MPS INTI polarity/trigger
 * flags, IOAPIC redirection entries and the LAPIC's NMI LVT values.
 * UNIT_SRCS: drivers/ioapic.c drivers/lapic.c core/time.c core/log.c core/fmt.c
 */
#include <errno.h>
#include <stddef.h>

#include "core/acpi.h"
#include "core/irq.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"
#include "unit.h"

/* What the drivers link against in the kernel; never reached here. */
struct acpi_info acpi_info;
void *mm_map_mmio(uint64_t phys, size_t len)
{
	return NULL;
}
int irq_register(unsigned int vector, irq_fn fn, void *arg)
{
	return -EBUSY;
}
int irq_alloc(irq_fn fn, void *arg)
{
	return -ENOSPC;
}
void irq_set_eoi(void (*eoi)(void))
{
}

/* The overrides QEMU's and Bochs's firmware put in the MADT. */
static void qemu_overrides(struct acpi_info *ai)
{
	static const struct acpi_override o[] = {
		{ .isa_irq = 0, .gsi = 2, .flags = 0x0 },
		{ .isa_irq = 5, .gsi = 5, .flags = 0xd },
		{ .isa_irq = 9, .gsi = 9, .flags = 0xd },
		{ .isa_irq = 10, .gsi = 10, .flags = 0xd },
		{ .isa_irq = 11, .gsi = 11, .flags = 0xd },
		/* Not QEMU's: a typical server's SCI, level and active low. */
		{ .isa_irq = 7, .gsi = 20, .flags = 0xf },
	};

	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		ai->overrides[i] = o[i];
	ai->noverrides = sizeof(o) / sizeof(o[0]);
}

UNIT_TEST(ioapic_inti_flags)
{
	/* Polarity, bits 0-1: 00 bus default, 01 high, 10 reserved, 11 low. */
	UNIT_CHECK(!ioapic_inti_active_low(0x0, false));
	UNIT_CHECK(ioapic_inti_active_low(0x0, true));
	UNIT_CHECK(!ioapic_inti_active_low(0x1, true));
	UNIT_CHECK(!ioapic_inti_active_low(0x2, false));
	UNIT_CHECK(ioapic_inti_active_low(0x3, false));
	/* Trigger, bits 2-3: 00 bus default, 01 edge, 10 reserved, 11 level. */
	UNIT_CHECK(!ioapic_inti_level(0x0, false));
	UNIT_CHECK(ioapic_inti_level(0x0, true));
	UNIT_CHECK(!ioapic_inti_level(0x4, true));
	UNIT_CHECK(!ioapic_inti_level(0x8, false));
	UNIT_CHECK(ioapic_inti_level(0xc, false));
	/* The two fields do not leak into each other. */
	UNIT_CHECK(!ioapic_inti_level(0x3, false));
	UNIT_CHECK(!ioapic_inti_active_low(0xc, false));
	UNIT_CHECK(ioapic_inti_level(0xd, false) &&
		   !ioapic_inti_active_low(0xd, false));
}

UNIT_TEST(ioapic_isa_overrides)
{
	static struct acpi_info ai;
	struct ioapic_isa_route r;

	/* Without overrides ISA IRQ n is GSI n, edge, active high. */
	r = ioapic_isa_resolve(&ai, 4);
	UNIT_CHECK(r.gsi == 4 && !r.level && !r.active_low);

	qemu_overrides(&ai);
	r = ioapic_isa_resolve(&ai, 0); /* the PIT's IRQ0 is on pin 2 */
	UNIT_CHECK(r.gsi == 2 && !r.level && !r.active_low);
	r = ioapic_isa_resolve(&ai, 9); /* the SCI: level, active high */
	UNIT_CHECK(r.gsi == 9 && r.level && !r.active_low);
	r = ioapic_isa_resolve(&ai, 7);
	UNIT_CHECK(r.gsi == 20 && r.level && r.active_low);
	r = ioapic_isa_resolve(&ai, 1); /* no override: identity */
	UNIT_CHECK(r.gsi == 1 && !r.level && !r.active_low);
	/* A count beyond the array is not trusted. */
	ai.noverrides = 1000;
	r = ioapic_isa_resolve(&ai, 3);
	UNIT_CHECK(r.gsi == 3);
}

UNIT_TEST(ioapic_redirection_entry_bits)
{
	/* 82093AA 3.2.4: vector 7:0, polarity 13, trigger 15, mask 16, dest
	 * 63:56. */
	UNIT_CHECK(ioapic_rte(0x30, 0, false, false, false) == 0x30);
	UNIT_CHECK(ioapic_rte(0x30, 3, true, true, false) ==
		   (0x03ull << 56 | 1u << 15 | 1u << 13 | 0x30));
	UNIT_CHECK(ioapic_rte(0xef, 0xff, false, false, true) ==
		   (0xffull << 56 | 1u << 16 | 0xef));
	/* Fixed delivery, physical destination: bits 8-11 stay clear. */
	UNIT_CHECK((ioapic_rte(0xff, 0xff, true, true, true) & 0xf00) == 0);
}

UNIT_TEST(ioapic_route_rejects_bad_requests)
{
	/* Checked before any IOAPIC is touched (none exists here). */
	UNIT_CHECK(ioapic_route_isa(16, 0x40, 0) == -EINVAL);
	UNIT_CHECK(ioapic_route_gsi(2, 0x10, 0, false, false) == -EINVAL);
	UNIT_CHECK(ioapic_route_gsi(2, 0xff, 0, false, false) == -EINVAL);
	/* The destination field has 8 bits without interrupt remapping. */
	UNIT_CHECK(ioapic_route_gsi(2, 0x40, 256, false, false) == -EINVAL);
	UNIT_CHECK(ioapic_route_gsi(2, 0x40, 1, false, false) == -ENODEV);
	UNIT_CHECK(ioapic_mask(2) == -ENODEV);
	UNIT_CHECK(ioapic_count() == 0);
	UNIT_CHECK(ioapic_check_masks() == 0);
}

UNIT_TEST(lapic_nmi_lvt_from_madt_flags)
{
	/* NMI delivery mode (100b in bits 8-10), always edge: bit 15 clear. */
	UNIT_CHECK(lapic_lvt_nmi(0x0) == 0x400);
	UNIT_CHECK(lapic_lvt_nmi(0x5) == 0x400); /* edge, high */
	UNIT_CHECK(lapic_lvt_nmi(0xf) ==
		   0x2400); /* level, low: polarity only */
	UNIT_CHECK(lapic_lvt_nmi(0x3) == 0x2400);
	UNIT_CHECK((lapic_lvt_nmi(0xd) & (1u << 16)) == 0); /* not masked */
}
