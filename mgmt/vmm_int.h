/* SPDX-License-Identifier: MIT */
/*
 * What mgmt/vmm.c and mgmt/vmm_inv.c share: the entry of one VM and the
 * manager's lock (locking rules: mgmt/vmm.c). Not for other files.
 */
#ifndef KEEL_MGMT_VMM_INT_H
#define KEEL_MGMT_VMM_INT_H

#include "core/thread.h"
#include "mgmt/vmm.h"
#include "mgmt/vmm_con.h"
#include "mgmt/vmm_dev.h"
#include "vdev/vuart.h"

/* A guest that resets VMM_RESET_LOOP_N times within VMM_RESET_LOOP_NS
 * is stopped instead of restarted again. */
#define VMM_RESET_LOOP_N 6
#define VMM_RESET_LOOP_NS (10 * 1000000000ull)

struct vmm_vm {
	struct vmm_vm *next;
	unsigned int refs; /* the list's, plus each thread holding it */
	bool unlinked;	   /* vm.destroy took it off the list */
	struct store_vm cfg;
	enum vmm_state state;
	bool resetting; /* the watcher hands "stopping" on as "starting" */
	struct thread *reset_owner; /* ... to this vm.reset caller */
	struct vm *vm; /* the instance, from start until the reap */
	struct vmm_con con;
	struct vuart uart; /* kept across runs, reset at each start */
	struct vmm_dev dev; /* this run's devices (mgmt/vmm_dev.c) */
	/* Guest resets: when the last VMM_RESET_LOOP_N happened (a ring),
	 * to stop a guest that resets in a loop. */
	uint64_t reset_ns[VMM_RESET_LOOP_N];
	unsigned int reset_idx;
	/* This run, or the last one. */
	unsigned int starts;
	unsigned int resets; /* guest-initiated, since Keel booted */
	char stop_reason[96];
	uint64_t start_ns, stop_ns, cpu_ns;
	uint64_t exits_total, exits[VM_EXIT_COUNT];
};

/* The manager's mutex: a sleeping lock, not recursive. */
void vmm_lock(void);
void vmm_unlock(void);

/* Under vmm_lock: the VMs, by inventory id. */
extern struct vmm_vm *vmm_list_head;
extern unsigned int vmm_nvms;
/* Where kernels come from (vmm_set_files). */
extern const struct vmm_files vmm_ds_files;
extern const struct vmm_files *vmm_files;

/* Under vmm_lock. */
struct vmm_vm *vmm_find(const char *name);
struct vmm_vm *vmm_find_or_fail(const char *name, struct vmm_err *e);
/* A new entry for @cfg with its console ring and vUART (not linked, one
 * reference: the list's), or NULL. */
struct vmm_vm *vmm_entry_new(const struct store_vm *cfg);
void vmm_link(struct vmm_vm *v);
/* Drop a reference; an unlinked entry goes with the last one. */
void vmm_put(struct vmm_vm *v);
/* @mem_mb fits in what the host can give besides @except's. */
int vmm_mem_check(const struct vmm_vm *except, uint64_t mem_mb,
		  struct vmm_err *e);
/* The kernel and initrd of @cfg exist, are complete and bootable. */
int vmm_check_files(const struct store_vm *cfg, struct vmm_err *e);

/* mgmt/vmm_power_selftest.c: guest power-off and resets of the running
 * VM @name with @disk (keel.vmmtest=datastore). */
void vmm_power_selftest(const char *name, const char *disk,
			void (*verdict)(const char *, bool, const char *));

#endif
