// SPDX-License-Identifier: MIT
/*
 * The endpoint's HTTP/1.1 framing: what curl, Python and keelctl send is
 * accepted, pipelined and split requests are framed right, and every
 * ambiguity a request-smuggling attempt or a broken client produces is
 * refused with the status docs/mgmt.md lists.
 * UNIT_SRCS: mgmt/http.c
 */
#include <stdlib.h>
#include <string.h>

#include "mgmt/http.h"
#include "unit.h"

static struct http_req req;
static const char *why;

/* Find the head in @s and parse it: 0, or the negative status. */
static int parse(const char *s)
{
	size_t scan = 0;
	long end = http_head_end(s, strlen(s), &scan);

	if (end <= 0)
		return end == 0 ? 1 : (int)end;
	return http_parse_head(s, (size_t)end, &req, &why);
}

#define CURL_POST                                                              \
	"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n"                       \
	"User-Agent: curl/7.88.1\r\nAccept: */*\r\n"                           \
	"Content-Type: application/json\r\nContent-Length: 15\r\n\r\n"

UNIT_TEST(http_curl_post)
{
	UNIT_CHECK(parse(CURL_POST "{\"jsonrpc\":...}") == 0);
	UNIT_CHECK_STR(req.method, "POST");
	UNIT_CHECK_STR(req.path, HTTP_RPC_PATH);
	UNIT_CHECK(req.minor == 1);
	UNIT_CHECK(req.has_length && req.length == 15);
	UNIT_CHECK(req.keep_alive);
	UNIT_CHECK(!req.expect_100 && !req.has_auth);
	UNIT_CHECK(req.head_len == strlen(CURL_POST));
}

UNIT_TEST(http_bearer_and_options)
{
	UNIT_CHECK(parse("POST /rpc?x=1 HTTP/1.1\r\nhost: h\r\n"
			 "authorization: bearer   abc123\r\n"
			 "CONNECTION: Keep-Alive, Close\r\n"
			 "Expect: 100-Continue\r\ncontent-length:0\r\n\r\n") ==
		   0);
	UNIT_CHECK_STR(req.path, "/rpc");
	UNIT_CHECK(req.has_auth && req.bearer);
	UNIT_CHECK_STR(req.token, "abc123");
	UNIT_CHECK(!req.keep_alive);
	UNIT_CHECK(req.expect_100);
	UNIT_CHECK(req.has_length && req.length == 0);

	UNIT_CHECK(
	    parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
		  "Authorization: Basic cm9vdDp4\r\n\r\n") == 0);
	UNIT_CHECK(req.has_auth && !req.bearer && req.token[0] == 0);

	/* A token longer than any Keel issues is kept out, not truncated. */
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
		 "Authorization: Bearer %0100d\r\n\r\n",
		 7);
	UNIT_CHECK(parse(buf) == 0);
	UNIT_CHECK(req.bearer && req.token[0] == 0);
}

UNIT_TEST(http_versions_and_keepalive)
{
	UNIT_CHECK(parse("POST /rpc HTTP/1.0\r\nContent-Length: 2\r\n\r\n") ==
		   0);
	UNIT_CHECK(req.minor == 0 && !req.keep_alive);
	UNIT_CHECK(parse("POST /rpc HTTP/1.0\r\nConnection: keep-alive\r\n"
			 "Content-Length: 2\r\n\r\n") == 0);
	UNIT_CHECK(req.keep_alive);
	UNIT_CHECK(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == -505);
	UNIT_CHECK(parse("GET / HTTP/0.9\r\nHost: h\r\n\r\n") == -505);
	/* GET needs no length; method and path are judged by the server. */
	UNIT_CHECK(parse("GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n") == 0);
	UNIT_CHECK_STR(req.method, "GET");
	UNIT_CHECK_STR(req.path, "/index.html");
	UNIT_CHECK(!req.has_length);
}

UNIT_TEST(http_bad_request_lines)
{
	static const char *const bad[] = {
		"POST  /rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /rpc  HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /rpc\r\nHost: h\r\n\r\n",
		"POST rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST http://h/rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST * HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /rpc HTTP/1.1 \r\nHost: h\r\n\r\n",
		"POST /rpc http/1.1\r\nHost: h\r\n\r\n",
		"POST /rpc HTTP/1.x\r\nHost: h\r\n\r\n",
		"PO\"ST /rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		" POST /rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /r\x01pc HTTP/1.1\r\nHost: h\r\n\r\n",
		"POSTPOSTPOSTPOSTPOST /rpc HTTP/1.1\r\nHost: h\r\n\r\n",
		"\x16\x03\x01\x02\x10\x01\xfc\x03\x03\r\n\r\n", /* TLS */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i]);
		if (rc != -400) {
			char m[160];
			snprintf(m, sizeof(m), "bad line %zu gave %d", i, rc);
			unit_fail(__FILE__, __LINE__, m);
		}
	}
	UNIT_CHECK(why[0] != 0);
}

