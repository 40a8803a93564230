// SPDX-License-Identifier: MIT
/*
 * The VM manager's inventory side (mgmt/vmm.h): vm.create, list, info,
 * destroy, autostart, the console, and at boot loading the inventory
 * from the store and starting the autostart VMs. The state machine is
 * in mgmt/vmm.c; both share mgmt/vmm_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/init.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "mgmt/rpc.h"
#include "mgmt/vmm.h"
#include "mgmt/vmm_boot.h"
#include "mgmt/vmm_int.h"

static bool vmm_ready;
static struct waitq vmm_ready_wq = WAITQ_INIT;

static bool vmm_is_ready(void *arg)
{
	return __atomic_load_n(&vmm_ready, __ATOMIC_ACQUIRE);
}

void vmm_wait_ready(void)
{
	waitq_wait(&vmm_ready_wq, vmm_is_ready, NULL);
}

const char *vmm_state_name(enum vmm_state s)
{
	static const char *const names[] = {
		[VMM_STOPPED] = "stopped",
		[VMM_STARTING] = "starting",
		[VMM_RUNNING] = "running",
		[VMM_STOPPING] = "stopping",
	};

	return (unsigned int)s < 4 ? names[s] : "unknown";
}

/*
 * Keel's own memory for a VM beyond its RAM (an estimate for vm.stats):
 * the manager's entry and console ring, the VM object, stage-2 tables,
 * and per vCPU a thread stack, its XSAVE area and the backend's page.
 */
static uint64_t vmm_overhead(const struct vmm_vm *v)
{
	uint64_t bytes = sizeof(*v) + v->con.size;
	struct vm *vm = v->vm;

	if (vm) {
		bytes += sizeof(*vm) + gmem_s2(vm->mem)->frames * PMM_PAGE;
		bytes +=
		    (uint64_t)vm->nvcpus * (THREAD_STACK_SIZE + 2 * PMM_PAGE);
	}
	return bytes;
}

/* Under vmm_mx. */
static void vmm_snapshot(struct vmm_vm *v, struct vmm_info *out)
{
	struct vm *vm = v->vm;

	memset(out, 0, sizeof(*out));
	out->cfg = v->cfg;
	out->state = v->state;
	out->starts = v->starts;
	out->resets = v->resets;
	memcpy(out->stop_reason, v->stop_reason, sizeof(out->stop_reason));
	out->ram_bytes = v->cfg.mem_mb << 20;
	if (vm) {
		out->run_ns = time_ns() - v->start_ns;
		out->cpu_ns = vm_cpu_time_ns(vm);
		/* Counters of running vCPUs: 64-bit loads, a moment's view. */
		for (unsigned int i = 0; i < vm->nvcpus; i++) {
			struct vcpu *c = &vm->vcpus[i];
			out->exits_total += c->exits_total;
			for (unsigned int k = 0; k < VM_EXIT_COUNT; k++)
				out->exits[k] += c->exits[k];
		}
		out->ram_backed = gmem_backed_bytes(vm->mem);
	} else {
		out->run_ns = v->starts ? v->stop_ns - v->start_ns : 0;
		out->cpu_ns = v->cpu_ns;
		out->exits_total = v->exits_total;
		memcpy(out->exits, v->exits, sizeof(out->exits));
	}
	out->overhead = vmm_overhead(v);
	out->console_head = vmm_con_head(&v->con);
	out->console_tx = v->uart.tx_bytes;
	out->console_rx = v->uart.rx_bytes;
}

/* ---- Inventory methods ----------------------------------------------------
 */

static int vmm_store_fail(struct vmm_err *e, int rc, const char *name)
{
	if (rc == -EEXIST)
		return vmm_fail(e, RPC_ERR_EXISTS, "a VM named \"%s\" exists",
				name);
	if (rc == -EINVAL)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"the store refused VM \"%s\"'s settings", name);
	return vmm_fail(e, RPC_ERR_IO,
			"the config store could not save VM \"%s\" (%d); see "
			"the host log",
			name, rc);
}

