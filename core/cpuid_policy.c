// SPDX-License-Identifier: MIT
/*
 * What a guest sees of the CPU (core/cpuid_policy.h). The CPUID part,
 * for Linux guests (issue 8, docs/vm.md "Time and CPU"):
 *
 * - Time: an invariant TSC (0x80000007 EDX bit 8: Linux sets
 *   CONSTANT_TSC and NONSTOP_TSC from it on Intel and AMD), running at
 *   the host TSC's rate (guest TSC = host TSC + vm->tsc_offset). Its
 *   frequency is in leaf 0x40000010 EAX (kHz; the VMware-proposed
 *   convention, with the LAPIC timer's in EBX) and, on Intel, in leaves
 *   0x15/0x16: Linux 6.1's native_calibrate_tsc() reads 0x15 on Intel
 *   only, sets X86_FEATURE_TSC_KNOWN_FREQ when ECX (the crystal) is
 *   non-zero, and takes the crystal as the LAPIC timer's rate
 *   (lapic_timer_period), so ECX = CPUID_LAPIC_HZ. On AMD Linux 6.1 has
 *   no CPUID source for an unknown hypervisor: it calibrates the TSC
 *   against the PIT and refines it against the ACPI PM timer.
 * - The hypervisor bit and leaf 0x40000000 "KeelKeelKeel", max leaf
 *   0x40000010: no signature Linux knows (KVM, Xen, Hyper-V, VMware,
 *   ACRN, Jailhouse), so it runs as on bare metal (X86_HYPER_NATIVE).
 *   Every leaf in 0x40000000-0x4fffffff is ours, so a host hypervisor's
 *   leaves (KVM's at 0x40000100) never leak through.
 * - The local APIC: APIC (1:EDX 9), x2APIC (1:ECX 21) and TSC-deadline
 *   (1:ECX 24), which vdev/vlapic.c implements; APIC IDs = vCPU ids in
 *   1:EBX[31:24] and leaves 0xb/0x1f; one package of nvcpus cores.
 */
#include "core/cpuid_policy.h"

#include <errno.h>

#include "core/time.h"
#include "core/vm.h"

#define EFER_LMA (1ull << 10)
#define EFER_GUEST_BITS ((1ull << 0) | (1ull << 8) | EFER_LMA | (1ull << 11))
#define CPUID_HV_LEAF 0x40000000u
#define CPUID_HV_MAX 0x40000010u
#define CPUID_HV_TIMING 0x40000010u
/*
 * Features whose MSR interface the guest cannot reach (msr_policy_read
 * refuses them with #GP), so a guest must not believe it has them:
 * 1:ECX MONITOR/MWAIT 3 (MWAIT exits; Linux idles with HLT), DS-CPL 4,
 * SMX 6, EIST 7, TM2 8, xTPR 14, PDCM 15; 1:EDX MCE 7, MCA 14, DS 21,
 * ACPI thermal 22, TM 29, PBE 31.
 */
#define CPUID_1_ECX_NO_MSR                                                   \
	(1u << 3 | 1u << 4 | 1u << 6 | 1u << 7 | 1u << 8 | 1u << 14 | 1u << 15)
#define CPUID_1_EDX_NO_MSR                                                   \
	(1u << 7 | 1u << 14 | 1u << 21 | 1u << 22 | 1u << 29 | 1u << 31)
/* The basic leaves Intel guests get at least: 0x15/0x16 carry the TSC. */
#define CPUID_INTEL_MIN_MAX 0x16u

static bool cpuid_host_intel(void)
{
	struct cpuid_regs r = cpu_cpuid(0, 0);

	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
	       r.ecx == 0x6c65746e; /* "GenuineIntel" */
}

static uint32_t cpuid_tsc_khz(void)
{
	uint64_t khz = time_tsc_hz() / 1000;

	return khz > 0xffffffffull ? 0xffffffffu : (uint32_t)khz;
}

/*
 * Leaf 0x15 (SDM 2A, CPUID): TSC = crystal * EBX / EAX. Linux computes
 * crystal_khz * EBX / EAX in 32 bits, so EBX is kept below 2^32 /
 * crystal_khz and EAX is the largest denominator that allows; the
 * ratio is then within 3 ppm of the TSC's (2^-32 * crystal_khz).
 */
struct cpuid_regs cpuid_policy_leaf15(uint32_t tsc_khz)
{
	const uint64_t crystal_khz = CPUID_LAPIC_HZ / 1000;
	uint64_t den, num;

