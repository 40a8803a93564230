// SPDX-License-Identifier: MIT
/*
 * The datastore's metadata on disk (docs/datastore.md "On disk" and
 * "Crash safety"): a superblock written once by format, and the file
 * table in two copies that take turns. A commit flushes the file data
 * first, then writes the whole table with the next sequence number and
 * its CRC32 over the copy not holding the newest table, then flushes
 * again. A power cut during the write leaves that copy with a bad CRC
 * (or an older sequence number) and mount takes the other, which is the
 * state before the commit. Nothing here trusts what it reads: every
 * count, offset and extent is checked before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "datastore/ds_int.h"
#include "drivers/blk.h"
#include "drivers/crc32.h"

int ds_bread(struct ds_vol *v, uint64_t block, uint32_t n, void *buf)
{
	return blk_read(v->dev, block * v->spb, n * v->spb, buf);
}

int ds_bwrite(struct ds_vol *v, uint64_t block, uint32_t n, const void *buf)
{
	return blk_write(v->dev, block * v->spb, n * v->spb, buf);
}

/* ---- Superblock ---------------------------------------------------------- */

uint32_t ds_super_crc(const struct ds_disk_super *sb)
{
	return crc32_update(0, sb, offsetof(struct ds_disk_super, crc));
}

void ds_super_init(struct ds_disk_super *sb, uint64_t dev_blocks,
		   const char *label, const uint8_t uuid[16])
{
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, DS_SUPER_MAGIC, 8);
	sb->version = DS_VERSION;
	sb->block_size = DS_BLOCK;
	memcpy(sb->uuid, uuid, 16);
	strncpy(sb->label, label, sizeof(sb->label) - 1);
	sb->blocks = dev_blocks;
	sb->meta_start[0] = DS_META0_BLOCK;
	sb->meta_start[1] = DS_META1_BLOCK;
	sb->meta_blocks = DS_META_BLOCKS;
	sb->files_max = DS_FILES_MAX;
	sb->data_start = DS_DATA_BLOCK;
	sb->data_blocks = dev_blocks - DS_DATA_BLOCK;
	sb->extents_max = DS_EXTENTS_MAX;
	sb->crc = ds_super_crc(sb);
}

/* The bytes a table of @count entries takes, header included. */
static uint64_t ds_table_bytes(uint64_t count)
{
	return sizeof(struct ds_disk_meta) +
	       count * sizeof(struct ds_disk_file);
}

const char *ds_super_check(const struct ds_disk_super *sb, uint64_t dev_blocks)
{
	if (memcmp(sb->magic, DS_SUPER_MAGIC, 8))
		return "no datastore signature";
	if (sb->version != DS_VERSION)
		return "a datastore format version this Keel does not read";
	if (sb->crc != ds_super_crc(sb))
		return "the superblock's CRC32 does not match (damaged)";
	if (sb->block_size != DS_BLOCK || sb->extents_max != DS_EXTENTS_MAX)
		return "an unsupported block size or extent count";
	if (!memchr(sb->label, 0, sizeof(sb->label)))
		return "the label is not terminated";
	if (sb->blocks > dev_blocks)
		return "the superblock describes a disk larger than this one";
	if (!sb->files_max || sb->files_max > DS_FILES_MAX ||
	    !sb->meta_blocks ||
	    ds_table_bytes(sb->files_max) >
		(uint64_t)sb->meta_blocks * DS_BLOCK)
		return "the metadata area's size is not sane";
	for (int i = 0; i < 2; i++) {
		uint64_t s = sb->meta_start[i];

		/* Each copy sits after the superblock and before the data. */
		if (s < 1 || s > sb->data_start ||
		    sb->data_start - s < sb->meta_blocks)
			return "a metadata copy lies outside the metadata area";
	}
	{
		uint64_t a = sb->meta_start[0], b = sb->meta_start[1];

		if ((a < b ? b - a : a - b) < sb->meta_blocks)
			return "the two metadata copies overlap";
	}
	if (sb->data_start > sb->blocks ||
	    sb->data_blocks > sb->blocks - sb->data_start || !sb->data_blocks)
		return "the data area lies outside the disk";
	return NULL;
}

/* ---- Loading the file table ---------------------------------------------- */

/*
 * Read copy @slot of the table into a fresh buffer; the header's seq in
 * *@seq. NULL when the copy is absent or damaged (@why says how).
 */
