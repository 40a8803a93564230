// SPDX-License-Identifier: MIT
/*
 * store/fat.c against file systems made by the real tools: mkfs.fat
 * (dosfstools) formats FAT12, FAT16, FAT32 and a 4 KiB-sector FAT32,
 * mcopy (mtools) puts files in by 8.3 and long names. Keel reads them,
 * deletes them, and afterwards `fsck.fat -n` finds the file system clean
 * and `mdir` no longer lists them while the other files are intact.
 * Damaged file systems (bad BPB fields, a chain that loops, clusters out
 * of range) are refused with -EINVAL and left untouched.
 * UNIT_SRCS: store/fat.c drivers/blk.c drivers/blk_ramdisk.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/blk.h"
#include "store/fat.h"
#include "unit.h"

static char dir[64];
static char img[128];
static uint8_t *mem;
static size_t mem_len;
static struct blk_ramdisk rd;
static char big[20000];
static int rd_seq;
static const char cfg[] = "rootpw Passw0rd\nnetwork --bootproto=dhcp\n";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void write_file(const char *name, const void *data, size_t len)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	UNIT_CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
}

static void load(void)
{
	FILE *f = fopen(img, "rb");
	char name[16];

	free(mem);
	UNIT_CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	mem_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	mem = malloc(mem_len);
	UNIT_CHECK(fread(mem, 1, mem_len, f) == mem_len);
	fclose(f);
	snprintf(name, sizeof(name), "fat%d", rd_seq++);
	UNIT_CHECK(blk_ramdisk_init(&rd, name, mem, 512, mem_len / 512) == 0);
}

static void save(void)
{
	FILE *f = fopen(img, "wb");

	UNIT_CHECK(f && fwrite(mem, 1, mem_len, f) == mem_len);
	if (f)
		fclose(f);
}

/* A fresh image of @kib KiB formatted with @mkfs_opts, holding keel.cfg,
 * a long-named multi-cluster file and other.txt. */
static void make(const char *mkfs_opts, unsigned int kib)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + (i * 7 + i / 13) % 26);
	write_file("keel.cfg", cfg, sizeof(cfg) - 1);
	write_file("big", big, sizeof(big));
	write_file("other.txt", "keep me\n", 8);
	snprintf(img, sizeof(img), "%s/fat.img", dir);
	unlink(img);
	UNIT_CHECK(sh("mkfs.fat -C %s %s %u >/dev/null", mkfs_opts, img,
		      kib) == 0);
	UNIT_CHECK(sh("cd %s && MTOOLS_SKIP_CHECK=1 mcopy -i fat.img keel.cfg "
		      "other.txt ::/ && MTOOLS_SKIP_CHECK=1 mcopy -i fat.img "
		      "big ::/Kickstart-For-Rack-12.cfg", dir) == 0);
	load();
}

static bool listed(const char *name)
{
	return sh("MTOOLS_SKIP_CHECK=1 mdir -b -i %s ::/ | grep -qi '/%s$'",
		  img, name) == 0;
}

