// SPDX-License-Identifier: MIT
/* keelctl's HTTP/1.1 client framing (client/http.h, RFC 9112). */
#include "client/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kc_io_reset(struct kc_io *io)
{
	io->pos = io->len = 0;
	io->got = 0;
}

/* 1 when bytes are buffered, 0 at end of stream, -1 on error. */
static int kc_io_fill(struct kc_io *io)
{
	long n;

	if (io->pos < io->len)
		return 1;
	n = io->read(io->ctx, io->buf, sizeof(io->buf));
	if (n <= 0)
		return n < 0 ? -1 : 0;
	io->pos = 0;
	io->len = (size_t)n;
	io->got += (size_t)n;
	return 1;
}

static int kc_http_fail(char *err, int errlen, const char *msg, int rc)
{
	snprintf(err, errlen, "%s", msg);
	return rc;
}

static int kc_http_eof(int rc, char *err, int errlen)
{
	return kc_http_fail(err, errlen,
			    rc < 0 ? "error reading from the server"
				   : "connection closed by the server",
			    -1);
}

/* One line without its CRLF (a bare LF is accepted, RFC 9112 2.2);
 * @budget bounds the head. */
static int kc_io_line(struct kc_io *io, char *line, size_t max, size_t *budget,
		      char *err, int errlen)
{
	size_t n = 0;
	int rc;

	for (;;) {
		char c;

		if ((rc = kc_io_fill(io)) <= 0)
			return kc_http_eof(rc, err, errlen);
		c = io->buf[io->pos++];
		if (!*budget)
			return kc_http_fail(err, errlen,
					    "malformed response: header too "
					    "large",
					    -1);
		(*budget)--;
		if (c == '\n')
			break;
		if (n + 1 < max)
			line[n++] = c;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	return 0;
}

static int kc_io_bytes(struct kc_io *io, char *dst, size_t n, char *err,
		       int errlen)
{
	while (n) {
		int rc = kc_io_fill(io);
		size_t k;

		if (rc <= 0)
			return kc_http_eof(rc, err, errlen);
		k = io->len - io->pos < n ? io->len - io->pos : n;
		memcpy(dst, io->buf + io->pos, k);
		io->pos += k;
		dst += k;
		n -= k;
	}
	return 0;
}

int kc_http_post(struct kc_io *io, const char *hosthdr, const char *path,
		 const char *token, const char *body, size_t len)
{
	char head[1024];
	int n;

	n = snprintf(head, sizeof(head),
		     "POST %s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "User-Agent: keelctl\r\n"
		     "Content-Type: application/json\r\n"
		     "Accept: application/json\r\n"
		     "Content-Length: %zu\r\n"
		     "%s%s%s"
		     "\r\n",
		     path, hosthdr, len, token ? "Authorization: Bearer " : "",
		     token ? token : "", token ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (io->write(io->ctx, head, (size_t)n))
		return -1;
	return len ? io->write(io->ctx, body, len) : 0;
}

static char *kc_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* A comma-separated header value contains @token (case-insensitive). */
static bool kc_has_token(const char *v, const char *token)
{
	size_t n = strlen(token);

	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!strncasecmp(v, token, n) &&
		    (!v[n] || v[n] == ',' || v[n] == ' ' || v[n] == ';'))
			return true;
		while (*v && *v != ',')
			v++;
	}
	return false;
}

static bool kc_parse_size(const char *s, int base, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || (*end && *end != ';' && *end != ' ' && *end != '\t'))
		return false;
	*out = (size_t)v;
	return v <= KC_HTTP_BODY_MAX;
}

static int kc_http_chunked(struct kc_io *io, struct kc_http_resp *r,
			   size_t *budget, char *err, int errlen)
{
	char line[256];
	size_t size;

	for (;;) {
		if (kc_io_line(io, line, sizeof(line), budget, err, errlen))
			return -1;
		*budget = KC_HTTP_HEAD_MAX; /* per line, not per body */
		if (!kc_parse_size(line, 16, &size))
			return kc_http_fail(err, errlen,
					    "malformed response: bad chunk "
					    "size",
					    -1);
		if (!size)
			break;
		if (r->body_len + size > KC_HTTP_BODY_MAX)
			return kc_http_fail(err, errlen, "response too large",
					    -1);
		char *b = realloc(r->body, r->body_len + size + 1);
		if (!b)
			return kc_http_fail(err, errlen, "out of memory", -1);
		r->body = b;
		if (kc_io_bytes(io, r->body + r->body_len, size, err, errlen))
			return -1;
		r->body_len += size;
		if (kc_io_line(io, line, sizeof(line), budget, err, errlen))
			return -1;
		if (line[0])
			return kc_http_fail(err, errlen,
					    "malformed response: chunk without "
					    "CRLF",
					    -1);
	}
	do { /* trailer fields, ignored, up to the empty line */
		if (kc_io_line(io, line, sizeof(line), budget, err, errlen))
			return -1;
	} while (line[0]);
	return 0;
}

