// SPDX-License-Identifier: MIT
/*
 * The VM manager (mgmt/vmm.h, docs/vm.md): the state machine, starting
 * and reaping VM instances. The inventory methods, the console and the
 * boot-time loading are in mgmt/vmm_inv.c.
 *
 * Locking: vmm_mx, a sleeping mutex, guards the list and every entry's
 * fields except the console ring and the vUART (their own spinlocks).
 * It is held across store calls, never across datastore reads or waits
 * for vCPUs: those happen in the "starting"/"stopping" states, which
 * keep other callers out. Entries are reference-counted (the list holds
 * one, and so does every thread that sleeps on one), so vm.destroy can
 * unlink an entry that a waiter still looks at.
 *
 * Each running instance has a watcher thread that waits for its vCPUs to
 * leave, whatever the reason (vm.stop, a guest fault), keeps the run's
 * figures and the stop reason, and frees the instance: the one place a
 * struct vm is destroyed.
 */
#include "mgmt/vmm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "mgmt/rpc.h"
#include "mgmt/vmm_boot.h"
#include "mgmt/vmm_con.h"
#include "mgmt/vmm_dev.h"
#include "mgmt/vmm_int.h"
#include "vdev/vlapic.h"
#include "vdev/vlinux.h"
#include "vdev/vplat.h"
#include "vdev/vuart.h"

/* ---- The manager's mutex ------------------------------------------------ */

static struct spinlock vmm_mx_sl = SPINLOCK_INIT;
static struct waitq vmm_mx_wq = WAITQ_INIT;
static struct thread *vmm_mx_owner;

static bool vmm_mx_free(void *arg)
{
	return __atomic_load_n(&vmm_mx_owner, __ATOMIC_ACQUIRE) == NULL;
}

void vmm_lock(void)
{
	for (;;) {
		uint64_t flags = spin_lock_irqsave(&vmm_mx_sl);
		if (!vmm_mx_owner) {
			vmm_mx_owner = thread_current();
			spin_unlock_irqrestore(&vmm_mx_sl, flags);
			return;
		}
		spin_unlock_irqrestore(&vmm_mx_sl, flags);
		waitq_wait(&vmm_mx_wq, vmm_mx_free, NULL);
	}
}

void vmm_unlock(void)
{
	uint64_t flags = spin_lock_irqsave(&vmm_mx_sl);

	__atomic_store_n(&vmm_mx_owner, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&vmm_mx_sl, flags);
	waitq_wake_all(&vmm_mx_wq);
}

/* ---- Inventory ---------------------------------------------------------- */

struct vmm_vm *vmm_list_head;
unsigned int vmm_nvms;
/* State changes: stop and reset waiters sleep here. */
static struct waitq vmm_state_wq = WAITQ_INIT;

const struct vmm_files vmm_ds_files = { ds_stat, ds_read };
const struct vmm_files *vmm_files = &vmm_ds_files;

void vmm_set_files(const struct vmm_files *f)
{
	vmm_files = f ? f : &vmm_ds_files;
}

struct vmm_vm *vmm_find(const char *name)
{
	for (struct vmm_vm *v = vmm_list_head; v; v = v->next)
		if (!strcmp(v->cfg.name, name))
			return v;
	return NULL;
}

struct vmm_vm *vmm_find_or_fail(const char *name, struct vmm_err *e)
{
	struct vmm_vm *v = vmm_find(name);

	if (!v)
		vmm_fail(e, RPC_ERR_NOT_FOUND, "no VM named \"%s\"", name);
	return v;
}

/* The guest's COM1 output goes to its ring. */
static void vmm_con_tx(void *opaque, uint8_t c)
{
	vmm_con_put(opaque, &c, 1);
}

