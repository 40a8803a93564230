// SPDX-License-Identifier: MIT
/*
 * Split virtqueue ring logic (virtio 1.1 section 2.6, driver side 2.6.13
 * "Supplying Buffers to the Device" and 2.6.14 "Receiving Used Buffers").
 * Every index and length the device hands back is checked here, once.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "drivers/virtqueue.h"

/*
 * x86 keeps stores in order and loads in order, so a compiler barrier
 * orders ring writes before the index store (2.6.13.3: "the driver MUST
 * perform a suitable memory barrier before the idx update"). The one
 * store-then-load ordering (publish avail.idx, then read used.flags to
 * decide whether to notify, 2.6.13.4) needs a full fence.
 */
#define virtq_wmb() __asm__ __volatile__("" ::: "memory")
#define virtq_rmb() __asm__ __volatile__("" ::: "memory")
#define virtq_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#define VIRTQ_USED_ALIGN                                                       \
	64 /* spec: 4; a cache line keeps the device's                         \
	      writes off the driver's lines */

static size_t virtq_avail_off(uint16_t num)
{
	return sizeof(struct virtq_desc) * num;
}

static size_t virtq_used_off(uint16_t num)
{
	size_t end = virtq_avail_off(num) + 4 + 2 * (size_t)num + 2;

	return (end + VIRTQ_USED_ALIGN - 1) & ~(size_t)(VIRTQ_USED_ALIGN - 1);
}

size_t virtq_mem_size(uint16_t num)
{
	size_t end = virtq_used_off(num) + 4 +
		     sizeof(struct virtq_used_elem) * (size_t)num + 2;

	return (end + 4095) & ~(size_t)4095;
}

size_t virtq_meta_size(uint16_t num)
{
	return (size_t)num *
	       (sizeof(void *) + sizeof(uint16_t) + sizeof(uint32_t));
}

static bool virtq_num_ok(uint16_t num)
{
	return num && num <= VIRTQ_MAX_SIZE && !(num & (num - 1));
}

void virtq_reset(struct virtq *vq)
{
	memset(vq->desc, 0, virtq_mem_size(vq->num));
	memset(vq->cookie, 0, sizeof(void *) * vq->num);
	for (uint16_t i = 0; i < vq->num; i++)
		vq->desc[i].next = i + 1 < vq->num ? i + 1 : 0;
	vq->free_head = 0;
	vq->num_free = vq->num;
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->added = 0;
	vq->inflight = 0;
	vq->broken = false;
}

int virtq_init(struct virtq *vq, const char *name, uint16_t index, uint16_t num,
	       void *mem, uint64_t phys, void *meta)
{
	uint8_t *m = mem, *md = meta;

	if (!virtq_num_ok(num) || !mem || !meta)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->name = name;
	vq->index = index;
	vq->num = num;
	vq->desc = (struct virtq_desc *)m;
	vq->avail = (struct virtq_avail *)(m + virtq_avail_off(num));
	vq->used = (struct virtq_used *)(m + virtq_used_off(num));
	vq->desc_phys = phys;
	vq->avail_phys = phys + virtq_avail_off(num);
	vq->used_phys = phys + virtq_used_off(num);
	vq->cookie = (void **)md;
	vq->chain_len = (uint16_t *)(md + sizeof(void *) * num);
	vq->in_len = (uint32_t *)(md + (sizeof(void *) + 2) * num);
	virtq_reset(vq);
	return 0;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int nout,
	      unsigned int nin, void *cookie)
{
	unsigned int n = nout + nin;
	uint32_t in_len = 0;
	uint16_t head, i, prev = 0;

	if (vq->broken)
		return -EIO;
	if (!n || !cookie || n > vq->num)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	head = i = vq->free_head;
	for (unsigned int k = 0; k < n; k++) {
		struct virtq_desc *d = &vq->desc[i];

		d->addr = bufs[k].phys;
		d->len = bufs[k].len;
		d->flags = (k >= nout ? VIRTQ_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		if (k >= nout)
			in_len += bufs[k].len;
		prev = i;
		i = d->next; /* the free list's link, kept for the chain */
	}
	vq->free_head = i;
	vq->desc[prev].next = 0;
	vq->num_free -= n;
	vq->cookie[head] = cookie;
	vq->chain_len[head] = n;
	vq->in_len[head] = in_len;

	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
	vq->added++;
	vq->inflight++;
	return 0;
}

void virtq_kick(struct virtq *vq)
{
	if (!vq->added)
		return;
	virtq_wmb(); /* ring entries before the index (2.6.13.3) */
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	vq->added = 0;
	virtq_mb(); /* index visible before we look at used.flags */
	if (!(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
	      VIRTQ_USED_F_NO_NOTIFY) &&
	    vq->notify)
		vq->notify(vq);
}

static void virtq_break(struct virtq *vq, const char *what, uint32_t v)
{
	if (!vq->broken)
		log_err("virtio: %s: device wrote a bad %s (%u): queue stopped",
			vq->name, what, v);
	vq->broken = true;
}

bool virtq_has_used(struct virtq *vq)
{
	uint16_t idx;

	if (vq->broken)
		return false;
	idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	/* More completions than we have in flight is a lie (2.6.8). */
	if ((uint16_t)(idx - vq->last_used) > vq->inflight) {
		virtq_break(vq, "used index", idx);
		return false;
	}
	return idx != vq->last_used;
}

void *virtq_get_used(struct virtq *vq, uint32_t *len)
{
	struct virtq_used_elem e;
	uint16_t i, n;
	void *cookie;

	if (!virtq_has_used(vq))
		return NULL;
	virtq_rmb(); /* the entry after the index that announced it */
	e = vq->used->ring[vq->last_used & (vq->num - 1)];
	if (e.id >= vq->num || !vq->cookie[e.id]) {
		virtq_break(vq, "used id", e.id);
		return NULL;
	}
	if (e.len > vq->in_len[e.id]) {
		virtq_break(vq, "used length", e.len);
		return NULL;
	}
	vq->last_used++;
	vq->inflight--;
	cookie = vq->cookie[e.id];
	vq->cookie[e.id] = NULL;
	/*
	 * Give the chain back from our own record of its length, never by
	 * following next links the device could have reached (it cannot
	 * write descriptors, but the walk stays bounded all the same).
	 */
	n = vq->chain_len[e.id];
	i = e.id;
	for (uint16_t k = 1; k < n; k++)
		i = vq->desc[i].next & (vq->num - 1);
	vq->desc[i].next = vq->free_head;
	vq->free_head = e.id;
	vq->num_free += n;
	if (len)
		*len = e.len;
	return cookie;
}

void virtq_drain(struct virtq *vq, void (*fn)(void *cookie, void *arg),
		 void *arg)
{
	for (uint16_t i = 0; i < vq->num; i++)
		if (vq->cookie[i] && fn)
			fn(vq->cookie[i], arg);
	virtq_reset(vq);
}

void virtq_disable_irq(struct virtq *vq, bool off)
{
	__atomic_store_n(&vq->avail->flags,
			 off ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0,
			 __ATOMIC_RELEASE);
}
