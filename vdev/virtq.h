/* SPDX-License-Identifier: MIT */
/*
 * Device side of a split virtqueue (virtio v1.1 section 2.6; 2.7 in
 * v1.2), private to vdev/virtio_*.c. Every ring access goes through
 * gmem_read/gmem_write; every index, length and address the guest wrote
 * is checked before use. A malformed ring sets @err and the queue stops
 * (the transport then sets DEVICE_NEEDS_RESET, section 2.1.2).
 *
 * One thread at a time owns a queue (the device's worker thread): no
 * lock inside.
 */
#ifndef KEEL_VDEV_VIRTQ_H
#define KEEL_VDEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem;

#define VIRTQ_SIZE_MAX 256 /* what the devices offer in queue_size */
/* Segments one request may have: a full direct chain, or one indirect
 * table (at most VIRTQ_INDIRECT_MAX entries) after a few direct ones. */
#define VIRTQ_INDIRECT_MAX 256
#define VIRTQ_SEG_MAX (VIRTQ_SIZE_MAX + VIRTQ_INDIRECT_MAX)

/* Descriptor flags (2.6.5) and ring flags (2.6.6, 2.6.8). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* One guest buffer of a chain: readable segments come first (2.6.4.2). */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* A descriptor chain as device code sees it: bounded, checked. */
struct virtq_chain {
	uint16_t head;	     /* for virtq_push */
	unsigned int nseg;
	uint64_t rlen, wlen; /* total readable / writable bytes */
	struct virtq_seg seg[VIRTQ_SEG_MAX];
};

struct virtq_dev {
	struct gmem *mem;
	uint16_t size; /* entries, a power of two; 0: not set up */
	uint64_t desc, avail, used; /* GPAs of the three parts */
	bool event_idx;		    /* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;		    /* VIRTIO_F_RING_INDIRECT_DESC */
	uint16_t last_avail;	    /* next avail ring entry to take */
	uint16_t used_idx;	    /* our used->idx */
	uint16_t signalled;	    /* used_idx when we last decided to signal */
	const char *err;	    /* broken: why (NULL: fine) */
};

/*
 * Set up @vq over the addresses the driver wrote (queue_enable, 4.1.4.3):
 * size a power of two <= VIRTQ_SIZE_MAX, the parts aligned (2.6: 16, 2
 * and 4 bytes) and inside guest RAM. 0, or -EINVAL with vq->err set.
 */
int virtq_dev_init(struct virtq_dev *vq, struct gmem *mem, uint16_t size,
	       uint64_t desc, uint64_t avail, uint64_t used, bool event_idx,
	       bool indirect);
/*
 * Take the next available chain into @c: 1 got one, 0 none available,
 * -EIO the ring is malformed (vq->err says how; the queue stays broken).
 */
int virtq_pop(struct virtq_dev *vq, struct virtq_chain *c);
/* Return chain @head with @len bytes written to it (2.6.8). 0 / -EIO. */
int virtq_push(struct virtq_dev *vq, uint16_t head, uint32_t len);
/*
 * After pushes: does the driver want an interrupt now (2.6.7: used_event
 * with EVENT_IDX, else the NO_INTERRUPT flag)? Remembers the answer's
 * point so the next call counts from here.
 */
bool virtq_need_signal(struct virtq_dev *vq);
/*
 * The queue looks empty: ask for a notification at the next buffer
 * (avail_event = last_avail with EVENT_IDX, 2.6.7.2) and look again, so
 * a buffer made available meanwhile is not missed. 1 more buffers, 0
 * none, -EIO broken.
 */
int virtq_arm(struct virtq_dev *vq);

/* Copy between the readable (from) / writable (to) bytes of @c at @off.
 * Returns bytes copied (short at the chain's end), or -EIO. */
long virtq_copy_from(struct virtq_dev *vq, const struct virtq_chain *c,
		     uint64_t off, void *buf, size_t len);
long virtq_copy_to(struct virtq_dev *vq, const struct virtq_chain *c, uint64_t off,
		   const void *buf, size_t len);

#endif
