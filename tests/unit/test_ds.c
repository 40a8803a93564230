// SPDX-License-Identifier: MIT
/*
 * The datastore on a RAM disk: format, chunked uploads (out-of-order,
 * repeated and overlapping chunks, resume after a remount), the SHA-256
 * check, reads at any offset, delete, space accounting and
 * fragmentation, names, and which disks format takes or refuses (with
 * the reason a person reads). Hostile images are in test_ds_hostile.c,
 * power cuts in test_ds_crash.c.
 * UNIT_SRCS: datastore/ds.c datastore/ds_disk.c datastore/ds_meta.c datastore/ds_alloc.c datastore/ds_upload.c datastore/ds_format.c drivers/blk.c drivers/blk_ramdisk.c drivers/blk_boot.c drivers/gpt.c drivers/crc32.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/host_entropy.c
 * UNIT_LIBS: mbedcrypto
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datastore/ds_int.h"
#include "drivers/blk.h"
#include "ds_util.h"
#include "unit.h"

#define MIB (1u << 20)

struct disk {
	struct blk_ramdisk rd;
	uint8_t *mem;
};

static struct disk *disk_new(const char *name, uint64_t bytes, uint32_t ss)
{
	struct disk *d = calloc(1, sizeof(*d));

	d->mem = calloc(1, bytes);
	blk_ramdisk_init(&d->rd, name, d->mem, ss, bytes / ss);
	blk_register(&d->rd.dev);
	return d;
}

static void disk_free(struct disk *d)
{
	ds_unmount();
	blk_unregister(&d->rd.dev);
	free(d->mem);
	free(d);
}

/* A formatted, mounted 32 MiB datastore on "vblk0". */
static struct disk *fresh(void)
{
	struct disk *d = disk_new("vblk0", 32 * MIB, 512);
	char why[160];

	UNIT_CHECK(ds_format("vblk0", "test store", false, why, sizeof(why)) ==
		   0);
	return d;
}

/* Upload test file @seed of @size in @chunk-byte pieces; ds_upload_finish's
 * result. */
static int upload(const char *name, uint32_t seed, uint64_t size, size_t chunk)
{
	uint8_t sha[32], *buf = malloc(chunk ? chunk : 1);
	uint64_t got;
	int rc;

	dsu_sha(seed, size, sha);
	rc = ds_upload_begin(name, size, sha, false, &got);
	for (uint64_t off = got; !rc && off < size; off = got) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;

		dsu_fill(seed, off, buf, n);
		rc = ds_upload_write(name, off, buf, n, &got);
	}
	free(buf);
	return rc ? rc : ds_upload_finish(name, NULL);
}

/* Read all of @name back in @piece-byte reads at odd offsets. */
static int reads_back(const char *name, uint32_t seed, uint64_t size,
		      size_t piece)
{
	uint8_t *buf = malloc(piece);
	uint64_t off = 0;
	int ok = 1;

	while (ok && off < size) {
		long n = ds_read(name, off, buf, piece);

		ok = n > 0 && dsu_check(seed, off, buf, (size_t)n);
		off += n > 0 ? (uint64_t)n : 0;
	}
	ok = ok && ds_read(name, size, buf, piece) == 0;
	free(buf);
	return ok;
}

