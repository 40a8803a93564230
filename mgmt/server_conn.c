// SPDX-License-Identifier: MIT
/*
 * One management connection, in its own thread (docs/mgmt.md
 * "Connections"): the TLS handshake, then HTTP/1.1 requests one after
 * the other (pipelined ones are answered in order), each body handed to
 * rpc_handle() with the caller mgmt/auth.c found for its bearer token.
 *
 * Every wait on the client has a deadline (mgmt/http.h limits): the
 * handshake 10 s, a started request 30 s (then 408), the answer 30 s to
 * be taken, 60 s of keep-alive silence. The transport (mgmt/tls.c)
 * checks it, and the stop flag the listener raises to evict or restart,
 * every MGMT_TLS_SLICE_MS.
 *
 * Closing: after an answer the client expects to be the last, with a
 * TLS close_notify and a FIN; a connection that is evicted, timed out
 * or broken is reset (tcp_abort), which frees its lwIP PCB at once
 * instead of leaving it in FIN_WAIT for a client that never closes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/api.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_internal.h>

#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "mgmt/auth.h"
#include "mgmt/json.h"
#include "mgmt/rpc.h"
#include "mgmt/server_int.h"
#include "mgmt/tls.h"

#define MGMT_NS_PER_MS 1000000ull
/* Bytes of an unwanted body read and dropped before closing, so the
 * client sees the error answer rather than a reset (RFC 7230 6.6). */
#define MGMT_DRAIN_MAX (HTTP_MAX_BODY + HTTP_MAX_HEAD)
#define MGMT_DRAIN_MS 2000
#define MGMT_CLOSE_MS 1000
/* An answer buffer that grew past this is given back after use. */
#define MGMT_KEEP_OUT 65536
#define MGMT_STACK_PAINT 0x6d676d7473746b21ull

struct mgmt_cx {
	struct mgmt_conn *c;
	struct mgmt_tls_conf *conf;
	struct mgmt_tls_io io;
	mbedtls_ssl_context ssl;
	char *buf; /* request head (and what followed it), HTTP_MAX_HEAD */
	size_t len;
	bool timed_out;	 /* a read ran past its deadline */
	bool write_shut; /* close_notify and FIN are out (mgmt_drain) */
	struct jw out;
	char head[512];
};

static uint64_t mgmt_after(unsigned int ms)
{
	return time_ns() + ms * MGMT_NS_PER_MS;
}

/* --- Stack high-water mark (thread stacks are THREAD_STACK_SIZE) ---------- */

static uint64_t *mgmt_stack_low(void)
{
	return (uint64_t *)((char *)thread_current()->stack_top -
			    THREAD_STACK_SIZE);
}

static __attribute__((noinline)) void mgmt_stack_paint(void)
{
	uint64_t *p = mgmt_stack_low();
	/* Leave this function's own frame and some room alone. */
	uint64_t *end = (uint64_t *)__builtin_frame_address(0) - 64;

	while (p < end)
		*p++ = MGMT_STACK_PAINT;
}

static unsigned int mgmt_stack_used(void)
{
	uint64_t *p = mgmt_stack_low();
	uint64_t *top = (uint64_t *)thread_current()->stack_top;

	while (p < top && *p == MGMT_STACK_PAINT)
		p++;
	return (unsigned int)((char *)top - (char *)p);
}

/* --- I/O ------------------------------------------------------------------ */

/* Up to @cap bytes of the request: >0, 0 at the end of the stream, <0
 * when the deadline passed, the connection was stopped or broke
 * (io.end says which). */
static int mgmt_read(struct mgmt_cx *x, void *buf, size_t cap)
{
	int rc;

	do
		rc = mbedtls_ssl_read(&x->ssl, buf, cap);
	while (rc == MBEDTLS_ERR_SSL_WANT_READ);
	if (rc > 0)
		return rc;
	if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
	    rc == MBEDTLS_ERR_SSL_CONN_EOF)
		return 0;
	if (x->io.end == MGMT_TLS_TIMEOUT) {
		/* Remembered here; the transport stays usable for an answer
		 * (408) or a close_notify under a new deadline. */
		x->timed_out = true;
		x->io.end = MGMT_TLS_OPEN;
		return -1;
	}
	if (x->io.end == MGMT_TLS_OPEN)
		x->io.end = MGMT_TLS_NET_ERR; /* a bad record: alert sent */
	return -1;
}

