// SPDX-License-Identifier: MIT
/*
 * A Linux VM's devices beyond the platform (docs/vm.md "Devices"):
 * after vplat_create has built the virtual PC, the VM manager wires
 *
 *   - COM1 (the vUART kept in the VM's entry) to ISA IRQ 4 of the vPIC
 *     and vIOAPIC (vplat_isa_irq), level as its INTR output;
 *   - one virtio-blk per disk in the VM's inventory, backed by the
 *     datastore disk opened for this run (ds_disk_open: exclusive, so a
 *     disk can be in one running VM only, and cannot be deleted while
 *     it runs);
 *   - virtio-console, whose output joins the same console ring COM1
 *     writes to (vm.console.read shows both);
 *   - virtio-rng, fed by the host's CTR_DRBG (mgmt/tls.c
 *     mgmt_tls_random, the one the TLS endpoint draws from).
 *
 * vdev/ cannot name the datastore or mbedTLS (ARCHITECTURE.md section
 * 1), so the backends live here. The disks are closed by the virtio-blk
 * device's release when the VM is destroyed, or else by vmm_dev_detach
 * after vm_destroy: by then no I/O thread can reach them.
 */
#include "mgmt/vmm_dev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "mgmt/rpc.h"
#include "mgmt/tls.h"
#include "mgmt/vmm_boot.h"
#include "mgmt/vmm_con.h"
#include "mgmt/vmm_int.h"
#include "vdev/virtio.h"
#include "vdev/vplat.h"
#include "vdev/vuart.h"

#define VMM_DEV_COM1_IRQ 4

/* ---- COM1's interrupt ---------------------------------------------------- */

static void vmm_dev_uart_irq(void *opaque, bool level)
{
	vplat_isa_irq(opaque, VMM_DEV_COM1_IRQ, level);
}

/* ---- virtio-blk on a datastore disk -------------------------------------- */

static int vmm_dev_read(void *opaque, uint64_t off, void *buf, size_t len)
{
	struct vmm_dev_disk *d = opaque;

	return ds_pread(d->ds, off, buf, len);
}

static int vmm_dev_write(void *opaque, uint64_t off, const void *buf,
			 size_t len)
{
	struct vmm_dev_disk *d = opaque;

	return ds_pwrite(d->ds, off, buf, len);
}

static int vmm_dev_flush(void *opaque)
{
	struct vmm_dev_disk *d = opaque;

	return ds_flush(d->ds);
}

static int vmm_dev_discard(void *opaque, uint64_t off, uint64_t len)
{
	struct vmm_dev_disk *d = opaque;

	return ds_discard(d->ds, off, len);
}

/* The device is gone with its VM: nothing reaches the disk any more. */
static void vmm_dev_release(void *opaque)
{
	struct vmm_dev_disk *d = opaque;

	if (d->ds) {
		ds_disk_close(d->ds);
		d->ds = NULL;
	}
}

/* What ds_disk_open said, as an error a person can act on. */
static int vmm_dev_open_fail(const char *name, int rc, struct vmm_err *e)
{
	switch (rc) {
	case -EBUSY:
		return vmm_fail(e, RPC_ERR_BUSY,
				"disk \"%s\" is in use by another running VM",
				name);
	case -ENOENT:
		return vmm_fail(e, RPC_ERR_NOT_FOUND,
				"disk \"%s\" is not in the datastore "
				"(datastore.create makes one)",
				name);
	case -ENODEV:
		return vmm_fail(e, RPC_ERR_NO_DATASTORE,
				"no datastore is mounted, so disk \"%s\" "
				"cannot be opened",
				name);
	case -ENOTSUP:
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"\"%s\" is an uploaded file, not a virtual "
				"disk (datastore.create makes one)",
				name);
	default:
		return vmm_fail(e, RPC_ERR_IO,
				"disk \"%s\" cannot be opened (%d): damaged? "
				"datastore.list says",
				name, rc);
	}
}

static int vmm_dev_add_disk(struct vm *vm, struct vmm_dev_disk *d,
			    const char *name, unsigned int index,
			    struct vmm_err *e)
{
	int rc = ds_disk_open(name, &d->ds);

	if (rc)
		return vmm_dev_open_fail(name, rc, e);
	if (!vm->platform)
		return 0; /* held for the run, no device to see it */
	struct virtio_blk_backend b = {
		.opaque = d,
		.read = vmm_dev_read,
		.write = vmm_dev_write,
		.flush = vmm_dev_flush,
		.discard = vmm_dev_discard,
		.release = vmm_dev_release,
	};

	b.size = ds_disk_size(d->ds);
	/* GET_ID: the VM's name and the disk's slot, 20 bytes at most. */
	fmt_snprintf(b.serial, sizeof(b.serial), "%.16s-%u", vm->name, index);
	rc = virtio_blk_add(vm, &b);
	if (rc) {
		vmm_dev_release(d);
		return vmm_fail(e, RPC_INTERNAL_ERROR,
				"virtio-blk for disk \"%s\" not added (%d)",
				name, rc);
	}
	return 0;
}

/* ---- virtio-console and virtio-rng --------------------------------------- */

static void vmm_dev_con_tx(void *opaque, const uint8_t *buf, size_t len)
{
	vmm_con_put(opaque, buf, len);
}

static int vmm_dev_rng_fill(void *opaque, void *buf, size_t len)
{
	(void)opaque;
	return mgmt_tls_random(buf, len);
}

/* ---- Attach and detach --------------------------------------------------- */

int vmm_dev_attach(struct vmm_vm *v, struct vm *vm,
		   const struct store_vm *cfg, struct vmm_err *e)
{
	struct vmm_dev *dev = &v->dev;
	int rc;

	memset(dev, 0, sizeof(*dev));
	/* Every run holds its disks open, so no other VM can run on them
	 * and nobody deletes them meanwhile; only a VM with the platform
	 * (a Linux guest) sees them as devices. */
	for (unsigned int i = 0;
	     i < STORE_VM_DISKS_MAX && cfg->disks[i][0]; i++) {
		rc = vmm_dev_add_disk(vm, &dev->disk[i], cfg->disks[i], i, e);
		if (rc)
			return rc;
	}
	if (!vm->platform)
		return 0; /* a bare test guest: COM1 without an interrupt */
	vuart_set_irq(&v->uart, vmm_dev_uart_irq, vm);
	dev->con = virtio_con_add(vm, vmm_dev_con_tx, &v->con);
	if (!dev->con)
		return vmm_fail(e, RPC_INTERNAL_ERROR,
				"virtio-console not added");
	rc = virtio_rng_add(vm, vmm_dev_rng_fill, NULL);
	if (rc)
		return vmm_fail(e, RPC_INTERNAL_ERROR,
				"virtio-rng not added (%d)", rc);
	return 0;
}

void vmm_dev_quiesce(struct vmm_vm *v)
{
	/* The vUART outlives the instance: its line must not name it. */
	vuart_set_irq(&v->uart, NULL, NULL);
	v->dev.con = NULL;
}

void vmm_dev_detach(struct vmm_vm *v)
{
	for (unsigned int i = 0; i < STORE_VM_DISKS_MAX; i++)
		vmm_dev_release(&v->dev.disk[i]);
}
