/* SPDX-License-Identifier: MIT */
/*
 * Multiprocessor support: starting the application processors listed in
 * the MADT, and running a function on other CPUs (TLB shootdown, stop).
 * The local APIC driver provides the inter-processor interrupts.
 */
#ifndef KEEL_CORE_SMP_H
#define KEEL_CORE_SMP_H

#include <stdint.h>

struct smp_ops {
	int (*send_init)(uint32_t apic_id);
	int (*send_sipi)(uint32_t apic_id, uint32_t page);
	int (*send_ipi)(uint32_t apic_id, uint8_t vector);
	int (*send_nmi_all_but_self)(void);
	uint32_t (*apic_id)(void);
	void (*init_cpu)(void); /* on each AP: its local APIC and timer */
};

void smp_set_ops(const struct smp_ops *ops);
/* Boot CPU: start every enabled CPU of the MADT (an INIT_SMP step). */
void smp_boot_aps(void);
/*
 * Run @fn(@arg) on every other online CPU and wait until all have run it.
 * Safe to call with interrupts on or off, from any CPU.
 */
void smp_call_others(void (*fn)(void *), void *arg);
/* Invalidate @virt in every other CPU's TLB. */
void smp_tlb_shootdown(uint64_t virt);
/* Stop every other CPU (panic). */
void smp_stop_others(void);

#endif
