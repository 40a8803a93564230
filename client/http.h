/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 (RFC 9112) just as keelctl needs it: one POST with a JSON
 * body, one response read by Content-Length or chunked coding, the
 * connection kept alive unless the server says "Connection: close".
 * Works over any byte stream (the TLS connection, or memory in the unit
 * tests) through struct kc_io.
 */
#ifndef KEEL_CLIENT_HTTP_H
#define KEEL_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define KC_HTTP_HEAD_MAX (16 * 1024)	     /* status line plus headers */
#define KC_HTTP_BODY_MAX (64u * 1024 * 1024) /* one response body */

struct kc_io {
	/* > 0 bytes read, 0 at end of stream, < 0 an error (timeout...). */
	long (*read)(void *ctx, void *buf, size_t n);
	/* 0, or < 0 when not all was written. */
	int (*write)(void *ctx, const void *buf, size_t n);
	void *ctx;
	char buf[16384]; /* read-ahead */
	size_t pos, len;
	size_t got; /* bytes read for the current response */
};

void kc_io_reset(struct kc_io *io);

struct kc_http_resp {
	int status;	 /* 200 ... */
	char reason[64]; /* "OK" */
	char *body;	 /* malloc'd, NUL-terminated */
	size_t body_len;
	bool keep_alive; /* the connection may carry the next request */
	char ctype[64];	 /* Content-Type, "" when absent */
};

/* Send "POST @path" with @body; @token adds "Authorization: Bearer".
 * 0 or -1. */
int kc_http_post(struct kc_io *io, const char *hosthdr, const char *path,
		 const char *token, const char *body, size_t len);

/*
 * Read one response. 0, or -1 with @err: "connection closed" (also when
 * nothing at all came: io->got == 0 tells a stale keep-alive connection
 * from a failure mid-answer), "timed out", "malformed ..." (a protocol
 * error), "response too large".
 */
int kc_http_read(struct kc_io *io, struct kc_http_resp *r, char *err,
		 int errlen);
void kc_http_resp_free(struct kc_http_resp *r);

#endif
