// SPDX-License-Identifier: MIT
/* Datastore transfer helpers (client/xfer.h). */
#include "client/xfer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

void kc_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = 0;
}

int kc_xfer_sha256_fd(int fd, uint8_t out[32])
{
	mbedtls_sha256_context c;
	uint8_t *buf = malloc(KC_CHUNK);
	off_t off = 0;
	int rc = 0;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	for (;;) {
		ssize_t n = pread(fd, buf, KC_CHUNK, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (!n)
			break;
		mbedtls_sha256_update_ret(&c, buf, (size_t)n);
		off += n;
	}
	if (!rc)
		mbedtls_sha256_finish_ret(&c, out);
	mbedtls_sha256_free(&c);
	free(buf);
	return rc;
}

size_t kc_xfer_chunk_len(uint64_t off, uint64_t size, size_t chunk)
{
	if (off >= size)
		return 0;
	return size - off < chunk ? (size_t)(size - off) : chunk;
}

char *kc_b64_encode(const uint8_t *b, size_t len)
{
	size_t cap = (len + 2) / 3 * 4 + 1, olen;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	if (mbedtls_base64_encode((unsigned char *)s, cap, &olen, b, len)) {
		free(s);
		return NULL;
	}
	s[olen] = 0;
	return s;
}

int kc_b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
	size_t cap = len / 4 * 3 + 3;
	uint8_t *b = malloc(cap ? cap : 1);

	if (!b)
		return -1;
	if (mbedtls_base64_decode(b, cap, outlen, (const unsigned char *)s,
				  len)) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

void kc_xfer_upload_params(struct jw *w, const char *name, uint64_t off,
			   const uint8_t *buf, size_t len, uint64_t size,
			   const char *sha_hex, bool overwrite)
{
	char *data = kc_b64_encode(buf, len);

	jw_obj_begin(w);
	jw_kstr(w, "name", name);
	jw_kuint(w, "offset", off);
	if (data) {
		jw_kstr(w, "data", data);
	} else {
		w->failed = true; /* out of memory: the caller sees !jw_ok */
	}
	if (off == 0) {
		jw_kuint(w, "size", size);
		jw_kstr(w, "sha256", sha_hex);
		if (overwrite)
			jw_kbool(w, "overwrite", true);
	}
	if (off + len >= size)
		jw_kbool(w, "done", true);
	jw_obj_end(w);
	free(data);
}

void kc_xfer_download_params(struct jw *w, const char *name, uint64_t off,
			     size_t len)
{
	jw_obj_begin(w);
	jw_kstr(w, "name", name);
	jw_kuint(w, "offset", off);
	jw_kuint(w, "length", len);
	jw_obj_end(w);
}
