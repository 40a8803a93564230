/* SPDX-License-Identifier: MIT */
/*
 * virtio 1.x devices over PCI, modern only (OASIS virtio v1.1/1.2 section
 * 4.1): the transport and split virtqueues in vdev/virtio_pci.c and
 * vdev/virtq.c, the devices in vdev/virtio_blk.c, virtio_con.c and
 * virtio_rng.c. Everything the guest puts in a ring is checked against
 * the ring's size and guest RAM before use; a malformed ring sets
 * DEVICE_NEEDS_RESET (section 2.1.2) and the device stops touching that
 * queue until the driver resets it (docs/virtio-guest.md).
 *
 * The VM manager (mgmt/) supplies the backends: vdev/ cannot name the
 * datastore or mbedTLS (ARCHITECTURE.md section 1).
 */
#ifndef KEEL_VDEV_VIRTIO_H
#define KEEL_VDEV_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* What a virtio-blk disk is stored in (a datastore file for the VMM). */
struct virtio_blk_backend {
	uint64_t size;	/* bytes; a multiple of 512 */
	bool read_only; /* VIRTIO_BLK_F_RO */
	char serial[21]; /* VIRTIO_BLK_T_GET_ID, NUL-padded (20 bytes used) */
	void *opaque;
	/* 0 or -errno (the request then completes VIRTIO_BLK_S_IOERR). They
	 * run on the device's I/O thread and may block. */
	int (*read)(void *opaque, uint64_t off, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t off, const void *buf, size_t len);
	/* Everything written before is on the host's disk when it returns 0. */
	int (*flush)(void *opaque);
	/* NULL: VIRTIO_BLK_F_DISCARD not offered. */
	int (*discard)(void *opaque, uint64_t off, uint64_t len);
	/* The VM is gone: the backend may release @opaque. */
	void (*release)(void *opaque);
};
/* A virtio-blk device on @vm's PCI bus (before the VM starts). */
int virtio_blk_add(struct vm *vm, const struct virtio_blk_backend *b);

/* virtio-console, one port (hvc0): what the guest writes goes to @tx
 * (the VM console ring); virtio_con_push gives the guest input. */
struct virtio_con;
struct virtio_con *virtio_con_add(struct vm *vm,
				  void (*tx)(void *opaque, const uint8_t *buf,
					     size_t len),
				  void *opaque);
size_t virtio_con_push(struct virtio_con *c, const uint8_t *buf, size_t len);

/* virtio-rng: @fill writes @len random bytes (the host DRBG), 0/-errno. */
int virtio_rng_add(struct vm *vm,
		   int (*fill)(void *opaque, void *buf, size_t len),
		   void *opaque);

#endif