/* A new entry for @cfg (not linked), or NULL. */
struct vmm_vm *vmm_entry_new(const struct store_vm *cfg)
{
	struct vmm_vm *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	if (vmm_con_init(&v->con, VMM_CON_SIZE)) {
		free(v);
		return NULL;
	}
	v->cfg = *cfg;
	v->refs = 1;
	v->state = VMM_STOPPED;
	vuart_init(&v->uart, vmm_con_tx, &v->con);
	return v;
}

void vmm_link(struct vmm_vm *v)
{
	struct vmm_vm **p = &vmm_list_head;

	while (*p) /* by inventory id, as store_vm_list orders them */
		p = &(*p)->next;
	*p = v;
	vmm_nvms++;
}

void vmm_put(struct vmm_vm *v)
{
	if (--v->refs == 0 && v->unlinked) {
		vmm_con_free(&v->con);
		free(v);
	}
}

/* ---- Memory and figures ------------------------------------------------- */

/*
 * What a new VM may have: free frames, less Keel's reserve, less what
 * running VMs may still touch (guest RAM is backed on first use). A VM
 * being set up counts whole. Under vmm_mx.
 */
static uint64_t vmm_mem_available(const struct vmm_vm *except)
{
	struct pmm_stats st;
	uint64_t promised = 0;

	pmm_get_stats(&st);
	for (const struct vmm_vm *v = vmm_list_head; v; v = v->next) {
		uint64_t ram = v->cfg.mem_mb << 20;
		if (v == except || v->state == VMM_STOPPED)
			continue;
		if (v->vm) {
			uint64_t backed = gmem_backed_bytes(v->vm->mem);
			promised += ram > backed ? ram - backed : 0;
		} else if (v->state == VMM_STARTING) {
			promised += ram;
		}
	}
	if (st.free < VMM_HOST_RESERVE + promised)
		return 0;
	return st.free - VMM_HOST_RESERVE - promised;
}

int vmm_mem_check(const struct vmm_vm *except, uint64_t mem_mb,
		  struct vmm_err *e)
{
	uint64_t avail = vmm_mem_available(except);

	if ((mem_mb << 20) > avail)
		return vmm_fail(e, RPC_ERR_LIMIT,
				"%llu MiB of memory asked for; the host can "
				"give %llu MiB now",
				(unsigned long long)mem_mb,
				(unsigned long long)(avail >> 20));
	return 0;
}

/* ---- Kernel files ------------------------------------------------------- */

static int vmm_file(const char *what, const char *name, struct ds_file_info *fi,
		    struct vmm_err *e)
{
	int rc = vmm_files->stat(name, fi);

	switch (rc) {
	case 0:
		break;
	case -ENODEV:
		return vmm_fail(e, RPC_ERR_NO_DATASTORE,
				"no datastore is mounted, so %s \"%s\" cannot "
				"be read (datastore.format sets one up)",
				what, name);
	case -ENOENT:
		return vmm_fail(e, RPC_ERR_NOT_FOUND,
				"%s \"%s\" is not in the datastore "
				"(datastore.list shows what is)",
				what, name);
	case -EINVAL:
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"%s: \"%s\" is not a valid datastore file name",
				what, name);
	case -EBUSY:
		return vmm_fail(e, RPC_ERR_BUSY,
				"%s \"%s\" is being uploaded or verified; try "
				"again when the upload is complete",
				what, name);
	case -EIO:
		return vmm_fail(e, RPC_ERR_IO,
				"%s \"%s\" cannot be read: the file is damaged "
				"or failed its checksum, or the disk failed "
				"(datastore.list says which); upload it again",
				what, name);
	default:
		return vmm_fail(e, RPC_ERR_IO, "%s \"%s\": datastore error %d",
				what, name, rc);
	}
	if (!fi->complete)
		return vmm_fail(e, RPC_ERR_BUSY,
				"%s \"%s\" is still being uploaded (%llu of "
				"%llu bytes); try again when it is complete",
				what, name, (unsigned long long)fi->received,
				(unsigned long long)fi->size);
	return 0;
}

