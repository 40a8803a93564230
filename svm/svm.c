// SPDX-License-Identifier: MIT
/*
 * The AMD-V backend (AMD APM vol. 2, chapter 15). Written for the subset
 * QEMU's TCG offers as well as real parts: without NRIP-save, decode
 * assists, VMCB clean bits or flush-by-ASID it decodes instruction lengths
 * itself, marks the whole VMCB dirty and flushes the whole TLB; where the
 * CPU has them, it uses NRIP-save.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/fpu.h"
#include "core/hv.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "ept/s2.h"
#include "svm/svm_vmcb.h"

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define EFER_SVME (1ull << 12)

struct svm_vcpu {
	void *vmcb;
	uint64_t vmcb_pa;
	uint32_t asid;
	bool flush; /* flush the TLB at the next VMRUN */
};

static bool svm_nrips;
static uint32_t svm_nasid;
static uint32_t svm_next_asid = 1;
/* One IOPM (12 KiB) and MSRPM (8 KiB), all ones: every port and MSR exits. */
static uint64_t svm_iopm_pa, svm_msrpm_pa;

/*
 * MSRs whose guest values live in the VMCB's save area and are switched
 * by VMRUN/#VMEXIT or by the VMLOAD/VMSAVE pair around every entry
 * (APM 15.5.2, 15.11): FS/GS base, KernelGSbase, the SYSCALL and
 * SYSENTER MSRs. A 64-bit guest (Linux) writes them all at boot; reading
 * and writing them needs no exit. MSRPM layout (APM 15.11): two bits
 * (read, write) per MSR, 0000_0000h.. at byte 0, C000_0000h.. at 0x800.
 */
static void svm_msrpm_passthrough(uint8_t *pm)
{
	static const uint32_t msrs[] = {
		0x174, 0x175, 0x176,	/* SYSENTER_CS, _ESP, _EIP */
		0xc0000081, 0xc0000082, /* STAR, LSTAR */
		0xc0000083, 0xc0000084, /* CSTAR, SFMASK */
		0xc0000100, 0xc0000101, /* FS.base, GS.base */
		0xc0000102,		/* KernelGSbase */
	};

	for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint32_t m = msrs[i];
		unsigned int bit = (m & 0x1fff) * 2 + (m >= 0xc0000000u ?
						       0x800 * 8 : 0);
		pm[bit / 8] &= (uint8_t)~(3u << (bit % 8));
	}
}
static uint64_t svm_host_area[PERCPU_MAX]; /* VMSAVE/VMLOAD of host state */

extern void svm_enter(uint64_t vmcb_pa, struct vcpu_gprs *g, uint64_t host_pa);

static int svm_probe(void)
{
	if (cpu_cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpu_cpuid(0x80000001, 0).ecx & (1u << 2)))
		return -ENODEV;
	if (cpu_rdmsr(MSR_VM_CR) & (1ull << 4)) {
		log_warn("svm: AMD-V disabled by the firmware (VM_CR.SVMDIS); "
			 "enable SVM in the BIOS setup");
		return -EPERM;
	}
	struct cpuid_regs r = cpu_cpuid(0x8000000a, 0);
	if (!(r.edx & 1)) {
		log_warn("svm: no nested paging: Keel needs NPT");
		return -ENODEV;
	}
	svm_nrips = r.edx & (1u << 3);
	svm_nasid = r.ebx;
	log_info("svm: AMD-V revision %u, %u ASIDs: NPT yes, NRIP-save %s, "
		 "decode assists %s, VMCB clean bits %s, flush-by-ASID %s",
		 r.eax & 0xff, r.ebx, svm_nrips ? "yes" : "no",
		 r.edx & (1u << 7) ? "yes" : "no",
		 r.edx & (1u << 5) ? "yes" : "no",
		 r.edx & (1u << 6) ? "yes" : "no");
	return 0;
}

