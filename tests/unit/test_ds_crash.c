// SPDX-License-Identifier: MIT
/*
 * The datastore against power cuts. A simulated disk keeps every write
 * since the last flush in a volatile cache; at a cut it loses a random
 * subset of them (so they land in any order), and a multi-sector write
 * may land only some sectors, a one-sector write only some 64-byte
 * pieces (torn). Each round runs random uploads (chunks of any size,
 * some repeated), finishes, deletes and formats until the disk dies at a
 * random I/O, then cuts the power and mounts again. After every cut:
 * the datastore mounts; every file whose finish returned is complete and
 * reads back with its SHA-256; every acknowledged delete stayed; every
 * upload in progress kept at least the progress its last commit recorded
 * (and no more than was sent), its bytes are the ones sent, and it
 * resumes from there to a verified finish. The one operation the cut
 * interrupted may have happened or not, but leaves a consistent file.
 * Virtual disks: every sector holds what was flushed or written since,
 * never another file's old bytes (ds_power_cuts_disks).
 * UNIT_SRCS: datastore/ds.c datastore/ds_disk.c datastore/ds_meta.c datastore/ds_alloc.c datastore/ds_upload.c datastore/ds_format.c drivers/blk.c drivers/blk_boot.c drivers/gpt.c drivers/crc32.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/host_entropy.c
 * UNIT_LIBS: mbedcrypto
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datastore/ds_int.h"
#include "drivers/blk.h"
#include "ds_util.h"
#include "unit.h"

#define SS 512
#define NSEC (16u * 2048) /* 16 MiB: 12 MiB of data */
#define ROUNDS 600
#define NAMES 8
#define FILE_MAX (700 * 1024)

/* ---- the crash simulator ------------------------------------------------ */

struct pending {
	uint64_t lba;
	uint32_t count;
	uint8_t *data;
};

static struct {
	struct blk_dev dev;
	uint8_t *cur;	  /* what reads see (medium + volatile cache) */
	uint8_t *durable; /* what survives a power cut */
	struct pending *p;
	size_t np, cap;
	long ops_left; /* device writes/flushes before the cut; < 0: none */
	bool dead;
} cs;

static int cs_gone(void)
{
	if (cs.dead)
		return 1;
	if (cs.ops_left >= 0 && cs.ops_left-- == 0) {
		cs.dead = true;
		return 1;
	}
	return 0;
}

static int cs_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf)
{
	if (cs.dead)
		return -EIO;
	memcpy(buf, cs.cur + lba * SS, (size_t)n * SS);
	return 0;
}

static int cs_write(struct blk_dev *d, uint64_t lba, uint32_t n,
		    const void *buf)
{
	if (cs_gone())
		return -EIO;
	if (cs.np == cs.cap) {
		cs.cap = cs.cap ? cs.cap * 2 : 64;
		cs.p = realloc(cs.p, cs.cap * sizeof(*cs.p));
	}
	cs.p[cs.np].lba = lba;
	cs.p[cs.np].count = n;
	cs.p[cs.np].data = malloc((size_t)n * SS);
	memcpy(cs.p[cs.np].data, buf, (size_t)n * SS);
	cs.np++;
	memcpy(cs.cur + lba * SS, buf, (size_t)n * SS);
	return 0;
}

static void cs_drop_pending(void)
{
	for (size_t i = 0; i < cs.np; i++)
		free(cs.p[i].data);
	cs.np = 0;
}

static int cs_flush(struct blk_dev *d)
{
	if (cs_gone())
		return -EIO;
	for (size_t i = 0; i < cs.np; i++)
		memcpy(cs.durable + cs.p[i].lba * SS, cs.p[i].data,
		       (size_t)cs.p[i].count * SS);
	cs_drop_pending();
	return 0;
}

static const struct blk_ops cs_ops = {
	.read = cs_read, .write = cs_write, .flush = cs_flush
};

