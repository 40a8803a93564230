// SPDX-License-Identifier: MIT
/*
 * VM lifecycle: create (memory and vCPUs through the backend), load,
 * start (one thread per vCPU), stop, wait, destroy. State rules live here
 * and nowhere else (ARCHITECTURE.md section 3).
 */
#include "core/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/time.h"
#include "ept/gmem.h"

static uint32_t vm_next_id = 1;

struct vm *vm_create(const struct vm_config *cfg)
{
	struct vm *vm;

	if (!hv) {
		log_err("vm: no hardware virtualization on this host");
		return NULL;
	}
	if (!cfg->vcpus || cfg->vcpus > VM_MAX_VCPUS || !cfg->ram_bytes ||
	    cfg->ram_bytes & 0xfff || cfg->ram_bytes > (512ull << 30)) {
		log_err("vm: %s: invalid configuration (%u vCPUs, %llu bytes)",
			cfg->name, cfg->vcpus,
			(unsigned long long)cfg->ram_bytes);
		return NULL;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->id = __atomic_fetch_add(&vm_next_id, 1, __ATOMIC_RELAXED);
	strncpy(vm->name, cfg->name, sizeof(vm->name) - 1);
	vm->lock = (struct spinlock)SPINLOCK_INIT;
	vm->stopped_wq = (struct waitq)WAITQ_INIT;
	vm->entry_cs = cfg->entry_cs;
	vm->entry_ip = cfg->entry_ip;
	vm->tsc_offset = -cpu_rdtsc();
	uint64_t low = cfg->ram_bytes;
	if (cfg->ram_hole && low > cfg->ram_hole)
		low = cfg->ram_hole;
	vm->mem = gmem_create(hv->s2_format(), low, true);
	if (!vm->mem)
		goto fail;
	if (low < cfg->ram_bytes &&
	    gmem_add_ram(vm->mem, 1ull << 32, cfg->ram_bytes - low) < 0)
		goto fail;
	for (unsigned int i = 0; i < cfg->vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		v->vm = vm;
		v->id = i;
		v->wake_wq = (struct waitq)WAITQ_INIT;
		v->wait_sipi = i > 0; /* APs start waiting for a SIPI */
		v->sipi_vector = -1;
		if (hv->vcpu_init(v) < 0) {
			log_err("vm: %s: vCPU %u: backend refused", vm->name, i);
			goto fail;
		}
		hv->set_reg(v, VCPU_TSC_OFFSET, vm->tsc_offset);
		v->xcr0 = 1; /* x87 only, as after reset */
		vm->nvcpus++;
	}
	vm->state = VM_CREATED;
	log_info("vm %u: \"%s\" created: %u vCPUs, %llu MiB, %s/%s", vm->id,
		 vm->name, vm->nvcpus, (unsigned long long)(cfg->ram_bytes >> 20),
		 hv->name, hv->s2_name);
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

int vm_load(struct vm *vm, uint64_t gpa, const void *data, size_t len)
{
	return gmem_write(vm->mem, gpa, data, len);
}

extern void vm_vcpu_thread(void *arg); /* core/vm_run.c */

/* VMs between vm_start and their last vCPU leaving (the console shows it). */
static unsigned int vm_nrunning;

/*
 * The last vCPU left (or never started). exit_done is the very last
 * store to @vm: a waiter that saw vcpus_running reach 0 may already be
 * in vm_destroy, which waits for it before freeing the wait queue this
 * wakes.
 */
static void vm_all_exited(struct vm *vm)
{
	vm->state = VM_STOPPED;
	__atomic_sub_fetch(&vm_nrunning, 1, __ATOMIC_RELAXED);
	log_info("vm %u: \"%s\" stopped: %s", vm->id, vm->name,
		 vm->stop_reason[0] ? vm->stop_reason : "all vCPUs left");
	waitq_wake_all(&vm->stopped_wq);
	__atomic_store_n(&vm->exit_done, true, __ATOMIC_RELEASE);
}

unsigned int vm_count_running(void)
{
	return __atomic_load_n(&vm_nrunning, __ATOMIC_RELAXED);
}

int vm_start(struct vm *vm)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);

