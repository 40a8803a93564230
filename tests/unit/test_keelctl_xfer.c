// SPDX-License-Identifier: MIT
/*
 * Datastore transfers as the host sees them: a file goes as 1 MiB
 * chunks of base64 whose decoded concatenation is the file, the first
 * chunk declaring the size and SHA-256 (the one sha256sum prints), the
 * last one saying done; a file of an exact multiple of the chunk size
 * and an empty file are whole too.
 * UNIT_SRCS: client/xfer.c mgmt/json.c mgmt/json_write.c
 * UNIT_LIBS: mbedcrypto
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/xfer.h"
#include "unit.h"

UNIT_TEST(base64_rfc4648_vectors)
{
	/* RFC 4648 section 10. */
	static const char *const in[] = { "",	  "f",	   "fo",    "foo",
					  "foob", "fooba", "foobar" };
	static const char *const out[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
	};

	for (int i = 0; i < 7; i++) {
		char *e = kc_b64_encode((const uint8_t *)in[i], strlen(in[i]));
		uint8_t *d;
		size_t n;

		UNIT_CHECK_STR(e, out[i]);
		UNIT_CHECK(kc_b64_decode(e, strlen(e), &d, &n) == 0);
		UNIT_CHECK(n == strlen(in[i]) && !memcmp(d, in[i], n));
		free(e);
		free(d);
	}
	uint8_t *d;
	size_t n;
	UNIT_CHECK(kc_b64_decode("Zm9v!", 5, &d, &n) == -1);
}

/* Split a file of @size bytes into upload calls as keelctl does and put
 * it back together from the params alone. */
static void roundtrip(uint64_t size)
{
	uint8_t *file = malloc(size ? size : 1), *back = calloc(1, size + 1);
	uint8_t hash[32];
	char sha[65], path[] = "/tmp/kc_xfer_XXXXXX";
	uint64_t off = 0, calls = 0, declared = 0;
	bool done = false;
	int fd = mkstemp(path);

	for (uint64_t i = 0; i < size; i++)
		file[i] = (uint8_t)(i * 131 + (i >> 11));
	UNIT_CHECK(write(fd, file, size) == (ssize_t)size);
	UNIT_CHECK(kc_xfer_sha256_fd(fd, hash) == 0);
	kc_hex(hash, 32, sha);
	do {
		size_t len = kc_xfer_chunk_len(off, size, KC_CHUNK);
		struct json_error e;
		struct json *j;
		const char *data, *name, *s;
		int64_t o, sz;
		uint8_t *d;
		size_t n;
		struct jw w;

		jw_init(&w, 0);
		kc_xfer_upload_params(&w, "dir/file", off, file + off, len,
				      size, sha, true);
		UNIT_CHECK(jw_ok(&w));
		UNIT_CHECK(w.len < 1400 * 1024); /* one chunk fits a body */
		j = json_parse(w.buf, w.len, 0, &e);
		UNIT_CHECK(j && json_get_str(j, "name", &name));
		UNIT_CHECK_STR(name, "dir/file");
		UNIT_CHECK(json_get_int(j, "offset", &o) && (uint64_t)o == off);
		UNIT_CHECK(json_get_str(j, "data", &data));
		UNIT_CHECK(kc_b64_decode(data, strlen(data), &d, &n) == 0);
		UNIT_CHECK(n == len && n <= KC_CHUNK);
		memcpy(back + o, d, n);
		free(d);
		/* Size and digest on the first call only. */
		if (off == 0) {
			UNIT_CHECK(json_get_int(j, "size", &sz));
			declared = (uint64_t)sz;
			UNIT_CHECK(json_get_str(j, "sha256", &s) &&
				   !strcmp(s, sha));
			UNIT_CHECK(json_get_bool(j, "overwrite", &done) &&
				   done);
		} else {
			UNIT_CHECK(!json_get(j, "size") &&
				   !json_get(j, "sha256") &&
				   !json_get(j, "overwrite"));
		}
		done = json_get_bool(j, "done", &done) && done;
		json_free(j);
		jw_free(&w);
		off += len;
		calls++;
		UNIT_CHECK(done == (off == size));
	} while (off < size);
	UNIT_CHECK(declared == size);
	UNIT_CHECK(done);
	UNIT_CHECK(calls == (size ? (size + KC_CHUNK - 1) / KC_CHUNK : 1));
	UNIT_CHECK(!memcmp(back, file, size));
	close(fd);
	unlink(path);
	free(file);
	free(back);
}

UNIT_TEST(chunks_rebuild_the_file)
{
	roundtrip(0);
	roundtrip(1);
	roundtrip(KC_CHUNK);
	roundtrip(KC_CHUNK + 1);
	roundtrip(3 * KC_CHUNK - 7);
}

UNIT_TEST(sha256_as_sha256sum)
{
	char path[] = "/tmp/kc_xfer_XXXXXX", hex[65], cmd[128], line[128];
	int fd = mkstemp(path);
	uint8_t h[32];
	FILE *p;

	for (int i = 0; i < 3000; i++)
		UNIT_CHECK(write(fd, "keel\n", 5) == 5);
	UNIT_CHECK(kc_xfer_sha256_fd(fd, h) == 0);
	kc_hex(h, 32, hex);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	p = popen(cmd, "r");
	UNIT_CHECK(p && fgets(line, sizeof(line), p));
	pclose(p);
	UNIT_CHECK(!strncmp(line, hex, 64));
	close(fd);
	unlink(path);
}

UNIT_TEST(download_params)
{
	struct jw w;

	jw_init(&w, 0);
	kc_xfer_download_params(&w, "vmlinuz", 3u << 20, KC_CHUNK);
	UNIT_CHECK_STR(w.buf, "{\"name\":\"vmlinuz\",\"offset\":3145728,"
			      "\"length\":1048576}");
	jw_free(&w);
	UNIT_CHECK(kc_xfer_chunk_len(0, 10, KC_CHUNK) == 10);
	UNIT_CHECK(kc_xfer_chunk_len(10, 10, KC_CHUNK) == 0);
	UNIT_CHECK(kc_xfer_chunk_len(KC_CHUNK, 3 * KC_CHUNK, KC_CHUNK) ==
		   KC_CHUNK);
}
