// SPDX-License-Identifier: MIT
/*
 * The block layer's promises to every caller: requests outside a device
 * (or a partition) never reach its driver, a zero-length request is a
 * no-op, partitions offset and bound every request and flush their disk,
 * and the registry refuses bad or duplicate devices.
 * UNIT_SRCS: drivers/blk.c drivers/blk_ramdisk.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "drivers/blk.h"
#include "unit.h"

#define SS 512
#define NSEC 256

static uint8_t mem[NSEC * SS];
static uint8_t buf[4 * SS];

/* A driver that only counts: shows whether a request got through. */
static int calls;
static int cnt_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *b)
{
	calls++;
	return 0;
}
static const struct blk_ops cnt_ops = { .read = cnt_read };

UNIT_TEST(blk_bounds)
{
	struct blk_dev d = { .name = "cnt0", .sector_size = SS,
			     .sectors = NSEC, .ops = &cnt_ops };

	calls = 0;
	UNIT_CHECK(blk_read(&d, NSEC - 1, 1, buf) == 0);
	UNIT_CHECK(blk_read(&d, 0, 4, buf) == 0);
	UNIT_CHECK(calls == 2);
	UNIT_CHECK(blk_read(&d, NSEC - 1, 2, buf) == -ERANGE);
	UNIT_CHECK(blk_read(&d, NSEC, 1, buf) == -ERANGE);
	/* lba + count wraps around: must not look small. */
	UNIT_CHECK(blk_read(&d, UINT64_MAX, 2, buf) == -ERANGE);
	UNIT_CHECK(blk_read(&d, 1, UINT32_MAX, buf) == -ERANGE);
	UNIT_CHECK(blk_read(&d, 0, 1, NULL) == -EINVAL);
	UNIT_CHECK(calls == 2);
	/* No write op: refused, not a crash. No flush op: nothing to do. */
	UNIT_CHECK(blk_write(&d, 0, 1, buf) == -EOPNOTSUPP);
	UNIT_CHECK(blk_flush(&d) == 0);
}

/* A driver with one transfer routine (ops->rw): reads and writes reach
 * it with the direction, and a read-only device never sees a write. */
static int rw_last = -1;
static int rw_xfer(struct blk_dev *d, uint64_t lba, uint32_t n, void *b,
		   bool write)
{
	rw_last = write;
	return 0;
}
static const struct blk_ops rw_ops = { .rw = rw_xfer };

UNIT_TEST(blk_rw_op)
{
	struct blk_dev d = { .name = "rw0", .sector_size = SS,
			     .sectors = NSEC, .ops = &rw_ops };

	UNIT_CHECK(blk_register(&d) == 0);
	UNIT_CHECK(blk_read(&d, 0, 1, buf) == 0 && rw_last == 0);
	UNIT_CHECK(blk_write(&d, 1, 2, buf) == 0 && rw_last == 1);
	rw_last = -1;
	UNIT_CHECK(blk_write(&d, NSEC, 1, buf) == -ERANGE && rw_last == -1);
	d.read_only = true;
	UNIT_CHECK(blk_write(&d, 0, 1, buf) == -EROFS && rw_last == -1);
	blk_unregister(&d);
}

UNIT_TEST(blk_zero_count)
{
	struct blk_dev d = { .name = "cnt1", .sector_size = SS,
			     .sectors = NSEC, .ops = &cnt_ops };

	calls = 0;
	UNIT_CHECK(blk_read(&d, 5, 0, buf) == 0);
	UNIT_CHECK(blk_read(&d, NSEC, 0, buf) == 0);
	UNIT_CHECK(blk_read(&d, NSEC + 1, 0, buf) == -ERANGE);
	UNIT_CHECK(calls == 0);
}

