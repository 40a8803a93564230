// SPDX-License-Identifier: MIT
/*
 * keel.selftest for the VT-x backend on its own, below core/'s run loop:
 * a 64 KiB VM built by hand (ept/gmem.h for its memory), one vCPU driven
 * through vmx_ops directly, and the guest in vmx_selftest_guest.S. The
 * test checks that its exits arrive in order with the decoded fields
 * right (I/O, CPUID, a stage-2 fault outside RAM, the interrupt window
 * and an injected interrupt whose delivery faults on a stack page not
 * yet backed, the CR0.NE emulation, HLT, and a refused guest state), and
 * it times CPUID round trips from inside the guest:
 *
 *   bench: vmx cpuid round trip N ticks
 *
 * Under Bochs the TSC counts about one tick per instruction, so N is the
 * instructions of one round trip: guest loop, exit, this backend's decode,
 * a minimal CPUID handler here, entry. core/'s dispatch is not included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/hv.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/selftest.h"
#include "core/thread.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "ept/s2.h"
#include "vmx/vmx.h"

#define ST_LOAD 0x8000
#define ST_RAM 0x10000
#define ST_VECTOR 0x20
#define ST_MAX_RUNS 100000

extern const uint8_t vmx_st_guest[], vmx_st_guest_end[], vmx_st_out1[],
    vmx_st_cpuid[], vmx_st_fault[], vmx_st_fault_end[], vmx_st_window[],
    vmx_st_isr[], vmx_st_out2[], vmx_st_out3[], vmx_st_cr0[], vmx_st_out4[],
    vmx_st_out5[], vmx_st_out6[], vmx_st_hlt[];
extern const uint32_t vmx_st_bench_rounds;

/* The guest-physical address of a label in the guest's code. */
#define GPA(label) (ST_LOAD + (uint64_t)(label - vmx_st_guest))

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			log_err("vmx: self-test: " __VA_ARGS__);               \
			return -EIO;                                           \
		}                                                              \
	} while (0)

struct vmx_st {
	struct vm *vm;
	struct vcpu *v;
	unsigned int runs;
	unsigned int ram_faults, extints, nones;
	volatile bool ticker_stop, ticker_done;
	volatile unsigned int ticks;
};

/*
 * Beside the vCPU on its CPU: wakes every millisecond, so host timer
 * interrupts hit the guest, exit, reach the host IDT, and switch threads
 * under the vCPU (its VMCS must still be current when it comes back).
 */
static void vmx_st_ticker(void *arg)
{
	struct vmx_st *st = arg;

	while (!st->ticker_stop) {
		thread_sleep_ns(1000000);
		st->ticks++;
	}
	st->ticker_done = true;
}

/*
 * Run until an exit the test cares about: host interrupts, exits the
 * backend handled itself, and first touches of RAM (backed here, as
 * core/ would) are passed over.
 */
static int vmx_st_next(struct vmx_st *st, struct vm_exit *e)
{
	for (;;) {
		int rc;

		if (++st->runs > ST_MAX_RUNS) {
			log_err("vmx: self-test: the guest never got there");
			return -ETIME;
		}
		rc = vmx_ops.vcpu_run(st->v, e);
		if (rc)
			return rc;
		if (e->code == VM_EXIT_EXTINT) {
			st->extints++;
			continue;
		}
		if (e->code == VM_EXIT_NONE) {
			st->nones++;
			continue;
		}
		if (e->code == VM_EXIT_S2_FAULT &&
		    gmem_is_ram(st->vm->mem, e->u.s2.gpa, 1)) {
			st->ram_faults++;
			rc =
			    gmem_fault(st->vm->mem, e->u.s2.gpa, e->u.s2.write);
			if (rc)
				return rc;
			continue;
		}
		return 0;
	}
}

static uint64_t vmx_st_rip(struct vmx_st *st)
{
	return vmx_ops.get_reg(st->v, VCPU_RIP);
}

static void vmx_st_skip(struct vmx_st *st, const struct vm_exit *e)
{
	vmx_ops.set_reg(st->v, VCPU_RIP, vmx_st_rip(st) + e->insn_len);
}