/* APM 15.4: EFER.SVME, then the host save area for VMRUN. */
static int svm_cpu_enable(void)
{
	unsigned int cpu = this_cpu()->id;

	if (!svm_iopm_pa && cpu == 0) {
		/* 20 KiB physically contiguous: one 2 MiB frame, once. */
		uint64_t pa = pmm_alloc_2m();
		if (!pa)
			return -ENOMEM;
		memset(mm_phys_to_virt(pa), 0xff, 5 * PMM_PAGE);
		svm_iopm_pa = pa;
		svm_msrpm_pa = pa + 3 * PMM_PAGE;
		svm_msrpm_passthrough(mm_phys_to_virt(svm_msrpm_pa));
	}
	uint64_t hsave = pmm_alloc_4k(), host = pmm_alloc_4k();
	if (!hsave || !host)
		return -ENOMEM;
	memset(mm_phys_to_virt(host), 0, PMM_PAGE);
	svm_host_area[cpu] = host;
	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_SVME);
	cpu_wrmsr(MSR_VM_HSAVE_PA, hsave);
	return 0;
}

static const struct s2_format *svm_s2_format(void)
{
	return &s2_npt;
}

static void svm_seg(void *vmcb, unsigned int off, uint16_t sel, uint16_t attr,
		    uint32_t limit, uint64_t base)
{
	vmcb_write16(vmcb, off + VMCB_SEG_SEL, sel);
	vmcb_write16(vmcb, off + VMCB_SEG_ATTR, attr);
	vmcb_write32(vmcb, off + VMCB_SEG_LIMIT, limit);
	vmcb_write64(vmcb, off + VMCB_SEG_BASE, base);
}

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->vmcb_pa = pmm_alloc_4k();
	if (!s->vmcb_pa) {
		free(s);
		return -ENOMEM;
	}
	void *vmcb = s->vmcb = mm_phys_to_virt(s->vmcb_pa);
	memset(vmcb, 0, PMM_PAGE);
	s->asid = __atomic_fetch_add(&svm_next_asid, 1, __ATOMIC_RELAXED);
	if (svm_nasid && s->asid >= svm_nasid)
		s->asid = 1 + s->asid % (svm_nasid - 1); /* shared: flushed */
	s->flush = true;
	v->backend = s;

	vmcb_write32(vmcb, VMCB_INTERCEPT_EXC, 1u << 18); /* #MC */
	vmcb_write32(vmcb, VMCB_INTERCEPT_MISC1,
		     SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			     SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO |
			     SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN);
	/* VMRUN must be intercepted (APM 15.5.1), and no nesting anyway. */
	vmcb_write32(vmcb, VMCB_INTERCEPT_MISC2,
		     SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV);
	vmcb_write64(vmcb, VMCB_IOPM_PA, svm_iopm_pa);
	vmcb_write64(vmcb, VMCB_MSRPM_PA, svm_msrpm_pa);
	vmcb_write32(vmcb, VMCB_ASID, s->asid);
	vmcb_write32(vmcb, VMCB_INT_CTL, SVM_INT_CTL_V_INTR_MASKING);
	vmcb_write64(vmcb, VMCB_NP_ENABLE, 1);
	vmcb_write64(vmcb, VMCB_N_CR3, s2_npt_ncr3(gmem_s2(v->vm->mem)));

	/* Real mode at the VM's entry point, like a CPU after INIT (APM 14.1.3). */
	uint16_t cs = v->id == 0 ? v->vm->entry_cs : 0;
	svm_seg(vmcb, VMCB_CS, cs, 0x009b, 0xffff, (uint64_t)cs << 4);
	svm_seg(vmcb, VMCB_DS, 0, 0x0093, 0xffff, 0);
	svm_seg(vmcb, VMCB_ES, 0, 0x0093, 0xffff, 0);
	svm_seg(vmcb, VMCB_SS, 0, 0x0093, 0xffff, 0);
	svm_seg(vmcb, VMCB_FS, 0, 0x0093, 0xffff, 0);
	svm_seg(vmcb, VMCB_GS, 0, 0x0093, 0xffff, 0);
	svm_seg(vmcb, VMCB_GDTR, 0, 0, 0xffff, 0);
	svm_seg(vmcb, VMCB_IDTR, 0, 0, 0xffff, 0);
	svm_seg(vmcb, VMCB_LDTR, 0, 0x0082, 0xffff, 0);
	svm_seg(vmcb, VMCB_TR, 0, 0x008b, 0xffff, 0);
	vmcb_write8(vmcb, VMCB_CPL, 0);
	vmcb_write64(vmcb, VMCB_CR0, 0x60000010); /* CD, NW, ET: reset value */
	vmcb_write64(vmcb, VMCB_EFER, EFER_SVME); /* VMRUN requires SVME */
	vmcb_write64(vmcb, VMCB_RFLAGS, 0x2);
	vmcb_write64(vmcb, VMCB_RIP, v->id == 0 ? v->vm->entry_ip : 0);
	vmcb_write64(vmcb, VMCB_DR6, 0xffff0ff0);
	vmcb_write64(vmcb, VMCB_DR7, 0x400);
	vmcb_write64(vmcb, VMCB_G_PAT, 0x0007040600070406ull);
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->backend;

	if (!s)
		return;
	pmm_free_4k(s->vmcb_pa);
	free(s);
	v->backend = NULL;
}

