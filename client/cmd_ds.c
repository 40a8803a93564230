// SPDX-License-Identifier: MIT
/*
 * `keelctl datastore ls|upload|download|rm` (docs/api.md). Uploads
 * go in 1 MiB chunks and survive a broken connection: keelctl reconnects
 * and asks datastore.upload.status how much arrived, and a later run
 * resumes a partial upload of the same file. Downloads are checked
 * against the file's SHA-256 before they replace anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "client/cmd.h"
#include "client/exitcode.h"
#include "client/progress.h"
#include "client/tls.h"
#include "client/util.h"
#include "client/xfer.h"
#include "mgmt/rpc.h"

/* Reconnects for one transfer before giving up, 1, 2, 4 ... s apart. */
#define KC_XFER_RETRIES 6

static const struct kc_col kc_ds_cols[] = {
	{ "name", "NAME", KC_F_TEXT, false },
	{ "size", "SIZE", KC_F_BYTES, true },
	{ "state", "STATE", KC_F_TEXT, false },
	{ "sha256", "SHA-256", KC_F_SHA_SHORT, false },
	{ 0 },
};

/* "Datastore ds1 on nvme0n1: 900.0 MiB free of 1.0 GiB, 3 files". */
static void kc_ds_volume_line(const struct json *r)
{
	const char *label = "?", *disk = "?";
	int64_t cap = -1, fre = -1, n = 0;
	const struct json *files = json_get(r, "files");
	bool mounted = true;
	char a[32], b[32];

	json_get_bool(r, "mounted", &mounted);
	if (!mounted) {
		printf("No datastore is mounted: format a disk with `keelctl "
		       "datastore format DISK LABEL` (`keelctl datastore "
		       "disks` lists them).\n");
		return;
	}
	json_get_str(r, "label", &label);
	json_get_str(r, "disk", &disk);
	json_get_int(r, "capacity_bytes", &cap);
	json_get_int(r, "free_bytes", &fre);
	if (files && files->type == JSON_ARRAY)
		n = (int64_t)files->len;
	if (cap < 0 || fre < 0)
		return;
	kc_fmt_bytes((uint64_t)fre, a, sizeof(a));
	kc_fmt_bytes((uint64_t)cap, b, sizeof(b));
	printf("Datastore %s on %s: %s free of %s, %lld file%s.\n", label, disk,
	       a, b, (long long)n, n == 1 ? "" : "s");
}

static void kc_ds_ls_show(const struct json *r)
{
	const struct json *files =
	    r->type == JSON_ARRAY ? r : json_get(r, "files");
	bool mounted = true;

	if (r->type == JSON_OBJECT)
		json_get_bool(r, "mounted", &mounted);
	if (mounted)
		kc_out_list(files, kc_ds_cols, "No files.", stdout);
	if (r->type == JSON_OBJECT)
		kc_ds_volume_line(r);
}

