// SPDX-License-Identifier: MIT
/*
 * The datastore.* methods (docs/api.md) over datastore/ds.h:
 * list, disks, format, upload (chunked and resumable: the answer's
 * `received` is where the next chunk goes, also after a lost connection
 * or a host reboot), upload.status, download and delete. File data
 * travels as base64 (RFC 4648 section 4), at most RPC_DS_CHUNK bytes
 * decoded per call so a request stays under the endpoint's 2 MiB body
 * limit. Every error says what to do next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "datastore/ds.h"
#include "mgmt/rpc.h"
#include "store/store.h"

#define RPC_DS_CHUNK (1u << 20)
/* Base64 of RPC_DS_CHUNK bytes: 4 characters per 3 bytes, padded. */
#define RPC_DS_CHUNK_B64 ((RPC_DS_CHUNK + 2) / 3 * 4)
/* The boot-time search for the datastore disk takes a few seconds. */
#define RPC_DS_READY_NS (5000000000ull)
/* datastore.create: the largest disk (1 TiB); a datastore limits it further. */
#define RPC_DS_DISK_MAX_MB (1024 * 1024)

static const char *const rpc_ds_state_names[] = {
	[DS_UPLOADING] = "uploading",
	[DS_COMPLETE] = "complete",
	[DS_FAILED] = "failed",
	[DS_DAMAGED] = "damaged",
};

static const char *const rpc_ds_state_phrases[] = {
	[DS_UPLOADING] = "an upload in progress",
	[DS_COMPLETE] = "a complete file",
	[DS_FAILED] = "a failed upload",
	[DS_DAMAGED] = "a damaged file",
};