UNIT_TEST(ds_format_upload_read_remount)
{
	struct disk *d = fresh();
	struct ds_status st;
	struct ds_file_info fi;
	uint8_t sha[32];

	ds_status(&st);
	UNIT_CHECK(st.mounted);
	UNIT_CHECK_STR(st.disk, "vblk0");
	UNIT_CHECK_STR(st.label, "test store");
	UNIT_CHECK(st.capacity == 28 * MIB); /* 32 MiB less 4 MiB metadata */
	UNIT_CHECK(st.free == st.capacity && st.files == 0);
	UNIT_CHECK(strlen(st.uuid) == 36 && st.uuid[14] == '4');

	/* Chunks that are not block multiples: partial blocks both ends. */
	UNIT_CHECK(upload("guests/vmlinuz", 7, 3 * MIB + 123, 100000) == 0);
	UNIT_CHECK(upload("empty", 8, 0, 4096) == 0);
	UNIT_CHECK(ds_stat("guests/vmlinuz", &fi) == 0);
	dsu_sha(7, 3 * MIB + 123, sha);
	UNIT_CHECK(fi.complete && fi.state == DS_COMPLETE);
	UNIT_CHECK(fi.size == 3 * MIB + 123 && fi.received == fi.size);
	UNIT_CHECK(!memcmp(fi.sha256, sha, 32));
	UNIT_CHECK(reads_back("guests/vmlinuz", 7, 3 * MIB + 123, 5000));
	UNIT_CHECK(reads_back("guests/vmlinuz", 7, 3 * MIB + 123, MIB));
	ds_status(&st);
	UNIT_CHECK(st.files == 2 && st.free == st.capacity - 3 * MIB - 4096);

	/* Another mount of the same disk: the same files. */
	ds_unmount();
	UNIT_CHECK(ds_stat("empty", &fi) == -ENODEV);
	UNIT_CHECK(ds_mount_dev(&d->rd.dev, &(const char *){ NULL }) == 0);
	UNIT_CHECK(ds_stat("guests/vmlinuz", &fi) == 0 && fi.complete &&
		   !memcmp(fi.sha256, sha, 32));
	UNIT_CHECK(reads_back("guests/vmlinuz", 7, 3 * MIB + 123, 65536));
	UNIT_CHECK(ds_stat("empty", &fi) == 0 && fi.complete && !fi.size);
	dsu_sha(8, 0, sha);
	UNIT_CHECK(!memcmp(fi.sha256, sha, 32));
	{
		struct ds_file_info l[4];

		UNIT_CHECK(ds_list(l, 4) == 2);
		UNIT_CHECK_STR(l[0].name, "empty"); /* sorted */
		UNIT_CHECK_STR(l[1].name, "guests/vmlinuz");
	}
	disk_free(d);
}

UNIT_TEST(ds_upload_offsets_and_repeats)
{
	struct disk *d = fresh();
	uint8_t sha[32], buf[10000];
	uint64_t got;
	struct ds_file_info fi;

	dsu_sha(3, 25000, sha);
	UNIT_CHECK(ds_upload_begin("f", 25000, sha, false, &got) == 0 &&
		   got == 0);
	dsu_fill(3, 0, buf, 10000);
	UNIT_CHECK(ds_upload_write("f", 0, buf, 10000, &got) == 0 &&
		   got == 10000);
	/* A gap: refused, and told where to continue. */
	dsu_fill(3, 15000, buf, 10000);
	UNIT_CHECK(ds_upload_write("f", 15000, buf, 10000, &got) == -ESPIPE &&
		   got == 10000);
	/* The same chunk again: accepted, nothing changes. */
	dsu_fill(3, 0, buf, 10000);
	UNIT_CHECK(ds_upload_write("f", 0, buf, 10000, &got) == 0 &&
		   got == 10000);
	/* Overlapping: only the new tail is stored. */
	dsu_fill(3, 5000, buf, 10000);
	UNIT_CHECK(ds_upload_write("f", 5000, buf, 10000, &got) == 0 &&
		   got == 15000);
	/* Not readable yet, not finishable yet. */
	UNIT_CHECK(ds_read("f", 0, buf, 10) == -EBUSY);
	UNIT_CHECK(ds_upload_finish("f", NULL) == -EAGAIN);
	/* Past the declared size. */
	UNIT_CHECK(ds_upload_write("f", 15000, buf, 10001, &got) == -EINVAL);
	/* Beginning again with the same size and digest resumes. */
	UNIT_CHECK(ds_upload_begin("f", 25000, sha, false, &got) == 0 &&
		   got == 15000);
	/* Another size or digest is another file. */
	UNIT_CHECK(ds_upload_begin("f", 25001, sha, false, &got) == -EEXIST);
	dsu_fill(3, 15000, buf, 10000);
	UNIT_CHECK(ds_upload_write("f", 15000, buf, 10000, &got) == 0 &&
		   got == 25000);
	UNIT_CHECK(ds_upload_finish("f", NULL) == 0);
	UNIT_CHECK(reads_back("f", 3, 25000, 777));
	/* Repeats after completion are harmless. */
	UNIT_CHECK(ds_upload_finish("f", sha) == -EALREADY);
	UNIT_CHECK(ds_upload_write("f", 15000, buf, 10000, &got) == -EALREADY &&
		   got == 25000);
	UNIT_CHECK(ds_upload_begin("f", 25000, sha, false, &got) == 0 &&
		   got == 25000);
	UNIT_CHECK(ds_stat("f", &fi) == 0 && fi.complete);
	/* Replacing a complete file needs overwrite. */
	UNIT_CHECK(ds_upload_begin("f", 100, NULL, false, &got) == -EEXIST);
	UNIT_CHECK(ds_upload_begin("f", 100, NULL, true, &got) == 0 &&
		   got == 0);
	UNIT_CHECK(ds_stat("f", &fi) == 0 && fi.state == DS_UPLOADING &&
		   fi.size == 100 && !fi.has_expected);
	UNIT_CHECK(ds_read("f", 0, buf, 10) == -EBUSY);
	/* No digest expected: finish records what it finds. */
	dsu_fill(9, 0, buf, 100);
	UNIT_CHECK(ds_upload_write("f", 0, buf, 100, &got) == 0);
	UNIT_CHECK(ds_upload_finish("f", sha) == 0);
	{
		uint8_t want[32];

		dsu_sha(9, 100, want);
		UNIT_CHECK(!memcmp(sha, want, 32));
	}
	UNIT_CHECK(ds_upload_write("nope", 0, buf, 1, &got) == -ENOENT);
	disk_free(d);
}

