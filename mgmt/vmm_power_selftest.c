// SPDX-License-Identifier: MIT
/*
 * In-image test of guest power handling in the VM manager's watcher
 * (mgmt/vmm.c, docs/vm.md "Guest power"), run by keel.vmmtest=datastore
 * (mgmt/vmm_selftest.c) on its running VM. The instance is stopped with
 * vm_stop_as exactly as vplat_poweroff/vplat_reset do when a guest
 * writes the ACPI sleep or reset registers, so this runs before the
 * platform's power devices exist: a guest reset restarts the VM (a new
 * instance, its disks reopened), six resets within 10 s stop it with a
 * "reset loop" reason, a guest power-off stops it with "guest powered
 * off".
 */
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "mgmt/vmm_int.h"

#define VPS_SEC 1000000000ull

static void (*vps_verdict)(const char *step, bool ok, const char *why);

/* What the guest does, for the running instance of @name. */
static bool vps_guest(const char *name, enum vm_stop_kind kind,
		      const char *why)
{
	struct vmm_vm *v;
	bool done = false;

	vmm_lock();
	v = vmm_find(name);
	if (v && v->vm && v->state == VMM_RUNNING) {
		vm_stop_as(v->vm, kind, why);
		done = true;
	}
	vmm_unlock();
	return done;
}

/* Poll vm.info's view until @name is running with more than @starts
 * starts, or stopped; false after 20 s. */
static bool vps_settle(const char *name, unsigned int starts,
		       struct vmm_info *i)
{
	uint64_t deadline = time_ns() + 20 * VPS_SEC;
	struct vmm_err e;

	while (time_ns() < deadline) {
		if (vmm_info(name, i, &e))
			return false;
		if ((i->state == VMM_RUNNING && i->starts > starts) ||
		    i->state == VMM_STOPPED)
			return true;
		thread_sleep_ns(5 * 1000000ull);
	}
	return false;
}

static bool vps_disk_in_use(const char *disk)
{
	struct ds_file_info fi;

	return ds_stat(disk, &fi) == 0 && fi.in_use;
}

void vmm_power_selftest(const char *name, const char *disk,
			void (*verdict)(const char *, bool, const char *))
{
	static struct vmm_info i; /* big: the exit counters */
	struct vmm_err e;
	char why[200];
	unsigned int starts, resets0;
	bool ok;

	vps_verdict = verdict;
	if (vmm_info(name, &i, &e) || i.state != VMM_RUNNING) {
		vps_verdict("power_setup", false, "the VM is not running");
		return;
	}
	starts = i.starts;
	resets0 = i.resets;

	/* One reset: a fresh instance, the disk open again. */
	ok = vps_guest(name, VM_STOP_RESET, "guest reset (selftest, 0xcf9)") &&
	     vps_settle(name, starts, &i);
	fmt_snprintf(why, sizeof(why), "state %s, starts %u, resets %u",
		     vmm_state_name(i.state), i.starts, i.resets);
	vps_verdict("power_guest_reset",
		    ok && i.state == VMM_RUNNING && i.starts == starts + 1 &&
			i.resets == resets0 + 1,
		    why);
	vps_verdict("power_reset_disk_reopened", vps_disk_in_use(disk),
		    "the disk is not held by the restarted VM");

	/* Five more within 10 s: a loop, stopped. */
	for (int k = 0; k < 5 && i.state == VMM_RUNNING; k++) {
		starts = i.starts;
		if (!vps_guest(name, VM_STOP_RESET, "guest reset (selftest)") ||
		    !vps_settle(name, starts, &i))
			break;
	}
	fmt_snprintf(why, sizeof(why), "state %s, resets %u, reason '%s'",
		     vmm_state_name(i.state), i.resets, i.stop_reason);
	vps_verdict("power_reset_loop_stops",
		    i.state == VMM_STOPPED && i.resets == resets0 + 6 &&
			strstr(i.stop_reason, "reset loop"),
		    why);
	vps_verdict("power_loop_disk_closed", !vps_disk_in_use(disk),
		    "the disk is still held by a stopped VM");

	/* Power-off: stopped, with the reason. */
	ok = !vmm_start(name, "vmmtest", &e);
	starts = 0;
	ok = ok && vps_guest(name, VM_STOP_POWEROFF, "ACPI S5 (selftest)") &&
	     vps_settle(name, ~0u, &i);
	fmt_snprintf(why, sizeof(why), "state %s, reason '%s'",
		     vmm_state_name(i.state), i.stop_reason);
	vps_verdict("power_guest_poweroff",
		    ok && i.state == VMM_STOPPED &&
			!strcmp(i.stop_reason, "guest powered off"),
		    why);
	/* Running again for the caller's next steps. */
	vps_verdict("power_restart", !vmm_start(name, "vmmtest", &e), e.msg);
}
