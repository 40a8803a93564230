// SPDX-License-Identifier: MIT
/*
 * The device side of split virtqueues (vdev/virtq.c) on rings built in a
 * fake guest RAM the size of a malloc block (ASan flags any access past
 * it): direct and indirect chains, copies across segments, the used
 * ring, interrupt suppression both ways (flags and event index), and a
 * driver that lies: a descriptor loop, next and head out of range, a
 * buffer running past RAM or wrapping, an avail index jumping more than
 * the queue size, unaligned rings, nested and looping indirect tables.
 * Each lie breaks the queue (err set, -EIO) and nothing is touched.
 * UNIT_SRCS: vdev/virtq.c tests/unit/virtio_fake.c
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vdev/virtq.h"
#include "virtio_fake.h"

#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define QSZ 8

static struct virtq_dev vq;
static struct virtq_chain chain;

static void setup(bool event_idx, bool indirect)
{
	fake_reset();
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, QSZ, DESC, AVAIL, USED,
				  event_idx, indirect) == 0);
}

/* The driver makes chain @head available. */
static void offer(uint16_t head)
{
	uint16_t idx = fake_r16(AVAIL + 2);

	fake_w16(AVAIL + 4 + 2 * (idx % QSZ), head);
	fake_w16(AVAIL + 2, idx + 1);
}

UNIT_TEST(virtq_direct_chain)
{
	uint8_t in[40], out[300];
	int i;

	setup(false, false);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 0);
	for (i = 0; i < 40; i++)
		fake_ptr(0x10000)[i] = i;
	fake_desc(DESC, 3, 0x10000, 16, VIRTQ_DESC_F_NEXT, 5);
	fake_desc(DESC, 5, 0x10010, 24, VIRTQ_DESC_F_NEXT, 0);
	fake_desc(DESC, 0, 0x20000, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	fake_desc(DESC, 1, 0x30000, 200, VIRTQ_DESC_F_WRITE, 0);
	offer(3);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
	UNIT_CHECK(chain.head == 3 && chain.nseg == 4);
	UNIT_CHECK(chain.rlen == 40 && chain.wlen == 300);
	UNIT_CHECK(virtq_copy_from(&vq, &chain, 0, in, 40) == 40);
	for (i = 0; i < 40; i++)
		UNIT_CHECK(in[i] == i);
	/* Past the readable end: short. */
	UNIT_CHECK(virtq_copy_from(&vq, &chain, 30, in, 40) == 10);
	memset(out, 0xab, sizeof(out));
	UNIT_CHECK(virtq_copy_to(&vq, &chain, 50, out, 100) == 100);
	UNIT_CHECK(fake_ptr(0x20000)[49] == 0 && fake_ptr(0x20000)[50] == 0xab);
	UNIT_CHECK(fake_ptr(0x30000)[49] == 0xab && fake_ptr(0x30000)[50] == 0);
	UNIT_CHECK(virtq_push(&vq, 3, 150) == 0);
	UNIT_CHECK(fake_r16(USED + 2) == 1);
	UNIT_CHECK(fake_r32(USED + 4) == 3 && fake_r32(USED + 8) == 150);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 0);
	UNIT_CHECK(!vq.err);
}

UNIT_TEST(virtq_wraps_indices)
{
	int i;

	setup(false, false);
	fake_desc(DESC, 2, 0x10000, 8, 0, 0);
	for (i = 0; i < 70000; i++) {
		offer(2);
		UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
		UNIT_CHECK(virtq_push(&vq, chain.head, 0) == 0);
		if (vq.err)
			break;
	}
	UNIT_CHECK(fake_r16(USED + 2) == (uint16_t)70000);
}

