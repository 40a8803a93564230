// SPDX-License-Identifier: MIT
/*
 * The split virtqueue (drivers/virtqueue.c) against a fake device that
 * reads the available ring and writes the used ring the way virtio 1.1
 * section 2.6 says a device does, and against one that lies: a used id
 * out of range or not in flight, a length beyond the writable buffers, a
 * used index that runs ahead. A lie must stop the queue, never hand a
 * buffer back twice or reach outside the ring.
 * UNIT_SRCS: drivers/virtqueue.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtqueue.h"
#include "unit.h"

struct fake {
	struct virtq vq;
	void *mem, *meta;
	uint16_t dev_avail; /* next avail entry the device reads */
	int notifies;
};

static void fake_notify(struct virtq *vq)
{
	((struct fake *)vq->notify_arg)->notifies++;
}

static struct fake *fake_new(uint16_t num)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(4096, virtq_mem_size(num));
	f->meta = malloc(virtq_meta_size(num));
	UNIT_CHECK(virtq_init(&f->vq, "test", 0, num, f->mem, (uintptr_t)f->mem,
			      f->meta) == 0);
	f->vq.notify = fake_notify;
	f->vq.notify_arg = f;
	return f;
}

static void fake_free(struct fake *f)
{
	free(f->mem);
	free(f->meta);
	free(f);
}

/*
 * The device: take the next available chain, fill its writable buffers
 * with @fill and complete it (used len = bytes written). Returns the
 * number of descriptors in the chain, 0 if nothing was available.
 */
