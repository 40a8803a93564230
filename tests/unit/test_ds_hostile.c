// SPDX-License-Identifier: MIT
/*
 * The datastore against hostile or damaged images: a superblock with a
 * bad CRC, another version or lying geometry is refused with a reason;
 * a damaged newest metadata copy falls back to the other, both damaged
 * refuse the mount; file entries with extents past the end, shared
 * blocks, bad names, duplicate names or unknown states are marked
 * damaged (unreadable, deletable, their blocks never handed out) while
 * the other files stay readable. Then thousands of random mutations of
 * the table and the superblock, with valid CRCs so the decoder sees
 * them: a mount refuses or succeeds, never crashes (ASan), and what it
 * accepts as readable is always inside the disk and unshared.
 * UNIT_SRCS: datastore/ds.c datastore/ds_disk.c datastore/ds_meta.c datastore/ds_alloc.c datastore/ds_upload.c datastore/ds_format.c drivers/blk.c drivers/blk_ramdisk.c drivers/blk_boot.c drivers/gpt.c drivers/crc32.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/host_entropy.c
 * UNIT_LIBS: mbedcrypto
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datastore/ds_int.h"
#include "drivers/blk.h"
#include "drivers/crc32.h"
#include "ds_util.h"
#include "unit.h"

#define MIB (1u << 20)
#define BYTES (32 * MIB)

static struct blk_ramdisk rd;
static uint8_t *mem, *pristine;


static int reads_back(const char *name, uint32_t seed, uint64_t size)
{
	uint8_t *buf = malloc(size + 1);
	int ok = ds_read(name, 0, buf, size + 1) == (long)size &&
		 dsu_check(seed, 0, buf, size);

	free(buf);
	return ok;
}

/* A datastore with files a (1 MiB), b (200 KiB) and c (3 MiB + 5), an
 * upload u in progress, unmounted; its image kept in @pristine. */
static void setup(void)
{
	char why[160];
	uint64_t got;

	if (!mem) {
		mem = calloc(1, BYTES);
		pristine = malloc(BYTES);
		blk_ramdisk_init(&rd, "vblk0", mem, 512, BYTES / 512);
		blk_register(&rd.dev);
		UNIT_CHECK(ds_format("vblk0", "hostile", false, why,
				     sizeof(why)) == 0);
		UNIT_CHECK(dsu_upload("a", 1, MIB, true) == 0);
		UNIT_CHECK(dsu_upload("b", 2, 200 * 1024, true) == 0);
		UNIT_CHECK(dsu_upload("dir/c", 3, 3 * MIB + 5, true) == 0);
		UNIT_CHECK(ds_upload_begin("u", 2 * MIB, NULL, false, &got) ==
			   0);
		ds_unmount();
		memcpy(pristine, mem, BYTES);
	}
	ds_unmount();
	memcpy(mem, pristine, BYTES);
}

static struct ds_disk_super *super(void)
{
	return (struct ds_disk_super *)mem;
}

static void super_fix(void)
{
	super()->crc = ds_super_crc(super());
}

/* The newest valid table copy: its header (in the image). */
static struct ds_disk_meta *table(int *slot)
{
	struct ds_disk_meta *best = NULL;

	for (int i = 0; i < 2; i++) {
		struct ds_disk_meta *h =
		    (void *)(mem + super()->meta_start[i] * DS_BLOCK);

		if (!memcmp(h->magic, DS_META_MAGIC, 8) &&
		    (!best || h->seq > best->seq)) {
			best = h;
			if (slot)
				*slot = i;
		}
	}
	return best;
}

static struct ds_disk_file *entry(struct ds_disk_meta *h, const char *name)
{
	struct ds_disk_file *e = (void *)(h + 1);