int vmm_create(const struct vmm_create_req *r, struct vmm_err *e)
{
	struct store_vm cfg;
	struct vmm_vm *v;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (!vmm_name_ok(r->name))
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.name: 1-%u letters, digits, '.', '_' "
				"or '-', starting with a letter or digit",
				VMM_NAME_MAX);
	if (!r->vcpus || r->vcpus > VM_MAX_VCPUS)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.vcpus: expected 1..%u", VM_MAX_VCPUS);
	if (r->vcpus > percpu_online)
		return vmm_fail(e, RPC_ERR_LIMIT,
				"%u vCPUs asked for; this host has %u CPUs",
				r->vcpus, percpu_online);
	if (r->memory_mb < VMM_MEM_MIN_MB || r->memory_mb > VMM_MEM_MAX_MB)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.memory_mb: expected %u..%u",
				VMM_MEM_MIN_MB, VMM_MEM_MAX_MB);
	if (!r->kernel || !r->kernel[0] || strlen(r->kernel) >= DS_NAME_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.kernel: a datastore file name of 1-%u "
				"bytes",
				DS_NAME_MAX - 1);
	if (r->initrd && strlen(r->initrd) >= DS_NAME_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.initrd: a datastore file name of 1-%u "
				"bytes",
				DS_NAME_MAX - 1);
	if (r->cmdline && vmm_boot_check_cmdline(r->cmdline, e))
		return e->code;
	if (r->ndisks > STORE_VM_DISKS_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.disks: at most %u disks",
				STORE_VM_DISKS_MAX);
	for (unsigned int i = 0; i < r->ndisks; i++) {
		if (!r->disks[i] || !ds_name_valid(r->disks[i]))
			return vmm_fail(e, RPC_INVALID_PARAMS,
					"params.disks[%u]: not a valid "
					"datastore file name",
					i);
		for (unsigned int k = 0; k < i; k++)
			if (!strcmp(r->disks[k], r->disks[i]))
				return vmm_fail(e, RPC_INVALID_PARAMS,
						"params.disks: \"%s\" is "
						"named twice",
						r->disks[i]);
		strcpy(cfg.disks[i], r->disks[i]);
	}
	strcpy(cfg.name, r->name);
	cfg.vcpus = r->vcpus;
	cfg.mem_mb = r->memory_mb;
	strcpy(cfg.kernel, r->kernel);
	if (r->initrd)
		strcpy(cfg.initrd, r->initrd);
	if (r->cmdline)
		strcpy(cfg.cmdline, r->cmdline);
	cfg.autostart = r->autostart;

	/* Files first, without the lock: the datastore may be slow. */
	rc = vmm_check_files(&cfg, e);
	if (rc)
		return rc;

	vmm_wait_ready();
	vmm_lock();
	if (vmm_find(cfg.name)) {
		rc = vmm_fail(e, RPC_ERR_EXISTS, "a VM named \"%s\" exists",
			      cfg.name);
	} else if (vmm_nvms >= VMM_MAX_VMS) {
		rc = vmm_fail(e, RPC_ERR_LIMIT,
			      "this host has %u VMs, the most "
			      "it keeps",
			      VMM_MAX_VMS);
	} else {
		rc = vmm_mem_check(NULL, cfg.mem_mb, e);
	}
	if (!rc) {
		v = vmm_entry_new(&cfg);
		if (!v) {
			rc = vmm_fail(e, RPC_INTERNAL_ERROR, "out of memory");
		} else if ((rc = store_vm_put(&v->cfg)) != 0) {
			rc = vmm_store_fail(e, rc, cfg.name);
			vmm_con_free(&v->con);
			free(v);
		} else {
			vmm_link(v);
			log_info("vmm: %s created: %u vCPUs, %llu MiB, kernel "
				 "%s%s%s",
				 cfg.name, cfg.vcpus,
				 (unsigned long long)cfg.mem_mb, cfg.kernel,
				 cfg.initrd[0] ? ", initrd " : "", cfg.initrd);
		}
	}
	vmm_unlock();
	return rc;
}

int vmm_list(struct vmm_info *out, int max, struct vmm_err *e)
{
	int n = 0;

	vmm_wait_ready();
	vmm_lock();
	for (struct vmm_vm *v = vmm_list_head; v && n < max; v = v->next)
		vmm_snapshot(v, &out[n++]);
	vmm_unlock();
	return n;
}

int vmm_info(const char *name, struct vmm_info *out, struct vmm_err *e)
{
	struct vmm_vm *v;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (v)
		vmm_snapshot(v, out);
	vmm_unlock();
	return v ? 0 : e->code;
}

