// SPDX-License-Identifier: MIT
/*
 * In-image self-tests of the datastore through its RPC methods
 * (keel.selftest): real request bodies through rpc_handle(), checked the
 * way a client reads the answers.
 *
 * ds_rpc first formats a 20 MiB RAM disk (when no datastore is
 * mounted) and runs uploads, resumes, a checksum failure, downloads,
 * deletes and the documented errors against it, then hands it back.
 *
 * Then, with keel.dstest=DISK only, for
 * tests/system/test_datastore.py, which boots twice from one disk file:
 * boot 1 formats DISK, uploads dstest/boot1.bin and leaves
 * dstest/partial.bin part-uploaded; boot 2 (DISK now holds the
 * datastore) reads boot1.bin back with its SHA-256 and resumes
 * partial.bin from the progress boot 1 made durable. Byte i of a test
 * file with seed s is (i * 131 + (i >> 12) * 17 + s * 29) & 0xff, so
 * the system test can check the disk file on the host side too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "core/selftest.h"
#include "core/time.h"
#include "datastore/ds.h"
#include "drivers/blk.h"
#include "mgmt/rpc.h"
#include "mgmt/rpc_test.h"

CMDLINE_OPTION(dstest, "keel.dstest",
	       "DISK: the datastore self-test formats DISK (first boot) and "
	       "checks its files (next boot); erases DISK");

#define DST_MIB (1u << 20)
#define DST_RAM_BYTES (20u * DST_MIB)

static const struct rpc_caller dst_root = { .addr = "127.0.0.1",
					    .user = "root",
					    .who = "selftest@local" };

static void dst_fill(uint32_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t o = off + i;

		buf[i] = (uint8_t)(o * 131 + (o >> 12) * 17 + seed * 29);
	}
}

static void dst_sha_hex(uint32_t seed, uint64_t size, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	mbedtls_sha256_context c;
	uint8_t buf[4096], d[32];

	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	for (uint64_t o = 0; o < size; o += sizeof(buf)) {
		size_t n =
		    size - o < sizeof(buf) ? (size_t)(size - o) : sizeof(buf);

		dst_fill(seed, o, buf, n);
		mbedtls_sha256_update_ret(&c, buf, n);
	}
	mbedtls_sha256_finish_ret(&c, d);
	mbedtls_sha256_free(&c);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = 0;
}

static struct json *dst_call(const char *body, size_t len)
{
	return rpct_call(&dst_root, body, len, 4u << 20, "ds_selftest");
}

static struct json *dst_simple(const char *method, const char *params)
{
	char body[512];
	int n = snprintf(body, sizeof(body),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s,"
			 "\"id\":1}",
			 method, params);

	return dst_call(body, (size_t)n);
}

/* One datastore.upload chunk of test file @seed; @bad_sha / @b64 for
 * error cases (NULL: the right digest / the real data). */
static struct json *dst_upload(const char *name, uint32_t seed, uint64_t off,
			       size_t len, uint64_t size, const char *sha,
			       bool done, const char *b64)
{
	uint8_t *buf = malloc(len ? len : 1);
	size_t cap = (len + 2) / 3 * 4 + 1, olen = 0;
	unsigned char *enc = malloc(cap);
	struct json *r = NULL;
	struct jw w;

	if (!buf || !enc)
		goto out;
	dst_fill(seed, off, buf, len);
	mbedtls_base64_encode(enc, cap, &olen, buf, len);
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "jsonrpc", "2.0");
	jw_kstr(&w, "method", "datastore.upload");
	jw_key(&w, "params");
	jw_obj_begin(&w);
	jw_kstr(&w, "name", name);
	jw_kuint(&w, "offset", off);
	jw_key(&w, "data");
	if (b64)
		jw_str(&w, b64);
	else
		jw_strn(&w, (const char *)enc, olen);
	if (sha) {
		jw_kuint(&w, "size", size);
		jw_kstr(&w, "sha256", sha);
	}
	if (done)
		jw_kbool(&w, "done", true);
	jw_obj_end(&w);
	jw_kint(&w, "id", 1);
	jw_obj_end(&w);
	if (jw_ok(&w))
		r = dst_call(w.buf, w.len);
	jw_free(&w);
out:
	free(buf);
	free(enc);
	return r;
}

static const struct json *dst_result(const struct json *r, const char *what)
{
	return rpct_result(r, "ds_selftest", what);
}

