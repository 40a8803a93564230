// SPDX-License-Identifier: MIT
/*
 * The datastore.* methods (mgmt/rpc_ds.c) as a client sees them, through
 * rpc_handle() over a RAM-disk datastore: base64 at every length and
 * every malformed form, the 1 MiB chunk limit, each documented error
 * code with the words a person acts on (the offset to resume from, the
 * reason a disk is refused, the free space), idempotent repeats, and the
 * audit records of format, delete and an upload's start and end.
 * UNIT_SRCS: mgmt/rpc_ds.c mgmt/rpc.c mgmt/json.c mgmt/json_write.c datastore/ds.c datastore/ds_disk.c datastore/ds_meta.c datastore/ds_alloc.c datastore/ds_upload.c datastore/ds_format.c drivers/blk.c drivers/blk_ramdisk.c drivers/blk_boot.c drivers/gpt.c drivers/crc32.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/host_entropy.c
 * UNIT_LIBS: mbedcrypto
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "datastore/ds.h"
#include "drivers/blk.h"
#include "ds_util.h"
#include "mgmt/rpc.h"
#include "store/store.h"
#include "unit.h"

#define MIB (1u << 20)

static char audit_what[16][160];
static int audit_n;

int store_audit(const char *who, const char *what)
{
	if (audit_n < 16)
		snprintf(audit_what[audit_n], sizeof(audit_what[0]), "%s",
			 what);
	audit_n++;
	return 0;
}

static bool audited(const char *frag)
{
	for (int i = 0; i < audit_n && i < 16; i++)
		if (strstr(audit_what[i], frag))
			return true;
	return false;
}

static const struct rpc_caller root = { .addr = "10.0.2.2",
					.user = "root",
					.who = "root@10.0.2.2" };

/* The answer to @body, parsed. */
static struct json *call(const char *body, size_t len)
{
	struct json_error err;
	struct json *r;
	struct jw out;

	jw_init(&out, 4u << 20);
	rpc_handle(body, len, &root, &out);
	r = json_parse(out.buf, out.len, 0, &err);
	jw_free(&out);
	return r;
}

static struct json *callf(const char *method, const char *params)
{
	char *b = malloc(strlen(params) + 200);
	int n = sprintf(b,
			"{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s,"
			"\"id\":1}",
			method, params);
	struct json *r = call(b, (size_t)n);

	free(b);
	return r;
}

/* A datastore.upload with @data given as base64 text (NULL: encode
 * @len bytes of test file @seed at @off). */
static struct json *up(const char *name, uint32_t seed, uint64_t off,
		       size_t len, const char *b64, const char *extra)
{
	size_t cap = (len + 2) / 3 * 4 + 1, olen = 0;
	char *enc = malloc(cap), *params;
	uint8_t *buf = malloc(len + 1);
	struct json *r;

	enc[0] = 0; /* mbedTLS writes nothing for no bytes */
	dsu_fill(seed, off, buf, len);
	mbedtls_base64_encode((unsigned char *)enc, cap, &olen, buf, len);
	params = malloc(cap + strlen(extra) + 300);
	sprintf(params, "{\"name\":\"%s\",\"offset\":%llu,\"data\":\"%s\"%s}",
		name, (unsigned long long)off, b64 ? b64 : enc, extra);
	r = callf("datastore.upload", params);
	free(params);
	free(enc);
	free(buf);
	return r;
}

/* ",\"size\":N,\"sha256\":\"...\"" for test file @seed. */
static const char *first(uint32_t seed, uint64_t size, const char *more)
{
	static char s[256];
	uint8_t d[32];
	char hex[65];

	dsu_sha(seed, size, d);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	snprintf(s, sizeof(s), ",\"size\":%llu,\"sha256\":\"%s\"%s",
		 (unsigned long long)size, hex, more);
	return s;
}

static int64_t err_code(const struct json *r)
{
	int64_t c = 0;

	json_get_int(json_get(r, "error"), "code", &c);
	return c;
}

static const char *err_msg(const struct json *r)
{
	const char *m = "";

	json_get_str(json_get(r, "error"), "message", &m);
	return m;
}

static const struct json *res(const struct json *r)
{
	return json_get(r, "result");
}

static int64_t res_int(const struct json *r, const char *k)
{
	int64_t v = -1;

	json_get_int(res(r), k, &v);
	return v;
}

static bool res_bool(const struct json *r, const char *k)
{
	bool b = false;

	json_get_bool(res(r), k, &b);
	return b;
}

static struct blk_ramdisk rd, usb;
static uint8_t *mem, *usbmem;