int vmm_destroy(const char *name, struct vmm_err *e)
{
	struct vmm_vm *v;
	int rc = 0;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (!v) {
		rc = e->code;
	} else if (v->state != VMM_STOPPED) {
		rc = vmm_fail(e, RPC_ERR_BAD_STATE,
			      "VM \"%s\" is %s; stop it first (vm.stop)", name,
			      vmm_state_name(v->state));
	} else if ((rc = store_vm_delete(v->cfg.id)) != 0 && rc != -ENOENT) {
		rc = vmm_fail(e, RPC_ERR_IO,
			      "the config store could not delete VM \"%s\" "
			      "(%d); see the host log",
			      name, rc);
	} else {
		rc = 0;
		for (struct vmm_vm **p = &vmm_list_head; *p; p = &(*p)->next)
			if (*p == v) {
				*p = v->next;
				break;
			}
		vmm_nvms--;
		v->unlinked = true;
		log_info("vmm: %s destroyed", name);
		vmm_put(v);
	}
	vmm_unlock();
	return rc;
}

int vmm_autostart(const char *name, bool on, struct vmm_err *e)
{
	struct vmm_vm *v;
	int rc = 0;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (!v) {
		rc = e->code;
	} else {
		struct store_vm cfg = v->cfg;
		cfg.autostart = on;
		rc = store_vm_put(&cfg);
		if (rc)
			rc = vmm_store_fail(e, rc, name);
		else
			v->cfg = cfg;
	}
	vmm_unlock();
	return rc;
}

/* ---- Console ------------------------------------------------------------- */

long vmm_console_read(const char *name, uint64_t cursor, void *buf, size_t max,
		      uint64_t *next, uint64_t *lost, struct vmm_err *e)
{
	struct vmm_vm *v;
	long n = 0;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (v)
		n = (long)vmm_con_read(&v->con, cursor, buf, max, next, lost);
	vmm_unlock();
	return v ? n : e->code;
}

long vmm_console_write(const char *name, const void *data, size_t len,
		       struct vmm_err *e)
{
	struct vmm_vm *v;
	long n = 0;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (!v) {
		n = e->code;
	} else if (v->state != VMM_RUNNING) {
		n = vmm_fail(e, RPC_ERR_BAD_STATE,
			     "VM \"%s\" is %s; console input needs a running "
			     "guest",
			     name, vmm_state_name(v->state));
	} else {
		n = (long)vuart_rx_push(&v->uart, data, len);
	}
	vmm_unlock();
	return n;
}

/* ---- Boot: load the inventory, start the autostart VMs ------------------ */

static void vmm_boot_thread(void *arg)
{
	static struct store_vm inv[VMM_MAX_VMS];
	int n;

	store_wait_ready();
	n = store_vm_list(inv, VMM_MAX_VMS);
	vmm_lock();
	if (n < 0) {
		log_warn("vmm: the VM inventory could not be read (%d); no "
			 "VMs until the store works",
			 n);
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		struct vmm_vm *v = vmm_entry_new(&inv[i]);
		if (!v) {
			log_err("vmm: out of memory for VM %s", inv[i].name);
			continue;
		}
		vmm_link(v);
	}
	vmm_unlock();
	log_info("vmm: %d VMs in the inventory", n);
	__atomic_store_n(&vmm_ready, true, __ATOMIC_RELEASE);
	waitq_wake_all(&vmm_ready_wq);

	/* Autostart, once the search for the datastore disk is over (it
	 * mounts after the disks are found). */
	bool waited = false;
	for (int i = 0; i < n; i++) {
		struct vmm_err e = { 0 };
		if (!inv[i].autostart)
			continue;
		if (!waited && vmm_files == &vmm_ds_files &&
		    !ds_wait_ready(VMM_DS_WAIT_NS))
			log_warn("vmm: the datastore is still being looked "
				 "for after %llu s; starting the autostart "
				 "VMs anyway",
				 (unsigned long long)(VMM_DS_WAIT_NS /
						      1000000000ull));
		waited = true;
		if (vmm_start(inv[i].name, "autostart", &e))
			log_warn("vmm: autostart %s: %s", inv[i].name, e.msg);
	}
}

static void vmm_init(void)
{
	if (!thread_create("vmm", vmm_boot_thread, NULL, NULL)) {
		log_err("vmm: cannot start the VM manager's thread");
		__atomic_store_n(&vmm_ready, true, __ATOMIC_RELEASE);
	}
}
KEEL_INIT(INIT_LATE, vmm_init);