UNIT_TEST(ds_checksum_mismatch_fails_the_file)
{
	struct disk *d = fresh();
	uint8_t sha[32], got_sha[32], buf[4096];
	uint64_t got;
	struct ds_file_info fi;
	struct ds_status st;

	dsu_sha(5, 4096, sha);
	sha[0] ^= 1;
	UNIT_CHECK(ds_upload_begin("bad", 4096, sha, false, &got) == 0);
	dsu_fill(5, 0, buf, 4096);
	UNIT_CHECK(ds_upload_write("bad", 0, buf, 4096, &got) == 0);
	UNIT_CHECK(ds_upload_finish("bad", got_sha) == -EBADMSG);
	UNIT_CHECK(ds_stat("bad", &fi) == 0 && fi.state == DS_FAILED &&
		   !fi.complete && fi.why);
	/* It shows what was expected; the call said what was found. */
	UNIT_CHECK(fi.has_expected && !memcmp(fi.sha256, sha, 32));
	sha[0] ^= 1;
	UNIT_CHECK(!memcmp(got_sha, sha, 32));
	UNIT_CHECK(ds_read("bad", 0, buf, 10) == -EIO);
	UNIT_CHECK(ds_upload_write("bad", 0, buf, 10, &got) == -EPERM);
	/* Still failed after a remount; deleting frees its space. */
	ds_unmount();
	UNIT_CHECK(ds_mount_dev(&d->rd.dev, &(const char *){ NULL }) == 0);
	UNIT_CHECK(ds_stat("bad", &fi) == 0 && fi.state == DS_FAILED);
	UNIT_CHECK(ds_delete("bad") == 0);
	UNIT_CHECK(ds_stat("bad", &fi) == -ENOENT);
	UNIT_CHECK(ds_delete("bad") == -ENOENT);
	ds_status(&st);
	UNIT_CHECK(st.free == st.capacity && st.files == 0);
	disk_free(d);
}