static void setup(void)
{
	struct json *r;

	mem = calloc(1, 24 * MIB);
	usbmem = calloc(1, 24 * MIB);
	blk_ramdisk_init(&rd, "nvme0n1", mem, 512, 24 * MIB / 512);
	blk_ramdisk_init(&usb, "usb0", usbmem, 512, 24 * MIB / 512);
	blk_register(&rd.dev);
	blk_register(&usb.dev);
	r = callf("datastore.format", "{\"disk\":\"nvme0n1\",\"label\":\"t\"}");
	UNIT_CHECK(res_bool(r, "mounted"));
	json_free(r);
}

static void teardown(void)
{
	ds_unmount();
	blk_unregister(&rd.dev);
	blk_unregister(&usb.dev);
	free(mem);
	free(usbmem);
}

UNIT_TEST(rpc_ds_no_datastore_and_format)
{
	struct json *r;

	r = callf("datastore.list", "{}");
	UNIT_CHECK(res(r) && !res_bool(r, "mounted"));
	json_free(r);
	r = up("a", 1, 0, 10, NULL, first(1, 10, ""));
	UNIT_CHECK(err_code(r) == RPC_ERR_NO_DATASTORE &&
		   strstr(err_msg(r), "datastore.format"));
	json_free(r);
	setup();
	UNIT_CHECK(audited("datastore.format nvme0n1 \"t\": ok"));
	r = callf("datastore.format", "{\"disk\":\"usb0\",\"label\":\"t\","
				      "\"force\":true}");
	UNIT_CHECK(err_code(r) == RPC_ERR_BAD_STATE &&
		   strstr(err_msg(r), "USB"));
	json_free(r);
	r = callf("datastore.format", "{\"disk\":\"nvme0n1\",\"label\":\"t\"}");
	UNIT_CHECK(err_code(r) == RPC_ERR_BAD_STATE &&
		   strstr(err_msg(r), "force erases every file"));
	json_free(r);
	r = callf("datastore.format",
		  "{\"disk\":\"nvme0n1\",\"label\":\"a/b\"}");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "params.label"));
	json_free(r);
	r = callf("datastore.format", "{\"disk\":\"sda\",\"label\":\"x\"}");
	UNIT_CHECK(err_code(r) == RPC_ERR_NOT_FOUND);
	json_free(r);
	r = callf("datastore.disks", "{}");
	{
		const struct json *d = json_get(res(r), "disks");
		const char *why = "";

		UNIT_CHECK(d && d->len == 2);
		json_get_str(json_at(d, 1), "why", &why);
		UNIT_CHECK(strstr(why, "USB"));
	}
	json_free(r);
	teardown();
}

UNIT_TEST(rpc_ds_base64_every_length)
{
	setup();
	/* Lengths 0..9 (every padding case) up and back down. */
	for (int n = 0; n < 10; n++) {
		char name[16], p[96];
		struct json *r;
		const char *data = NULL;
		uint8_t got[16], want[16];
		size_t glen = 0;

		snprintf(name, sizeof(name), "len%d", n);
		r = up(name, 7, 0, (size_t)n, NULL,
		       first(7, (uint64_t)n, ",\"done\":true"));
		UNIT_CHECK(res_bool(r, "complete") && res_int(r, "size") == n);
		json_free(r);
		snprintf(p, sizeof(p), "{\"name\":\"%s\",\"offset\":0}", name);
		r = callf("datastore.download", p);
		UNIT_CHECK(json_get_str(res(r), "data", &data));
		UNIT_CHECK(!mbedtls_base64_decode(got, sizeof(got), &glen,
						  (const unsigned char *)data,
						  strlen(data)));
		dsu_fill(7, 0, want, (size_t)n);
		UNIT_CHECK(glen == (size_t)n && !memcmp(got, want, glen));
		UNIT_CHECK(res_bool(r, "eof"));
		json_free(r);
	}
	/* Malformed: length, '=' in the middle, too much padding, white
	 * space, other alphabets. */
	{
		static const char *const bad[] = { "abc",	"ab=c", "a===",
						   "ab\\ncd==", "====", "ab-_",
						   "YWJj YWJj" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct json *r =
			    up("b", 1, 0, 0, bad[i], first(1, 3, ""));

			UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
				   strstr(err_msg(r), "base64"));
			json_free(r);
		}
		/* Nothing was reserved by the refused calls. */
		struct json *r =
		    callf("datastore.upload.status", "{\"name\":\"b\"}");
		UNIT_CHECK(err_code(r) == RPC_ERR_NOT_FOUND);
		json_free(r);
	}
	teardown();
}

