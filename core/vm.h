/* SPDX-License-Identifier: MIT */
/*
 * VM and vCPU objects and the lifecycle API (ARCHITECTURE.md section 3:
 * one API serves the console and the RPC endpoint). Each vCPU is a kernel
 * thread running core/vm_run.c's loop: enter the guest through the
 * backend, dispatch the normalized exit, repeat.
 */
#ifndef KEEL_CORE_VM_H
#define KEEL_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hv.h"
#include "core/iobus.h"
#include "core/spinlock.h"
#include "core/thread.h"

#define VM_MAX_VCPUS 64
#define VM_NAME_MAX 32

enum vm_state { VM_CREATED, VM_RUNNING, VM_STOPPED };

/* Why a VM stopped, for the VM manager: a guest reset restarts it. */
enum vm_stop_kind {
	VM_STOP_HOST,	  /* vm_stop from the host (vm.stop, destroy) */
	VM_STOP_FAULT,	  /* the guest did something that stops it */
	VM_STOP_POWEROFF, /* the guest powered off (ACPI S5) */
	VM_STOP_RESET,	  /* the guest asked for a reset (ACPI, 8042, 0xcf9) */
};

struct vcpu;

/*
 * The VM's interrupt controller as core/vm_run.c sees it. vdev/ installs
 * one per VM (vdev/vlapic.c) before the VM starts; without one (the test
 * guests) vcpu_raise_irq's irq_pending bitmap is the whole story. core/
 * cannot name vdev/ (ARCHITECTURE.md section 1), hence the table. Every
 * hook runs on @v's own thread unless it says otherwise.
 */
#define VM_IRQCHIP_NMI 0x100

