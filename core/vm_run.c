// SPDX-License-Identifier: MIT
/*
 * The vCPU loop and the one exit-dispatch table (ARCHITECTURE.md section
 * 2): the backend enters the guest and returns a normalized exit; the
 * handler for its code decides. A handler returns 0 to re-enter, 1 to
 * leave the loop quietly (this vCPU is done), or a negative errno after
 * saying why the VM had to stop. Nothing a guest does stops the host.
 */
#include <errno.h>
#include <stdarg.h>

#include "core/cpu.h"
#include "core/cpuid_policy.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/time.h"
#include "core/vm.h"
#include "core/vm_mmio.h"
#include "core/vm_strio.h"
#include "ept/gmem.h"

/* Past the instruction that exited. An STI / MOV SS shadow covered only
 * that instruction, so it ends here too (as KVM's skip does); left set,
 * it would hold off interrupts over the next one as well. */
static void vm_run_advance(struct vcpu *v, const struct vm_exit *e)
{
	hv->set_reg(v, VCPU_RIP, hv->get_reg(v, VCPU_RIP) + e->insn_len);
	if (hv->get_reg(v, VCPU_INTR_SHADOW))
		hv->set_reg(v, VCPU_INTR_SHADOW, 0);
}

static void vm_trace(struct vcpu *v, uint64_t rip, uint8_t code,
		     uint32_t native, uint64_t info)
{
	struct vcpu_trace *t = &v->trace[v->trace_next++ % VCPU_TRACE_LEN];

	t->rip = rip;
	t->code = code;
	t->native = native;
	t->info = info;
}

/* What an exit's trace entry keeps beside its reason. */
static uint64_t vm_exit_info(const struct vm_exit *e)
{
	switch (e->code) {
	case VM_EXIT_IO:
		return e->u.io.port | (uint64_t)e->u.io.in << 16;
	case VM_EXIT_S2_FAULT:
		return e->u.s2.gpa;
	case VM_EXIT_MSR_READ:
	case VM_EXIT_MSR_WRITE:
		return e->u.msr.index;
	case VM_EXIT_EXCEPTION:
		return e->u.exc.vector;
	default:
		return 0;
	}
}

/* Every event Keel gives the guest goes through here, so the trace has
 * it: an injection is the usual suspect when a guest dies. */
static int vm_inject(struct vcpu *v, const struct vm_event *ev)
{
	int rc = hv->inject(v, ev);

	if (rc == 0)
		vm_trace(v, hv->get_reg(v, VCPU_RIP), VCPU_TRACE_INJECT,
			 ev->type,
			 ev->vector | (uint64_t)ev->has_error << 8 |
			     (uint64_t)ev->error << 32);
	return rc;
}

/* The guest's state and its last exits, oldest first: what a triple
 * fault or a failed device leaves for the person reading the log. */
static void vm_log_state(struct vcpu *v)
{
	unsigned int id = v->vm->id;

	log_err("vm %u: vCPU %u: rsp %#llx rflags %#llx cr0 %#llx cr2 %#llx "
		"cr3 %#llx cr4 %#llx efer %#llx cs %#llx",
		id, v->id, (unsigned long long)hv->get_reg(v, VCPU_RSP),
		(unsigned long long)hv->get_reg(v, VCPU_RFLAGS),
		(unsigned long long)hv->get_reg(v, VCPU_CR0),
		(unsigned long long)hv->get_reg(v, VCPU_CR2),
		(unsigned long long)hv->get_reg(v, VCPU_CR3),
		(unsigned long long)hv->get_reg(v, VCPU_CR4),
		(unsigned long long)hv->get_reg(v, VCPU_EFER),
		(unsigned long long)hv->get_reg(v, VCPU_CS_SEL));
	for (unsigned int i = 0; i < VCPU_TRACE_LEN; i++) {
		unsigned int n = v->trace_next + i;
		const struct vcpu_trace *t = &v->trace[n % VCPU_TRACE_LEN];
		if (n < VCPU_TRACE_LEN)
			continue; /* not filled yet */
		const char *what = t->code == VCPU_TRACE_INJECT
				       ? "injected"
				       : hv_exit_name(t->code);
		log_err("vm %u: vCPU %u: %d: %s (%#x) at rip %#llx, %#llx", id,
			v->id, (int)i - VCPU_TRACE_LEN, what ? what : "?",
			t->native, (unsigned long long)t->rip,
			(unsigned long long)t->info);
	}
}

