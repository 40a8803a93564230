/* SPDX-License-Identifier: MIT */
/*
 * I/O APICs (Intel 82093AA datasheet): each one maps a range of global
 * system interrupts (GSIs) to vectors on chosen CPUs. All entries start
 * masked at INIT_IRQCHIP; a driver routes the line it owns.
 */
#ifndef KEEL_DRIVERS_IOAPIC_H
#define KEEL_DRIVERS_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"

/*
 * Route legacy ISA @isa_irq (0-15) to @vector on the CPU with APIC ID
 * @dest_apic_id, through the MADT's interrupt source overrides (the GSI,
 * polarity and trigger may differ from the identity edge/high default).
 * Unmasks the entry. Returns 0, -EINVAL (bad IRQ or vector, or an ID above
 * 255: the IOAPIC destination field has 8 bits), -ENODEV (no IOAPIC serves
 * the GSI).
 */
int ioapic_route_isa(uint8_t isa_irq, uint8_t vector, uint32_t dest_apic_id);
/* Route @gsi with explicit trigger and polarity (PCI INTx: level, low). */
int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t dest, bool level,
		     bool active_low);
int ioapic_mask(uint32_t gsi);
int ioapic_unmask(uint32_t gsi);
/* The GSI legacy @isa_irq arrives on, after overrides. */
uint32_t ioapic_isa_gsi(uint8_t isa_irq);
/*
 * Entries whose mask bit disagrees with what was routed (self-test):
 * 0 when every entry not routed is masked and every routed one is not.
 */
unsigned int ioapic_check_masks(void);
unsigned int ioapic_count(void);

/*
 * MPS INTI flags (ACPI 6.4 5.2.12.5, used by interrupt source overrides
 * and Local APIC NMI entries): bits 0-1 polarity, 2-3 trigger mode; 00
 * conforms to the bus (ISA: edge, active high), 01 high/edge, 11
 * low/level, 10 reserved (taken as the bus default).
 */
static inline bool ioapic_inti_active_low(uint16_t flags, bool bus_default)
{
	switch (flags & 3) {
	case 1:
		return false;
	case 3:
		return true;
	default:
		return bus_default;
	}
}

static inline bool ioapic_inti_level(uint16_t flags, bool bus_default)
{
	switch ((flags >> 2) & 3) {
	case 1:
		return false;
	case 3:
		return true;
	default:
		return bus_default;
	}
}

/* Pure helpers, unit-tested on the host (tests/unit/test_ioapic.c). */
struct ioapic_isa_route {
	uint32_t gsi;
	bool level, active_low;
};
/* Resolve @isa_irq through @ai's overrides; ISA defaults otherwise. */
struct ioapic_isa_route ioapic_isa_resolve(const struct acpi_info *ai,
					   uint8_t isa_irq);
/* A redirection table entry (82093AA 3.2.4): fixed delivery, physical. */
uint64_t ioapic_rte(uint8_t vector, uint8_t dest, bool level, bool active_low,
		    bool masked);

#endif
