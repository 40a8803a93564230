/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue (virtio 1.1 section 2.6): a descriptor table, the
 * available ring the driver fills and the used ring the device fills, all
 * in one block of DMA memory the caller provides. This file knows nothing
 * of PCI: the transport (drivers/virtio_pci.c) tells the device where the
 * three parts are and supplies the notify hook, so the ring logic runs
 * unchanged in host unit tests against a fake device.
 *
 * Everything the device writes back (used.idx, each used element's id
 * and len) is checked before it is believed: a value out of range marks
 * the queue broken (logged once), after which nothing more is taken from
 * it and the driver resets the device. No device value can make us read
 * or write outside the ring or hand back a buffer twice.
 *
 * Not thread-safe: each driver serialises access to its own queues.
 */
#ifndef KEEL_DRIVERS_VIRTQUEUE_H
#define KEEL_DRIVERS_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 1024 /* our cap; the spec allows 32768 */

/* Descriptor flags (2.6.5). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
/* Ring flags (2.6.6, 2.6.8): interrupt/notification suppression hints. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* then used_event, unused: no EVENT_IDX */
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain the device used */
	uint32_t len; /* bytes it wrote into the chain */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* One piece of a request: bus address and length. */
struct virtq_buf {
	uint64_t phys;
	uint32_t len;
};

struct virtq {
	const char *name; /* "vblk0 rq", for log lines */
	uint16_t index;	  /* queue number on the device */
	uint16_t num;	  /* ring size, a power of two */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint64_t desc_phys, avail_phys, used_phys;

	uint16_t free_head; /* free descriptors, chained by next */
	uint16_t num_free;
	uint16_t avail_idx; /* our copy of avail->idx */
	uint16_t last_used; /* used entries consumed so far */
	uint16_t added;	    /* added since the last kick */
	uint16_t inflight;  /* chains the device holds */
	bool broken;	    /* the device wrote nonsense: stop */

	/* Per head: the caller's cookie (NULL: not in flight), chain length
	 * and the bytes the device may write (the bound for used len). */
	void **cookie;
	uint16_t *chain_len;
	uint32_t *in_len;

	/* Ring the doorbell (the transport's); may be NULL in tests. */
	void (*notify)(struct virtq *vq);
	void *notify_arg;
};

/* Bytes of DMA memory a ring of @num entries needs (4 KiB aligned). */
size_t virtq_mem_size(uint16_t num);
/*
 * Lay out a ring of @num entries (a power of two, <= VIRTQ_MAX_SIZE) in
 * @mem (virtq_mem_size bytes, zeroed, at bus address @phys). @meta holds
 * the per-descriptor bookkeeping: virtq_meta_size(num) bytes of ordinary
 * memory. 0 or -EINVAL.
 */
size_t virtq_meta_size(uint16_t num);
int virtq_init(struct virtq *vq, const char *name, uint16_t index, uint16_t num,
	       void *mem, uint64_t phys, void *meta);
/*
 * Forget everything in flight and start the ring afresh (after a device
 * reset): the memory is zeroed and the free list rebuilt.
 */
void virtq_reset(struct virtq *vq);

/*
 * Queue one request: @nout device-readable buffers then @nin
 * device-writable ones, as one descriptor chain. @cookie (non-NULL) comes
 * back from virtq_get_used. Not visible to the device until virtq_kick.
 * 0, -ENOSPC (not enough free descriptors), -EINVAL, -EIO (broken).
 */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int nout,
	      unsigned int nin, void *cookie);
/* Publish what virtq_add queued and notify the device if it wants. */
void virtq_kick(struct virtq *vq);
/* Is there a used entry we have not taken yet? (false when broken) */
bool virtq_has_used(struct virtq *vq);
/*
 * Take the next used entry: its cookie, and in *@len the bytes the device
 * wrote (checked against the chain's writable size). NULL when there is
 * none, or when the device wrote nonsense (then vq->broken is set).
 */
void *virtq_get_used(struct virtq *vq, uint32_t *len);
/*
 * Hand every in-flight chain back (after a device reset, or on a broken
 * queue): @fn(cookie, arg) for each, then the free list is whole again.
 */
void virtq_drain(struct virtq *vq, void (*fn)(void *cookie, void *arg),
		 void *arg);
/* Ask the device not to interrupt (a hint, 2.6.7). */
void virtq_disable_irq(struct virtq *vq, bool off);

#endif