static int mgmt_write(struct mgmt_cx *x, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		int rc = mbedtls_ssl_write(&x->ssl, p, len);
		if (rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc <= 0)
			return -1;
		p += rc;
		len -= (size_t)rc;
	}
	return 0;
}

/* A response: the head, then @body. */
static int mgmt_respond(struct mgmt_cx *x, int status, const char *body,
			size_t blen, bool keep, const char *extra)
{
	int n = http_response_head(x->head, sizeof(x->head), status, blen, keep,
				   extra);

	x->io.deadline = mgmt_after(HTTP_RESPONSE_MS);
	if (n < 0 || mgmt_write(x, x->head, (size_t)n))
		return -1;
	return blen ? mgmt_write(x, body, blen) : 0;
}

static void mgmt_respond_error(struct mgmt_cx *x, int status, const char *why,
			       bool keep, const char *extra)
{
	char body[320];
	int n = http_error_body(body, sizeof(body), status, why);

	MGMT_COUNT(http_errors);
	mgmt_respond(x, status, body, (size_t)n, keep, extra);
}

/*
 * Before closing after an error answer: say so (close_notify, then a FIN
 * for our direction) and read and drop what the client still sends (a
 * body we did not want) until it closes too, for up to MGMT_DRAIN_MS and
 * MGMT_DRAIN_MAX bytes. Closing with unread data would reset the
 * connection, and the client could lose the answer with it (RFC 7230
 * section 6.6). The bytes are dropped undecrypted.
 */
static void mgmt_drain(struct mgmt_cx *x)
{
	size_t want = MGMT_DRAIN_MAX;

	x->len = 0;
	x->io.deadline = mgmt_after(MGMT_CLOSE_MS);
	if (x->io.end == MGMT_TLS_OPEN)
		mbedtls_ssl_close_notify(&x->ssl);
	netconn_shutdown(x->c->nc, 0, 1);
	x->write_shut = true;
	x->io.deadline = mgmt_after(MGMT_DRAIN_MS);
	while (want && x->io.end == MGMT_TLS_OPEN) {
		int n =
		    mgmt_tls_recv(&x->io, (unsigned char *)x->buf,
				  want < HTTP_MAX_HEAD ? want : HTTP_MAX_HEAD);
		if (n <= 0)
			break;
		want -= (size_t)n;
	}
	if (x->io.end == MGMT_TLS_EOF || x->io.end == MGMT_TLS_TIMEOUT)
		x->io.end = MGMT_TLS_OPEN; /* a clean close from here */
}

/* --- The handshake -------------------------------------------------------- */

static int mgmt_handshake(struct mgmt_cx *x)
{
	bool resumed = false;
	int rc = 0;
	char err[96];

	x->io.deadline = mgmt_after(HTTP_HANDSHAKE_MS);
	/* Step by step to see whether the session was resumed: mbedTLS
	 * 2.28 frees the handshake parameters (and ->resume with them) in
	 * the wrap-up step and has no getter. */
	while (x->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		if (x->ssl.state == MBEDTLS_SSL_HANDSHAKE_WRAPUP &&
		    x->ssl.handshake)
			resumed = x->ssl.handshake->resume;
		rc = mbedtls_ssl_handshake_step(&x->ssl);
		if (rc)
			break;
	}
	if (rc == 0) {
		MGMT_COUNT(handshakes);
		if (resumed)
			MGMT_COUNT(resumed);
		return 0;
	}
	MGMT_COUNT(tls_failures);
	if (x->timed_out || x->io.end == MGMT_TLS_TIMEOUT) {
		mgmt_log_limited("TLS handshake from %s did not finish within "
				 "%d s",
				 x->c->addr, HTTP_HANDSHAKE_MS / 1000);
	} else if (x->io.end == MGMT_TLS_OPEN) {
		mgmt_tls_strerror(rc, err, sizeof(err));
		mgmt_log_limited("TLS handshake from %s failed: %s", x->c->addr,
				 err);
	}
	return -1;
}

/* --- Requests ------------------------------------------------------------- */

/* Run one complete request (@body of @r->length bytes) and answer it.
 * 0 to read the next request, -1 to close. */
