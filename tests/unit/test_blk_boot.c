// SPDX-License-Identifier: MIT
/*
 * The boot-device finder and the scratch area on RAM disks: a registered
 * disk's GPT partitions appear as <disk>p<N> (and are not scanned again),
 * the first disk with KEEL-BOOT + KEEL-CONFIG wins, a disk with only
 * KEEL-CONFIG or with a refused table is not chosen, and the scratch
 * pattern is checked, damaged patterns caught, and the counter advances.
 * UNIT_SRCS: drivers/blk_boot.c drivers/blk_scratch.c drivers/gpt.c drivers/crc32.c drivers/blk.c drivers/blk_ramdisk.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blk_boot.h"
#include "drivers/gpt.h"
#include "unit.h"

#define NSEC 4096 /* 2 MiB */

static void make_disk(struct blk_ramdisk *rd, const char *name, bool boot,
		      bool config)
{
	static const uint8_t dg[16] = { 1, 2, 3 };
	struct gpt_part parts[2] = {
		{ .first_lba = 34, .last_lba = 999, .name = "KEEL-BOOT" },
		{ .first_lba = 1000, .last_lba = 3999, .name = "KEEL-CONFIG" },
	};
	uint8_t *mem = calloc(NSEC, 512);

	memcpy(parts[0].type_guid, gpt_type_efi_system, 16);
	memcpy(parts[1].type_guid, gpt_type_keel_config, 16);
	if (!boot)
		memcpy(parts[0].name, "OTHER", 6);
	if (!config)
		parts[1].type_guid[0] ^= 0xff;
	UNIT_CHECK(mem != NULL);
	UNIT_CHECK(blk_ramdisk_init(rd, name, mem, 512, NSEC) == 0);
	UNIT_CHECK(gpt_write(&rd->dev, dg, parts, 2) == 0);
}

UNIT_TEST(blk_boot_first_candidate_wins)
{
	static struct blk_ramdisk a, b, c;

	blk_boot_reset();
	blk_boot_install();
	make_disk(&c, "tc", false, true); /* config without KEEL-BOOT */
	make_disk(&a, "ta", true, true);
	make_disk(&b, "tb", true, true);
	UNIT_CHECK(blk_register(&c.dev) == 0);
	UNIT_CHECK(blk_find("tcp2") != NULL);
	UNIT_CHECK(blk_boot_config() == NULL);
	UNIT_CHECK(blk_boot_esp() == NULL);
	UNIT_CHECK(blk_register(&a.dev) == 0);
	UNIT_CHECK(blk_register(&b.dev) == 0);
	UNIT_CHECK(blk_boot_disk() == &a.dev);
	UNIT_CHECK(blk_boot_config() == blk_find("tap2"));
	UNIT_CHECK(blk_boot_esp() == blk_find("tap1"));
	UNIT_CHECK(blk_find("tap2")->start == 1000);
	UNIT_CHECK(blk_find("tap2")->sectors == 3000);
	UNIT_CHECK(blk_find("tbp1") != NULL);
	/* Partitions are not scanned again: no "tap2p1". */
	UNIT_CHECK(blk_find("tap2p1") == NULL);
	blk_set_disk_hook(NULL);
}

UNIT_TEST(blk_boot_refused_table)
{
	static struct blk_ramdisk d;

	blk_boot_reset();
	blk_boot_install();
	make_disk(&d, "tbad", true, true);
	d.mem[512 + 16] ^= 0xff;		   /* primary header CRC */
	d.mem[(NSEC - 1) * 512 + 16] ^= 0xff; /* backup header CRC */
	UNIT_CHECK(blk_register(&d.dev) == 0);
	UNIT_CHECK(blk_find("tbadp1") == NULL);
	UNIT_CHECK(blk_boot_config() == NULL);
	blk_set_disk_hook(NULL);
}

UNIT_TEST(blk_boot_backup_header)
{
	static struct blk_ramdisk d;

	blk_boot_reset();
	blk_boot_install();
	make_disk(&d, "tbk", true, true);
	memset(d.mem + 512, 0, 512); /* primary header gone */
	UNIT_CHECK(blk_register(&d.dev) == 0);
	UNIT_CHECK(blk_boot_config() == blk_find("tbkp2"));
	blk_set_disk_hook(NULL);
}

UNIT_TEST(blk_scratch_pattern)
{
	uint8_t *area = calloc(1, BLK_SCRATCH_BYTES);
	uint64_t n = 0;

	UNIT_CHECK(blk_scratch_check(area, &n) == -ENOENT);
	blk_scratch_fill(area, 41);
	UNIT_CHECK(blk_scratch_check(area, &n) == 0 && n == 41);
	area[BLK_SCRATCH_BYTES - 1] ^= 1; /* payload */
	UNIT_CHECK(blk_scratch_check(area, &n) == -EBADMSG);
	blk_scratch_fill(area, 41);
	area[8] ^= 1; /* counter: header CRC */
	UNIT_CHECK(blk_scratch_check(area, &n) == -EBADMSG);
	free(area);
}

UNIT_TEST(blk_scratch_roundtrip_counts_boots)
{
	static struct blk_ramdisk d;
	struct blk_dev *cfg;
	uint64_t n = 0;

	blk_boot_reset();
	blk_boot_install();
	make_disk(&d, "trt", true, true);
	UNIT_CHECK(blk_register(&d.dev) == 0);
	cfg = blk_boot_config();
	UNIT_CHECK(cfg != NULL);
	UNIT_CHECK(blk_scratch_roundtrip(cfg) == 0); /* fresh: writes 1 */
	UNIT_CHECK(blk_scratch_roundtrip(cfg) == 0); /* verifies 1, writes 2 */
	/* The area is the last 64 KiB of the partition (LBA 3999 ends it). */
	UNIT_CHECK(blk_scratch_check(d.mem + (4000 * 512 - BLK_SCRATCH_BYTES),
				     &n) == 0 &&
		   n == 2);
	UNIT_CHECK(d.flushes >= 3);
	/* A damaged pattern is reported, and replaced. */
	d.mem[4000 * 512 - 100] ^= 0x55;
	UNIT_CHECK(blk_scratch_roundtrip(cfg) == -EBADMSG);
	UNIT_CHECK(blk_scratch_roundtrip(cfg) == 0);
	blk_set_disk_hook(NULL);
}
