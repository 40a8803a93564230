// SPDX-License-Identifier: MIT
/*
 * The Linux boot protocol's pure part (vdev/vlinux.c): bzImage header
 * checks (not a bzImage, truncated, protocol too old, no 64-bit entry),
 * the layout (kernel at pref_address or the aligned fallback, the initrd
 * as high as initrd_addr_max and RAM allow, above 4 GiB only when the
 * kernel allows it, the command line against cmdline_size), the e820 map
 * for several RAM sizes including one split by the PCI hole, the
 * boot_params fields, the page tables and the command line's TSC hint. With build/linux/vmlinuz (the
 * Debian kernel, tests/system) the real header is checked too.
 * UNIT_SRCS: vdev/vlinux.c core/fmt.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/vlinux.h"
#include "vdev/vplat.h"
#include "unit.h"

static uint8_t hd[VLINUX_HEAD];
static char err[VLINUX_ERR_LEN];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* A header as Debian's 6.1 kernel has it: protocol 2.15, 64-bit entry,
 * above-4G capable, relocatable, 2 MiB aligned, pref 16 MiB. */
static uint64_t make_header(uint32_t payload, uint32_t init_size)
{
	memset(hd, 0, sizeof(hd));
	hd[0x1f1] = 0x1b; /* 27 setup sectors */
	put32(hd + 0x1f4, payload / 16);
	put16(hd + 0x1fe, 0xaa55);
	hd[0x200] = 0xeb;
	hd[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(hd + 0x202, "HdrS", 4);
	put16(hd + 0x206, 0x020f);
	hd[0x211] = 0x01; /* LOADED_HIGH */
	put32(hd + 0x22c, 0x7fffffff);
	put32(hd + 0x230, 0x200000);
	hd[0x234] = 1;
	hd[0x235] = 21;
	put16(hd + 0x236, 0x7f);
	put32(hd + 0x238, 2047);
	put32(hd + 0x258, 0x1000000);
	put32(hd + 0x260, init_size);
	return 28 * 512 + (uint64_t)payload;
}

static struct vlinux_kernel kern(void)
{
	struct vlinux_kernel k;
	uint64_t size = make_header(8 << 20, 40 << 20);

	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == 0);
	return k;
}

UNIT_TEST(header_accepted)
{
	struct vlinux_kernel k;
	uint64_t size = make_header(8 << 20, 40 << 20);

	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == 0);
	UNIT_CHECK(k.version == 0x020f);
	UNIT_CHECK(k.setup_bytes == 28 * 512);
	UNIT_CHECK(k.payload_bytes == 8 << 20);
	UNIT_CHECK(k.relocatable && k.kernel_alignment == 0x200000);
	UNIT_CHECK(k.cmdline_size == 2047);
	UNIT_CHECK(k.pref_address == 0x1000000);
	UNIT_CHECK(k.hdr_len == 0x26c - 0x1f1);
	/* setup_sects 0 means 4 (boot.rst). */
	hd[0x1f1] = 0;
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), 5 * 512 + (8 << 20), &k,
				err) == 0);
	UNIT_CHECK(k.setup_bytes == 5 * 512);
}

UNIT_TEST(header_refused)
{
	struct vlinux_kernel k;
	uint64_t size = make_header(8 << 20, 40 << 20);

	/* Truncated: one byte short of setup + syssize * 16. */
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size - 1, &k, err) ==
		   -ENODATA);
	UNIT_CHECK(strstr(err, "is truncated") != NULL);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), 0x300, &k, err) == -ENODATA);
	/* Shorter than the header itself: not a bzImage. */
	UNIT_CHECK(vlinux_parse(hd, 0x200, 0x200, &k, err) == -ENOEXEC);
	/* No boot_flag, no HdrS. */
	put16(hd + 0x1fe, 0);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOEXEC);
	UNIT_CHECK(strstr(err, "not a Linux bzImage") != NULL);
	make_header(8 << 20, 40 << 20);
	memcpy(hd + 0x202, "HdrX", 4);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOEXEC);
	UNIT_CHECK(!vlinux_is_linux(hd, sizeof(hd)));
	/* Protocol 2.11: no xloadflags, so no known 64-bit entry. */
	make_header(8 << 20, 40 << 20);
	put16(hd + 0x206, 0x020b);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOTSUP);
	UNIT_CHECK(strstr(err, "boot protocol 2.11") != NULL);
	/* A 32-bit kernel. */
	make_header(8 << 20, 40 << 20);
	put16(hd + 0x236, 0);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOTSUP);
	UNIT_CHECK(strstr(err, "XLF_KERNEL_64") != NULL);
	/* A zImage. */
	make_header(8 << 20, 40 << 20);
	hd[0x211] = 0;
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOEXEC);
	/* Nonsense alignment. */
	make_header(8 << 20, 40 << 20);
	put32(hd + 0x230, 0x3000);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), size, &k, err) == -ENOEXEC);
}

