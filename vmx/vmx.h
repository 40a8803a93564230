/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-x backend, private to vmx/: capability MSRs (SDM vol. 3D,
 * appendix A), VMCS field encodings (SDM vol. 3C, appendix B), control
 * bits (3C 25.6-25.8), exit reasons (3C appendix C) and the VMX
 * instructions (3C chapter 31). docs/vmx.md explains the choices.
 */
#ifndef KEEL_VMX_VMX_H
#define KEEL_VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hv.h"

struct vcpu;
struct vcpu_gprs;
struct s2_table;

/* Capability MSRs (3D A.1-A.10). */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_PAT 0x277
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102

#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION(b) ((uint32_t)(b)&0x7fffffff)
#define VMX_BASIC_REGION_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_32BIT_ADDR (1ull << 48)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_MEMTYPE_WB 6

/* IA32_VMX_MISC (A.6). */
#define VMX_MISC_STORE_LMA (1ull << 5)
#define VMX_MISC_PREEMPT_SHIFT(m) ((m)&0x1f)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_1G (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INVVPID_SINGLE (1ull << 41)
#define VPID_CAP_INVVPID_ALL (1ull << 42)

/* Pin-based controls (3C 25.6.1, table 25-5). */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_PREEMPT_TIMER (1u << 6)

/* Primary processor-based controls (25.6.2, table 25-6). */
#define PROC_INTR_WINDOW_EXITING (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_INVLPG_EXITING (1u << 9)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_RDTSC_EXITING (1u << 12)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_MOV_DR_EXITING (1u << 23)
#define PROC_UNCOND_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_MONITOR_TRAP_FLAG (1u << 27)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_PAUSE_EXITING (1u << 30)
#define PROC_SECONDARY (1u << 31)

/* Secondary processor-based controls (25.6.2, table 25-7). */
#define PROC2_EPT (1u << 1)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)

/* VM-exit controls (25.7.1, table 25-13). */
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)