static void cs_power_cut(void)
{
	for (size_t i = 0; i < cs.np; i++) {
		struct pending *w = &cs.p[i];
		int r = rand() % 4;

		if (r == 0)
			continue; /* lost */
		for (uint32_t s = 0; s < w->count; s++) {
			uint8_t *dst = cs.durable + (w->lba + s) * SS;
			const uint8_t *src = w->data + (size_t)s * SS;

			if (r != 1)
				memcpy(dst, src, SS);
			else if (w->count > 1 && rand() % 2)
				memcpy(dst, src, SS); /* torn between sectors */
			else if (w->count == 1)
				for (int b = 0; b < SS;
				     b += 64) /* in a sector */
					if (rand() % 2)
						memcpy(dst + b, src + b, 64);
		}
	}
	cs_drop_pending();
	memcpy(cs.cur, cs.durable, (size_t)NSEC * SS);
	cs.dead = false;
	cs.ops_left = -1;
}

static void cs_init(void)
{
	cs.cur = calloc(NSEC, SS);
	cs.durable = calloc(NSEC, SS);
	cs.dev = (struct blk_dev){ .name = "vblk0",
				   .sector_size = SS,
				   .sectors = NSEC,
				   .ops = &cs_ops };
	cs.ops_left = -1;
	blk_register(&cs.dev);
}

static void cs_free(void)
{
	ds_unmount();
	blk_unregister(&cs.dev);
	cs_drop_pending();
	free(cs.p);
	free(cs.cur);
	free(cs.durable);
	memset(&cs, 0, sizeof(cs));
}

/* ---- what the test expects ---------------------------------------------- */

enum { M_ABSENT, M_UPLOADING, M_COMPLETE };

static struct mfile {
	char name[24];
	int state;
	uint32_t seed;
	uint64_t size;
	uint64_t min, max; /* uploads: bounds for received after a cut */
} model[NAMES];

static uint32_t next_seed = 100;
static int uncertain = -1; /* the file of the interrupted operation */
static unsigned long resumed, cuts_mid_commit, complete_checked;

static struct ds_file *vfile(int i)
{
	return ds_vol ? ds_find(ds_vol, model[i].name) : NULL;
}

/* Bounds for every upload, from the volume as it is before a cut. */
static void note_bounds(void)
{
	for (int i = 0; i < NAMES; i++) {
		struct ds_file *f = vfile(i);

		if (model[i].state == M_UPLOADING && f) {
			model[i].min = f->durable;
			model[i].max = f->received;
		}
	}
}

static int do_begin(int i)
{
	uint8_t sha[32];
	uint64_t got;
	struct mfile *m = &model[i];
	int r = rand() % 8;

	m->seed = next_seed++;
	/* Sizes on and off block boundaries, and empty files. */
	m->size = r == 0   ? 0
		  : r == 1 ? (uint64_t)(rand() % 64) * DS_BLOCK
			   : (uint64_t)(rand() % FILE_MAX);
	dsu_sha(m->seed, m->size, sha);
	m->min = m->max = 0;
	if (ds_upload_begin(m->name, m->size, sha, false, &got))
		return -1;
	m->state = M_UPLOADING;
	return 0;
}

static int do_write(int i)
{
	struct mfile *m = &model[i];
	struct ds_file *f = vfile(i);
	uint64_t off = f->received, got;
	size_t n = 1 + rand() % (160 * 1024);
	uint8_t *buf;
	int rc;

	if (rand() % 5 == 0 && off > 0)
		off -= rand() % (off < 50000 ? off : 50000); /* a repeat */
	if (n > m->size - off)
		n = (size_t)(m->size - off);
	buf = malloc(n ? n : 1);
	dsu_fill(m->seed, off, buf, n);
	rc = ds_upload_write(m->name, off, buf, n, &got);
	free(buf);
	return rc ? -1 : 0;
}

static int do_finish(int i)
{
	if (ds_upload_finish(model[i].name, NULL))
		return -1;
	model[i].state = M_COMPLETE;
	return 0;
}

static int do_delete(int i)
{
	if (ds_delete(model[i].name))
		return -1;
	model[i].state = M_ABSENT;
	return 0;
}

