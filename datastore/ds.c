// SPDX-License-Identifier: MIT
/*
 * The mounted datastore (datastore/ds.h, docs/datastore.md): the lock,
 * finding the datastore disk at boot, and the calls that read the file
 * table or remove from it. Uploads are in ds_upload.c, format and the
 * disk list in ds_format.c, the on-disk format in ds_meta.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "datastore/ds_int.h"
#include "drivers/blk.h"

#ifndef KEEL_HOST_TEST
#include "core/init.h"
#include "core/thread.h"
#include "core/time.h"
#endif

struct ds_vol *ds_vol;

/* ---- The lock: one sleeping mutex around the volume -----------------------
 */

#ifndef KEEL_HOST_TEST
static struct spinlock ds_sl = SPINLOCK_INIT;
static struct waitq ds_wq = WAITQ_INIT;
static struct thread *ds_owner;

static bool ds_lock_free(void *arg)
{
	(void)arg;
	return __atomic_load_n(&ds_owner, __ATOMIC_ACQUIRE) == NULL;
}

void ds_lock(void)
{
	for (;;) {
		uint64_t flags = spin_lock_irqsave(&ds_sl);

		if (!ds_owner) {
			ds_owner = thread_current();
			spin_unlock_irqrestore(&ds_sl, flags);
			return;
		}
		spin_unlock_irqrestore(&ds_sl, flags);
		waitq_wait(&ds_wq, ds_lock_free, NULL);
	}
}

void ds_unlock(void)
{
	uint64_t flags = spin_lock_irqsave(&ds_sl);

	__atomic_store_n(&ds_owner, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&ds_sl, flags);
	waitq_wake_all(&ds_wq);
}
#else
/* Host tests are single-threaded; the count catches a missing unlock. */
static int ds_lock_depth;

void ds_lock(void)
{
	ds_lock_depth++;
}

void ds_unlock(void)
{
	ds_lock_depth--;
}
#endif

/* ---- Names and lookups --------------------------------------------------- */

bool ds_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0, part = 0;

	if (!len || len >= DS_NAME_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '/' || !c) {
			/* Empty, "." and ".." parts are refused. */
			if (!part || (part == 1 && name[i - 1] == '.') ||
			    (part == 2 && name[i - 1] == '.' &&
			     name[i - 2] == '.'))
				return false;
			part = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
		part++;
	}
	return true;
}

struct ds_file *ds_find(struct ds_vol *v, const char *name)
{
	for (uint32_t i = 0; i < v->nfiles; i++)
		if (!strcmp(v->files[i].name, name))
			return &v->files[i];
	return NULL;
}

int ds_lookup(const char *name, struct ds_file **f)
{
	if (!ds_vol)
		return -ENODEV;
	*f = ds_find(ds_vol, name);
	return *f ? 0 : -ENOENT;
}

void ds_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = 0;
}

void ds_uuid_str(const uint8_t u[16], char out[37])
{
	char h[33];

	ds_hex(u, 16, h);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
		 h + 20);
}

void ds_file_info_fill(const struct ds_file *f, struct ds_file_info *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->name, f->name, sizeof(out->name));
	out->size = f->size;
	out->received = f->received;
	out->state = f->state;
	out->complete = f->state == DS_COMPLETE;
	out->verifying = f->verifying;
	/* Uploads and failed files: the digest the upload began with. */
	out->has_expected =
	    (f->state == DS_UPLOADING || f->state == DS_FAILED) &&
	    f->has_digest;
	if (f->has_digest)
		memcpy(out->sha256, f->sha256, 32);
	out->why = f->why;
	out->disk = f->disk;
	out->in_use = f->open;
}

/* ---- Queries ------------------------------------------------------------- */

int ds_status(struct ds_status *out)
{
	memset(out, 0, sizeof(*out));
	ds_lock();
	if (ds_vol) {
		struct ds_vol *v = ds_vol;

		out->mounted = true;
		snprintf(out->disk, sizeof(out->disk), "%s", v->dev->name);
		memcpy(out->label, v->sb.label, sizeof(out->label));
		ds_uuid_str(v->sb.uuid, out->uuid);
		out->capacity = v->sb.data_blocks * DS_BLOCK;
		out->free = (v->sb.data_blocks - ds_used_blocks(v)) * DS_BLOCK;
		out->files = v->nfiles;
		out->files_max = v->sb.files_max;
	}
	ds_unlock();
	return 0;
}

static int ds_info_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ds_file_info *)a)->name,
		      ((const struct ds_file_info *)b)->name);
}

int ds_list(struct ds_file_info *out, size_t max)
{
	struct ds_file_info *all;
	uint32_t n;

	ds_lock();
	if (!ds_vol) {
		ds_unlock();
		return -ENODEV;
	}
	n = ds_vol->nfiles;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all) {
		ds_unlock();
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		ds_file_info_fill(&ds_vol->files[i], &all[i]);
	ds_unlock();
	qsort(all, n, sizeof(*all), ds_info_cmp);
	if (out && max)
		memcpy(out, all, sizeof(*all) * (n < max ? n : max));
	free(all);
	return (int)n;
}