/* An OUT of one byte to port 0xe9 at @label writing @val. */
static int vmx_st_expect_out(struct vmx_st *st, const uint8_t *label,
			     uint8_t val)
{
	struct vm_exit e;
	int rc = vmx_st_next(st, &e);

	if (rc)
		return rc;
	CHECK(e.code == VM_EXIT_IO,
	      "exit %d (native %#x) where OUT %#x was due", e.code, e.native,
	      val);
	CHECK(e.u.io.port == 0xe9 && e.u.io.size == 1 && !e.u.io.in &&
		  !e.u.io.string && !e.u.io.rep && e.insn_len == 2,
	      "I/O exit decoded as port %#x size %u in %d string %d rep %d "
	      "length %u",
	      e.u.io.port, e.u.io.size, e.u.io.in, e.u.io.string, e.u.io.rep,
	      e.insn_len);
	CHECK(vmx_st_rip(st) == GPA(label), "OUT at %#llx, expected %#llx",
	      (unsigned long long)vmx_st_rip(st),
	      (unsigned long long)GPA(label));
	CHECK((uint8_t)st->v->gprs.rax == val, "OUT wrote %#x, expected %#x",
	      (uint8_t)st->v->gprs.rax, val);
	vmx_st_skip(st, &e);
	return 0;
}

/* The minimal CPUID handler: the host's answer, next instruction. */
static void vmx_st_cpuid_handler(struct vmx_st *st, const struct vm_exit *e)
{
	struct vcpu_gprs *g = &st->v->gprs;
	struct cpuid_regs r = cpu_cpuid((uint32_t)g->rax, (uint32_t)g->rcx);

	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_st_skip(st, e);
}

/*
 * The guest spins twice without exits of its own, first with IF=1, then
 * with IF=0, while a thread on this CPU wakes every millisecond: each
 * timer interrupt must bring the CPU back to the host (an external-
 * interrupt exit, or on Bochs 2.7 with IF=0 the preemption-timer
 * backstop), so that thread keeps running. Between the spins the guest
 * sets CR0.NE, which vmx/ emulates.
 */
static int vmx_st_spins(struct vmx_st *st)
{
	struct thread_attr ta = { THREAD_HIGH, 0, (int)this_cpu()->id };
	unsigned int extints = st->extints, ticks;
	int rc;

	if (!thread_create("vmx-st-ticker", vmx_st_ticker, st, &ta))
		return -ENOMEM;
	thread_yield(); /* it runs first and arms its timer */
	ticks = st->ticks;
	rc = vmx_st_expect_out(st, vmx_st_out5, 0x49);
	if (rc)
		return rc;
	CHECK(st->extints > extints && st->ticks > ticks + 2,
	      "IF=1 spin: %u host-interrupt exits, the host thread ran %u "
	      "times",
	      st->extints - extints, st->ticks - ticks);
	log_info("vmx: self-test: guest spin with IF=1: %u interrupt exits, "
		 "host thread woke %u times",
		 st->extints - extints, st->ticks - ticks);

	/* MOV to CR0 setting NE exits inside vmx/ and is emulated. */
	rc = vmx_st_expect_out(st, vmx_st_out4, 0x30);
	if (rc)
		return rc;
	CHECK(vmx_ops.get_reg(st->v, VCPU_CR0) == 0x30,
	      "CR0 after the guest set NE: %#llx",
	      (unsigned long long)vmx_ops.get_reg(st->v, VCPU_CR0));

	extints = st->extints;
	unsigned int nones = st->nones;
	ticks = st->ticks;
	rc = vmx_st_expect_out(st, vmx_st_out6, 0x55);
	if (rc)
		return rc;
	CHECK(st->ticks > ticks + 2,
	      "IF=0 spin: the host thread ran %u times (%u interrupt exits, "
	      "%u backstop exits)",
	      st->ticks - ticks, st->extints - extints, st->nones - nones);
	log_info("vmx: self-test: guest spin with IF=0: %u interrupt exits, "
		 "%u backstop exits, host thread woke %u times",
		 st->extints - extints, st->nones - nones, st->ticks - ticks);
	return 0;
}