static int mgmt_rpc(struct mgmt_cx *x, const struct http_req *r,
		    const char *body)
{
	struct rpc_caller caller;
	bool keep;

	memset(&caller, 0, sizeof(caller));
	snprintf(caller.addr, sizeof(caller.addr), "%s", x->c->addr);
	snprintf(caller.token, sizeof(caller.token), "%s", r->token);
	auth_caller(&caller, r->has_auth, r->bearer);
	rpc_handle(body, r->length, &caller, &x->out);
	MGMT_COUNT(requests);
	keep = r->keep_alive && !x->c->stop;
	if (!jw_ok(&x->out))
		return mgmt_respond(x, 500, NULL, 0, false, NULL), -1;
	if (mgmt_respond(x, x->out.len ? 200 : 204, x->out.buf, x->out.len,
			 keep, NULL))
		return -1;
	if (x->out.cap > MGMT_KEEP_OUT) {
		jw_free(&x->out);
		jw_init(&x->out, HTTP_MAX_RESPONSE);
	}
	return keep ? 0 : -1;
}

/*
 * The request whose head is the first @end bytes of x->buf: route it,
 * read its body, run it. 0 to go on with the next request, -1 to close.
 */
static int mgmt_request(struct mgmt_cx *x, size_t end)
{
	struct http_req r;
	const char *why, *extra = NULL;
	int st = http_parse_head(x->buf, end, &r, &why);
	char *body;
	size_t have;

	if (st) {
		/* The framing is unknown: answer and close. */
		mgmt_respond_error(x, -st, why, false, NULL);
		mgmt_drain(x);
		return -1;
	}
	if (r.path_long || strcmp(r.path, HTTP_RPC_PATH) != 0) {
		st = 404;
		why = "the endpoint serves POST /rpc only";
	} else if (strcmp(r.method, "POST") != 0) {
		st = 405;
		why = "use POST for /rpc";
		extra = "Allow: POST\r\n";
	} else if (!mgmt_body_reserve(r.length)) {
		st = 503;
		why = "too many large requests in progress; try again";
		extra = "Retry-After: 1\r\n";
	}
	if (st) {
		/* Without a body the connection stays usable; with one the
		 * client may hold it back (Expect: 100-continue) or be
		 * sending it: answer, drop what comes, close. */
		bool keep = r.keep_alive && (!r.has_length || r.length == 0);
		x->len -= end;
		memmove(x->buf, x->buf + end, x->len);
		mgmt_respond_error(x, st, why, keep, extra);
		if (keep)
			return 0;
		mgmt_drain(x);
		return -1;
	}

	/* The body: what came with the head, then the rest. */
	body = malloc(r.length ? r.length : 1);
	if (!body) {
		mgmt_body_release(r.length);
		mgmt_respond_error(x, 503, "out of memory for the request",
				   false, "Retry-After: 1\r\n");
		return -1;
	}
	have = x->len - end < r.length ? x->len - end : r.length;
	memcpy(body, x->buf + end, have);
	x->len -= end + have;
	memmove(x->buf, x->buf + end + have, x->len);
	if (have < r.length) {
		mgmt_conn_set_state(x->c, MGMT_CONN_BODY);
		/* RFC 7231 5.1.1: the client waits for this before sending. */
		if (r.expect_100 &&
		    mgmt_write(x, http_continue, strlen(http_continue)))
			goto fail;
	}
	while (have < r.length) {
		int n = mgmt_read(x, body + have, r.length - have);
		if (n <= 0) {
			if (x->timed_out && !x->c->stop) {
				mgmt_respond_error(x, 408,
						   "the request body did not "
						   "arrive within 30 s",
						   false, NULL);
			}
			goto fail;
		}
		have += (size_t)n;
	}
	mgmt_conn_set_state(x->c, MGMT_CONN_BUSY);
	st = mgmt_rpc(x, &r, body);
	free(body);
	mgmt_body_release(r.length);
	return st;
fail:
	free(body);
	mgmt_body_release(r.length);
	return -1;
}