/* One random operation; -1 when the disk died under it. */
static int step(void)
{
	int i = rand() % NAMES;
	struct mfile *m = &model[i];
	struct ds_file *f;
	int rc;

	uncertain = i;
	note_bounds();
	switch (m->state) {
	case M_ABSENT:
		rc = do_begin(i);
		break;
	case M_UPLOADING:
		f = vfile(i);
		if (rand() % 12 == 0)
			rc = do_delete(i); /* an abandoned upload */
		else if (f->received < m->size)
			rc = do_write(i);
		else
			rc = do_finish(i);
		break;
	default:
		rc = rand() % 3 ? 0 : do_delete(i);
		break;
	}
	if (!rc) {
		uncertain = -1;
		note_bounds();
	} else if ((f = vfile(i)) && m->state == M_UPLOADING &&
		   f->received > m->max) {
		m->max = f->received; /* stored, maybe committed */
	}
	return rc;
}

/* The whole file reads back as sent (complete files), or its first
 * @n bytes are as sent (uploads: read from the disk directly). */
static int content_ok(int i, struct ds_file *f, uint64_t n)
{
	struct mfile *m = &model[i];
	uint8_t *buf = malloc(FILE_MAX + DS_BLOCK);
	uint64_t blocks = (n + DS_BLOCK - 1) / DS_BLOCK;
	int ok;

	if (f->state == DS_COMPLETE)
		ok = ds_read(m->name, 0, buf, FILE_MAX + 1) == (long)n;
	else
		ok = !ds_file_io(ds_vol, f->ext, f->nextents, 0,
				 (uint32_t)blocks, buf, false);
	ok = ok && dsu_check(m->seed, 0, buf, (size_t)n);
	free(buf);
	return ok;
}

/* After a cut and a mount: the datastore is what the model allows. */
static void check_after_cut(int round)
{
	uint32_t known = 0;

	for (int i = 0; i < NAMES; i++) {
		struct mfile *m = &model[i];
		struct ds_file *f = vfile(i);
		uint8_t sha[32];
		bool unsure = i == uncertain;

		if (f) {
			known++;
			UNIT_CHECK(f->state == DS_UPLOADING ||
				   f->state == DS_COMPLETE);
		}
		if (unsure) {
			/* Happened or not: adopt what is there, which must
			 * still be consistent (the bounds still hold). */
			if (!f)
				m->state = M_ABSENT;
			else if (f->state == DS_COMPLETE)
				m->state = M_COMPLETE;
			else
				m->state = M_UPLOADING;
		}
		switch (m->state) {
		case M_ABSENT:
			UNIT_CHECK(!f);
			break;
		case M_COMPLETE:
			UNIT_CHECK(f && f->state == DS_COMPLETE);
			if (!f)
				break;
			dsu_sha(m->seed, m->size, sha);
			UNIT_CHECK(f->size == m->size &&
				   !memcmp(f->sha256, sha, 32));
			UNIT_CHECK(content_ok(i, f, m->size));
			complete_checked++;
			break;
		case M_UPLOADING:
			UNIT_CHECK(f && f->state == DS_UPLOADING);
			if (!f)
				break;
			UNIT_CHECK(f->size == m->size);
			if (f->received < m->min || f->received > m->max) {
				printf("  round %d: %s received %llu, expected "
				       "%llu..%llu\n",
				       round, m->name,
				       (unsigned long long)f->received,
				       (unsigned long long)m->min,
				       (unsigned long long)m->max);
				UNIT_CHECK(0);
			}
			UNIT_CHECK(content_ok(i, f, f->received));
			if (f->received)
				resumed++;
			break;
		}
	}
	UNIT_CHECK(ds_vol->nfiles == known);
	uncertain = -1;
}