static void read_delete_check(const char *what)
{
	char *data = NULL;
	size_t len = 0;

	printf("  %s\n", what);
	UNIT_CHECK(fat_read_file(&rd.dev, "keel.cfg", 65536, &data, &len) == 0);
	UNIT_CHECK(data && len == sizeof(cfg) - 1 && !memcmp(data, cfg, len));
	UNIT_CHECK(data && data[len] == 0);
	free(data);
	data = NULL;
	/* Case-insensitive, by long name, multi-cluster. */
	UNIT_CHECK(fat_read_file(&rd.dev, "KICKSTART-for-rack-12.CFG", 65536,
				 &data, &len) == 0);
	UNIT_CHECK(data && len == sizeof(big) && !memcmp(data, big, len));
	free(data);
	data = NULL;
	UNIT_CHECK(fat_read_file(&rd.dev, "KEEL.CFG", 10, &data, &len) ==
		   -EFBIG);
	UNIT_CHECK(fat_read_file(&rd.dev, "missing.cfg", 10, &data, &len) ==
		   -ENOENT);
	UNIT_CHECK(fat_read_file(&rd.dev, "keel.cf", 100, &data, &len) ==
		   -ENOENT);
	UNIT_CHECK(fat_delete_file(&rd.dev, "nothere") == -ENOENT);

	uint64_t flushes = rd.flushes;
	UNIT_CHECK(fat_delete_file(&rd.dev, "keel.cfg") == 0);
	UNIT_CHECK(rd.flushes > flushes);
	UNIT_CHECK(fat_delete_file(&rd.dev, "kickstart-for-rack-12.cfg") == 0);
	UNIT_CHECK(fat_read_file(&rd.dev, "keel.cfg", 65536, &data, &len) ==
		   -ENOENT);
	UNIT_CHECK(fat_delete_file(&rd.dev, "keel.cfg") == -ENOENT);
	save();
	UNIT_CHECK(sh("fsck.fat -n %s >%s/fsck.out 2>&1", img, dir) == 0);
	UNIT_CHECK(sh("grep -q 'files' %s/fsck.out", dir) == 0);
	UNIT_CHECK(!listed("keel.cfg"));
	UNIT_CHECK(!listed("Kickstart-For-Rack-12.cfg"));
	UNIT_CHECK(listed("other.txt"));
	UNIT_CHECK(sh("MTOOLS_SKIP_CHECK=1 mtype -i %s ::/other.txt | "
		      "grep -q 'keep me'", img) == 0);
	/* The space is back: the big file fits again. */
	UNIT_CHECK(sh("cd %s && MTOOLS_SKIP_CHECK=1 mcopy -i fat.img big "
		      "::/again.bin && fsck.fat -n fat.img >/dev/null", dir) == 0);
}

__attribute__((constructor)) static void fat_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/keel_fat_XXXXXX");
	if (!mkdtemp(dir) || sh("command -v mkfs.fat >/dev/null && "
				"command -v fsck.fat >/dev/null && "
				"command -v mcopy >/dev/null")) {
		fprintf(stderr, "test_fat: needs mkfs.fat, fsck.fat "
				"(dosfstools) and mtools: ./build.sh deps\n");
	}
}

__attribute__((destructor)) static void fat_cleanup(void)
{
	free(mem);
	sh("rm -rf %s", dir);
}

UNIT_TEST(fat12_read_delete)
{
	make("-F 12", 1024);
	read_delete_check("FAT12");
}

UNIT_TEST(fat16_read_delete)
{
	make("-F 16 -s 1", 8192);
	read_delete_check("FAT16");
}

UNIT_TEST(fat32_read_delete)
{
	make("-F 32 -s 1", 40 * 1024);
	read_delete_check("FAT32");
}

UNIT_TEST(fat32_4k_sectors_read_delete)
{
	make("-F 32 -S 4096 -s 1", 300 * 1024);
	read_delete_check("FAT32 with 4096-byte sectors");
}

UNIT_TEST(fat32_root_over_many_clusters)
{
	/* 512-byte clusters hold 16 entries; 30 long names take 3 entries
	 * each, so keel.cfg lands several clusters into the root chain. */
	make("-F 32 -s 1", 40 * 1024);
	UNIT_CHECK(sh("cd %s && MTOOLS_SKIP_CHECK=1 mdel -i fat.img ::/keel.cfg"
		      " && for i in $(seq 1 30); do MTOOLS_SKIP_CHECK=1 mcopy "
		      "-i fat.img other.txt ::/long-file-name-$i.txt; done && "
		      "MTOOLS_SKIP_CHECK=1 mcopy -i fat.img keel.cfg ::/", dir) == 0);
	load();
	read_delete_check("FAT32, root directory over several clusters");
	UNIT_CHECK(listed("long-file-name-30.txt"));
}

/* FAT16 made with -s 1: the first FAT starts at the reserved sectors. */
static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)(p[0] | p[1] << 8);
}

static uint8_t *fat16_entry(uint32_t c)
{
	return mem + le16(mem + 14) * 512 + c * 2;
}

/* The first cluster of keel.cfg, found the slow way (mtools' view). */
static uint32_t first_cluster_of(const char *name11)
{
	uint32_t root = (le16(mem + 14) + mem[16] * le16(mem + 22)) * 512;

	for (uint32_t off = root; off < root + le16(mem + 17) * 32; off += 32)
		if (!memcmp(mem + off, name11, 11))
			return le16(mem + off + 26);
	return 0;
}