	for (uint32_t i = 0; i < h->count; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

static void table_fix(struct ds_disk_meta *h)
{
	uint32_t n = h->count < DS_FILES_MAX ? h->count : DS_FILES_MAX;

	h->crc = 0;
	h->crc =
	    crc32_update(0, h, sizeof(*h) + n * sizeof(struct ds_disk_file));
}

static int mount(const char **why)
{
	*why = NULL;
	return ds_mount_dev(&rd.dev, why);
}

static enum ds_state state_of(const char *name)
{
	struct ds_file_info fi;

	return ds_stat(name, &fi) ? 0 : fi.state;
}

UNIT_TEST(ds_hostile_superblock)
{
	const char *why;

	setup();
	UNIT_CHECK(mount(&why) == 0 && reads_back("a", 1, MIB));

	setup();
	super()->label[0] ^= 1; /* CRC no longer matches */
	UNIT_CHECK(mount(&why) == -EBADMSG && why && strstr(why, "CRC32"));
	UNIT_CHECK(!ds_vol);

	setup();
	super()->version = 2;
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "version"));

	setup();
	super()->data_blocks = ~0ull;
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "data area"));

	setup();
	super()->blocks = BYTES / DS_BLOCK + 1; /* the disk shrank */
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "larger"));

	setup();
	super()->meta_start[1] = super()->meta_start[0] + 1;
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "overlap"));

	setup();
	super()->files_max = 1u << 30;
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "metadata"));

	setup();
	memset(super()->label, 'x', sizeof(super()->label));
	super_fix();
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "label"));

	setup();
	memset(mem, 0, DS_BLOCK);
	UNIT_CHECK(mount(&why) == -ENOENT);
	ds_unmount();
}

UNIT_TEST(ds_hostile_metadata_copies)
{
	struct ds_disk_meta *h;
	const char *why;
	int slot;

	/* The newest copy torn: the other one, one commit older (before
	 * u was begun), is used. */
	setup();
	h = table(&slot);
	((uint8_t *)(h + 1))[100] ^= 0x40;
	UNIT_CHECK(mount(&why) == 0);
	UNIT_CHECK(ds_vol->slot == !slot);
	UNIT_CHECK(state_of("u") == 0 && state_of("dir/c") == DS_COMPLETE);
	UNIT_CHECK(reads_back("dir/c", 3, 3 * MIB + 5));

	/* Both damaged: refused. */
	setup();
	h = table(&slot);
	((uint8_t *)(h + 1))[100] ^= 0x40;
	h = (void *)(mem + super()->meta_start[!slot] * DS_BLOCK);
	h->seq ^= 1;
	UNIT_CHECK(mount(&why) == -EBADMSG && strstr(why, "both"));

	/* A count beyond files_max with a valid CRC: that copy is refused. */
	setup();
	h = table(&slot);
	h->count = DS_FILES_MAX + 1;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0 && ds_vol->slot == !slot);

	/* A table from an earlier format (another UUID) never counts, even
	 * with a higher sequence number. */
	setup();
	h = table(&slot);
	h = (void *)(mem + super()->meta_start[!slot] * DS_BLOCK);
	h->seq = 1000;
	h->uuid[0] ^= 1;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0 && ds_vol->slot == slot);
	UNIT_CHECK(state_of("u") == DS_UPLOADING);
	ds_unmount();
}