UNIT_TEST(blk_ramdisk_rw)
{
	struct blk_ramdisk rd;

	memset(mem, 0, sizeof(mem));
	UNIT_CHECK(blk_ramdisk_init(&rd, "ramrw", mem, SS, NSEC) == 0);
	memset(buf, 0xA5, 2 * SS);
	UNIT_CHECK(blk_write(&rd.dev, 10, 2, buf) == 0);
	UNIT_CHECK(mem[10 * SS] == 0xA5 && mem[12 * SS - 1] == 0xA5);
	UNIT_CHECK(mem[10 * SS - 1] == 0 && mem[12 * SS] == 0);
	memset(buf, 0, sizeof(buf));
	UNIT_CHECK(blk_read(&rd.dev, 11, 1, buf) == 0);
	UNIT_CHECK(buf[0] == 0xA5 && buf[SS - 1] == 0xA5);
	UNIT_CHECK(blk_flush(&rd.dev) == 0 && rd.flushes == 1);
	rd.dev.read_only = true;
	UNIT_CHECK(blk_write(&rd.dev, 0, 1, buf) == -EROFS);
}

UNIT_TEST(blk_partition_offsets_and_bounds)
{
	struct blk_ramdisk rd;
	struct blk_dev p;

	memset(mem, 0, sizeof(mem));
	blk_ramdisk_init(&rd, "ram0", mem, SS, NSEC);
	UNIT_CHECK(blk_part_init(&p, &rd.dev, 100, 50, 3) == 0);
	UNIT_CHECK_STR(p.name, "ram0p3");
	UNIT_CHECK(p.sectors == 50 && p.sector_size == SS);

	memset(buf, 0x5A, SS);
	UNIT_CHECK(blk_write(&p, 0, 1, buf) == 0);
	UNIT_CHECK(mem[100 * SS] == 0x5A && mem[100 * SS - 1] == 0);
	UNIT_CHECK(blk_write(&p, 49, 1, buf) == 0);
	UNIT_CHECK(mem[149 * SS] == 0x5A && mem[150 * SS] == 0);
	/* Past the partition, though still inside the disk: refused. */
	UNIT_CHECK(blk_write(&p, 50, 1, buf) == -ERANGE);
	UNIT_CHECK(blk_write(&p, 49, 2, buf) == -ERANGE);
	UNIT_CHECK(blk_read(&p, UINT64_MAX - 99, 1, buf) == -ERANGE);
	UNIT_CHECK(mem[150 * SS] == 0);
	memset(buf, 0, SS);
	UNIT_CHECK(blk_read(&p, 49, 1, buf) == 0 && buf[0] == 0x5A);
	UNIT_CHECK(blk_flush(&p) == 0 && rd.flushes == 1);

	/* A partition that does not fit its disk is never made. */
	UNIT_CHECK(blk_part_init(&p, &rd.dev, 200, 57, 1) == -ERANGE);
	UNIT_CHECK(blk_part_init(&p, &rd.dev, UINT64_MAX, 2, 1) == -ERANGE);
	UNIT_CHECK(blk_part_init(&p, &rd.dev, 0, 0, 1) == -ERANGE);
	UNIT_CHECK(blk_part_init(&p, &rd.dev, 200, 56, 1) == 0);

	/* A read-only disk gives read-only partitions. */
	rd.dev.read_only = true;
	UNIT_CHECK(blk_part_init(&p, &rd.dev, 0, 10, 1) == 0);
	UNIT_CHECK(blk_write(&p, 0, 1, buf) == -EROFS);
}

