// SPDX-License-Identifier: MIT
/*
 * The virtio-pci transport (vdev/virtio_pci.c) and virtio-blk
 * (vdev/virtio_blk.c) driven through BAR 4 as Linux 6.1's
 * virtio_pci_modern and virtio_blk do, on a fake guest RAM and a RAM
 * disk: the capabilities Linux looks for, feature negotiation with
 * FEATURES_OK refused without VERSION_1, MSI-X vector read-back, reset
 * (status reads 0 only once the worker finished it), queue enable with a
 * bad ring breaking the device (NEEDS_RESET and a config interrupt); then
 * read, write, flush after the writes, discard, a sector past the end,
 * GET_ID, an unknown type, a read-only disk, a request without a status
 * byte, and no DMA while bus mastering is off.
 * UNIT_SRCS: vdev/virtio_pci.c vdev/virtq.c vdev/virtio_blk.c tests/unit/virtio_fake.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vdev/virtio.h"
#include "vdev/virtio_pci.h"
#include "virtio_fake.h"

#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define QSZ 16
#define HDR 0x10000
#define DATA 0x20000
#define STATUS 0x30000

#define DISK (1u << 20)

/* The RAM disk and what was done to it, in order. */
static uint8_t disk[DISK];
static char ops[64];
static int flush_rc;

static int ram_read(void *o, uint64_t off, void *buf, size_t len)
{
	memcpy(buf, disk + off, len);
	return 0;
}

static int ram_write(void *o, uint64_t off, const void *buf, size_t len)
{
	memcpy(disk + off, buf, len);
	strcat(ops, "w");
	return 0;
}

static int ram_flush(void *o)
{
	strcat(ops, "f");
	return flush_rc;
}

static int ram_discard(void *o, uint64_t off, uint64_t len)
{
	memset(disk + off, 0, len);
	strcat(ops, "d");
	return 0;
}

static int released;
static void ram_release(void *o)
{
	released++;
}

static struct virtio_dev *dev;

static uint64_t bar(uint64_t off, unsigned int size)
{
	uint64_t v = 0xdeadbeef;

	virtio_dev_bar(&dev->pci, 4, off, size, false, &v);
	return v;
}

static void bar_w(uint64_t off, unsigned int size, uint64_t v)
{
	virtio_dev_bar(&dev->pci, 4, off, size, true, &v);
}

static void add_disk(bool ro, bool discard)
{
	struct virtio_blk_backend b = {
		.size = DISK, .read_only = ro, .serial = "KEEL-SERIAL-01234567",
		.read = ram_read, .write = ram_write, .flush = ram_flush,
		.discard = discard ? ram_discard : NULL, .release = ram_release,
	};

	fake_reset();
	memset(ops, 0, sizeof(ops));
	flush_rc = 0;
	UNIT_CHECK(virtio_blk_add(&fake_vm, &b) == 0);
	dev = fake_pci ? fake_pci->opaque : NULL;
}

/* Find the vendor capability of @type (Linux's virtio_pci_find_capability). */
static int find_cap(uint8_t type)
{
	unsigned int p = dev->pci.cfg[0x34], n = 0;

	while (p && n++ < 48) {
		if (dev->pci.cfg[p] == 0x09 && dev->pci.cfg[p + 3] == type)
			return p;
		p = dev->pci.cfg[p + 1];
	}
	return -1;
}

static uint32_t cfg32(unsigned int off)
{
	uint32_t v;

	memcpy(&v, &dev->pci.cfg[off], 4);
	return v;
}

/* virtio_dev_probe + virtblk_probe + vp_modern_find_vqs, in short. */
static void bring_up(uint64_t features)
{
	bar_w(0x14, 1, 0);
	virtio_dev_run(dev);
	bar_w(0x14, 1, 1);
	bar_w(0x14, 1, 3);
	bar_w(0x08, 4, 0);
	bar_w(0x0c, 4, (uint32_t)features);
	bar_w(0x08, 4, 1);
	bar_w(0x0c, 4, features >> 32);
	bar_w(0x14, 1, 11);
	UNIT_CHECK(bar(0x14, 1) == 11);
	bar_w(0x10, 2, 0);
	bar_w(0x16, 2, 0);
	bar_w(0x18, 2, QSZ);
	bar_w(0x20, 4, DESC);
	bar_w(0x24, 4, 0);
	bar_w(0x28, 8, AVAIL);
	bar_w(0x30, 8, USED);
	bar_w(0x1a, 2, 1);
	UNIT_CHECK(bar(0x1a, 2) == 1);
	bar_w(0x1c, 2, 1);
	bar_w(0x14, 1, 15);
	virtio_dev_run(dev);
}

