// SPDX-License-Identifier: MIT
/*
 * Backend selection (ARCHITECTURE.md section 2): vmx/ and svm/ offer
 * themselves at INIT_CPU; the first whose probe succeeds is used, and at
 * INIT_LATE it is enabled on every online CPU. A CPU with neither boots
 * to the console with a clear message instead of crashing.
 */
#include "core/hv.h"

#include "core/init.h"
#include "core/log.h"
#include "core/smp.h"

const struct hv_vendor_ops *hv;
static volatile int hv_enable_failures;

void hv_register(const struct hv_vendor_ops *ops)
{
	if (hv)
		return;
	if (ops->probe() == 0) {
		hv = ops;
		log_info("hv: using %s with %s", ops->name, ops->s2_name);
	}
}

const char *hv_exit_name(unsigned int code)
{
	static const char *const names[VM_EXIT_COUNT] = {
		[VM_EXIT_NONE] = "none",
		[VM_EXIT_EXTINT] = "external_interrupt",
		[VM_EXIT_IO] = "io",
		[VM_EXIT_S2_FAULT] = "stage2_fault",
		[VM_EXIT_CPUID] = "cpuid",
		[VM_EXIT_MSR_READ] = "msr_read",
		[VM_EXIT_MSR_WRITE] = "msr_write",
		[VM_EXIT_HLT] = "hlt",
		[VM_EXIT_EXCEPTION] = "exception",
		[VM_EXIT_INTR_WINDOW] = "interrupt_window",
		[VM_EXIT_SHUTDOWN] = "shutdown",
		[VM_EXIT_INIT] = "init",
		[VM_EXIT_XSETBV] = "xsetbv",
		[VM_EXIT_ENTRY_FAILED] = "entry_failed",
		[VM_EXIT_UNHANDLED] = "unhandled",
	};

	return code < VM_EXIT_COUNT ? names[code] : NULL;
}

static void hv_enable_this_cpu(void *arg)
{
	(void)arg;
	if (hv->cpu_enable() < 0)
		__atomic_add_fetch(&hv_enable_failures, 1, __ATOMIC_RELAXED);
}

/* After SMP: every CPU must be able to run vCPUs. */
static void hv_enable(void)
{
	if (!hv) {
		log_warn("hv: this CPU offers neither VT-x with EPT nor AMD-V "
			 "with NPT (or the firmware disabled them): Keel runs "
			 "but cannot start virtual machines");
		return;
	}
	hv_enable_this_cpu(NULL);
	smp_call_others(hv_enable_this_cpu, NULL);
	if (hv_enable_failures) {
		log_err("hv: %s could not be enabled on %d CPUs; virtual "
			"machines are disabled",
			hv->name, hv_enable_failures);
		hv = NULL;
		return;
	}
	log_info("hv: %s enabled on every CPU", hv->name);
}
KEEL_INIT(INIT_LIBS, hv_enable);