UNIT_TEST(ds_hostile_entries)
{
	struct ds_disk_meta *h;
	struct ds_disk_file *e;
	struct ds_status st;
	const char *why;
	uint8_t buf[16];

	/* An extent past the end: a is damaged, the rest readable. */
	setup();
	h = table(NULL);
	e = entry(h, "a");
	e->ext[0].start = super()->data_start + super()->data_blocks - 10;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0);
	UNIT_CHECK(state_of("a") == DS_DAMAGED);
	UNIT_CHECK(ds_read("a", 0, buf, 16) == -EIO);
	UNIT_CHECK(reads_back("b", 2, 200 * 1024));
	UNIT_CHECK(reads_back("dir/c", 3, 3 * MIB + 5));
	UNIT_CHECK(ds_delete("a") == 0 && state_of("a") == 0);

	/* b and c share blocks: both damaged; a fine. Deleting b leaves c
	 * damaged and its blocks taken. */
	setup();
	h = table(NULL);
	entry(h, "b")->ext[0].start = entry(h, "dir/c")->ext[0].start + 3;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0);
	UNIT_CHECK(state_of("b") == DS_DAMAGED &&
		   state_of("dir/c") == DS_DAMAGED);
	UNIT_CHECK(reads_back("a", 1, MIB));
	UNIT_CHECK(ds_delete("b") == 0 && state_of("dir/c") == DS_DAMAGED);
	ds_status(&st);
	UNIT_CHECK(st.free ==
		   st.capacity - MIB - (3 * MIB + DS_BLOCK) - 2 * MIB);
	/* Damage is recorded: still damaged at the next mount. */
	UNIT_CHECK(dsu_upload("x", 9, 5000, true) == 0);
	ds_unmount();
	UNIT_CHECK(mount(&why) == 0 && state_of("dir/c") == DS_DAMAGED);
	UNIT_CHECK(reads_back("x", 9, 5000));

	/* One file's two extents overlapping each other. */
	setup();
	h = table(NULL);
	e = entry(h, "dir/c");
	e->nextents = 2;
	e->ext[1] = e->ext[0];
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0 && state_of("dir/c") == DS_DAMAGED);

	/* Too many extents, extents too small for the size, a wrapping
	 * extent, an unknown state, received past the size. */
	setup();
	h = table(NULL);
	entry(h, "a")->nextents = DS_EXTENTS_MAX + 1;
	entry(h, "b")->size = 10 * MIB;
	entry(h, "dir/c")->ext[0].blocks = ~0ull - 5;
	entry(h, "u")->received = 3 * MIB;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0);
	UNIT_CHECK(state_of("a") == DS_DAMAGED && state_of("b") == DS_DAMAGED &&
		   state_of("dir/c") == DS_DAMAGED &&
		   state_of("u") == DS_DAMAGED);

	setup();
	h = table(NULL);
	entry(h, "a")->state = 77;
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0 && state_of("a") == DS_DAMAGED);
	UNIT_CHECK(state_of("b") == DS_COMPLETE);

	/* Bad and duplicate names get a name they can be deleted by. */
	setup();
	h = table(NULL);
	memcpy(entry(h, "a")->name, "../etc", 7);
	memcpy(entry(h, "dir/c")->name, "b", 2);
	memset(entry(h, "u")->name, 'z', DS_NAME_MAX);
	table_fix(h);
	UNIT_CHECK(mount(&why) == 0);
	UNIT_CHECK(state_of("b") == DS_COMPLETE &&
		   reads_back("b", 2, 200 * 1024));
	{
		struct ds_file_info l[8];
		int n = ds_list(l, 8), damaged = 0;

		UNIT_CHECK(n == 4);
		for (int i = 0; i < n && i < 8; i++) {
			if (!strncmp(l[i].name, "damaged/entry-", 14)) {
				damaged++;
				UNIT_CHECK(l[i].state == DS_DAMAGED &&
					   l[i].why);
				UNIT_CHECK(ds_delete(l[i].name) == 0);
			}
		}
		UNIT_CHECK(damaged == 3);
	}
	ds_unmount();
}

/* What a mount accepted as readable is inside the data area and shared
 * with no other file. */