static const unsigned int svm_gpr_index[] = {
	[VCPU_RCX] = 1, [VCPU_RDX] = 2, [VCPU_RBX] = 3, [VCPU_RBP] = 5,
	[VCPU_RSI] = 6, [VCPU_RDI] = 7, [VCPU_R8] = 8,	[VCPU_R9] = 9,
	[VCPU_R10] = 10, [VCPU_R11] = 11, [VCPU_R12] = 12, [VCPU_R13] = 13,
	[VCPU_R14] = 14, [VCPU_R15] = 15,
};

static unsigned int svm_reg_off(enum vcpu_reg r)
{
	switch (r) {
	case VCPU_RAX: return VMCB_RAX;
	case VCPU_RSP: return VMCB_RSP;
	case VCPU_RIP: return VMCB_RIP;
	case VCPU_RFLAGS: return VMCB_RFLAGS;
	case VCPU_CR0: return VMCB_CR0;
	case VCPU_CR2: return VMCB_CR2;
	case VCPU_CR3: return VMCB_CR3;
	case VCPU_CR4: return VMCB_CR4;
	case VCPU_EFER: return VMCB_EFER;
	case VCPU_CS_BASE: return VMCB_CS + VMCB_SEG_BASE;
	case VCPU_ES_BASE: return VMCB_ES + VMCB_SEG_BASE;
	case VCPU_DS_BASE: return VMCB_DS + VMCB_SEG_BASE;
	case VCPU_FS_BASE: return VMCB_FS + VMCB_SEG_BASE;
	case VCPU_GS_BASE: return VMCB_GS + VMCB_SEG_BASE;
	case VCPU_TSC_OFFSET: return VMCB_TSC_OFFSET;
	default: return 0;
	}
}

static uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct svm_vcpu *s = v->backend;
	unsigned int off = svm_reg_off(r);

	if (off)
		return vmcb_read64(s->vmcb, off);
	if (r == VCPU_CS_ATTR)
		return vmcb_read16(s->vmcb, VMCB_CS + VMCB_SEG_ATTR);
	if (r == VCPU_SS_ATTR)
		return vmcb_read16(s->vmcb, VMCB_SS + VMCB_SEG_ATTR);
	if (r == VCPU_INTR_SHADOW)
		return vmcb_read64(s->vmcb, VMCB_INT_STATE) & 1;
	if (r == VCPU_CS_SEL)
		return vmcb_read16(s->vmcb, VMCB_CS + VMCB_SEG_SEL);
	return ((uint64_t *)&v->gprs)[svm_gpr_index[r]];
}

static void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	struct svm_vcpu *s = v->backend;
	unsigned int off = svm_reg_off(r);

	if (off) {
		if (r == VCPU_EFER)
			val |= EFER_SVME; /* the guest never sees it cleared */
		vmcb_write64(s->vmcb, off, val);
		return;
	}
	if (r == VCPU_CS_SEL) {
		vmcb_write16(s->vmcb, VMCB_CS + VMCB_SEG_SEL, val);
		return;
	}
	if (r == VCPU_INTR_SHADOW) {
		uint64_t st = vmcb_read64(s->vmcb, VMCB_INT_STATE);
		vmcb_write64(s->vmcb, VMCB_INT_STATE, val ? st | 1 : st & ~1ull);
		return;
	}
	if (r < VCPU_RIP)
		((uint64_t *)&v->gprs)[svm_gpr_index[r]] = val;
}

