// SPDX-License-Identifier: MIT
/*
 * What an operator (and tests/system/test_virtio.py) can ask of the
 * virtio disks from the command line:
 *
 *   keel.selftest          the virtio_blk self-test lists each virtio
 *                          disk's GPT partitions, and with
 *   keel.vblktest=vblkN    also writes a pattern to that (scratch!) disk
 *                          at LBA VBLK_TEST_LBA, flushes, reads it back
 *                          and compares; the host checks the image file.
 *   keel.blkbench=vblkN    at the end of boot: sequential write and read
 *                          throughput and flush latency on that disk
 *                          (destroys its first VBLK_BENCH_MIB MiB).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/selftest.h"
#include "core/time.h"
#include "drivers/gpt.h"
#include "drivers/virtio_blk.h"

CMDLINE_OPTION(vblktest, "keel.vblktest",
	       "=vblkN: self-test writes a pattern to that scratch disk");
CMDLINE_OPTION(blkbench, "keel.blkbench",
	       "=DISK: block throughput/flush bench (overwrites the disk)");

/*
 * 300 sectors at LBA 2048 (byte 1 MiB): more than one bounce buffer, so
 * the split path runs. Byte i of the region holds (i % 251) ^ 0xa5; the
 * system test computes the same on the host.
 */
#define VBLK_TEST_LBA 2048
#define VBLK_TEST_SECTORS 600

static void vblk_test_pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i % 251) ^ 0xa5);
}

static int vblk_test_list_gpt(struct blk_dev *dev)
{
	struct gpt *g = malloc(sizeof(*g));
	char guid[37];
	int rc;

	if (!g)
		return -ENOMEM;
	rc = gpt_read(dev, g);
	if (rc == -ENOENT) {
		log_info("%s: no GPT", dev->name);
		rc = 0;
	} else if (rc) {
		log_err("%s: GPT read failed (%d)", dev->name, rc);
	} else {
		gpt_guid_fmt(g->disk_guid, guid);
		log_info("%s: GPT disk %s, %u partitions", dev->name, guid,
			 g->nparts);
		for (uint32_t i = 0; i < g->nparts; i++) {
			const struct gpt_part *p = &g->parts[i];

			log_info("%s: partition %u \"%s\" LBA %llu-%llu "
				 "(%llu KiB)",
				 dev->name, p->index, p->name,
				 (unsigned long long)p->first_lba,
				 (unsigned long long)p->last_lba,
				 (unsigned long long)((p->last_lba -
						       p->first_lba + 1) *
							  dev->sector_size >>
						      10));
		}
	}
	free(g);
	return rc;
}

static int vblk_test_pattern_rw(struct blk_dev *dev)
{
	size_t bytes = (size_t)VBLK_TEST_SECTORS * 512;
	uint32_t count = bytes / dev->sector_size;
	uint64_t lba = (uint64_t)VBLK_TEST_LBA * 512 / dev->sector_size;
	uint8_t *w = malloc(bytes), *r = malloc(bytes);
	int rc = -ENOMEM;

	if (!w || !r)
		goto out;
	vblk_test_pattern(w, bytes);
	memset(r, 0, bytes);
	rc = blk_write(dev, lba, count, w);
	if (!rc)
		rc = blk_flush(dev);
	if (!rc)
		rc = blk_read(dev, lba, count, r);
	if (rc) {
		log_err("%s: pattern write/flush/read failed (%d)", dev->name,
			rc);
	} else if (memcmp(w, r, bytes)) {
		log_err("%s: pattern read back differs", dev->name);
		rc = -EIO;
	} else {
		log_info("%s: wrote, flushed and read back %zu bytes at byte "
			 "offset %llu: OK",
			 dev->name, bytes,
			 (unsigned long long)VBLK_TEST_LBA * 512);
	}
out:
	free(w);
	free(r);
	return rc;
}