static uint8_t *ds_table_read(struct ds_vol *v, int slot, uint64_t *seq,
			      const char **why)
{
	struct ds_disk_meta h;
	uint8_t *buf = malloc(DS_BLOCK);
	uint64_t bytes, blocks;
	uint32_t crc;

	*why = "out of memory";
	if (!buf)
		return NULL;
	*why = "unreadable";
	if (ds_bread(v, v->sb.meta_start[slot], 1, buf))
		goto bad;
	memcpy(&h, buf, sizeof(h));
	*why = "empty";
	if (memcmp(h.magic, DS_META_MAGIC, 8))
		goto bad;
	*why = "from another format of this disk, or damaged";
	if (h.version != DS_VERSION || memcmp(h.uuid, v->sb.uuid, 16) ||
	    h.entry_size != sizeof(struct ds_disk_file))
		goto bad;
	*why = "more files than the metadata area holds";
	if (h.count > v->sb.files_max)
		goto bad;
	bytes = ds_table_bytes(h.count);
	blocks = (bytes + DS_BLOCK - 1) / DS_BLOCK;
	if (blocks > 1) {
		uint8_t *nb = realloc(buf, blocks * DS_BLOCK);

		*why = "out of memory";
		if (!nb)
			goto bad;
		buf = nb;
		*why = "unreadable";
		if (ds_bread(v, v->sb.meta_start[slot] + 1, blocks - 1,
			     buf + DS_BLOCK))
			goto bad;
	}
	((struct ds_disk_meta *)buf)->crc = 0;
	crc = crc32_update(0, buf, bytes);
	*why = "CRC32 mismatch (a torn or damaged write)";
	if (crc != h.crc)
		goto bad;
	*seq = h.seq;
	*why = NULL;
	return buf;
bad:
	free(buf);
	return NULL;
}

static int ds_table_decode(struct ds_vol *v, const uint8_t *buf)
{
	const struct ds_disk_meta *h = (const void *)buf;
	uint32_t n = h->count;

	v->cap = n < 16 ? 16 : n;
	v->files = calloc(v->cap, sizeof(*v->files));
	if (!v->files)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct ds_disk_file d;
		struct ds_file *f = &v->files[i];

		memcpy(&d, buf + sizeof(*h) + (size_t)i * sizeof(d), sizeof(d));
		memcpy(f->name, d.name, sizeof(f->name));
		f->name[sizeof(f->name) - 1] = 0;
		f->size = d.size;
		f->received = f->durable = d.received;
		f->state = (enum ds_state)d.state;
		f->has_digest = d.flags & DS_F_DIGEST;
		f->disk = d.flags & DS_F_DISK;
		memcpy(f->sha256, d.sha256, 32);
		f->nextents = d.nextents;
		/* Copy what fits; ds_vol_check judges the count. */
		memcpy(f->ext, d.ext,
		       sizeof(f->ext[0]) * (d.nextents < DS_EXTENTS_MAX
						? d.nextents
						: DS_EXTENTS_MAX));
		/* Names must be unique and valid; a nameless entry still
		 * needs one to be listed and deleted. ds_find searches the
		 * entries before this one. */
		v->nfiles = i;
		bool valid =
		    memchr(d.name, 0, sizeof(d.name)) && ds_name_valid(d.name);
		if (!valid || ds_find(v, f->name)) {
			snprintf(f->name, sizeof(f->name), "damaged/entry-%u",
				 i);
			f->state = DS_DAMAGED;
			f->why = valid ? "another entry has its name"
				       : "its name is not valid";
		}
	}
	v->nfiles = n;
	return 0;
}

static void ds_damage(struct ds_file *f, const char *why)
{
	if (f->state != DS_DAMAGED || !f->why) {
		f->state = DS_DAMAGED;
		f->why = why;
	}
}

/* The file's own extents: inside the data area, not wrapping. */
static bool ds_ext_ok(const struct ds_vol *v, const struct ds_disk_ext *e)
{
	uint64_t lo = v->sb.data_start, hi = lo + v->sb.data_blocks;

	return e->blocks && e->start >= lo && e->start < hi &&
	       e->blocks <= hi - e->start;
}

struct ds_owned {
	uint64_t start, end;
	uint32_t file;
};