static void rpc_ds_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* 64 hex digits, either case. */
static bool rpc_ds_unhex(const char *s, uint8_t out[32])
{
	if (strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (v < 0)
			return false;
		if (i % 2)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return true;
}

/*
 * Base64, RFC 4648 section 4 (the standard alphabet, '=' padding, no
 * line breaks). Not mbedTLS's: that one is constant-time for keys and
 * costs about 600 instructions per byte, 100 times this, which made it
 * most of an upload's cost (bench/datastore.py).
 */
static const char rpc_ds_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t rpc_ds_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = rpc_ds_b64[w >> 18];
		out[o++] = rpc_ds_b64[(w >> 12) & 63];
		out[o++] = rpc_ds_b64[(w >> 6) & 63];
		out[o++] = rpc_ds_b64[w & 63];
	}
	if (i < n) {
		uint32_t w = (uint32_t)in[i] << 16 |
			     (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = rpc_ds_b64[w >> 18];
		out[o++] = rpc_ds_b64[(w >> 12) & 63];
		out[o++] = i + 1 < n ? rpc_ds_b64[(w >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

static int rpc_ds_b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode @n characters into @out (room for n / 4 * 3 bytes). 0, or
 * -(1 + the index of the first bad character). */
static int rpc_ds_b64_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
	size_t o = 0;

	*len = 0;
	if (n % 4)
		return -(int)(n / 4 * 4) - 1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			/* '=' only as the last one or two characters. */
			if (s[i + k] == '=' && i + 4 == n && k >= 2 &&
			    (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
				continue;
			}
			v[k] = rpc_ds_b64_value(s[i + k]);
			if (v[k] < 0)
				return -(int)(i + k) - 1;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];

		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	*len = o;
	return 0;
}

/*
 * A ds_* error as an RPC error, with what to do: -ENODEV is "no
 * datastore" (format one), the rest as rpc_fail_errno words them.
 */
static int rpc_ds_fail(struct rpc_ctx *c, int err, const char *what)
{
	if (err == -ENODEV)
		return rpc_fail(c, RPC_ERR_NO_DATASTORE,
				"%s: no datastore is mounted: format a disk "
				"with datastore.format (datastore.disks lists "
				"them)",
				what);
	return rpc_fail_errno(c, err, what);
}

/* The datastore.list members about the volume. */
static void rpc_ds_status_write(struct jw *w)
{
	struct ds_status st;

	ds_status(&st);
	jw_kbool(w, "mounted", st.mounted);
	if (!st.mounted) {
		static const char *const nulls[] = {
			"disk",		  "label",	"uuid",
			"capacity_bytes", "free_bytes", "files_max"
		};

		for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
			jw_key(w, nulls[i]);
			jw_null(w);
		}
		return;
	}
	jw_kstr(w, "disk", st.disk);
	jw_kstr(w, "label", st.label);
	jw_kstr(w, "uuid", st.uuid);
	jw_kuint(w, "capacity_bytes", st.capacity);
	jw_kuint(w, "free_bytes", st.free);
	jw_kuint(w, "files_max", st.files_max);
}

static void rpc_ds_file_write(struct jw *w, const struct ds_file_info *fi)
{
	char hex[65];

	jw_obj_begin(w);
	jw_kstr(w, "name", fi->name);
	jw_kuint(w, "size", fi->size);
	jw_kuint(w, "received", fi->received);
	jw_kbool(w, "complete", fi->complete);
	jw_kstr(w, "state",
		fi->state >= DS_UPLOADING && fi->state <= DS_DAMAGED
		    ? rpc_ds_state_names[fi->state]
		    : "damaged");
	jw_key(w, "sha256");
	if ((fi->complete && !fi->disk) || fi->has_expected) {
		rpc_ds_hex(fi->sha256, 32, hex);
		jw_str(w, hex);
	} else {
		jw_null(w);
	}
	jw_kbool(w, "verifying", fi->verifying);
	jw_kbool(w, "disk", fi->disk);
	jw_kbool(w, "in_use", fi->in_use);
	jw_key(w, "why");
	if (fi->why)
		jw_str(w, fi->why);
	else
		jw_null(w);
	jw_obj_end(w);
}

static const char *const rpc_ds_no_params[] = { NULL };

static const char *rpc_ds_who(const struct rpc_ctx *c)
{
	return c->caller && c->caller->who[0] ? c->caller->who : "-";
}

/* ---- datastore.list ------------------------------------------------------ */

static int rpc_ds_list(struct rpc_ctx *c)
{
	struct ds_file_info *files = NULL;
	struct jw *w = c->out;
	int rc, n;

	if ((rc = rpc_param_only(c, rpc_ds_no_params)))
		return rc;
	ds_wait_ready(RPC_DS_READY_NS);
	n = ds_list(NULL, 0);
	if (n > 0) {
		files = calloc((size_t)n, sizeof(*files));
		if (!files)
			return rpc_ds_fail(c, -ENOMEM, "datastore.list");
		n = ds_list(files, (size_t)n); /* may have grown: clipped */
	}
	jw_obj_begin(w);
	rpc_ds_status_write(w);
	jw_key(w, "files");
	jw_arr_begin(w);
	for (int i = 0; i < n; i++)
		rpc_ds_file_write(w, &files[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	free(files);
	return 0;
}

/* ---- datastore.disks ----------------------------------------------------- */

static int rpc_ds_disks(struct rpc_ctx *c)
{
	struct ds_disk_info *d;
	struct jw *w = c->out;
	int rc, n;

	if ((rc = rpc_param_only(c, rpc_ds_no_params)))
		return rc;
	ds_wait_ready(RPC_DS_READY_NS);
	n = ds_disks(NULL, 0);
	d = calloc(n > 0 ? (size_t)n : 1, sizeof(*d));
	if (!d)
		return rpc_ds_fail(c, -ENOMEM, "datastore.disks");
	n = ds_disks(d, (size_t)n);
	jw_obj_begin(w);
	jw_key(w, "disks");
	jw_arr_begin(w);
	for (int i = 0; i < n; i++) {
		jw_obj_begin(w);
		jw_kstr(w, "name", d[i].name);
		jw_kuint(w, "size", d[i].size);
		jw_kuint(w, "sector_size", d[i].sector_size);
		jw_key(w, "model");
		if (d[i].model[0])
			jw_str(w, d[i].model);
		else
			jw_null(w);
		jw_kbool(w, "formattable", d[i].formattable);
		jw_kbool(w, "with_force", d[i].with_force);
		jw_kbool(w, "datastore", d[i].datastore);
		jw_kbool(w, "mounted", d[i].mounted);
		jw_key(w, "label");
		if (d[i].label[0])
			jw_str(w, d[i].label);
		else
			jw_null(w);
		jw_key(w, "why");
		if (d[i].why[0])
			jw_str(w, d[i].why);
		else
			jw_null(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	free(d);
	return 0;
}

/* ---- datastore.format ---------------------------------------------------- */

static int rpc_ds_format(struct rpc_ctx *c)
{
	static const char *const known[] = { "disk", "label", "force", NULL };
	const char *disk, *label;
	bool force = false;
	char why[160], what[160];
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "disk", true, 31, &disk)) ||
	    (rc = rpc_param_str(c, "label", true, DS_LABEL_MAX - 1, &label)))
		return rc;
	rc = rpc_param_bool(c, "force", false, &force);
	if (rc && rc != -ENOENT)
		return rc;
	snprintf(c->audit, sizeof(c->audit), "%s \"%s\"%s", disk, label,
		 force ? " force" : "");
	/* The audit record leaves out this head of each message. */
	snprintf(what, sizeof(what), "datastore.format %s", c->audit);
	ds_wait_ready(RPC_DS_READY_NS);
	rc = ds_format(disk, label, force, why, sizeof(why));
	switch (rc) {
	case 0:
		break;
	case -EINVAL:
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.label: 1-%d characters of A-Z a-z 0-9, "
				"space . _ -",
				DS_LABEL_MAX - 1);
	case -ENOENT:
		return rpc_fail(c, RPC_ERR_NOT_FOUND,
				"%s: no such disk (datastore.disks lists them)",
				what);
	case -EPERM:
		return rpc_fail(c, RPC_ERR_BAD_STATE, "%s: refused: %s", what,
				why);
	case -EBUSY:
		return rpc_fail(c, RPC_ERR_BUSY, "%s: %s; try again shortly",
				what, why);
	default:
		return rpc_fail(c, RPC_ERR_IO, "%s: %s (see host.logs)", what,
				why[0] ? why : "failed");
	}
	jw_obj_begin(c->out);
	rpc_ds_status_write(c->out);
	jw_obj_end(c->out);
	return 0;
}

/* ---- datastore.upload ---------------------------------------------------- */

/* params.sha256 as 32 bytes; 0, -ENOENT when absent, or the error. */
static int rpc_ds_sha_param(struct rpc_ctx *c, bool required, uint8_t out[32])
{
	const char *s;
	int rc = rpc_param_str(c, "sha256", required, 64, &s);

	if (rc)
		return rc;
	if (!rpc_ds_unhex(s, out))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.sha256: expected 64 hex digits (the "
				"file's SHA-256)");
	return 0;
}

/* params.data decoded into a fresh buffer. */
static int rpc_ds_data_param(struct rpc_ctx *c, uint8_t **out, size_t *len)
{
	const struct json *v = c->params ? json_get(c->params, "data") : NULL;
	size_t n;
	int rc;

	*out = NULL;
	*len = 0;
	if (!v)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.data: missing (the chunk's bytes in "
				"base64, at most 1 MiB decoded)");
	if (v->type != JSON_STRING)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.data: expected a base64 string, not %s",
				json_type_name(v->type));
	if (v->len > RPC_DS_CHUNK_B64 + 4)
		return rpc_fail(c, RPC_ERR_LIMIT,
				"params.data: more than %u bytes in one call: "
				"send the file in chunks of at most 1 MiB",
				RPC_DS_CHUNK);
	n = v->len / 4 * 3;
	if (n > RPC_DS_CHUNK + 2)
		return rpc_fail(c, RPC_ERR_LIMIT,
				"params.data: more than %u bytes decoded; at "
				"most %u (1 MiB) per call: send smaller chunks",
				RPC_DS_CHUNK, RPC_DS_CHUNK);
	*out = malloc(n ? n : 1);
	if (!*out)
		return rpc_ds_fail(c, -ENOMEM, "datastore.upload");
	rc = rpc_ds_b64_decode(v->s, v->len, *out, len);
	if (rc || *len > RPC_DS_CHUNK) {
		free(*out);
		*out = NULL;
		if (!rc)
			return rpc_fail(c, RPC_ERR_LIMIT,
					"params.data: %zu bytes decoded; at "
					"most %u (1 MiB) per call: send "
					"smaller chunks",
					*len, RPC_DS_CHUNK);
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.data: not valid base64 (RFC 4648 "
				"section 4, with padding) at character %d",
				-rc - 1);
	}
	return 0;
}

/* A later chunk's size and sha256, when given, must be the upload's. */
static int rpc_ds_same_params(struct rpc_ctx *c, const char *name)
{
	struct ds_file_info fi;
	uint8_t sha[32];
	int64_t size;
	int rc;

	if (ds_stat(name, &fi))
		return 0; /* ds_upload_write says what is wrong */
	rc = rpc_param_int(c, "size", false, 0, INT64_MAX, &size);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc && (uint64_t)size != fi.size)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.size: %lld, but the upload of %s is "
				"%llu bytes: delete it to start another",
				(long long)size, name,
				(unsigned long long)fi.size);
	rc = rpc_ds_sha_param(c, false, sha);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc && fi.has_expected && memcmp(sha, fi.sha256, 32))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.sha256: not the SHA-256 the upload of "
				"%s began with: delete it to start another",
				name);
	return 0;
}

