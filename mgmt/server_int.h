/* SPDX-License-Identifier: MIT */
/*
 * Inside the management endpoint: what the listener (mgmt/server.c) and
 * the connection threads (mgmt/server_conn.c) share.
 */
#ifndef KEEL_MGMT_SERVER_INT_H
#define KEEL_MGMT_SERVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/http.h"
#include "mgmt/server.h"

/*
 * Where a connection is. Eviction (a new connection when all
 * HTTP_MAX_CONNS are live) may close one that waits on its client
 * (HANDSHAKE, IDLE, HEAD) but never one the host is working for (BODY is
 * an upload in progress, BUSY a method running or a response going out).
 */
enum mgmt_conn_state {
	MGMT_CONN_FREE,
	MGMT_CONN_HANDSHAKE, /* TLS handshake not finished */
	MGMT_CONN_IDLE,	     /* keep-alive, between requests */
	MGMT_CONN_HEAD,	     /* a request head is arriving */
	MGMT_CONN_BODY,	     /* a request body is arriving */
	MGMT_CONN_BUSY,	     /* running the request, writing the answer */
	MGMT_CONN_CLOSING,   /* stopped; its thread is closing it */
};

/* Slots: HTTP_MAX_CONNS live connections plus some being closed (an
 * evicted connection's thread needs up to a slice to notice). Each is an
 * lwIP netconn: net/lwip/lwipopts.h's MEMP_NUM_NETCONN counts them. */
#define MGMT_SLOTS (HTTP_MAX_CONNS + 16)

struct mgmt_conn {
	/* Written by the owning thread, read by the listener (eviction):
	 * under mgmt_srv_lock. */
	int state;
	uint64_t activity; /* time_ns() of the client's last progress */
	/* Raised by the listener (eviction, restart); the owning thread
	 * polls it at least every MGMT_TLS_SLICE_MS while it waits. */
	volatile int stop;
	struct netconn *nc;
	char addr[48];
	uint64_t accepted;
};

/* Thread body of one connection; frees the slot when done. */
void mgmt_conn_main(void *arg);
/* State changes (they decide what eviction may take). */
void mgmt_conn_set_state(struct mgmt_conn *c, enum mgmt_conn_state s);
/* The thread is done with @c: slot free. @stack_used for the peak. */
void mgmt_conn_release(struct mgmt_conn *c, unsigned int stack_used);

/* Counters (atomics; mgmt_server_stats reads them). */
struct mgmt_counters {
	uint64_t conns_total, requests, handshakes, resumed, tls_failures,
	    http_errors, timeouts, evicted, refused;
	unsigned int stack_peak;
};
extern struct mgmt_counters mgmt_ctr;
#define MGMT_COUNT(field)                                                      \
	__atomic_add_fetch(&mgmt_ctr.field, 1, __ATOMIC_RELAXED)

/*
 * Request bodies come from the heap; all connections together may hold
 * MGMT_BODY_BUDGET bytes (16 full-size uploads), beyond which a request
 * is answered 503 with Retry-After rather than letting 32 clients pin
 * 64 MiB of the hypervisor's memory.
 */
#define MGMT_BODY_BUDGET (16u * HTTP_MAX_BODY)
bool mgmt_body_reserve(size_t n);
void mgmt_body_release(size_t n);

/* A log line, at most a few per 10 s (clients can trigger these). */
void mgmt_log_limited(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