struct vm_irqchip {
	/* Timers due by now fire; the highest vector the guest should take
	 * at the next entry (IRR above PPR, or the PIC's ExtINT), or -1, or
	 * VM_IRQCHIP_NMI for an NMI (injected before any vector). */
	int (*pending)(struct vcpu *v);
	/* The backend injected @vector (IRR -> ISR, or the PIC's INTA). */
	void (*ack)(struct vcpu *v, int vector);
	/* time_ns() of @v's next timer event, 0 if none: the run loop gets
	 * the vCPU out of the guest (or out of HLT) by then. */
	uint64_t (*next_deadline)(struct vcpu *v);
	/* MSRs it owns (IA32_APIC_BASE, x2APIC 0x800-0x8ff,
	 * IA32_TSC_DEADLINE): 0 done, -ENOENT not ours, -EINVAL #GP. */
	int (*msr_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
	int (*msr_write)(struct vcpu *v, uint32_t msr, uint64_t val);
	/* INIT (core's vcpu_init_signal): the local APIC's own reset. */
	void (*init)(struct vcpu *v);
};

/* General registers the backends' entry stubs save and restore. */
struct vcpu_gprs {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* One entry of a vCPU's recent history (vm_run_fail logs it). */
#define VCPU_TRACE_LEN 16
#define VCPU_TRACE_INJECT 0xff /* code of an event Keel injected */
struct vcpu_trace {
	uint64_t rip;
	uint64_t info; /* port, GPA, MSR, vector or injected event */
	uint32_t native;
	uint8_t code; /* enum vm_exit_code or VCPU_TRACE_INJECT */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	struct thread *thread;
	struct vcpu_gprs gprs; /* only while not in the guest; owned by thread */
	void *backend;	       /* VMCS / VMCB state, owned by vmx/ or svm/ */
	volatile bool stop;    /* ask the loop to leave at the next exit */
	bool halted;
	/* External interrupts waiting for the guest (vcpu_raise_irq). */
	uint64_t irq_pending[4];
	struct waitq wake_wq; /* a vCPU in HLT waits here */
	volatile bool kicked; /* vcpu_kick: look at the irqchip again */
	uint64_t msr_pat; /* guest IA32_PAT (core/cpuid_policy.c) */
	uint64_t msr_mtrr_def; /* guest IA32_MTRR_DEF_TYPE (no ranges) */
	void *vlapic;	  /* vdev/vlapic.c's state; freed with the VM */
	uint64_t xcr0;	  /* the guest's XCR0, switched around each entry */
	/* APs wait for a startup IPI, as after INIT (SDM 3A 9.4.1). */
	volatile bool wait_sipi;
	volatile int sipi_vector; /* -1: none received */
	uint64_t exits[VM_EXIT_COUNT]; /* vm.stats */
	uint64_t exits_total;
	uint64_t cpu_ns; /* its thread's run time when it left (vm.stats) */
	/* The last exits and injections, a ring from trace_next: what led up
	 * to a fault that stops the VM. Owned by the vCPU's thread. */
	struct vcpu_trace trace[VCPU_TRACE_LEN];
	unsigned int trace_next;
};

struct vm {
	unsigned int id;
	char name[VM_NAME_MAX];
	struct spinlock lock; /* state, pio table */
	enum vm_state state;
	struct gmem *mem;     /* guest RAM and stage-2 tables (ept/gmem.h) */
	unsigned int nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct iobus bus; /* port and MMIO ranges of the device models */
	char stop_reason[96]; /* why it stopped, for logs and vm.info */
	struct waitq stopped_wq;
	unsigned int vcpus_running;
	/* Guest TSC = host TSC + this: every VM's TSC starts near zero. */
	uint64_t tsc_offset;
	/* Where vCPU 0 starts (real mode), for the backends' vcpu_init. */
	uint16_t entry_cs, entry_ip;
	/* Test guests: the last value written to the report port. */
	uint32_t report;
	bool reported;
	/* The last vCPU thread no longer touches the VM: vm_destroy may free
	 * it (set after the stopped_wq wake-up). */
	volatile bool exit_done;
	enum vm_stop_kind stop_kind; /* with stop_reason, first one wins */
	/* The virtual platform (vdev/vplat.h), NULL for bare test guests:
	 * owned by vdev/, freed through platform_free by vm_destroy. */
	const struct vm_irqchip *irqchip;
	void *platform;
	void (*platform_free)(struct vm *vm);
};

struct vm_config {
	const char *name;
	unsigned int vcpus;
	uint64_t ram_bytes;
	/* Initial state of vCPU 0: real mode at @entry_cs:@entry_ip. */
	uint16_t entry_cs, entry_ip;
	/* 0: RAM is [0, ram_bytes). Else RAM below 4 GiB ends at @ram_hole
	 * (the PCI hole of vdev/vplat.h) and the rest starts at 4 GiB. */
	uint64_t ram_hole;
};

struct vm *vm_create(const struct vm_config *cfg);
/* Copy @len bytes to guest-physical @gpa (kernel images, test guests). */
int vm_load(struct vm *vm, uint64_t gpa, const void *data, size_t len);
int vm_start(struct vm *vm);
/* Hard stop: every vCPU leaves at its next exit. */
void vm_stop(struct vm *vm, const char *why);
/* The same, saying why for the VM manager (guest power-off, reset). */
void vm_stop_as(struct vm *vm, enum vm_stop_kind kind, const char *why);
/* Wait until the VM has stopped (every vCPU thread left its loop). */
void vm_wait_stopped(struct vm *vm);
void vm_destroy(struct vm *vm);
/* CPU time the VM's vCPU threads have run, so far or in total. */
uint64_t vm_cpu_time_ns(struct vm *vm);
/* How many VMs are running now (started, not yet stopped). */
unsigned int vm_count_running(void);
/*
 * Make external interrupt @vector pending on @v (device models, the
 * vLAPIC later): a halted vCPU wakes, a running one leaves the guest and
 * takes it as soon as the guest can.
 */
void vcpu_raise_irq(struct vcpu *v, uint8_t vector);
/* The irqchip has something new for @v (any thread): a halted vCPU
 * wakes, a running one leaves the guest and asks irqchip->pending. */
void vcpu_kick(struct vcpu *v);
/* INIT and startup IPIs from the virtual local APIC (vdev/vlapic.c). */
void vcpu_init_signal(struct vcpu *v);
void vcpu_sipi(struct vcpu *v, uint8_t vector);
/* core/vm_run.c: a vCPU thread leaving its loop reports here. */
void vm_vcpu_exited(struct vcpu *v);

#endif
