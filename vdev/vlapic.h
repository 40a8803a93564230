/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC, xAPIC MMIO at 0xfee00000 (Intel SDM vol. 3A
 * chapter 11). This first version keeps the registers a guest reads at
 * start-up and delivers inter-processor interrupts: fixed vectors, INIT and
 * SIPI (so a guest starts its APs, 11.4.4.1 / 8.4.4). The Linux-guest issue
 * adds the timer, EOI/ISR/IRR bookkeeping and x2APIC.
 */
#ifndef KEEL_VDEV_VLAPIC_H
#define KEEL_VDEV_VLAPIC_H

#include <stdint.h>

#define VLAPIC_BASE 0xfee00000ull

struct vm;

/* Claim the xAPIC page for every vCPU of @vm (before it starts). */
int vlapic_attach(struct vm *vm);

#endif
