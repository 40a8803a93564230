// SPDX-License-Identifier: MIT
/*
 * keelctl's HTTP/1.1 framing against what servers really send: the
 * request keelctl writes, responses by Content-Length, chunked, or
 * until close, several on one keep-alive stream, interim 100s,
 * "Connection: close", and the failures (a stream that ends early or
 * before any byte, garbage, oversized heads) that tell keelctl whether
 * it may retry on a fresh connection.
 * UNIT_SRCS: client/http.c
 */
#include <stdlib.h>
#include <string.h>

#include "client/http.h"
#include "unit.h"

/* A scripted server: @in is what it sends, a few bytes per read so
 * every boundary is crossed; what the client writes lands in @out. */
struct mem {
	const char *in;
	size_t len, pos, step;
	char out[4096];
	size_t outlen;
};

static long mem_read(void *ctx, void *buf, size_t n)
{
	struct mem *m = ctx;
	size_t k = m->len - m->pos;

	if (k > n)
		k = n;
	if (k > m->step)
		k = m->step;
	memcpy(buf, m->in + m->pos, k);
	m->pos += k;
	return (long)k;
}

static int mem_write(void *ctx, const void *buf, size_t n)
{
	struct mem *m = ctx;

	if (m->outlen + n >= sizeof(m->out))
		return -1;
	memcpy(m->out + m->outlen, buf, n);
	m->outlen += n;
	m->out[m->outlen] = 0;
	return 0;
}

static struct kc_io io;
static struct mem m;

static void script(const char *in, size_t step)
{
	memset(&m, 0, sizeof(m));
	m.in = in;
	m.len = strlen(in);
	m.step = step;
	memset(&io, 0, sizeof(io));
	io.read = mem_read;
	io.write = mem_write;
	io.ctx = &m;
}

UNIT_TEST(request)
{
	script("", 1);
	UNIT_CHECK(kc_http_post(&io, "h:8443", "/rpc", "tok", "{}", 2) == 0);
	UNIT_CHECK_STR(m.out, "POST /rpc HTTP/1.1\r\n"
			      "Host: h:8443\r\n"
			      "User-Agent: keelctl\r\n"
			      "Content-Type: application/json\r\n"
			      "Accept: application/json\r\n"
			      "Content-Length: 2\r\n"
			      "Authorization: Bearer tok\r\n"
			      "\r\n{}");
	script("", 1);
	UNIT_CHECK(kc_http_post(&io, "h", "/rpc", NULL, "", 0) == 0);
	UNIT_CHECK(strstr(m.out, "Authorization") == NULL);
}

UNIT_TEST(keep_alive_stream)
{
	struct kc_http_resp r;
	char err[128];

	for (size_t step = 1; step < 64; step += 21) {
		script("HTTP/1.1 100 Continue\r\n\r\n"
		       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		       "content-type:  application/json \r\n\r\nhello"
		       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		       "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n"
		       "Trailer: x\r\n\r\n"
		       "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n"
		       "Content-Length: 0\r\n\r\n",
		       step);
		UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == 0);
		UNIT_CHECK(r.status == 200 && r.keep_alive);
		UNIT_CHECK_STR(r.body, "hello");
		UNIT_CHECK_STR(r.ctype, "application/json");
		kc_http_resp_free(&r);
		UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == 0);
		UNIT_CHECK(r.body_len == 19);
		UNIT_CHECK_STR(r.body, "abc0123456789abcdef");
		kc_http_resp_free(&r);
		UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == 0);
		UNIT_CHECK(r.status == 413 && !r.keep_alive && r.body_len == 0);
		UNIT_CHECK_STR(r.reason, "Payload Too Large");
		kc_http_resp_free(&r);
	}
}

UNIT_TEST(until_close_and_http10)
{
	struct kc_http_resp r;
	char err[128];

	script("HTTP/1.0 200 OK\r\n\r\n{\"a\":1}", 7);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == 0);
	UNIT_CHECK(!r.keep_alive);
	UNIT_CHECK_STR(r.body, "{\"a\":1}");
	kc_http_resp_free(&r);
	script("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
	       "Content-Length: 0\r\n\r\n",
	       7);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == 0);
	UNIT_CHECK(r.keep_alive);
	kc_http_resp_free(&r);
}

UNIT_TEST(failures)
{
	struct kc_http_resp r;
	char err[128];

	/* A keep-alive connection the server had closed: nothing came. */
	script("", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	UNIT_CHECK(io.got == 0);
	UNIT_CHECK_STR(err, "connection closed by the server");
	/* Cut mid-body: something came, so no blind retry. */
	script("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	UNIT_CHECK(io.got > 0);
	script("SSH-2.0-OpenSSH_9.2\r\n", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "not HTTP") != NULL);
	script("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	script("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	       "Content-Length: 2\r\n\r\nab",
	       4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	script("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "zz\r\n",
	       4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	script("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 4);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	/* A head that never ends is cut off at the limit. */
	size_t n = KC_HTTP_HEAD_MAX + 100;
	char *big = malloc(n + 1);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', n - 20);
	big[n] = 0;
	script(big, 4096);
	UNIT_CHECK(kc_http_read(&io, &r, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "too large") != NULL);
	free(big);
}
