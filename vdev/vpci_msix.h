/* SPDX-License-Identifier: MIT */
/*
 * MSI-X inside vpci (PCI Local Bus 3.0 section 6.8.2): the capability,
 * the table and PBA in a device's BAR, masking and pending bits. Internal
 * to vdev/vpci.c and vdev/vpci_msix.c; devices use vdev/vpci.h.
 */
#ifndef KEEL_VDEV_VPCI_MSIX_H
#define KEEL_VDEV_VPCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vpci.h"

#define VPCI_CAP_MSIX 0x11
#define VPCI_MSIX_ENTRY 16 /* bytes per table entry */

/* Bytes of table plus PBA for @d (0 without MSI-X). */
size_t vpci_msix_mem_size(const struct vpci_dev *d);
/* Check the layout, point the table and PBA at @mem (vpci_msix_mem_size
 * bytes, zeroed), mask every vector and add the capability. -EINVAL for
 * a table or PBA outside its BAR, -ENOSPC for no room for the
 * capability. */
int vpci_msix_setup(struct vpci_dev *d, void *mem);
/* Whether [@off, @off+@size) of BAR @bar touches the table or the PBA. */
bool vpci_msix_claims(const struct vpci_dev *d, unsigned int bar, uint64_t off,
		      unsigned int size);
/* A guest access to the table or PBA (d->lock not held). */
void vpci_msix_access(struct vpci_dev *d, uint64_t off, unsigned int size,
		      bool write, uint64_t *data);
/* After a config write with d->lock held: send the pending vectors that
 * the write unmasked (Function Mask cleared, MSI-X Enable set). */
void vpci_msix_cfg_written(struct vpci_dev *d);

#endif