UNIT_TEST(ds_power_cuts)
{
	char why[160];
	const char *w;

	srand(7);
	ds_persist_bytes = 64 * 1024;
	cs_init();
	for (int i = 0; i < NAMES; i++)
		snprintf(model[i].name, sizeof(model[i].name),
			 i % 3 ? "file%d" : "dir/file%d.img", i);
	UNIT_CHECK(ds_format("vblk0", "crash", false, why, sizeof(why)) == 0);
	for (int round = 0; round < ROUNDS; round++) {
		int rc, steps = 0;

		cs.ops_left = rand() % 120;
		while (steps++ < 200 && !step())
			;
		if (cs.np && cs.dead)
			cuts_mid_commit++;
		cs_power_cut();
		ds_unmount();
		rc = ds_mount_dev(&cs.dev, &w);
		if (rc) {
			printf("  round %d: mount failed (%d): %s\n", round, rc,
			       w ? w : "-");
			UNIT_CHECK(0);
			break;
		}
		check_after_cut(round);
	}
	/* It did what it says: files checked, uploads resumed. */
	printf("  %lu complete files checked, %lu uploads resumed, %lu cuts "
	       "with writes cached\n",
	       complete_checked, resumed, cuts_mid_commit);
	UNIT_CHECK(complete_checked > ROUNDS && resumed > ROUNDS / 4);
	cs_free();
	ds_persist_bytes = DS_PERSIST_BYTES;
}

/* Format itself cut at every point: afterwards the disk mounts as the
 * new empty datastore, or (format never returned) as the old one intact,
 * or holds no datastore; never a mix of old and new. */
UNIT_TEST(ds_power_cut_during_format)
{
	char why[160];
	const char *w;
	int empty = 0, none = 0, old = 0;

	srand(11);
	cs_init();
	for (long cut = 0; cut < 40; cut++) {
		int frc, rc;
		uint64_t got;

		/* An old datastore with a file, then a forced format. */
		ds_unmount();
		UNIT_CHECK(ds_format("vblk0", "old", true, why, sizeof(why)) ==
			   0);
		UNIT_CHECK(ds_upload_begin("keep", 10, NULL, false, &got) == 0);
		cs.ops_left = cut;
		frc = ds_format("vblk0", "new", true, why, sizeof(why));
		cs_power_cut();
		ds_unmount();
		rc = ds_mount_dev(&cs.dev, &w);
		if (!rc && !strcmp(ds_vol->sb.label, "new")) {
			UNIT_CHECK(ds_vol->nfiles == 0);
			empty++;
		} else if (!rc) {
			/* Cut before the old superblock was gone: intact. */
			UNIT_CHECK(frc != 0 &&
				   !strcmp(ds_vol->sb.label, "old"));
			UNIT_CHECK(ds_vol->nfiles == 1 &&
				   ds_find(ds_vol, "keep"));
			old++;
		} else {
			UNIT_CHECK(frc != 0 && rc == -ENOENT);
			none++;
		}
	}
	UNIT_CHECK(empty > 0 && none > 0 && old > 0);
	cs_free();
}

/* ---- virtual disks --------------------------------------------------------
 * A disk written in place: each 512-byte sector may after a cut hold its
 * content at the last acknowledged ds_flush or any content written
 * since (writes land in any order, torn between sectors), and a sector
 * never written reads as zeros although a deleted file's bytes lie
 * under it. Creates and deletes of a second disk are cut too: it exists
 * or not, and reads as zeros when it does. */

#define DSEC 4096 /* the disk: 2 MiB */

#define DPEND 6	  /* writes of one sector between flushes, at most */

static uint32_t d_flushed[DSEC];	 /* tag at the last flush, 0 = zeros */
static uint32_t d_pend[DSEC][DPEND]; /* tags written since */
static uint8_t d_np[DSEC];

static void d_sector(uint32_t tag, uint32_t s, uint8_t *buf)
{
	if (tag)
		dsu_fill(tag, (uint64_t)s * SS, buf, SS);
	else
		memset(buf, 0, SS);
}

/* After a cut: every sector holds one allowed tag; it becomes the
 * flushed one. */
static int d_check(struct ds_disk *d)
{
	uint8_t *all = malloc(DSEC * SS), want[SS];
	int ok = ds_pread(d, 0, all, DSEC * SS) == 0;

	for (uint32_t s = 0; ok && s < DSEC; s++) {
		const uint8_t *got = all + (size_t)s * SS;
		int hit = 0;

		d_sector(d_flushed[s], s, want);
		hit = !memcmp(want, got, SS);
		for (int k = 0; !hit && k < d_np[s]; k++) {
			d_sector(d_pend[s][k], s, want);
			if (!memcmp(want, got, SS)) {
				hit = 1;
				d_flushed[s] = d_pend[s][k];
			}
		}
		if (!hit)
			printf("  disk sector %u holds bytes never written\n",
			       s);
		ok = hit;
		d_np[s] = 0;
	}
	free(all);
	return ok;
}

