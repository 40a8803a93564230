// SPDX-License-Identifier: MIT
/*
 * Split virtqueues, device side (vdev/virtq.h). Section numbers are
 * virtio v1.1's (2.6 split virtqueues; v1.2 numbers them 2.7). The guest
 * owns the ring memory and may change it under us at any time, so every
 * value is read once into a local, checked, and only then used; guest
 * RAM is only touched through gmem_read/gmem_write, which refuse
 * anything outside RAM.
 */
#include "vdev/virtq.h"

#include <errno.h>
#include <string.h>

#include "ept/gmem.h"

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static int virtq_fail(struct virtq_dev *vq, const char *why)
{
	if (!vq->err)
		vq->err = why;
	return -EIO;
}

static int virtq_rd16(struct virtq_dev *vq, uint64_t gpa, uint16_t *v)
{
	if (gmem_read(vq->mem, gpa, v, 2))
		return virtq_fail(vq, "ring not readable");
	return 0;
}

static int virtq_wr16(struct virtq_dev *vq, uint64_t gpa, uint16_t v)
{
	if (gmem_write(vq->mem, gpa, &v, 2))
		return virtq_fail(vq, "ring not writable");
	return 0;
}

int virtq_dev_init(struct virtq_dev *vq, struct gmem *mem, uint16_t size,
	       uint64_t desc, uint64_t avail, uint64_t used, bool event_idx,
	       bool indirect)
{
	uint64_t n = size;

	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	/* 2.6: Queue Size a power of 2; we offered at most VIRTQ_SIZE_MAX. */
	if (!size || (size & (size - 1)) || size > VIRTQ_SIZE_MAX)
		return virtq_fail(vq, "bad queue size"), -EINVAL;
	/* 2.6, table "Virtqueue Part Alignment": 16, 2, 4 bytes. */
	if ((desc & 15) || (avail & 1) || (used & 3))
		return virtq_fail(vq, "unaligned ring address"), -EINVAL;
	/* The rings with their event fields (2.6.6, 2.6.8), always: the
	 * driver lays them out whether or not EVENT_IDX is negotiated. */
	if (!gmem_is_ram(mem, desc, 16 * n) ||
	    !gmem_is_ram(mem, avail, 6 + 2 * n) ||
	    !gmem_is_ram(mem, used, 6 + 8 * n))
		return virtq_fail(vq, "ring outside guest RAM"), -EINVAL;
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	return 0;
}

/* Number of buffers the driver made available and we did not take. */
static int virtq_pending(struct virtq_dev *vq)
{
	uint16_t idx, n;

	if (virtq_rd16(vq, vq->avail + 2, &idx))
		return -EIO;
	n = (uint16_t)(idx - vq->last_avail);
	/* 2.6.6: the driver cannot have more than size buffers out. */
	if (n > vq->size)
		return virtq_fail(vq, "avail index ran ahead by more than the queue size");
	return n;
}

static int virtq_add_seg(struct virtq_dev *vq, struct virtq_chain *c,
			 const struct virtq_desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;

	/* 2.6.4.2: device-writable descriptors follow the readable ones. */
	if (!write && c->wlen)
		return virtq_fail(vq, "readable descriptor after a writable one");
	if (!d->len)
		return 0;
	if (!gmem_is_ram(vq->mem, d->addr, d->len))
		return virtq_fail(vq, "buffer outside guest RAM");
	if (c->nseg >= VIRTQ_SEG_MAX)
		return virtq_fail(vq, "too many segments in a chain");
	/* used.len is 32 bits: a chain over 4 GiB is nonsense. */
	if (c->rlen + c->wlen + d->len > UINT32_MAX)
		return virtq_fail(vq, "chain longer than 4 GiB");
	c->seg[c->nseg].gpa = d->addr;
	c->seg[c->nseg].len = d->len;
	c->seg[c->nseg].write = write;
	c->nseg++;
	if (write)
		c->wlen += d->len;
	else
		c->rlen += d->len;
	return 0;
}

/*
 * An indirect table (2.6.5.3): @d points at len/16 descriptors chained
 * from entry 0 by their own next fields, none of them indirect again
 * (2.6.5.3.1), the chain no longer than the table (so no loop).
 */
static int virtq_walk_indirect(struct virtq_dev *vq, struct virtq_chain *c,
			       const struct virtq_desc *d)
{
	struct virtq_desc e;
	uint32_t n = d->len / 16, i = 0, count = 0;

	if (!vq->indirect)
		return virtq_fail(vq, "indirect descriptor not negotiated");
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return virtq_fail(vq, "indirect descriptor with NEXT set");
	if (!d->len || (d->len & 15) || n > VIRTQ_INDIRECT_MAX)
		return virtq_fail(vq, "bad indirect table length");
	if (!gmem_is_ram(vq->mem, d->addr, d->len))
		return virtq_fail(vq, "indirect table outside guest RAM");
	for (;;) {
		if (++count > n)
			return virtq_fail(vq, "indirect chain loops");
		if (gmem_read(vq->mem, d->addr + 16ull * i, &e, sizeof(e)))
			return virtq_fail(vq, "indirect table not readable");
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return virtq_fail(vq, "nested indirect table");
		if (virtq_add_seg(vq, c, &e))
			return -EIO;
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (e.next >= n)
			return virtq_fail(vq, "indirect next index out of range");
		i = e.next;
	}
}