static int dst_error(const struct json *r, int code, const char *frag,
		     const char *what)
{
	return rpct_error(r, code, frag, "ds_selftest", what);
}



#define DST_CHECK(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			log_err("ds_selftest: " __VA_ARGS__);                  \
			rc = -EINVAL;                                          \
			goto out;                                              \
		}                                                              \
	} while (0)

/* Upload test file @seed from @from to its end in 1 MiB chunks, the last
 * with done; 0 when the answers say it is complete. */
static int dst_send(const char *name, uint32_t seed, uint64_t size,
		    uint64_t from, const char *sha)
{
	uint64_t off = from;
	int rc = 0;

	do {
		size_t n =
		    size - off < DST_MIB ? (size_t)(size - off) : DST_MIB;
		struct json *r =
		    dst_upload(name, seed, off, n, size, off ? NULL : sha,
			       off + n == size, NULL);
		const struct json *res = dst_result(r, name);

		rc = res && rpct_int(res, "received") == (int64_t)(off + n)
			 ? 0
			 : -EIO;
		if (!rc && off + n == size &&
		    (!rpct_bool(res, "complete") ||
		     !json_get_str(res, "sha256", &(const char *){ NULL })))
			rc = -EIO;
		json_free(r);
		off += n;
	} while (!rc && off < size);
	return rc;
}

/* Download all of @name in @piece-byte calls; 0 when it is test file
 * @seed and the answers give @sha. */
static int dst_fetch(const char *name, uint32_t seed, uint64_t size,
		     size_t piece, const char *sha)
{
	uint8_t *want = malloc(piece), *got = malloc(piece + 4);
	uint64_t off = 0;
	int rc = want && got ? 0 : -ENOMEM;

	while (!rc) {
		char params[256];
		const char *data = NULL, *s = NULL;
		size_t n = 0;
		struct json *r;
		const struct json *res;

		snprintf(params, sizeof(params),
			 "{\"name\":\"%s\",\"offset\":%llu,\"length\":%zu}",
			 name, (unsigned long long)off, piece);
		r = dst_simple("datastore.download", params);
		res = dst_result(r, "datastore.download");
		if (!res || !json_get_str(res, "data", &data) ||
		    !json_get_str(res, "sha256", &s) || strcmp(s, sha) ||
		    rpct_int(res, "size") != (int64_t)size ||
		    mbedtls_base64_decode(got, piece + 4, &n,
					  (const unsigned char *)data,
					  strlen(data)))
			rc = -EIO;
		dst_fill(seed, off, want, n);
		if (!rc && memcmp(want, got, n))
			rc = -EILSEQ;
		if (!rc && rpct_bool(res, "eof") != (off + n == size))
			rc = -EIO;
		json_free(r);
		off += n;
		if (off >= size || !n)
			break;
	}
	if (!rc && off != size)
		rc = -EIO;
	free(want);
	free(got);
	return rc;
}

/* ---- ds_rpc_ramdisk ------------------------------------------------------ */

static int dst_ram_errors(void)
{
	static const char bad_b64[] = "!!!!";
	char sha[65], params[256];
	struct json *r;
	int rc = 0;

	dst_sha_hex(5, 4096, sha);
	r = dst_upload("../x", 5, 0, 10, 10, sha, false, NULL);
	rc |= dst_error(r, RPC_INVALID_PARAMS, "params.name", "bad name");
	json_free(r);
	r = dst_upload("st/e", 5, 0, 10, 10, sha, false, bad_b64);
	rc |= dst_error(r, RPC_INVALID_PARAMS, "base64", "bad base64");
	json_free(r);
	r = dst_upload("st/e", 5, 0, 10, 10, NULL, false, NULL);
	rc |= dst_error(r, RPC_INVALID_PARAMS, "params.size", "no size");
	json_free(r);
	/* More than 1 MiB decoded. */
	r = dst_upload("st/e", 5, 0, DST_MIB + 3, DST_MIB + 3, sha, false,
		       NULL);
	rc |= dst_error(r, RPC_ERR_LIMIT, "1 MiB", "oversized chunk");
	json_free(r);
	r = dst_upload("st/huge", 5, 0, 1, 1ull << 40, sha, false, NULL);
	rc |= dst_error(r, RPC_ERR_LIMIT, "do not fit", "no space");
	json_free(r);
	r = dst_upload("st/none", 5, 4096, 1, 0, NULL, false, NULL);
	rc |= dst_error(r, RPC_ERR_NOT_FOUND, "start at offset 0",
			"chunk of no upload");
	json_free(r);
	r = dst_simple("datastore.upload.status", "{\"name\":\"st/none\"}");
	rc |= dst_error(r, RPC_ERR_NOT_FOUND, "no file", "status of none");
	json_free(r);
	r = dst_simple("datastore.delete", "{\"name\":\"st/none\"}");
	rc |= dst_error(r, RPC_ERR_NOT_FOUND, "no such file", "delete none");
	json_free(r);
	r = dst_simple("datastore.format",
		       "{\"disk\":\"nope0\",\"label\":\"x\"}");
	rc |= dst_error(r, RPC_ERR_NOT_FOUND, "no such disk", "format nope0");
	json_free(r);
	snprintf(params, sizeof(params),
		 "{\"name\":\"st/a\",\"offset\":0,"
		 "\"lenght\":1}");
	r = dst_simple("datastore.download", params);
	rc |=
	    dst_error(r, RPC_INVALID_PARAMS, "params.lenght", "unknown member");
	json_free(r);
	return rc ? -EINVAL : 0;
}

