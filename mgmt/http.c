// SPDX-License-Identifier: MIT
/*
 * HTTP/1.1 request heads and response heads for the management endpoint
 * (mgmt/http.h, docs/mgmt.md "HTTP").
 *
 * Strict on purpose: the endpoint talks to keelctl, curl and scripts, all
 * of which send clean HTTP/1.1, so every lenience RFC 7230 merely permits
 * (bare LF line ends, obs-fold, whitespace before a field's colon,
 * repeated Content-Length) is refused with 400. These are the ambiguities
 * that request-smuggling attacks live in (RFC 7230 section 9.5), and
 * refusing them costs a correct client nothing.
 */
#include <stdio.h>
#include <string.h>

#include "mgmt/http.h"

const char http_continue[] = "HTTP/1.1 100 Continue\r\n\r\n";

long http_head_end(const char *buf, size_t len, size_t *scan)
{
	size_t i = *scan, start = 0;

	/* RFC 7230 section 3.5: a server SHOULD ignore at least one empty
	 * line before the request line (some clients send one after a POST
	 * body). Those leading CRLFs do not end the head. */
	while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
		start += 2;
	for (; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				return -400;
			/* The head ends at an empty line (CRLF CRLF) after
			 * the request line. */
			if (i >= 3 && i - 3 > start && buf[i - 2] == '\n' &&
			    buf[i - 3] == '\r')
				return (long)(i + 1);
		} else if (i > 0 && buf[i - 1] == '\r') {
			return -400; /* a CR not followed by LF */
		}
		if (i + 1 >= HTTP_MAX_HEAD)
			return -431;
	}
	*scan = i;
	return 0;
}

static bool http_tchar(char c)
{
	/* RFC 7230 section 3.2.6 token characters. */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char http_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of the @n bytes at @s with NUL-terminated @lit. */
static bool http_ieq(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (http_lower(s[i]) != lit[i])
			return false;
	return true;
}

/* Does the comma-separated list @v (@n bytes) hold token @tok? */
static bool http_list_has(const char *v, size_t n, const char *tok)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s && http_ieq(v + s, e - s, tok))
			return true;
	}
	return false;
}

/* Request line: method SP request-target SP HTTP-version (RFC 7230 3.1.1). */
static int http_request_line(const char *p, size_t n, struct http_req *r,
			     const char **why)
{
	size_t i = 0, m = 0, t;

	while (i < n && http_tchar(p[i])) {
		if (m + 1 >= sizeof(r->method)) {
			*why = "the request method is too long";
			return -400;
		}
		r->method[m++] = p[i++];
	}
	r->method[m] = 0;
	if (m == 0 || i >= n || p[i] != ' ') {
		*why = "malformed request line";
		return -400;
	}
	t = ++i;
	while (i < n && p[i] != ' ') {
		/* Visible ASCII only; a request-target has no spaces or
		 * control characters. */
		if ((unsigned char)p[i] <= 0x20 ||
		    (unsigned char)p[i] >= 0x7f) {
			*why = "malformed request target";
			return -400;
		}
		i++;
	}
	if (i == t || i >= n || p[t] != '/') {
		/* Origin-form only (RFC 7230 5.3.1): no absolute-form or
		 * asterisk-form. */
		*why = "malformed request target (expected a path like /rpc)";
		return -400;
	}
	size_t plen = 0;
	while (t + plen < i && p[t + plen] != '?')
		plen++;
	if (plen >= sizeof(r->path)) {
		r->path_long = true;
		plen = sizeof(r->path) - 1;
	}
	memcpy(r->path, p + t, plen);
	r->path[plen] = 0;
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/", 5) || p[i + 5] < '0' ||
	    p[i + 5] > '9' || p[i + 6] != '.' || p[i + 7] < '0' ||
	    p[i + 7] > '9') {
		*why = "malformed HTTP version in the request line";
		return -400;
	}
	if (p[i + 5] != '1') {
		*why = "only HTTP/1.1 and HTTP/1.0 are served";
		return -505;
	}
	r->minor = p[i + 7] - '0';
	return 0;
}

/* Content-Length = 1*DIGIT (RFC 7230 3.3.2); no sign, no list. */
static int http_content_length(const char *v, size_t n, struct http_req *r,
			       const char **why)
{
	size_t val = 0;

	if (r->has_length) {
		*why = "more than one Content-Length field";
		return -400;
	}
	if (n == 0) {
		*why = "empty Content-Length";
		return -400;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9') {
			*why = "Content-Length is not a number";
			return -400;
		}
		if (val > HTTP_MAX_BODY) /* keep going to check the syntax */
			continue;
		val = val * 10 + (size_t)(v[i] - '0');
	}
	r->has_length = true;
	r->length = val;
	return 0;
}

static void http_authorization(const char *v, size_t n, struct http_req *r)
{
	r->has_auth = true;
	/* RFC 6750 section 2.1: "Bearer" 1*SP b64token; scheme names are
	 * case-insensitive (RFC 7235 section 2.1). */
	if (n < 7 || !http_ieq(v, 6, "bearer") || v[6] != ' ')
		return;
	r->bearer = true;
	size_t i = 7;
	while (i < n && v[i] == ' ')
		i++;
	if (n - i == 0 || n - i >= sizeof(r->token))
		return; /* empty or too long: no token, which fails auth */
	memcpy(r->token, v + i, n - i);
	r->token[n - i] = 0;
}

