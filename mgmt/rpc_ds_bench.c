// SPDX-License-Identifier: MIT
/*
 * keel.dsbench=DISK: datastore throughput from inside Keel (bench/
 * datastore.py runs it under QEMU), then power off. It formats DISK
 * (force: it erases it) and measures, in 1 MiB chunks over DSB_BYTES:
 *
 *   ds write     ds_upload_write, what every upload ends in
 *   ds verify    ds_upload_finish: read back and SHA-256 the file
 *   ds read      ds_read
 *   rpc upload   rpc_handle() of datastore.upload bodies (JSON parse,
 *                base64 decode, write; the last one with done, so the
 *                verify is included): the endpoint's cost after TLS
 *   rpc download rpc_handle() of datastore.download (read, base64,
 *                JSON)
 *
 * Figures in MB/s and TSC ticks per MiB (under -icount shift=0 a tick is
 * an instruction). Integer arithmetic only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/power.h"
#include "core/time.h"
#include "datastore/ds.h"
#include "mgmt/rpc.h"

CMDLINE_OPTION(dsbench, "keel.dsbench",
	       "DISK: format (erase) DISK as a datastore, measure uploads "
	       "and downloads, power off");

#define DSB_MIB (1u << 20)
#define DSB_MIBS 32u
#define DSB_BYTES (DSB_MIBS * DSB_MIB)

static const struct rpc_caller dsb_caller = { .addr = "127.0.0.1",
					      .user = "root",
					      .who = "dsbench@local" };

struct dsb_clock {
	uint64_t ns, ticks;
	uint64_t t0, c0;
};

static void dsb_start(struct dsb_clock *k)
{
	k->t0 = time_ns();
	k->c0 = cpu_rdtsc();
}

static void dsb_stop(struct dsb_clock *k)
{
	k->ticks += cpu_rdtsc() - k->c0;
	k->ns += time_ns() - k->t0;
}

static void dsb_report(const char *what, const struct dsb_clock *k)
{
	log_info("dsbench: %s %u MiB in %llu us = %llu MB/s, %llu TSC ticks "
		 "per MiB",
		 what, DSB_MIBS, (unsigned long long)(k->ns / 1000),
		 (unsigned long long)(k->ns ? (uint64_t)DSB_BYTES * 1000 / k->ns
					    : 0),
		 (unsigned long long)(k->ticks / DSB_MIBS));
}

/* Run one body; true when the answer has no error. */
static bool dsb_rpc(const char *body, size_t len, struct jw *out,
		    struct dsb_clock *k)
{
	dsb_start(k);
	rpc_handle(body, len, &dsb_caller, out);
	dsb_stop(k);
	if (!out->buf || strstr(out->buf, "\"error\"")) {
		log_err("dsbench: rpc answer %.200s",
			out->buf ? out->buf : "-");
		return false;
	}
	return true;
}

static int dsb_layer(const uint8_t *chunk, const uint8_t sha[32], uint8_t *rb)
{
	struct dsb_clock w = { 0 }, v = { 0 }, r = { 0 };
	uint64_t got;
	int rc;

	rc = ds_upload_begin("bench/ds.bin", DSB_BYTES, sha, false, &got);
	for (uint32_t i = 0; i < DSB_MIBS && !rc; i++) {
		dsb_start(&w);
		rc = ds_upload_write("bench/ds.bin", (uint64_t)i * DSB_MIB,
				     chunk, DSB_MIB, &got);
		dsb_stop(&w);
	}
	if (!rc) {
		dsb_start(&v);
		rc = ds_upload_finish("bench/ds.bin", NULL);
		dsb_stop(&v);
	}
	for (uint32_t i = 0; i < DSB_MIBS && !rc; i++) {
		long n;

		dsb_start(&r);
		n = ds_read("bench/ds.bin", (uint64_t)i * DSB_MIB, rb, DSB_MIB);
		dsb_stop(&r);
		if (n != DSB_MIB || memcmp(rb, chunk, DSB_MIB))
			rc = -EIO;
	}
	if (rc) {
		log_err("dsbench: datastore layer failed (%d)", rc);
		return rc;
	}
	dsb_report("ds write", &w);
	dsb_report("ds verify", &v);
	dsb_report("ds read", &r);
	return 0;
}