/*
 * EXITINTINFO (APM vol. 2, 15.7.2) holds an event whose delivery through
 * the guest IDT the exit interrupted (a nested page fault on the IDT or
 * the stack, a host interrupt): the VMM must inject it again or the guest
 * loses it. It has EVENTINJ's format. Software interrupts (type 4) and
 * the #BP/#OF traps of INT3/INTO are not re-injected: RIP still points at
 * the instruction, which raises them again when it re-executes (without
 * NRIP-save there is no length to inject them with).
 */
static uint64_t svm_requeue(struct svm_vcpu *s)
{
	uint64_t info = vmcb_read64(s->vmcb, VMCB_EXIT_INT_INFO);
	unsigned int type = (info >> 8) & 7, vector = info & 0xff;

	if (!(info & SVM_EVTINJ_VALID) || type == 4 ||
	    (type == 3 && (vector == 3 || vector == 4)))
		return 0;
	return info;
}

static int svm_inject(struct vcpu *v, const struct vm_event *ev)
{
	struct svm_vcpu *s = v->backend;
	uint64_t inj = ev->vector | SVM_EVTINJ_VALID;

	if (vmcb_read64(s->vmcb, VMCB_EVENT_INJ) & SVM_EVTINJ_VALID)
		return -EBUSY;
	inj |= ev->type == VM_EVENT_NMI	      ? SVM_EVTINJ_TYPE_NMI
	       : ev->type == VM_EVENT_EXCEPTION ? SVM_EVTINJ_TYPE_EXC
						: SVM_EVTINJ_TYPE_INTR;
	if (ev->has_error)
		inj |= SVM_EVTINJ_EV | (uint64_t)ev->error << 32;
	vmcb_write64(s->vmcb, VMCB_EVENT_INJ, inj);
	return 0;
}

static void svm_want_intr_window(struct vcpu *v, bool on)
{
	struct svm_vcpu *s = v->backend;
	uint32_t misc = vmcb_read32(s->vmcb, VMCB_INTERCEPT_MISC1);
	uint32_t ctl = vmcb_read32(s->vmcb, VMCB_INT_CTL);

	/* A virtual interrupt request makes VINTR exit when IF allows it. */
	vmcb_write32(s->vmcb, VMCB_INTERCEPT_MISC1,
		     on ? misc | SVM_INTERCEPT_VINTR : misc & ~SVM_INTERCEPT_VINTR);
	vmcb_write32(s->vmcb, VMCB_INT_CTL,
		     on ? ctl | SVM_INT_CTL_V_IRQ : ctl & ~SVM_INT_CTL_V_IRQ);
}

static void svm_s2_flush(struct vcpu *v)
{
	((struct svm_vcpu *)v->backend)->flush = true;
}

/* Instruction lengths without NRIP-save: these are fixed encodings. */
static uint8_t svm_insn_len(struct svm_vcpu *s, uint64_t code, uint64_t rip)
{
	if (svm_nrips)
		return vmcb_read64(s->vmcb, VMCB_NEXT_RIP) - rip;
	switch (code) {
	case SVM_EXIT_CPUID: /* 0f a2 */
	case SVM_EXIT_MSR:   /* 0f 32 / 0f 30 */
		return 2;
	case SVM_EXIT_HLT: /* f4 */
		return 1;
	default:
		return 0;
	}
}