UNIT_TEST(virtq_indirect)
{
	setup(false, true);
	fake_desc(0x8000, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(0x8000, 2, 0x11000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	fake_desc(0x8000, 1, 0x12000, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_desc(DESC, 4, 0x8000, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
	UNIT_CHECK(chain.head == 4 && chain.nseg == 3);
	UNIT_CHECK(chain.rlen == 16 && chain.wlen == 513);
	UNIT_CHECK(chain.seg[2].gpa == 0x12000 && chain.seg[2].write);
	UNIT_CHECK(!vq.err);
}

/* Expect the next pop to break the queue. */
static void expect_broken(void)
{
	UNIT_CHECK(virtq_pop(&vq, &chain) == -EIO);
	UNIT_CHECK(vq.err != NULL);
	/* And it stays broken. */
	UNIT_CHECK(virtq_pop(&vq, &chain) == -EIO);
	UNIT_CHECK(virtq_push(&vq, 0, 0) == -EIO);
}

UNIT_TEST(virtq_indirect_not_negotiated)
{
	setup(false, false);
	fake_desc(0x8000, 0, 0x10000, 16, 0, 0);
	fake_desc(DESC, 0, 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_indirect_nested)
{
	setup(false, true);
	fake_desc(0x8000, 0, 0x9000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(DESC, 0, 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_indirect_loop)
{
	setup(false, true);
	fake_desc(0x8000, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(0x8000, 1, 0x10000, 16, VIRTQ_DESC_F_NEXT, 0);
	fake_desc(DESC, 0, 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_indirect_bad_table)
{
	/* Length not a multiple of 16. */
	setup(false, true);
	fake_desc(DESC, 0, 0x8000, 24, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
	/* Table running past the end of RAM. */
	setup(false, true);
	fake_desc(DESC, 0, FAKE_RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
	/* Next index past the table. */
	setup(false, true);
	fake_desc(0x8000, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(DESC, 0, 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
	/* INDIRECT together with NEXT. */
	setup(false, true);
	fake_desc(0x8000, 0, 0x10000, 16, 0, 0);
	fake_desc(DESC, 0, 0x8000, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_descriptor_loop)
{
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(DESC, 1, 0x10000, 16, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	expect_broken();
	/* A descriptor pointing at itself. */
	setup(false, false);
	fake_desc(DESC, 6, 0x10000, 16, VIRTQ_DESC_F_NEXT, 6);
	offer(6);
	expect_broken();
}

UNIT_TEST(virtq_next_out_of_range)
{
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, QSZ);
	offer(0);
	expect_broken();
	setup(false, false);
	offer(QSZ); /* head itself */
	expect_broken();
	setup(false, false);
	offer(0xffff);
	expect_broken();
}

UNIT_TEST(virtq_buffer_outside_ram)
{
	setup(false, false);
	fake_desc(DESC, 0, FAKE_RAM - 8, 16, 0, 0);
	offer(0);
	expect_broken();
	/* A length that wraps the address space. */
	setup(false, false);
	fake_desc(DESC, 0, 0xfffffffffffff000ull, 0x2000, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	expect_broken();
	/* Far beyond RAM. */
	setup(false, false);
	fake_desc(DESC, 0, 1ull << 40, 16, 0, 0);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_avail_jump)
{
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, 0, 0);
	fake_w16(AVAIL + 2, QSZ + 1);
	expect_broken();
	/* Exactly the queue size is fine. */
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, 0, 0);
	fake_w16(AVAIL + 2, QSZ);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
}

UNIT_TEST(virtq_write_before_read)
{
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	fake_desc(DESC, 1, 0x11000, 16, 0, 0);
	offer(0);
	expect_broken();
}

UNIT_TEST(virtq_bad_setup)
{
	fake_reset();
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, QSZ, DESC + 8, AVAIL, USED,
				  false, false) == -EINVAL);
	UNIT_CHECK(vq.err != NULL);
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, QSZ, DESC, AVAIL + 1, USED,
				  false, false) == -EINVAL);
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, QSZ, DESC, AVAIL, USED + 2,
				  false, false) == -EINVAL);
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, 6, DESC, AVAIL, USED, false,
				  false) == -EINVAL);
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, 0, DESC, AVAIL, USED, false,
				  false) == -EINVAL);
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, 512, DESC, AVAIL, USED, false,
				  false) == -EINVAL);
	/* Used ring ending past RAM. */
	UNIT_CHECK(virtq_dev_init(&vq, &fake_mem, QSZ, DESC, AVAIL,
				  FAKE_RAM - 16, false, false) == -EINVAL);
	UNIT_CHECK(virtq_pop(&vq, &chain) == -EIO);
}

UNIT_TEST(virtq_interrupt_suppression)
{
	setup(false, false);
	fake_desc(DESC, 0, 0x10000, 16, 0, 0);
	UNIT_CHECK(!virtq_need_signal(&vq)); /* nothing used yet */
	offer(0);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
	UNIT_CHECK(virtq_push(&vq, 0, 0) == 0);
	UNIT_CHECK(virtq_need_signal(&vq));
	UNIT_CHECK(!virtq_need_signal(&vq)); /* already told */
	fake_w16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	offer(0);
	UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
	UNIT_CHECK(virtq_push(&vq, 0, 0) == 0);
	UNIT_CHECK(!virtq_need_signal(&vq));
}

UNIT_TEST(virtq_event_idx)
{
	int i;

	setup(true, false);
	fake_desc(DESC, 0, 0x10000, 16, 0, 0);
	/* used_event = 2: the driver wants a signal once used idx passes 2. */
	fake_w16(AVAIL + 4 + 2 * QSZ, 2);
	for (i = 0; i < 4; i++) {
		offer(0);
		UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
		UNIT_CHECK(virtq_push(&vq, 0, 0) == 0);
		/* used idx now i+1: signal only on the 2 -> 3 step. */
		UNIT_CHECK(virtq_need_signal(&vq) == (i == 2));
	}
	/* Several at once crossing used_event: one signal. */
	fake_w16(AVAIL + 4 + 2 * QSZ, 5);
	for (i = 0; i < 3; i++) {
		offer(0);
		UNIT_CHECK(virtq_pop(&vq, &chain) == 1);
		UNIT_CHECK(virtq_push(&vq, 0, 0) == 0);
	}
	UNIT_CHECK(virtq_need_signal(&vq));
	/* avail_event: arming publishes where we are and sees a late add. */
	UNIT_CHECK(virtq_arm(&vq) == 0);
	UNIT_CHECK(fake_r16(USED + 4 + 8 * QSZ) == 7);
	offer(0);
	UNIT_CHECK(virtq_arm(&vq) == 1);
}