static int vm_run_fail(struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int vm_run_fail(struct vcpu *v, const char *fmt, ...)
{
	char why[96];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_err("vm %u: vCPU %u at rip %#llx: %s; stopping the VM", v->vm->id,
		v->id, (unsigned long long)hv->get_reg(v, VCPU_RIP), why);
	vm_log_state(v);
	vm_stop_as(v->vm, VM_STOP_FAULT, why);
	return -EFAULT;
}

static int vm_exit_nothing(struct vcpu *v, struct vm_exit *e)
{
	return 0;
}

static int vm_exit_io(struct vcpu *v, struct vm_exit *e)
{
	uint8_t size = e->u.io.size;
	uint64_t mask = (1ull << (size * 8)) - 1;
	uint64_t data = v->gprs.rax & mask;

	if (e->u.io.string) {
		int rc = vm_string_io(v, e);
		if (rc < 0)
			return vm_run_fail(v, "string I/O on port %#x failed (%d)",
					   e->u.io.port, rc);
		return 0;
	}
	if (size != 1 && size != 2 && size != 4)
		return vm_run_fail(v, "I/O of %u bytes", size);
	int rc = iobus_pio(v, e->u.io.port, size, !e->u.io.in, &data);
	if (rc < 0)
		return vm_run_fail(v, "device on port %#x failed (%d)",
				   e->u.io.port, rc);
	if (rc > 0)
		return 1;
	if (e->u.io.in) /* 8/16-bit IN merge into RAX; 32-bit zero-extends */
		v->gprs.rax = size == 4 ? data
					: (v->gprs.rax & ~mask) | (data & mask);
	vm_run_advance(v, e);
	return 0;
}

static int vm_exit_cpuid(struct vcpu *v, struct vm_exit *e)
{
	struct cpuid_regs r = cpuid_policy(v, (uint32_t)v->gprs.rax,
					   (uint32_t)v->gprs.rcx);

	v->gprs.rax = r.eax;
	v->gprs.rbx = r.ebx;
	v->gprs.rcx = r.ecx;
	v->gprs.rdx = r.edx;
	vm_run_advance(v, e);
	return 0;
}

/* #GP(0) for the instruction that exited; RIP stays on it. */
static int vm_inject_gp(struct vcpu *v)
{
	struct vm_event gp = { VM_EVENT_EXCEPTION, 13, true, 0 };

	vm_inject(v, &gp);
	return 0;
}

static int vm_exit_msr(struct vcpu *v, struct vm_exit *e)
{
	uint32_t index = (uint32_t)v->gprs.rcx;
	uint64_t val = (v->gprs.rdx << 32) | (uint32_t)v->gprs.rax;
	int rc = e->code == VM_EXIT_MSR_READ ? msr_policy_read(v, index, &val)
					     : msr_policy_write(v, index, val);

	if (rc < 0) /* a refused MSR is the guest's #GP, as on hardware */
		return vm_inject_gp(v);
	if (e->code == VM_EXIT_MSR_READ) {
		v->gprs.rax = (uint32_t)val;
		v->gprs.rdx = val >> 32;
	}
	vm_run_advance(v, e);
	return 0;
}

static bool vm_irq_any(struct vcpu *v)
{
	for (int i = 0; i < 4; i++)
		if (__atomic_load_n(&v->irq_pending[i], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->kicked, true, __ATOMIC_RELEASE);
	waitq_wake_all(&v->wake_wq);
	uint64_t flags = spin_lock_irqsave(&v->vm->lock);
	if (v->thread)
		thread_kick(v->thread);
	spin_unlock_irqrestore(&v->vm->lock, flags);
}

void vcpu_raise_irq(struct vcpu *v, uint8_t vector)
{
	__atomic_or_fetch(&v->irq_pending[vector / 64], 1ull << (vector % 64),
			  __ATOMIC_RELEASE);
	vcpu_kick(v);
}

/* The highest vector of the bare bitmap (vcpu_raise_irq), or -1. */
static int vm_irq_raw(struct vcpu *v)
{
	for (int i = 3; i >= 0; i--) {
		uint64_t bits = __atomic_load_n(&v->irq_pending[i], __ATOMIC_ACQUIRE);
		if (bits)
			return i * 64 + 63 - __builtin_clzll(bits);
	}
	return -1;
}

/*
 * What the guest should take next: the irqchip's choice (an NMI first),
 * or a vector raised directly with vcpu_raise_irq (the bare test guests;
 * with an irqchip those bypass it, as an ExtINT would). -1: nothing.
 */
static int vm_irq_next(struct vcpu *v, bool *raw)
{
	const struct vm_irqchip *ic = v->vm->irqchip;
	int chip = ic ? ic->pending(v) : -1;
	int bare = vm_irq_raw(v);

	*raw = bare > chip && chip != VM_IRQCHIP_NMI;
	return *raw ? bare : chip;
}

/*
 * STI; HLT with an interrupt waiting: the shadow holds it until the HLT
 * has run, the HLT halts and the interrupt ends the halt at once, so the
 * handler returns past the HLT (SDM 3A 6.8.3, "STI"). Do just that here:
 * step over the HLT and inject now. The window exit would do the same
 * on hardware, but QEMU 7.2's TCG VMRUN does not reload the VMCB's
 * interrupt shadow (target/i386/tcg/sysemu/svm_helper.c): it took the
 * VINTR exit at the HLT itself, the injected handler returned to the HLT
 * and the guest slept with its wake-up spent (g_apic, about once in 25
 * loaded runs, when a host interrupt ended the run between STI and HLT).
 */
static bool vm_skip_shadowed_hlt(struct vcpu *v)
{
	uint64_t rip = hv->get_reg(v, VCPU_RIP);
	uint64_t cs = vm_guest_mode(v) == X86_MODE_64
			      ? 0
			      : hv->get_reg(v, VCPU_CS_BASE);
	uint8_t op;

	if (vm_guest_linear(v, cs + rip, &op, 1, false) || op != 0xf4)
		return false;
	hv->set_reg(v, VCPU_RIP, rip + 1);
	hv->set_reg(v, VCPU_INTR_SHADOW, 0);
	return true;
}

/*
 * Before each entry: inject the highest pending vector if the guest can
 * take it now (RFLAGS.IF and no STI/MOV-SS shadow, SDM 3A 6.8.3), else
 * ask for an exit as soon as it can. An NMI needs no IF (6.7.1).
 */
static void vm_irq_deliver(struct vcpu *v)
{
	const struct vm_irqchip *ic = v->vm->irqchip;
	bool raw;
	int vec = vm_irq_next(v, &raw);

	if (vec < 0)
		return;
	bool shadow = hv->get_reg(v, VCPU_INTR_SHADOW);
	if (vec == VM_IRQCHIP_NMI) {
		struct vm_event nmi = { VM_EVENT_NMI, 2, false, 0 };
		if (shadow || vm_inject(v, &nmi) != 0) {
			hv->want_intr_window(v, true);
			return;
		}
		ic->ack(v, vec);
		hv->want_intr_window(v, vm_irq_next(v, &raw) >= 0);
		return;
	}
	if (!(hv->get_reg(v, VCPU_RFLAGS) & (1u << 9)) ||
	    (shadow && !vm_skip_shadowed_hlt(v))) {
		hv->want_intr_window(v, true);
		return;
	}
	struct vm_event ev = { VM_EVENT_EXTINT, (uint8_t)vec, false, 0 };
	if (vm_inject(v, &ev) == 0) {
		if (raw)
			__atomic_and_fetch(&v->irq_pending[vec / 64],
					   ~(1ull << (vec % 64)), __ATOMIC_RELEASE);
		else
			ic->ack(v, vec);
	}
	/* More waiting: exit again as soon as the guest can take the next. */
	hv->want_intr_window(v, vm_irq_next(v, &raw) >= 0);
}

static bool vm_hlt_done(void *arg)
{
	struct vcpu *v = arg;

	return v->stop || vm_irq_any(v) ||
	       __atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE);
}

/*
 * HLT with interrupts on: sleep until an interrupt is there for the
 * guest or the irqchip's next timer event (which then makes one).
 */
static int vm_exit_hlt(struct vcpu *v, struct vm_exit *e)
{
	const struct vm_irqchip *ic = v->vm->irqchip;
	bool raw;

	vm_run_advance(v, e);
	v->halted = true;
	/* HLT with interrupts off stops the vCPU for good, as on hardware
	 * (an NMI or INIT would wake it; none is modelled for a bare VM). */
	if (!(hv->get_reg(v, VCPU_RFLAGS) & (1u << 9)) && !ic)
		return 1;
	while (!v->stop) {
		/* Cleared before looking, so a kick after the look is seen. */
		__atomic_store_n(&v->kicked, false, __ATOMIC_RELEASE);
		if (v->wait_sipi)
			break; /* INIT arrived: the loop resets the vCPU */
		int vec = vm_irq_next(v, &raw);
		if (vec == VM_IRQCHIP_NMI ||
		    (vec >= 0 && (hv->get_reg(v, VCPU_RFLAGS) & (1u << 9))))
			break;
		uint64_t due = ic ? ic->next_deadline(v) : 0;
		uint64_t now = time_ns();
		if (!due)
			waitq_wait(&v->wake_wq, vm_hlt_done, v);
		else if (due > now)
			waitq_wait_timeout(&v->wake_wq, vm_hlt_done, v,
					   due - now);
	}
	v->halted = false;
	return 0;
}

static int vm_exit_s2(struct vcpu *v, struct vm_exit *e)
{
	uint64_t gpa = e->u.s2.gpa;
	char why[96];

	if (gmem_is_ram(v->vm->mem, gpa, 1)) {
		int rc = gmem_fault(v->vm->mem, gpa, e->u.s2.write);
		if (rc == 0)
			return 0;
		return vm_run_fail(v, "no memory to back guest RAM at %#llx (%d)",
				   (unsigned long long)gpa, rc);
	}
	if (iobus_mmio_claimed(v->vm, gpa)) {
		if (vm_mmio_emulate(v, e, why, sizeof(why)) < 0)
			return vm_run_fail(v, "%s", why);
		return 0;
	}
	return vm_run_fail(v, "%s of unmapped guest-physical address %#llx",
			   e->u.s2.write ? "write" : e->u.s2.exec ? "fetch" : "read",
			   (unsigned long long)e->u.s2.gpa);
}

static int vm_exit_shutdown(struct vcpu *v, struct vm_exit *e)
{
	return vm_run_fail(v, "triple fault");
}

static int vm_exit_exception(struct vcpu *v, struct vm_exit *e)
{
	return vm_run_fail(v, "intercepted exception %u (error %#x)",
			   e->u.exc.vector, e->u.exc.error);
}

static int vm_exit_xsetbv(struct vcpu *v, struct vm_exit *e)
{
	uint64_t val = (v->gprs.rdx << 32) | (uint32_t)v->gprs.rax;

	if (xcr_policy_set(v, (uint32_t)v->gprs.rcx, val) < 0)
		return vm_inject_gp(v);
	/* XSETBV is 0f 01 d1: 3 bytes, whether the backend knew or not. */
	if (!e->insn_len)
		hv->set_reg(v, VCPU_RIP, hv->get_reg(v, VCPU_RIP) + 3);
	else
		vm_run_advance(v, e);
	return 0;
}

static int vm_exit_entry_failed(struct vcpu *v, struct vm_exit *e)
{
	return vm_run_fail(v, "the CPU refused the guest state (%#x)",
			   e->native);
}

static int vm_exit_unhandled(struct vcpu *v, struct vm_exit *e)
{
	return vm_run_fail(v, "unhandled %s exit %#x", hv->name, e->native);
}

static int (*const vm_exit_handlers[VM_EXIT_COUNT])(struct vcpu *,
						    struct vm_exit *) = {
	[VM_EXIT_NONE] = vm_exit_nothing,
	[VM_EXIT_EXTINT] = vm_exit_nothing,
	[VM_EXIT_INTR_WINDOW] = vm_exit_nothing,
	[VM_EXIT_IO] = vm_exit_io,
	[VM_EXIT_S2_FAULT] = vm_exit_s2,
	[VM_EXIT_CPUID] = vm_exit_cpuid,
	[VM_EXIT_MSR_READ] = vm_exit_msr,
	[VM_EXIT_MSR_WRITE] = vm_exit_msr,
	[VM_EXIT_HLT] = vm_exit_hlt,
	[VM_EXIT_EXCEPTION] = vm_exit_exception,
	[VM_EXIT_SHUTDOWN] = vm_exit_shutdown,
	[VM_EXIT_INIT] = vm_exit_unhandled,
	[VM_EXIT_XSETBV] = vm_exit_xsetbv,
	[VM_EXIT_ENTRY_FAILED] = vm_exit_entry_failed,
	[VM_EXIT_UNHANDLED] = vm_exit_unhandled,
};

/*
 * INIT (SDM 3A 9.1, 11.6.1): an AP goes back to waiting for a startup
 * IPI, as Linux expects when it takes a CPU offline or reboots. Any
 * thread: the vCPU notices at its next exit and resets itself
 * (vm_vcpu_reinit). INIT to vCPU 0 would restart the firmware, which a
 * VM without one does not have: logged and ignored.
 */
void vcpu_init_signal(struct vcpu *v)
{
	if (v->id == 0) {
		log_warn("vm %u: INIT to vCPU 0 ignored", v->vm->id);
		return;
	}
	if (v->wait_sipi)
		return;
	v->sipi_vector = -1;
	__atomic_store_n(&v->wait_sipi, true, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

/* After INIT: the backend's state as at creation, the LAPIC's INIT. */
static int vm_vcpu_reinit(struct vcpu *v)
{
	hv->vcpu_destroy(v);
	v->backend = NULL;
	int rc = hv->vcpu_init(v);
	if (rc < 0)
		return vm_run_fail(v, "INIT: the backend refused (%d)", rc);
	hv->set_reg(v, VCPU_TSC_OFFSET, v->vm->tsc_offset);
	v->xcr0 = 1;
	v->msr_pat = 0;
	v->msr_mtrr_def = 0;
	__atomic_store_n(&v->kicked, false, __ATOMIC_RELAXED);
	for (int i = 0; i < 4; i++)
		__atomic_store_n(&v->irq_pending[i], 0, __ATOMIC_RELAXED);
	if (v->vm->irqchip)
		v->vm->irqchip->init(v);
	return 0;
}

void vcpu_sipi(struct vcpu *v, uint8_t vector)
{
	if (!v->wait_sipi)
		return; /* a SIPI to a running CPU is ignored, as on hardware */
	v->sipi_vector = vector;
	waitq_wake_all(&v->wake_wq);
}

static bool vm_sipi_or_stop(void *arg)
{
	struct vcpu *v = arg;

	return v->stop || v->sipi_vector >= 0;
}

/* An AP: wait for its startup IPI, then start in real mode at VV00:0000. */
static void vm_wait_sipi(struct vcpu *v)
{
	waitq_wait(&v->wake_wq, vm_sipi_or_stop, v);
	if (v->stop)
		return;
	hv->set_reg(v, VCPU_CS_SEL, (uint64_t)v->sipi_vector << 8);
	hv->set_reg(v, VCPU_CS_BASE, (uint64_t)v->sipi_vector << 12);
	hv->set_reg(v, VCPU_RIP, 0);
	v->wait_sipi = false;
}

void vm_vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	const struct vm_irqchip *ic = v->vm->irqchip;
	struct vm_exit e;
	int rc = 0;
	uint64_t flags = spin_lock_irqsave(&v->vm->lock);

	v->thread = thread_current(); /* vm_stop may kick it from now on */
	spin_unlock_irqrestore(&v->vm->lock, flags);
	if (v->wait_sipi)
		vm_wait_sipi(v);
	while (!v->stop && rc == 0) {
		if (v->wait_sipi) { /* INIT: back to wait-for-SIPI */
			sched_arm_local(0);
			if (vm_vcpu_reinit(v) < 0)
				break;
			vm_wait_sipi(v);
			continue;
		}
		vm_irq_deliver(v);
		/* The guest's next timer event gets it out of the guest. */
		if (ic)
			sched_arm_local(ic->next_deadline(v));
		rc = hv->vcpu_run(v, &e);
		if (rc < 0) {
			vm_run_fail(v, "entry failed (%d)", rc);
			break;
		}
		if (e.code >= VM_EXIT_COUNT || !vm_exit_handlers[e.code])
			e.code = VM_EXIT_UNHANDLED;
		v->exits[e.code]++;
		v->exits_total++;
		vm_trace(v, e.rip, e.code, e.native, vm_exit_info(&e));
		rc = vm_exit_handlers[e.code](v, &e);
	}
	sched_arm_local(0);
	vm_vcpu_exited(v);
}