static int vmx_st_sequence(struct vmx_st *st)
{
	struct vcpu *v = st->v;
	struct vm_exit e;
	int rc;

	CHECK(vmx_ops.get_reg(v, VCPU_CR0) == 0x10 &&
		  vmx_ops.get_reg(v, VCPU_CS_ATTR) == 0x9b &&
		  vmx_ops.get_reg(v, VCPU_EFER) == 0 &&
		  vmx_st_rip(st) == ST_LOAD,
	      "initial state cr0 %#llx cs attr %#llx efer %#llx rip %#llx",
	      (unsigned long long)vmx_ops.get_reg(v, VCPU_CR0),
	      (unsigned long long)vmx_ops.get_reg(v, VCPU_CS_ATTR),
	      (unsigned long long)vmx_ops.get_reg(v, VCPU_EFER),
	      (unsigned long long)vmx_st_rip(st));

	rc = vmx_st_expect_out(st, vmx_st_out1, 0x4b);
	if (rc)
		return rc;

	if ((rc = vmx_st_next(st, &e)))
		return rc;
	CHECK(e.code == VM_EXIT_CPUID && e.insn_len == 2 &&
		  vmx_st_rip(st) == GPA(vmx_st_cpuid) &&
		  (uint32_t)v->gprs.rax == 0,
	      "expected CPUID leaf 0: exit %d length %u rip %#llx eax %#x",
	      e.code, e.insn_len, (unsigned long long)vmx_st_rip(st),
	      (uint32_t)v->gprs.rax);
	vmx_st_cpuid_handler(st, &e);
	/* The guest has IF clear: the window opens only after its STI. */
	vmx_ops.want_intr_window(v, true);

	if ((rc = vmx_st_next(st, &e)))
		return rc;
	CHECK(e.code == VM_EXIT_S2_FAULT && e.u.s2.gpa == 0x20000 &&
		  e.u.s2.write && !e.u.s2.read && !e.u.s2.exec &&
		  !e.u.s2.present && e.u.s2.gla_valid &&
		  e.u.s2.gla == 0x20000 && vmx_st_rip(st) == GPA(vmx_st_fault),
	      "expected a stage-2 write fault at 0x20000: exit %d gpa %#llx "
	      "r%d w%d x%d present %d gla %#llx (valid %d)",
	      e.code, (unsigned long long)e.u.s2.gpa, e.u.s2.read, e.u.s2.write,
	      e.u.s2.exec, e.u.s2.present, (unsigned long long)e.u.s2.gla,
	      e.u.s2.gla_valid);
	vmx_ops.set_reg(v, VCPU_RIP, GPA(vmx_st_fault_end));

	if ((rc = vmx_st_next(st, &e)))
		return rc;
	CHECK(e.code == VM_EXIT_INTR_WINDOW &&
		  vmx_st_rip(st) == GPA(vmx_st_window) &&
		  !vmx_ops.get_reg(v, VCPU_INTR_SHADOW),
	      "expected the interrupt window at %#llx: exit %d (native %#x) "
	      "at %#llx",
	      (unsigned long long)GPA(vmx_st_window), e.code, e.native,
	      (unsigned long long)vmx_st_rip(st));
	vmx_ops.want_intr_window(v, false);
	struct vm_event ev = { VM_EVENT_EXTINT, ST_VECTOR, false, 0 };
	CHECK(vmx_ops.inject(v, &ev) == 0, "injection refused");
	CHECK(vmx_ops.inject(v, &ev) == -EBUSY, "second injection accepted");

	/* Delivery pushes on a page not yet backed: re-injected after it. */
	unsigned int faults = st->ram_faults;
	rc = vmx_st_expect_out(st, vmx_st_out2, 0x21);
	if (rc)
		return rc;
	CHECK(st->ram_faults > faults,
	      "interrupt delivery did not fault on the stack page");
	rc = vmx_st_expect_out(st, vmx_st_out3, 0x4f);
	if (rc)
		return rc;

	rc = vmx_st_spins(st);
	st->ticker_stop = true;
	while (!st->ticker_done)
		thread_yield();
	if (rc)
		return rc;

	/* The timed loop: every CPUID exit handled here. */
	unsigned int rounds = 0;
	for (;;) {
		if ((rc = vmx_st_next(st, &e)))
			return rc;
		if (e.code != VM_EXIT_CPUID)
			break;
		rounds++;
		vmx_st_cpuid_handler(st, &e);
	}
	CHECK(e.code == VM_EXIT_HLT && e.insn_len == 1 &&
		  vmx_st_rip(st) == GPA(vmx_st_hlt) &&
		  rounds == vmx_st_bench_rounds,
	      "expected HLT after %u CPUIDs: exit %d (native %#x) length %u "
	      "rip %#llx after %u",
	      vmx_st_bench_rounds, e.code, e.native, e.insn_len,
	      (unsigned long long)vmx_st_rip(st), rounds);
	uint64_t ticks = (v->gprs.rdx << 32) | (uint32_t)v->gprs.rax;
	log_info("bench: vmx cpuid round trip %llu ticks",
		 (unsigned long long)(ticks / rounds));

	/* A guest state VM entry refuses (CS not present) is reported. */
	vmx_ops.set_reg(v, VCPU_CS_ATTR, 0x1b);
	rc = vmx_ops.vcpu_run(v, &e);
	CHECK(
	    rc == 0 && e.code == VM_EXIT_ENTRY_FAILED &&
		e.native == (VMX_EXIT_ENTRY_FAILURE | VMX_EXIT_BAD_GUEST_STATE),
	    "a not-present CS: rc %d exit %d native %#x", rc, e.code, e.native);
	return 0;
}

