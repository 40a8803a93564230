/* SPDX-License-Identifier: MIT */
/*
 * What the interrupt-controller and timer drivers give the scheduler.
 * core/ names no driver, so they register here (ARCHITECTURE.md section 1).
 */
#ifndef KEEL_CORE_SCHED_H
#define KEEL_CORE_SCHED_H

#include <stdint.h>

/* The per-CPU one-shot clock: interrupt at @deadline_ns (0: disarm). */
void sched_set_clock(void (*arm)(uint64_t deadline_ns));
/* Send @vector to logical CPU @cpu. */
void sched_set_ipi(void (*send)(unsigned int cpu, unsigned int vector));
/*
 * This CPU's clock interrupt also comes by @deadline_ns (time_ns(); 0:
 * none), for the current thread: a vCPU whose guest timer is due then
 * must leave the guest (core/vm_run.c). The clock is armed for the
 * earlier of this and the scheduler's own next event, whenever the
 * thread runs; the wish is dropped once it has passed.
 */
void sched_arm_local(uint64_t deadline_ns);
/* Called by the clock driver from its interrupt handler. */
void sched_tick(void);

#endif