int http_parse_head(const char *buf, size_t len, struct http_req *r,
		    const char **why)
{
	size_t pos = 0, line_end, fields = 0;
	bool host = false, te = false, te_chunked = false, conn_close = false,
	     conn_keep = false;
	int rc;

	memset(r, 0, sizeof(*r));
	r->head_len = len;
	*why = "";
	/* Skip empty lines before the request line (see http_head_end). */
	while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n')
		pos += 2;
	line_end = pos;
	while (line_end + 1 < len && buf[line_end] != '\r')
		line_end++;
	if (line_end + 1 >= len) {
		*why = "incomplete request head";
		return -400;
	}
	rc = http_request_line(buf + pos, line_end - pos, r, why);
	if (rc)
		return rc;
	pos = line_end + 2;

	/* Header fields until the empty line. */
	for (;;) {
		const char *p = buf + pos;
		size_t n = 0, colon, vs, ve;

		while (pos + n < len && p[n] != '\r')
			n++;
		if (pos + n + 1 >= len) {
			*why = "incomplete request head";
			return -400;
		}
		if (n == 0)
			break;
		pos += n + 2;
		if (++fields > HTTP_MAX_FIELDS) {
			*why = "too many header fields";
			return -431;
		}
		if (p[0] == ' ' || p[0] == '\t') {
			/* RFC 7230 3.2.4: obs-fold; a server MAY reject it. */
			*why = "folded header lines are not accepted";
			return -400;
		}
		for (colon = 0; colon < n && http_tchar(p[colon]); colon++)
			;
		if (colon == 0 || colon >= n || p[colon] != ':') {
			/* Also whitespace before the colon (RFC 7230 3.2.4:
			 * MUST reject with 400). */
			*why = "malformed header field";
			return -400;
		}
		vs = colon + 1;
		while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
			vs++;
		ve = n;
		while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
			ve--;
		for (size_t i = vs; i < ve; i++) {
			unsigned char c = (unsigned char)p[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				*why = "control character in a header value";
				return -400;
			}
		}
		const char *v = p + vs;
		size_t vn = ve - vs;

		if (http_ieq(p, colon, "content-length")) {
			rc = http_content_length(v, vn, r, why);
			if (rc)
				return rc;
		} else if (http_ieq(p, colon, "transfer-encoding")) {
			te = true;
			if (http_list_has(v, vn, "chunked"))
				te_chunked = true;
		} else if (http_ieq(p, colon, "host")) {
			if (host) {
				*why = "more than one Host field";
				return -400;
			}
			host = true;
		} else if (http_ieq(p, colon, "connection")) {
			conn_close |= http_list_has(v, vn, "close");
			conn_keep |= http_list_has(v, vn, "keep-alive");
		} else if (http_ieq(p, colon, "expect")) {
			if (!http_ieq(v, vn, "100-continue")) {
				*why = "only the 100-continue expectation is "
				       "supported";
				return -417;
			}
			r->expect_100 = true;
		} else if (http_ieq(p, colon, "authorization")) {
			if (r->has_auth) {
				*why = "more than one Authorization field";
				return -400;
			}
			http_authorization(v, vn, r);
		}
	}

	if (r->minor >= 1 && !host) {
		*why = "HTTP/1.1 requests need a Host field";
		return -400;
	}
	if (te && r->has_length) {
		/* RFC 7230 3.3.3 item 3: a smuggling attempt or a broken
		 * proxy; either way the framing cannot be trusted. */
		*why = "Content-Length together with Transfer-Encoding";
		return -400;
	}
	if (te && !te_chunked) {
		*why = "unsupported transfer coding";
		return -501;
	}
	if (te) {
		*why = "chunked request bodies are not supported; send the "
		       "body with Content-Length";
		return -411;
	}
	if (r->has_length && r->length > HTTP_MAX_BODY) {
		*why = "request body too large (the limit is 2 MiB)";
		return -413;
	}
	if (!r->has_length && strcmp(r->method, "POST") == 0) {
		*why = "a POST needs Content-Length";
		return -411;
	}
	/* RFC 7230 6.3: 1.1 persists unless "close"; 1.0 only on request. */
	r->keep_alive =
	    r->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
	return 0;
}

/* RFC 9110 section 15 reason phrases of the statuses Keel sends. */
static const struct {
	int status;
	const char *reason;
} http_reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 417, "Expectation Failed" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_reason(int status)
{
	for (size_t i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]);
	     i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Error";
}

int http_response_head(char *out, size_t cap, int status, size_t body_len,
		       bool keep_alive, const char *extra)
{
	int n;

	/* No Date field: RFC 7231 7.1.1.2 says an origin server without a
	 * reliable clock MUST NOT send one, and Keel has no RTC yet. */
	if (status == 204)
		n = snprintf(out, cap,
			     "HTTP/1.1 204 No Content\r\n"
			     "%s"
			     "Cache-Control: no-store\r\n"
			     "%s\r\n",
			     extra ? extra : "",
			     keep_alive ? "" : "Connection: close\r\n");
	else
		n = snprintf(out, cap,
			     "HTTP/1.1 %d %s\r\n"
			     "%s"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %zu\r\n"
			     "Cache-Control: no-store\r\n"
			     "%s\r\n",
			     status, http_reason(status), extra ? extra : "",
			     body_len,
			     keep_alive ? "" : "Connection: close\r\n");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

int http_error_body(char *out, size_t cap, int status, const char *why)
{
	size_t n = 0;
	int k;

	if (cap == 0)
		return 0;
	k = snprintf(out, cap,
		     "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
		     "-32600,\"message\":\"HTTP %d %s: ",
		     status, http_reason(status));
	if (k < 0 || (size_t)k >= cap)
		return 0;
	n = (size_t)k;
	for (const char *s = why; *s && n + 6 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			out[n++] = '\\';
		else if (c < 0x20)
			c = ' ';
		out[n++] = (char)c;
	}
	if (n + 5 > cap)
		n = cap - 5;
	memcpy(out + n, "\"}}\n", 5);
	return (int)(n + 4);
}