UNIT_TEST(http_bad_fields)
{
	/* obs-fold (RFC 7230 3.2.4) refused. */
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n"
			 "Content-Length: 0\r\n\r\n") == -400);
	UNIT_CHECK(strstr(why, "folded"));
	/* Whitespace between name and colon. */
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length : 0\r\n\r\n") == -400);
	/* No colon, empty name, control character in a value. */
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost h\r\n\r\n") == -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\n: x\r\nHost: h\r\n\r\n") ==
		   -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\x01\r\n"
			 "Content-Length: 0\r\n\r\n") == -400);
	/* Duplicate Content-Length, even with the same value. */
	UNIT_CHECK(
	    parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
		  "Content-Length: 5\r\n\r\n") == -400);
	UNIT_CHECK(strstr(why, "Content-Length"));
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length: 5, 5\r\n\r\n") == -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length: -1\r\n\r\n") == -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length: +5\r\n\r\n") == -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length:\r\n\r\n") == -400);
	/* Duplicate Host or Authorization; Host missing on 1.1. */
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\nHost: i\r\n"
			 "Content-Length: 0\r\n\r\n") == -400);
	UNIT_CHECK(
	    parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
		  "Authorization: Bearer a\r\n"
		  "Authorization: Bearer b\r\n\r\n") == -400);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nContent-Length: 0\r\n\r\n") ==
		   -400);
	UNIT_CHECK(strstr(why, "Host"));
}

UNIT_TEST(http_line_endings)
{
	size_t scan = 0;
	const char *lf = "POST /rpc HTTP/1.1\nHost: h\n\n";
	const char *cr = "POST /rpc HTTP/1.1\rHost: h\r\n\r\n";

	UNIT_CHECK(http_head_end(lf, strlen(lf), &scan) == -400);
	scan = 0;
	UNIT_CHECK(http_head_end(cr, strlen(cr), &scan) == -400);
	/* Empty lines before the request line are skipped (RFC 7230 3.5). */
	UNIT_CHECK(parse("\r\n\r\nPOST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length: 0\r\n\r\n") == 0);
	UNIT_CHECK_STR(req.method, "POST");
	/* Only empty lines: no head yet. */
	scan = 0;
	UNIT_CHECK(http_head_end("\r\n\r\n\r\n", 6, &scan) == 0);
}

UNIT_TEST(http_split_reads)
{
	/* One byte at a time, as a slow client sends it: the end is found
	 * exactly once, at the right place. */
	const char *s = CURL_POST "{}";
	size_t head = strlen(CURL_POST), scan = 0;
	long end = 0;
	size_t n;

	for (n = 1; n <= strlen(s); n++) {
		end = http_head_end(s, n, &scan);
		if (end)
			break;
	}
	UNIT_CHECK(end == (long)head);
	UNIT_CHECK(n == head);
	/* A CR at the end of a read waits for its LF. */
	scan = 0;
	UNIT_CHECK(http_head_end("POST /rpc HTTP/1.1\r", 19, &scan) == 0);
	UNIT_CHECK(http_head_end("POST /rpc HTTP/1.1\rX", 20, &scan) == -400);
	scan = 0;
	UNIT_CHECK(http_head_end("POST /rpc HTTP/1.1\r", 19, &scan) == 0);
	UNIT_CHECK(http_head_end("POST /rpc HTTP/1.1\r\n", 20, &scan) == 0);
}

UNIT_TEST(http_pipelining)
{
	/* Two requests in one read: the first head's length leaves the body
	 * and the second request after it. */
	const char *a =
	    "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n";
	const char *b = "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
			"Connection: close\r\n\r\n";
	char buf[512];
	size_t scan = 0;

	snprintf(buf, sizeof(buf), "%sabcd%s{}", a, b);
	long end = http_head_end(buf, strlen(buf), &scan);
	UNIT_CHECK(end == (long)strlen(a));
	UNIT_CHECK(http_parse_head(buf, (size_t)end, &req, &why) == 0);
	UNIT_CHECK(req.length == 4 && req.keep_alive);
	size_t next = (size_t)end + req.length;
	UNIT_CHECK(memcmp(buf + (size_t)end, "abcd", 4) == 0);
	scan = 0;
	end = http_head_end(buf + next, strlen(buf) - next, &scan);
	UNIT_CHECK(end == (long)strlen(b));
	UNIT_CHECK(http_parse_head(buf + next, (size_t)end, &req, &why) == 0);
	UNIT_CHECK(req.length == 2 && !req.keep_alive);
}

