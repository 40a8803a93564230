/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.1 section 5.2) over the modern PCI transport, as a
 * struct blk_dev named vblk0, vblk1, ... in PCI order. docs/virtio.md.
 */
#ifndef KEEL_DRIVERS_VIRTIO_BLK_H
#define KEEL_DRIVERS_VIRTIO_BLK_H

#include <stdint.h>

#include "drivers/blk.h"

/* Per-disk counters (for host statistics). */
struct vblk_stats {
	uint64_t requests, errors, timeouts, resets;
};

/* Its counters; -ENODEV if @dev is not a virtio disk. */
int vblk_stats(struct blk_dev *dev, struct vblk_stats *out);

#endif