#define F_VERSION_1 (1ull << 32)
#define F_BLK_BASE ((1ull << 9) | (1ull << 6) | (1ull << 2))

UNIT_TEST(vblk_pci_identity_and_caps)
{
	int c;

	add_disk(false, true);
	UNIT_CHECK(dev != NULL);
	if (!dev)
		return;
	UNIT_CHECK(dev->pci.vendor == 0x1af4 && dev->pci.device == 0x1042);
	UNIT_CHECK(dev->pci.revision == 1);
	UNIT_CHECK(dev->pci.bar[4].is64 && dev->pci.bar[4].size >= 0x4000);
	UNIT_CHECK(dev->pci.msix_vectors == 2 && dev->pci.msix_bar == 4);
	c = find_cap(1); /* common */
	UNIT_CHECK(c > 0 && dev->pci.cfg[c + 4] == 4 && cfg32(c + 12) >= 0x38);
	c = find_cap(2); /* notify */
	UNIT_CHECK(c > 0 && dev->pci.cfg[c + 2] == 20 && cfg32(c + 16) == 4);
	UNIT_CHECK(c > 0 && cfg32(c + 8) == 0x3000);
	c = find_cap(3); /* ISR */
	UNIT_CHECK(c > 0 && cfg32(c + 12) >= 1);
	c = find_cap(4); /* device */
	UNIT_CHECK(c > 0 && cfg32(c + 12) >= 60);
	c = find_cap(5); /* PCI cfg access */
	UNIT_CHECK(c > 0 && dev->pci.wmask[c + 4] == 0xff);
	/* Device config: capacity in sectors, blk_size. */
	UNIT_CHECK(bar(0x2000, 4) == DISK / 512 && bar(0x2004, 4) == 0);
	UNIT_CHECK(bar(0x2014, 4) == 512);
	UNIT_CHECK(bar(0x1e, 2) == 0); /* queue_notify_off of queue 0 */
	virtio_dev_destroy(dev);
	UNIT_CHECK(released == 1);
}