UNIT_TEST(layout)
{
	struct vlinux_kernel k = kern();
	struct vlinux_layout l;

	/* 256 MiB: kernel at pref_address, initrd at the top of RAM. */
	UNIT_CHECK(vlinux_plan(&k, 256 << 20, VPLAT_LOWMEM_MAX, 10 << 20, 30,
			       &l, err) == 0);
	UNIT_CHECK(l.kernel_addr == 0x1000000);
	UNIT_CHECK(l.entry == 0x1000200);
	UNIT_CHECK(l.initrd_addr == (256 << 20) - (10 << 20));
	UNIT_CHECK(l.initrd_size == 10 << 20);
	UNIT_CHECK(l.cmdline_addr == VLINUX_CMDLINE && l.cmdline_len == 30);
	/* An odd initrd size: page-aligned start, end inside RAM. */
	UNIT_CHECK(vlinux_plan(&k, 256 << 20, VPLAT_LOWMEM_MAX, 12345, 0, &l,
			       err) == 0);
	UNIT_CHECK((l.initrd_addr & 0xfff) == 0);
	UNIT_CHECK(l.initrd_addr + 12345 <= 256 << 20);
	/* 48 MiB: 16 MiB + 40 MiB does not fit, so the 2 MiB-aligned
	 * address from 1 MiB. */
	UNIT_CHECK(vlinux_plan(&k, 48 << 20, 0, 0, 0, &l, err) == 0);
	UNIT_CHECK(l.kernel_addr == 0x200000);
	/* 32 MiB: nowhere. */
	UNIT_CHECK(vlinux_plan(&k, 32 << 20, 0, 0, 0, &l, err) == -ENOMEM);
	UNIT_CHECK(strstr(err, "init_size") != NULL);
	/* 8 GiB with the hole: the initrd below initrd_addr_max (2 GiB). */
	UNIT_CHECK(vlinux_plan(&k, 8ull << 30, VPLAT_LOWMEM_MAX, 1 << 20, 0,
			       &l, err) == 0);
	UNIT_CHECK(l.low_end == VPLAT_LOWMEM_MAX);
	UNIT_CHECK(l.high_size == (8ull << 30) - VPLAT_LOWMEM_MAX);
	UNIT_CHECK(l.initrd_addr == 0x80000000ull - (1 << 20));
	/* An initrd larger than low RAM goes above 4 GiB (XLF bit 1) ... */
	UNIT_CHECK(vlinux_plan(&k, 8ull << 30, VPLAT_LOWMEM_MAX, 3ull << 30,
			       0, &l, err) == 0);
	UNIT_CHECK(l.initrd_addr == (1ull << 32) + (5ull << 30) -
					(3ull << 30));
	/* ... but not for a kernel without it. */
	k.xloadflags &= ~2;
	UNIT_CHECK(vlinux_plan(&k, 8ull << 30, VPLAT_LOWMEM_MAX, 3ull << 30,
			       0, &l, err) == -EFBIG);
	k = kern();
}

UNIT_TEST(bad_input)
{
	struct vlinux_kernel k = kern();
	struct vlinux_layout l;

	/* An initrd larger than the VM's memory. */
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, VPLAT_LOWMEM_MAX, 200 << 20, 0,
			       &l, err) == -EFBIG);
	UNIT_CHECK(strstr(err, "128 MiB") != NULL);
	/* Exactly what is left above the kernel fits; a page more does not. */
	uint64_t room = (128 << 20) - (0x1000000 + (40 << 20));
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, 0, room, 0, &l, err) == 0);
	UNIT_CHECK(l.initrd_addr == 0x1000000 + (40 << 20));
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, 0, room + 1, 0, &l, err) ==
		   -EFBIG);
	/* The command line against cmdline_size. */
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, 0, 0, 2047, &l, err) == 0);
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, 0, 0, 2048, &l, err) == -E2BIG);
	UNIT_CHECK(strstr(err, "at most 2047") != NULL);
	k.cmdline_size = 255;
	UNIT_CHECK(vlinux_plan(&k, 128 << 20, 0, 0, 256, &l, err) == -E2BIG);
}

/* The map must be sorted, non-overlapping, and its RAM must add up. */
static uint64_t check_e820(const struct vlinux_e820 *t, unsigned int n)
{
	uint64_t ram = 0;

	for (unsigned int i = 0; i < n; i++) {
		UNIT_CHECK(t[i].size > 0);
		if (i)
			UNIT_CHECK(t[i].addr >= t[i - 1].addr + t[i - 1].size);
		if (t[i].type == VLINUX_E820_RAM)
			ram += t[i].size;
	}
	return ram;
}