/* VM-entry controls (25.8.1, table 25-15). */
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* VMCS field encodings (3C appendix B). */
enum vmcs_field {
	/* 16-bit (B.1) */
	VMCS_VPID = 0x0000,
	VMCS_GUEST_ES_SEL = 0x0800,
	VMCS_GUEST_CS_SEL = 0x0802,
	VMCS_GUEST_SS_SEL = 0x0804,
	VMCS_GUEST_DS_SEL = 0x0806,
	VMCS_GUEST_FS_SEL = 0x0808,
	VMCS_GUEST_GS_SEL = 0x080a,
	VMCS_GUEST_LDTR_SEL = 0x080c,
	VMCS_GUEST_TR_SEL = 0x080e,
	VMCS_HOST_ES_SEL = 0x0c00,
	VMCS_HOST_CS_SEL = 0x0c02,
	VMCS_HOST_SS_SEL = 0x0c04,
	VMCS_HOST_DS_SEL = 0x0c06,
	VMCS_HOST_FS_SEL = 0x0c08,
	VMCS_HOST_GS_SEL = 0x0c0a,
	VMCS_HOST_TR_SEL = 0x0c0c,
	/* 64-bit (B.2) */
	VMCS_IO_BITMAP_A = 0x2000,
	VMCS_IO_BITMAP_B = 0x2002,
	VMCS_MSR_BITMAP = 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR = 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR = 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR = 0x200a,
	VMCS_TSC_OFFSET = 0x2010,
	VMCS_EPT_POINTER = 0x201a,
	VMCS_GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	VMCS_GUEST_DEBUGCTL = 0x2802,
	VMCS_GUEST_PAT = 0x2804,
	VMCS_GUEST_EFER = 0x2806,
	VMCS_GUEST_PDPTE0 = 0x280a,
	VMCS_HOST_PAT = 0x2c00,
	VMCS_HOST_EFER = 0x2c02,
	/* 32-bit (B.3) */
	VMCS_PIN_CTLS = 0x4000,
	VMCS_PROC_CTLS = 0x4002,
	VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PF_ERROR_MASK = 0x4006,
	VMCS_PF_ERROR_MATCH = 0x4008,
	VMCS_CR3_TARGET_COUNT = 0x400a,
	VMCS_EXIT_CTLS = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010,
	VMCS_ENTRY_CTLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR = 0x4018,
	VMCS_ENTRY_INSN_LEN = 0x401a,
	VMCS_TPR_THRESHOLD = 0x401c,
	VMCS_PROC_CTLS2 = 0x401e,
	VMCS_INSN_ERROR = 0x4400,
	VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTR_INFO = 0x4404,
	VMCS_EXIT_INTR_ERROR = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR = 0x440a,
	VMCS_EXIT_INSN_LEN = 0x440c,
	VMCS_EXIT_INSN_INFO = 0x440e,
	VMCS_GUEST_ES_LIMIT = 0x4800,
	VMCS_GUEST_CS_LIMIT = 0x4802,
	VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806,
	VMCS_GUEST_FS_LIMIT = 0x4808,
	VMCS_GUEST_GS_LIMIT = 0x480a,
	VMCS_GUEST_LDTR_LIMIT = 0x480c,
	VMCS_GUEST_TR_LIMIT = 0x480e,
	VMCS_GUEST_GDTR_LIMIT = 0x4810,
	VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR = 0x4814,
	VMCS_GUEST_CS_AR = 0x4816,
	VMCS_GUEST_SS_AR = 0x4818,
	VMCS_GUEST_DS_AR = 0x481a,
	VMCS_GUEST_FS_AR = 0x481c,
	VMCS_GUEST_GS_AR = 0x481e,
	VMCS_GUEST_LDTR_AR = 0x4820,
	VMCS_GUEST_TR_AR = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY = 0x4826,
	VMCS_GUEST_SYSENTER_CS = 0x482a,
	VMCS_PREEMPT_TIMER = 0x482e,
	VMCS_HOST_SYSENTER_CS = 0x4c00,
	/* natural width (B.4) */
	VMCS_CR0_MASK = 0x6000,
	VMCS_CR4_MASK = 0x6002,
	VMCS_CR0_SHADOW = 0x6004,
	VMCS_CR4_SHADOW = 0x6006,
	VMCS_EXIT_QUALIFICATION = 0x6400,
	VMCS_GUEST_LINEAR_ADDR = 0x640a,
	VMCS_GUEST_CR0 = 0x6800,
	VMCS_GUEST_CR3 = 0x6802,
	VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806,
	VMCS_GUEST_CS_BASE = 0x6808,
	VMCS_GUEST_SS_BASE = 0x680a,
	VMCS_GUEST_DS_BASE = 0x680c,
	VMCS_GUEST_FS_BASE = 0x680e,
	VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812,
	VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816,
	VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681a,
	VMCS_GUEST_RSP = 0x681c,
	VMCS_GUEST_RIP = 0x681e,
	VMCS_GUEST_RFLAGS = 0x6820,
	VMCS_GUEST_PENDING_DBG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824,
	VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_HOST_CR0 = 0x6c00,
	VMCS_HOST_CR3 = 0x6c02,
	VMCS_HOST_CR4 = 0x6c04,
	VMCS_HOST_FS_BASE = 0x6c06,
	VMCS_HOST_GS_BASE = 0x6c08,
	VMCS_HOST_TR_BASE = 0x6c0a,
	VMCS_HOST_GDTR_BASE = 0x6c0c,
	VMCS_HOST_IDTR_BASE = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP = 0x6c10,
	VMCS_HOST_SYSENTER_EIP = 0x6c12,
	VMCS_HOST_RSP = 0x6c14,
	VMCS_HOST_RIP = 0x6c16,
};