UNIT_TEST(vblk_feature_negotiation)
{
	uint64_t offered;

	add_disk(false, true);
	bar_w(0x00, 4, 0);
	offered = bar(0x04, 4);
	bar_w(0x00, 4, 1);
	offered |= bar(0x04, 4) << 32;
	UNIT_CHECK(offered & F_VERSION_1);
	UNIT_CHECK(offered & (1ull << 28) && offered & (1ull << 29));
	UNIT_CHECK(offered & (1ull << 9) && offered & (1ull << 13));
	UNIT_CHECK(!(offered & (1ull << 5))); /* not read-only */
	/* Without VERSION_1 FEATURES_OK does not stick (3.1.1). */
	bar_w(0x14, 1, 3);
	bar_w(0x08, 4, 0);
	bar_w(0x0c, 4, 1u << 9);
	bar_w(0x14, 1, 11);
	UNIT_CHECK(bar(0x14, 1) == 3);
	/* A feature we never offered: refused too. */
	bar_w(0x08, 4, 1);
	bar_w(0x0c, 4, 1 | 1u << 30);
	bar_w(0x14, 1, 11);
	UNIT_CHECK(bar(0x14, 1) == 3);
	bar_w(0x0c, 4, 1);
	bar_w(0x14, 1, 11);
	UNIT_CHECK(bar(0x14, 1) == 11);
	/* Features are fixed after FEATURES_OK. */
	bar_w(0x0c, 4, 0);
	UNIT_CHECK(bar(0x0c, 4) == 1);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_reset_and_queue_setup)
{
	add_disk(false, false);
	bar_w(0x14, 1, 3);
	bar_w(0x16, 2, 0);
	UNIT_CHECK(bar(0x18, 2) == 256);
	UNIT_CHECK(bar(0x12, 2) == 1); /* num_queues */
	bar_w(0x18, 2, 8);
	bar_w(0x1a, 2, 7); /* beyond the 2 vectors: NO_VECTOR */
	UNIT_CHECK(bar(0x1a, 2) == 0xffff);
	bar_w(0x10, 2, 1);
	UNIT_CHECK(bar(0x10, 2) == 1);
	bar_w(0x20, 4, 0x1234000);
	bar_w(0x24, 4, 0x5);
	UNIT_CHECK(bar(0x20, 8) == 0x501234000ull);
	bar_w(0x16, 2, 3); /* no such queue */
	UNIT_CHECK(bar(0x18, 2) == 0);
	/* Reset: old status until the worker has finished it. */
	bar_w(0x14, 1, 0);
	UNIT_CHECK(bar(0x14, 1) == 3);
	virtio_dev_run(dev);
	UNIT_CHECK(bar(0x14, 1) == 0);
	UNIT_CHECK(bar(0x10, 2) == 0xffff);
	bar_w(0x16, 2, 0);
	UNIT_CHECK(bar(0x18, 2) == 256 && bar(0x20, 8) == 0 && bar(0x1c, 2) == 0);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_bad_ring_breaks_device)
{
	add_disk(false, false);
	bar_w(0x14, 1, 3);
	bar_w(0x0c, 4, 0);
	bar_w(0x08, 4, 1);
	bar_w(0x0c, 4, 1);
	bar_w(0x14, 1, 11);
	bar_w(0x10, 2, 0);
	bar_w(0x16, 2, 0);
	bar_w(0x18, 2, 16);
	bar_w(0x20, 8, DESC + 4); /* unaligned */
	bar_w(0x28, 8, AVAIL);
	bar_w(0x30, 8, USED);
	bar_w(0x1c, 2, 1);
	UNIT_CHECK(bar(0x14, 1) & 64);
	UNIT_CHECK(fake_msix[0] == 1);
	UNIT_CHECK(bar(0x1000, 1) == 2); /* ISR: config change */
	UNIT_CHECK(bar(0x1000, 1) == 0); /* read clears */
	/* A reset clears NEEDS_RESET. */
	bar_w(0x14, 1, 0);
	virtio_dev_run(dev);
	UNIT_CHECK(bar(0x14, 1) == 0);
	virtio_dev_destroy(dev);
}

static uint16_t avail_idx;

/* One request: header, optional data (@dlen, device-writable if @win),
 * status; returns the status byte (0xee untouched). */
static int request(uint32_t type, uint64_t sector, uint32_t dlen, bool win)
{
	uint8_t *h = fake_ptr(HDR);
	unsigned int n = 0;

	memset(h, 0, 16);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	fake_ptr(STATUS)[0] = 0xee;
	fake_desc(DESC, n, HDR, 16, 1, n + 1);
	n++;
	if (dlen) {
		fake_desc(DESC, n, DATA, dlen, 1 | (win ? 2 : 0), n + 1);
		n++;
	}
	fake_desc(DESC, n, STATUS, 1, 2, 0);
	fake_w16(AVAIL + 4 + 2 * (avail_idx % QSZ), 0);
	avail_idx++;
	fake_w16(AVAIL + 2, avail_idx);
	bar_w(0x3000, 2, 0); /* notify queue 0 */
	virtio_dev_run(dev);
	return fake_ptr(STATUS)[0];
}

static void blk_up(bool ro, bool discard)
{
	add_disk(ro, discard);
	avail_idx = 0;
	bring_up(F_VERSION_1 | F_BLK_BASE | (discard ? 1ull << 13 : 0));
}