int virtq_pop(struct virtq_dev *vq, struct virtq_chain *c)
{
	struct virtq_desc d;
	uint16_t head, idx;
	unsigned int count = 0;
	int n;

	if (vq->err)
		return -EIO;
	if (!vq->size)
		return 0;
	n = virtq_pending(vq);
	if (n <= 0)
		return n;
	/* The entry is read after the index: x86 keeps loads in order, the
	 * fence keeps the compiler from hoisting (2.6.13.3's read barrier). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (virtq_rd16(vq, vq->avail + 4 + 2u * (vq->last_avail & (vq->size - 1)),
		       &head))
		return -EIO;
	if (head >= vq->size)
		return virtq_fail(vq, "avail ring head out of range");
	c->head = head;
	c->nseg = 0;
	c->rlen = c->wlen = 0;
	idx = head;
	for (;;) {
		/* 2.6.5.2: a chain is at most Queue Size long; longer is a
		 * loop. */
		if (++count > vq->size)
			return virtq_fail(vq, "descriptor chain loops");
		if (gmem_read(vq->mem, vq->desc + 16ull * idx, &d, sizeof(d)))
			return virtq_fail(vq, "descriptor table not readable");
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (virtq_walk_indirect(vq, c, &d))
				return -EIO;
			break;
		}
		if (virtq_add_seg(vq, c, &d))
			return -EIO;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return virtq_fail(vq, "descriptor next index out of range");
		idx = d.next;
	}
	vq->last_avail++;
	return 1;
}

int virtq_push(struct virtq_dev *vq, uint16_t head, uint32_t len)
{
	uint32_t elem[2] = { head, len };
	uint64_t at = vq->used + 4 + 8ull * (vq->used_idx & (vq->size - 1));

	if (vq->err || !vq->size)
		return -EIO;
	if (gmem_write(vq->mem, at, elem, sizeof(elem)))
		return virtq_fail(vq, "used ring not writable");
	/* 2.6.8.2: the element is visible before the index that covers it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	return virtq_wr16(vq, vq->used + 2, vq->used_idx);
}

bool virtq_need_signal(struct virtq_dev *vq)
{
	uint16_t old = vq->signalled, now = vq->used_idx, v;

	if (vq->err || !vq->size || old == now)
		return false;
	vq->signalled = now;
	/* Our used->idx store before the driver's flag / used_event load
	 * (2.6.13.4's full barrier; a store-load pair needs mfence). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		/* 2.6.7.2: signal when used_event lies in [old, now). */
		if (virtq_rd16(vq, vq->avail + 4 + 2u * vq->size, &v))
			return false;
		return (uint16_t)(now - v - 1) < (uint16_t)(now - old);
	}
	if (virtq_rd16(vq, vq->avail, &v))
		return false;
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int virtq_arm(struct virtq_dev *vq)
{
	int n;

	if (vq->err)
		return -EIO;
	if (!vq->size)
		return 0;
	/* 2.6.7.2 / 2.6.10: with EVENT_IDX the driver notifies when it
	 * moves avail->idx past avail_event; without, it always notifies
	 * (we never set VIRTQ_USED_F_NO_NOTIFY). */
	if (vq->event_idx &&
	    virtq_wr16(vq, vq->used + 4 + 8u * vq->size, vq->last_avail))
		return -EIO;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = virtq_pending(vq);
	return n < 0 ? n : n > 0;
}

static long virtq_copy(struct virtq_dev *vq, const struct virtq_chain *c,
		       uint64_t off, void *buf, size_t len, bool write)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < c->nseg && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		size_t n;

		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		if (write ? gmem_write(vq->mem, s->gpa + off,
				       (const uint8_t *)buf + done, n)
			  : gmem_read(vq->mem, s->gpa + off, (uint8_t *)buf + done,
				      n))
			return virtq_fail(vq, "buffer not accessible");
		done += n;
		off = 0;
	}
	return done;
}

long virtq_copy_from(struct virtq_dev *vq, const struct virtq_chain *c,
		     uint64_t off, void *buf, size_t len)
{
	return virtq_copy(vq, c, off, buf, len, false);
}

long virtq_copy_to(struct virtq_dev *vq, const struct virtq_chain *c, uint64_t off,
		   const void *buf, size_t len)
{
	return virtq_copy(vq, c, off, (void *)buf, len, true);
}