/* Basic exit reasons (3C appendix C). */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTINT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3,
	VMX_EXIT_SIPI = 4,
	VMX_EXIT_INTR_WINDOW = 7,
	VMX_EXIT_NMI_WINDOW = 8,
	VMX_EXIT_TASK_SWITCH = 9,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_GETSEC = 11,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_INVLPG = 14,
	VMX_EXIT_RDPMC = 15,
	VMX_EXIT_RDTSC = 16,
	VMX_EXIT_RSM = 17,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMXOFF = 26,
	VMX_EXIT_VMXON = 27,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_DR_ACCESS = 29,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_BAD_GUEST_STATE = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_MWAIT = 36,
	VMX_EXIT_MTF = 37,
	VMX_EXIT_MONITOR = 39,
	VMX_EXIT_PAUSE = 40,
	VMX_EXIT_MACHINE_CHECK = 41,
	VMX_EXIT_TPR_BELOW = 43,
	VMX_EXIT_APIC_ACCESS = 44,
	VMX_EXIT_GDTR_IDTR = 46,
	VMX_EXIT_LDTR_TR = 47,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50,
	VMX_EXIT_RDTSCP = 51,
	VMX_EXIT_PREEMPT_TIMER = 52,
	VMX_EXIT_INVVPID = 53,
	VMX_EXIT_WBINVD = 54,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_RDRAND = 57,
	VMX_EXIT_INVPCID = 58,
	VMX_EXIT_RDSEED = 61,
	VMX_EXIT_XSAVES = 63,
	VMX_EXIT_XRSTORS = 64,
	VMX_EXIT_REASON_MAX = 80,
};
#define VMX_EXIT_ENTRY_FAILURE (1u << 31)

/* Interruption-information format (25.8.3, 27.2.2, 27.2.4). */
#define INTR_INFO_VECTOR(x) ((x)&0xff)
#define INTR_INFO_TYPE(x) (((x) >> 8) & 7)
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_INFO_NMI_UNBLOCK (1u << 12)
#define INTR_INFO_VALID (1u << 31)
#define INTR_TYPE_EXTINT 0
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXCEPTION 3
#define INTR_TYPE_SW_INTR 4
#define INTR_TYPE_PRIV_SW_EXCEPTION 5
#define INTR_TYPE_SW_EXCEPTION 6

/* Guest interruptibility state (25.4.2, table 25-3). */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)

#define VMX_CR0_PE (1ull << 0)
#define VMX_CR0_NE (1ull << 5)
#define VMX_CR0_NW (1ull << 29)
#define VMX_CR0_CD (1ull << 30)
#define VMX_CR0_PG (1ull << 31)
#define VMX_CR4_PAE (1ull << 5)
#define VMX_CR4_VMXE (1ull << 13)
#define VMX_EFER_LME (1ull << 8)
#define VMX_EFER_LMA (1ull << 10)
#define VMX_RFLAGS_IF (1ull << 9)

/*
 * What probe found and chose; written once on the boot CPU at INIT_CPU,
 * read-only afterwards (every CPU of a server is the same model).
 */
struct vmx_caps {
	uint64_t basic;
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry; /* the control values used */
	uint64_t ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool invept_single, invvpid_single, invvpid_all;
	bool virtual_nmis;
	bool preempt_timer;    /* the backstop below can be armed */
	uint8_t preempt_shift; /* the timer counts TSC >> this (A.6) */
};
extern struct vmx_caps vmx_caps;

/* The backend's per-vCPU state (vcpu->backend), owned by the vCPU thread. */
struct vmx_vcpu {
	uint64_t vmcs_pa;      /* one 4 KiB frame */
	uint64_t io_bitmap_pa; /* A and B: two frames, not contiguous */
	uint64_t io_bitmap_b_pa;
	uint64_t msr_bitmap_pa;
	int cpu;       /* where the VMCS is active; -1: clear */
	bool launched; /* VMRESUME, not VMLAUNCH, next */
	uint16_t vpid;
	uint64_t eptp;
	struct s2_table *s2;	     /* the VM's stage-2 table (ept/gmem.h) */
	uint64_t s2_gen;	     /* its flush generation last INVEPTed */
	uint32_t pin, proc;	     /* current pin-based, primary controls */
	uint64_t cr0_mask, cr4_mask; /* host-owned bits (the masks) */
	uint64_t cr2;		     /* CR2 is not in the VMCS: kept here */
	uint64_t host_cr3, host_cr4; /* what the VMCS holds, to skip writes */
	/*
	 * The guest's STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE (in
	 * vmx_msr_switched order) while they are not in a CPU: valid
	 * unless this vCPU owns the MSRs of vv->cpu (vmx_msr_load).
	 */
	uint64_t msr[5];
};

