/* SPDX-License-Identifier: MIT */
/*
 * The management endpoint (mgmt/server.c, docs/mgmt.md): HTTPS on
 * store_mgmt_port() (443) of every management address, IPv4 and IPv6,
 * serving `POST /rpc` (JSON-RPC 2.0, mgmt/rpc.h) to several clients at
 * once, one thread per connection. It starts by itself once the store is
 * ready and the host has a TLS identity (on a first-boot host, as soon
 * as setup finishes).
 */
#ifndef KEEL_MGMT_SERVER_H
#define KEEL_MGMT_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/thread.h"

struct mgmt_server_stats {
	bool listening;
	uint16_t port;
	unsigned int conns_now; /* open connections */
	uint64_t conns_total;	/* accepted since boot */
	uint64_t requests;	/* HTTP requests answered */
	uint64_t handshakes;	/* completed TLS handshakes, resumed included */
	uint64_t resumed;	/* ... of which resumed a session */
	uint64_t tls_failures;	/* handshakes that failed or timed out */
	uint64_t http_errors;	/* 4xx/5xx answers at the HTTP level */
	uint64_t timeouts;	/* connections closed by a time limit */
	uint64_t evicted;	/* idle/handshaking ones closed for a new one */
	uint64_t refused;	/* closed at once: every slot was busy */
	unsigned int stack_peak; /* deepest stack use of a connection, bytes */
};
void mgmt_server_stats(struct mgmt_server_stats *out);

/*
 * The console's "Restart Management Network": close every connection,
 * read the port and the certificate again and listen anew. Waits (up to
 * ~10 s) for the endpoint to be listening again: 0, -ETIMEDOUT, or
 * -ENODEV when the endpoint has not started (host not set up yet: it
 * starts by itself once it is).
 */
int mgmt_server_restart(void);

/* A sleeping lock for mgmt/ (mbedTLS contexts, which must not be used
 * by two threads at once: the library is built without threading). */
struct mgmt_mutex {
	int held;
	struct waitq wq;
};
#define MGMT_MUTEX_INIT                                                        \
	{                                                                      \
		0, WAITQ_INIT                                                  \
	}
void mgmt_mutex_lock(struct mgmt_mutex *m);
void mgmt_mutex_unlock(struct mgmt_mutex *m);

#endif