static int dst_ram_run(void)
{
	const uint64_t size = 2 * DST_MIB + DST_MIB / 2 + 3;
	char sha[65], bad[65];
	const struct json *res;
	struct json *r = NULL;
	uint64_t t0;
	int rc = 0;

	r = dst_simple("datastore.list", "{}");
	res = dst_result(r, "datastore.list");
	DST_CHECK(res && !rpct_bool(res, "mounted"), "list: mounted before "
						    "format");
	json_free(r);
	r = dst_simple("datastore.disks", "{}");
	res = dst_result(r, "datastore.disks");
	{
		const struct json *d = json_get(res, "disks"), *e;
		bool found = false;

		for (e = d ? d->child : NULL; e; e = e->next) {
			const char *n = "";

			json_get_str(e, "name", &n);
			if (!strcmp(n, "ram9"))
				found = rpct_bool(e, "formattable");
		}
		DST_CHECK(found, "datastore.disks: ram9 not listed as "
				 "formattable");
	}
	json_free(r);
	dst_sha_hex(1, size, sha);
	r = dst_upload("st/a", 1, 0, 100, size, sha, false, NULL);
	DST_CHECK(!dst_error(r, RPC_ERR_NO_DATASTORE, "datastore.format",
			     "upload without datastore"),
		  "no datastore error");
	json_free(r);
	r = dst_simple("datastore.format",
		       "{\"disk\":\"ram9\",\"label\":\"self test\"}");
	res = dst_result(r, "datastore.format");
	DST_CHECK(res && rpct_bool(res, "mounted") &&
		      rpct_int(res, "capacity_bytes") == 16 * DST_MIB,
		  "format: not mounted with 16 MiB");
	json_free(r);

	/* A chunk, a lost answer (the same chunk again), a gap. */
	t0 = time_ns();
	r = dst_upload("st/a", 1, 0, DST_MIB, size, sha, false, NULL);
	res = dst_result(r, "chunk 0");
	DST_CHECK(res && rpct_int(res, "received") == DST_MIB &&
		      !rpct_bool(res, "complete"),
		  "chunk 0: received");
	json_free(r);
	r = dst_upload("st/a", 1, 0, DST_MIB, size, sha, false, NULL);
	res = dst_result(r, "chunk 0 again");
	DST_CHECK(res && rpct_int(res, "received") == DST_MIB,
		  "chunk 0 repeated: received changed");
	json_free(r);
	r = dst_upload("st/a", 1, 2 * DST_MIB, 100, 0, NULL, false, NULL);
	DST_CHECK(!dst_error(r, RPC_INVALID_PARAMS, "at offset 1048576", "gap"),
		  "gap");
	json_free(r);
	r = dst_simple("datastore.upload.status", "{\"name\":\"st/a\"}");
	res = dst_result(r, "status");
	DST_CHECK(res && rpct_int(res, "received") == DST_MIB &&
		      rpct_int(res, "size") == (int64_t)size,
		  "status: resume point");
	json_free(r);
	r = dst_simple("datastore.download",
		       "{\"name\":\"st/a\",\"offset\":0}");
	DST_CHECK(!dst_error(r, RPC_ERR_BAD_STATE, "finish the upload",
			     "download of an upload"),
		  "download while uploading");
	json_free(r);
	r = NULL;
	DST_CHECK(!dst_send("st/a", 1, size, DST_MIB, sha), "upload st/a");
	log_info("ds_selftest: %llu bytes uploaded through rpc_handle in "
		 "%llu us",
		 (unsigned long long)size,
		 (unsigned long long)((time_ns() - t0) / 1000));
	DST_CHECK(!dst_fetch("st/a", 1, size, DST_MIB, sha), "download st/a");
	DST_CHECK(!dst_fetch("st/a", 1, size, 300001, sha),
		  "download st/a in odd pieces");

	/* A wrong digest: checksum error, file failed, deletable. */
	dst_sha_hex(1, 5000, bad);
	bad[0] = bad[0] == '0' ? '1' : '0';
	r = dst_upload("st/bad", 1, 0, 5000, 5000, bad, true, NULL);
	DST_CHECK(
	    !dst_error(r, RPC_ERR_CHECKSUM, "marked failed", "wrong sha256"),
	    "checksum");
	json_free(r);
	r = dst_simple("datastore.download",
		       "{\"name\":\"st/bad\",\"offset\":0}");
	DST_CHECK(!dst_error(r, RPC_ERR_BAD_STATE, "failed", "download bad"),
		  "download of a failed file");
	json_free(r);
	r = dst_simple("datastore.delete", "{\"name\":\"st/bad\"}");
	DST_CHECK(dst_result(r, "delete st/bad"), "delete");
	json_free(r);
	/* The same file again at offset 0: nothing to do, complete. */
	r = dst_upload("st/a", 1, 0, DST_MIB, size, sha, false, NULL);
	res = dst_result(r, "st/a again");
	DST_CHECK(res && rpct_bool(res, "complete") &&
		      rpct_int(res, "received") == (int64_t)size,
		  "re-upload of a complete file");
	json_free(r);
	r = dst_simple("datastore.list", "{}");
	res = dst_result(r, "list");
	DST_CHECK(res && json_get(res, "files") &&
		      json_get(res, "files")->len == 1,
		  "list: not exactly st/a");
	json_free(r);
	r = NULL;
	rc = dst_ram_errors();
out:
	json_free(r);
	return rc;
}