/* The answer of every successful upload call. */
static int rpc_ds_upload_answer(struct rpc_ctx *c, const char *name)
{
	struct ds_file_info fi;
	int rc = ds_stat(name, &fi);

	if (rc)
		return rpc_ds_fail(c, rc, "datastore.upload");
	rpc_ds_file_write(c->out, &fi);
	return 0;
}

/* The upload of @name exists already at offset 0: why it was refused. */
static int rpc_ds_exists(struct rpc_ctx *c, const char *name)
{
	struct ds_file_info fi;

	if (ds_stat(name, &fi))
		return rpc_fail(c, RPC_ERR_EXISTS,
				"datastore.upload %s: the name is taken", name);
	return rpc_fail(c, RPC_ERR_EXISTS,
			"datastore.upload %s: %s of %llu bytes with another "
			"size or SHA-256 has that name: delete it first, or "
			"pass overwrite",
			name, rpc_ds_state_phrases[fi.state],
			(unsigned long long)fi.size);
}

static int rpc_ds_upload_begin(struct rpc_ctx *c, const char *name,
			       bool overwrite)
{
	struct ds_status st;
	uint8_t sha[32];
	uint64_t got;
	int64_t size;
	char what[160];
	int rc;

	rc = rpc_param_int(c, "size", false, 0, INT64_MAX, &size);
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.size: missing: the first chunk "
				"(offset 0) gives the file's size in bytes "
				"and its sha256");
	if (rc)
		return rc;
	rc = rpc_ds_sha_param(c, false, sha);
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.sha256: missing: the first chunk "
				"(offset 0) gives the file's SHA-256 (64 hex "
				"digits) for the check at the end");
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "datastore.upload %s", name);
	rc = ds_upload_begin(name, (uint64_t)size, sha, overwrite, &got);
	if (rc == -EEXIST)
		return rpc_ds_exists(c, name);
	if (rc == -ENOSPC) {
		ds_status(&st);
		return rpc_fail(c, RPC_ERR_LIMIT,
				"%s: %lld bytes do not fit: %llu bytes free "
				"(%u of %u files used); delete files first",
				what, (long long)size,
				(unsigned long long)st.free, st.files,
				st.files_max);
	}
	if (rc)
		return rpc_ds_fail(c, rc, what);
	if (!got) {
		snprintf(what, sizeof(what),
			 "datastore.upload %s: started, %lld bytes%s", name,
			 (long long)size, overwrite ? " (overwrite)" : "");
		store_audit(rpc_ds_who(c), what);
	}
	return 0;
}