/* Read @size bytes from byte @foff of a file into @vm at @gpa, in
 * chunks: straight from the datastore into guest RAM. */
static int vmm_load_file(struct vm *vm, const char *what, const char *name,
			 uint64_t foff, uint64_t size, uint64_t gpa,
			 uint8_t *chunk, size_t chunk_len, struct vmm_err *e)
{
	for (uint64_t off = 0; off < size;) {
		size_t want =
		    size - off < chunk_len ? (size_t)(size - off) : chunk_len;
		long got = vmm_files->read(name, foff + off, chunk, want);
		if (got < 0)
			return vmm_fail(
			    e, RPC_ERR_IO,
			    "%s \"%s\": read error %ld at byte %llu", what,
			    name, got, (unsigned long long)off);
		if ((size_t)got != want)
			return vmm_fail(e, RPC_ERR_IO,
					"%s \"%s\" changed while it was read",
					what, name);
		int rc = vm_load(vm, gpa + off, chunk, want);
		if (rc)
			return vmm_fail(
			    e, RPC_ERR_LIMIT,
			    "%s \"%s\" could not be copied into the "
			    "VM's memory (%d)",
			    what, name, rc);
		off += want;
	}
	return 0;
}

static int vmm_check_boot(const struct store_vm *cfg, struct vmm_kernel *k,
			  struct vlinux_layout *l, uint64_t *initrd_size,
			  char *line, struct vmm_err *e);

/* The kernel's format and size, and the initrd's fit: vm.create and
 * vm.start both check, since files change in between. */
int vmm_check_files(const struct store_vm *cfg, struct vmm_err *e)
{
	struct vmm_kernel k;
	struct vlinux_layout l;
	char line[VMM_BOOT_LINUX_CMDLINE_MAX + 1];

	return vmm_check_boot(cfg, &k, &l, NULL, line, e);
}

/* vmm_check_files, keeping what the kernel is and (for Linux) where
 * everything goes and the command line it gets (@line, VMM_BOOT_LINUX_
 * CMDLINE_MAX + 1 bytes); @initrd_size gets the initrd's size. */
static int vmm_check_boot(const struct store_vm *cfg, struct vmm_kernel *k,
			  struct vlinux_layout *l, uint64_t *initrd_size,
			  char *line, struct vmm_err *e)
{
	struct ds_file_info fi = { .size = 0 };
	uint8_t head[VMM_BOOT_HEAD];
	long got;
	int rc;

	rc = vmm_file("kernel", cfg->kernel, &fi, e);
	if (rc)
		return rc;
	if (fi.disk)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"kernel \"%s\" is a virtual disk, not a "
				"kernel image",
				cfg->kernel);
	for (int i = 0; i < STORE_VM_DISKS_MAX && cfg->disks[i][0]; i++) {
		struct ds_file_info di;

		rc = vmm_file("disk", cfg->disks[i], &di, e);
		if (rc)
			return rc;
		if (!di.disk)
			return vmm_fail(e, RPC_INVALID_PARAMS,
					"disk \"%s\" is an uploaded file, not "
					"a virtual disk (datastore.create "
					"makes one)",
					cfg->disks[i]);
	}
	got = fi.size ? vmm_files->read(cfg->kernel, 0, head,
					fi.size < sizeof(head) ? fi.size
							       : sizeof(head))
		      : 0;
	if (got < 0)
		return vmm_fail(e, RPC_ERR_IO, "kernel \"%s\": read error %ld",
				cfg->kernel, got);
	rc = vmm_boot_check_kernel(cfg->kernel, head, (size_t)got, fi.size, k,
				   e);
	if (rc)
		return rc;
	fi.size = 0;
	if (cfg->initrd[0]) {
		rc = vmm_file("initrd", cfg->initrd, &fi, e);
		if (rc)
			return rc;
		if (fi.disk)
			return vmm_fail(e, RPC_INVALID_PARAMS,
					"initrd \"%s\" is a virtual disk",
					cfg->initrd);
	}
	if (initrd_size)
		*initrd_size = fi.size;
	if (k->is_linux)
		return vmm_boot_plan_linux(k, cfg->kernel, cfg->initrd, fi.size,
					   cfg->cmdline, vlinux_tsc_khz_hint(),
					   cfg->mem_mb << 20, VPLAT_LOWMEM_MAX,
					   l, line, e);
	if (!cfg->initrd[0])
		return 0;
	return vmm_boot_check_initrd(cfg->initrd, fi.size, cfg->mem_mb << 20,
				     e);
}

