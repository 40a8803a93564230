// SPDX-License-Identifier: MIT
/*
 * virtio-console (vdev/virtio_con.c) and virtio-rng (vdev/virtio_rng.c)
 * on the fake machine: guest output reaches the tx callback, host input
 * waits in the backlog until the guest posts receive buffers and then
 * fills them, and the rng fills a device-writable buffer from its source.
 * UNIT_SRCS: vdev/virtio_pci.c vdev/virtq.c vdev/virtio_con.c vdev/virtio_rng.c tests/unit/virtio_fake.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <string.h>

#include "unit.h"
#include "vdev/virtio.h"
#include "vdev/virtio_pci.h"
#include "virtio_fake.h"

#define QSZ 8

static struct virtio_dev *dev;
static char txbuf[256];
static size_t txlen;

static void tx(void *o, const uint8_t *buf, size_t len)
{
	memcpy(txbuf + txlen, buf, len);
	txlen += len;
}

static void bar_w(uint64_t off, unsigned int size, uint64_t v)
{
	virtio_dev_bar(&dev->pci, 4, off, size, true, &v);
}

/* Queue @q's rings at 0x1000 * (4q + 1..3); DRIVER_OK after the last. */
static void queue_up(unsigned int q)
{
	uint64_t base = 0x10000 * (q + 1);

	bar_w(0x16, 2, q);
	bar_w(0x18, 2, QSZ);
	bar_w(0x20, 8, base);
	bar_w(0x28, 8, base + 0x1000);
	bar_w(0x30, 8, base + 0x2000);
	bar_w(0x1a, 2, q + 1);
	bar_w(0x1c, 2, 1);
}

static void driver_up(unsigned int nq)
{
	bar_w(0x14, 1, 3);
	bar_w(0x08, 4, 1);
	bar_w(0x0c, 4, 1);
	bar_w(0x14, 1, 11);
	for (unsigned int q = 0; q < nq; q++)
		queue_up(q);
	bar_w(0x14, 1, 15);
	virtio_dev_run(dev);
}

/* Post buffer @gpa/@len on queue @q as descriptor @d. */
static void post(unsigned int q, unsigned int d, uint64_t gpa, uint32_t len,
		 bool write)
{
	uint64_t base = 0x10000 * (q + 1);
	uint16_t idx = fake_r16(base + 0x1000 + 2);

	fake_desc(base, d, gpa, len, write ? 2 : 0, 0);
	fake_w16(base + 0x1000 + 4 + 2 * (idx % QSZ), d);
	fake_w16(base + 0x1000 + 2, idx + 1);
	bar_w(0x3000 + 4 * q, 2, q);
	virtio_dev_run(dev);
}

UNIT_TEST(vcon_output_and_input)
{
	struct virtio_con *c;

	fake_reset();
	txlen = 0;
	c = virtio_con_add(&fake_vm, tx, NULL);
	UNIT_CHECK(c && fake_pci && fake_pci->device == 0x1043);
	if (!c)
		return;
	dev = fake_pci->opaque;
	driver_up(2);
	memcpy(fake_ptr(0x50000), "hello from hvc0\n", 16);
	post(1, 0, 0x50000, 16, false);
	UNIT_CHECK(txlen == 16 && memcmp(txbuf, "hello from hvc0\n", 16) == 0);
	UNIT_CHECK(fake_r16(0x20000 + 0x2000 + 2) == 1 && fake_msix[2] == 1);
	/* Input before any receive buffer: kept, then delivered. */
	UNIT_CHECK(virtio_con_push(c, (const uint8_t *)"ls\n", 3) == 3);
	virtio_dev_run(dev);
	UNIT_CHECK(fake_r16(0x10000 + 0x2000 + 2) == 0);
	post(0, 0, 0x60000, 2, true);
	UNIT_CHECK(memcmp(fake_ptr(0x60000), "ls", 2) == 0);
	UNIT_CHECK(fake_r32(0x10000 + 0x2000 + 8) == 2);
	post(0, 1, 0x61000, 64, true);
	UNIT_CHECK(fake_ptr(0x61000)[0] == '\n');
	UNIT_CHECK(fake_r32(0x10000 + 0x2000 + 16) == 1);
	/* A full backlog refuses the rest. */
	static uint8_t big[5000];
	UNIT_CHECK(virtio_con_push(c, big, sizeof(big)) == 4096);
	virtio_dev_destroy(dev);
}

static int fill(void *o, void *buf, size_t len)
{
	memset(buf, 0x5a, len);
	return 0;
}

UNIT_TEST(vrng_fills)
{
	fake_reset();
	UNIT_CHECK(virtio_rng_add(&fake_vm, fill, NULL) == 0);
	UNIT_CHECK(fake_pci && fake_pci->device == 0x1044);
	if (!fake_pci)
		return;
	dev = fake_pci->opaque;
	driver_up(1);
	post(0, 0, 0x50000, 64, true);
	UNIT_CHECK(fake_ptr(0x50000)[0] == 0x5a && fake_ptr(0x50000)[63] == 0x5a);
	UNIT_CHECK(fake_ptr(0x50000)[64] == 0);
	UNIT_CHECK(fake_r32(0x10000 + 0x2000 + 8) == 64);
	UNIT_CHECK(fake_msix[1] == 1);
	virtio_dev_destroy(dev);
}
