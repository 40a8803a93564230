// SPDX-License-Identifier: MIT
/* TEMP: lead deletes at merge. Weak stand-ins for vdev/vpci.c (helper
 * `pci`) so the virtio devices link before the PCI bus exists. */
#include <errno.h>

#include "vdev/vpci.h"

/* TEMP: lead deletes at merge */
__attribute__((weak)) int vpci_cap_add(struct vpci_dev *d, uint8_t id,
				       const void *body, const void *wmask,
				       size_t len)
{
	return -ENOSPC;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) int vpci_add(struct vm *vm, struct vpci_dev *d)
{
	return -ENOSPC;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) bool vpci_msix_notify(struct vpci_dev *d,
					    unsigned int vector)
{
	return false;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) bool vpci_bus_master(struct vpci_dev *d)
{
	return false;
}
