// SPDX-License-Identifier: MIT
/*
 * Virtual disks in the datastore (datastore/ds.h, docs/datastore.md
 * "Virtual disks"): files VMs write in place through virtio-blk.
 *
 * A disk reserves all its blocks at creation but writes none of them.
 * Its entry's `received` is a high-water mark instead: every block below
 * it belongs to the disk (written by the guest, or zeroed by us), every
 * block at or above it reads as zeros whatever the disk holds there
 * (another file's old bytes, after a delete). A write beyond the mark
 * first zeroes the gap between the mark and the write, then writes, and
 * only then moves the mark in memory; ds_flush commits the moved mark,
 * and ds_commit flushes the data first (rule 1 of "Crash safety"), so a
 * table never records a mark over blocks that are not yet the disk's.
 * A power cut before the commit loses the move: the blocks above the old
 * mark read as zeros again, which is what a disk may do with writes that
 * were never flushed.
 *
 * Every call holds the datastore lock across its I/O: one host disk
 * carries all of it anyway, and the lock makes the mark, the
 * read-merge-write of partial blocks and a concurrent delete simple.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "datastore/ds_int.h"
#include "drivers/blk.h"

/* Zeroing the gap below a write: this many blocks per device write. */
#define DS_ZERO_BLOCKS 16

struct ds_disk {
	struct ds_vol *vol; /* the volume it was opened on */
	char name[DS_NAME_MAX];
	uint64_t size;
};

/* Under the lock: the open disk's file (its entry may have moved in the
 * table since, so it is found by name). */
static struct ds_file *ds_disk_file(struct ds_disk *d)
{
	if (ds_vol != d->vol)
		return NULL; /* cannot happen: unmount refuses open disks */
	return ds_find(d->vol, d->name);
}

int ds_create_disk(const char *name, uint64_t size)
{
	struct ds_vol *v;
	struct ds_file nf;
	int rc;

	if (!ds_name_valid(name) || !size || size % DS_BLOCK)
		return -EINVAL;
	ds_lock();
	v = ds_vol;
	rc = -ENODEV;
	if (!v)
		goto out;
	rc = -EEXIST;
	if (ds_find(v, name))
		goto out;
	rc = -ENOSPC;
	if (v->nfiles >= v->sb.files_max || size > v->sb.data_blocks * DS_BLOCK)
		goto out;
	memset(&nf, 0, sizeof(nf));
	memcpy(nf.name, name, strlen(name) + 1);
	nf.size = size;
	nf.state = DS_COMPLETE;
	nf.disk = true;
	rc = ds_alloc(v, size / DS_BLOCK, &nf);
	if (rc)
		goto out;
	if (v->nfiles >= v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 16;
		struct ds_file *n = realloc(v->files, cap * sizeof(*n));

		rc = -ENOMEM;
		if (!n)
			goto out;
		v->files = n;
		v->cap = cap;
	}
	v->files[v->nfiles++] = nf;
	rc = ds_commit(v);
	if (rc) {
		v->nfiles--;
		goto out;
	}
	log_info("datastore: disk %s created: %llu MiB in %u extent(s)", name,
		 (unsigned long long)(size >> 20), nf.nextents);
out:
	ds_unlock();
	return rc;
}

int ds_disk_open(const char *name, struct ds_disk **out)
{
	struct ds_disk *d;
	struct ds_file *f;
	int rc;

	*out = NULL;
	if (!ds_name_valid(name))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (!rc && !f->disk)
		rc = -ENOTSUP;
	else if (!rc && f->state != DS_COMPLETE)
		rc = -EIO;
	else if (!rc && f->open)
		rc = -EBUSY;
	if (!rc) {
		f->open = true;
		ds_vol->open++;
		d->vol = ds_vol;
		memcpy(d->name, f->name, sizeof(d->name));
		d->size = f->size;
		*out = d;
	}
	ds_unlock();
	if (rc)
		free(d);
	return rc;
}

uint64_t ds_disk_size(const struct ds_disk *d)
{
	return d->size;
}

/* Under the lock: commit a moved mark, else just flush the device. */
static int ds_flush_locked(struct ds_disk *d)
{
	struct ds_file *f = ds_disk_file(d);

	if (!f)
		return -EIO;
	if (f->durable != f->received)
		return ds_commit(d->vol);
	return blk_flush(d->vol->dev) ? -EIO : 0;
}

void ds_disk_close(struct ds_disk *d)
{
	struct ds_file *f;

	if (!d)
		return;
	ds_lock();
	f = ds_disk_file(d);
	if (f) {
		if (ds_flush_locked(d))
			log_err("datastore: disk %s: flush at close failed",
				d->name);
		f->open = false;
		d->vol->open--;
	}
	ds_unlock();
	free(d);
}

static bool ds_disk_range_ok(const struct ds_disk *d, uint64_t off,
			     uint64_t len)
{
	return off <= d->size && len <= d->size - off;
}