UNIT_TEST(ds_resume_after_remount)
{
	struct disk *d = fresh();
	const uint64_t size = 12 * MIB + 5;
	uint8_t sha[32], *buf = malloc(MIB);
	uint64_t got;
	struct ds_file_info fi;

	dsu_sha(11, size, sha);
	UNIT_CHECK(ds_upload_begin("disk.img", size, sha, false, &got) == 0);
	/* 9.5 MiB arrive: progress was made durable at 4 and 8 MiB. */
	for (uint64_t off = 0; off < 9 * MIB + MIB / 2; off += MIB / 2) {
		dsu_fill(11, off, buf, MIB / 2);
		UNIT_CHECK(
		    ds_upload_write("disk.img", off, buf, MIB / 2, &got) == 0);
	}
	UNIT_CHECK(got == 9 * MIB + MIB / 2);
	/* The host goes away without another commit. */
	ds_unmount();
	UNIT_CHECK(ds_mount_dev(&d->rd.dev, &(const char *){ NULL }) == 0);
	UNIT_CHECK(ds_stat("disk.img", &fi) == 0 && fi.state == DS_UPLOADING &&
		   fi.received == 8 * MIB && fi.has_expected &&
		   !memcmp(fi.sha256, sha, 32));
	UNIT_CHECK(ds_upload_begin("disk.img", size, sha, false, &got) == 0 &&
		   got == 8 * MIB);
	for (uint64_t off = got; off < size; off = got) {
		size_t n = size - off < MIB ? (size_t)(size - off) : MIB;

		dsu_fill(11, off, buf, n);
		UNIT_CHECK(ds_upload_write("disk.img", off, buf, n, &got) == 0);
		if (got <= off)
			break;
	}
	UNIT_CHECK(ds_upload_finish("disk.img", NULL) == 0);
	UNIT_CHECK(reads_back("disk.img", 11, size, MIB));
	free(buf);
	disk_free(d);
}

UNIT_TEST(ds_space_and_fragments)
{
	struct disk *d = fresh();
	struct ds_status st;
	struct ds_file_info fi;
	uint64_t got;

	/* 28 MiB: A 8, B 6, C 8, D 6 fill it. */
	UNIT_CHECK(upload("a", 1, 8 * MIB, MIB) == 0);
	UNIT_CHECK(upload("b", 2, 6 * MIB, MIB) == 0);
	UNIT_CHECK(upload("c", 3, 8 * MIB, MIB) == 0);
	UNIT_CHECK(upload("d", 4, 6 * MIB, MIB) == 0);
	ds_status(&st);
	UNIT_CHECK(st.free == 0);
	UNIT_CHECK(ds_upload_begin("e", 1, NULL, false, &got) == -ENOSPC);
	/* Two holes of 6 MiB: a 10 MiB file takes both. */
	UNIT_CHECK(ds_delete("b") == 0 && ds_delete("d") == 0);
	UNIT_CHECK(ds_upload_begin("e", 13 * MIB, NULL, false, &got) ==
		   -ENOSPC);
	UNIT_CHECK(upload("e", 5, 10 * MIB, 300000) == 0);
	UNIT_CHECK(
	    ds_vol->files[ds_find(ds_vol, "e") - ds_vol->files].nextents == 2);
	UNIT_CHECK(reads_back("e", 5, 10 * MIB, 1000000));
	UNIT_CHECK(reads_back("a", 1, 8 * MIB, MIB));
	UNIT_CHECK(reads_back("c", 3, 8 * MIB, MIB));
	ds_status(&st);
	UNIT_CHECK(st.free == 2 * MIB);
	/* Best fit: a 2 MiB file goes in the 2 MiB left, nowhere else. */
	UNIT_CHECK(upload("f", 6, 2 * MIB, MIB) == 0);
	UNIT_CHECK(ds_stat("f", &fi) == 0 && fi.complete);
	ds_status(&st);
	UNIT_CHECK(st.free == 0);
	disk_free(d);
}

