/* SPDX-License-Identifier: MIT */
/*
 * The virtual I/O APIC (82093AA datasheet, with the version 0x20 EOI
 * register of later chipset I/O APICs) at VPLAT_IOAPIC_BASE:
 * VPLAT_IOAPIC_PINS redirection entries, edge and level pins with Remote
 * IRR. Interrupts in through vioapic_set_irq (vdev/vplat.h), out through
 * vlapic_deliver; the LAPIC's EOI of a level vector comes back through
 * vioapic_eoi.
 */
#ifndef KEEL_VDEV_VIOAPIC_H
#define KEEL_VDEV_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

#define VIOAPIC_VERSION 0x20

struct vm;

struct vioapic {
	struct spinlock lock;
	struct vm *vm;
	uint32_t ioregsel;
	uint32_t id; /* IOAPICID bits 27:24 */
	uint64_t redir[24];
	uint32_t level; /* each pin's input, asserted = 1 */
};

/* Claim the MMIO page on vm->bus; NULL on failure. */
struct vioapic *vioapic_create(struct vm *vm);
void vioapic_destroy(struct vioapic *io);
/* The register window as the guest sees it (unit tests). */
uint32_t vioapic_read(struct vioapic *io, uint64_t off);
void vioapic_write(struct vioapic *io, uint64_t off, uint32_t val);

#endif