static uint32_t first_cluster(void)
{
	return first_cluster_of("KEEL    CFG");
}

static void refused_untouched(void)
{
	char *data = NULL;
	size_t len;
	uint8_t *copy = malloc(mem_len);

	memcpy(copy, mem, mem_len);
	UNIT_CHECK(fat_read_file(&rd.dev, "keel.cfg", 65536, &data, &len) ==
		   -EINVAL);
	UNIT_CHECK(data == NULL);
	UNIT_CHECK(fat_delete_file(&rd.dev, "keel.cfg") == -EINVAL);
	UNIT_CHECK(!memcmp(copy, mem, mem_len));
	free(copy);
}

UNIT_TEST(fat_hostile_bpb)
{
	static const struct {
		int off, len;
		uint32_t val;
	} bad[] = {
		{ 11, 2, 0 },	     { 11, 2, 768 },  { 11, 2, 8192 },
		{ 11, 2, 256 },	     { 13, 1, 3 },    { 13, 1, 0 },
		{ 14, 2, 0 },	     { 16, 1, 0 },    { 16, 1, 3 },
		{ 17, 2, 0 },	     { 19, 2, 65535 }, /* beyond the disk */
		{ 22, 2, 0 },	     { 22, 2, 1 },    /* FAT too small */
		{ 22, 2, 40000 },    /* FATs past the end */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make("-F 16 -s 1", 8192);
		for (int b = 0; b < bad[i].len; b++)
			mem[bad[i].off + b] = (uint8_t)(bad[i].val >> (8 * b));
		if (bad[i].off == 19) /* shrink the disk below the BPB's size */
			rd.dev.sectors = 4096;
		refused_untouched();
	}
	/* A zeroed boot sector: not a FAT file system at all. */
	make("-F 12", 1024);
	memset(mem, 0, 512);
	refused_untouched();
}

UNIT_TEST(fat_hostile_chains)
{
	uint32_t c;

	/* keel.cfg claims 3 clusters; its chain points back at itself. */
	make("-F 16 -s 1", 8192);
	c = first_cluster();
	UNIT_CHECK(c >= 2);
	uint32_t root = (le16(mem + 14) + mem[16] * le16(mem + 22)) * 512;
	for (uint32_t off = root; off < root + 512; off += 32)
		if (!memcmp(mem + off, "KEEL    CFG", 11))
			mem[off + 29] = 0x06; /* size 0x6xx: 4 clusters */
	fat16_entry(c)[0] = (uint8_t)c;
	fat16_entry(c)[1] = (uint8_t)(c >> 8);
	refused_untouched();

	/* A link out of range. */
	make("-F 16 -s 1", 8192);
	c = first_cluster();
	fat16_entry(c)[0] = 0xf0;
	fat16_entry(c)[1] = 0xff; /* 0xfff0: reserved, past the last */
	refused_untouched();

	/* The first cluster itself out of range. */
	make("-F 16 -s 1", 8192);
	for (uint32_t off = (le16(mem + 14) + mem[16] * le16(mem + 22)) * 512;;
	     off += 32)
		if (!memcmp(mem + off, "KEEL    CFG", 11)) {
			mem[off + 26] = 0xff;
			mem[off + 27] = 0xef;
			break;
		}
	refused_untouched();

	/* A free cluster in the middle of the long file's chain: reading
	 * it stops short of the size the entry claims. */
	make("-F 16 -s 1", 8192);
	char *data = NULL;
	size_t len;
	c = first_cluster_of("KICKST~1CFG") + 1;
	UNIT_CHECK(c > 2);
	fat16_entry(c)[0] = 0;
	fat16_entry(c)[1] = 0;
	UNIT_CHECK(fat_read_file(&rd.dev, "kickstart-for-rack-12.cfg", 65536,
				 &data, &len) == -EINVAL);
	UNIT_CHECK(fat_delete_file(&rd.dev, "kickstart-for-rack-12.cfg") ==
		   -EINVAL);
}