static int rpc_ds_upload(struct rpc_ctx *c)
{
	static const char *const known[] = { "name",	  "offset", "data",
					     "size",	  "sha256", "done",
					     "overwrite", NULL };
	struct ds_file_info fi;
	const char *name;
	uint8_t *data = NULL, digest[32];
	int64_t off;
	size_t len;
	uint64_t got;
	bool done = false, overwrite = false;
	char what[DS_NAME_MAX + 32], hex[65], want[65];
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "name", true, DS_NAME_MAX - 1, &name)) ||
	    (rc = rpc_param_int(c, "offset", true, 0, INT64_MAX, &off)))
		return rc;
	if ((rc = rpc_param_bool(c, "done", false, &done)) && rc != -ENOENT)
		return rc;
	if ((rc = rpc_param_bool(c, "overwrite", false, &overwrite)) &&
	    rc != -ENOENT)
		return rc;
	if (!ds_name_valid(name))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.name: 1-%d characters of A-Z a-z 0-9 "
				". _ - with / between parts (no empty, . or .. "
				"parts)",
				DS_NAME_MAX - 1);
	snprintf(what, sizeof(what), "datastore.upload %s", name);
	ds_wait_ready(RPC_DS_READY_NS);
	/* The whole call is checked before anything is reserved. */
	if ((rc = rpc_ds_data_param(c, &data, &len)))
		return rc;
	if (off == 0)
		rc = rpc_ds_upload_begin(c, name, overwrite);
	else
		rc = rpc_ds_same_params(c, name);
	if (rc) {
		free(data);
		return rc;
	}
	rc = ds_upload_write(name, (uint64_t)off, data, len, &got);
	free(data);
	switch (rc) {
	case 0:
	case -EALREADY: /* complete: a repeated chunk */
		break;
	case -ESPIPE:
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.offset: %lld, but %llu bytes of %s are "
				"stored: send the next chunk at offset %llu",
				(long long)off, (unsigned long long)got, name,
				(unsigned long long)got);
	case -ENOENT:
		return rpc_fail(c, RPC_ERR_NOT_FOUND,
				"%s: no upload of that name: start at offset 0 "
				"with size and sha256",
				what);
	case -EINVAL:
		ds_stat(name, &fi);
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.data: ends at byte %llu, past the "
				"declared size of %llu bytes",
				(unsigned long long)(off + len),
				(unsigned long long)fi.size);
	case -EPERM:
		ds_stat(name, &fi);
		return rpc_fail(c, RPC_ERR_BAD_STATE,
				"%s: the file is %s (%s): delete it and upload "
				"it again",
				what, rpc_ds_state_names[fi.state],
				fi.why ? fi.why : "-");
	case -EBUSY:
		return rpc_fail(c, RPC_ERR_BUSY,
				"%s: its SHA-256 is being checked: ask "
				"datastore.upload.status shortly",
				what);
	default:
		return rpc_ds_fail(c, rc, what);
	}
	if (!done)
		return rpc_ds_upload_answer(c, name);
	rc = ds_upload_finish(name, digest);
	switch (rc) {
	case 0:
		rpc_ds_hex(digest, 32, hex);
		snprintf(what, sizeof(what), "datastore.upload %s: complete",
			 name);
		store_audit(rpc_ds_who(c), what);
		break;
	case -EALREADY:
		break;
	case -EAGAIN:
		ds_stat(name, &fi);
		return rpc_fail(
		    c, RPC_ERR_BAD_STATE,
		    "%s: done, but %llu of %llu bytes arrived: send "
		    "the rest from offset %llu",
		    what, (unsigned long long)fi.received,
		    (unsigned long long)fi.size,
		    (unsigned long long)fi.received);
	case -EBADMSG:
		ds_stat(name, &fi); /* a failed file keeps the expected */
		rpc_ds_hex(digest, 32, hex);
		rpc_ds_hex(fi.sha256, 32, want);
		snprintf(what, sizeof(what),
			 "datastore.upload %s: SHA-256 mismatch", name);
		store_audit(rpc_ds_who(c), what);
		/* The advice first: a long name may cut the digests. */
		return rpc_fail(
		    c, RPC_ERR_CHECKSUM,
		    "datastore.upload %s: SHA-256 mismatch, the "
		    "file is marked failed: delete it and upload it "
		    "again (stored bytes %.16s..., expected "
		    "%.16s...)",
		    name, hex, want);
	case -EBUSY:
		return rpc_fail(c, RPC_ERR_BUSY,
				"%s: its SHA-256 is being checked by another "
				"call: ask datastore.upload.status shortly",
				what);
	default:
		return rpc_ds_fail(c, rc, what);
	}
	return rpc_ds_upload_answer(c, name);
}

