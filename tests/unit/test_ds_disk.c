// SPDX-License-Identifier: MIT
/*
 * Virtual disks in the datastore (docs/datastore.md "Virtual disks") on
 * a RAM disk: a new disk reads as zeros even where a deleted file's
 * bytes still lie; writes and reads at any offset and length, never past
 * the end; the written mark survives a flush and a remount; an open disk
 * cannot be opened twice, deleted, overwritten, unmounted or formatted;
 * a file that is not a disk is not opened as one. Power cuts are in
 * test_ds_crash.c.
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

static struct blk_ramdisk rd;
static uint8_t *mem;

static void fresh(void)
{
	char why[160];

	mem = calloc(1, 32 * MIB);
	blk_ramdisk_init(&rd, "vblk0", mem, 512, 32 * MIB / 512);
	blk_register(&rd.dev);
	UNIT_CHECK(ds_format("vblk0", "disks", false, why, sizeof(why)) == 0);
}

static void done(void)
{
	ds_unmount();
	blk_unregister(&rd.dev);
	free(mem);
}


static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static int remount(void)
{
	const char *why;

	ds_unmount();
	return ds_mount_dev(&rd.dev, &why);
}

UNIT_TEST(ds_disk_reads_zero_over_old_data)
{
	uint8_t *buf = malloc(4 * MIB);
	struct ds_disk *d;
	struct ds_file_info fi;
	uint64_t junk_start;

	fresh();
	/* A file of random bytes, deleted: its blocks keep the bytes. */
	UNIT_CHECK(dsu_upload("junk", 5, 4 * MIB, false) == 0);
	junk_start = ds_find(ds_vol, "junk")->ext[0].start;
	UNIT_CHECK(ds_delete("junk") == 0);
	UNIT_CHECK(ds_create_disk("vm1/disk", 4 * MIB) == 0);
	/* The new disk took those very blocks ... */
	UNIT_CHECK(ds_find(ds_vol, "vm1/disk")->ext[0].start == junk_start);
	UNIT_CHECK(!all_zero(mem + junk_start * DS_BLOCK, 4096));
	/* ... and reads as zeros, by name and through a handle. */
	UNIT_CHECK(ds_read("vm1/disk", 0, buf, 4 * MIB) == 4 * MIB);
	UNIT_CHECK(all_zero(buf, 4 * MIB));
	UNIT_CHECK(ds_stat("vm1/disk", &fi) == 0);
	UNIT_CHECK(fi.disk && fi.complete && !fi.in_use && fi.size == 4 * MIB);
	UNIT_CHECK(ds_disk_open("vm1/disk", &d) == 0);
	UNIT_CHECK(ds_disk_size(d) == 4 * MIB);
	UNIT_CHECK(ds_stat("vm1/disk", &fi) == 0 && fi.in_use);
	/* A write far in: the gap before it reads zero, not junk. */
	memset(buf, 0xab, 1000);
	UNIT_CHECK(ds_pwrite(d, 3 * MIB + 100, buf, 1000) == 0);
	UNIT_CHECK(ds_pread(d, 0, buf, 4 * MIB) == 0);
	UNIT_CHECK(all_zero(buf, 3 * MIB + 100));
	UNIT_CHECK(buf[3 * MIB + 100] == 0xab && buf[3 * MIB + 1099] == 0xab);
	UNIT_CHECK(all_zero(buf + 3 * MIB + 1100, MIB - 1100));
	ds_disk_close(d);
	/* Nothing was written at creation: creating is instant. */
	free(buf);
	done();
}