UNIT_TEST(rpc_ds_chunks_and_errors)
{
	const uint64_t size = 2 * MIB + 10;
	struct json *r;

	setup();
	audit_n = 0;
	/* 1 MiB exactly is one chunk; one byte more is refused. */
	r = up("f", 3, 0, MIB + 1, NULL, first(3, size, ""));
	UNIT_CHECK(err_code(r) == RPC_ERR_LIMIT && strstr(err_msg(r), "1 MiB"));
	json_free(r);
	r = up("f", 3, 0, MIB, NULL, ",\"size\":5");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "params.sha256: missing"));
	json_free(r);
	r = up("f", 3, 0, MIB, NULL, ",\"size\":5,\"sha256\":\"xyz\"");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "64 hex"));
	json_free(r);
	r = up("../f", 3, 0, 1, NULL, first(3, size, ""));
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "params.name"));
	json_free(r);
	r = up("f", 3, 0, MIB, NULL, first(3, size, ",\"sise\":1"));
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "params.sise"));
	json_free(r);
	r = up("f", 3, MIB, 5, NULL, "");
	UNIT_CHECK(err_code(r) == RPC_ERR_NOT_FOUND &&
		   strstr(err_msg(r), "start at offset 0"));
	json_free(r);

	r = up("f", 3, 0, MIB, NULL, first(3, size, ""));
	UNIT_CHECK(res_int(r, "received") == MIB && !res_bool(r, "complete"));
	json_free(r);
	UNIT_CHECK(audited("datastore.upload f: started, 2097162 bytes"));
	/* The answer was lost: the same chunk again changes nothing. */
	r = up("f", 3, 0, MIB, NULL, first(3, size, ""));
	UNIT_CHECK(res_int(r, "received") == MIB);
	json_free(r);
	/* A gap names the offset to send. */
	r = up("f", 3, 2 * MIB, 10, NULL, "");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "send the next chunk at offset 1048576"));
	json_free(r);
	/* done too early names it too. */
	r = up("f", 3, MIB, 100, NULL, ",\"done\":true");
	UNIT_CHECK(err_code(r) == RPC_ERR_BAD_STATE &&
		   strstr(err_msg(r), "from offset 1048676"));
	json_free(r);
	/* Another size later is refused; the same is accepted. */
	r = up("f", 3, MIB + 100, 10, NULL, ",\"size\":7");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "params.size"));
	json_free(r);
	r = up("f", 3, MIB + 100, MIB - 100, NULL, first(3, size, ""));
	UNIT_CHECK(res_int(r, "received") == 2 * MIB);
	json_free(r);
	/* Past the declared size. */
	r = up("f", 3, 2 * MIB, 11, NULL, "");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "past the declared size"));
	json_free(r);
	r = callf("datastore.download", "{\"name\":\"f\",\"offset\":0}");
	UNIT_CHECK(err_code(r) == RPC_ERR_BAD_STATE &&
		   strstr(err_msg(r), "finish the upload"));
	json_free(r);
	r = up("f", 3, 2 * MIB, 10, NULL, ",\"done\":true");
	UNIT_CHECK(res_bool(r, "complete") && res_int(r, "received") == size);
	json_free(r);
	UNIT_CHECK(audited("datastore.upload f: complete"));
	/* Repeats of the last chunk and of the whole file: complete. */
	r = up("f", 3, 2 * MIB, 10, NULL, ",\"done\":true");
	UNIT_CHECK(res_bool(r, "complete"));
	json_free(r);
	r = up("f", 3, 0, MIB, NULL, first(3, size, ""));
	UNIT_CHECK(res_bool(r, "complete"));
	json_free(r);
	/* Another file of that name: exists, unless overwrite. */
	r = up("f", 4, 0, 10, NULL, first(4, 10, ""));
	UNIT_CHECK(err_code(r) == RPC_ERR_EXISTS &&
		   strstr(err_msg(r), "a complete file of 2097162 bytes"));
	json_free(r);
	/* Downloads: ranges, the end, past the end, limits. */
	r = callf("datastore.download",
		  "{\"name\":\"f\",\"offset\":2097160,\"length\":100}");
	UNIT_CHECK(res_int(r, "length") == 2 && res_bool(r, "eof"));
	json_free(r);
	r = callf("datastore.download", "{\"name\":\"f\",\"offset\":2097163}");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS &&
		   strstr(err_msg(r), "past the end"));
	json_free(r);
	r = callf("datastore.download",
		  "{\"name\":\"f\",\"offset\":0,\"length\":1048577}");
	UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS);
	json_free(r);
	r = callf("datastore.download", "{\"name\":\"g\",\"offset\":0}");
	UNIT_CHECK(err_code(r) == RPC_ERR_NOT_FOUND &&
		   strstr(err_msg(r), "no such file"));
	json_free(r);
	/* No space, then overwrite replaces. */
	r = up("big", 5, 0, 0, NULL, first(5, 30 * MIB, ""));
	UNIT_CHECK(err_code(r) == RPC_ERR_LIMIT &&
		   strstr(err_msg(r), "bytes free"));
	json_free(r);
	r = up("f", 4, 0, 10, NULL, first(4, 10, ",\"overwrite\":true"));
	UNIT_CHECK(res_int(r, "size") == 10 && res_int(r, "received") == 10);
	json_free(r);
	/* A wrong digest: checksum, failed, deletable (audited). */
	r = up("x", 6, 0, 100, NULL,
	       ",\"size\":100,\"sha256\":\"0000000000000000000000000000000000"
	       "000000000000000000000000000000\",\"done\":true");
	UNIT_CHECK(err_code(r) == RPC_ERR_CHECKSUM &&
		   strstr(err_msg(r), "delete it and upload it again"));
	json_free(r);
	r = callf("datastore.upload.status", "{\"name\":\"x\"}");
	{
		const char *st = "";

		json_get_str(res(r), "state", &st);
		UNIT_CHECK(!strcmp(st, "failed"));
	}
	json_free(r);
	r = callf("datastore.delete", "{\"name\":\"x\"}");
	UNIT_CHECK(res_bool(r, "deleted"));
	json_free(r);
	UNIT_CHECK(audited("datastore.delete x: ok"));
	r = callf("datastore.delete", "{\"name\":\"x\"}");
	UNIT_CHECK(err_code(r) == RPC_ERR_NOT_FOUND);
	json_free(r);
	UNIT_CHECK(audited("datastore.delete x: no such file"));
	r = callf("datastore.list", "{}");
	UNIT_CHECK(res(r) && json_get(res(r), "files")->len == 1);
	json_free(r);
	teardown();
}