static int ds_owned_cmp(const void *a, const void *b)
{
	const struct ds_owned *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void ds_vol_check(struct ds_vol *v)
{
	struct ds_owned *o;
	size_t n = 0;

	for (uint32_t i = 0; i < v->nfiles; i++) {
		struct ds_file *f = &v->files[i];
		uint64_t blocks = 0;

		if (f->state < DS_UPLOADING || f->state > DS_DAMAGED)
			ds_damage(f, "its state is unknown");
		else if (f->state == DS_DAMAGED && !f->why)
			f->why = "it was found damaged at an earlier mount";
		if (f->nextents > DS_EXTENTS_MAX) {
			ds_damage(f, "it has too many extents");
			f->nextents = DS_EXTENTS_MAX;
		}
		for (uint32_t e = 0; e < f->nextents; e++) {
			if (!ds_ext_ok(v, &f->ext[e])) {
				ds_damage(f, "an extent lies outside the data "
					     "area");
				continue;
			}
			blocks += f->ext[e].blocks;
		}
		if (f->size > blocks * DS_BLOCK)
			ds_damage(f, "its extents are smaller than its size");
		if (f->received > f->size)
			ds_damage(f, "more bytes received than its size");
		if (f->state == DS_UPLOADING && f->received % DS_BLOCK &&
		    f->received != f->size)
			ds_damage(f,
				  "its upload progress is not block aligned");
		if (f->disk) {
			/* A disk: complete, its mark a block multiple. */
			if (f->state != DS_COMPLETE && f->state != DS_DAMAGED)
				ds_damage(f, "a disk in an upload state");
			if (f->received % DS_BLOCK ||
			    f->received > blocks * DS_BLOCK)
				ds_damage(f, "its written mark is not sane");
		} else if (f->state == DS_COMPLETE &&
			   (f->received != f->size || !f->has_digest))
			ds_damage(f, "it is complete without all its bytes or "
				     "a digest");
	}
	/* Two files (or two extents of one) claiming a block: both are
	 * damaged, and their blocks stay reserved until they are deleted. */
	o = calloc((size_t)v->nfiles * DS_EXTENTS_MAX + 1, sizeof(*o));
	if (!o) {
		log_err("datastore: out of memory checking extents");
		return;
	}
	for (uint32_t i = 0; i < v->nfiles; i++)
		for (uint32_t e = 0; e < v->files[i].nextents; e++)
			if (ds_ext_ok(v, &v->files[i].ext[e]))
				o[n++] = (struct ds_owned){
					v->files[i].ext[e].start,
					v->files[i].ext[e].start +
					    v->files[i].ext[e].blocks,
					i
				};
	qsort(o, n, sizeof(*o), ds_owned_cmp);
	/* Sorted by start: an extent overlaps an earlier one exactly when
	 * it starts before the furthest end seen so far. */
	for (size_t i = 1, far = 0; i < n; i++) {
		if (o[i].start < o[far].end) {
			ds_damage(&v->files[o[i].file],
				  "it shares disk blocks with another file");
			ds_damage(&v->files[o[far].file],
				  "it shares disk blocks with another file");
		}
		if (o[i].end > o[far].end)
			far = i;
	}
	free(o);
}

void ds_vol_free(struct ds_vol *v)
{
	if (!v)
		return;
	free(v->files);
	free(v);
}

int ds_vol_open(struct blk_dev *dev, struct ds_vol **out, const char **why)
{
	struct ds_vol *v;
	uint8_t *blk, *tab[2];
	uint64_t seq[2] = { 0, 0 }, dev_blocks;
	const char *twhy[2];
	int rc, slot;

	*out = NULL;
	*why = NULL;
	if (dev->sector_size > DS_BLOCK || DS_BLOCK % dev->sector_size)
		return -ENOENT;
	v = calloc(1, sizeof(*v));
	blk = malloc(DS_BLOCK);
	if (!v || !blk) {
		free(v);
		free(blk);
		return -ENOMEM;
	}
	v->dev = dev;
	v->spb = DS_BLOCK / dev->sector_size;
	dev_blocks = dev->sectors / v->spb;
	rc = ds_bread(v, 0, 1, blk);
	if (rc) {
		*why = "the superblock cannot be read";
		goto fail;
	}
	memcpy(&v->sb, blk, sizeof(v->sb));
	if (memcmp(v->sb.magic, DS_SUPER_MAGIC, 8)) {
		rc = -ENOENT;
		goto fail;
	}
	*why = ds_super_check(&v->sb, dev_blocks);
	if (*why) {
		rc = -EBADMSG;
		goto fail;
	}
	tab[0] = ds_table_read(v, 0, &seq[0], &twhy[0]);
	tab[1] = ds_table_read(v, 1, &seq[1], &twhy[1]);
	if (!tab[0] && !tab[1]) {
		log_warn("datastore: %s: metadata copy A %s, copy B %s",
			 dev->name, twhy[0], twhy[1]);
		*why = "both metadata copies are damaged";
		rc = -EBADMSG;
		goto fail;
	}
	slot = !tab[0] || (tab[1] && seq[1] > seq[0]);
	/* A copy never written since format is normal: not logged. */
	if (!tab[!slot] && strcmp(twhy[!slot], "empty"))
		log_info("datastore: %s: metadata copy %c %s; using copy %c "
			 "(sequence %llu)",
			 dev->name, 'A' + !slot, twhy[!slot], 'A' + slot,
			 (unsigned long long)seq[slot]);
	v->slot = slot;
	v->seq = seq[slot];
	rc = ds_table_decode(v, tab[slot]);
	free(tab[0]);
	free(tab[1]);
	if (rc) {
		*why = "out of memory";
		goto fail;
	}
	ds_vol_check(v);
	free(blk);
	*out = v;
	return 0;
fail:
	free(blk);
	ds_vol_free(v);
	return rc;
}

/* ---- Writing the file table ---------------------------------------------- */

/*
 * How much of @f a table may record: an upload's progress only to a
 * block boundary (until all of it arrived), because the block holding
 * the end is rewritten by the next chunk and a torn rewrite must not
 * touch recorded bytes.
 */
static uint64_t ds_durable_point(const struct ds_file *f)
{
	if (f->state == DS_UPLOADING && f->received != f->size)
		return f->received / DS_BLOCK * DS_BLOCK;
	return f->received;
}

static void ds_table_encode(const struct ds_vol *v, uint8_t *buf, uint64_t seq)
{
	struct ds_disk_meta h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, DS_META_MAGIC, 8);
	h.version = DS_VERSION;
	h.count = v->nfiles;
	h.seq = seq;
	memcpy(h.uuid, v->sb.uuid, 16);
	h.entry_size = sizeof(struct ds_disk_file);
	memcpy(buf, &h, sizeof(h));
	for (uint32_t i = 0; i < v->nfiles; i++) {
		const struct ds_file *f = &v->files[i];
		struct ds_disk_file d;

		memset(&d, 0, sizeof(d));
		memcpy(d.name, f->name, sizeof(d.name));
		d.size = f->size;
		d.received = ds_durable_point(f);
		d.state = f->state;
		d.nextents = f->nextents;
		d.flags = (f->has_digest ? DS_F_DIGEST : 0) |
			  (f->disk ? DS_F_DISK : 0);
		memcpy(d.sha256, f->sha256, 32);
		memcpy(d.ext, f->ext, sizeof(d.ext[0]) * f->nextents);
		memcpy(buf + sizeof(h) + (size_t)i * sizeof(d), &d, sizeof(d));
	}
	((struct ds_disk_meta *)buf)->crc =
	    crc32_update(0, buf, ds_table_bytes(v->nfiles));
}

