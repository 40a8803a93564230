/* SPDX-License-Identifier: MIT */
/*
 * A Linux VM's devices as the VM manager wires them (mgmt/vmm_dev.c):
 * COM1's interrupt, virtio-blk per datastore disk, virtio-console into
 * the console ring, virtio-rng from the host DRBG. For mgmt/vmm*.c.
 */
#ifndef KEEL_MGMT_VMM_DEV_H
#define KEEL_MGMT_VMM_DEV_H

#include "datastore/ds.h"
#include "store/store.h"

struct vm;
struct vmm_vm;
struct vmm_err;
struct virtio_con;

/* One disk of a run: the open datastore disk (NULL once closed). */
struct vmm_dev_disk {
	struct ds_disk *ds;
};

/* A run's devices, kept in the VM's entry. */
struct vmm_dev {
	struct vmm_dev_disk disk[STORE_VM_DISKS_MAX];
	struct virtio_con *con;
};

/* After vplat_create, before vm_start: every device above. Nothing for
 * a VM without a platform (the flat test guests). On failure the caller
 * destroys the VM, then calls vmm_dev_detach. */
int vmm_dev_attach(struct vmm_vm *v, struct vm *vm,
		   const struct store_vm *cfg, struct vmm_err *e);
/* The run is over (vCPUs gone), before vm_destroy: unhook what outlives
 * the instance (COM1's interrupt line). */
void vmm_dev_quiesce(struct vmm_vm *v);
/* After vm_destroy: close the disks the devices did not release. */
void vmm_dev_detach(struct vmm_vm *v);

#endif