UNIT_TEST(e820)
{
	struct vlinux_e820 t[VLINUX_E820_MAX];
	uint64_t reserved_low = (VLINUX_BOOT_END - VLINUX_TRAMP) +
				(VLINUX_HIGH_START - VLINUX_LOW_END);
	unsigned int n;

	n = vlinux_e820(64 << 20, VPLAT_LOWMEM_MAX, t, VLINUX_E820_MAX);
	UNIT_CHECK(n == 10);
	UNIT_CHECK(t[0].addr == 0 && t[0].size == VLINUX_TRAMP &&
		   t[0].type == VLINUX_E820_RAM);
	UNIT_CHECK(t[1].type == VLINUX_E820_RESERVED);
	UNIT_CHECK(t[2].addr + t[2].size == 0x9fc00);
	UNIT_CHECK(t[4].addr == VPLAT_ACPI_BASE &&
		   t[4].size == VPLAT_ACPI_SIZE &&
		   t[4].type == VLINUX_E820_ACPI);
	UNIT_CHECK(t[6].addr == 0x100000 && t[6].size == (63 << 20));
	UNIT_CHECK(t[7].addr == VPLAT_ECAM_BASE &&
		   t[7].type == VLINUX_E820_RESERVED);
	UNIT_CHECK(t[8].addr == VPLAT_IOAPIC_BASE);
	UNIT_CHECK(t[9].addr == VPLAT_LAPIC_BASE);
	UNIT_CHECK(check_e820(t, n) == (64 << 20) - reserved_low);

	/* Exactly the hole: nothing above 4 GiB. */
	n = vlinux_e820(VPLAT_LOWMEM_MAX, VPLAT_LOWMEM_MAX, t, VLINUX_E820_MAX);
	UNIT_CHECK(n == 10);
	UNIT_CHECK(check_e820(t, n) == VPLAT_LOWMEM_MAX - reserved_low);

	/* 4 GiB: 3 GiB low, 1 GiB from 4 GiB on. */
	n = vlinux_e820(4ull << 30, VPLAT_LOWMEM_MAX, t, VLINUX_E820_MAX);
	UNIT_CHECK(n == 11);
	UNIT_CHECK(t[6].addr + t[6].size == VPLAT_LOWMEM_MAX);
	UNIT_CHECK(t[10].addr == 1ull << 32 && t[10].size == 1ull << 30 &&
		   t[10].type == VLINUX_E820_RAM);
	UNIT_CHECK(check_e820(t, n) == (4ull << 30) - reserved_low);

	/* A small table is cut, not overrun. */
	UNIT_CHECK(vlinux_e820(4ull << 30, VPLAT_LOWMEM_MAX, t, 3) == 3);
}

UNIT_TEST(boot_params)
{
	struct vlinux_kernel k = kern();
	struct vlinux_layout l;
	static uint8_t bp[4096];

	UNIT_CHECK(vlinux_plan(&k, 6ull << 30, VPLAT_LOWMEM_MAX, 5 << 20, 20,
			       &l, err) == 0);
	vlinux_boot_params(bp, &k, &l, 6ull << 30, VPLAT_LOWMEM_MAX);
	/* The setup header copied: boot_flag, HdrS, version, pref. */
	UNIT_CHECK(bp[0x1fe] == 0x55 && bp[0x1ff] == 0xaa);
	UNIT_CHECK(!memcmp(bp + 0x202, "HdrS", 4));
	UNIT_CHECK(get64(bp + 0x258) == 0x1000000);
	UNIT_CHECK(get32(bp + 0x260) == 40 << 20);
	/* What the loader writes. */
	UNIT_CHECK(bp[0x210] == 0xff);		 /* type_of_loader */
	UNIT_CHECK(bp[0x1fa] == 0xff && bp[0x1fb] == 0xff); /* vid_mode */
	UNIT_CHECK(bp[0x1ef] == 0);		 /* sentinel */
	UNIT_CHECK(get32(bp + 0x214) == 0x1000000);	 /* code32_start */
	UNIT_CHECK(get32(bp + 0x218) == l.initrd_addr);
	UNIT_CHECK(get32(bp + 0x21c) == 5 << 20);
	UNIT_CHECK(get32(bp + 0x0c0) == 0 && get32(bp + 0x0c4) == 0);
	UNIT_CHECK(get32(bp + 0x228) == VLINUX_CMDLINE);
	UNIT_CHECK(get32(bp + 0x0c8) == 0);
	UNIT_CHECK(get64(bp + 0x070) == VPLAT_ACPI_BASE); /* acpi_rsdp_addr */
	UNIT_CHECK(bp[0x1e8] == 11);			 /* e820_entries */
	const uint8_t *last = bp + 0x2d0 + 10 * 20;
	UNIT_CHECK(get64(last) == 1ull << 32);
	UNIT_CHECK(get64(last + 8) == (6ull << 30) - VPLAT_LOWMEM_MAX);
	UNIT_CHECK(get32(last + 16) == 1);
	/* Beyond the header stays zero (the kernel's own fields). */
	UNIT_CHECK(bp[0x26c] == 0 && bp[0x290] == 0);

	/* An initrd above 4 GiB uses the ext_ fields. */
	UNIT_CHECK(vlinux_plan(&k, 8ull << 30, VPLAT_LOWMEM_MAX, 3ull << 30,
			       0, &l, err) == 0);
	vlinux_boot_params(bp, &k, &l, 8ull << 30, VPLAT_LOWMEM_MAX);
	UNIT_CHECK(get32(bp + 0x0c0) == 1 && get32(bp + 0x218) ==
						 (uint32_t)l.initrd_addr);
	UNIT_CHECK(get32(bp + 0x21c) == (uint32_t)(3ull << 30));
	UNIT_CHECK(get32(bp + 0x0c4) == 0);
}