	if (!tsc_khz)
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	den = 0xffffffffull / tsc_khz;
	if (!den)
		den = 1;
	num = (tsc_khz * den + crystal_khz / 2) / crystal_khz;
	while (num && crystal_khz * num > 0xffffffffull)
		num--;
	return (struct cpuid_regs){ (uint32_t)den, (uint32_t)num,
				    CPUID_LAPIC_HZ, 0 };
}

/* The end of the XSAVE area holding the components in @xcr0 (SDM 1
 * 13.4: legacy region and header first, then each at its offset). */
static uint32_t cpuid_xsave_size(uint64_t xcr0)
{
	uint32_t end = 576;

	for (unsigned int i = 2; i < 63; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		struct cpuid_regs c = cpu_cpuid(0xd, i);
		if (c.ebx + c.eax > end)
			end = c.ebx + c.eax;
	}
	return end;
}

/*
 * Leaf 0xd (SDM 2A, CPUID; SDM 1 13.2): only the components the host
 * enabled in its XCR0 (what xcr_policy_set lets the guest set), EBX for
 * the guest's own XCR0 (the CPU would report Keel's: Linux checks its
 * computed size against it), no XSAVES (it needs IA32_XSS and, on VMX,
 * a secondary control Keel does not set).
 */
static struct cpuid_regs cpuid_xsave_leaf(struct vcpu *v, uint32_t sub,
					  struct cpuid_regs r)
{
	uint64_t host = cpu_xgetbv(0);

	if (sub == 0) {
		r.eax &= (uint32_t)host;
		r.edx &= (uint32_t)(host >> 32);
		r.ebx = cpuid_xsave_size(v->xcr0 & host);
		r.ecx = cpuid_xsave_size(host);
	} else if (sub == 1) {
		r.eax &= ~(1u << 3);
		r.ebx = r.ecx = r.edx = 0;
	} else if (sub < 63 && !(host & (1ull << sub))) {
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	return r;
}

static struct cpuid_regs cpuid_hv_leaf(uint32_t leaf)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf == CPUID_HV_LEAF) {
		r.eax = CPUID_HV_MAX;
		r.ebx = 0x6c65654b; /* "KeelKeelKeel" */
		r.ecx = 0x6c65654b;
		r.edx = 0x6c65654b;
	} else if (leaf == CPUID_HV_TIMING) {
		r.eax = cpuid_tsc_khz();
		r.ebx = CPUID_LAPIC_HZ / 1000;
	}
	return r;
}

struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };
	bool intel = cpuid_host_intel();
	uint32_t host_max = cpu_cpuid(0, 0).eax;
	unsigned int shift = 0;

	while ((1u << shift) < v->vm->nvcpus)
		shift++;
	if (leaf >= CPUID_HV_LEAF && leaf <= 0x4fffffffu)
		return cpuid_hv_leaf(leaf);
	/* Intel: 0x15/0x16 exist even when the host (an emulator) lacks
	 * them; the leaves between the host's last and them read 0. */
	if (intel && leaf < 0x80000000u && leaf > host_max &&
	    leaf != 0x15 && leaf != 0x16)
		return r;
	r = cpu_cpuid(leaf, sub);
	switch (leaf) {
	case 0:
		if (intel && r.eax < CPUID_INTEL_MIN_MAX)
			r.eax = CPUID_INTEL_MIN_MAX;
		break;
	case 1:
		r.ecx &= ~(1u << 5);  /* VMX: no nesting */
		r.ecx &= ~CPUID_1_ECX_NO_MSR;
		r.edx &= ~CPUID_1_EDX_NO_MSR;
		r.ecx |= 1u << 31;    /* running under a hypervisor */
		r.ecx |= 1u << 21;    /* x2APIC (vdev/vlapic.c) */
		r.ecx |= 1u << 24;    /* TSC-deadline timer */
		r.edx |= 1u << 9;     /* a local APIC */
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
	case 6:
		/* Thermal and power: nothing the guest can drive (no APERF/
		 * MPERF, no HWP), but ARAT (EAX bit 2): the vLAPIC timer
		 * runs in every C-state, so Linux needs no broadcast timer. */
		r = (struct cpuid_regs){ 1u << 2, 0, 0, 0 };
		break;
	case 7:
		/* IA32_TSC_ADJUST (EBX bit 1): the MSR is not emulated
		 * (msr_policy_read refuses 0x3b), so not advertised. */
		if (sub == 0)
			r.ebx &= ~(1u << 1);
		/* LA57 (ECX bit 16): the MMIO decoder's page walk
		 * (core/gwalk.c) has 4 levels, so no 5-level paging. */
		if (sub == 0)
			r.ecx &= ~(1u << 16);
		/* RDPID (ECX bit 22) reads IA32_TSC_AUX, which neither
		 * backend switches: see 0x80000001 below. */
		if (sub == 0)
			r.ecx &= ~(1u << 22);
		/* Speculation controls (EDX 26 IBRS/IBPB, 27 STIBP, 28
		 * L1D_FLUSH, 29 ARCH_CAPABILITIES, 31 SSBD): MSRs 0x48,
		 * 0x49, 0x10b, 0x10a that are not emulated. */
		if (sub == 0)
			r.edx &= ~(0xbu << 28 | 3u << 26);
		break;
	case 0xa: /* architectural PMU: its MSRs are not emulated */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0xd:
		r = cpuid_xsave_leaf(v, sub, r);
		break;
	case 0xb:
	case 0x1f:
		/* x2APIC topology (SDM 2A, CPUID leaf 0BH): one thread per
		 * core, every vCPU a core of one package. */
		if (sub == 0)
			r = (struct cpuid_regs){ 0, 1, 0x100, v->id };
		else if (sub == 1)
			r = (struct cpuid_regs){ shift, v->vm->nvcpus, 0x201,
						 v->id };
		else
			r = (struct cpuid_regs){ 0, 0, sub & 0xff, v->id };
		break;
	case 0x15:
		if (intel)
			r = cpuid_policy_leaf15(cpuid_tsc_khz());
		break;
	case 0x16:
		/* Base and maximum MHz = the TSC's (Linux's cpu_khz_from_
		 * cpuid on Intel), bus MHz = the LAPIC timer's. */
		if (intel) {
			uint32_t mhz = cpuid_tsc_khz() / 1000;
			r = (struct cpuid_regs){ mhz, mhz,
						 CPUID_LAPIC_HZ / 1000000, 0 };
		}
		break;
	case 0x80000001:
		r.ecx &= ~(1u << 2); /* SVM: no nesting */
		r.ecx &= ~(1u << 22); /* no topology extensions (leaf 8000001E) */
		/* No RDTSCP (EDX bit 27): VMX would need its "enable
		 * RDTSCP" control (else #UD) and on SVM it would read the
		 * host's TSC_AUX; Linux 6.1 then orders RDTSC with LFENCE. */
		r.edx &= ~(1u << 27);
		/* MCE/MCA mirrors (EDX 7, 14); OSVW, IBS, WDT, the
		 * performance counter extensions (ECX 9, 10, 13, 23, 24,
		 * 28): MSR interfaces that are not emulated. Only those two
		 * EDX bits: this leaf's EDX is not leaf 1's, and leaf 1's
		 * mask would take LM (bit 29 here, TM there), which Linux's
		 * AP trampoline checks (verify_cpu) before long mode. */
		r.edx &= ~(1u << 7 | 1u << 14);
		r.ecx &= ~(1u << 9 | 1u << 10 | 1u << 13 | 1u << 23 |
			   1u << 24 | 1u << 28);
		break;
	case 0x80000007:
		/* Invariant TSC only: no P-state or power-reporting bits,
		 * whose MSRs the guest cannot reach. */
		r = (struct cpuid_regs){ 0, 0, 0, 1u << 8 };
		break;
	case 0x80000008: /* AMD: cores in the package, APIC ID bits */
		/* EBX: IBPB 12, IBRS 14, STIBP 15, SSBD 24, VIRT_SSBD 25,
		 * and their kin (bits 12-31): MSRs not emulated. */
		r.ebx &= 0xfffu;
		r.ecx = (r.ecx & ~0xf0ffu) | ((v->vm->nvcpus - 1) & 0xff) |
			(shift & 0xf) << 12;
		break;
	case 0x8000000a: /* SVM features: none for the guest */
	case 0x8000001f: /* SME/SEV: none (MSR SYSCFG is not emulated) */
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
	case 0x2ff: /* IA32_MTRR_DEF_TYPE: MTRRCAP says no ranges */
		*val = v->msr_mtrr_def;
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
	case 0x2ff:
		/* E, FE and a valid default type; the rest reserved (SDM 3A
		 * 12.11.2.1). Stage 2 maps guest RAM write-back whatever it
		 * says, as PAT and the guest's page attributes still apply. */
		if ((val & ~0xcffull) || (val & 0xff) == 2 || (val & 0xff) == 3 ||
		    (val & 0xff) > 6)
			return -EPERM;
		v->msr_mtrr_def = val;
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
