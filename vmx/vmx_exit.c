// SPDX-License-Identifier: MIT
/*
 * Running a vCPU: enter, and decode the VM exit into the normalized
 * struct vm_exit core/ dispatches (ARCHITECTURE.md section 2). Exits only
 * VT-x has stay here: NMIs and machine checks go to the host's own
 * handlers, a guest write to a host-owned CR0/CR4 bit is emulated, and an
 * event whose delivery the exit interrupted is queued again (SDM vol. 3C
 * 28.2.4 "Information for VM exits that occur during event delivery").
 */
#include <errno.h>
#include <string.h>

#include "core/cpu.h"
#include "core/irq.h"
#include "core/fpu.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "ept/s2.h"
#include "vmx/vmx.h"

/* Exits caused by executing an instruction: VM_EXIT_INSTRUCTION_LEN is
 * valid for them (28.2.5; appendix C), and for software exceptions. */
#define B(r) (1ull << (r))
static const uint64_t vmx_insn_exits =
    B(VMX_EXIT_CPUID) | B(VMX_EXIT_GETSEC) | B(VMX_EXIT_HLT) |
    B(VMX_EXIT_INVD) | B(VMX_EXIT_INVLPG) | B(VMX_EXIT_RDPMC) |
    B(VMX_EXIT_RDTSC) | B(VMX_EXIT_RSM) | (0x3ffull << VMX_EXIT_VMCALL) |
    B(VMX_EXIT_CR_ACCESS) | B(VMX_EXIT_DR_ACCESS) | B(VMX_EXIT_IO) |
    B(VMX_EXIT_RDMSR) | B(VMX_EXIT_WRMSR) | B(VMX_EXIT_MWAIT) |
    B(VMX_EXIT_MONITOR) | B(VMX_EXIT_PAUSE) | B(VMX_EXIT_GDTR_IDTR) |
    B(VMX_EXIT_LDTR_TR) | B(VMX_EXIT_INVEPT) | B(VMX_EXIT_RDTSCP) |
    B(VMX_EXIT_INVVPID) | B(VMX_EXIT_WBINVD) | B(VMX_EXIT_XSETBV) |
    B(VMX_EXIT_RDRAND) | B(VMX_EXIT_INVPCID) | B(VMX_EXIT_RDSEED) |
    B(VMX_EXIT_XSAVES);
#undef B

/* Vectors that push an error code in protected mode (SDM 3A 6.13). */
static bool vmx_vector_has_error(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21;
}

/*
 * Bochs 2.7 workaround (docs/vmx.md): VM entry re-evaluates interrupt
 * masking only when it changes RFLAGS.IF, so a guest entered with IF=0
 * from a host running with IF=0 keeps host interrupts masked instead of
 * exiting on them (25.2 says external-interrupt exiting ignores IF), and
 * holds the CPU until it sets IF itself. Entering with IF=0, the VMX
 * preemption timer (25.5.1) guarantees an exit within this much time; the
 * host then takes what is pending. On hardware it only adds that exit.
 */
#define VMX_IF0_BACKSTOP_NS 1000000ull

static void vmx_preempt_backstop(struct vmx_vcpu *vv)
{
	bool want = vmx_caps.preempt_timer &&
		    !(vmx_vmread(VMCS_GUEST_RFLAGS) & VMX_RFLAGS_IF);
	uint32_t pin =
	    want ? vv->pin | PIN_PREEMPT_TIMER : vv->pin & ~PIN_PREEMPT_TIMER;

	if (pin == vv->pin)
		return;
	if (want) {
		uint64_t n = time_ns_to_tsc(VMX_IF0_BACKSTOP_NS) >>
			     vmx_caps.preempt_shift;
		/* Not saved at exits (exit control 22 off): reloaded. */
		if (n > 0xffffffffu)
			n = 0xffffffffu;
		vmx_vmwrite(VMCS_PREEMPT_TIMER, n ? n : 1);
	}
	vv->pin = pin;
	vmx_vmwrite(VMCS_PIN_CTLS, pin);
}

static inline uint64_t vmx_read_cr2(void)
{
	return cpu_read_cr2();
}

static inline void vmx_write_cr2(uint64_t v)
{
	asm volatile("mov %0, %%cr2" ::"r"(v));
}

