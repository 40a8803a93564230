/* SPDX-License-Identifier: MIT */
/*
 * Shared by the datastore unit tests: file contents that can be checked
 * at any offset without keeping them, their SHA-256, and an upload of a
 * whole such file.
 */
#ifndef KEEL_TESTS_DS_UTIL_H
#define KEEL_TESTS_DS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "datastore/ds.h"

/* Word @w of test file @seed (splitmix64); byte @off is byte off % 8 of
 * word off / 8 (little endian). */
static inline uint64_t dsu_word(uint32_t seed, uint64_t w)
{
	uint64_t z = w + ((uint64_t)seed << 40) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint8_t dsu_byte(uint32_t seed, uint64_t off)
{
	return (uint8_t)(dsu_word(seed, off / 8) >> (8 * (off % 8)));
}

static inline void dsu_fill(uint32_t seed, uint64_t off, uint8_t *buf,
			    size_t len)
{
	size_t i = 0;

	for (; i < len && (off + i) % 8; i++)
		buf[i] = dsu_byte(seed, off + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t z = dsu_word(seed, (off + i) / 8);

		memcpy(buf + i, &z, 8);
	}
	for (; i < len; i++)
		buf[i] = dsu_byte(seed, off + i);
}

/* Whether @buf holds bytes [off, off + len) of file @seed. */
static inline int dsu_check(uint32_t seed, uint64_t off, const uint8_t *buf,
			    size_t len)
{
	uint8_t tmp[4096];

	for (size_t i = 0; i < len; i += sizeof(tmp)) {
		size_t n = len - i < sizeof(tmp) ? len - i : sizeof(tmp);

		dsu_fill(seed, off + i, tmp, n);
		if (memcmp(tmp, buf + i, n))
			return 0;
	}
	return 1;
}

static inline void dsu_sha(uint32_t seed, uint64_t size, uint8_t out[32])
{
	mbedtls_sha256_context c;
	uint8_t buf[4096];

	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	for (uint64_t o = 0; o < size; o += sizeof(buf)) {
		size_t n =
		    size - o < sizeof(buf) ? (size_t)(size - o) : sizeof(buf);

		dsu_fill(seed, o, buf, n);
		mbedtls_sha256_update_ret(&c, buf, n);
	}
	mbedtls_sha256_finish_ret(&c, out);
	mbedtls_sha256_free(&c);
}

/* Upload test file @seed of @size bytes as @name in one write; with
 * @verify its SHA-256 goes to ds_upload_begin for the finish to check. */
static inline int dsu_upload(const char *name, uint32_t seed, uint64_t size,
			     bool verify)
{
	uint8_t sha[32], *buf = malloc(size ? size : 1);
	uint64_t got;
	int rc;

	if (verify)
		dsu_sha(seed, size, sha);
	dsu_fill(seed, 0, buf, size);
	rc = ds_upload_begin(name, size, verify ? sha : NULL, false, &got);
	if (!rc)
		rc = ds_upload_write(name, 0, buf, size, &got);
	free(buf);
	return rc ? rc : ds_upload_finish(name, NULL);
}

#endif