static int kc_cmd_ds_ls(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	if (rc || (rc = kc_call(c, "datastore.list", NULL, &r, NULL)))
		return rc;
	kc_cmd_print(c, r.result, kc_ds_ls_show);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_ds_mkdisk(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	char *pos[2], what[200];
	long long mb;
	struct jw w;
	int rc = kc_cmd_args(c, NULL, argc, argv, pos, 2, 2);

	if (rc)
		return rc;
	if (!kc_opts_int(pos[1], 1, 1024 * 1024, &mb))
		return kc_usage("SIZE_MB: expected a size in MiB, 1-1048576");
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", pos[0]);
	jw_kint(&w, "size_mb", mb);
	jw_obj_end(&w);
	snprintf(what, sizeof(what), "datastore.create %s", pos[0]);
	rc = kc_call(c, "datastore.create", w.buf, &r, what);
	jw_free(&w);
	if (rc)
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else
		printf("Disk %s created (%lld MiB).\n", pos[0], mb);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_ds_rm(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	char *pos[1];
	int rc = kc_cmd_args(c, NULL, argc, argv, pos, 1, 1);

	if (rc || (rc = kc_call(c, "datastore.delete", kc_params_name(pos[0]),
				&r, pos[0])))
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else
		printf("Deleted %s.\n", pos[0]);
	kc_reply_free(&r);
	return 0;
}

/* "yes", "with --force" or "no" for a disk. */
static const char *kc_ds_disk_use(const struct json *d)
{
	bool ok = false, force = false, mounted = false;

	json_get_bool(d, "mounted", &mounted);
	json_get_bool(d, "formattable", &ok);
	json_get_bool(d, "with_force", &force);
	return mounted ? "mounted" : ok ? "yes" : force ? "with --force" : "no";
}

static void kc_ds_disks_show(const struct json *r)
{
	const struct json *disks = json_get(r, "disks");
	struct kc_table t;
	char size[32], label[80];

	if (!disks || !disks->child) {
		printf("No disks.\n");
		return;
	}
	kc_table_init(&t);
	kc_table_col(&t, "DISK", false);
	kc_table_col(&t, "SIZE", true);
	kc_table_col(&t, "MODEL", false);
	kc_table_col(&t, "DATASTORE", false);
	kc_table_col(&t, "FORMAT", false);
	kc_table_col(&t, "WHY", false);
	for (const struct json *d = disks->child; d; d = d->next) {
		const char *cells[6] = { "-", size, "-", label, "", "" };
		bool ds = false;

		json_get_str(d, "name", &cells[0]);
		kc_fmt_value(json_get(d, "size"), KC_F_BYTES, size,
			     sizeof(size));
		json_get_str(d, "model", &cells[2]);
		json_get_bool(d, "datastore", &ds);
		kc_fmt_value(json_get(d, "label"), KC_F_TEXT, label,
			     sizeof(label));
		if (!ds)
			snprintf(label, sizeof(label), "-");
		cells[4] = kc_ds_disk_use(d);
		json_get_str(d, "why", &cells[5]);
		kc_table_row(&t, cells);
	}
	kc_table_print(&t, stdout);
	kc_table_free(&t);
}

static int kc_cmd_ds_disks(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	if (rc || (rc = kc_call(c, "datastore.disks", NULL, &r, NULL)))
		return rc;
	kc_cmd_print(c, r.result, kc_ds_disks_show);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_ds_format(struct kc_client *c, int argc, char **argv)
{
	bool force = false;
	const struct kc_arg spec[] = {
		{ "force", 0, false, NULL, &force },
		{ 0 },
	};
	struct kc_reply r;
	char *pos[2], what[96];
	struct jw w;
	int rc = kc_cmd_args(c, spec, argc, argv, pos, 2, 2);

	if (rc)
		return rc;
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "disk", pos[0]);
	jw_kstr(&w, "label", pos[1]);
	if (force)
		jw_kbool(&w, "force", true);
	jw_obj_end(&w);
	snprintf(what, sizeof(what), "datastore.format %s", pos[0]);
	rc = kc_call(c, "datastore.format", w.buf, &r, what);
	jw_free(&w);
	if (rc)
		return rc;
	if (c->o->json) {
		kc_out_json(r.result, stdout);
	} else {
		printf("Formatted %s.\n", pos[0]);
		kc_ds_volume_line(r.result);
	}
	kc_reply_free(&r);
	return 0;
}

/* Sleep before reconnect @attempt (1, 2, 4 ... s). */
static void kc_xfer_backoff(struct kc_client *c, int attempt, const char *what)
{
	unsigned s = 1u << (attempt < 5 ? attempt : 5);

	fprintf(stderr, "\nkeelctl: %s: %s; reconnecting in %u s (%d/%d)\n",
		what, c->msg, s, attempt + 1, KC_XFER_RETRIES);
	kc_client_disconnect(c);
	sleep(s);
}

/* What the host holds of @name: 0 with @st's result, or the exit code
 * (KC_EXIT_NOTFOUND when there is nothing). */
static int kc_upload_status(struct kc_client *c, const char *name,
			    struct kc_reply *st)
{
	return kc_rpc(c, "datastore.upload.status", kc_params_name(name), st);
}

struct kc_upload {
	const char *local, *name;
	bool overwrite; /* --force: replace what has the name */
	int fd;
	uint64_t size;
	char sha[65];
	uint8_t *buf;
};

/* Where to start: 0, the host's received count of a matching partial
 * upload, or UINT64_MAX when the same file is already complete. */
static int kc_upload_start(struct kc_client *c, struct kc_upload *u,
			   uint64_t *off)
{
	const char *sha = NULL, *state = "";
	struct kc_reply st;
	int64_t size = -1, got = 0;
	bool complete = false;
	int rc;

	*off = 0;
	rc = kc_upload_status(c, u->name, &st);
	if (rc == KC_EXIT_NOTFOUND ||
	    (rc && c->rpc_code == RPC_METHOD_NOT_FOUND))
		return 0;
	if (rc)
		return kc_rpc_report(c, "datastore.upload.status", rc);
	json_get_int(st.result, "size", &size);
	json_get_int(st.result, "received", &got);
	json_get_bool(st.result, "complete", &complete);
	json_get_str(st.result, "sha256", &sha);
	json_get_str(st.result, "state", &state);
	bool same = size == (int64_t)u->size && sha && !strcasecmp(sha, u->sha);
	/* A failed (digest mismatch) or damaged file cannot go on. */
	bool dead = !strcmp(state, "failed") || !strcmp(state, "damaged");
	char st_name[16];

	snprintf(st_name, sizeof(st_name), "%s", *state ? state : "partial");
	kc_reply_free(&st);
	if (complete && same && !u->overwrite) {
		*off = UINT64_MAX;
		return 0;
	}
	if (u->overwrite)
		return 0; /* offset 0 with overwrite replaces it */
	if (complete || dead || !same) {
		fprintf(stderr,
			"keelctl: %s already exists on the datastore (%s, "
			"with %s); remove it first (keelctl datastore rm %s) "
			"or pass --force to replace it\n",
			u->name, complete ? "complete" : st_name,
			same ? "this file's SHA-256" : "other contents",
			u->name);
		return KC_EXIT_SERVER;
	}
	if (same && got > 0 && (uint64_t)got <= u->size) {
		*off = (uint64_t)got;
		if (!c->o->json)
			fprintf(stderr,
				"keelctl: resuming the upload of %s at "
				"%" PRId64 " bytes\n",
				u->name, got);
	}
	return 0;
}

/* Send the chunks from @off on; reconnects and resumes on the way. */
/*
 * Send the chunks from @off on until the host has the whole file and has
 * checked it. A broken connection, or the host busy checking the digest
 * of a "done" whose answer was lost, is retried (KC_XFER_RETRIES, with
 * backoff) from what datastore.upload.status says arrived: a chunk may
 * or may not have landed, and one sent twice is skipped by the host.
 */
static int kc_upload_chunks(struct kc_client *c, struct kc_upload *u,
			    uint64_t off, struct kc_reply *last)
{
	struct kc_prog p;
	int attempt = 0, rc;
	bool finished = false;

	kc_prog_start(&p, u->name, off, u->size);
	while (!finished) {
		size_t len = kc_xfer_chunk_len(off, u->size, KC_CHUNK);
		ssize_t n = len ? pread(u->fd, u->buf, len, (off_t)off) : 0;
		bool complete = false;
		struct kc_reply st;
		int64_t got;
		struct jw w;

		if (n < 0 || (size_t)n != len) {
			kc_prog_end(&p);
			fprintf(stderr, "keelctl: %s: %s\n", u->local,
				n < 0 ? strerror(errno) : "file shrank");
			return KC_EXIT_LOCAL;
		}
		jw_init(&w, 0);
		kc_xfer_upload_params(&w, u->name, off, u->buf, len, u->size,
				      u->sha, u->overwrite && off == 0);
		if (!jw_ok(&w)) {
			jw_free(&w);
			kc_prog_end(&p);
			fprintf(stderr, "keelctl: out of memory\n");
			return KC_EXIT_LOCAL;
		}
		kc_reply_free(last);
		/* With "done" the host reads the whole file back to hash
		 * it: allow for 1 MiB/s on top of the usual timeout. */
		if (off + len >= u->size)
			kc_tls_set_timeout(
			    c->tls,
			    (c->o->timeout + (int)(u->size >> 20)) * 1000);
		rc = kc_rpc(c, "datastore.upload", w.buf, last);
		kc_tls_set_timeout(c->tls, c->o->timeout * 1000);
		jw_free(&w);
		if (!rc) {
			attempt = 0;
			/* The host says how far it is; else trust the
			 * chunk. The last one ("done") ends it. */
			if (json_get_int(last->result, "received", &got) &&
			    got >= 0 && (uint64_t)got <= u->size &&
			    (uint64_t)got > off)
				off = (uint64_t)got;
			else
				off += len;
			finished = off >= u->size;
			kc_prog_update(&p, off);
			continue;
		}
		if ((rc != KC_EXIT_CONN && c->rpc_code != RPC_ERR_BUSY) ||
		    attempt >= KC_XFER_RETRIES) {
			kc_prog_end(&p);
			return kc_rpc_report(c, "datastore.upload", rc);
		}
		kc_xfer_backoff(c, attempt++, "datastore.upload");
		rc = kc_upload_status(c, u->name, &st);
		if (rc == KC_EXIT_CONN)
			continue; /* the same chunk again, next attempt */
		if (rc == KC_EXIT_NOTFOUND) {
			off = 0; /* the first chunk never arrived */
			continue;
		}
		if (rc) {
			kc_prog_end(&p);
			return kc_rpc_report(c, "datastore.upload.status", rc);
		}
		if (json_get_int(st.result, "received", &got) && got >= 0 &&
		    (uint64_t)got <= u->size)
			off = (uint64_t)got;
		json_get_bool(st.result, "complete", &complete);
		if (complete) {
			/* The lost answer was the last one: the status is
			 * the result. */
			kc_reply_free(last);
			*last = st;
			finished = true;
		} else {
			kc_reply_free(&st);
		}
		kc_prog_update(&p, off);
	}
	kc_prog_end(&p);
	return 0;
}

static int kc_cmd_ds_upload(struct kc_client *c, int argc, char **argv)
{
	struct kc_upload u = { .fd = -1 };
	struct kc_reply last = { 0 };
	uint64_t off, t0;
	uint8_t hash[32];
	char *pos[2], *base = NULL;
	struct stat st;
	int rc;

	const struct kc_arg spec[] = {
		{ "force", 0, false, NULL, &u.overwrite },
		{ 0 },
	};

	rc = kc_cmd_args(c, spec, argc, argv, pos, 1, 2);
	if (rc)
		return rc;
	u.local = pos[0];
	if (pos[1]) {
		u.name = pos[1];
	} else {
		base = strdup(u.local);
		u.name = base ? basename(base) : u.local;
	}
	u.fd = open(u.local, O_RDONLY | O_CLOEXEC);
	if (u.fd < 0 || fstat(u.fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "keelctl: %s: %s\n", u.local,
			u.fd < 0 ? strerror(errno) : "not a regular file");
		rc = KC_EXIT_LOCAL;
		goto out;
	}
	u.size = (uint64_t)st.st_size;
	u.buf = malloc(KC_CHUNK);
	if (!u.buf || kc_xfer_sha256_fd(u.fd, hash)) {
		fprintf(stderr, "keelctl: %s: %s\n", u.local, strerror(errno));
		rc = KC_EXIT_LOCAL;
		goto out;
	}
	kc_hex(hash, 32, u.sha);
	rc = kc_upload_start(c, &u, &off);
	if (rc)
		goto out;
	if (off == UINT64_MAX) {
		if (c->o->json) {
			struct jw w;

			jw_init(&w, 0);
			jw_obj_begin(&w);
			jw_kstr(&w, "name", u.name);
			jw_kuint(&w, "size", u.size);
			jw_kstr(&w, "sha256", u.sha);
			jw_kbool(&w, "complete", true);
			jw_kbool(&w, "unchanged", true);
			jw_obj_end(&w);
			printf("%s\n", w.buf);
			jw_free(&w);
		} else {
			printf("%s is already on the datastore with the same "
			       "SHA-256; nothing to do.\n",
			       u.name);
		}
		goto out;
	}
	t0 = kc_now_ns();
	uint64_t first = off;
	rc = kc_upload_chunks(c, &u, off, &last);
	if (rc)
		goto out;
	if (c->o->json) {
		kc_out_json(last.result, stdout);
	} else {
		char sz[32], rate[32];
		uint64_t ms = (kc_now_ns() - t0) / 1000000;

		kc_fmt_bytes(u.size, sz, sizeof(sz));
		kc_fmt_bytes(ms ? (u.size - first) * 1000 / ms : 0, rate,
			     sizeof(rate));
		printf("Uploaded %s to %s (%s, %s/s), SHA-256 %s\n", u.local,
		       u.name, sz, rate, u.sha);
	}
out:
	kc_reply_free(&last);
	if (u.fd >= 0)
		close(u.fd);
	free(u.buf);
	free(base);
	return rc;
}

struct kc_download {
	const char *name, *local;
	bool to_stdout;
	int fd;
	char tmp[4200];
	uint64_t size; /* UINT64_MAX until the host says */
	char sha[65];  /* the host's digest, "" until known */
	mbedtls_sha256_context hash;
};

/* Size and digest from a download answer or a datastore.list entry. */
static void kc_download_learn(struct kc_download *d, const struct json *o)
{
	const char *sha;
	int64_t size;

	if (d->size == UINT64_MAX && json_get_int(o, "size", &size) &&
	    size >= 0)
		d->size = (uint64_t)size;
	if (!d->sha[0] && json_get_str(o, "sha256", &sha) && strlen(sha) == 64)
		snprintf(d->sha, sizeof(d->sha), "%s", sha);
}

/* The entry for @d->name in datastore.list, for what a download answer
 * did not say. */
static int kc_download_stat(struct kc_client *c, struct kc_download *d)
{
	const struct json *files;
	struct kc_reply r;
	const char *n;
	int rc = kc_call(c, "datastore.list", NULL, &r, NULL);

	if (rc)
		return rc;
	files = r.result->type == JSON_ARRAY ? r.result
					     : json_get(r.result, "files");
	for (const struct json *f = files ? files->child : NULL; f; f = f->next)
		if (json_get_str(f, "name", &n) && !strcmp(n, d->name))
			kc_download_learn(d, f);
	kc_reply_free(&r);
	return 0;
}

/* Write @len bytes of chunk data: to the file and into the digest. */
static int kc_download_write(struct kc_download *d, const uint8_t *b,
			     size_t len)
{
	mbedtls_sha256_update_ret(&d->hash, b, len);
	if (kc_write_all(d->fd, b, len)) {
		fprintf(stderr, "keelctl: %s: %s\n",
			d->to_stdout ? "stdout" : d->tmp, strerror(errno));
		return KC_EXIT_LOCAL;
	}
	return 0;
}

static int kc_download_chunks(struct kc_client *c, struct kc_download *d)
{
	struct kc_prog p;
	uint64_t off = 0;
	int attempt = 0, rc = 0;
	bool started = false;

	for (;;) {
		const char *data;
		struct kc_reply r;
		uint8_t *buf;
		size_t len;
		bool eof = false;
		struct jw w;

		jw_init(&w, 0);
		kc_xfer_download_params(&w, d->name, off, KC_CHUNK);
		rc = kc_rpc(c, "datastore.download", w.buf, &r);
		jw_free(&w);
		if (rc == KC_EXIT_CONN && attempt < KC_XFER_RETRIES) {
			kc_xfer_backoff(c, attempt++, "datastore.download");
			continue; /* reading is idempotent: ask again */
		}
		if (rc)
			break;
		attempt = 0;
		kc_download_learn(d, r.result);
		if (!started) {
			if (d->size == UINT64_MAX &&
			    (rc = kc_download_stat(c, d)))
				break;
			kc_prog_start(&p, d->name, 0,
				      d->size == UINT64_MAX ? 0 : d->size);
			started = true;
		}
		if (!json_get_str(r.result, "data", &data) ||
		    kc_b64_decode(data, strlen(data), &buf, &len)) {
			kc_reply_free(&r);
			snprintf(c->msg, sizeof(c->msg),
				 "the answer has no valid base64 \"data\"");
			rc = KC_EXIT_CONN;
			break;
		}
		json_get_bool(r.result, "eof", &eof);
		kc_reply_free(&r);
		rc = kc_download_write(d, buf, len);
		free(buf);
		if (rc)
			goto out;
		off += len;
		kc_prog_update(&p, off);
		if (eof || !len || (d->size != UINT64_MAX && off >= d->size))
			break;
	}
	if (rc) {
		if (started)
			kc_prog_end(&p);
		return kc_rpc_report(c, "datastore.download", rc);
	}
	if (d->size != UINT64_MAX && off != d->size) {
		fprintf(stderr,
			"\nkeelctl: %s: got %" PRIu64 " of %" PRIu64 " bytes\n",
			d->name, off, d->size);
		rc = KC_EXIT_SERVER;
	}
out:
	if (started)
		kc_prog_end(&p);
	return rc;
}

static int kc_cmd_ds_download(struct kc_client *c, int argc, char **argv)
{
	struct kc_download d = { .fd = -1, .size = UINT64_MAX };
	char *pos[2], *base = NULL, got[65];
	uint8_t h[32];
	int rc;

	rc = kc_cmd_args(c, NULL, argc, argv, pos, 1, 2);
	if (rc)
		return rc;
	d.name = pos[0];
	if (pos[1]) {
		d.local = pos[1];
	} else {
		base = strdup(d.name);
		d.local = base ? basename(base) : d.name;
	}
	d.to_stdout = !strcmp(d.local, "-");
	if (d.to_stdout) {
		d.fd = STDOUT_FILENO;
	} else {
		/* A partial file never takes the final name. */
		snprintf(d.tmp, sizeof(d.tmp), "%s.part", d.local);
		d.fd =
		    open(d.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (d.fd < 0) {
			fprintf(stderr, "keelctl: %s: %s\n", d.tmp,
				strerror(errno));
			free(base);
			return KC_EXIT_LOCAL;
		}
	}
	mbedtls_sha256_init(&d.hash);
	mbedtls_sha256_starts_ret(&d.hash, 0);
	rc = kc_download_chunks(c, &d);
	mbedtls_sha256_finish_ret(&d.hash, h);
	mbedtls_sha256_free(&d.hash);
	kc_hex(h, 32, got);
	if (!rc && !d.sha[0])
		rc = kc_download_stat(c, &d);
	if (!rc && !d.sha[0]) {
		fprintf(stderr,
			"keelctl: %s: the host gave no SHA-256 to "
			"check the download against\n",
			d.name);
		rc = KC_EXIT_SERVER;
	} else if (!rc && strcasecmp(got, d.sha)) {
		fprintf(stderr,
			"keelctl: %s: the download's SHA-256 %s is not the "
			"host's %s; %s\n",
			d.name, got, d.sha,
			d.to_stdout ? "the output is damaged"
				    : "nothing was written");
		rc = KC_EXIT_SERVER;
	}
	if (!d.to_stdout) {
		if (!rc && (fsync(d.fd) || close(d.fd))) {
			fprintf(stderr, "keelctl: %s: %s\n", d.tmp,
				strerror(errno));
			rc = KC_EXIT_LOCAL;
		} else if (rc) {
			close(d.fd);
		}
		if (!rc && rename(d.tmp, d.local)) {
			fprintf(stderr, "keelctl: %s: %s\n", d.local,
				strerror(errno));
			rc = KC_EXIT_LOCAL;
		}
		if (rc)
			unlink(d.tmp);
	}
	if (!rc && !d.to_stdout) {
		if (c->o->json) {
			struct jw w;

			jw_init(&w, 0);
			jw_obj_begin(&w);
			jw_kstr(&w, "name", d.name);
			jw_kstr(&w, "file", d.local);
			jw_kuint(&w, "size", d.size);
			jw_kstr(&w, "sha256", got);
			jw_obj_end(&w);
			printf("%s\n", w.buf);
			jw_free(&w);
		} else {
			char sz[32];

			kc_fmt_bytes(d.size, sz, sizeof(sz));
			printf("Downloaded %s to %s (%s), SHA-256 verified\n",
			       d.name, d.local, sz);
		}
	}
	free(base);
	return rc;
}

static const struct kc_cmd kc_ds_cmds[] = {
	{ "ls", "", "list the datastore's files", "", kc_cmd_ds_ls },
	{ "upload", "LOCAL [NAME] [--force]",
	  "copy a local file to the datastore",
	  "NAME defaults to LOCAL's base name; it may contain '/'. The file\n"
	  "goes in 1 MiB chunks with its SHA-256, which the host checks. A\n"
	  "broken connection is retried and the upload resumes where the\n"
	  "host's copy ends; so does a later run for the same file. A\n"
	  "progress bar shows on a terminal.\n"
	  "  --force   replace a file of that name (or a failed upload)\n",
	  kc_cmd_ds_upload },
	{ "download", "NAME [LOCAL]", "copy a datastore file here",
	  "LOCAL defaults to NAME's base name; \"-\" writes to stdout. The\n"
	  "data goes to LOCAL.part first and replaces LOCAL only once its\n"
	  "SHA-256 matches the host's.\n",
	  kc_cmd_ds_download },
	{ "mkdisk", "NAME SIZE_MB", "create an empty virtual disk for VMs",
	  "The disk reads as zeros until a VM writes it; creating it writes\n"
	  "nothing, whatever its size. Give it to a VM with `keelctl vm\n"
	  "create ... --disk NAME`.\n",
	  kc_cmd_ds_mkdisk },
	{ "rm", "NAME", "delete a datastore file", "", kc_cmd_ds_rm },
	{ "disks", "", "the host's disks and whether they can be formatted", "",
	  kc_cmd_ds_disks },
	{ "format", "DISK LABEL [--force]",
	  "make DISK the datastore (erases it)",
	  "DISK as `keelctl datastore disks` names it (nvme0n1, sdb ...);\n"
	  "LABEL 1-63 characters of A-Z a-z 0-9 space . _ -. The host refuses\n"
	  "its boot disk, USB and read-only disks, and disks too small.\n"
	  "  --force   also a disk holding a partition table, a file system\n"
	  "            or a datastore (all of it is lost)\n",
	  kc_cmd_ds_format },
	{ 0 },
};

const struct kc_group kc_ds_group = {
	"datastore",
	"ds",
	"The datastore: the host's disk for VM images.",
	kc_ds_cmds,
};