/* ---- datastore.upload.status --------------------------------------------- */

static int rpc_ds_upload_status(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", NULL };
	struct ds_file_info fi;
	const char *name;
	char what[DS_NAME_MAX + 40];
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "name", true, DS_NAME_MAX - 1, &name)))
		return rc;
	snprintf(what, sizeof(what), "datastore.upload.status %s", name);
	ds_wait_ready(RPC_DS_READY_NS);
	rc = ds_stat(name, &fi);
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_ERR_NOT_FOUND,
				"%s: no file or upload of that name: start it "
				"at offset 0",
				what);
	if (rc == -EINVAL)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.name: not a valid datastore name");
	if (rc)
		return rpc_ds_fail(c, rc, what);
	rpc_ds_file_write(c->out, &fi);
	return 0;
}

/* ---- datastore.download -------------------------------------------------- */

static int rpc_ds_download(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "offset", "length", NULL };
	struct ds_file_info fi;
	const char *name;
	int64_t off, length = RPC_DS_CHUNK;
	unsigned char *buf = NULL, *b64 = NULL;
	size_t olen = 0;
	char what[DS_NAME_MAX + 32], hex[65];
	long n;
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "name", true, DS_NAME_MAX - 1, &name)) ||
	    (rc = rpc_param_int(c, "offset", true, 0, INT64_MAX, &off)))
		return rc;
	rc = rpc_param_int(c, "length", false, 1, RPC_DS_CHUNK, &length);
	if (rc && rc != -ENOENT)
		return rc;
	snprintf(what, sizeof(what), "datastore.download %s", name);
	ds_wait_ready(RPC_DS_READY_NS);
	rc = ds_stat(name, &fi);
	if (rc == -EINVAL)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.name: not a valid datastore name");
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_ERR_NOT_FOUND,
				"%s: no such file (datastore.list shows them)",
				what);
	if (rc)
		return rpc_ds_fail(c, rc, what);
	if (fi.state == DS_UPLOADING)
		return rpc_fail(
		    c, RPC_ERR_BAD_STATE,
		    "%s: still being uploaded (%llu of %llu bytes): "
		    "finish the upload first",
		    what, (unsigned long long)fi.received,
		    (unsigned long long)fi.size);
	if (!fi.complete)
		return rpc_fail(c, RPC_ERR_BAD_STATE,
				"%s: the file is %s (%s): it cannot be read; "
				"delete it",
				what, rpc_ds_state_names[fi.state],
				fi.why ? fi.why : "-");
	if ((uint64_t)off > fi.size)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.offset: %lld is past the end of the "
				"file (%llu bytes)",
				(long long)off, (unsigned long long)fi.size);
	buf = malloc((size_t)length);
	b64 = malloc(RPC_DS_CHUNK_B64 + 1);
	if (!buf || !b64) {
		free(buf);
		free(b64);
		return rpc_ds_fail(c, -ENOMEM, what);
	}
	n = ds_read(name, (uint64_t)off, buf, (size_t)length);
	if (n < 0) {
		free(buf);
		free(b64);
		return rpc_ds_fail(c, (int)n, what);
	}
	olen = rpc_ds_b64_encode(buf, (size_t)n, (char *)b64);
	rpc_ds_hex(fi.sha256, 32, hex);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "name", name);
	jw_kuint(c->out, "offset", (uint64_t)off);
	jw_kuint(c->out, "length", (uint64_t)n);
	jw_key(c->out, "data");
	jw_strn(c->out, (const char *)b64, olen);
	jw_kbool(c->out, "eof", (uint64_t)off + (uint64_t)n >= fi.size);
	jw_kuint(c->out, "size", fi.size);
	jw_kstr(c->out, "sha256", hex);
	jw_obj_end(c->out);
	free(buf);
	free(b64);
	return 0;
}

