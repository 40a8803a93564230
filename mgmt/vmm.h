/* SPDX-License-Identifier: MIT */
/*
 * The VM manager (docs/vm.md): the VM inventory in the store on one side,
 * running struct vm instances (core/vm.h) on the other. Every vm.* RPC
 * method (mgmt/rpc_vm.c) and the boot-time autostart go through here, so
 * the state rules live in one place:
 *
 *   stopped --start--> starting --> running --stop/guest--> stopping
 *      ^                                                         |
 *      +---------------------------------------------------------+
 *
 * "starting" and "stopping" are held while the manager's lock is dropped
 * (reading a kernel from the datastore, waiting for vCPUs to leave), so a
 * second caller sees them and is refused instead of racing.
 *
 * Each call fills a struct vmm_err with a JSON-RPC code (mgmt/rpc.h) and
 * a message a person can act on when it fails; it returns 0 or that code.
 * Any thread may call; calls may block (the store, the datastore).
 */
#ifndef KEEL_MGMT_VMM_H
#define KEEL_MGMT_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vm.h"
#include "datastore/ds.h"
#include "store/store.h"

#define VMM_MAX_VMS 64
#define VMM_NAME_MAX 31 /* struct vm's name[32] */
#define VMM_MEM_MIN_MB 16
#define VMM_MEM_MAX_MB (512 * 1024) /* core/vm.c's limit */
#define VMM_CON_SIZE (64 * 1024)    /* console ring per VM */
#define VMM_CMDLINE_MAX (STORE_VM_CMDLINE_MAX - 1)
/* Memory the host keeps for itself when VMs are sized against it. */
#define VMM_HOST_RESERVE (64ull << 20)
/* How long vm.stop/vm.reset wait for the vCPUs to leave. */
#define VMM_STOP_WAIT_NS (10 * 1000000000ull)
/* How long autostart waits at boot for the datastore to be mounted. */
#define VMM_DS_WAIT_NS (60 * 1000000000ull)

struct vmm_err {
	int code; /* RPC_* from mgmt/rpc.h; 0: no error */
	char msg[200];
};

enum vmm_state { VMM_STOPPED, VMM_STARTING, VMM_RUNNING, VMM_STOPPING };

struct vmm_create_req {
	const char *name;
	unsigned int vcpus;
	uint64_t memory_mb;
	const char *kernel; /* datastore file names */
	const char *initrd; /* NULL or "": none */
	const char *cmdline;
	bool autostart;
	/* Datastore disk files (datastore.create), virtio-blk 0, 1 ... */
	const char *disks[STORE_VM_DISKS_MAX];
	unsigned int ndisks;
};

/* What vm.info, vm.list and vm.stats show: one consistent snapshot. */
struct vmm_info {
	struct store_vm cfg;
	enum vmm_state state;
	unsigned int starts;  /* since Keel booted */
	unsigned int resets;  /* guest-initiated resets, since Keel booted */
	char stop_reason[96]; /* the last run's, "" if it never ran */
	uint64_t run_ns;      /* this run so far, or the last run's length */
	uint64_t cpu_ns;      /* vCPU thread time of this or the last run */
	uint64_t exits_total;
	uint64_t exits[VM_EXIT_COUNT];
	uint64_t ram_bytes;    /* configured guest RAM */
	uint64_t ram_backed;   /* guest RAM backed by host frames now */
	uint64_t overhead;     /* Keel's own memory for this VM, estimated */
	uint64_t console_head; /* bytes the guest ever wrote (the cursor) */
	uint64_t console_tx, console_rx; /* UART bytes out/in this boot */
};

/* Where kernels and initrds come from: the datastore unless a test says
 * otherwise (mgmt/vmm_selftest.c uses a RAM table). NULL: the datastore. */
struct vmm_files {
	int (*stat)(const char *name, struct ds_file_info *out);
	long (*read)(const char *name, uint64_t off, void *buf, size_t len);
};
void vmm_set_files(const struct vmm_files *f);

int vmm_create(const struct vmm_create_req *r, struct vmm_err *e);
/* Up to @max VMs, by inventory id; the count. */
int vmm_list(struct vmm_info *out, int max, struct vmm_err *e);
int vmm_info(const char *name, struct vmm_info *out, struct vmm_err *e);
/* @who names the caller in the log and the stop reason. */
int vmm_start(const char *name, const char *who, struct vmm_err *e);
int vmm_stop(const char *name, const char *who, struct vmm_err *e);
int vmm_reset(const char *name, const char *who, struct vmm_err *e);
int vmm_destroy(const char *name, struct vmm_err *e);
int vmm_autostart(const char *name, bool on, struct vmm_err *e);

/*
 * Console: the guest's COM1 output, VMM_CON_SIZE bytes kept per VM
 * across stops and resets until vm.destroy. @cursor is a byte offset in
 * everything the guest ever wrote (VMM_CURSOR_OLDEST: the oldest byte
 * still kept). Copies up to @max bytes to @buf; @next is the cursor to
 * pass next time, @lost the bytes between @cursor and the oldest kept
 * (overwritten before they were read). Returns the bytes copied, or the
 * (negative) RPC code.
 */
#define VMM_CURSOR_OLDEST UINT64_MAX
long vmm_console_read(const char *name, uint64_t cursor, void *buf, size_t max,
		      uint64_t *next, uint64_t *lost, struct vmm_err *e);
/* Input for the guest's COM1; the bytes taken (fewer when the guest is
 * not reading), or the RPC code (RPC_ERR_BAD_STATE when not running). */
long vmm_console_write(const char *name, const void *data, size_t len,
		       struct vmm_err *e);

const char *vmm_state_name(enum vmm_state s);
/* Block until the inventory is loaded from the store (at boot). */
void vmm_wait_ready(void);

#endif