int kc_http_read(struct kc_io *io, struct kc_http_resp *r, char *err,
		 int errlen)
{
	size_t budget = KC_HTTP_HEAD_MAX, clen = 0;
	bool has_clen = false, chunked = false, http10;
	char line[1024];
	int minor;

	memset(r, 0, sizeof(*r));
	io->got = io->pos < io->len ? 1 : 0;
	do { /* 1xx interim responses precede the real one */
		if (kc_io_line(io, line, sizeof(line), &budget, err, errlen))
			return -1;
		if (sscanf(line, "HTTP/1.%d %3d", &minor, &r->status) != 2 ||
		    r->status < 100 || r->status > 599 || strlen(line) < 12)
			return kc_http_fail(err, errlen,
					    "malformed response: not HTTP/1.x "
					    "(is this a Keel host?)",
					    -1);
		snprintf(r->reason, sizeof(r->reason), "%s",
			 kc_trim(line + 12));
		http10 = minor == 0;
		r->keep_alive = !http10;
		for (;;) {
			char *colon, *v;

			if (kc_io_line(io, line, sizeof(line), &budget, err,
				       errlen))
				return -1;
			if (!line[0])
				break;
			colon = strchr(line, ':');
			if (!colon)
				return kc_http_fail(err, errlen,
						    "malformed response: bad "
						    "header line",
						    -1);
			*colon = 0;
			v = kc_trim(colon + 1);
			if (!strcasecmp(line, "Content-Length")) {
				if (!kc_parse_size(v, 10, &clen) ||
				    (has_clen && clen != r->body_len))
					return kc_http_fail(
					    err, errlen,
					    "malformed response: bad "
					    "Content-Length",
					    -1);
				has_clen = true;
				r->body_len = clen;
			} else if (!strcasecmp(line, "Transfer-Encoding")) {
				chunked = kc_has_token(v, "chunked");
			} else if (!strcasecmp(line, "Connection")) {
				if (kc_has_token(v, "close"))
					r->keep_alive = false;
				else if (kc_has_token(v, "keep-alive"))
					r->keep_alive = true;
			} else if (!strcasecmp(line, "Content-Type")) {
				snprintf(r->ctype, sizeof(r->ctype), "%s", v);
			}
		}
	} while (r->status < 200);

	r->body_len = 0;
	if (chunked) {
		/* RFC 9112 6.3: chunked wins over Content-Length. */
		if (kc_http_chunked(io, r, &budget, err, errlen))
			goto fail;
	} else if (has_clen) {
		r->body = malloc(clen + 1);
		if (!r->body) {
			kc_http_fail(err, errlen, "out of memory", -1);
			goto fail;
		}
		if (kc_io_bytes(io, r->body, clen, err, errlen))
			goto fail;
		r->body_len = clen;
	} else if (r->status != 204 && r->status != 304) {
		/* Delimited by the end of the connection (RFC 9112 6.3). */
		r->keep_alive = false;
		for (;;) {
			int rc = kc_io_fill(io);
			size_t k;

			if (rc < 0) {
				kc_http_eof(rc, err, errlen);
				goto fail;
			}
			if (!rc)
				break;
			k = io->len - io->pos;
			if (r->body_len + k > KC_HTTP_BODY_MAX) {
				kc_http_fail(err, errlen, "response too large",
					     -1);
				goto fail;
			}
			char *b = realloc(r->body, r->body_len + k + 1);
			if (!b) {
				kc_http_fail(err, errlen, "out of memory", -1);
				goto fail;
			}
			r->body = b;
			memcpy(r->body + r->body_len, io->buf + io->pos, k);
			r->body_len += k;
			io->pos = io->len;
		}
	}
	if (!r->body)
		r->body = malloc(1);
	if (!r->body) {
		kc_http_fail(err, errlen, "out of memory", -1);
		goto fail;
	}
	r->body[r->body_len] = 0;
	return 0;
fail:
	kc_http_resp_free(r);
	return -1;
}

void kc_http_resp_free(struct kc_http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}