static void svm_decode(struct svm_vcpu *s, struct vm_exit *e)
{
	void *vmcb = s->vmcb;
	uint64_t code = vmcb_read64(vmcb, VMCB_EXIT_CODE);
	uint64_t info1 = vmcb_read64(vmcb, VMCB_EXIT_INFO1);
	uint64_t info2 = vmcb_read64(vmcb, VMCB_EXIT_INFO2);
	uint64_t rip = vmcb_read64(vmcb, VMCB_RIP);

	memset(e, 0, sizeof(*e));
	e->native = (uint32_t)code;
	e->rip = rip;
	e->insn_len = svm_insn_len(s, code, rip);
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_VINTR:
		e->code = code == SVM_EXIT_VINTR ? VM_EXIT_INTR_WINDOW
						 : VM_EXIT_EXTINT;
		break;
	case SVM_EXIT_IOIO: /* APM 15.10.2, figure 15-2 */
		e->code = VM_EXIT_IO;
		e->u.io.port = info1 >> 16;
		e->u.io.in = info1 & 1;
		e->u.io.string = info1 & (1u << 2);
		e->u.io.rep = info1 & (1u << 3);
		e->u.io.size = info1 & (1u << 4) ? 1 : info1 & (1u << 5) ? 2 : 4;
		e->insn_len = info2 - rip; /* EXITINFO2: the next RIP, always */
		break;
	case SVM_EXIT_NPF: /* 15.25.6: EXITINFO1 is a #PF error code */
		e->code = VM_EXIT_S2_FAULT;
		e->u.s2.gpa = info2;
		e->u.s2.present = info1 & 1;
		e->u.s2.write = info1 & 2;
		e->u.s2.exec = info1 & 16;
		e->u.s2.read = !e->u.s2.write && !e->u.s2.exec;
		break;
	case SVM_EXIT_CPUID:
		e->code = VM_EXIT_CPUID;
		break;
	case SVM_EXIT_MSR:
		e->code = info1 ? VM_EXIT_MSR_WRITE : VM_EXIT_MSR_READ;
		break;
	case SVM_EXIT_HLT:
		e->code = VM_EXIT_HLT;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->code = VM_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_INIT:
		e->code = VM_EXIT_INIT;
		break;
	case SVM_EXIT_XSETBV:
		e->code = VM_EXIT_XSETBV;
		break;
	case SVM_EXIT_INVALID:
		e->code = VM_EXIT_ENTRY_FAILED;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->code = VM_EXIT_EXCEPTION;
			e->u.exc.vector = code - SVM_EXIT_EXCP_BASE;
			e->u.exc.error = (uint32_t)info1;
		} else {
			e->code = VM_EXIT_UNHANDLED;
		}
	}
}

static int svm_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = v->backend;
	uint64_t host = svm_host_area[this_cpu()->id];

	/* Without flush-by-ASID, "flush this ASID" is a full flush (1). */
	vmcb_write8(s->vmcb, VMCB_TLB_CTL, s->flush ? 1 : 0);
	s->flush = false;
	vmcb_write32(s->vmcb, VMCB_CLEAN, 0); /* every field may have changed */
	vmcb_write64(s->vmcb, VMCB_RAX, v->gprs.rax);
	vmcb_write64(s->vmcb, VMCB_RSP, v->gprs.rsp);

	/* GIF=0 holds interrupts off in the host; IF=1 lets them end the run. */
	irq_disable();
	asm volatile("clgi" ::: "memory");
	/* GIF=0 from here to STGI: no host code runs with the guest's XCR0. */
	fpu_xcr0_enter(v->xcr0);
	irq_enable();
	svm_enter(s->vmcb_pa, &v->gprs, host);
	irq_disable();
	fpu_xcr0_leave(&v->xcr0);
	asm volatile("stgi" ::: "memory");

	v->gprs.rax = vmcb_read64(s->vmcb, VMCB_RAX);
	v->gprs.rsp = vmcb_read64(s->vmcb, VMCB_RSP);
	/* An injected event is consumed at entry; one whose delivery the exit
	 * interrupted comes back in EXITINTINFO and is injected again. */
	vmcb_write64(s->vmcb, VMCB_EVENT_INJ, svm_requeue(s));
	svm_decode(s, e);
	irq_enable(); /* the host interrupt that ended the run is taken here */
	return 0;
}

static const struct hv_vendor_ops svm_ops = {
	.name = "AMD-V",
	.s2_name = "NPT",
	.probe = svm_probe,
	.cpu_enable = svm_cpu_enable,
	.s2_format = svm_s2_format,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.inject = svm_inject,
	.want_intr_window = svm_want_intr_window,
	.s2_flush = svm_s2_flush,
};

static void svm_register(void)
{
	hv_register(&svm_ops);
}
KEEL_INIT(INIT_CPU, svm_register);