static int dsb_rpc_layer(const uint8_t *chunk, const char *sha_hex)
{
	size_t cap = (DSB_MIB + 2) / 3 * 4 + 1, olen = 0;
	unsigned char *b64 = malloc(cap);
	struct dsb_clock up = { 0 }, down = { 0 };
	struct jw body, out;
	int rc = 0;

	if (!b64)
		return -ENOMEM;
	mbedtls_base64_encode(b64, cap, &olen, chunk, DSB_MIB);
	jw_init(&body, 0);
	jw_init(&out, 4u << 20);
	for (uint32_t i = 0; i < DSB_MIBS && !rc; i++) {
		jw_reset(&body);
		jw_obj_begin(&body);
		jw_kstr(&body, "jsonrpc", "2.0");
		jw_kstr(&body, "method", "datastore.upload");
		jw_key(&body, "params");
		jw_obj_begin(&body);
		jw_kstr(&body, "name", "bench/rpc.bin");
		jw_kuint(&body, "offset", (uint64_t)i * DSB_MIB);
		jw_key(&body, "data");
		jw_strn(&body, (const char *)b64, olen);
		if (!i) {
			jw_kuint(&body, "size", DSB_BYTES);
			jw_kstr(&body, "sha256", sha_hex);
		}
		if (i == DSB_MIBS - 1)
			jw_kbool(&body, "done", true);
		jw_obj_end(&body);
		jw_kint(&body, "id", 1);
		jw_obj_end(&body);
		if (!jw_ok(&body) || !dsb_rpc(body.buf, body.len, &out, &up))
			rc = -EIO;
	}
	for (uint32_t i = 0; i < DSB_MIBS && !rc; i++) {
		char req[200];
		int n = snprintf(req, sizeof(req),
				 "{\"jsonrpc\":\"2.0\",\"method\":"
				 "\"datastore.download\",\"params\":{\"name\":"
				 "\"bench/rpc.bin\",\"offset\":%u},\"id\":1}",
				 i * DSB_MIB);

		if (!dsb_rpc(req, (size_t)n, &out, &down) ||
		    !strstr(out.buf, (const char *)b64))
			rc = -EIO;
	}
	jw_free(&body);
	jw_free(&out);
	free(b64);
	if (rc) {
		log_err("dsbench: RPC layer failed");
		return rc;
	}
	dsb_report("rpc upload", &up);
	dsb_report("rpc download", &down);
	return 0;
}

static void dsb_run(const char *disk)
{
	uint8_t *chunk = malloc(DSB_MIB), *rb = malloc(DSB_MIB), sha[32];
	mbedtls_sha256_context c;
	char why[160], hex[65];
	static const char digits[] = "0123456789abcdef";

	if (!chunk || !rb) {
		log_err("dsbench: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < DSB_MIB; i++)
		chunk[i] = (uint8_t)(i * 131 + (i >> 12) * 17);
	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	for (uint32_t i = 0; i < DSB_MIBS; i++)
		mbedtls_sha256_update_ret(&c, chunk, DSB_MIB);
	mbedtls_sha256_finish_ret(&c, sha);
	mbedtls_sha256_free(&c);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 15];
	}
	hex[64] = 0;
	ds_wait_ready(10 * NSEC_PER_SEC);
	if (ds_unmount() || ds_format(disk, "bench", true, why, sizeof(why))) {
		log_err("dsbench: cannot format %s: %s", disk, why);
		goto out;
	}
	if (!dsb_layer(chunk, sha, rb))
		dsb_rpc_layer(chunk, hex);
out:
	free(chunk);
	free(rb);
}

static void dsb_init(void)
{
	char disk[32];

	if (cmdline_get("keel.dsbench", disk, sizeof(disk)) <= 0)
		return;
	dsb_run(disk);
	log_info("dsbench: done");
	power_off();
}
KEEL_INIT(INIT_LATE, dsb_init);