UNIT_TEST(ds_names)
{
	static const char *const good[] = {
		"a",	       "vmlinuz-6.1", "debian/initrd.img",
		"A_b.c-d/e/f", "..a",	      "a.."
	};
	static const char *const bad[] = { "",	    "/a",	   "a/",
					   "a//b",  ".",	   "..",
					   "a/./b", "a/../b",	   "a b",
					   "a\\b",  "caf\xc3\xa9", NULL };
	char longname[DS_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		UNIT_CHECK(ds_name_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UNIT_CHECK(!ds_name_valid(bad[i]));
	memset(longname, 'x', sizeof(longname));
	longname[DS_NAME_MAX - 1] = 0;
	UNIT_CHECK(ds_name_valid(longname));
	longname[DS_NAME_MAX - 1] = 'x';
	longname[DS_NAME_MAX] = 0;
	UNIT_CHECK(!ds_name_valid(longname));
	/* Without a datastore every call says so. */
	UNIT_CHECK(ds_stat("a", &(struct ds_file_info){ 0 }) == -ENODEV);
	UNIT_CHECK(ds_read("a", 0, longname, 1) == -ENODEV);
	UNIT_CHECK(ds_delete("a") == -ENODEV);
	UNIT_CHECK(ds_upload_begin("a", 1, NULL, 0, &(uint64_t){ 0 }) ==
		   -ENODEV);
	UNIT_CHECK(ds_list(NULL, 0) == -ENODEV);
}

static struct ds_disk_info *disk_info(struct ds_disk_info *all, int n,
				      const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	return NULL;
}

UNIT_TEST(ds_disks_and_format_refusals)
{
	struct disk *blank = disk_new("nvme0n1", 64 * MIB, 512);
	struct disk *gpt = disk_new("ahci0", 32 * MIB, 512);
	struct disk *ext4 = disk_new("vblk1", 32 * MIB, 4096);
	struct disk *small = disk_new("vblk2", 8 * MIB, 512);
	struct disk *usb = disk_new("usb0", 32 * MIB, 512);
	struct ds_disk_info all[8], *i;
	char why[160];
	int n;

	memcpy(gpt->mem + 512, "EFI PART", 8);
	ext4->mem[1024 + 56] = 0x53;
	ext4->mem[1024 + 57] = 0xef;
	n = ds_disks(all, 8);
	UNIT_CHECK(n == 5);
	i = disk_info(all, n, "nvme0n1");
	UNIT_CHECK(i && i->formattable && i->size == 64 * MIB && !i->why[0]);
	i = disk_info(all, n, "ahci0");
	UNIT_CHECK(i && !i->formattable && i->with_force &&
		   strstr(i->why, "GPT partition table"));
	i = disk_info(all, n, "vblk1");
	UNIT_CHECK(i && !i->formattable && i->with_force &&
		   strstr(i->why, "ext2/ext3/ext4") && i->sector_size == 4096);
	i = disk_info(all, n, "vblk2");
	UNIT_CHECK(i && !i->formattable && !i->with_force &&
		   strstr(i->why, "smaller than 16 MiB"));
	i = disk_info(all, n, "usb0");
	UNIT_CHECK(i && !i->with_force && strstr(i->why, "USB"));

	UNIT_CHECK(ds_format("ahci0", "x", false, why, sizeof(why)) == -EPERM);
	UNIT_CHECK(strstr(why, "GPT") && strstr(why, "force"));
	UNIT_CHECK(ds_format("usb0", "x", true, why, sizeof(why)) == -EPERM);
	UNIT_CHECK(ds_format("vblk2", "x", true, why, sizeof(why)) == -EPERM);
	UNIT_CHECK(ds_format("nope", "x", true, why, sizeof(why)) == -ENOENT);
	UNIT_CHECK(ds_format("nvme0n1", "", false, why, sizeof(why)) ==
		   -EINVAL);
	UNIT_CHECK(ds_format("nvme0n1", "bad/label", false, why, sizeof(why)) ==
		   -EINVAL);
	/* 4 KiB sectors work like 512-byte ones. */
	UNIT_CHECK(ds_format("vblk1", "four-k", true, why, sizeof(why)) == 0);
	UNIT_CHECK(upload("k", 1, 100000, 4096 * 3 + 1) == 0);
	UNIT_CHECK(reads_back("k", 1, 100000, 3000));
	/* One datastore: another disk is refused while it is mounted. */
	UNIT_CHECK(ds_format("nvme0n1", "x", true, why, sizeof(why)) ==
		       -EPERM &&
		   strstr(why, "vblk1"));
	n = ds_disks(all, 8);
	i = disk_info(all, n, "vblk1");
	UNIT_CHECK(i && i->mounted && i->datastore && !i->formattable &&
		   !strcmp(i->label, "four-k") && strstr(i->why, "mounted"));
	/* Reformatting it (force) empties it. */
	UNIT_CHECK(ds_format("vblk1", "again", false, why, sizeof(why)) ==
		   -EPERM);
	UNIT_CHECK(ds_format("vblk1", "again", true, why, sizeof(why)) == 0);
	UNIT_CHECK(ds_stat("k", &(struct ds_file_info){ 0 }) == -ENOENT);
	/* An unmounted datastore disk is named as one, with its label. */
	ds_unmount();
	n = ds_disks(all, 8);
	i = disk_info(all, n, "vblk1");
	UNIT_CHECK(i && !i->mounted && i->datastore &&
		   !strcmp(i->label, "again") && strstr(i->why, "datastore"));
	/* The boot-time scan finds it and no other. */
	{
		size_t seen = 0;
		struct ds_status st;

		UNIT_CHECK(ds_scan(&seen) == 1 && seen == 5);
		ds_status(&st);
		UNIT_CHECK(st.mounted && !strcmp(st.disk, "vblk1") &&
			   !strcmp(st.label, "again"));
	}
	/* After a forced format the GPT's backup at the end is gone too. */
	memcpy(gpt->mem + 32 * MIB - 512, "EFI PART", 8);
	ds_unmount();
	UNIT_CHECK(ds_format("ahci0", "g", true, why, sizeof(why)) == 0);
	UNIT_CHECK(memcmp(gpt->mem + 32 * MIB - 512, "EFI PART", 8));
	UNIT_CHECK(memcmp(gpt->mem + 512, "EFI PART", 8));
	disk_free(usb);
	disk_free(small);
	disk_free(ext4);
	disk_free(gpt);
	disk_free(blank);
}

UNIT_TEST(ds_probe_signatures)
{
	static const struct {
		size_t off;
		const char *magic;
		size_t n;
		enum ds_probe_kind kind;
		const char *what;
	} sig[] = {
		{ 0, DS_SUPER_MAGIC, 8, DS_PROBE_DATASTORE, "datastore" },
		{ 512, "EFI PART", 8, DS_PROBE_PARTITIONED, "GPT" },
		{ 510, "\x55\xaa", 2, DS_PROBE_PARTITIONED, "MBR" },
		{ 3, "NTFS    ", 8, DS_PROBE_FILESYSTEM, "NTFS" },
		{ 3, "EXFAT   ", 8, DS_PROBE_FILESYSTEM, "exFAT" },
		{ 0, "XFSB", 4, DS_PROBE_FILESYSTEM, "XFS" },
		{ 0, "LUKS\xba\xbe", 6, DS_PROBE_FILESYSTEM, "LUKS" },
		{ 512, "LABELONE", 8, DS_PROBE_FILESYSTEM, "LVM" },
		{ 1080, "\x53\xef", 2, DS_PROBE_FILESYSTEM, "ext2" },
		{ 65600, "_BHRfS_M", 8, DS_PROBE_FILESYSTEM, "btrfs" },
		{ 4086, "SWAPSPACE2", 10, DS_PROBE_FILESYSTEM, "swap" },
		{ 32769, "CD001", 5, DS_PROBE_FILESYSTEM, "ISO 9660" },
		{ 4096, "\xfc\x4e\x2b\xa9", 4, DS_PROBE_FILESYSTEM, "RAID" },
		{ 70000, "x", 1, DS_PROBE_DATA, "unrecognised" },
	};
	uint8_t *head = calloc(1, DS_PROBE_BYTES), tail[512] = { 0 };
	const char *what;

	UNIT_CHECK(ds_probe_buf(head, tail, 512, &what) == DS_PROBE_BLANK);
	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++) {
		memset(head, 0, DS_PROBE_BYTES);
		memcpy(head + sig[i].off, sig[i].magic, sig[i].n);
		UNIT_CHECK(ds_probe_buf(head, tail, 512, &what) == sig[i].kind);
		UNIT_CHECK(strstr(what, sig[i].what));
	}
	/* A FAT boot sector is a file system, not an MBR. */
	memset(head, 0, DS_PROBE_BYTES);
	memcpy(head + 82, "FAT32   ", 8);
	head[510] = 0x55;
	head[511] = 0xaa;
	UNIT_CHECK(ds_probe_buf(head, tail, 512, &what) ==
		       DS_PROBE_FILESYSTEM &&
		   strstr(what, "FAT"));
	/* Only a backup GPT header left at the end. */
	memset(head, 0, DS_PROBE_BYTES);
	memcpy(tail, "EFI PART", 8);
	UNIT_CHECK(ds_probe_buf(head, tail, 512, &what) ==
		       DS_PROBE_PARTITIONED &&
		   strstr(what, "backup GPT"));
	free(head);
}