UNIT_TEST(page_tables)
{
	static uint8_t pt[VLINUX_PT_BYTES];

	vlinux_page_tables(pt);
	UNIT_CHECK(get64(pt) == (VLINUX_PDPT | 3));
	UNIT_CHECK(get64(pt + 8) == 0);
	for (unsigned int i = 0; i < 4; i++)
		UNIT_CHECK(get64(pt + 0x1000 + i * 8) ==
			   ((VLINUX_PD + i * 0x1000ull) | 3));
	UNIT_CHECK(get64(pt + 0x2000) == 0x83);
	/* Kernel at 16 MiB: PD entry 8; the last one maps 4 GiB - 2 MiB. */
	UNIT_CHECK(get64(pt + 0x2000 + 8 * 8) == (0x1000000 | 0x83));
	UNIT_CHECK(get64(pt + 0x2000 + 2047 * 8) ==
		   (0xffe00000ull | 0x83));
}

UNIT_TEST(cmdline)
{
	char out[80];

	UNIT_CHECK(vlinux_cmdline(out, sizeof(out), "console=ttyS0", 0) == 26);
	UNIT_CHECK_STR(out, "tsc=reliable console=ttyS0");
	UNIT_CHECK(vlinux_cmdline(out, sizeof(out), "console=ttyS0", 2100000) ==
		   48);
	UNIT_CHECK_STR(out, "tsc=reliable tsc_early_khz=2100000 console=ttyS0");
	UNIT_CHECK(vlinux_cmdline(out, sizeof(out), "", 2100000) == 35);
	/* The user's own settings win. */
	UNIT_CHECK(vlinux_cmdline(out, sizeof(out), "quiet tsc_early_khz=5",
				  2100000) == 34);
	UNIT_CHECK_STR(out, "tsc=reliable quiet tsc_early_khz=5");
	UNIT_CHECK(vlinux_cmdline(out, sizeof(out), "tsc=unstable", 7) == 28);
	UNIT_CHECK_STR(out, "tsc_early_khz=7 tsc=unstable");
	/* "notsc=" is not "tsc=". */
	vlinux_cmdline(out, sizeof(out), "xtsc=1", 0);
	UNIT_CHECK_STR(out, "tsc=reliable xtsc=1");
	/* Too long: the length says so, the buffer stays terminated. */
	UNIT_CHECK(vlinux_cmdline(out, 10, "console=ttyS0", 2100000) == 48);
	UNIT_CHECK(strlen(out) == 9);
}

/* The Debian kernel, when tests/system fetched it. */
UNIT_TEST(debian_kernel)
{
	const char *path = getenv("KEEL_VMLINUZ");
	struct vlinux_kernel k;
	struct vlinux_layout l;
	FILE *f;
	long size;

	f = fopen(path ? path : "build/linux/vmlinuz", "rb");
	if (!f) {
		printf("SKIP debian_kernel: no build/linux/vmlinuz\n");
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	UNIT_CHECK(fread(hd, 1, sizeof(hd), f) == sizeof(hd));
	fclose(f);
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd), (uint64_t)size, &k, err) ==
		   0);
	UNIT_CHECK(k.version >= 0x020c && k.relocatable);
	UNIT_CHECK(k.pref_address == 0x1000000);
	UNIT_CHECK(vlinux_plan(&k, 256 << 20, VPLAT_LOWMEM_MAX, 20 << 20, 60,
			       &l, err) == 0);
	UNIT_CHECK(l.kernel_addr == 0x1000000);
	UNIT_CHECK(l.initrd_addr >= l.kernel_addr + k.init_size);
	/* Cut by 16 bytes, it is refused. */
	UNIT_CHECK(vlinux_parse(hd, sizeof(hd),
				k.setup_bytes + k.payload_bytes - 16, &k,
				err) == -ENODATA);
}