static int fake_serve(struct fake *f, uint8_t fill)
{
	struct virtq *vq = &f->vq;
	uint16_t head, i;
	uint32_t written = 0;
	int n = 0;

	if (f->dev_avail == vq->avail->idx)
		return 0;
	head = i = vq->avail->ring[f->dev_avail++ & (vq->num - 1)];
	for (;;) {
		struct virtq_desc *d = &vq->desc[i];

		n++;
		if (d->flags & VIRTQ_DESC_F_WRITE) {
			memset((void *)(uintptr_t)d->addr, fill, d->len);
			written += d->len;
		}
		if (!(d->flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d->next;
	}
	vq->used->ring[vq->used->idx & (vq->num - 1)] =
	    (struct virtq_used_elem){ head, written };
	vq->used->idx++;
	return n;
}

UNIT_TEST(virtq_layout_and_init)
{
	struct virtq vq;
	char meta[64];

	UNIT_CHECK(virtq_mem_size(256) % 4096 == 0);
	UNIT_CHECK(virtq_mem_size(256) >= 16 * 256 + 6 + 2 * 256 + 6 + 8 * 256);
	UNIT_CHECK(virtq_init(&vq, "x", 0, 3, meta, 0, meta) == -EINVAL);
	UNIT_CHECK(virtq_init(&vq, "x", 0, 0, meta, 0, meta) == -EINVAL);
	UNIT_CHECK(virtq_init(&vq, "x", 0, 2048, meta, 0, meta) == -EINVAL);

	struct fake *f = fake_new(8);
	UNIT_CHECK(f->vq.num_free == 8);
	UNIT_CHECK((uintptr_t)f->vq.used % 4 == 0);
	UNIT_CHECK((uintptr_t)f->vq.avail % 2 == 0);
	UNIT_CHECK(f->vq.used_phys - f->vq.desc_phys ==
		   (uintptr_t)f->vq.used - (uintptr_t)f->vq.desc);
	fake_free(f);
}

UNIT_TEST(virtq_request_roundtrip)
{
	struct fake *f = fake_new(8);
	uint8_t hdr[16] = { 1 }, data[512], status = 0xff;
	struct virtq_buf b[3] = { { (uintptr_t)hdr, 16 },
				  { (uintptr_t)data, 512 },
				  { (uintptr_t)&status, 1 } };
	uint32_t len = 0;
	int cookie;

	UNIT_CHECK(virtq_add(&f->vq, b, 1, 2, &cookie) == 0);
	UNIT_CHECK(f->vq.num_free == 5);
	/* Not visible before the kick. */
	UNIT_CHECK(fake_serve(f, 0xab) == 0);
	virtq_kick(&f->vq);
	UNIT_CHECK(f->notifies == 1);
	UNIT_CHECK(!virtq_has_used(&f->vq));
	UNIT_CHECK(fake_serve(f, 0xab) == 3);
	UNIT_CHECK(virtq_has_used(&f->vq));
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == &cookie);
	UNIT_CHECK(len == 513);
	UNIT_CHECK(data[0] == 0xab && data[511] == 0xab && status == 0xab);
	UNIT_CHECK(hdr[0] == 1); /* device-readable: untouched */
	UNIT_CHECK(f->vq.num_free == 8);
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	UNIT_CHECK(!f->vq.broken);
	fake_free(f);
}

UNIT_TEST(virtq_fill_wrap_and_reuse)
{
	struct fake *f = fake_new(4);
	uint8_t buf[4][64];
	int cookies[4], got = 0;

	/* Many times around a 4-entry ring: indices wrap, free list holds. */
	for (int round = 0; round < 50; round++) {
		for (int k = 0; k < 4; k++) {
			struct virtq_buf b = { (uintptr_t)buf[k], 64 };
			UNIT_CHECK(virtq_add(&f->vq, &b, 0, 1, &cookies[k]) ==
				   0);
		}
		struct virtq_buf b = { (uintptr_t)buf[0], 64 };
		UNIT_CHECK(virtq_add(&f->vq, &b, 0, 1, &cookies[0]) == -ENOSPC);
		virtq_kick(&f->vq);
		while (fake_serve(f, round))
			;
		for (int k = 0; k < 4; k++) {
			uint32_t len;
			if (virtq_get_used(&f->vq, &len) == &cookies[k] &&
			    len == 64)
				got++;
		}
		UNIT_CHECK(f->vq.num_free == 4);
	}
	UNIT_CHECK(got == 200);
	UNIT_CHECK(f->vq.avail_idx == 200);
	/* A chain longer than the ring is refused outright. */
	struct virtq_buf five[5] = { { 0, 1 } };
	UNIT_CHECK(virtq_add(&f->vq, five, 5, 0, &cookies[0]) == -EINVAL);
	fake_free(f);
}

UNIT_TEST(virtq_no_notify_when_device_says_so)
{
	struct fake *f = fake_new(4);
	uint8_t x;
	struct virtq_buf b = { (uintptr_t)&x, 1 };

	f->vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	virtq_add(&f->vq, &b, 1, 0, &x);
	virtq_kick(&f->vq);
	UNIT_CHECK(f->notifies == 0);
	UNIT_CHECK(f->vq.avail->idx == 1);
	/* Nothing added: no second notify either way. */
	f->vq.used->flags = 0;
	virtq_kick(&f->vq);
	UNIT_CHECK(f->notifies == 0);
	fake_free(f);
}

/* Two requests in flight, completed out of order: each comes back once. */
UNIT_TEST(virtq_out_of_order_completion)
{
	struct fake *f = fake_new(8);
	uint8_t a[8], b[8];
	struct virtq_buf ba[2] = { { (uintptr_t)a, 4 },
				   { (uintptr_t)a + 4, 4 } };
	struct virtq_buf bb[2] = { { (uintptr_t)b, 4 },
				   { (uintptr_t)b + 4, 4 } };
	uint16_t ha, hb;
	uint32_t len;

	virtq_add(&f->vq, ba, 1, 1, a);
	ha = f->vq.avail->ring[0];
	virtq_add(&f->vq, bb, 1, 1, b);
	hb = f->vq.avail->ring[1];
	virtq_kick(&f->vq);
	f->vq.used->ring[0] = (struct virtq_used_elem){ hb, 4 };
	f->vq.used->ring[1] = (struct virtq_used_elem){ ha, 3 };
	f->vq.used->idx = 2;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == b && len == 4);
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == a && len == 3);
	UNIT_CHECK(f->vq.num_free == 8);
	/* The free list still gives out 8 distinct descriptors. */
	uint8_t seen[8] = { 0 };
	struct virtq_buf one = { 0, 1 };
	for (int k = 0; k < 8; k++) {
		UNIT_CHECK(virtq_add(&f->vq, &one, 1, 0, seen) == 0);
		uint16_t h = f->vq.avail->ring[(2 + k) & 7];
		UNIT_CHECK(h < 8 && !seen[h]);
		if (h < 8)
			seen[h] = 1;
	}
	fake_free(f);
}

static struct fake *fake_one_in_flight(uint8_t *buf, uint16_t *head)
{
	struct fake *f = fake_new(8);
	struct virtq_buf b[2] = { { (uintptr_t)buf, 16 },
				  { (uintptr_t)buf + 16, 16 } };