static int dst_ramdisk(void)
{
	struct blk_ramdisk *rd;
	struct ds_status st;
	void *mem;
	int rc;

	ds_status(&st);
	if (st.mounted) {
		log_info("ds_selftest: RAM-disk test skipped: the datastore on "
			 "%s is mounted",
			 st.disk);
		return 0;
	}
	rd = calloc(1, sizeof(*rd));
	mem = calloc(1, DST_RAM_BYTES);
	if (!rd || !mem) {
		free(rd);
		free(mem);
		log_err("ds_selftest: no memory for a RAM disk");
		return -ENOMEM;
	}
	blk_ramdisk_init(rd, "ram9", mem, 512, DST_RAM_BYTES / 512);
	rc = blk_register(&rd->dev);
	if (!rc) {
		rc = dst_ram_run();
		if (ds_unmount())
			log_err(
			    "ds_selftest: cannot unmount the RAM datastore");
		blk_unregister(&rd->dev);
	}
	free(mem);
	free(rd);
	return rc;
}

/* ---- ds_rpc_disk (keel.dstest=DISK) -------------------------------------- */

#define DST_BOOT1_SIZE (5 * DST_MIB + 77)
#define DST_PARTIAL_SIZE (6 * DST_MIB + 5)
#define DST_PARTIAL_SENT (5 * DST_MIB)