/* ---- Starting ------------------------------------------------------------ */

/* Flat image: the kernel at 0x8000, the initrd at 1 MiB and the boot-info
 * block (docs/vm.md "Boot protocol (flat images)"). */
static int vmm_load_flat(struct vm *vm, const struct store_vm *cfg,
			 uint64_t ksize, uint64_t isize, uint8_t *chunk,
			 size_t chunk_len, struct vmm_err *e)
{
	struct vmm_boot_info bi;
	size_t cl = strlen(cfg->cmdline);

	if (vmm_load_file(vm, "kernel", cfg->kernel, 0, ksize,
			  VMM_BOOT_KERNEL_GPA, chunk, chunk_len, e))
		return -1;
	if (isize && vmm_load_file(vm, "initrd", cfg->initrd, 0, isize,
				   VMM_BOOT_INITRD_GPA, chunk, chunk_len, e))
		return -1;
	vmm_boot_info_fill(&bi, cfg->mem_mb << 20, cfg->vcpus,
			   (uint32_t)ksize, (uint32_t)cl, (uint32_t)isize);
	if (vm_load(vm, VMM_BOOT_CMDLINE_GPA, cfg->cmdline, cl + 1) ||
	    vm_load(vm, VMM_BOOT_INFO_GPA, &bi, sizeof(bi))) {
		vmm_fail(e, RPC_ERR_LIMIT,
			 "no memory for the boot information");
		return -1;
	}
	return 0;
}

/* Linux: the protected-mode kernel (the file past its setup sectors) and
 * the initrd where vlinux_plan put them, then boot_params and the rest
 * (docs/vm.md "Linux guests"). */
static int vmm_load_linux(struct vm *vm, const struct store_vm *cfg,
			  const struct vmm_kernel *k,
			  const struct vlinux_layout *l, const char *line,
			  uint8_t *chunk, size_t chunk_len, struct vmm_err *e)
{
	int rc;

	if (vmm_load_file(vm, "kernel", cfg->kernel, k->lk.setup_bytes,
			  k->lk.payload_bytes, l->kernel_addr, chunk,
			  chunk_len, e))
		return -1;
	if (l->initrd_size &&
	    vmm_load_file(vm, "initrd", cfg->initrd, 0, l->initrd_size,
			  l->initrd_addr, chunk, chunk_len, e))
		return -1;
	rc = vlinux_setup(vm, &k->lk, l, line, cfg->mem_mb << 20,
			  VPLAT_LOWMEM_MAX);
	if (rc) {
		vmm_fail(e, RPC_ERR_LIMIT,
			 "the Linux boot parameters could not be written (%d)",
			 rc);
		return -1;
	}
	return 0;
}

/* A fresh instance of @cfg with the kernel, initrd and boot information
 * loaded and the devices attached; not started. */
static struct vm *vmm_build(struct vmm_vm *v, const struct store_vm *cfg,
			    struct vmm_err *e)
{
	struct vm_config vc = {
		.name = cfg->name,
		.vcpus = cfg->vcpus,
		.ram_bytes = cfg->mem_mb << 20,
		.entry_cs = 0,
		.entry_ip = VMM_BOOT_KERNEL_GPA,
	};
	struct ds_file_info kfi;
	struct vmm_kernel k;
	struct vlinux_layout l;
	char line[VMM_BOOT_LINUX_CMDLINE_MAX + 1];
	uint64_t isize = 0;
	uint8_t *chunk = NULL;
	size_t chunk_len = 256 * 1024;
	struct vm *vm;
	int rc;