/* VMCS loaded, interrupts off: everything the CPU does not switch. */
static void vmx_pre_entry(struct vmx_vcpu *vv)
{
	uint64_t gen = s2_flush_gen(vv->s2), cr;

	/* ept/ changed a translation since our last flush (ept/s2.h). */
	if (gen != vv->s2_gen) {
		vv->s2_gen = gen;
		vmx_invept(vmx_caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL,
			   vv->eptp);
	}
	cr = cpu_read_cr3();
	if (cr != vv->host_cr3) {
		vv->host_cr3 = cr;
		vmx_vmwrite(VMCS_HOST_CR3, cr);
	}
	cr = cpu_read_cr4();
	if (cr != vv->host_cr4) {
		vv->host_cr4 = cr;
		vmx_vmwrite(VMCS_HOST_CR4, cr);
	}
	/*
	 * Bochs 2.7 workaround (docs/vmx.md): it saves stale single-step
	 * and breakpoint bits into the pending-debug-exceptions field on
	 * exits that should clear it (28.3.4), and the next entry then
	 * fails its consistency checks (26.3.1.5). Hardware clears it on
	 * all exits but a few Keel does not use; a guest single-stepping
	 * across an exiting instruction loses that one #DB.
	 */
	vmx_vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmx_preempt_backstop(vv);
	/* CR2 is the guest's while it runs and is not in the VMCS. */
	if (vmx_read_cr2() != vv->cr2)
		vmx_write_cr2(vv->cr2);
}

static void vmx_log_guest_state(struct vcpu *v)
{
	log_err("vmx:   cr0 %#llx (shadow %#llx) cr4 %#llx efer %#llx "
		"rip %#llx rflags %#llx",
		(unsigned long long)vmx_vmread(VMCS_GUEST_CR0),
		(unsigned long long)vmx_vmread(VMCS_CR0_SHADOW),
		(unsigned long long)vmx_vmread(VMCS_GUEST_CR4),
		(unsigned long long)vmx_vmread(VMCS_GUEST_EFER),
		(unsigned long long)vmx_vmread(VMCS_GUEST_RIP),
		(unsigned long long)vmx_vmread(VMCS_GUEST_RFLAGS));
	log_err("vmx:   cs %#llx base %#llx ar %#llx ss ar %#llx "
		"interruptibility %#llx activity %llu entry event %#llx "
		"entry controls %#llx",
		(unsigned long long)vmx_vmread(VMCS_GUEST_CS_SEL),
		(unsigned long long)vmx_vmread(VMCS_GUEST_CS_BASE),
		(unsigned long long)vmx_vmread(VMCS_GUEST_CS_AR),
		(unsigned long long)vmx_vmread(VMCS_GUEST_SS_AR),
		(unsigned long long)vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY),
		(unsigned long long)vmx_vmread(VMCS_GUEST_ACTIVITY),
		(unsigned long long)vmx_vmread(VMCS_ENTRY_INTR_INFO),
		(unsigned long long)vmx_vmread(VMCS_ENTRY_CTLS));
}

/*
 * An exit interrupted the delivery of an event (IDT-vectoring info valid,
 * 28.2.4): deliver it again at the next entry, as the SDM prescribes
 * (28.2.4, "the VMM should ... re-inject"). Stage-2 faults on a stack or
 * IDT page ept/ has not backed yet make this common.
 */
static void vmx_requeue(uint32_t idt)
{
	uint32_t type = INTR_INFO_TYPE(idt);

	vmx_vmwrite(VMCS_ENTRY_INTR_INFO, idt & ~0x7ffff000u);
	if (idt & INTR_INFO_ERROR_VALID)
		vmx_vmwrite(VMCS_ENTRY_EXCEPTION_ERROR,
			    vmx_vmread(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmx_vmwrite(VMCS_ENTRY_INSN_LEN,
			    vmx_vmread(VMCS_EXIT_INSN_LEN));
	/* With virtual NMIs, injecting an NMI needs NMI blocking clear. */
	if (type == INTR_TYPE_NMI && vmx_caps.virtual_nmis)
		vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			    vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY) &
				~(uint64_t)INTERRUPTIBILITY_NMI);
}

/*
 * A fault the guest's IRET took after unblocking NMIs (bit 12 of the exit
 * qualification or interruption info, 28.2.3): with virtual NMIs the
 * blocking must be restored before the IRET runs again.
 */
static void vmx_nmi_reblock(bool unblocked_by_iret, uint32_t idt)
{
	if (unblocked_by_iret && vmx_caps.virtual_nmis &&
	    !(idt & INTR_INFO_VALID))
		vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			    vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY) |
				INTERRUPTIBILITY_NMI);
}

