// SPDX-License-Identifier: MIT
/*
 * Interrupt messages to local APICs (Intel SDM vol. 3A 11.6): IPIs from
 * the ICR and x2APIC ICR MSR, messages from the vIOAPIC
 * (vlapic_deliver) and MSI writes (vlapic_msi, 11.11). Destinations are
 * physical (APIC ID = vCPU number) or logical: xAPIC flat and cluster
 * models through LDR/DFR, x2APIC cluster from the ID (11.6.2.2, 11.12.10).
 * Lowest-priority delivery goes to the lowest-numbered target, which
 * 11.6.2.4 allows ("any processor in the set").
 */
#include <stdbool.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/vlapic.h"
#include "vdev/vlapic_ipi.h"
#include "vdev/vplat.h"

#define DM_FIXED 0
#define DM_LOWEST 1
#define DM_SMI 2
#define DM_NMI 4
#define DM_INIT 5
#define DM_STARTUP 6
#define DM_EXTINT 7

bool vlapic_ipi_match(const struct vlapic *l, uint32_t dest, bool logical,
		      bool x2)
{
	uint32_t id = l->v->id;
	uint32_t ldr = __atomic_load_n(&l->ldr, __ATOMIC_RELAXED);

	if (x2 ? dest == 0xffffffffu : dest == 0xff)
		return true; /* broadcast */
	if (!logical)
		return dest == id;
	if (vlapic_x2apic(l)) /* cluster ID[31:16], member bits [15:0] */
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	uint8_t d = (uint8_t)dest, mine = (uint8_t)(ldr >> 24);
	if ((__atomic_load_n(&l->dfr, __ATOMIC_RELAXED) >> 28) == 0xf)
		return d & mine; /* flat: one bit per APIC */
	/* cluster: cluster in [7:4], member bits in [3:0] */
	return (d >> 4) == (mine >> 4) && (d & mine & 0xf);
}

/* One accepted message at @l (11.6.1 table: what each mode does). */
static void vlapic_accept(struct vlapic *l, unsigned int mode, uint8_t vector,
			  bool level_trig, bool init_assert)
{
	struct vcpu *v = l->v;
	uint64_t flags;

	switch (mode) {
	case DM_FIXED:
	case DM_LOWEST:
		flags = spin_lock_irqsave(&l->lock);
		/* A software-disabled APIC takes no fixed interrupts
		 * (11.4.7.2); an illegal vector sets ESR at the receiver. */
		if (vlapic_sw_enabled(l) || vector < 16)
			vlapic_set_irr_locked(l, vector, level_trig);
		spin_unlock_irqrestore(&l->lock, flags);
		vcpu_kick(v);
		break;
	case DM_NMI:
		flags = spin_lock_irqsave(&l->lock);
		l->nmi_pending = true;
		spin_unlock_irqrestore(&l->lock, flags);
		vcpu_kick(v);
		break;
	case DM_INIT:
		if (init_assert)
			vcpu_init_signal(v);
		break;
	case DM_STARTUP:
		vcpu_sipi(v, vector);
		break;
	case DM_EXTINT:
		flags = spin_lock_irqsave(&l->lock);
		l->extint_io = true; /* the vPIC supplies the vector */
		spin_unlock_irqrestore(&l->lock, flags);
		vcpu_kick(v);
		break;
	default: /* SMI and the reserved modes: nothing to deliver */
		break;
	}
}

/* Deliver to every APIC the destination or @shorthand names. */
static void vlapic_route(struct vm *vm, struct vlapic *from, uint32_t dest,
			 bool logical, bool x2, unsigned int shorthand,
			 unsigned int mode, uint8_t vector, bool level_trig,
			 bool init_assert)
{
	struct vlapic *lowest = NULL;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vlapic *t = vm->vcpus[i].vlapic;
		bool hit;

		/* A globally disabled APIC takes no messages (11.4.3). */
		if (!t || !(__atomic_load_n(&t->apic_base, __ATOMIC_RELAXED) &
			    (1ull << 11)))
			continue;
		switch (shorthand) {
		case 1:
			hit = t == from;
			break;
		case 2:
			hit = true;
			break;
		case 3:
			hit = t != from;
			break;
		default:
			hit = vlapic_ipi_match(t, dest, logical, x2);
		}
		if (!hit)
			continue;
		if (mode == DM_LOWEST) {
			if (!lowest)
				lowest = t; /* vCPUs are in ID order */
			continue;
		}
		vlapic_accept(t, mode, vector, level_trig, init_assert);
	}
	if (lowest)
		vlapic_accept(lowest, DM_FIXED, vector, level_trig,
			      init_assert);
}

void vlapic_ipi_send(struct vlapic *from, uint32_t lo, uint32_t hi)
{
	unsigned int mode = (lo >> 8) & 7;
	uint8_t vector = lo & 0xff;
	bool x2 = vlapic_x2apic(from);
	uint32_t dest = x2 ? hi : hi >> 24;

	if ((mode == DM_FIXED || mode == DM_LOWEST) && vector < 16) {
		/* 11.5.3: "send illegal vector"; nothing goes out. */
		uint64_t flags = spin_lock_irqsave(&from->lock);
		vlapic_error_locked(from, VLAPIC_ESR_SEND_ILLEGAL);
		spin_unlock_irqrestore(&from->lock, flags);
		return;
	}
	/* INIT with trigger level and level 0 is the INIT level de-assert
	 * of old APICs: nothing happens (11.6.1). */
	bool init_assert = !((lo & (1u << 15)) && !(lo & (1u << 14)));
	vlapic_route(from->v->vm, from, dest, lo & (1u << 11), x2,
		     (lo >> 18) & 3, mode, vector, false, init_assert);
}

void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical,
		    unsigned int mode, uint8_t vector, bool level_trig)
{
	vlapic_route(vm, NULL, dest, logical, false, 0, mode & 7, vector,
		     level_trig, true);
}

void vlapic_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	/* Address 0xfee, destination ID [19:12], DM [2]; data vector [7:0],
	 * delivery mode [10:8] (SDM 3A 11.11.1-2). MSIs are edge. */
	if ((addr >> 20) != 0xfee) {
		log_warn("vm %u: MSI to %#llx (not 0xfeexxxxx) dropped", vm->id,
			 (unsigned long long)addr);
		return;
	}
	vlapic_route(vm, NULL, (addr >> 12) & 0xff, addr & 4, false, 0,
		     (data >> 8) & 7, data & 0xff, false, true);
}

void vlapic_extint_changed(struct vm *vm)
{
	/* Only vCPU 0's LINT0 is wired to the vPIC; it asks on entry. */
	if (vm->nvcpus && vm->vcpus[0].vlapic)
		vcpu_kick(&vm->vcpus[0]);
}