	if (vmm_check_boot(cfg, &k, &l, &isize, line, e))
		return NULL;
	if (vmm_file("kernel", cfg->kernel, &kfi, e))
		return NULL;
	if (k.is_linux) {
		/* The PC memory map of vdev/vplat.h: RAM below 4 GiB ends
		 * at the PCI hole; vCPU 0 starts in vlinux's trampoline. */
		vc.entry_cs = VLINUX_ENTRY_CS;
		vc.entry_ip = VLINUX_ENTRY_IP;
		vc.ram_hole = VPLAT_LOWMEM_MAX;
	}
	vm = vm_create(&vc);
	if (!vm) {
		vmm_fail(e, RPC_ERR_LIMIT, "the VM could not be created (%s)",
			 hv ? "out of memory for its RAM tables or vCPUs"
			    : "this host has no hardware virtualization");
		return NULL;
	}
	chunk = malloc(chunk_len);
	if (!chunk) {
		vmm_fail(e, RPC_INTERNAL_ERROR, "out of memory");
		goto fail;
	}
	vuart_reset(&v->uart);
	if (k.is_linux) {
		struct vplat_config pc = { .vcpus = vc.vcpus,
					   .ram_bytes = vc.ram_bytes };
		rc = vplat_create(vm, &pc);
	} else {
		rc = vlapic_attach(vm);
	}
	if (!rc)
		rc = vuart_attach(&v->uart, vm, VUART_COM1);
	if (rc) {
		vmm_fail(e, RPC_INTERNAL_ERROR, "devices not attached (%d)",
			 rc);
		goto fail;
	}
	if (vmm_dev_attach(v, vm, cfg, e))
		goto fail;
	if (k.is_linux ? vmm_load_linux(vm, cfg, &k, &l, line, chunk,
					chunk_len, e)
		       : vmm_load_flat(vm, cfg, kfi.size, isize, chunk,
				       chunk_len, e))
		goto fail;
	free(chunk);
	return vm;
fail:
	free(chunk);
	vmm_dev_quiesce(v);
	vm_destroy(vm);
	vmm_dev_detach(v);
	return NULL;
}

static void vmm_watch(void *arg);
static int vmm_boot(struct vmm_vm *v, const char *who, struct vmm_err *e);

/* Under vmm_mx, @v "stopping" after a guest reset: the checks vm.reset
 * makes before it starts the VM again; 0 and "starting", or the reason
 * in stop_reason. */
static int vmm_guest_restart(struct vmm_vm *v)
{
	struct vmm_err e = { 0 };

	if (vmm_mem_check(v, v->cfg.mem_mb, &e)) {
		fmt_snprintf(v->stop_reason, sizeof(v->stop_reason),
			     "guest reset, not started again: %s", e.msg);
		return e.code;
	}
	v->state = VMM_STARTING;
	return 0;
}

struct vmm_watch_arg {
	struct vmm_vm *v;
	struct vm *vm;
	bool heap; /* a watcher thread's: freed by it */
};

/*
 * @v is "starting" and holds a reference for us: build and start an
 * instance. Leaves it "running" (the watcher owns the reference then) or
 * "stopped" with the reason.
 */
