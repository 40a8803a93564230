// SPDX-License-Identifier: MIT
/*
 * Hands the local APIC to core/: the scheduler's per-CPU clock and IPIs,
 * and the INIT/SIPI and per-CPU set-up core/smp.c needs to start APs.
 * core/ names no device, so the driver registers here (ARCHITECTURE.md 1).
 */
#include "core/init.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/smp.h"
#include "drivers/lapic.h"

static void lapic_glue_ipi(unsigned int cpu, unsigned int vector)
{
	lapic_send_ipi(percpu_cpus[cpu].apic_id, vector);
}

static const struct smp_ops lapic_glue_smp = {
	.send_init = lapic_send_init,
	.send_sipi = lapic_send_sipi,
	.send_ipi = lapic_send_ipi,
	.send_nmi_all_but_self = lapic_send_nmi_all_but_self,
	.apic_id = lapic_id,
	.init_cpu = lapic_init_cpu,
};

/* INIT_TIMER: after the LAPIC (INIT_IRQCHIP), before INIT_SMP starts APs. */
static void lapic_glue_init(void)
{
	percpu_cpus[0].apic_id = lapic_id();
	smp_set_ops(&lapic_glue_smp);
	sched_set_ipi(lapic_glue_ipi);
	lapic_timer_set_handler(sched_tick);
	sched_set_clock(lapic_timer_arm_ns);
}
KEEL_INIT(INIT_TIMER, lapic_glue_init);