UNIT_TEST(blk_registry)
{
	struct blk_ramdisk a, b, c;
	struct blk_dev bad;
	int n = 0;

	blk_ramdisk_init(&a, "rega", mem, SS, NSEC);
	blk_ramdisk_init(&b, "regb", mem, SS, NSEC);
	blk_ramdisk_init(&c, "rega", mem, SS, NSEC);
	UNIT_CHECK(blk_register(&a.dev) == 0);
	UNIT_CHECK(blk_register(&b.dev) == 0);
	UNIT_CHECK(blk_register(&c.dev) == -EEXIST);
	UNIT_CHECK(blk_register(&a.dev) == -EEXIST);
	UNIT_CHECK(blk_find("regb") == &b.dev);
	UNIT_CHECK(blk_find("nope") == NULL);
	for (struct blk_dev *d = blk_next(NULL); d; d = blk_next(d))
		n++;
	UNIT_CHECK(n == 2);
	UNIT_CHECK(blk_next(NULL) == &a.dev);

	bad = a.dev;
	bad.name = "bad";
	bad.sector_size = 520;
	UNIT_CHECK(blk_register(&bad) == -EINVAL);
	bad.sector_size = 256;
	UNIT_CHECK(blk_register(&bad) == -EINVAL);
	bad.sector_size = 4096;
	bad.name = "";
	UNIT_CHECK(blk_register(&bad) == -EINVAL);

	blk_unregister(&a.dev);
	UNIT_CHECK(blk_find("rega") == NULL);
	UNIT_CHECK(blk_next(NULL) == &b.dev);
	blk_unregister(&b.dev);
	UNIT_CHECK(blk_next(NULL) == NULL);
}

/*
 * blk_xfer_split: chunks of at most max_bytes, in order, through the
 * bounce buffer when there is one, and the first error ends the request.
 */
static uint8_t dev_mem[NSEC * SS], bounce[2 * SS];
static int xfers, fail_at = -1;
static uint32_t max_n;

static int split_xfer(struct blk_dev *d, uint64_t lba, uint32_t n, void *io,
		      bool write)
{
	if (n > max_n)
		max_n = n;
	if (xfers++ == fail_at)
		return -EIO;
	if (write)
		memcpy(dev_mem + lba * SS, io, (size_t)n * SS);
	else
		memcpy(io, dev_mem + lba * SS, (size_t)n * SS);
	return 0;
}

UNIT_TEST(blk_xfer_split_chunks_and_bounce)
{
	struct blk_dev d = { .name = "split", .sector_size = SS,
			     .sectors = NSEC };
	uint8_t out[5 * SS], in[5 * SS];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	for (int b = 0; b < 2; b++) {
		void *bb = b ? bounce : NULL;

		memset(dev_mem, 0, sizeof(dev_mem));
		memset(in, 0, sizeof(in));
		xfers = 0;
		max_n = 0;
		UNIT_CHECK(blk_xfer_split(&d, 10, 5, out, true, 2 * SS, bb,
					  split_xfer) == 0);
		UNIT_CHECK(xfers == 3 && max_n == 2);
		UNIT_CHECK(!memcmp(dev_mem + 10 * SS, out, sizeof(out)));
		UNIT_CHECK(dev_mem[10 * SS - 1] == 0 && dev_mem[15 * SS] == 0);
		UNIT_CHECK(blk_xfer_split(&d, 10, 5, in, false, 2 * SS, bb,
					  split_xfer) == 0);
		UNIT_CHECK(!memcmp(in, out, sizeof(in)));
	}
	/* The second chunk fails: the third is never tried. */
	xfers = 0;
	fail_at = 1;
	UNIT_CHECK(blk_xfer_split(&d, 0, 5, in, false, 2 * SS, bounce,
				  split_xfer) == -EIO);
	UNIT_CHECK(xfers == 2);
	fail_at = -1;
}

/* Model and serial strings: NVMe's byte order and ATA's swapped words,
 * padding trimmed, control bytes shown as '?'. */
UNIT_TEST(blk_ident_string)
{
	char out[9];

	blk_ident_string("QEMU\x01NVM", 8, false, out);
	UNIT_CHECK_STR(out, "QEMU?NVM");
	blk_ident_string("EQUMD  \0", 8, true, out); /* "QEMU D  " word-swapped */
	UNIT_CHECK_STR(out, "QEMU D");
	blk_ident_string("        ", 8, false, out);
	UNIT_CHECK_STR(out, "");
}
