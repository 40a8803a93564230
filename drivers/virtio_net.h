/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio 1.1 section 5.1) over the modern PCI transport, as a
 * struct nic (drivers/nic.h). docs/virtio.md.
 */
#ifndef KEEL_DRIVERS_VIRTIO_NET_H
#define KEEL_DRIVERS_VIRTIO_NET_H

#include "drivers/nic.h"

/* The @i-th virtio NIC bound (0-based), or NULL. */
struct nic *vnet_get(unsigned int i);

#endif
