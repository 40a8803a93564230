// SPDX-License-Identifier: MIT
/*
 * keel.selftest check for the block layer in the real kernel (its heap,
 * its log, -mgeneral-regs-only code): write a GPT to a RAM disk, find the
 * config partition by type and name, write, flush and read back through
 * the partition device, and check the bytes landed at the right disk LBA.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/selftest.h"
#include "drivers/blk.h"
#include "drivers/gpt.h"

#define ST_SECTORS 2048 /* 1 MiB */

static int blk_selftest_fail(const char *what, int rc)
{
	log_err("blk selftest: %s (%d)", what, rc);
	return rc ? rc : -EIO;
}

static int blk_selftest_run(uint8_t *mem, struct gpt *g)
{
	static const uint8_t dg[16] = { 0x4B, 0x45, 0x45, 0x4C };
	struct gpt_part parts[2] = {
		{ .first_lba = 34, .last_lba = 99, .name = "KEEL-BOOT" },
		{ .first_lba = 100, .last_lba = 2014, .name = "KEEL-CONFIG" },
	};
	struct blk_ramdisk rd;
	struct blk_dev part;
	struct gpt_part p;
	uint8_t buf[512];
	int rc;

	memcpy(parts[0].type_guid, gpt_type_efi_system, 16);
	memcpy(parts[1].type_guid, gpt_type_keel_config, 16);
	blk_ramdisk_init(&rd, "selftest-ram", mem, 512, ST_SECTORS);
	rc = gpt_write(&rd.dev, dg, parts, 2);
	if (rc)
		return blk_selftest_fail("gpt_write", rc);
	rc = gpt_read(&rd.dev, g);
	if (rc || g->used_backup || g->nparts != 2)
		return blk_selftest_fail("gpt_read", rc);
	rc = gpt_find(g, gpt_type_keel_config, "KEEL-CONFIG", &p);
	if (rc || p.first_lba != 100)
		return blk_selftest_fail("gpt_find", rc);
	rc = gpt_part_dev(&rd.dev, &p, &part);
	if (rc)
		return blk_selftest_fail("gpt_part_dev", rc);

	for (int i = 0; i < 512; i++)
		buf[i] = i ^ 0x5A;
	rc = blk_write(&part, 0, 1, buf);
	if (!rc)
		rc = blk_flush(&part);
	if (rc || rd.flushes < 2) /* gpt_write flushed once */
		return blk_selftest_fail("write/flush through partition", rc);
	if (blk_write(&part, part.sectors, 1, buf) != -ERANGE)
		return blk_selftest_fail("write past partition end allowed", 0);
	memset(buf, 0, sizeof(buf));
	rc = blk_read(&part, 0, 1, buf);
	if (rc || buf[7] != (7 ^ 0x5A) || buf[511] != (uint8_t)(511 ^ 0x5A))
		return blk_selftest_fail("read-back through partition", rc);
	if (mem[100 * 512 + 7] != (7 ^ 0x5A) || mem[99 * 512 + 7])
		return blk_selftest_fail("partition offset wrong on disk", 0);
	return 0;
}

static int blk_gpt_ramdisk(void)
{
	uint8_t *mem = calloc(ST_SECTORS, 512);
	struct gpt *g = malloc(sizeof(*g));
	int rc = -ENOMEM;

	if (mem && g)
		rc = blk_selftest_run(mem, g);
	else
		log_err("blk selftest: out of memory");
	free(mem);
	free(g);
	return rc;
}
KEEL_SELFTEST(blk_gpt_ramdisk, blk_gpt_ramdisk);