static int dst_boot1(const char *disk)
{
	char params[160], sha[65], sha2[65];
	struct json *r;
	const struct json *res;
	int rc = 0;

	snprintf(params, sizeof(params),
		 "{\"disk\":\"%s\",\"label\":\"dstest\"}", disk);
	r = dst_simple("datastore.format", params);
	res = dst_result(r, "datastore.format");
	DST_CHECK(res && rpct_bool(res, "mounted"), "format %s", disk);
	json_free(r);
	r = NULL;
	dst_sha_hex(1, DST_BOOT1_SIZE, sha);
	DST_CHECK(!dst_send("dstest/boot1.bin", 1, DST_BOOT1_SIZE, 0, sha),
		  "upload boot1.bin");
	DST_CHECK(
	    !dst_fetch("dstest/boot1.bin", 1, DST_BOOT1_SIZE, DST_MIB, sha),
	    "download boot1.bin");
	/* partial.bin: 5 MiB of 6, then the host "goes away". */
	dst_sha_hex(2, DST_PARTIAL_SIZE, sha2);
	for (uint64_t off = 0; off < DST_PARTIAL_SENT; off += DST_MIB) {
		r = dst_upload("dstest/partial.bin", 2, off, DST_MIB,
			       DST_PARTIAL_SIZE, off ? NULL : sha2, false,
			       NULL);
		res = dst_result(r, "partial.bin");
		DST_CHECK(res && rpct_int(res, "received") ==
				     (int64_t)(off + DST_MIB),
			  "partial.bin chunk at %llu", (unsigned long long)off);
		json_free(r);
		r = NULL;
	}
	log_info("dstest: boot 1: formatted %s; dstest/boot1.bin uploaded, "
		 "SHA-256 %s; dstest/partial.bin left at %u of %u bytes",
		 disk, sha, DST_PARTIAL_SENT, DST_PARTIAL_SIZE);
out:
	json_free(r);
	return rc;
}

static int dst_boot2(void)
{
	char sha[65], sha2[65];
	const struct json *res, *f;
	struct json *r;
	const char *s = NULL;
	int64_t got;
	int rc = 0;

	dst_sha_hex(1, DST_BOOT1_SIZE, sha);
	dst_sha_hex(2, DST_PARTIAL_SIZE, sha2);
	r = dst_simple("datastore.list", "{}");
	res = dst_result(r, "datastore.list");
	f = res ? json_at(json_get(res, "files"), 0) : NULL;
	DST_CHECK(f && json_get_str(f, "name", &s) &&
		      !strcmp(s, "dstest/boot1.bin") &&
		      rpct_bool(f, "complete") &&
		      json_get_str(f, "sha256", &s) && !strcmp(s, sha),
		  "list: boot1.bin not complete with its SHA-256");
	json_free(r);
	r = NULL;
	DST_CHECK(
	    !dst_fetch("dstest/boot1.bin", 1, DST_BOOT1_SIZE, DST_MIB, sha),
	    "boot1.bin does not read back");
	r = dst_simple("datastore.upload.status",
		       "{\"name\":\"dstest/partial.bin\"}");
	res = dst_result(r, "status partial.bin");
	got = res ? rpct_int(res, "received") : -1;
	DST_CHECK(res && !rpct_bool(res, "complete") && got > 0 &&
		      got <= DST_PARTIAL_SENT,
		  "partial.bin: received %lld after the reboot",
		  (long long)got);
	json_free(r);
	r = NULL;
	DST_CHECK(!dst_send("dstest/partial.bin", 2, DST_PARTIAL_SIZE,
			    (uint64_t)got, sha2),
		  "partial.bin does not resume");
	DST_CHECK(!dst_fetch("dstest/partial.bin", 2, DST_PARTIAL_SIZE, DST_MIB,
			     sha2),
		  "partial.bin does not read back");
	log_info("dstest: boot 2: dstest/boot1.bin read back, SHA-256 %s; "
		 "dstest/partial.bin resumed at %lld and completed, SHA-256 %s",
		 sha, (long long)got, sha2);
out:
	json_free(r);
	return rc;
}

static int dst_disk(const char *disk)
{
	struct ds_status st;

	ds_status(&st);
	if (st.mounted && !strcmp(st.disk, disk) && !strcmp(st.label, "dstest"))
		return dst_boot2();
	if (st.mounted) {
		log_err("dstest: the datastore on %s is mounted; not %s",
			st.disk, disk);
		return -EBUSY;
	}
	return dst_boot1(disk);
}
/* One test, so the RAM disk part surely runs before the disk part
 * formats DISK (self-tests of one file need not run in file order). */
static int ds_rpc(void)
{
	char disk[32];
	int rc;

	/* In self-test mode this runs the boot-time search itself. */
	ds_wait_ready(10 * NSEC_PER_SEC);
	rc = dst_ramdisk();
	if (rc)
		return rc;
	if (cmdline_get("keel.dstest", disk, sizeof(disk)) <= 0) {
		log_info(
		    "ds_selftest: disk test skipped (no keel.dstest=DISK)");
		return 0;
	}
	return dst_disk(disk);
}
KEEL_SELFTEST(ds_rpc, ds_rpc);