UNIT_TEST(ds_power_cuts_disks)
{
	struct ds_disk *d = NULL;
	uint8_t *buf = malloc(16 * SS), zero[SS] = { 0 }, sec[SS];
	uint32_t tag = 1000;
	unsigned long checked = 0, d1_seen = 0;
	int d1 = 0; /* the second disk: 0 absent, 1 present, -1 unknown */
	char why[160];
	const char *w;

	srand(13);
	cs_init();
	UNIT_CHECK(ds_format("vblk0", "disks", false, why, sizeof(why)) == 0);
	/* Random bytes where both disks will lie, then freed. */
	UNIT_CHECK(dsu_upload("junk", 77, 3 << 20, false) == 0);
	UNIT_CHECK(ds_delete("junk") == 0);
	UNIT_CHECK(ds_create_disk("d0", DSEC * SS) == 0);
	cs_flush(&cs.dev);
	for (int round = 0; round < 300; round++) {
		UNIT_CHECK(ds_disk_open("d0", &d) == 0);
		cs.ops_left = rand() % 60;
		for (int op = 0; op < 40 && !cs.dead; op++) {
			int r = rand() % 10;

			if (r < 6) {
				uint32_t s = (uint32_t)rand() % DSEC;
				uint32_t n = 1 + (uint32_t)rand() % 16;

				if (n > DSEC - s)
					n = DSEC - s;
				for (uint32_t i = 0; i < n; i++)
					if (d_np[s + i] == DPEND) {
						n = i; /* enough versions */
						break;
					}
				if (!n)
					r = 6;
				tag++;
				for (uint32_t i = 0; i < n; i++) {
					d_sector(tag, s + i, buf + i * SS);
					d_pend[s + i][d_np[s + i]++] = tag;
				}
				if (n)
					ds_pwrite(d, (uint64_t)s * SS, buf,
						  n * SS);
			}
			if (r >= 6 && r < 8 && ds_flush(d) == 0)
				for (uint32_t s = 0; s < DSEC; s++)
					if (d_np[s]) {
						d_flushed[s] =
						    d_pend[s][d_np[s] - 1];
						d_np[s] = 0;
					}
			if (r == 8 && d1 != 0) {
				d1 = -1;
				if (ds_delete("d1") == 0)
					d1 = 0;
			} else if (r == 9 && d1 != 1) {
				d1 = -1;
				if (ds_create_disk("d1", 512 * 1024) == 0)
					d1 = 1;
			}
		}
		cs.dead = true; /* the cut, whether or not the count ran out */
		ds_disk_close(d);
		cs_power_cut();
		ds_unmount();
		UNIT_CHECK(ds_mount_dev(&cs.dev, &w) == 0);
		UNIT_CHECK(ds_disk_open("d0", &d) == 0);
		UNIT_CHECK(d_check(d));
		ds_disk_close(d);
		checked++;
		{
			struct ds_file_info fi;
			int rc = ds_stat("d1", &fi);

			UNIT_CHECK(d1 == -1 || (rc == 0) == (d1 == 1));
			d1 = rc == 0;
			if (rc == 0) {
				UNIT_CHECK(fi.disk && fi.size == 512 * 1024);
				for (uint64_t o = 0; o < fi.size; o += SS) {
					UNIT_CHECK(ds_read("d1", o, sec, SS) ==
						   SS);
					UNIT_CHECK(!memcmp(sec, zero, SS));
				}
				d1_seen++;
			}
		}
	}
	printf("  %lu cuts checked sector by sector, second disk present "
	       "after %lu\n",
	       checked, d1_seen);
	UNIT_CHECK(checked == 300 && d1_seen > 20);
	free(buf);
	cs_free();
}
