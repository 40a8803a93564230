// SPDX-License-Identifier: MIT
#include "core/cpuid_policy.h"

#include <errno.h>

#include "core/vm.h"

#define EFER_LMA (1ull << 10)
#define EFER_GUEST_BITS ((1ull << 0) | (1ull << 8) | EFER_LMA | (1ull << 11))
#define CPUID_HV_LEAF 0x40000000u
#define CPUID_HV_MAX 0x40000001u

struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf >= CPUID_HV_LEAF && leaf <= 0x400000ffu) {
		if (leaf == CPUID_HV_LEAF) {
			r.eax = CPUID_HV_MAX;
			r.ebx = 0x6c65654b; /* "KeelKeelKeel" */
			r.ecx = 0x6c65654b;
			r.edx = 0x6c65654b;
		}
		return r;
	}
	r = cpu_cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r.ecx &= ~(1u << 5);  /* VMX: no nesting */
		r.ecx |= 1u << 31;    /* running under a hypervisor */
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE (SDM 2A, CPUID). */
		r.ecx &= ~(1u << 27);
		if (hv->get_reg(v, VCPU_CR4) & (1u << 18))
			r.ecx |= 1u << 27;
		/* Initial APIC ID and logical processor count (HTT means
		 * "count is valid", set it so the count is read). */
		r.edx |= 1u << 28;
		r.ebx = (r.ebx & 0x0000ffffu) | (v->vm->nvcpus & 0xff) << 16 |
			(v->id & 0xff) << 24;
		break;
	case 4: /* cache topology: cores sharing the package = the VM's */
		if (r.eax & 0x1f)
			r.eax = (r.eax & 0x03ffffffu) |
				((v->vm->nvcpus - 1) & 0x3f) << 26;
		break;
	case 0xb:
	case 0x1f: {
		/* x2APIC topology (SDM 2A, CPUID leaf 0BH): one thread per
		 * core, every vCPU a core of one package. */
		unsigned int shift = 0;
		while ((1u << shift) < v->vm->nvcpus)
			shift++;
		if (sub == 0)
			r = (struct cpuid_regs){ 0, 1, 0x100, v->id };
		else if (sub == 1)
			r = (struct cpuid_regs){ shift, v->vm->nvcpus, 0x201,
						 v->id };
		else
			r = (struct cpuid_regs){ 0, 0, sub & 0xff, v->id };
		break;
	}
	case 0x80000001:
		r.ecx &= ~(1u << 2); /* SVM: no nesting */
		r.ecx &= ~(1u << 22); /* no topology extensions (leaf 8000001E) */
		break;
	case 0x80000008: /* AMD: cores in the package */
		r.ecx = (r.ecx & ~0xffu) | ((v->vm->nvcpus - 1) & 0xff);
		break;
	case 0x8000000a: /* SVM features: none for the guest */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
	return r;
}

/*
 * The MSRs a guest may touch. Everything else is refused: a guest must
 * not reach host MSRs (ARCHITECTURE.md section 3).
 */
/*
 * The interrupt controller's MSRs (IA32_APIC_BASE, x2APIC 0x800-0x8ff,
 * IA32_TSC_DEADLINE) go to the VM's irqchip when it has one: 1 when it
 * answered (*rc is the result: 0, or -EPERM for the guest's #GP).
 */
static bool msr_policy_irqchip(struct vcpu *v, uint32_t index, bool write,
			       uint64_t *val, int *rc)
{
	const struct vm_irqchip *ic = v->vm->irqchip;

	if (!ic || (index != 0x1b && index != 0x6e0 &&
		    (index < 0x800 || index > 0x8ff)))
		return false;
	int r = write ? ic->msr_write(v, index, *val)
		      : ic->msr_read(v, index, val);
	if (r == -ENOENT)
		return false;
	*rc = r < 0 ? -EPERM : 0;
	return true;
}

int msr_policy_read(struct vcpu *v, uint32_t index, uint64_t *val)
{
	int rc;

	if (msr_policy_irqchip(v, index, false, val, &rc))
		return rc;
	switch (index) {
	case 0x10: /* IA32_TIME_STAMP_COUNTER: the VM's view */
		*val = cpu_rdtsc() + v->vm->tsc_offset;
		return 0;
	case 0x1b: /* IA32_APIC_BASE: enabled, BSP bit on vCPU 0 */
		*val = 0xfee00800ull | (v->id == 0 ? 0x100 : 0);
		return 0;
	case 0xfe:	    /* IA32_MTRRCAP: no MTRRs */
	case 0x8b:	    /* IA32_BIOS_SIGN_ID (microcode) */
		*val = 0;
		return 0;
	case 0x1a0: /* IA32_MISC_ENABLE: fast strings */
		*val = 1;
		return 0;
	case 0x277: /* IA32_PAT */
		*val = v->msr_pat ? v->msr_pat : 0x0007040600070406ull;
		return 0;
	case MSR_EFER:
		*val = hv->get_reg(v, VCPU_EFER) & EFER_GUEST_BITS;
		return 0;
	default:
		return -EPERM;
	}
}

int msr_policy_write(struct vcpu *v, uint32_t index, uint64_t val)
{
	int rc;

	if (msr_policy_irqchip(v, index, true, &val, &rc))
		return rc;
	switch (index) {
	case 0x277: {
		/* Each byte must be a valid memory type (SDM 3A 11.12.2). */
		for (int i = 0; i < 8; i++) {
			uint8_t t = val >> (i * 8);
			if (t > 7 || t == 2 || t == 3)
				return -EPERM;
		}
		v->msr_pat = val;
		return 0;
	}
	case 0x8b: /* microcode update signature reset */
		return 0;
	case MSR_EFER:
		/* SCE, LME, NXE; LMA is the CPU's to set (SDM 3A 10.8.5). */
		if (val & ~EFER_GUEST_BITS)
			return -EPERM;
		hv->set_reg(v, VCPU_EFER,
			    (val & ~EFER_LMA) |
				    (hv->get_reg(v, VCPU_EFER) & EFER_LMA));
		return 0;
	default:
		return -EPERM;
	}
}

/*
 * XSETBV (SDM vol. 2C): XCR0 only; x87 always set; AVX needs SSE; only
 * features the host enabled. Anything else is the guest's #GP.
 */
int xcr_policy_set(struct vcpu *v, uint32_t index, uint64_t val)
{
	uint64_t host = cpu_xgetbv(0);

	if (index != 0 || !(val & 1) || (val & ~host) ||
	    ((val & 4) && !(val & 2)))
		return -EPERM;
	v->xcr0 = val;
	return 0;
}