static int invariants_hold(void)
{
	struct ds_vol *v = ds_vol;
	uint64_t lo = v->sb.data_start, hi = lo + v->sb.data_blocks;

	for (uint32_t i = 0; i < v->nfiles; i++) {
		const struct ds_file *f = &v->files[i];
		uint64_t blocks = 0;

		if (f->state == DS_DAMAGED)
			continue;
		if (f->nextents > DS_EXTENTS_MAX || !ds_name_valid(f->name)) {
			printf("  %s: extents %u / name\n", f->name,
			       f->nextents);
			return 0;
		}
		for (uint32_t e = 0; e < f->nextents; e++) {
			const struct ds_disk_ext *x = &f->ext[e];

			if (!x->blocks || x->start < lo || x->start >= hi ||
			    x->blocks > hi - x->start) {
				printf("  %s: extent out\n", f->name);
				return 0;
			}
			blocks += x->blocks;
			for (uint32_t j = 0; j < v->nfiles; j++)
				for (uint32_t k = 0; k < v->files[j].nextents;
				     k++) {
					const struct ds_disk_ext *y =
					    &v->files[j].ext[k];

					/* Blocks outside the data area are
					 * nobody's (the allocator ignores
					 * them). */
					if (!y->blocks || y->start < lo ||
					    y->start >= hi ||
					    y->blocks > hi - y->start)
						continue;
					if ((j != i || k != e) &&
					    y->start < x->start + x->blocks &&
					    x->start < y->start + y->blocks) {
						printf("  %s: shares with %s\n",
						       f->name,
						       v->files[j].name);
						return 0;
					}
				}
		}
		if (blocks * DS_BLOCK < f->size || f->received > f->size) {
			printf(
			    "  %s: size %llu blocks %llu recv %llu state %d\n",
			    f->name, (unsigned long long)f->size,
			    (unsigned long long)blocks,
			    (unsigned long long)f->received, f->state);
			return 0;
		}
	}
	return 1;
}

UNIT_TEST(ds_hostile_fuzz)
{
	uint8_t *buf = malloc(4 * MIB);
	int mounted = 0, refused = 0, bad = 0;
	const char *why;

	srand(3);
	for (int it = 0; it < 3000; it++) {
		struct ds_disk_meta *h;
		int muts = 1 + rand() % 8;

		size_t span;

		setup();
		h = table(NULL);
		span = sizeof(*h) + h->count * sizeof(struct ds_disk_file);
		for (int m = 0; m < muts; m++) {
			uint8_t *p = (uint8_t *)h + rand() % span;
			int r = rand() % 4;

			/* Bytes, small numbers and all-ones in 8-byte words. */
			if (r == 0)
				*p = (uint8_t)rand();
			else if (r == 1)
				*p ^= (uint8_t)(1 << rand() % 8);
			else
				memset((uint8_t *)h +
					   (p - (uint8_t *)h) / 8 * 8,
				       r == 2 ? 0xff : 0, 8);
		}
		if (it % 10 == 0) {
			uint8_t *s = (uint8_t *)super();

			s[rand() % offsetof(struct ds_disk_super, crc)] ^=
			    (uint8_t)(1 + rand() % 255);
			super_fix();
		}
		if (h->count <= DS_FILES_MAX)
			table_fix(h);
		if (mount(&why)) {
			refused++;
			continue;
		}
		mounted++;
		if (!invariants_hold()) {
			bad++;
			continue;
		}
		/* Use it: list, read everything readable, upload, delete. */
		{
			struct ds_file_info l[8];
			struct ds_status st;
			int n = ds_list(l, 8);

			ds_status(&st);
			for (int i = 0; i < n && i < 8; i++)
				ds_read(l[i].name, 0, buf, 4 * MIB);
			if (!dsu_upload("new", 5, 100000, true))
				UNIT_CHECK(reads_back("new", 5, 100000));
			for (int i = 0; i < n && i < 8; i++)
				ds_delete(l[i].name);
			UNIT_CHECK(invariants_hold());
		}
	}
	printf("  %d mutated images mounted, %d refused\n", mounted, refused);
	UNIT_CHECK(bad == 0);
	UNIT_CHECK(mounted > 1000 && refused > 100);
	free(buf);
	ds_unmount();
}