/* Exit reason 0 (27.2.2): the guest's exception, or a host NMI / #MC. */
static void vmx_decode_exception(struct vm_exit *e, uint32_t idt)
{
	uint32_t info = (uint32_t)vmx_vmread(VMCS_EXIT_INTR_INFO);
	uint32_t type = INTR_INFO_TYPE(info);
	uint8_t vector = INTR_INFO_VECTOR(info);

	if (type == INTR_TYPE_NMI) {
		/*
		 * The NMI was the host's: hand it to the host's handler (IST
		 * stack, core/trap.c) the way the CPU would have. Its IRET
		 * also lifts the NMI blocking this exit left (27.5.5).
		 */
		asm volatile("int $2");
		e->code = VM_EXIT_NONE;
		return;
	}
	if (type == INTR_TYPE_HW_EXCEPTION && vector == 18) {
		/* A machine check is the host's too (core/trap.c reports it).
		 */
		asm volatile("int $18");
		e->code = VM_EXIT_NONE;
		return;
	}
	vmx_nmi_reblock(info & INTR_INFO_NMI_UNBLOCK, idt);
	e->code = VM_EXIT_EXCEPTION;
	e->u.exc.vector = vector;
	e->u.exc.has_error = info & INTR_INFO_ERROR_VALID;
	e->u.exc.error =
	    e->u.exc.has_error ? (uint32_t)vmx_vmread(VMCS_EXIT_INTR_ERROR) : 0;
	e->u.exc.cr2 = vector == 14 ? vmx_vmread(VMCS_EXIT_QUALIFICATION) : 0;
	if (type == INTR_TYPE_SW_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		e->insn_len = (uint8_t)vmx_vmread(VMCS_EXIT_INSN_LEN);
}

/*
 * Decode with interrupts still off and the VMCS current. Returns true
 * for a CR access that vmx_cr_access() must emulate.
 */
static bool vmx_decode(struct vcpu *v, uint32_t reason, struct vm_exit *e)
{
	uint32_t basic = reason & 0xffff, idt;
	uint64_t qual;

	memset(e, 0, sizeof(*e));
	e->code = VM_EXIT_UNHANDLED;
	e->native = reason;
	e->rip = vmx_vmread(VMCS_GUEST_RIP);
	if (reason & VMX_EXIT_ENTRY_FAILURE) {
		/* 26.8: the guest state failed a check; nothing was run. */
		e->code = VM_EXIT_ENTRY_FAILED;
		log_err(
		    "vmx: VM entry failed: exit reason %u, qualification "
		    "%llu",
		    basic,
		    (unsigned long long)vmx_vmread(VMCS_EXIT_QUALIFICATION));
		vmx_log_guest_state(v);
		return false;
	}
	idt = (uint32_t)vmx_vmread(VMCS_IDT_VECTORING_INFO);
	if (idt & INTR_INFO_VALID)
		vmx_requeue(idt);
	if (basic < 64 && (vmx_insn_exits >> basic & 1))
		e->insn_len = (uint8_t)vmx_vmread(VMCS_EXIT_INSN_LEN);

	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		vmx_decode_exception(e, idt);
		break;
	case VMX_EXIT_EXTINT:
		/* Not acknowledged: the host IDT takes it once IF is back. */
		e->code = VM_EXIT_EXTINT;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		e->code = VM_EXIT_SHUTDOWN;
		break;
	case VMX_EXIT_INIT:
		e->code = VM_EXIT_INIT;
		break;
	case VMX_EXIT_INTR_WINDOW:
		e->code = VM_EXIT_INTR_WINDOW;
		break;
	case VMX_EXIT_PREEMPT_TIMER:
		/* The IF=0 backstop: the host looks at its interrupts. */
		e->code = VM_EXIT_NONE;
		break;
	case VMX_EXIT_CPUID:
		e->code = VM_EXIT_CPUID;
		break;
	case VMX_EXIT_HLT:
		e->code = VM_EXIT_HLT;
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->code = basic == VMX_EXIT_RDMSR ? VM_EXIT_MSR_READ
						  : VM_EXIT_MSR_WRITE;
		e->u.msr.index = (uint32_t)v->gprs.rcx;
		break;
	case VMX_EXIT_XSETBV:
		e->code = VM_EXIT_XSETBV;
		break;
	case VMX_EXIT_IO:
		/* Qualification (28.2.1, table 28-5). */
		qual = vmx_vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VM_EXIT_IO;
		e->u.io.size = (qual & 7) + 1;
		e->u.io.in = qual & (1u << 3);
		e->u.io.string = qual & (1u << 4);
		e->u.io.rep = qual & (1u << 5);
		e->u.io.port = (uint16_t)(qual >> 16);
		break;
	case VMX_EXIT_EPT_VIOLATION:
		/* Qualification (28.2.1, table 28-7). */
		qual = vmx_vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VM_EXIT_S2_FAULT;
		e->u.s2.gpa = vmx_vmread(VMCS_GUEST_PHYS_ADDR);
		e->u.s2.read = qual & (1u << 0);
		e->u.s2.write = qual & (1u << 1);
		e->u.s2.exec = qual & (1u << 2);
		e->u.s2.present = qual & (7u << 3);
		e->u.s2.gla_valid = qual & (1u << 7);
		if (e->u.s2.gla_valid)
			e->u.s2.gla = vmx_vmread(VMCS_GUEST_LINEAR_ADDR);
		/* Not the faulting instruction's length (28.2.5). */
		e->insn_len = 0;
		vmx_nmi_reblock(qual & (1u << 12), idt);
		break;
	case VMX_EXIT_EPT_MISCONFIG:
		/* A stage-2 entry ept/ wrote is malformed: a bug, not the
		 * guest's. */
		log_err("vmx: EPT misconfiguration at guest-physical %#llx",
			(unsigned long long)vmx_vmread(VMCS_GUEST_PHYS_ADDR));
		break;
	case VMX_EXIT_CR_ACCESS:
		return true;
	default:
		break;
	}
	return false;
}

