// SPDX-License-Identifier: MIT
#include "core/percpu.h"

#include "core/cpu.h"

struct percpu percpu_cpus[PERCPU_MAX];
unsigned int percpu_online;

void percpu_init_cpu(unsigned int id, uint32_t apic_id)
{
	struct percpu *p = &percpu_cpus[id];

	p->self = p;
	p->id = id;
	p->apic_id = apic_id;
	cpu_wrmsr(MSR_GS_BASE, (uint64_t)p);
}
