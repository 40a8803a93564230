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

/* General registers the backends' entry stubs save and restore. */
struct vcpu_gprs {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
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
	uint64_t msr_pat; /* guest IA32_PAT (core/cpuid_policy.c) */
	void *vlapic;	  /* vdev/vlapic.c's state; freed with the VM */
	uint64_t xcr0;	  /* the guest's XCR0, switched around each entry */
	/* APs wait for a startup IPI, as after INIT (SDM 3A 9.4.1). */
	volatile bool wait_sipi;
	volatile int sipi_vector; /* -1: none received */
	uint64_t exits[VM_EXIT_COUNT]; /* vm.stats */
	uint64_t exits_total;
	uint64_t cpu_ns; /* its thread's run time when it left (vm.stats) */
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
};

struct vm_config {
	const char *name;
	unsigned int vcpus;
	uint64_t ram_bytes;
	/* Initial state of vCPU 0: real mode at @entry_cs:@entry_ip. */
	uint16_t entry_cs, entry_ip;
};

struct vm *vm_create(const struct vm_config *cfg);
/* Copy @len bytes to guest-physical @gpa (kernel images, test guests). */
int vm_load(struct vm *vm, uint64_t gpa, const void *data, size_t len);
int vm_start(struct vm *vm);
/* Hard stop: every vCPU leaves at its next exit. */
void vm_stop(struct vm *vm, const char *why);
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
/* INIT and startup IPIs from the virtual local APIC (vdev/vlapic.c). */
void vcpu_init_signal(struct vcpu *v);
void vcpu_sipi(struct vcpu *v, uint8_t vector);
/* core/vm_run.c: a vCPU thread leaving its loop reports here. */
void vm_vcpu_exited(struct vcpu *v);

#endif