static int vmm_boot(struct vmm_vm *v, const char *who, struct vmm_err *e)
{
	struct store_vm cfg;
	struct vm *vm;

	vmm_lock();
	cfg = v->cfg;
	vmm_unlock();
	vm = vmm_build(v, &cfg, e);

	vmm_lock();
	if (!vm) {
		v->state = VMM_STOPPED;
		fmt_snprintf(v->stop_reason, sizeof(v->stop_reason),
			     "did not start: %s", e->msg);
		log_warn("vmm: %s: %s could not start it: %s", cfg.name, who,
			 e->msg);
		waitq_wake_all(&vmm_state_wq);
		vmm_put(v);
		vmm_unlock();
		return e->code;
	}
	struct vmm_watch_arg *wa = malloc(sizeof(*wa));

	v->vm = vm;
	v->state = VMM_RUNNING;
	v->starts++;
	v->start_ns = time_ns();
	v->stop_reason[0] = '\0';
	vm_start(vm);
	char tname[24];
	fmt_snprintf(tname, sizeof(tname), "vmm-watch%u", vm->id);
	if (wa) {
		*wa = (struct vmm_watch_arg){ v, vm, true };
		if (!thread_create(tname, vmm_watch, wa, NULL)) {
			free(wa);
			wa = NULL;
		}
	}
	log_info("vmm: %s started by %s (vm %u, %u vCPUs, %llu MiB, kernel "
		 "%s)",
		 cfg.name, who, vm->id, cfg.vcpus,
		 (unsigned long long)cfg.mem_mb, cfg.kernel);
	waitq_wake_all(&vmm_state_wq);
	vmm_unlock();
	if (!wa) {
		/* No watcher: nobody could reap it later, so stop it now. */
		vm_stop(vm, "no memory for the VM's watcher");
		struct vmm_watch_arg local = { v, vm, false };
		vmm_watch(&local);
		return vmm_fail(e, RPC_INTERNAL_ERROR,
				"out of memory while starting the VM");
	}
	return 0;
}

/* Under vmm_mx: "stopped" -> "starting", with a reference for the caller. */
static int vmm_claim_start(struct vmm_vm *v, struct vmm_err *e)
{
	if (v->state != VMM_STOPPED)
		return vmm_fail(e, RPC_ERR_BAD_STATE, "VM \"%s\" is %s",
				v->cfg.name, vmm_state_name(v->state));
	if (!hv)
		return vmm_fail(e, RPC_ERR_UNSUPPORTED,
				"this host has no hardware virtualization "
				"(VT-x with EPT or AMD-V with NPT)");
	if (v->cfg.vcpus > percpu_online)
		return vmm_fail(e, RPC_ERR_LIMIT,
				"VM \"%s\" has %u vCPUs; this host has %u CPUs",
				v->cfg.name, v->cfg.vcpus, percpu_online);
	int rc = vmm_mem_check(v, v->cfg.mem_mb, e);
	if (rc)
		return rc;
	v->state = VMM_STARTING;
	v->refs++;
	/* A start by a person begins a new count of guest resets. */
	memset(v->reset_ns, 0, sizeof(v->reset_ns));
	return 0;
}

int vmm_start(const char *name, const char *who, struct vmm_err *e)
{
	struct vmm_vm *v;
	int rc;

	vmm_wait_ready();
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	rc = v ? vmm_claim_start(v, e) : e->code;
	vmm_unlock();
	if (rc)
		return rc;
	return vmm_boot(v, who, e);
}

/* ---- Stopping ------------------------------------------------------------ */

/*
 * Under vmm_mx: a guest reset (VM_STOP_RESET) of @v, which is
 * "stopping" and no host call asked for: true to start it again, false
 * (with the stop reason) when it resets in a loop.
 */
static bool vmm_guest_reset_ok(struct vmm_vm *v, uint64_t now)
{
	uint64_t oldest;

	v->resets++;
	v->reset_ns[v->reset_idx] = now;
	v->reset_idx = (v->reset_idx + 1) % VMM_RESET_LOOP_N;
	/* The ring holds the last VMM_RESET_LOOP_N resets, this one the
	 * newest: all of them recent is a loop. */
	oldest = v->reset_ns[v->reset_idx];
	if (oldest && now - oldest < VMM_RESET_LOOP_NS) {
		fmt_snprintf(v->stop_reason, sizeof(v->stop_reason),
			     "reset loop: the guest reset %u times in %llu s",
			     VMM_RESET_LOOP_N,
			     (unsigned long long)(VMM_RESET_LOOP_NS /
						  1000000000ull));
		return false;
	}
	return true;
}