int ds_commit(struct ds_vol *v)
{
	uint64_t bytes = ds_table_bytes(v->nfiles);
	uint32_t blocks = (uint32_t)((bytes + DS_BLOCK - 1) / DS_BLOCK);
	uint8_t *buf = calloc(blocks, DS_BLOCK);
	int next = !v->slot, rc;

	if (!buf)
		return -ENOMEM;
	/* 1. The data the new table names is durable first. */
	rc = blk_flush(v->dev);
	if (!rc) {
		ds_table_encode(v, buf, v->seq + 1);
		/* 2. The older copy, then 3. the flush that commits. */
		rc = ds_bwrite(v, v->sb.meta_start[next], blocks, buf);
	}
	if (!rc)
		rc = blk_flush(v->dev);
	free(buf);
	if (rc) {
		log_err("datastore: %s: metadata write failed (%d)",
			v->dev->name, rc);
		return -EIO;
	}
	v->slot = next;
	v->seq++;
	for (uint32_t i = 0; i < v->nfiles; i++) {
		struct ds_file *f = &v->files[i];

		f->durable = ds_durable_point(f);
	}
	return 0;
}

int ds_meta_format(struct blk_dev *dev, const struct ds_disk_super *sb)
{
	struct ds_vol v = { .dev = dev,
			    .sb = *sb,
			    .spb = DS_BLOCK / dev->sector_size };
	uint8_t *buf = calloc(1, DS_BLOCK);
	int rc;

	if (!buf)
		return -ENOMEM;
	/* Copy B: nothing valid (an old table there has another UUID
	 * anyway). Copy A: empty, sequence 1. */
	rc = ds_bwrite(&v, sb->meta_start[1], 1, buf);
	if (!rc) {
		ds_table_encode(&v, buf, 1);
		rc = ds_bwrite(&v, sb->meta_start[0], 1, buf);
	}
	free(buf);
	return rc;
}