	virtq_add(&f->vq, b, 1, 1, buf);
	*head = f->vq.avail->ring[0];
	virtq_kick(&f->vq);
	return f;
}

UNIT_TEST(virtq_bad_used_id_stops_queue)
{
	uint8_t buf[32];
	uint16_t head;
	uint32_t len;
	struct fake *f = fake_one_in_flight(buf, &head);

	f->vq.used->ring[0] = (struct virtq_used_elem){ 4000, 1 };
	f->vq.used->idx = 1;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	UNIT_CHECK(f->vq.broken);
	/* Broken stays broken: nothing more goes in or comes out. */
	UNIT_CHECK(virtq_add(&f->vq, &(struct virtq_buf){ 0, 1 }, 1, 0, buf) ==
		   -EIO);
	f->vq.used->ring[0] = (struct virtq_used_elem){ head, 1 };
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	fake_free(f);
}

UNIT_TEST(virtq_used_id_not_in_flight_stops_queue)
{
	uint8_t buf[32];
	uint16_t head;
	uint32_t len;
	struct fake *f = fake_one_in_flight(buf, &head);

	/* A descriptor inside the ring but not the head of a live chain. */
	f->vq.used->ring[0] = (struct virtq_used_elem){ (head + 1) & 7, 1 };
	f->vq.used->idx = 1;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	UNIT_CHECK(f->vq.broken);
	fake_free(f);

	/* The same head completed twice: the second is refused. */
	f = fake_one_in_flight(buf, &head);
	f->vq.used->ring[0] = (struct virtq_used_elem){ head, 16 };
	f->vq.used->ring[1] = (struct virtq_used_elem){ head, 16 };
	f->vq.used->idx = 1;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == buf);
	f->vq.used->idx = 2;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	UNIT_CHECK(f->vq.broken);
	UNIT_CHECK(f->vq.num_free == 8);
	fake_free(f);
}

UNIT_TEST(virtq_bad_used_len_stops_queue)
{
	uint8_t buf[32];
	uint16_t head;
	uint32_t len = 7;
	struct fake *f = fake_one_in_flight(buf, &head);

	/* Only the 16 writable bytes may be claimed, not the readable ones. */
	f->vq.used->ring[0] = (struct virtq_used_elem){ head, 17 };
	f->vq.used->idx = 1;
	UNIT_CHECK(virtq_get_used(&f->vq, &len) == NULL);
	UNIT_CHECK(f->vq.broken && len == 7);
	fake_free(f);
}

UNIT_TEST(virtq_used_index_running_ahead_stops_queue)
{
	uint8_t buf[32];
	uint16_t head;
	struct fake *f = fake_one_in_flight(buf, &head);

	f->vq.used->idx = 2; /* two completions for one request */
	UNIT_CHECK(!virtq_has_used(&f->vq));
	UNIT_CHECK(f->vq.broken);
	fake_free(f);

	f = fake_one_in_flight(buf, &head);
	f->vq.used->idx = 0x8000; /* far ahead (or far behind) */
	UNIT_CHECK(virtq_get_used(&f->vq, NULL) == NULL);
	UNIT_CHECK(f->vq.broken);
	fake_free(f);
}

static int drained;
static void count_drain(void *cookie, void *arg)
{
	drained++;
}

UNIT_TEST(virtq_drain_after_reset)
{
	uint8_t buf[32];
	uint16_t head;
	struct fake *f = fake_one_in_flight(buf, &head);

	f->vq.used->idx = 9;
	virtq_has_used(&f->vq);
	UNIT_CHECK(f->vq.broken);
	virtq_drain(&f->vq, count_drain, NULL);
	UNIT_CHECK(drained == 1);
	UNIT_CHECK(!f->vq.broken && f->vq.num_free == 8);
	UNIT_CHECK(f->vq.used->idx == 0 && f->vq.avail->idx == 0);
	/* Usable again, as after a device reset. */
	f->dev_avail = 0;
	struct virtq_buf b = { (uintptr_t)buf, 8 };
	UNIT_CHECK(virtq_add(&f->vq, &b, 0, 1, buf) == 0);
	virtq_kick(&f->vq);
	UNIT_CHECK(fake_serve(f, 1) == 1);
	UNIT_CHECK(virtq_get_used(&f->vq, NULL) == buf);
	fake_free(f);
}
