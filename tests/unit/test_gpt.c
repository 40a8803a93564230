// SPDX-License-Identifier: MIT
/*
 * GPT reading (UEFI spec 2.9 chapter 5) on the real build/keel.img and on
 * damaged tables: the config store must find KEEL-CONFIG where
 * docs/image.md says, a bad primary must fall back to the backup, and a
 * disk with no good header, or entries that lie, must not hand anyone a
 * partition outside the usable area.
 * UNIT_SRCS: drivers/gpt.c drivers/crc32.c drivers/blk.c drivers/blk_ramdisk.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "drivers/crc32.h"
#include "drivers/gpt.h"
#include "unit.h"

#define NSEC 2048 /* 1 MiB of 512-byte sectors */

static struct gpt g;
static struct blk_ramdisk rd;
static uint8_t *disk;
static uint32_t ss;

static bool log_has(const char *s)
{
	struct log_record r;

	for (uint64_t q = log_first_seq(); q < log_next_seq(); q++)
		if (!log_read(q, &r) && strstr(r.text, s))
			return true;
	return false;
}

static struct gpt_part mkpart(uint64_t first, uint64_t last, const char *name)
{
	struct gpt_part p = { .first_lba = first, .last_lba = last };

	memcpy(p.type_guid, gpt_type_keel_config, 16);
	p.unique_guid[0] = first;
	snprintf(p.name, sizeof(p.name), "%s", name);
	return p;
}

/* A fresh disk of nsec sectors of size s with parts[0..n). */
static void mkdisk(uint32_t s, uint64_t nsec, const struct gpt_part *parts,
		   uint32_t n)
{
	static const uint8_t dg[16] = { 1, 2, 3 };

	free(disk);
	ss = s;
	disk = calloc(nsec, s);
	blk_ramdisk_init(&rd, "tdisk", disk, s, nsec);
	UNIT_CHECK(gpt_write(&rd.dev, dg, parts, n) == 0);
}

static uint8_t *hdr(uint64_t lba)
{
	return disk + lba * ss;
}

/* Recompute both CRCs of the header at lba after a test edits it. */
static void fix_crcs(uint64_t lba)
{
	uint8_t *h = hdr(lba);
	uint64_t elba;
	uint32_t crc = 0, n, sz;

	memcpy(&elba, h + 72, 8);
	memcpy(&n, h + 80, 4);
	memcpy(&sz, h + 84, 4);
	crc = crc32_update(0, disk + elba * ss, (size_t)n * sz);
	memcpy(h + 88, &crc, 4);
	memset(h + 16, 0, 4);
	crc = crc32_update(0, h, 92);
	memcpy(h + 16, &crc, 4);
}

UNIT_TEST(gpt_crc32_vector)
{
	/* The standard check value of CRC-32/IEEE (ISO-HDLC). */
	UNIT_CHECK(crc32_update(0, "123456789", 9) == 0xCBF43926);
	UNIT_CHECK(crc32_update(crc32_update(0, "1234", 4), "56789", 5) ==
		   0xCBF43926);
}

UNIT_TEST(gpt_guid_text)
{
	static const uint8_t want[16] = { 0x8D, 0x14, 0xD6, 0x17, 0x67, 0x1D,
					  0x57, 0x48, 0x9F, 0xFF, 0xE6, 0x93,
					  0x2E, 0xA1, 0x33, 0x1B };
	uint8_t g2[16];
	char s[37];

	UNIT_CHECK(!memcmp(gpt_type_keel_config, want, 16));
	gpt_guid_fmt(gpt_type_keel_config, s);
	UNIT_CHECK_STR(s, "17D6148D-1D67-4857-9FFF-E6932EA1331B");
	UNIT_CHECK(gpt_guid_parse("17d6148d-1d67-4857-9fff-e6932ea1331b", g2) == 0);
	UNIT_CHECK(!memcmp(g2, want, 16));
	UNIT_CHECK(gpt_guid_parse("17D6148D-1D67-4857-9FFF-E6932EA1331", g2) == -EINVAL);
	UNIT_CHECK(gpt_guid_parse("17D6148D-1D67-4857-9FFF-E6932EA1331BB", g2) == -EINVAL);
	UNIT_CHECK(gpt_guid_parse("17D6148D+1D67-4857-9FFF-E6932EA1331B", g2) == -EINVAL);
	UNIT_CHECK(gpt_guid_parse("17D6148D-1D67-4857-9FFF-E6932EA1331G", g2) == -EINVAL);
}