int ds_disk_read_locked(struct ds_vol *v, const struct ds_file *f,
			uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf, *bb = NULL;
	uint64_t mark = f->received;
	int rc = 0;

	while (len && !rc) {
		uint64_t fb = off / DS_BLOCK;
		size_t in = off % DS_BLOCK, take;

		if (off >= mark) {
			/* Never written: zeros, whatever the blocks hold. */
			memset(p, 0, len);
			break;
		}
		if (in || len < DS_BLOCK) {
			take = DS_BLOCK - in < len ? DS_BLOCK - in : len;
			if (!bb && !(bb = malloc(DS_BLOCK)))
				return -ENOMEM;
			rc = ds_file_io(v, f->ext, f->nextents, fb, 1, bb,
					false);
			memcpy(p, bb + in, take);
		} else {
			/* Whole blocks below the mark, 1 MiB at a time. */
			uint64_t n = len / DS_BLOCK, below = (mark - off) /
							     DS_BLOCK;

			if (n > below)
				n = below;
			if (n > 256)
				n = 256;
			take = n * DS_BLOCK;
			rc = ds_file_io(v, f->ext, f->nextents, fb, (uint32_t)n,
					p, false);
		}
		p += take;
		off += take;
		len -= take;
	}
	free(bb);
	return rc;
}

int ds_pread(struct ds_disk *d, uint64_t off, void *buf, size_t len)
{
	struct ds_file *f;
	int rc;

	if (!ds_disk_range_ok(d, off, len) || (!buf && len))
		return -EINVAL;
	ds_lock();
	f = ds_disk_file(d);
	rc = f ? ds_disk_read_locked(d->vol, f, off, buf, len) : -EIO;
	ds_unlock();
	return rc;
}

/* Zero file blocks [from, to) of @f. */
static int ds_disk_zero(struct ds_vol *v, const struct ds_file *f,
			uint64_t from, uint64_t to)
{
	uint8_t *z = calloc(DS_ZERO_BLOCKS, DS_BLOCK);
	int rc = 0;

	if (!z)
		return -ENOMEM;
	while (from < to && !rc) {
		uint64_t n = to - from < DS_ZERO_BLOCKS ? to - from
							: DS_ZERO_BLOCKS;

		rc = ds_file_io(v, f->ext, f->nextents, from, (uint32_t)n, z,
				true);
		from += n;
	}
	free(z);
	return rc;
}

/* Write [off, off + len) of @f; partial blocks are merged with what the
 * disk holds, or with zeros above the mark. */
static int ds_disk_write_locked(struct ds_vol *v, const struct ds_file *f,
				uint64_t off, const uint8_t *p, size_t len)
{
	uint8_t *bb = NULL;
	int rc = 0;

	while (len && !rc) {
		uint64_t fb = off / DS_BLOCK;
		size_t in = off % DS_BLOCK, take;

		if (in || len < DS_BLOCK) {
			take = DS_BLOCK - in < len ? DS_BLOCK - in : len;
			if (!bb && !(bb = malloc(DS_BLOCK)))
				return -ENOMEM;
			if (fb * DS_BLOCK < f->received)
				rc = ds_file_io(v, f->ext, f->nextents, fb, 1,
						bb, false);
			else
				memset(bb, 0, DS_BLOCK);
			memcpy(bb + in, p, take);
			if (!rc)
				rc = ds_file_io(v, f->ext, f->nextents, fb, 1,
						bb, true);
		} else {
			uint64_t n = len / DS_BLOCK;

			if (n > 256)
				n = 256;
			take = n * DS_BLOCK;
			rc = ds_file_io(v, f->ext, f->nextents, fb, (uint32_t)n,
					(void *)p, true);
		}
		p += take;
		off += take;
		len -= take;
	}
	free(bb);
	return rc;
}

int ds_pwrite(struct ds_disk *d, uint64_t off, const void *buf, size_t len)
{
	struct ds_file *f;
	uint64_t end = off + len;
	int rc;

	if (!ds_disk_range_ok(d, off, len) || (!buf && len))
		return -EINVAL;
	ds_lock();
	f = ds_disk_file(d);
	rc = f ? 0 : -EIO;
	/* Beyond the mark: the gap below the write becomes the disk's
	 * (zeros) before the mark may pass it. */
	if (!rc && len && off / DS_BLOCK * DS_BLOCK > f->received)
		rc = ds_disk_zero(d->vol, f, f->received / DS_BLOCK,
				  off / DS_BLOCK);
	if (!rc)
		rc = ds_disk_write_locked(d->vol, f, off, buf, len);
	if (!rc && len) {
		uint64_t top = (end + DS_BLOCK - 1) / DS_BLOCK * DS_BLOCK;

		if (top > f->received)
			f->received = top; /* committed by the next flush */
	}
	ds_unlock();
	if (rc)
		log_err("datastore: disk %s: write of %zu bytes at %llu "
			"failed (%d)",
			d->name, len, (unsigned long long)off, rc);
	return rc ? -EIO : 0;
}

int ds_flush(struct ds_disk *d)
{
	int rc;

	ds_lock();
	rc = ds_flush_locked(d);
	ds_unlock();
	return rc;
}

int ds_discard(struct ds_disk *d, uint64_t off, uint64_t len)
{
	/* drivers/blk.h has no discard, and the bytes are the disk's own:
	 * nothing to hide, nothing to do. */
	return ds_disk_range_ok(d, off, len) ? 0 : -EINVAL;
}
