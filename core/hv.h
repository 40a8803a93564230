/* SPDX-License-Identifier: MIT */
/*
 * The hardware-virtualization backend interface (ARCHITECTURE.md section 2).
 * vmx/ and svm/ each fill a struct hv_vendor_ops; core/hv.c picks the one
 * whose probe succeeds at boot. A backend decodes its native exit into a
 * normalized struct vm_exit; core/ then dispatches it through one table,
 * so CPUID, MSR, I/O and MMIO policy is written once for both vendors.
 */
#ifndef KEEL_CORE_HV_H
#define KEEL_CORE_HV_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

enum vm_exit_code {
	VM_EXIT_NONE,	      /* nothing for core: re-enter */
	VM_EXIT_EXTINT,	      /* a host interrupt arrived: handled, re-enter */
	VM_EXIT_IO,	      /* IN/OUT/INS/OUTS */
	VM_EXIT_S2_FAULT,     /* EPT violation / NPT fault */
	VM_EXIT_CPUID,
	VM_EXIT_MSR_READ,
	VM_EXIT_MSR_WRITE,
	VM_EXIT_HLT,
	VM_EXIT_EXCEPTION,    /* an intercepted guest exception */
	VM_EXIT_INTR_WINDOW,  /* the guest can take an interrupt now */
	VM_EXIT_SHUTDOWN,     /* triple fault */
	VM_EXIT_INIT,	      /* INIT signal (an AP waiting for SIPI) */
	VM_EXIT_XSETBV,
	VM_EXIT_ENTRY_FAILED, /* the CPU refused the guest state */
	VM_EXIT_UNHANDLED,    /* a native reason no core handler covers */
	VM_EXIT_COUNT
};

struct vm_exit {
	enum vm_exit_code code;
	uint32_t native;  /* the vendor's reason, for logs and vm.stats */
	uint8_t insn_len; /* 0: unknown (SVM without NRIP-save) */
	uint64_t rip;	  /* the guest's RIP at the exit (the vCPU trace) */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 */
			bool in, string, rep;
		} io;
		struct {
			uint64_t gpa;
			uint64_t gla;
			bool gla_valid;
			bool read, write, exec;
			bool present; /* a permission fault, not a missing page */
		} s2;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
			uint64_t cr2;
		} exc;
		struct {
			uint32_t index; /* ECX */
		} msr;
	} u;
};

/*
 * Registers core reads and writes through the backend (VMCS or VMCB).
 * Segment attributes use the VMCB's packed 12-bit format on both backends
 * (type, S, DPL, P, AVL, L, D/B, G).
 */
enum vcpu_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI,
	VCPU_RDI, VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13,
	VCPU_R14, VCPU_R15,
	VCPU_RIP, VCPU_RFLAGS, VCPU_CR0, VCPU_CR2, VCPU_CR3, VCPU_CR4,
	VCPU_EFER, VCPU_CS_BASE, VCPU_CS_ATTR, VCPU_SS_ATTR,
	VCPU_INTR_SHADOW, /* 1 after STI/MOV SS: no interrupt for one insn */
	VCPU_CS_SEL,	  /* with VCPU_CS_BASE: where a SIPI starts an AP */
	VCPU_ES_BASE, VCPU_DS_BASE, VCPU_FS_BASE, VCPU_GS_BASE,
	VCPU_TSC_OFFSET, /* guest TSC = host TSC + offset */
	VCPU_REG_COUNT
};

/* An event to inject at the next entry (SDM 3C 27.6, APM 15.20). */
struct vm_event {
	enum { VM_EVENT_EXTINT, VM_EVENT_NMI, VM_EVENT_EXCEPTION } type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

struct hv_vendor_ops {
	const char *name;     /* "VT-x" / "AMD-V" */
	const char *s2_name;  /* "EPT" / "NPT" */
	/* 0 when this CPU can run the backend; logs why not otherwise. */
	int (*probe)(void);
	/* On every CPU: VMXON / EFER.SVME and the host save area. */
	int (*cpu_enable)(void);
	/* The stage-2 format this backend's tables use (ept/s2.h). */
	const struct s2_format *(*s2_format)(void);
	int (*vcpu_init)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Enter the guest until the next exit; fills @exit. */
	int (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);
	uint64_t (*get_reg)(struct vcpu *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu *v, enum vcpu_reg r, uint64_t val);
	/* Queue @ev for the next entry; -EBUSY if one is pending. */
	int (*inject)(struct vcpu *v, const struct vm_event *ev);
	/* Exit as soon as the guest can take an external interrupt. */
	void (*want_intr_window)(struct vcpu *v, bool on);
	/* Invalidate this VM's stage-2 translations on this CPU. */
	void (*s2_flush)(struct vcpu *v);
};

/* The backend chosen at boot, or NULL when the CPU has neither. */
extern const struct hv_vendor_ops *hv;
/* Backends offer themselves from an initcall (INIT_CPU). */
void hv_register(const struct hv_vendor_ops *ops);
/* "io", "cpuid", ... (vm.stats keys, logs); NULL for codes without one. */
const char *hv_exit_name(unsigned int code);

#endif