/*
 * The VMX instructions (3C 31.3). Each sets CF (VMfailInvalid) or ZF
 * (VMfailValid, reason in VMCS_INSN_ERROR) on failure: "setna" catches
 * both.
 */
static inline bool vmx_vmxon(uint64_t pa)
{
	bool fail;

	asm volatile("vmxon %1; setna %0"
		     : "=qm"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmx_vmclear(uint64_t pa)
{
	bool fail;

	asm volatile("vmclear %1; setna %0"
		     : "=qm"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmx_vmptrld(uint64_t pa)
{
	bool fail;

	asm volatile("vmptrld %1; setna %0"
		     : "=qm"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline uint64_t vmx_vmread(enum vmcs_field f)
{
	uint64_t v = 0;

	asm volatile("vmread %1, %0" : "+r"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

void vmx_vmwrite_failed(enum vmcs_field f, uint64_t val);

static inline void vmx_vmwrite(enum vmcs_field f, uint64_t val)
{
	asm goto("vmwrite %1, %0; jna %l[fail]" ::"r"((uint64_t)f), "rm"(val)
		 : "cc"
		 : fail);
	return;
fail:
	vmx_vmwrite_failed(f, val);
}

/* INVEPT / INVVPID types (31.3, table 31-2 and 31-3 context). */
#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

static inline bool vmx_invept(unsigned long type, uint64_t eptp)
{
	struct {
		uint64_t eptp, zero;
	} desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %1, %2; setna %0"
		     : "=qm"(fail)
		     : "m"(desc), "r"(type)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmx_invvpid(unsigned long type, uint16_t vpid)
{
	struct {
		uint64_t vpid, addr;
	} desc = { vpid, 0 };
	bool fail;

	asm volatile("invvpid %1, %2; setna %0"
		     : "=qm"(fail)
		     : "m"(desc), "r"(type)
		     : "cc", "memory");
	return !fail;
}

/* vmx_entry.S: 0 after a VM exit, 1 VMfailInvalid, 2 VMfailValid. */
int vmx_enter(struct vcpu_gprs *gprs, bool launched);
void vmx_exit_stub(void);

/* vmx_probe.c */
extern const struct hv_vendor_ops vmx_ops;
int vmx_probe(void);
int vmx_cpu_enable(void);
bool vmx_cpu_is_on(void);
const char *vmx_insn_error_name(uint32_t err);

/* vmx_vmcs.c */
int vmx_vcpu_init(struct vcpu *v);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vmcs_load(struct vcpu *v);
void vmx_host_refresh(struct vmx_vcpu *vv);
void vmx_msr_load(struct vmx_vcpu *vv);

/* vmx_regs.c */
uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r);
void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val);
uint64_t vmx_cr0_guest(struct vmx_vcpu *vv, uint64_t cr0);
uint64_t vmx_cr4_guest(struct vmx_vcpu *vv, uint64_t cr4);
void vmx_set_cr0(struct vcpu *v, uint64_t cr0);
void vmx_set_cr4(struct vcpu *v, uint64_t cr4);
void vmx_sync_efer(struct vcpu *v);

/* vmx_exit.c */
int vmx_vcpu_run(struct vcpu *v, struct vm_exit *exit);
int vmx_inject(struct vcpu *v, const struct vm_event *ev);
void vmx_want_intr_window(struct vcpu *v, bool on);
void vmx_s2_flush(struct vcpu *v);

#endif