/* Requests until the client or a limit ends the connection. */
static void mgmt_http(struct mgmt_cx *x)
{
	for (;;) {
		size_t scan = 0;
		long end = 0;
		bool started = x->len > 0;

		if (started) {
			mgmt_conn_set_state(x->c, MGMT_CONN_HEAD);
			x->io.deadline = mgmt_after(HTTP_REQUEST_MS);
		} else {
			mgmt_conn_set_state(x->c, MGMT_CONN_IDLE);
			x->io.deadline = mgmt_after(HTTP_IDLE_MS);
		}
		while ((end = http_head_end(x->buf, x->len, &scan)) == 0) {
			int n = mgmt_read(x, x->buf + x->len,
					  HTTP_MAX_HEAD - x->len);
			if (n <= 0) {
				if (started && x->timed_out && !x->c->stop) {
					mgmt_respond_error(
					    x, 408,
					    "the request did not arrive "
					    "within 30 s",
					    false, NULL);
				}
				return;
			}
			if (!started) {
				started = true;
				mgmt_conn_set_state(x->c, MGMT_CONN_HEAD);
				x->io.deadline = mgmt_after(HTTP_REQUEST_MS);
			}
			x->len += (size_t)n;
		}
		if (end < 0) {
			mgmt_respond_error(x, (int)-end,
					   end == -431
					       ? "the request head is over "
						 "16 KiB"
					       : "malformed request head "
						 "(lines must end in CRLF)",
					   false, NULL);
			mgmt_drain(x);
			return;
		}
		if (mgmt_request(x, (size_t)end))
			return;
		if (x->c->stop)
			return;
	}
}

/* --- The thread ----------------------------------------------------------- */

static void mgmt_abort(struct netconn *nc)
{
	LOCK_TCPIP_CORE();
	if (nc->pcb.tcp)
		tcp_abort(nc->pcb.tcp); /* err_tcp detaches the netconn */
	UNLOCK_TCPIP_CORE();
}

static void mgmt_nodelay(struct netconn *nc)
{
	/* Each answer is a head record and a body record: without this
	 * Nagle holds the second until the first is acknowledged, and the
	 * client's delayed ACK adds up to 40-200 ms to every call. */
	LOCK_TCPIP_CORE();
	if (nc->pcb.tcp)
		tcp_nagle_disable(nc->pcb.tcp);
	UNLOCK_TCPIP_CORE();
}

static void mgmt_close(struct mgmt_cx *x, bool graceful)
{
	if (graceful && x->io.end == MGMT_TLS_EOF)
		x->io.end = MGMT_TLS_OPEN; /* half-closed: we may still send */
	if (graceful && x->io.end == MGMT_TLS_OPEN) {
		x->io.deadline = mgmt_after(MGMT_CLOSE_MS);
		if (!x->write_shut)
			mbedtls_ssl_close_notify(&x->ssl);
		netconn_close(x->c->nc);
	} else {
		mgmt_abort(x->c->nc);
	}
	netconn_delete(x->c->nc);
	mgmt_tls_io_free(&x->io);
}

void mgmt_conn_main(void *arg)
{
	struct mgmt_conn *c = arg;
	struct mgmt_cx *x;
	bool graceful = false;
	int err;

	mgmt_stack_paint();
	x = calloc(1, sizeof(*x));
	if (x)
		x->buf = malloc(HTTP_MAX_HEAD);
	if (!x || !x->buf) {
		log_warn("mgmt: out of memory for a connection from %s",
			 c->addr);
		mgmt_abort(c->nc);
		netconn_delete(c->nc);
		if (x)
			free(x);
		goto out;
	}
	x->c = c;
	x->io.nc = c->nc;
	x->io.stop = &c->stop;
	jw_init(&x->out, HTTP_MAX_RESPONSE);
	mbedtls_ssl_init(&x->ssl);
	mgmt_nodelay(c->nc);

	x->conf = mgmt_tls_conf_get(false, &err);
	if (!x->conf || mbedtls_ssl_setup(&x->ssl, &x->conf->conf)) {
		log_warn("mgmt: no TLS configuration for a connection from %s "
			 "(%d)",
			 c->addr, err);
	} else {
		mbedtls_ssl_set_bio(&x->ssl, &x->io, mgmt_tls_send,
				    mgmt_tls_recv, NULL);
		if (mgmt_handshake(x) == 0) {
			mgmt_http(x);
			/* After the handshake every end is a clean close
			 * (close_notify, FIN) unless the connection broke or
			 * was stopped: the client may still read an answer. */
			graceful = true;
		}
	}
	if (x->timed_out)
		MGMT_COUNT(timeouts);
	mgmt_conn_set_state(c, MGMT_CONN_CLOSING);
	mgmt_close(x, graceful && !c->stop);
	mbedtls_ssl_free(&x->ssl);
	mgmt_tls_conf_put(x->conf);
	jw_free(&x->out);
	free(x->buf);
	free(x);
out:
	mgmt_conn_release(c, mgmt_stack_used());
	thread_exit();
}
