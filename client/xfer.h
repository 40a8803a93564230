/* SPDX-License-Identifier: MIT */
/*
 * Datastore transfers' building blocks (client/cmd_ds.c drives them):
 * SHA-256 of a local file, base64 of a chunk, and the params of each
 * datastore.upload / datastore.download call (docs/api.md).
 *
 * Upload: 1 MiB chunks in order, base64 in "data"; the first chunk
 * (offset 0) also declares "size" and "sha256" of the whole file, the
 * last says "done": true and the server checks the hash.
 */
#ifndef KEEL_CLIENT_XFER_H
#define KEEL_CLIENT_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/json.h"

#define KC_CHUNK (1u << 20)

/* Lower-case hex of @n bytes into @out (2n+1). */
void kc_hex(const uint8_t *b, size_t n, char *out);

/* SHA-256 of the whole of @fd from offset 0 (pread). 0 or -1 (errno). */
int kc_xfer_sha256_fd(int fd, uint8_t out[32]);

/* Bytes in the chunk at @off of a @size-byte file. */
size_t kc_xfer_chunk_len(uint64_t off, uint64_t size, size_t chunk);

/* Base64 (RFC 4648 section 4, padded) of @len bytes: malloc'd,
 * NUL-terminated, NULL when out of memory. */
char *kc_b64_encode(const uint8_t *b, size_t len);
/* Decode into a malloc'd buffer; -1 on bad base64. */
int kc_b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen);

/* datastore.upload's params for the chunk @buf/@len at @off of a file
 * of @size bytes with digest @sha_hex; @overwrite replaces an existing
 * file of that name (first chunk only). */
void kc_xfer_upload_params(struct jw *w, const char *name, uint64_t off,
			   const uint8_t *buf, size_t len, uint64_t size,
			   const char *sha_hex, bool overwrite);
/* datastore.download's params. */
void kc_xfer_download_params(struct jw *w, const char *name, uint64_t off,
			     size_t len);

#endif
