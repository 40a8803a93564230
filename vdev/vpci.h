/* SPDX-License-Identifier: MIT */
/*
 * The VM's PCI bus 0 (docs/vplat.md): a host bridge at 00.0, devices at
 * 01.0 onwards, configuration through mechanism 1 (ports 0xcf8/0xcfc,
 * PCI Local Bus 3.0 section 3.2.2.3.2) and ECAM (PCIe Base 4.0 section
 * 7.2.2) at VPLAT_ECAM_BASE. BARs start where a BIOS would have put them
 * (inside the VPLAT_PCI_MMIO / VPLAT_PCI_IO windows) and follow the
 * guest's writes: vpci claims the windows once on the VM's bus and routes
 * each access to the BAR that decodes it now (memory / I/O space enable
 * in the command register honoured), so moving a BAR needs no iobus
 * change. MSI-X (PCI 3.0 section 6.8.2) lives here too: the table and
 * PBA sit in a BAR of the device's choosing; devices only call
 * vpci_msix_notify().
 *
 * Nonsense from the guest (a BAR moved over RAM or another BAR, a
 * capability pointer loop, a 0 address in an MSI-X entry) gets what real
 * hardware does: the BAR decodes where it was told and loses to RAM
 * (stage-2 maps RAM first), a masked or invalid vector is not sent.
 */
#ifndef KEEL_VDEV_VPCI_H
#define KEEL_VDEV_VPCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"

struct vm;
struct vcpu;
struct vpci_dev;

#define VPCI_CFG_SIZE 4096 /* PCIe extended configuration space */
#define VPCI_BARS 6
#define VPCI_SLOTS 32

/* One access to a BAR: @off from its start, @size 1/2/4/8. */
typedef int (*vpci_bar_fn)(struct vpci_dev *d, unsigned int bar, uint64_t off,
			   unsigned int size, bool write, uint64_t *data);

struct vpci_bar {
	uint64_t size; /* 0: not implemented; a power of two >= 16 (I/O 4) */
	bool io;       /* I/O space instead of memory */
	bool is64;     /* 64-bit memory BAR (takes the next BAR too) */
	bool prefetch;
	vpci_bar_fn fn;
	uint64_t addr; /* current base, as the guest programmed it (vpci) */
};

struct vpci_dev {
	/* The device fills these before vpci_add(). */
	const char *name;
	uint16_t vendor, device, subsys_vendor, subsys_id;
	uint8_t revision;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	struct vpci_bar bar[VPCI_BARS];
	/* MSI-X: @msix_vectors entries (0: none); the table at @msix_off in
	 * BAR @msix_bar, the PBA right after it (8-byte aligned). The
	 * device's own fn never sees those bytes. */
	unsigned int msix_vectors;
	unsigned int msix_bar;
	uint32_t msix_off;
	/* Optional: told after a config write vpci has applied (virtio's
	 * VIRTIO_PCI_CAP_PCI_CFG window), or asked for a read vpci does not
	 * answer itself; may be NULL. */
	void (*cfg_write)(struct vpci_dev *d, unsigned int off, unsigned int size,
			  uint32_t val);
	void *opaque; /* the device's state */
	/* Optional: vpci_destroy calls it for each device once no vCPU
	 * runs; the device stops its threads and frees its state (@d is
	 * the device's memory, vpci does not free it). May be NULL. */
	void (*release)(struct vpci_dev *d);

	/* vpci's from here on. */
	struct vm *vm;
	unsigned int slot;
	struct spinlock lock; /* cfg, wmask, MSI-X table, BAR addresses */
	uint8_t cfg[VPCI_CFG_SIZE];
	uint8_t wmask[VPCI_CFG_SIZE]; /* bits the guest may write */
	uint8_t cap_next;	      /* where the next capability goes */
	uint8_t msix_cap;	      /* offset of the MSI-X capability, 0 none */
	uint32_t *msix_table;	      /* 4 dwords per vector */
	uint64_t *msix_pba;
};

/*
 * Add a vendor-specific (or any) capability to @d before vpci_add: @body
 * is everything after the ID and next-pointer bytes (@len bytes), read
 * only to the guest unless @wmask (same length, may be NULL) allows bits.
 * Returns its offset in config space, or -ENOSPC.
 */
int vpci_cap_add(struct vpci_dev *d, uint8_t id, const void *body,
		 const void *wmask, size_t len);
/*
 * Put @d on @vm's bus 0 at the next free slot, with its BARs assigned
 * inside the windows. Before the VM starts. -ENOSPC (no slot, no room in
 * a window), -EINVAL (a bad BAR size).
 */
int vpci_add(struct vm *vm, struct vpci_dev *d);
/* Create the bus (the host bridge, the port and ECAM claims) for @vm.
 * vplat_create calls it; devices are added after. */
int vpci_create(struct vm *vm);
void vpci_destroy(struct vm *vm);
/*
 * Signal MSI-X vector @vector of @d: sent now (vlapic_msi) when MSI-X is
 * enabled, the function and the entry unmasked; else its PBA bit is set
 * and it is sent when unmasked (PCI 3.0 6.8.2.9). Any thread. Returns
 * false when MSI-X is off (the device may fall back to nothing: Keel's
 * devices need MSI-X).
 */
bool vpci_msix_notify(struct vpci_dev *d, unsigned int vector);
/* The command register's Bus Master Enable: DMA (virtqueue access) only
 * while set, as a real device. */
bool vpci_bus_master(struct vpci_dev *d);

#endif