/* ---- datastore.delete ---------------------------------------------------- */

static int rpc_ds_delete(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", NULL };
	const char *name;
	char what[DS_NAME_MAX + 32];
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "name", true, DS_NAME_MAX - 1, &name)))
		return rc;
	snprintf(c->audit, sizeof(c->audit), "%s", name);
	snprintf(what, sizeof(what), "datastore.delete %s", name);
	ds_wait_ready(RPC_DS_READY_NS);
	rc = ds_delete(name);
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_ERR_NOT_FOUND,
				"%s: no such file (datastore.list shows them)",
				what);
	if (rc == -EINVAL)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.name: not a valid datastore name");
	if (rc == -EBUSY)
		return rpc_fail(c, RPC_ERR_BUSY,
				"%s: it is a disk of a running VM, or its "
				"SHA-256 is being checked: stop the VM, or "
				"try again shortly",
				what);
	if (rc)
		return rpc_ds_fail(c, rc, what);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "name", name);
	jw_kbool(c->out, "deleted", true);
	jw_obj_end(c->out);
	return 0;
}

/* ---- datastore.create ---------------------------------------------------- */

static int rpc_ds_create(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "size_mb", NULL };
	const char *name;
	char what[DS_NAME_MAX + 32];
	struct ds_file_info fi;
	int64_t mb;
	int rc;

	if ((rc = rpc_param_only(c, known)) ||
	    (rc = rpc_param_str(c, "name", true, DS_NAME_MAX - 1, &name)) ||
	    (rc = rpc_param_int(c, "size_mb", true, 1, RPC_DS_DISK_MAX_MB,
				&mb)))
		return rc;
	if (!ds_name_valid(name))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.name: not a valid datastore name "
				"(A-Z a-z 0-9 . _ - and / between parts)");
	snprintf(c->audit, sizeof(c->audit), "%s (%lld MiB)", name,
		 (long long)mb);
	snprintf(what, sizeof(what), "datastore.create %s", name);
	ds_wait_ready(RPC_DS_READY_NS);
	rc = ds_create_disk(name, (uint64_t)mb << 20);
	if (rc == -EEXIST)
		return rpc_fail(c, RPC_ERR_EXISTS,
				"%s: the name is taken (datastore.delete "
				"removes the old file)",
				what);
	if (rc == -ENOSPC) {
		struct ds_status st;

		ds_status(&st);
		return rpc_fail(c, RPC_ERR_LIMIT,
				"%s: %lld MiB asked for, %llu MiB free (or "
				"the file table is full)",
				what, (long long)mb,
				(unsigned long long)(st.free >> 20));
	}
	if (rc)
		return rpc_ds_fail(c, rc, what);
	if (ds_stat(name, &fi))
		return rpc_ds_fail(c, -EIO, what);
	rpc_ds_file_write(c->out, &fi);
	return 0;
}

RPC_METHOD(ds_create, "datastore.create", rpc_ds_create, RPC_AUDIT);
RPC_METHOD(ds_list, "datastore.list", rpc_ds_list, 0);
RPC_METHOD(ds_disks, "datastore.disks", rpc_ds_disks, 0);
RPC_METHOD(ds_format, "datastore.format", rpc_ds_format, RPC_AUDIT);
RPC_METHOD(ds_upload, "datastore.upload", rpc_ds_upload, 0);
RPC_METHOD(ds_upload_status, "datastore.upload.status", rpc_ds_upload_status,
	   0);
RPC_METHOD(ds_download, "datastore.download", rpc_ds_download, 0);
RPC_METHOD(ds_delete, "datastore.delete", rpc_ds_delete, RPC_AUDIT);