int ds_stat(const char *name, struct ds_file_info *out)
{
	struct ds_file *f;
	int rc = 0;

	if (!ds_name_valid(name))
		return -EINVAL;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (!rc)
		ds_file_info_fill(f, out);
	ds_unlock();
	return rc;
}

/* Read [off, off + len) of @f, inside its size; partial blocks through
 * a bounce block. */
static int ds_read_locked(struct ds_vol *v, struct ds_file *f, uint64_t off,
			  uint8_t *buf, size_t len)
{
	uint8_t *bb = NULL;
	int rc = 0;

	while (len && !rc) {
		uint64_t fb = off / DS_BLOCK;
		size_t in = off % DS_BLOCK;

		if (in || len < DS_BLOCK) {
			size_t take = DS_BLOCK - in < len ? DS_BLOCK - in : len;

			if (!bb && !(bb = malloc(DS_BLOCK)))
				return -ENOMEM;
			rc = ds_file_io(v, f->ext, f->nextents, fb, 1, bb,
					false);
			memcpy(buf, bb + in, take);
			buf += take;
			off += take;
			len -= take;
		} else {
			/* Whole blocks straight into the caller's buffer, at
			 * most 16 MiB per request. */
			uint64_t n = len / DS_BLOCK;

			if (n > 4096)
				n = 4096;
			rc = ds_file_io(v, f->ext, f->nextents, fb, (uint32_t)n,
					buf, false);
			buf += n * DS_BLOCK;
			off += n * DS_BLOCK;
			len -= n * DS_BLOCK;
		}
	}
	free(bb);
	return rc;
}

long ds_read(const char *name, uint64_t off, void *buf, size_t len)
{
	struct ds_file *f;
	long rc;

	if (!ds_name_valid(name) || (!buf && len))
		return -EINVAL;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (rc) {
		/* no datastore or no such file */
	} else if (f->state == DS_UPLOADING) {
		rc = -EBUSY;
	} else if (f->state != DS_COMPLETE) {
		rc = -EIO;
	} else if (off > f->size) {
		rc = -EINVAL;
	} else {
		if (len > f->size - off)
			len = (size_t)(f->size - off);
		if (len > (size_t)0x7fffffff)
			len = 0x7fffffff; /* the return value is a long */
		rc = f->disk ? ds_disk_read_locked(ds_vol, f, off, buf, len)
			     : ds_read_locked(ds_vol, f, off, buf, len);
		if (!rc)
			rc = (long)len;
		else
			log_err("datastore: reading %s at %llu: error %ld",
				name, (unsigned long long)off, rc);
	}
	ds_unlock();
	return rc;
}

int ds_delete(const char *name)
{
	struct ds_file *f, saved;
	uint32_t i;
	int rc;

	if (!ds_name_valid(name))
		return -EINVAL;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (rc)
		goto out;
	if (ds_file_busy(f)) {
		rc = -EBUSY;
		goto out;
	}
	i = (uint32_t)(f - ds_vol->files);
	saved = *f;
	memmove(f, f + 1, (ds_vol->nfiles - i - 1) * sizeof(*f));
	ds_vol->nfiles--;
	rc = ds_commit(ds_vol);
	if (rc) {
		/* Not recorded: the file stays, as the disk still says. */
		memmove(&ds_vol->files[i + 1], &ds_vol->files[i],
			(ds_vol->nfiles - i) * sizeof(*f));
		ds_vol->files[i] = saved;
		ds_vol->nfiles++;
	} else {
		log_info("datastore: deleted %s (%llu bytes)", name,
			 (unsigned long long)saved.size);
	}
out:
	ds_unlock();
	return rc;
}

/* ---- Mounting ------------------------------------------------------------ */

void ds_unmount_locked(void)
{
	ds_vol_free(ds_vol);
	ds_vol = NULL;
}

/* Log what a mount found: one line for the volume, one per file that is
 * not simply complete. */
static void ds_log_mounted(const struct ds_vol *v)
{
	uint64_t used = ds_used_blocks(v);
	char uuid[37];

	ds_uuid_str(v->sb.uuid, uuid);
	log_info(
	    "datastore: mounted \"%s\" on %s (uuid %s): %u file(s), "
	    "%llu MiB free of %llu MiB; metadata copy %c, sequence %llu",
	    v->sb.label, v->dev->name, uuid, v->nfiles,
	    (unsigned long long)((v->sb.data_blocks - used) * DS_BLOCK >> 20),
	    (unsigned long long)(v->sb.data_blocks * DS_BLOCK >> 20),
	    'A' + v->slot, (unsigned long long)v->seq);
	for (uint32_t i = 0; i < v->nfiles; i++) {
		const struct ds_file *f = &v->files[i];

		if (f->state == DS_UPLOADING)
			log_info("datastore: %s: upload in progress, %llu of "
				 "%llu bytes stored (resume from there)",
				 f->name, (unsigned long long)f->received,
				 (unsigned long long)f->size);
		else if (f->state == DS_FAILED)
			log_warn("datastore: %s: failed its SHA-256 check; "
				 "delete it and upload it again",
				 f->name);
		else if (f->state == DS_DAMAGED)
			log_warn("datastore: %s: damaged (%s); it cannot be "
				 "read, delete it",
				 f->name, f->why);
	}
}