UNIT_TEST(ds_disk_write_read_any_offset_and_remount)
{
	uint8_t *want = calloc(1, 2 * MIB), *got = malloc(2 * MIB);
	struct ds_disk *d;

	fresh();
	UNIT_CHECK(ds_create_disk("d", 2 * MIB) == 0);
	UNIT_CHECK(ds_disk_open("d", &d) == 0);
	srand(3);
	for (int i = 0; i < 300; i++) {
		uint64_t off = (uint64_t)rand() % (2 * MIB);
		size_t len = (size_t)rand() % 20000;

		if (i % 3 == 0) { /* sector-aligned, as a guest does */
			off &= ~511ull;
			len &= ~511ul;
		}
		if (len > 2 * MIB - off)
			len = 2 * MIB - off;
		dsu_fill(i, off, want + off, len);
		UNIT_CHECK(ds_pwrite(d, off, want + off, len) == 0);
	}
	UNIT_CHECK(ds_pread(d, 0, got, 2 * MIB) == 0);
	UNIT_CHECK(!memcmp(want, got, 2 * MIB));
	/* Odd-sized reads agree too. */
	UNIT_CHECK(ds_pread(d, 12345, got, 54321) == 0);
	UNIT_CHECK(!memcmp(want + 12345, got, 54321));
	/* Disks never grow. */
	UNIT_CHECK(ds_pwrite(d, 2 * MIB - 1, want, 2) == -EINVAL);
	UNIT_CHECK(ds_pread(d, 2 * MIB, got, 1) == -EINVAL);
	UNIT_CHECK(ds_pwrite(d, 2 * MIB, want, 0) == 0);
	UNIT_CHECK(ds_discard(d, 0, 4096) == 0);
	UNIT_CHECK(ds_discard(d, MIB, 2 * MIB) == -EINVAL);
	UNIT_CHECK(ds_flush(d) == 0);
	ds_disk_close(d);
	UNIT_CHECK(remount() == 0);
	UNIT_CHECK(ds_read("d", 0, got, 2 * MIB) == 2 * MIB);
	UNIT_CHECK(!memcmp(want, got, 2 * MIB));
	free(want);
	free(got);
	done();
}

UNIT_TEST(ds_disk_in_use_and_refusals)
{
	struct ds_disk *d, *d2;
	struct ds_file_info list[4];
	char why[160];
	uint64_t got;

	fresh();
	UNIT_CHECK(ds_create_disk("bad name", MIB) == -EINVAL);
	UNIT_CHECK(ds_create_disk("d", 0) == -EINVAL);
	UNIT_CHECK(ds_create_disk("d", 1000) == -EINVAL);
	UNIT_CHECK(ds_create_disk("d", 64 * MIB) == -ENOSPC);
	UNIT_CHECK(ds_create_disk("d", MIB) == 0);
	UNIT_CHECK(ds_create_disk("d", MIB) == -EEXIST);
	UNIT_CHECK(dsu_upload("kernel", 1, 5000, false) == 0);
	UNIT_CHECK(ds_disk_open("kernel", &d) == -ENOTSUP);
	UNIT_CHECK(ds_disk_open("none", &d) == -ENOENT);
	UNIT_CHECK(ds_disk_open("d", &d) == 0);
	/* In use by a (simulated) running VM. */
	UNIT_CHECK(ds_disk_open("d", &d2) == -EBUSY);
	UNIT_CHECK(ds_delete("d") == -EBUSY);
	UNIT_CHECK(ds_upload_begin("d", 10, NULL, true, &got) == -EBUSY);
	UNIT_CHECK(ds_unmount() == -EBUSY);
	UNIT_CHECK(ds_format("vblk0", "again", true, why, sizeof(why)) ==
		   -EBUSY);
	UNIT_CHECK(ds_list(list, 4) == 2);
	UNIT_CHECK(!strcmp(list[0].name, "d") && list[0].disk &&
		   list[0].in_use && !list[1].disk);
	ds_disk_close(d);
	/* Let go: deleted like any file. */
	UNIT_CHECK(ds_delete("d") == 0);
	UNIT_CHECK(ds_create_disk("d", MIB) == 0);
	UNIT_CHECK(remount() == 0);
	UNIT_CHECK(ds_stat("d", list) == 0 && list[0].disk &&
		   !list[0].in_use);
	done();
}