/* The instance's vCPUs have all left: keep the figures, free it. A
 * guest power-off stops the VM; a guest reset starts a fresh instance
 * (kernel reloaded, disks reopened) as vm.reset does. */
static void vmm_watch(void *arg)
{
	struct vmm_watch_arg a = *(struct vmm_watch_arg *)arg;
	struct vmm_vm *v = a.v;
	struct vm *vm = a.vm;
	enum vm_stop_kind kind;
	bool host_stop, restart = false;

	if (a.heap)
		free(arg);
	vm_wait_stopped(vm);

	vmm_lock();
	vmm_dev_quiesce(v);
	kind = vm->stop_kind;
	/* vm.stop or vm.reset set "stopping" before they stopped it. */
	host_stop = v->state == VMM_STOPPING;
	v->stop_ns = time_ns();
	v->cpu_ns = vm_cpu_time_ns(vm);
	v->exits_total = 0;
	memset(v->exits, 0, sizeof(v->exits));
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		v->exits_total += vm->vcpus[i].exits_total;
		for (unsigned int k = 0; k < VM_EXIT_COUNT; k++)
			v->exits[k] += vm->vcpus[i].exits[k];
	}
	memcpy(v->stop_reason, vm->stop_reason, sizeof(v->stop_reason));
	if (!v->stop_reason[0])
		strcpy(v->stop_reason, "every vCPU stopped");
	if (!host_stop && kind == VM_STOP_POWEROFF) {
		log_info("vmm: %s: guest powered off (%s)", v->cfg.name,
			 v->stop_reason);
		strcpy(v->stop_reason, "guest powered off");
	} else if (!host_stop && kind == VM_STOP_RESET) {
		log_info("vmm: %s: guest reset (%s)", v->cfg.name,
			 v->stop_reason);
		restart = vmm_guest_reset_ok(v, v->stop_ns);
		if (!restart)
			log_warn("vmm: %s: %s; stopped instead of started "
				 "again",
				 v->cfg.name, v->stop_reason);
	}
	v->vm = NULL;
	v->state = VMM_STOPPING; /* a guest that stopped by itself */
	vmm_unlock();

	vm_destroy(vm);
	vmm_dev_detach(v);

	vmm_lock();
	if (v->resetting) {
		v->resetting = false;
		v->state = VMM_STARTING; /* the resetter goes on from here */
	} else if (restart && !vmm_guest_restart(v)) {
		/* "starting", our reference passed on to vmm_boot below. */
		waitq_wake_all(&vmm_state_wq);
		vmm_unlock();
		struct vmm_err e = { 0 };
		vmm_boot(v, "a guest reset", &e);
		return;
	} else {
		v->state = VMM_STOPPED;
		log_info("vmm: %s stopped: %s", v->cfg.name, v->stop_reason);
	}
	waitq_wake_all(&vmm_state_wq);
	vmm_put(v);
	vmm_unlock();
}

static bool vmm_not_stopping(void *arg)
{
	struct vmm_vm *v = arg;

	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) != VMM_STOPPING;
}

/* Sleep (vmm_mx not held, a reference held) until @v leaves "stopping"
 * or the time is up. */
static bool vmm_wait_stop(struct vmm_vm *v)
{
	uint64_t deadline = time_ns() + VMM_STOP_WAIT_NS;

	while (!vmm_not_stopping(v)) {
		uint64_t now = time_ns();
		if (now >= deadline)
			return false;
		waitq_wait_timeout(&vmm_state_wq, vmm_not_stopping, v,
				   deadline - now);
	}
	return true;
}