	if (vm->state != VM_CREATED) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return -EBUSY;
	}
	vm->state = VM_RUNNING;
	vm->vcpus_running = vm->nvcpus;
	spin_unlock_irqrestore(&vm->lock, flags);
	__atomic_add_fetch(&vm_nrunning, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		/*
		 * Pinned for now: a VMCS is current on one CPU, and moving it
		 * needs VMCLEAR there first (migration comes with vm.*).
		 */
		struct thread_attr a = { THREAD_NORMAL, 0,
					 (int)(i % percpu_online) };
		char name[24];
		fmt_snprintf(name, sizeof(name), "vm%u-vcpu%u", vm->id, i);
		/* The thread publishes itself in ->thread (core/vm_run.c). */
		if (!thread_create(name, vm_vcpu_thread, &vm->vcpus[i], &a)) {
			vm_stop(vm, "no memory for a vCPU thread");
			if (__atomic_sub_fetch(&vm->vcpus_running, 1,
					       __ATOMIC_ACQ_REL) == 0)
				vm_all_exited(vm);
		}
	}
	return 0;
}

void vm_stop(struct vm *vm, const char *why)
{
	vm_stop_as(vm, VM_STOP_HOST, why);
}

void vm_stop_as(struct vm *vm, enum vm_stop_kind kind, const char *why)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);

	if (!vm->stop_reason[0]) {
		strncpy(vm->stop_reason, why, sizeof(vm->stop_reason) - 1);
		vm->stop_kind = kind;
	}
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		vm->vcpus[i].stop = true;
		/* ->thread is cleared under this lock before the thread ends. */
		if (vm->vcpus[i].thread)
			thread_kick(vm->vcpus[i].thread);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	/* Halted vCPUs sleep: wake them so they see the stop. */
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		waitq_wake_all(&vm->vcpus[i].wake_wq);
}

static bool vm_all_stopped(void *arg)
{
	struct vm *vm = arg;

	return __atomic_load_n(&vm->vcpus_running, __ATOMIC_ACQUIRE) == 0;
}

void vm_wait_stopped(struct vm *vm)
{
	waitq_wait(&vm->stopped_wq, vm_all_stopped, vm);
}

/* Called by each vCPU thread as it leaves its loop. */
void vm_vcpu_exited(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t flags = spin_lock_irqsave(&vm->lock);

	/* Its run time up to now (the last slice is not yet added). */
	struct thread *t = thread_current();
	v->cpu_ns = t->runtime_ns + (time_ns() - t->run_start);
	v->thread = NULL; /* it is about to end: nobody may kick it now */
	spin_unlock_irqrestore(&vm->lock, flags);

	if (__atomic_sub_fetch(&vm->vcpus_running, 1, __ATOMIC_ACQ_REL) == 0)
		vm_all_exited(vm);
}

uint64_t vm_cpu_time_ns(struct vm *vm)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	uint64_t sum = 0;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		/* ->thread is cleared under this lock before it ends. */
		sum += v->thread ? v->thread->runtime_ns : v->cpu_ns;
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	return sum;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->state == VM_RUNNING) {
		vm_stop(vm, "destroyed");
		vm_wait_stopped(vm);
	}
	if (vm->state != VM_CREATED) /* started: see vm_all_exited */
		while (!__atomic_load_n(&vm->exit_done, __ATOMIC_ACQUIRE))
			thread_yield();
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		hv->vcpu_destroy(&vm->vcpus[i]);
		free(vm->vcpus[i].vlapic);
	}
	if (vm->platform_free)
		vm->platform_free(vm);
	if (vm->mem)
		gmem_destroy(vm->mem);
	free(vm);
}
