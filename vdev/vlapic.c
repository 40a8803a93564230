// SPDX-License-Identifier: MIT
#include "vdev/vlapic.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"

/* Register offsets (SDM 3A table 11-1). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_LDR 0x0d0
#define LAPIC_DFR 0x0e0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310

#define ICR_DELIVERY(x) (((x) >> 8) & 7)
#define ICR_FIXED 0
#define ICR_INIT 5
#define ICR_STARTUP 6
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SHORTHAND(x) (((x) >> 18) & 3)

/* Per vCPU; a VM's array lives as long as the VM (freed in vm_destroy). */
struct vlapic {
	uint32_t regs[0x400 / 16]; /* 0x000-0x3f0: one word per 16 bytes */
};

static uint32_t *vlapic_reg(struct vlapic *l, uint64_t off)
{
	return &l->regs[off >> 4];
}

/* Deliver one IPI from @from to @to (SDM 3A 11.6.1). */
static void vlapic_ipi(struct vcpu *from, struct vcpu *to, uint32_t icr)
{
	switch (ICR_DELIVERY(icr)) {
	case ICR_FIXED:
		vcpu_raise_irq(to, icr & 0xff);
		break;
	case ICR_INIT:
		/* INIT de-assert (level 0) is a no-op on xAPICs. */
		if (icr & ICR_LEVEL_ASSERT)
			vcpu_init_signal(to);
		break;
	case ICR_STARTUP:
		vcpu_sipi(to, icr & 0xff);
		break;
	default:
		log_warn("vm %u: vCPU %u: IPI delivery mode %u not supported",
			 from->vm->id, from->id, ICR_DELIVERY(icr));
	}
}

static void vlapic_send(struct vcpu *v, uint32_t icr)
{
	struct vm *vm = v->vm;
	uint32_t dest = *vlapic_reg(v->vlapic, LAPIC_ICR_HI) >> 24;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = &vm->vcpus[i];
		bool hit;
		switch (ICR_SHORTHAND(icr)) {
		case 1: /* self */
			hit = t == v;
			break;
		case 2: /* all including self */
			hit = true;
			break;
		case 3: /* all excluding self */
			hit = t != v;
			break;
		default: /* physical destination = APIC ID = vCPU number */
			hit = dest == 0xff || dest == t->id;
		}
		if (hit)
			vlapic_ipi(v, t, icr);
	}
}

static int vlapic_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
		       bool write, uint64_t *data, void *opaque)
{
	uint64_t off = gpa - VLAPIC_BASE;

	/* Registers are 32 bits wide at 16-byte strides (SDM 11.4.1). */
	if (size != 4 || (off & 0xf) || off >= 0x400) {
		if (!write)
			*data = 0;
		return 0;
	}
	uint32_t *r = vlapic_reg(v->vlapic, off);
	if (!write) {
		switch (off) {
		case LAPIC_ID:
			*data = v->id << 24;
			break;
		case LAPIC_VERSION:
			*data = 0x00050014; /* 6 LVT entries, integrated APIC */
			break;
		case LAPIC_ICR_LO:
			*data = *r & ~(1u << 12); /* delivery always done */
			break;
		default:
			*data = *r;
		}
		return 0;
	}
	switch (off) {
	case LAPIC_ID:
	case LAPIC_VERSION:
	case LAPIC_EOI: /* no in-service bookkeeping yet */
		break;
	case LAPIC_ICR_LO:
		*r = (uint32_t)*data;
		vlapic_send(v, (uint32_t)*data);
		break;
	default:
		*r = (uint32_t)*data;
	}
	return 0;
}

int vlapic_attach(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		vm->vcpus[i].vlapic = calloc(1, sizeof(struct vlapic));
		if (!vm->vcpus[i].vlapic)
			return -ENOMEM;
		/* Software-disabled with spurious vector 0xff, as after reset. */
		*vlapic_reg(vm->vcpus[i].vlapic, LAPIC_SVR) = 0xff;
		*vlapic_reg(vm->vcpus[i].vlapic, LAPIC_DFR) = 0xffffffff;
	}
	return iobus_register_mmio(vm, VLAPIC_BASE, 0x1000, vlapic_mmio, NULL);
}