static int vmx_inject_locked(struct vcpu *v, const struct vm_event *ev);

/*
 * MOV to CR0/CR4 that changed a host-owned bit (25.6.6, qualification in
 * table 28-3). For CR4 those are VMXE and bits the CPU lacks: #GP, as the
 * guest's CPUID promised. For CR0 it is NE: emulate the write as the CPU
 * would (SDM 3A 2.5 and the MOV CR checks), including paging switches.
 */
static void vmx_cr_access(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *vv = v->backend;
	static const struct vm_event gp = { VM_EVENT_EXCEPTION, 13, true, 0 };
	uint64_t qual = vmx_vmread(VMCS_EXIT_QUALIFICATION);
	unsigned int cr = qual & 15, type = (qual >> 4) & 3,
		     reg = (qual >> 8) & 15;
	uint64_t val, old, efer = vmx_vmread(VMCS_GUEST_EFER);
	bool long64 = (efer & VMX_EFER_LMA) &&
		      (vmx_vmread(VMCS_GUEST_CS_AR) & (1u << 13));

	if (type != 0 || (cr != 0 && cr != 4))
		return; /* stays VM_EXIT_UNHANDLED */
	/* General registers are numbered as enum vcpu_reg (RSP from the VMCS).
	 */
	val = reg == 4 ? vmx_vmread(VMCS_GUEST_RSP) : vmx_get_reg(v, reg);
	if (!long64)
		val = (uint32_t)val;
	e->code = VM_EXIT_NONE;
	if (cr == 4) {
		vmx_inject_locked(v, &gp);
		return;
	}
	old = (vmx_vmread(VMCS_GUEST_CR0) & ~vv->cr0_mask) |
	      (vmx_vmread(VMCS_CR0_SHADOW) & vv->cr0_mask);
	if ((val >> 32) || ((val & VMX_CR0_PG) && !(val & VMX_CR0_PE)) ||
	    ((val & VMX_CR0_NW) && !(val & VMX_CR0_CD)) ||
	    (long64 && !(val & VMX_CR0_PG)) ||
	    ((val & ~old & VMX_CR0_PG) && (efer & VMX_EFER_LME) &&
	     !(vmx_vmread(VMCS_GUEST_CR4) & VMX_CR4_PAE))) {
		vmx_inject_locked(v, &gp);
		return;
	}
	vmx_set_cr0(v, val);
	/* Legacy PAE paging switched on: the CPU would load the PDPTEs. */
	if ((val & ~old & VMX_CR0_PG) && !(efer & VMX_EFER_LME) &&
	    (vmx_vmread(VMCS_GUEST_CR4) & VMX_CR4_PAE)) {
		uint64_t pdpte[4];

		if (gmem_read(v->vm->mem,
			      vmx_vmread(VMCS_GUEST_CR3) & 0xffffffe0u, pdpte,
			      sizeof(pdpte))) {
			vmx_set_cr0(v, old);
			vmx_inject_locked(v, &gp);
			return;
		}
		for (int i = 0; i < 4; i++)
			vmx_vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	}
	/* A paging-mode change flushes the guest's TLB (SDM 3A 4.10.4.1). */
	if ((val ^ old) & (VMX_CR0_PG | VMX_CR0_PE | (1ull << 16) | VMX_CR0_CD))
		vmx_invvpid(vmx_caps.invvpid_single ? INVVPID_SINGLE
						    : INVVPID_ALL,
			    vv->vpid);
	vmx_set_reg(v, VCPU_RIP, vmx_vmread(VMCS_GUEST_RIP) + e->insn_len);
}

