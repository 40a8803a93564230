/* SPDX-License-Identifier: MIT */
/*
 * ACPI fixed hardware (ACPI 6.4 section 4.8): the PM1a event block
 * (PM1_STS, PM1_EN) at VPLAT_PM1_EVT, the PM1a control block at
 * VPLAT_PM1_CNT (SCI_EN; SLP_TYP + SLP_EN to enter S5), the 24-bit PM
 * timer at VPLAT_PM_TMR, and the PIIX/ICH reset control register at
 * 0xcf9 (reached through vpci, vdev/vplat.h). The SCI is ISA IRQ 9,
 * level-triggered, high while an enabled status bit is set and SCI_EN.
 */
#ifndef KEEL_VDEV_VPM_H
#define KEEL_VDEV_VPM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

/* PM1_STS / PM1_EN bits (ACPI 6.4 tables 4.11, 4.12). */
#define VPM_TMR 0x0001
#define VPM_BM 0x0010
#define VPM_GBL 0x0020
#define VPM_PWRBTN 0x0100
#define VPM_SLPBTN 0x0200
#define VPM_RTC 0x0400
#define VPM_WAK 0x8000
/* PM1_CNT bits (table 4.13). */
#define VPM_SCI_EN 0x0001
#define VPM_SLP_TYP_SHIFT 10
#define VPM_SLP_EN 0x2000

struct vm;

struct vpm {
	struct vm *vm;
	struct spinlock lock;
	uint16_t sts, en, cnt;
	uint64_t base_ns;  /* PM timer zero */
	uint32_t tmr_last; /* timer value when TMR_STS was last checked */
	uint8_t cf9;
	bool sci;
};

struct vpm *vpm_create(struct vm *vm);
void vpm_destroy(struct vpm *pm);
/* The power button was pressed (the host asks the guest to shut down). */
void vpm_power_button(struct vm *vm);
/* TMR_STS when bit 23 of the timer has toggled; time_ns() of the next. */
void vpm_poll(struct vpm *pm);
uint64_t vpm_next_deadline(struct vpm *pm);
/* The PM timer's value at time_ns() @now (24 bits, VPLAT_PM_TMR_HZ). */
uint32_t vpm_timer_at(const struct vpm *pm, uint64_t now);

#endif
