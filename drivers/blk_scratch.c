// SPDX-License-Identifier: MIT
/*
 * The diagnostics scratch area: the last 64 KiB of KEEL-CONFIG (docs/blk.md;
 * the config store keeps out of it). Each keel.selftest boot checks the
 * pattern the previous boot left, writes the next one, flushes and reads
 * it back, so a system test that boots twice proves data written through
 * the driver survived a power cycle on the real controller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "drivers/blk_boot.h"
#include "drivers/crc32.h"
#ifndef KEEL_HOST_TEST
#include "core/selftest.h"
#include "core/time.h"
#endif

#define SCRATCH_MAGIC "KEELSCR1"
#define SCRATCH_HDR 64

struct blk_scratch_hdr {
	char magic[8];
	uint64_t counter;
	uint32_t payload_crc;
	uint32_t hdr_crc; /* over the bytes before it */
};

/* xorshift64 from the counter: each boot's pattern differs. */
static void blk_scratch_pattern(uint8_t *p, size_t n, uint64_t counter)
{
	uint64_t x = counter * 0x9E3779B97F4A7C15ull + 1;

	for (size_t i = 0; i < n; i++) {
		if (!(i & 7)) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		p[i] = (uint8_t)(x >> (8 * (i & 7)));
	}
}

void blk_scratch_fill(uint8_t *area, uint64_t counter)
{
	struct blk_scratch_hdr h = { .counter = counter };

	memset(area, 0, SCRATCH_HDR);
	blk_scratch_pattern(area + SCRATCH_HDR,
			    BLK_SCRATCH_BYTES - SCRATCH_HDR, counter);
	memcpy(h.magic, SCRATCH_MAGIC, 8);
	h.payload_crc = crc32_update(0, area + SCRATCH_HDR,
				     BLK_SCRATCH_BYTES - SCRATCH_HDR);
	h.hdr_crc = crc32_update(0, &h, offsetof(struct blk_scratch_hdr,
						 hdr_crc));
	memcpy(area, &h, sizeof(h));
}

int blk_scratch_check(const uint8_t *area, uint64_t *counter)
{
	struct blk_scratch_hdr h;
	uint8_t *want;
	int rc = 0;

	memcpy(&h, area, sizeof(h));
	if (memcmp(h.magic, SCRATCH_MAGIC, 8))
		return -ENOENT;
	if (h.hdr_crc != crc32_update(0, &h, offsetof(struct blk_scratch_hdr,
						      hdr_crc)) ||
	    h.payload_crc != crc32_update(0, area + SCRATCH_HDR,
					  BLK_SCRATCH_BYTES - SCRATCH_HDR))
		return -EBADMSG;
	want = malloc(BLK_SCRATCH_BYTES - SCRATCH_HDR);
	if (!want)
		return -ENOMEM;
	blk_scratch_pattern(want, BLK_SCRATCH_BYTES - SCRATCH_HDR, h.counter);
	if (memcmp(want, area + SCRATCH_HDR, BLK_SCRATCH_BYTES - SCRATCH_HDR))
		rc = -EBADMSG;
	free(want);
	*counter = h.counter;
	return rc;
}

int blk_scratch_roundtrip(struct blk_dev *cfg)
{
	uint32_t n = BLK_SCRATCH_BYTES / cfg->sector_size;
	uint64_t lba = cfg->sectors - n, prev = 0;
	uint8_t *area = malloc(BLK_SCRATCH_BYTES);
	uint8_t *back = malloc(BLK_SCRATCH_BYTES);
	int rc, verdict = 0;

	if (!area || !back) {
		rc = -ENOMEM;
		goto out;
	}
	rc = blk_read(cfg, lba, n, area);
	if (rc) {
		log_err("blk: scratch on %s: read failed (%d)", cfg->name, rc);
		goto out;
	}
	rc = blk_scratch_check(area, &prev);
	if (rc == -ENOENT) {
		log_info("blk: scratch on %s: no pattern from a previous boot "
			 "(fresh area)",
			 cfg->name);
		prev = 0;
	} else if (rc) {
		log_err("blk: scratch on %s: the previous boot's pattern is "
			"damaged (%d)",
			cfg->name, rc);
		verdict = rc;
		prev = 0;
	} else {
		log_info("blk: scratch on %s: boot %llu pattern verified",
			 cfg->name, (unsigned long long)prev);
	}
	blk_scratch_fill(area, prev + 1);
	rc = blk_write(cfg, lba, n, area);
	if (!rc)
		rc = blk_flush(cfg);
	if (!rc)
		rc = blk_read(cfg, lba, n, back);
	if (rc) {
		log_err("blk: scratch on %s: write/flush/read failed (%d)",
			cfg->name, rc);
		goto out;
	}
	if (memcmp(area, back, BLK_SCRATCH_BYTES)) {
		log_err("blk: scratch on %s: read-back differs from what was "
			"written",
			cfg->name);
		rc = -EIO;
		goto out;
	}
	log_info("blk: scratch on %s: boot %llu pattern written, flushed "
		 "and read back (%u KiB at LBA %llu)",
		 cfg->name, (unsigned long long)(prev + 1),
		 BLK_SCRATCH_BYTES / 1024, (unsigned long long)lba);
	rc = verdict;
out:
	free(area);
	free(back);
	return rc;
}

#ifndef KEEL_HOST_TEST
/* How long the self-test waits for a late disk (USB) before skipping. */
#define SCRATCH_WAIT_NS (3 * NSEC_PER_SEC)

static int blk_scratch_selftest(void)
{
	struct blk_dev *cfg = blk_config_partition(SCRATCH_WAIT_NS);

	if (!cfg) {
		log_info("blk: scratch round trip skipped: no config "
			 "partition found");
		return 0;
	}
	return blk_scratch_roundtrip(cfg);
}
KEEL_SELFTEST(blk_scratch, blk_scratch_selftest);
#endif