int vmx_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *vv = v->backend;
	uint64_t flags = irq_save();
	uint32_t reason;
	bool cr;
	int rc;

	vmx_vmcs_load(v);
	vmx_msr_load(vv);
	vmx_pre_entry(vv);
	fpu_xcr0_enter(v->xcr0); /* interrupts are off */
	rc = vmx_enter(&v->gprs, vv->launched);
	fpu_xcr0_leave(&v->xcr0);
	vv->cr2 = vmx_read_cr2();
	if (rc) {
		/* VMfail (31.2): the VMCS or the host state is wrong. Ours. */
		uint32_t err =
		    rc == 2 ? (uint32_t)vmx_vmread(VMCS_INSN_ERROR) : 0;

		log_err("vmx: %s failed: %s (%u)",
			vv->launched ? "VMRESUME" : "VMLAUNCH",
			rc == 2 ? vmx_insn_error_name(err) : "no current VMCS",
			err);
		vmx_log_guest_state(v);
		irq_restore(flags);
		memset(e, 0, sizeof(*e));
		e->code = VM_EXIT_ENTRY_FAILED;
		e->native = err;
		return -EIO;
	}
	reason = (uint32_t)vmx_vmread(VMCS_EXIT_REASON);
	/* A failed entry leaves the launch state alone (26.8). */
	if (!(reason & VMX_EXIT_ENTRY_FAILURE))
		vv->launched = true;
	cr = vmx_decode(v, reason, e);
	if (cr)
		vmx_cr_access(v, e);
	/* A pending host interrupt is taken here, by the host's IDT. */
	irq_restore(flags);
	return 0;
}

/* VMCS loaded, interrupts off. */
static int vmx_inject_locked(struct vcpu *v, const struct vm_event *ev)
{
	uint32_t info = ev->vector | INTR_INFO_VALID;
	uint64_t intr;

	if (vmx_vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)
		return -EBUSY;
	intr = vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (ev->type == VM_EVENT_NMI ||
	    (ev->type == VM_EVENT_EXCEPTION && ev->vector == 2)) {
		/* 26.3.1.5: not while the guest blocks NMIs (virtual NMIs). */
		if (vmx_caps.virtual_nmis && (intr & INTERRUPTIBILITY_NMI))
			return -EBUSY;
		info = 2 | INTR_TYPE_NMI << 8 | INTR_INFO_VALID;
	} else if (ev->type == VM_EVENT_EXTINT) {
		/* 26.3.1.5: IF set and no STI/MOV SS shadow, or entry fails. */
		if (!(vmx_vmread(VMCS_GUEST_RFLAGS) & VMX_RFLAGS_IF) ||
		    (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
			return -EBUSY;
		info |= INTR_TYPE_EXTINT << 8;
	} else {
		if (ev->vector >= 32)
			return -EINVAL;
		info |= INTR_TYPE_HW_EXCEPTION << 8;
		/*
		 * 26.2.1.3: an error code exactly for the vectors that have
		 * one, and never to a real-mode guest.
		 */
		if (vmx_vector_has_error(ev->vector) &&
		    (vmx_vmread(VMCS_GUEST_CR0) & VMX_CR0_PE)) {
			info |= INTR_INFO_ERROR_VALID;
			vmx_vmwrite(VMCS_ENTRY_EXCEPTION_ERROR,
				    ev->has_error ? ev->error : 0);
		}
	}
	vmx_vmwrite(VMCS_ENTRY_INTR_INFO, info);
	return 0;
}

int vmx_inject(struct vcpu *v, const struct vm_event *ev)
{
	uint64_t flags = irq_save();
	int rc;

	vmx_vmcs_load(v);
	rc = vmx_inject_locked(v, ev);
	irq_restore(flags);
	return rc;
}

void vmx_want_intr_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *vv = v->backend;
	uint32_t proc = on ? vv->proc | PROC_INTR_WINDOW_EXITING
			   : vv->proc & ~PROC_INTR_WINDOW_EXITING;
	uint64_t flags;

	if (proc == vv->proc)
		return;
	flags = irq_save();
	vmx_vmcs_load(v);
	vv->proc = proc;
	vmx_vmwrite(VMCS_PROC_CTLS, proc);
	irq_restore(flags);
}

/* INVEPT (31.3): this VM's EPTP only, or everything if that is all. */
void vmx_s2_flush(struct vcpu *v)
{
	struct vmx_vcpu *vv = v->backend;

	vmx_invept(vmx_caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL,
		   vv->eptp);
}
