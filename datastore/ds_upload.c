// SPDX-License-Identifier: MIT
/*
 * Uploads into the datastore (datastore/ds.h, docs/datastore.md
 * "Uploads"): chunked, resumable across lost connections and host
 * reboots, and verified. Begin reserves every block the file needs and
 * commits the entry; chunks append at the received count; progress is
 * committed (data flushed first) each time DS_PERSIST_BYTES more are
 * stored; finish reads the stored bytes back, hashes them and commits
 * the file as complete only when the SHA-256 matches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "core/log.h"
#include "datastore/ds_int.h"
#include "drivers/blk.h"

uint32_t ds_persist_bytes = DS_PERSIST_BYTES;

/* Blocks read per step while hashing (the lock is dropped meanwhile). */
#define DS_HASH_STEP 256

static bool ds_same_upload(const struct ds_file *f, uint64_t size,
			   const uint8_t *sha)
{
	if (f->size != size)
		return false;
	if (sha)
		return f->has_digest && !memcmp(f->sha256, sha, 32);
	/* No digest given: only an upload that had none either. */
	return f->state == DS_UPLOADING && !f->has_digest;
}

/* Room for one more entry. */
static int ds_grow(struct ds_vol *v)
{
	struct ds_file *nf;
	uint32_t cap;

	if (v->nfiles < v->cap)
		return 0;
	cap = v->cap ? v->cap * 2 : 16;
	nf = realloc(v->files, cap * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	v->files = nf;
	v->cap = cap;
	return 0;
}

int ds_upload_begin(const char *name, uint64_t size, const uint8_t *sha256,
		    bool overwrite, uint64_t *received)
{
	struct ds_vol *v;
	struct ds_file *f, old, nf;
	bool replacing = false;
	uint32_t at = 0;
	int rc;

	*received = 0;
	if (!ds_name_valid(name))
		return -EINVAL;
	ds_lock();
	v = ds_vol;
	if (!v) {
		rc = -ENODEV;
		goto out;
	}
	f = ds_find(v, name);
	if (f) {
		if (ds_file_busy(f)) {
			rc = -EBUSY;
			goto out;
		}
		if ((f->state == DS_UPLOADING || f->state == DS_COMPLETE) &&
		    ds_same_upload(f, size, sha256)) {
			/* Resume, or the same file already stored. */
			*received = f->received;
			rc = 0;
			goto out;
		}
		if (!overwrite) {
			rc = -EEXIST;
			goto out;
		}
		/* Replaced in the same commit that adds the new entry. */
		at = (uint32_t)(f - v->files);
		old = *f;
		memmove(f, f + 1, (v->nfiles - at - 1) * sizeof(*f));
		v->nfiles--;
		replacing = true;
	}
	rc = -ENOSPC;
	if (v->nfiles >= v->sb.files_max || size > v->sb.data_blocks * DS_BLOCK)
		goto undo;
	memset(&nf, 0, sizeof(nf));
	memcpy(nf.name, name, strlen(name) + 1);
	nf.size = size;
	nf.state = DS_UPLOADING;
	if (sha256) {
		nf.has_digest = true;
		memcpy(nf.sha256, sha256, 32);
	}
	rc = ds_alloc(v, (size + DS_BLOCK - 1) / DS_BLOCK, &nf);
	if (rc)
		goto undo;
	rc = ds_grow(v);
	if (rc)
		goto undo;
	v->files[v->nfiles++] = nf;
	rc = ds_commit(v);
	if (rc) {
		v->nfiles--;
		goto undo;
	}
	log_info("datastore: upload of %s started: %llu bytes reserved in %u "
		 "extent(s)%s",
		 name, (unsigned long long)size, nf.nextents,
		 replacing ? ", replacing the old file" : "");
	goto out;
undo:
	if (replacing) {
		/* ds_grow is not needed: the entry's slot was just freed. */
		memmove(&v->files[at + 1], &v->files[at],
			(v->nfiles - at) * sizeof(old));
		v->files[at] = old;
		v->nfiles++;
	}
out:
	ds_unlock();
	return rc;
}

/*
 * Write @n bytes at byte @pos of @f, @pos being its received count:
 * the block holding @pos is read, merged and rewritten when @pos is not
 * on a boundary; whole blocks go straight from @data; a last partial
 * block is padded with zeros.
 */
static int ds_append(struct ds_vol *v, struct ds_file *f, uint64_t pos,
		     const uint8_t *data, size_t n)
{
	uint8_t *bb = NULL;
	int rc = 0;

	while (n && !rc) {
		uint64_t fb = pos / DS_BLOCK;
		size_t in = pos % DS_BLOCK;

		if (in || n < DS_BLOCK) {
			size_t take = DS_BLOCK - in < n ? DS_BLOCK - in : n;

			if (!bb && !(bb = calloc(1, DS_BLOCK)))
				return -ENOMEM;
			if (in)
				rc = ds_file_io(v, f->ext, f->nextents, fb, 1,
						bb, false);
			else
				memset(bb, 0, DS_BLOCK);
			if (rc)
				break;
			memcpy(bb + in, data, take);
			rc =
			    ds_file_io(v, f->ext, f->nextents, fb, 1, bb, true);
			pos += take;
			data += take;
			n -= take;
		} else {
			uint64_t blocks = n / DS_BLOCK;

			if (blocks > 4096)
				blocks = 4096;
			rc = ds_file_io(v, f->ext, f->nextents, fb,
					(uint32_t)blocks, (void *)data, true);
			pos += blocks * DS_BLOCK;
			data += blocks * DS_BLOCK;
			n -= blocks * DS_BLOCK;
		}
	}
	free(bb);
	return rc;
}

int ds_upload_write(const char *name, uint64_t off, const void *buf, size_t len,
		    uint64_t *received)
{
	struct ds_vol *v;
	struct ds_file *f;
	uint64_t skip;
	int rc = 0;

	*received = 0;
	if (!ds_name_valid(name) || (!buf && len))
		return -EINVAL;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (rc)
		goto out;
	v = ds_vol;
	*received = f->received;
	if (f->state == DS_COMPLETE) {
		rc = -EALREADY;
		goto out;
	}
	if (f->state != DS_UPLOADING) {
		rc = -EPERM;
		goto out;
	}
	if (off > f->received) {
		rc = -ESPIPE;
		goto out;
	}
	if (len > f->size - off) {
		rc = -EINVAL;
		goto out;
	}
	skip = f->received - off;
	if (skip >= len)
		goto out; /* all stored already: accepted as it is */
	if (f->verifying) {
		rc = -EBUSY;
		goto out;
	}
	rc = ds_append(v, f, f->received, (const uint8_t *)buf + skip,
		       len - skip);
	if (rc) {
		log_err("datastore: %s: writing at %llu failed (%d)", name,
			(unsigned long long)f->received, rc);
		rc = -EIO;
		goto out;
	}
	f->received += len - skip;
	*received = f->received;
	if (f->received / DS_BLOCK * DS_BLOCK - f->durable >= ds_persist_bytes)
		rc = ds_commit(v);
out:
	ds_unlock();
	return rc;
}

/* SHA-256 of the first @size bytes stored in @ext (no lock held: the
 * file is marked verifying, so nothing changes or frees its blocks). */
static int ds_hash_stored(struct ds_vol *v, const struct ds_disk_ext *ext,
			  uint32_t next, uint64_t size, uint8_t out[32])
{
	uint8_t *buf = malloc((size_t)DS_HASH_STEP * DS_BLOCK);
	mbedtls_sha256_context c;
	uint64_t blocks = (size + DS_BLOCK - 1) / DS_BLOCK, fb = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	while (fb < blocks && !rc) {
		uint32_t n = blocks - fb < DS_HASH_STEP
				 ? (uint32_t)(blocks - fb)
				 : DS_HASH_STEP;
		uint64_t bytes = (uint64_t)n * DS_BLOCK;

		rc = ds_file_io(v, ext, next, fb, n, buf, false);
		if (rc)
			break;
		if (bytes > size - fb * DS_BLOCK)
			bytes = size - fb * DS_BLOCK;
		mbedtls_sha256_update_ret(&c, buf, (size_t)bytes);
		fb += n;
	}
	if (!rc)
		mbedtls_sha256_finish_ret(&c, out);
	mbedtls_sha256_free(&c);
	free(buf);
	return rc;
}

int ds_upload_finish(const char *name, uint8_t sha256_out[32])
{
	struct ds_disk_ext ext[DS_EXTENTS_MAX];
	struct ds_vol *v;
	struct ds_file *f, saved;
	uint8_t digest[32];
	uint64_t size;
	uint32_t next;
	int rc;

	if (!ds_name_valid(name))
		return -EINVAL;
	ds_lock();
	rc = ds_lookup(name, &f);
	if (rc)
		goto out;
	v = ds_vol;
	if (f->state == DS_COMPLETE) {
		if (sha256_out)
			memcpy(sha256_out, f->sha256, 32);
		rc = -EALREADY;
		goto out;
	}
	if (f->state != DS_UPLOADING) {
		rc = -EPERM;
		goto out;
	}
	if (f->verifying) {
		rc = -EBUSY;
		goto out;
	}
	if (f->received != f->size) {
		rc = -EAGAIN;
		goto out;
	}
	f->verifying = true;
	v->verifying++;
	memcpy(ext, f->ext, sizeof(ext));
	next = f->nextents;
	size = f->size;
	ds_unlock();

	rc = ds_hash_stored(v, ext, next, size, digest);

	ds_lock();
	f = ds_find(v, name); /* the array may have moved meanwhile */
	f->verifying = false;
	v->verifying--;
	if (rc) {
		log_err("datastore: %s: reading it back for the SHA-256 failed "
			"(%d)",
			name, rc);
		rc = -EIO;
		goto out;
	}
	if (sha256_out)
		memcpy(sha256_out, digest, 32);
	saved = *f;
	if (f->has_digest && memcmp(f->sha256, digest, 32)) {
		char want[65], got[65];

		ds_hex(f->sha256, 32, want);
		ds_hex(digest, 32, got);
		log_warn("datastore: %s: SHA-256 of the stored bytes is %s, "
			 "expected %s; marked failed",
			 name, got, want);
		/* It keeps the expected digest: what it should have been. */
		f->state = DS_FAILED;
		f->why = "the SHA-256 of its bytes is not the expected one";
		rc = ds_commit(v);
		if (rc)
			*f = saved; /* as the disk still says */
		rc = rc ? rc : -EBADMSG;
		goto out;
	}
	f->state = DS_COMPLETE;
	f->has_digest = true;
	memcpy(f->sha256, digest, 32);
	rc = ds_commit(v);
	if (rc) {
		*f = saved;
		goto out;
	}
	{
		char hex[65];

		ds_hex(digest, 32, hex);
		log_info("datastore: %s complete: %llu bytes, SHA-256 %s", name,
			 (unsigned long long)size, hex);
	}
out:
	ds_unlock();
	return rc;
}