int ds_mount_dev(struct blk_dev *dev, const char **why)
{
	struct ds_vol *v;
	int rc;

	rc = ds_vol_open(dev, &v, why);
	if (rc)
		return rc;
	ds_lock();
	if (ds_vol) {
		ds_unlock();
		ds_vol_free(v);
		return -EBUSY;
	}
	ds_vol = v;
	ds_log_mounted(v);
	ds_unlock();
	return 0;
}

int ds_unmount(void)
{
	int rc = 0;

	ds_lock();
	if (ds_vol && (ds_vol->verifying || ds_vol->open))
		rc = -EBUSY;
	else
		ds_unmount_locked();
	ds_unlock();
	return rc;
}

/*
 * One pass over the whole disks that could hold a datastore: mount the
 * first with a valid signature. @seen counts disks already examined
 * (registration order), so a later pass only looks at new ones.
 */
int ds_scan(size_t *seen)
{
	struct blk_dev *d = NULL;
	size_t i = 0;
	int found = 0;

	while ((d = blk_next(d))) {
		const char *why = NULL, *bad;
		int rc;

		if (d->parent || i++ < *seen)
			continue;
		(*seen)++;
		bad = ds_disk_unusable(d);
		if (bad)
			continue;
		if (ds_vol) {
			struct ds_vol *other;

			if (!ds_vol_open(d, &other, &why)) {
				log_warn("datastore: %s also holds a datastore "
					 "(\"%s\"); ignored, the datastore is "
					 "on %s",
					 d->name, other->sb.label,
					 ds_vol->dev->name);
				ds_vol_free(other);
			}
			continue;
		}
		rc = ds_mount_dev(d, &why);
		if (!rc) {
			found = 1;
		} else if (rc == -ENOENT) {
			log_info(
			    "datastore: %s (%llu MiB): no datastore", d->name,
			    (unsigned long long)(d->sectors * d->sector_size >>
						 20));
		} else {
			log_err("datastore: %s: a datastore that cannot be "
				"mounted: %s",
				d->name, why ? why : "I/O error");
		}
	}
	return found;
}

#ifndef KEEL_HOST_TEST
/* AHCI, NVMe and virtio-blk disks register at PCI probe, before
 * INIT_LATE; a few seconds more cover a slow controller. */
#define DS_BOOT_WAIT_NS (3 * NSEC_PER_SEC)

static bool ds_ready, ds_search_claimed;
static struct waitq ds_ready_wq = WAITQ_INIT;

static bool ds_is_ready(void *arg)
{
	(void)arg;
	return __atomic_load_n(&ds_ready, __ATOMIC_ACQUIRE);
}

/* The boot-time search: once, by the boot thread or by the first caller
 * of ds_wait_ready, whichever comes first (in self-test mode the boot
 * thread never starts: INIT_LATE stops at the self-tests). */
static void ds_search(void)
{
	uint64_t t0 = time_ns();
	size_t seen = 0;

	if (__atomic_exchange_n(&ds_search_claimed, true, __ATOMIC_ACQ_REL))
		return;
	while (!ds_scan(&seen) && time_ns() - t0 < DS_BOOT_WAIT_NS)
		thread_sleep_ns(200 * NSEC_PER_MSEC);
	if (!ds_vol)
		log_info("datastore: none found on %zu disk(s); "
			 "datastore.format makes one",
			 seen);
	__atomic_store_n(&ds_ready, true, __ATOMIC_RELEASE);
	waitq_wake_all(&ds_ready_wq);
}

bool ds_wait_ready(uint64_t timeout_ns)
{
	ds_search();
	return waitq_wait_timeout(&ds_ready_wq, ds_is_ready, NULL, timeout_ns);
}

static void ds_boot_thread(void *arg)
{
	(void)arg;
	ds_search();
}

static void ds_boot(void)
{
	if (!thread_create("datastore", ds_boot_thread, NULL, NULL))
		log_err("datastore: cannot start the mount thread; the first "
			"datastore call will search for the disk");
}
KEEL_INIT(INIT_LATE, ds_boot);
#else
bool ds_wait_ready(uint64_t timeout_ns)
{
	(void)timeout_ns;
	return true;
}
#endif