static int virtio_blk_selftest(void)
{
	char name[16];
	struct blk_dev *dev;
	int rc = 0;

	if (!vblk_get(0)) {
		/* test_virtio.py boots with a disk and checks the lines. */
		log_info("virtio-blk selftest: no virtio disk, nothing to do");
		return 0;
	}
	for (unsigned int i = 0; (dev = vblk_get(i)); i++) {
		int r = vblk_test_list_gpt(dev);
		rc = rc ? rc : r;
	}
	if (cmdline_get("keel.vblktest", name, sizeof(name)) > 0) {
		dev = blk_find(name);
		if (!dev) {
			log_err("virtio-blk selftest: no disk %s", name);
			return -ENODEV;
		}
		int r = vblk_test_pattern_rw(dev);
		rc = rc ? rc : r;
	}
	return rc;
}
KEEL_SELFTEST(virtio_blk, virtio_blk_selftest);

/* Bench figures are integers: the kernel has no floating point. */
#define VBLK_BENCH_MIB 32
#define VBLK_BENCH_CHUNK (1024 * 1024)
#define VBLK_BENCH_FLUSHES 20

static uint64_t vblk_kbps(uint64_t bytes, uint64_t ns)
{
	return ns ? bytes * 1000000ull / ns : 0; /* KB/s = bytes/ms */
}

static int vblk_bench_pass(struct blk_dev *dev, uint8_t *buf, bool write,
			   uint64_t *ns)
{
	uint32_t per = VBLK_BENCH_CHUNK / dev->sector_size;
	uint64_t t0 = time_ns();
	int rc = 0;

	for (uint32_t i = 0; i < VBLK_BENCH_MIB && !rc; i++)
		rc = write ? blk_write(dev, (uint64_t)i * per, per, buf)
			   : blk_read(dev, (uint64_t)i * per, per, buf);
	if (!rc && write)
		rc = blk_flush(dev);
	*ns = time_ns() - t0;
	return rc;
}

static void vblk_bench(void)
{
	char name[16];
	struct blk_dev *dev;
	uint64_t wns, rns, fmin = ~0ull, fmax = 0, fsum = 0;
	uint8_t *buf;
	int rc;

	if (cmdline_get("keel.blkbench", name, sizeof(name)) <= 0)
		return;
	dev = blk_find(name);
	if (!dev || dev->read_only ||
	    dev->sectors * dev->sector_size < (uint64_t)VBLK_BENCH_MIB << 20) {
		log_err("blkbench: no writable disk %s of %u MiB or more", name,
			VBLK_BENCH_MIB);
		return;
	}
	buf = malloc(VBLK_BENCH_CHUNK);
	if (!buf)
		return;
	for (int i = 0; i < VBLK_BENCH_CHUNK; i++)
		buf[i] = (uint8_t)i;
	rc = vblk_bench_pass(dev, buf, true, &wns);
	if (!rc)
		rc = vblk_bench_pass(dev, buf, false, &rns);
	for (int i = 0; i < VBLK_BENCH_FLUSHES && !rc; i++) {
		rc = blk_write(dev, i, 1, buf);
		uint64_t t0 = time_ns();
		if (!rc)
			rc = blk_flush(dev);
		uint64_t d = time_ns() - t0;
		fsum += d;
		fmin = d < fmin ? d : fmin;
		fmax = d > fmax ? d : fmax;
	}
	free(buf);
	if (rc) {
		log_err("blkbench: %s failed (%d)", name, rc);
		return;
	}
	log_info(
	    "blkbench: %s seq write %u MiB: %llu KB/s", name, VBLK_BENCH_MIB,
	    (unsigned long long)vblk_kbps((uint64_t)VBLK_BENCH_MIB << 20, wns));
	log_info(
	    "blkbench: %s seq read %u MiB: %llu KB/s", name, VBLK_BENCH_MIB,
	    (unsigned long long)vblk_kbps((uint64_t)VBLK_BENCH_MIB << 20, rns));
	log_info("blkbench: %s flush latency us: avg %llu min %llu max %llu",
		 name, (unsigned long long)(fsum / VBLK_BENCH_FLUSHES / 1000),
		 (unsigned long long)(fmin / 1000),
		 (unsigned long long)(fmax / 1000));
	log_info("blkbench: done");
}
KEEL_INIT(INIT_LATE, vblk_bench);
