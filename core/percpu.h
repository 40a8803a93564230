/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through the GS base (IA32_GS_BASE): %gs:0 holds a
 * pointer to the CPU's own struct percpu, so this_cpu() is one load and
 * needs no CPU number.
 */
#ifndef KEEL_CORE_PERCPU_H
#define KEEL_CORE_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/spinlock.h"

#define PERCPU_MAX ACPI_MAX_CPUS
#define MSR_GS_BASE 0xc0000101

struct thread;

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	uint32_t id;	     /* logical CPU number; 0 is the boot CPU */
	uint32_t apic_id;
	bool online;

	/* Scheduler state, owned by core/sched.c under rq_lock. */
	struct spinlock rq_lock;
	struct thread *current; /* written only by this CPU */
	struct thread *idle;
	struct thread *rq_head; /* runnable, sorted by (class, vruntime) */
	unsigned int rq_len;
	uint64_t min_vruntime;
	bool need_resched; /* set by wakeups and the tick, read on irq exit */
	unsigned int preempt_off; /* sched_preempt_disable() depth */
	struct thread *timers; /* sleeping threads, sorted by wake time */
	uint64_t slice_end_ns;
	uint64_t clock_at_ns; /* what the clock is armed for, 0: off */
	uint64_t switches;

	/* core/fpu.c: save area for fpu_begin() in interrupt context. */
	void *fpu_irq_area;
	unsigned int irq_depth;

	uint64_t call_gen; /* core/smp.c: the last cross-CPU call run here */
};

extern struct percpu percpu_cpus[PERCPU_MAX];
extern unsigned int percpu_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Point this CPU's GS base at percpu_cpus[id]. */
void percpu_init_cpu(unsigned int id, uint32_t apic_id);

#endif