/* Under vmm_mx: ask a running @v to stop. */
static int vmm_ask_stop(struct vmm_vm *v, const char *why, struct vmm_err *e)
{
	switch (v->state) {
	case VMM_RUNNING:
		v->state = VMM_STOPPING;
		vm_stop(v->vm, why);
		return 0;
	case VMM_STOPPING:
		return 0; /* already on its way: wait with the others */
	case VMM_STARTING:
		return vmm_fail(e, RPC_ERR_BUSY,
				"VM \"%s\" is starting; try again in a moment",
				v->cfg.name);
	default:
		return vmm_fail(e, RPC_ERR_BAD_STATE,
				"VM \"%s\" is not running", v->cfg.name);
	}
}

int vmm_stop(const char *name, const char *who, struct vmm_err *e)
{
	struct vmm_vm *v;
	char why[96];
	int rc;

	vmm_wait_ready();
	fmt_snprintf(why, sizeof(why), "stopped by %s", who);
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	rc = v ? vmm_ask_stop(v, why, e) : e->code;
	if (!rc) {
		/* A stop wins over a reset under way. */
		v->resetting = false;
		v->reset_owner = NULL;
		v->refs++;
	}
	vmm_unlock();
	if (rc)
		return rc;
	bool done = vmm_wait_stop(v);
	vmm_lock();
	if (!done)
		rc = vmm_fail(
		    e, RPC_ERR_BUSY,
		    "VM \"%s\" did not stop within %llu s; it is "
		    "still stopping",
		    name,
		    (unsigned long long)(VMM_STOP_WAIT_NS / 1000000000ull));
	vmm_put(v);
	vmm_unlock();
	return rc;
}

int vmm_reset(const char *name, const char *who, struct vmm_err *e)
{
	struct vmm_vm *v;
	char why[96];
	int rc;

	vmm_wait_ready();
	fmt_snprintf(why, sizeof(why), "reset by %s", who);
	vmm_lock();
	v = vmm_find_or_fail(name, e);
	if (!v) {
		rc = e->code;
	} else if (v->state != VMM_RUNNING) {
		rc = vmm_fail(e, RPC_ERR_BAD_STATE,
			      "VM \"%s\" is %s; only a running VM is reset",
			      name, vmm_state_name(v->state));
	} else {
		rc = vmm_ask_stop(v, why, e);
		v->resetting = true;
		v->reset_owner = thread_current();
		v->refs++;
	}
	vmm_unlock();
	if (rc)
		return rc;
	bool done = vmm_wait_stop(v);
	vmm_lock();
	if (v->state == VMM_STARTING && v->reset_owner == thread_current()) {
		/* Ours: the watcher handed it on. Same checks as vm.start. */
		v->reset_owner = NULL;
		rc = vmm_mem_check(v, v->cfg.mem_mb, e);
		if (rc) {
			v->state = VMM_STOPPED;
			fmt_snprintf(v->stop_reason, sizeof(v->stop_reason),
				     "reset did not start it again: %s",
				     e->msg);
			waitq_wake_all(&vmm_state_wq);
		}
	} else {
		if (!done)
			rc = vmm_fail(e, RPC_ERR_BUSY,
				      "VM \"%s\" did not stop within %llu s; "
				      "it will stop, but not start again",
				      name,
				      (unsigned long long)(VMM_STOP_WAIT_NS /
							   1000000000ull));
		else
			rc = vmm_fail(e, RPC_ERR_BAD_STATE,
				      "VM \"%s\" was stopped during the reset",
				      name);
		if (v->reset_owner == thread_current()) {
			v->resetting = false;
			v->reset_owner = NULL;
		}
	}
	if (rc) {
		vmm_put(v);
		vmm_unlock();
		return rc;
	}
	vmm_unlock();
	/* The reference taken above is the one vmm_boot consumes. */
	return vmm_boot(v, who, e);
}