/* datastore.create: an empty disk, listed as one; bad sizes and names,
 * a taken name and no space refused; a disk in use cannot be deleted. */
UNIT_TEST(rpc_ds_create_disk)
{
	struct ds_disk *d;
	struct json *r;
	const struct json *f;
	char buf[64];

	setup();
	r = callf("datastore.create", "{\"name\":\"vm1/root.img\",\"size_mb\":4}");
	UNIT_CHECK(res_int(r, "size") == 4 * MIB && res_bool(r, "disk") &&
		   res_bool(r, "complete") &&
		   json_get(res(r), "sha256")->type == JSON_NULL);
	json_free(r);
	UNIT_CHECK(audited("datastore.create vm1/root.img (4 MiB): ok"));
	UNIT_CHECK(ds_read("vm1/root.img", 4 * MIB - 64, buf, 64) == 64);
	for (int i = 0; i < 64; i++)
		UNIT_CHECK(buf[i] == 0);
	r = callf("datastore.list", "{}");
	f = json_at(json_get(res(r), "files"), 0);
	{
		bool disk = false;

		UNIT_CHECK(json_get_bool(f, "disk", &disk) && disk);
	}
	json_free(r);
	static const char *const bad[] = {
		"{\"name\":\"x\",\"size_mb\":0}",
		"{\"name\":\"x\",\"size_mb\":-5}",
		"{\"name\":\"x\",\"size_mb\":1.5}",
		"{\"name\":\"x\",\"size_mb\":\"4\"}",
		"{\"name\":\"x\"}",
		"{\"name\":\"../x\",\"size_mb\":1}",
		"{\"name\":\"a b\",\"size_mb\":1}",
		"{\"name\":\"x\",\"size_mb\":1,\"sizemb\":1}",
		"{\"name\":\"x\",\"size_mb\":2000000}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = callf("datastore.create", bad[i]);
		UNIT_CHECK(err_code(r) == RPC_INVALID_PARAMS);
		json_free(r);
	}
	r = callf("datastore.create", "{\"name\":\"vm1/root.img\",\"size_mb\":1}");
	UNIT_CHECK(err_code(r) == RPC_ERR_EXISTS);
	json_free(r);
	r = callf("datastore.create", "{\"name\":\"huge\",\"size_mb\":100}");
	UNIT_CHECK(err_code(r) == RPC_ERR_LIMIT &&
		   strstr(err_msg(r), "MiB free"));
	json_free(r);
	/* In use by a VM: delete refused, then allowed. */
	UNIT_CHECK(ds_disk_open("vm1/root.img", &d) == 0);
	r = callf("datastore.list", "{}");
	f = json_at(json_get(res(r), "files"), 0);
	{
		bool used = false;

		UNIT_CHECK(json_get_bool(f, "in_use", &used) && used);
	}
	json_free(r);
	r = callf("datastore.delete", "{\"name\":\"vm1/root.img\"}");
	UNIT_CHECK(err_code(r) == RPC_ERR_BUSY &&
		   strstr(err_msg(r), "running VM"));
	json_free(r);
	ds_disk_close(d);
	r = callf("datastore.delete", "{\"name\":\"vm1/root.img\"}");
	UNIT_CHECK(res_bool(r, "deleted"));
	json_free(r);
	teardown();
}