/* The image ./build.sh makes, as the config store will meet it. */
UNIT_TEST(gpt_real_keel_img)
{
	const char *b = getenv("BUILD");
	char path[256], s[37];
	struct gpt_part p;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/keel.img", b ? b : "build");
	f = fopen(path, "rb");
	UNIT_CHECK(f != NULL); /* ./build.sh builds it before the tests */
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	free(disk);
	disk = malloc(len);
	UNIT_CHECK(fread(disk, 1, len, f) == (size_t)len);
	fclose(f);
	UNIT_CHECK(len == 30 << 20);
	blk_ramdisk_init(&rd, "keelimg", disk, 512, len / 512);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(!g.used_backup && g.header_lba == 1);
	UNIT_CHECK(g.nparts == 3 && g.skipped == 0);
	gpt_guid_fmt(g.disk_guid, s);
	UNIT_CHECK_STR(s, "969BC4E8-9527-4FA4-A64D-B273A91120DD");

	UNIT_CHECK(gpt_find(&g, gpt_type_keel_config, NULL, &p) == 0);
	UNIT_CHECK(p.first_lba == 43008 && p.last_lba == 59391 && p.index == 3);
	UNIT_CHECK_STR(p.name, "KEEL-CONFIG");
	gpt_guid_fmt(p.unique_guid, s);
	UNIT_CHECK_STR(s, "ACEF4D1C-B40A-4CF1-8F2A-FB3C6E91B3B1");
	memset(&p, 0, sizeof(p));
	UNIT_CHECK(gpt_find(&g, NULL, "KEEL-CONFIG", &p) == 0);
	UNIT_CHECK(p.first_lba == 43008 && p.last_lba == 59391);
	UNIT_CHECK(gpt_find(&g, gpt_type_efi_system, "KEEL-BOOT", &p) == 0);
	UNIT_CHECK(p.first_lba == 4096 && p.last_lba == 43007);
	UNIT_CHECK(gpt_find(&g, gpt_type_keel_config, "KEEL-BOOT", &p) == -ENOENT);

	/* The same image with its primary header wiped: backup at 61439. */
	memset(disk + 512, 0, 512);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(g.used_backup && g.header_lba == 61439);
	UNIT_CHECK(gpt_find(&g, gpt_type_keel_config, "KEEL-CONFIG", &p) == 0);
	UNIT_CHECK(p.first_lba == 43008);
}

UNIT_TEST(gpt_synthetic_roundtrip)
{
	struct gpt_part parts[2] = { mkpart(34, 1033, "A"),
				     mkpart(1034, 2014, "KEEL-CONFIG") };
	struct gpt_part p;
	struct blk_dev pd;

	mkdisk(512, NSEC, parts, 2);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(g.first_usable == 34 && g.last_usable == 2014);
	UNIT_CHECK(g.nparts == 2 && !g.used_backup);
	UNIT_CHECK(gpt_find(&g, gpt_type_keel_config, "KEEL-CONFIG", &p) == 0);
	UNIT_CHECK(p.index == 2 && p.first_lba == 1034);
	UNIT_CHECK(gpt_part_dev(&rd.dev, &p, &pd) == 0);
	UNIT_CHECK(pd.sectors == 981 && pd.start == 1034);
	UNIT_CHECK_STR(pd.name, "tdiskp2");
}

UNIT_TEST(gpt_bad_primary_header_crc_uses_backup)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "KEEL-CONFIG") };

	mkdisk(512, NSEC, parts, 1);
	hdr(1)[40] ^= 1; /* first usable LBA, CRC not updated */
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(g.used_backup && g.header_lba == NSEC - 1);
	UNIT_CHECK(gpt_find(&g, NULL, "KEEL-CONFIG", NULL) == 0);
	UNIT_CHECK(log_has("header CRC32 mismatch"));
	UNIT_CHECK(log_has("using the backup"));
}

UNIT_TEST(gpt_bad_entry_array_crc_uses_backup)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "KEEL-CONFIG") };

	mkdisk(512, NSEC, parts, 1);
	disk[2 * 512 + 40] ^= 0xFF; /* primary array: entry 1's last LBA */
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(g.used_backup && g.nparts == 1);
	UNIT_CHECK(g.parts[0].last_lba == 199);
	UNIT_CHECK(log_has("entry array CRC32 mismatch"));
}

UNIT_TEST(gpt_both_bad_refused)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "KEEL-CONFIG") };

	mkdisk(512, NSEC, parts, 1);
	hdr(1)[0] = 'X';
	hdr(NSEC - 1)[16] ^= 1;
	UNIT_CHECK(gpt_read(&rd.dev, &g) == -EBADMSG);
	UNIT_CHECK(g.nparts == 0);
	UNIT_CHECK(log_has("refusing the disk"));

	/* No protective MBR: not ours to read, even with a good GPT. */
	mkdisk(512, NSEC, parts, 1);
	disk[446 + 4] = 0x83;
	UNIT_CHECK(gpt_read(&rd.dev, &g) == -ENOENT);
	mkdisk(512, NSEC, parts, 1);
	disk[510] = 0;
	UNIT_CHECK(gpt_read(&rd.dev, &g) == -ENOENT);
}