UNIT_TEST(http_limits)
{
	size_t cap = HTTP_MAX_HEAD + 64, scan = 0;
	char *big = malloc(cap + 1);

	/* A head that reaches 16 KiB without its blank line: 431, as soon as
	 * the limit is reached and not later. */
	strcpy(big, "POST /rpc HTTP/1.1\r\nHost: h\r\nX-Pad: ");
	memset(big + strlen(big), 'a', cap - strlen(big));
	big[cap] = 0;
	UNIT_CHECK(http_head_end(big, HTTP_MAX_HEAD - 1, &scan) == 0);
	UNIT_CHECK(http_head_end(big, HTTP_MAX_HEAD, &scan) == -431);
	/* Exactly at the limit with its end: accepted. */
	const char *tail = "\r\nContent-Length: 0\r\n\r\n";
	memcpy(big + HTTP_MAX_HEAD - strlen(tail), tail, strlen(tail));
	scan = 0;
	UNIT_CHECK(http_head_end(big, cap, &scan) == HTTP_MAX_HEAD);
	UNIT_CHECK(http_parse_head(big, HTTP_MAX_HEAD, &req, &why) == 0);
	free(big);

	/* Too many fields. */
	char buf[4096];
	size_t n = (size_t)snprintf(buf, sizeof(buf),
				    "POST /rpc HTTP/1.1\r\nHost: h\r\n"
				    "Content-Length: 0\r\n");
	for (int i = 0; i < HTTP_MAX_FIELDS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: y\r\n",
				      i);
	snprintf(buf + n, sizeof(buf) - n, "\r\n");
	UNIT_CHECK(parse(buf) == -431);

	/* Body limit: 2 MiB is fine, one byte more is 413; a huge number
	 * does not overflow into a small one. */
	snprintf(buf, sizeof(buf),
		 "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n",
		 HTTP_MAX_BODY);
	UNIT_CHECK(parse(buf) == 0 && req.length == HTTP_MAX_BODY);
	snprintf(buf, sizeof(buf),
		 "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n",
		 HTTP_MAX_BODY + 1);
	UNIT_CHECK(parse(buf) == -413);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: "
			 "18446744073709551617\r\n\r\n") == -413);
}

UNIT_TEST(http_length_and_coding)
{
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n\r\n") == -411);
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n") == -411);
	UNIT_CHECK(strstr(why, "chunked"));
	UNIT_CHECK(parse("POST /rpc HTTP/1.1\r\nHost: h\r\n"
			 "Transfer-Encoding: gzip\r\n\r\n") == -501);
	UNIT_CHECK(
	    parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n") == -400);
	UNIT_CHECK(
	    parse("POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		  "Expect: something-else\r\n\r\n") == -417);
}

UNIT_TEST(http_responses)
{
	char out[512], body[256];
	int n = http_response_head(out, sizeof(out), 200, 42, true, NULL);

	UNIT_CHECK(n > 0 && (size_t)n == strlen(out));
	UNIT_CHECK(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0);
	UNIT_CHECK(strstr(out, "Content-Length: 42\r\n"));
	UNIT_CHECK(strstr(out, "Content-Type: application/json\r\n"));
	UNIT_CHECK(!strstr(out, "Connection:"));
	UNIT_CHECK(strcmp(out + n - 4, "\r\n\r\n") == 0);

	n = http_response_head(out, sizeof(out), 405, 10, false,
			       "Allow: POST\r\n");
	UNIT_CHECK(strstr(out, "HTTP/1.1 405 Method Not Allowed\r\n"));
	UNIT_CHECK(strstr(out, "\r\nAllow: POST\r\n"));
	UNIT_CHECK(strstr(out, "\r\nConnection: close\r\n"));

	n = http_response_head(out, sizeof(out), 204, 0, true, NULL);
	UNIT_CHECK(strncmp(out, "HTTP/1.1 204 No Content\r\n", 25) == 0);
	UNIT_CHECK(!strstr(out, "Content-Length"));
	UNIT_CHECK(http_response_head(out, 20, 200, 1, true, NULL) == -1);

	n = http_error_body(body, sizeof(body), 413, "too \"big\"");
	UNIT_CHECK((size_t)n == strlen(body));
	UNIT_CHECK_STR(body, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{"
			     "\"code\":-32600,\"message\":\"HTTP 413 Content "
			     "Too Large: too \\\"big\\\"\"}}\n");
	/* Truncated to fit, still valid JSON. */
	n = http_error_body(body, 100, 400,
			    "a long long long long long reason");
	UNIT_CHECK(n < 100 && strcmp(body + n - 4, "\"}}\n") == 0);
	UNIT_CHECK_STR(http_continue, "HTTP/1.1 100 Continue\r\n\r\n");
}
