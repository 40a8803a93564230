// SPDX-License-Identifier: MIT
/*
 * keel.blktest=DISK: a write/flush/read-back round trip on a scratch disk,
 * for any controller (AHCI, NVMe, virtio-blk, USB). BLK_TEST_BYTES at byte
 * offset BLK_TEST_OFFSET get byte i = (i % 251) ^ 0xa5 (251 is prime, so
 * a sector-sized misplacement shows); the system tests compute the same on
 * the host and look for it in the disk file. More than one 256 KiB request,
 * so drivers that split transfers are exercised. It overwrites the disk:
 * never point it at one that matters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk.h"

CMDLINE_OPTION(blktest, "keel.blktest",
	       "DISK: write, flush and read back a pattern on scratch DISK");

#define BLK_TEST_OFFSET (1u << 20)
#define BLK_TEST_BYTES (600u * 512)
#define BLK_TEST_WAIT_NS (10 * NSEC_PER_SEC) /* USB disks register late */

static int blk_test_run(struct blk_dev *d)
{
	uint32_t count = BLK_TEST_BYTES / d->sector_size;
	uint64_t lba = BLK_TEST_OFFSET / d->sector_size;
	uint8_t *w = malloc(BLK_TEST_BYTES), *r = calloc(1, BLK_TEST_BYTES);
	int rc = -ENOMEM;

	if (!w || !r)
		goto out;
	for (uint32_t i = 0; i < BLK_TEST_BYTES; i++)
		w[i] = (uint8_t)((i % 251) ^ 0xa5);
	rc = blk_write(d, lba, count, w);
	if (!rc)
		rc = blk_flush(d);
	if (!rc)
		rc = blk_read(d, lba, count, r);
	if (!rc && memcmp(w, r, BLK_TEST_BYTES))
		rc = -EILSEQ;
out:
	free(w);
	free(r);
	return rc;
}

static void blk_test(void)
{
	char name[32];
	struct blk_dev *d = NULL;
	uint64_t t0 = time_ns();
	int rc;

	if (cmdline_get("keel.blktest", name, sizeof(name)) <= 0)
		return;
	while (!(d = blk_find(name)) && time_ns() - t0 < BLK_TEST_WAIT_NS)
		thread_sleep_ns(100 * NSEC_PER_MSEC);
	if (!d) {
		log_err("blktest: no disk %s after %llu s", name,
			BLK_TEST_WAIT_NS / NSEC_PER_SEC);
		return;
	}
	if (d->sector_size > BLK_TEST_BYTES ||
	    BLK_TEST_OFFSET + BLK_TEST_BYTES > d->sectors * d->sector_size) {
		log_err("blktest: %s is too small", name);
		return;
	}
	rc = blk_test_run(d);
	if (rc == -EILSEQ)
		log_err("blktest: %s: read-back differs", name);
	else if (rc)
		log_err("blktest: %s: I/O error %d", name, rc);
	else
		log_info("blktest: %s: wrote, flushed and read back %u bytes at "
			 "byte offset %u: match",
			 name, BLK_TEST_BYTES, BLK_TEST_OFFSET);
}
KEEL_INIT(INIT_LATE, blk_test);