UNIT_TEST(gpt_bad_entries_skipped)
{
	struct gpt_part parts[6] = {
		mkpart(34, 99, "ok1"),
		mkpart(90, 120, "overlap"),	 /* over ok1 */
		mkpart(2000, 2015, "past-end"),	 /* last usable is 2014 */
		mkpart(10, 20, "in-gpt"),	 /* inside the entry array */
		mkpart(300, 200, "backwards"),
		mkpart(1000, UINT64_MAX, "wrap"),
	};

	mkdisk(512, NSEC, parts, 6);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	UNIT_CHECK(g.nparts == 1 && g.skipped == 5);
	UNIT_CHECK_STR(g.parts[0].name, "ok1");
	UNIT_CHECK(gpt_find(&g, NULL, "overlap", NULL) == -ENOENT);
	UNIT_CHECK(gpt_find(&g, NULL, "wrap", NULL) == -ENOENT);
	UNIT_CHECK(log_has("overlaps an earlier partition"));
	UNIT_CHECK(log_has("outside the usable area"));
}

UNIT_TEST(gpt_sector_4096)
{
	struct gpt_part parts[1] = { mkpart(6, 200, "KEEL-CONFIG") };
	struct gpt_part p;

	mkdisk(4096, 256, parts, 1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0);
	/* 16 KiB of entries is 4 sectors: usable 6..250. */
	UNIT_CHECK(g.first_usable == 6 && g.last_usable == 250);
	UNIT_CHECK(gpt_find(&g, gpt_type_keel_config, NULL, &p) == 0);
	UNIT_CHECK(p.first_lba == 6 && p.last_lba == 200);
	hdr(1)[100] = 1; /* beyond the 92 bytes the CRC covers: harmless */
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && !g.used_backup);
	hdr(1)[20] = 1; /* reserved, inside the CRC */
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	UNIT_CHECK(g.header_lba == 255);
}

UNIT_TEST(gpt_header_size_lies)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "KEEL-CONFIG") };
	uint32_t sz;

	/* Larger than the sector, CRC recomputed over the sector: refused. */
	mkdisk(512, NSEC, parts, 1);
	sz = 4096;
	memcpy(hdr(1) + 12, &sz, 4);
	fix_crcs(1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	UNIT_CHECK(log_has("bad header size"));
	/* Smaller than the defined fields. */
	sz = 60;
	memcpy(hdr(1) + 12, &sz, 4);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	/* Bigger than what the CRC covered. */
	sz = 200;
	memcpy(hdr(1) + 12, &sz, 4);
	hdr(1)[150] = 0xEE;
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	/* Honest larger header (zero-padded, CRC over all of it): fine. */
	mkdisk(512, NSEC, parts, 1);
	sz = 512;
	memcpy(hdr(1) + 12, &sz, 4);
	{
		uint8_t *h = hdr(1);
		uint32_t crc;

		memset(h + 16, 0, 4);
		crc = crc32_update(0, h, 512);
		memcpy(h + 16, &crc, 4);
	}
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && !g.used_backup);
}

UNIT_TEST(gpt_header_geometry_lies)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "KEEL-CONFIG") };
	uint64_t v;
	uint32_t n;

	/* Entry count times size overflowing 32 bits, CRCs made to match. */
	mkdisk(512, NSEC, parts, 1);
	n = 0x02000000;
	memcpy(hdr(1) + 80, &n, 4);
	memset(hdr(1) + 16, 0, 4);
	n = crc32_update(0, hdr(1), 92);
	memcpy(hdr(1) + 16, &n, 4);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	/* Last usable beyond the disk. */
	mkdisk(512, NSEC, parts, 1);
	v = NSEC + 10;
	memcpy(hdr(1) + 48, &v, 8);
	fix_crcs(1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	/* MyLBA wrong. */
	mkdisk(512, NSEC, parts, 1);
	v = 5;
	memcpy(hdr(1) + 24, &v, 8);
	fix_crcs(1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && g.used_backup);
	UNIT_CHECK(log_has("MyLBA"));
}

UNIT_TEST(gpt_utf16_names)
{
	struct gpt_part parts[1] = { mkpart(100, 199, "x") };
	/* "é€" then U+1F600 as a surrogate pair, then a lone surrogate. */
	static const uint8_t u16[] = { 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8,
				       0x00, 0xDE, 0x00, 0xD8, 'Z', 0 };

	mkdisk(512, NSEC, parts, 1);
	memset(disk + 2 * 512 + 56, 0, 72);
	memcpy(disk + 2 * 512 + 56, u16, sizeof(u16));
	fix_crcs(1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && !g.used_backup);
	UNIT_CHECK_STR(g.parts[0].name, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80?Z");
	/* A full 36-unit name is kept whole. */
	for (int i = 0; i < 36; i++)
		disk[2 * 512 + 56 + 2 * i] = 'a', disk[2 * 512 + 57 + 2 * i] = 0;
	fix_crcs(1);
	UNIT_CHECK(gpt_read(&rd.dev, &g) == 0 && strlen(g.parts[0].name) == 36);
}
