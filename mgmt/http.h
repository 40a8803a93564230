/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 framing for the management endpoint (RFC 7230/7231, the
 * subset docs/mgmt.md describes): a request-head parser and a response
 * writer. Pure C with no kernel dependency, so tests/unit/test_http.c
 * checks it on the host; mgmt/server.c feeds it the decrypted bytes.
 *
 * The endpoint serves one resource, `POST /rpc`, with a Content-Length
 * body; everything else is answered with a status and a JSON error body.
 * All limits of the endpoint live here, in one place (docs/mgmt.md
 * "Limits").
 */
#ifndef KEEL_MGMT_HTTP_H
#define KEEL_MGMT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Limits (docs/mgmt.md "Limits"; also docs/api.md) ----- */
#define HTTP_MAX_HEAD (16 * 1024)	    /* request line + headers: 431 */
#define HTTP_MAX_FIELDS 64		    /* header fields per request: 431 */
#define HTTP_MAX_BODY (2 * 1024 * 1024)	    /* request body: 413 */
#define HTTP_MAX_RESPONSE (4 * 1024 * 1024) /* a JSON-RPC answer */
#define HTTP_MAX_CONNS 32		    /* concurrent connections */
#define HTTP_HANDSHAKE_MS 10000		    /* TLS handshake must finish */
#define HTTP_REQUEST_MS 30000  /* a started request arrives fully: 408 */
#define HTTP_RESPONSE_MS 30000 /* the client takes the response */
#define HTTP_IDLE_MS 60000     /* keep-alive between requests */
/* The bearer token as sent (64 hex digits; longer is simply invalid). */
#define HTTP_TOKEN_MAX 72

/* The path the endpoint serves. */
#define HTTP_RPC_PATH "/rpc"

struct http_req {
	char method[16];
	char path[64];	 /* the request-target up to '?', truncated */
	bool path_long;	 /* the path did not fit (it is not /rpc) */
	int minor;	 /* HTTP/1.<minor> */
	bool keep_alive; /* after the response, read the next request */
	bool expect_100; /* Expect: 100-continue */
	bool has_length; /* Content-Length was given */
	size_t length;	 /* its value */
	bool has_auth;	 /* an Authorization field was present */
	bool bearer;	 /* ... with the Bearer scheme */
	char
	    token[HTTP_TOKEN_MAX]; /* the bearer token, "" when none/too long */
	size_t head_len; /* bytes of the request head, blank line included */
};

/*
 * Find the end of a request head in the @len bytes at @buf. *@scan is
 * where the previous call stopped (start at 0) so that bytes arriving
 * one by one are not searched again. Returns the head's length (up to
 * and including the blank line), 0 when more bytes are needed, or a
 * negative HTTP status: -400 for a bare CR or LF line ending (RFC 7230
 * section 3.5 allows them; accepting them is how request smuggling
 * starts), -431 once HTTP_MAX_HEAD bytes hold no end.
 */
long http_head_end(const char *buf, size_t len, size_t *scan);

/*
 * Parse a complete request head (@len from http_head_end). 0, or a
 * negative HTTP status with @why set to a sentence for the error body:
 * -400 malformed (request line, field syntax, obs-fold, a duplicate
 * Content-Length/Host/Authorization, a missing Host on HTTP/1.1,
 * Content-Length and Transfer-Encoding together), -411 a POST without
 * Content-Length (chunked bodies are not supported), -413 a body over
 * HTTP_MAX_BODY, -417 an expectation other than 100-continue, -431 too
 * many fields, -501 a transfer coding other than chunked, -505 a version
 * other than HTTP/1.0 or 1.1. Method and path are not judged here.
 */
int http_parse_head(const char *buf, size_t len, struct http_req *req,
		    const char **why);

/* The reason phrase of @status ("Not Found"); "Error" when unknown. */
const char *http_reason(int status);

/*
 * Write a response head for @status with a JSON body of @body_len bytes
 * into @out (at most @cap bytes). @keep_alive false adds
 * `Connection: close`. The
 * length written, or -1 when @cap is too small. 204 gets no body fields.
 * @extra (or NULL) is more header lines, each ending in CRLF
 * ("Allow: POST\r\n" with a 405, "Retry-After: 1\r\n" with a 503).
 */
int http_response_head(char *out, size_t cap, int status, size_t body_len,
		       bool keep_alive, const char *extra);

/* "HTTP/1.1 100 Continue\r\n\r\n" (RFC 7231 section 5.1.1). */
extern const char http_continue[];

/*
 * A JSON body for an HTTP-level error, shaped like a JSON-RPC error
 * response so one client code path reads both: {"jsonrpc":"2.0",
 * "id":null,"error":{"code":-32600,"message":"HTTP 413: ..."}}. @why is
 * Keel's own text (never request bytes); quotes and backslashes are
 * escaped anyway. The length written (truncated to fit @cap).
 */
int http_error_body(char *out, size_t cap, int status, const char *why);

#endif
