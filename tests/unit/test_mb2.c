// SPDX-License-Identifier: MIT
/*
 * Multiboot2 information parsing, including what a buggy or hostile boot
 * loader could hand us.
 * UNIT_SRCS: core/mb2.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mb2.h"
#include "unit.h"

/* Builds an information structure tag by tag, 8-byte aligned. */
struct mbi {
	_Alignas(8) uint8_t buf[8192];
	uint32_t len;
};

static void mbi_init(struct mbi *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static uint8_t *mbi_tag(struct mbi *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->buf + m->len;

	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	m->len += (size + 7) & ~7u;
	return t;
}

static void mbi_str(struct mbi *m, uint32_t type, const char *s)
{
	uint8_t *t = mbi_tag(m, type, 8 + strlen(s) + 1);

	strcpy((char *)t + 8, s);
}

static void mbi_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void mbi_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void mbi_end(struct mbi *m)
{
	mbi_tag(m, 0, 8);
	mbi_u32(m->buf, m->len);
}

static void mbi_mmap(struct mbi *m, const uint64_t (*r)[3], int n)
{
	uint8_t *t = mbi_tag(m, 6, 16 + 24 * n);

	mbi_u32(t + 8, 24);
	for (int i = 0; i < n; i++) {
		mbi_u64(t + 16 + 24 * i, r[i][0]);
		mbi_u64(t + 24 + 24 * i, r[i][1]);
		mbi_u32(t + 32 + 24 * i, (uint32_t)r[i][2]);
	}
}

static int warnings;
static void count_sink(enum log_level level, const char *s, size_t n)
{
	if (level <= LOG_WARN)
		warnings++;
}
static struct log_sink sink = { .name = "test", .write_line = count_sink };

static struct boot_info bi;

static int parse(struct mbi *m)
{
	static int sink_added;

	if (!sink_added++)
		log_add_sink(&sink);
	warnings = 0;
	return mb2_parse(m->buf, 0x10000, &bi);
}

UNIT_TEST(mb2_bios_boot)
{
	struct mbi m;
	const uint64_t map[][3] = {
		{ 0x100000, 0x1ff00000, 1 }, /* unsorted on purpose */
		{ 0x0, 0x9fc00, 1 },
		{ 0xf0000, 0x10000, 2 },
	};

	mbi_init(&m);
	mbi_str(&m, 1, "keel.ip=dhcp console");
	mbi_str(&m, 2, "GRUB 2.06");
	uint8_t *mi = mbi_tag(&m, 4, 16);
	mbi_u32(mi + 8, 639);
	mbi_u32(mi + 12, 523136);
	mbi_mmap(&m, map, 3);
	uint8_t *fb = mbi_tag(&m, 8, 32);
	mbi_u64(fb + 8, 0xb8000);
	mbi_u32(fb + 16, 160);
	mbi_u32(fb + 20, 80);
	mbi_u32(fb + 24, 25);
	fb[28] = 16;
	fb[29] = 2;
	uint8_t *acpi = mbi_tag(&m, 14, 8 + 20);
	memcpy(acpi + 8, "RSD PTR \0BOCHS ", 15);
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(bi.valid);
	UNIT_CHECK(warnings == 0);
	UNIT_CHECK_STR(bi.cmdline, "keel.ip=dhcp console");
	UNIT_CHECK_STR(bi.loader, "GRUB 2.06");
	UNIT_CHECK(bi.mem_lower_kib == 639 && bi.mem_upper_kib == 523136);
	UNIT_CHECK(bi.mmap_count == 3);
	UNIT_CHECK(bi.mmap[0].base == 0 && bi.mmap[1].base == 0xf0000 &&
		   bi.mmap[2].base == 0x100000);
	UNIT_CHECK(!bi.mmap_from_efi && bi.efi_mmap_descs == 0);
	UNIT_CHECK(bi.fb.type == BOOT_FB_EGA_TEXT && bi.fb.width == 80 &&
		   bi.fb.height == 25 && bi.fb.addr == 0xb8000);
	UNIT_CHECK(bi.rsdp_rev == 1 && !memcmp(bi.rsdp, "RSD PTR ", 8));
	UNIT_CHECK(bi.efi_systab == 0);
	UNIT_CHECK(bi.tags_skipped == 0);
}

UNIT_TEST(mb2_uefi_boot_efi_map_only)
{
	struct mbi m;
	/* EFI types: 7 conventional, 4 boot data, 9 ACPI reclaim, 10 NVS, 11 MMIO */
	const uint32_t types[] = { 7, 4, 9, 10, 11 };
	const uint64_t bases[] = { 0x0, 0xa0000 - 0x1000 * 0, 0x100000,
				   0x101000, 0xfec00000 };
	const uint64_t pages[] = { 0xa0, 0x60, 1, 1, 1 };

	mbi_init(&m);
	uint8_t *t = mbi_tag(&m, 17, 16 + 48 * 5);
	mbi_u32(t + 8, 48); /* descriptors larger than 40 bytes, as OVMF's */
	for (int i = 0; i < 5; i++) {
		uint8_t *d = t + 16 + 48 * i;
		mbi_u32(d, types[i]);
		mbi_u64(d + 8, bases[i]);
		mbi_u64(d + 24, pages[i]);
	}
	uint8_t *st = mbi_tag(&m, 12, 16);
	mbi_u64(st + 8, 0x7fe00000);
	uint8_t *fb = mbi_tag(&m, 8, 38);
	mbi_u64(fb + 8, 0x80000000);
	mbi_u32(fb + 16, 4096);
	mbi_u32(fb + 20, 1024);
	mbi_u32(fb + 24, 768);
	fb[28] = 32;
	fb[29] = 1;
	fb[32] = 16, fb[33] = 8, fb[34] = 8, fb[35] = 8, fb[36] = 0, fb[37] = 8;
	uint8_t *acpi = mbi_tag(&m, 15, 8 + 36);
	memcpy(acpi + 8, "RSD PTR ", 8);
	acpi[8 + 15] = 2;
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(bi.mmap_from_efi && bi.efi_mmap_descs == 5);
	/* Conventional and boot-services data merge into one range. */
	UNIT_CHECK(bi.mmap_count == 4);
	UNIT_CHECK(bi.mmap[0].base == 0 && bi.mmap[0].len == 0x100000 &&
		   bi.mmap[0].type == BOOT_MEM_AVAILABLE);
	UNIT_CHECK(bi.mmap[1].type == BOOT_MEM_ACPI_RECLAIMABLE);
	UNIT_CHECK(bi.mmap[2].type == BOOT_MEM_NVS);
	UNIT_CHECK(bi.mmap[3].type == BOOT_MEM_RESERVED);
	UNIT_CHECK(bi.efi_systab == 0x7fe00000);
	UNIT_CHECK(bi.fb.type == BOOT_FB_RGB && bi.fb.bpp == 32 &&
		   bi.fb.red_pos == 16 && bi.fb.blue_pos == 0);
	UNIT_CHECK(bi.rsdp_rev == 2);
}

UNIT_TEST(mb2_loader_map_preferred_over_efi_map)
{
	struct mbi m;
	const uint64_t map[][3] = { { 0x100000, 0x100000, 1 } };

	mbi_init(&m);
	uint8_t *t = mbi_tag(&m, 17, 16 + 40);
	mbi_u32(t + 8, 40);
	mbi_u32(t + 16, 7);
	mbi_u64(t + 16 + 24, 16);
	mbi_mmap(&m, map, 1); /* comes after the EFI map */
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(!bi.mmap_from_efi && bi.efi_mmap_descs == 1);
	UNIT_CHECK(bi.mmap_count == 1 && bi.mmap[0].base == 0x100000);
}

UNIT_TEST(mb2_unknown_tag_skipped_and_logged)
{
	struct mbi m;

	mbi_init(&m);
	uint8_t *t = mbi_tag(&m, 99, 20);
	memset(t + 8, 0xab, 12);
	mbi_str(&m, 1, "after");
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(bi.tags_skipped == 1);
	UNIT_CHECK(warnings == 1);
	UNIT_CHECK_STR(bi.cmdline, "after");
}

UNIT_TEST(mb2_malformed_tags_skipped)
{
	struct mbi m;

	mbi_init(&m);
	uint8_t *t = mbi_tag(&m, 6, 16 + 8); /* mmap entries of 8 bytes */
	mbi_u32(t + 8, 8);
	mbi_tag(&m, 3, 12);		    /* module tag too short */
	uint8_t *mod = mbi_tag(&m, 3, 17);   /* module ending before it starts */
	mbi_u32(mod + 8, 0x2000);
	mbi_u32(mod + 12, 0x1000);
	uint8_t *fb = mbi_tag(&m, 8, 32);    /* zero-sized framebuffer */
	fb[29] = 1;
	mbi_str(&m, 2, "still parsed");
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(bi.tags_skipped == 4);
	UNIT_CHECK(bi.mmap_count == 0 && bi.module_count == 0);
	UNIT_CHECK(bi.fb.type == BOOT_FB_NONE);
	UNIT_CHECK_STR(bi.loader, "still parsed");
}

UNIT_TEST(mb2_tag_overrunning_structure_stops_parse)
{
	struct mbi m;

	mbi_init(&m);
	mbi_str(&m, 1, "first");
	uint8_t *t = mbi_tag(&m, 2, 16);
	mbi_u32(t + 4, 4000); /* claims far more than the structure holds */
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK_STR(bi.cmdline, "first");
	UNIT_CHECK(bi.loader[0] == '\0');
	UNIT_CHECK(bi.tags_skipped == 1);

	mbi_init(&m);
	uint8_t *z = mbi_tag(&m, 1, 8);
	mbi_u32(z + 4, 0); /* size 0 would loop forever if trusted */
	mbi_end(&m);
	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(bi.tags_skipped == 1);
}

UNIT_TEST(mb2_unterminated_string_is_bounded)
{
	struct mbi m;

	mbi_init(&m);
	uint8_t *t = mbi_tag(&m, 1, 8 + 6);
	memcpy(t + 8, "abcdef", 6); /* no NUL inside the tag */
	memset(t + 14, 'X', 2);	    /* padding garbage */
	mbi_end(&m);

	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK_STR(bi.cmdline, "abcdef");
}

UNIT_TEST(mb2_bad_structure_rejected)
{
	struct mbi m;

	mbi_init(&m);
	mbi_u32(m.buf, 4); /* total size smaller than the header */
	UNIT_CHECK(parse(&m) == -EINVAL && !bi.valid);
	mbi_u32(m.buf, 0x7fffffff);
	UNIT_CHECK(parse(&m) == -EINVAL && !bi.valid);
	UNIT_CHECK(mb2_parse(m.buf, 0x10004, &bi) == -EINVAL); /* misaligned */
	UNIT_CHECK(mb2_parse(NULL, 0, &bi) == -EINVAL);
	UNIT_CHECK(bi.fb.type == BOOT_FB_NONE);
}

UNIT_TEST(mb2_missing_end_tag_warns)
{
	struct mbi m;

	mbi_init(&m);
	mbi_str(&m, 1, "x");
	mbi_u32(m.buf, m.len);
	UNIT_CHECK(parse(&m) == 0);
	UNIT_CHECK(warnings == 1);
	UNIT_CHECK_STR(bi.cmdline, "x");
}

UNIT_TEST(mb2_efi_type_mapping)
{
	UNIT_CHECK(mb2_efi_to_e820(7) == BOOT_MEM_AVAILABLE);
	UNIT_CHECK(mb2_efi_to_e820(3) == BOOT_MEM_AVAILABLE);
	UNIT_CHECK(mb2_efi_to_e820(5) == BOOT_MEM_RESERVED); /* runtime code */
	UNIT_CHECK(mb2_efi_to_e820(6) == BOOT_MEM_RESERVED); /* runtime data */
	UNIT_CHECK(mb2_efi_to_e820(9) == BOOT_MEM_ACPI_RECLAIMABLE);
	UNIT_CHECK(mb2_efi_to_e820(10) == BOOT_MEM_NVS);
	UNIT_CHECK(mb2_efi_to_e820(8) == BOOT_MEM_BADRAM);
	UNIT_CHECK(mb2_efi_to_e820(0x70000000) == BOOT_MEM_RESERVED);
}