UNIT_TEST(vblk_read_write_flush)
{
	int i;

	blk_up(false, false);
	for (i = 0; i < 4096; i++)
		fake_ptr(DATA)[i] = i * 7;
	UNIT_CHECK(request(1, 8, 4096, false) == 0);
	UNIT_CHECK(memcmp(disk + 8 * 512, fake_ptr(DATA), 4096) == 0);
	UNIT_CHECK(fake_r16(USED + 2) == 1 && fake_r32(USED + 8) == 1);
	UNIT_CHECK(fake_msix[1] == 1);
	memset(fake_ptr(DATA), 0, 4096);
	UNIT_CHECK(request(0, 8, 1024, true) == 0);
	UNIT_CHECK(memcmp(disk + 8 * 512, fake_ptr(DATA), 1024) == 0);
	UNIT_CHECK(fake_r32(USED + 16) == 1025); /* data + status */
	/* Flush after the write: the backend saw write then flush. */
	UNIT_CHECK(request(4, 0, 0, false) == 0);
	UNIT_CHECK(strcmp(ops, "wf") == 0);
	flush_rc = -EIO;
	UNIT_CHECK(request(4, 0, 0, false) == 1);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_bounds_and_types)
{
	blk_up(false, false);
	/* The last sector is fine, one more is not. */
	UNIT_CHECK(request(0, DISK / 512 - 1, 512, true) == 0);
	UNIT_CHECK(request(0, DISK / 512 - 1, 1024, true) == 1);
	UNIT_CHECK(request(1, DISK / 512, 512, false) == 1);
	UNIT_CHECK(request(0, ~0ull, 512, true) == 1);
	UNIT_CHECK(request(0, 0, 100, true) == 1); /* not whole sectors */
	UNIT_CHECK(request(99, 0, 0, false) == 2); /* UNSUPP */
	UNIT_CHECK(request(11, 0, 16, false) == 2); /* discard not offered */
	memset(fake_ptr(DATA), 0, 64);
	UNIT_CHECK(request(8, 0, 20, true) == 0);
	UNIT_CHECK(memcmp(fake_ptr(DATA), "KEEL-SERIAL-01234567", 20) == 0);
	UNIT_CHECK(!(bar(0x14, 1) & 64));
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_discard)
{
	uint64_t sector = 4;
	uint32_t num = 2;
	uint8_t *s;

	blk_up(false, true);
	s = fake_ptr(DATA);
	UNIT_CHECK(bar(0x2024, 4) > 0 && bar(0x2028, 4) > 0);
	memset(disk, 0x55, 8 * 512);
	memset(s, 0, 16);
	memcpy(s, &sector, 8);
	memcpy(s + 8, &num, 4);
	UNIT_CHECK(request(11, 0, 16, false) == 0);
	UNIT_CHECK(disk[4 * 512] == 0 && disk[6 * 512 - 1] == 0);
	UNIT_CHECK(disk[4 * 512 - 1] == 0x55 && disk[6 * 512] == 0x55);
	sector = DISK / 512 - 1;
	memcpy(s, &sector, 8);
	UNIT_CHECK(request(11, 0, 16, false) == 1);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_read_only)
{
	blk_up(true, false);
	UNIT_CHECK(dev->offered & (1ull << 5));
	UNIT_CHECK(request(1, 0, 512, false) == 1);
	UNIT_CHECK(strcmp(ops, "") == 0);
	UNIT_CHECK(request(0, 0, 512, true) == 0);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_malformed_request)
{
	blk_up(false, false);
	/* Header only, no status byte. */
	fake_desc(DESC, 0, HDR, 16, 0, 0);
	fake_w16(AVAIL + 4, 0);
	fake_w16(AVAIL + 2, 1);
	bar_w(0x3000, 2, 0);
	virtio_dev_run(dev);
	UNIT_CHECK(bar(0x14, 1) & 64);
	UNIT_CHECK(fake_msix[0] == 1);
	/* Broken: further requests are not looked at. */
	fake_w16(AVAIL + 2, 2);
	bar_w(0x3000, 2, 0);
	virtio_dev_run(dev);
	UNIT_CHECK(fake_r16(USED + 2) == 0);
	virtio_dev_destroy(dev);
}

UNIT_TEST(vblk_no_dma_without_bus_master)
{
	blk_up(false, false);
	fake_bus_master = false;
	UNIT_CHECK(request(4, 0, 0, false) == 0xee);
	UNIT_CHECK(fake_r16(USED + 2) == 0);
	/* Bus mastering back on: the pending request is done. */
	fake_bus_master = true;
	dev->pci.cfg[4] |= 4;
	dev->pci.cfg_write(&dev->pci, 4, 2, dev->pci.cfg[4]);
	virtio_dev_run(dev);
	UNIT_CHECK(fake_ptr(STATUS)[0] == 0 && fake_r16(USED + 2) == 1);
	virtio_dev_destroy(dev);
}