static int vmx_guest_selftest(void)
{
	struct vmx_st st = { 0 };
	struct thread *self = thread_current();
	int pinned = self->pinned_cpu;
	uint8_t ivt[4];
	int rc;

	if (hv != &vmx_ops) {
		log_info("vmx: self-test skipped: the backend is %s",
			 hv ? hv->name : "none");
		return 0;
	}
	/* One CPU throughout, so the figure is not a migration's. */
	thread_set_affinity(self, (int)this_cpu()->id);
	rc = -ENOMEM;
	st.vm = calloc(1, sizeof(*st.vm));
	if (!st.vm)
		goto out;
	strcpy(st.vm->name, "vmx-selftest");
	st.vm->entry_ip = ST_LOAD;
	st.vm->nvcpus = 1;
	st.v = &st.vm->vcpus[0];
	st.v->vm = st.vm;
	st.vm->mem = gmem_create(&s2_ept, ST_RAM, false);
	if (!st.vm->mem)
		goto out;
	/* Real-mode IVT entry ST_VECTOR: offset, then segment 0. */
	ivt[0] = (uint8_t)GPA(vmx_st_isr);
	ivt[1] = (uint8_t)(GPA(vmx_st_isr) >> 8);
	ivt[2] = ivt[3] = 0;
	rc = gmem_write(st.vm->mem, ST_LOAD, vmx_st_guest,
			vmx_st_guest_end - vmx_st_guest);
	if (!rc)
		rc = gmem_write(st.vm->mem, ST_VECTOR * 4, ivt, sizeof(ivt));
	if (rc)
		goto out;
	rc = vmx_ops.vcpu_init(st.v);
	if (rc) {
		log_err("vmx: self-test: vcpu_init failed (%d)", rc);
		goto out;
	}
	rc = vmx_st_sequence(&st);
	log_info("vmx: self-test: %u entries, %u host interrupts, %u RAM "
		 "faults on cpu %u",
		 st.runs, st.extints, st.ram_faults, this_cpu()->id);
	vmx_ops.vcpu_destroy(st.v);
out:
	if (st.vm && st.vm->mem)
		gmem_destroy(st.vm->mem);
	free(st.vm);
	thread_set_affinity(self, pinned);
	return rc;
}
KEEL_SELFTEST(vmx_guest, vmx_guest_selftest);
