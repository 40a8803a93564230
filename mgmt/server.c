// SPDX-License-Identifier: MIT
/*
 * The management endpoint's listener (mgmt/server.h, docs/mgmt.md).
 *
 * One thread waits for the store and a TLS identity, then listens on
 * store_mgmt_port() with one dual-stack netconn (an IPv6 netconn bound
 * to the any-type address takes IPv4 too, as net/net_echo.c does) and
 * gives every connection a thread of its own (mgmt/server_conn.c), so a
 * slow client, a 4-second password check or a large upload holds up
 * nobody else.
 *
 * At most HTTP_MAX_CONNS connections are live. When a new one arrives
 * and all are, the live connection that has waited on its client the
 * longest (handshaking, idle between requests, or with a request head
 * still arriving) is stopped to make room: a client that opens a
 * hundred connections and sends nothing only ever displaces its own
 * silent connections, and the administrator who connects next and
 * talks gets served. Per-address limits cannot do this job: behind NAT
 * (and under QEMU's user networking) every client has one address. A
 * stopped connection's thread notices within MGMT_TLS_SLICE_MS and
 * closes it with a reset, so its lwIP PCB is free at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/api.h>
#include <lwip/ip.h>
#include <lwip/ip_addr.h>
#include <lwip/tcpip.h>

#include "core/init.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "core/time.h"
#include "mgmt/cert.h"
#include "mgmt/server_int.h"
#include "mgmt/tls.h"
#include "store/store.h"

#define MGMT_NS_PER_MS 1000000ull
#define MGMT_POLL_SETUP_MS 1000 /* first boot: is the host set up yet? */
#define MGMT_BIND_RETRY_MS 5000
#define MGMT_BACKLOG 16
#define MGMT_RESTART_WAIT_MS 10000
/* A restart waits this long for connections to close before listening
 * again (one running a method finishes it first). */
#define MGMT_DRAIN_MS 5000

struct mgmt_counters mgmt_ctr;

static struct spinlock mgmt_srv_lock = SPINLOCK_INIT;
static struct mgmt_conn mgmt_conns[MGMT_SLOTS];
static bool mgmt_started;
static bool mgmt_listening;
static uint16_t mgmt_port;
/* Restart handshake with the listener thread. */
static unsigned int mgmt_restart_req, mgmt_restart_done;
static struct waitq mgmt_restart_wq = WAITQ_INIT;
static size_t mgmt_body_used;

/* --- Small shared pieces ------------------------------------------------- */

static bool mgmt_mutex_free(void *arg)
{
	struct mgmt_mutex *m = arg;

	return !__atomic_load_n(&m->held, __ATOMIC_ACQUIRE);
}

void mgmt_mutex_lock(struct mgmt_mutex *m)
{
	while (__atomic_exchange_n(&m->held, 1, __ATOMIC_ACQUIRE))
		waitq_wait(&m->wq, mgmt_mutex_free, m);
}

void mgmt_mutex_unlock(struct mgmt_mutex *m)
{
	__atomic_store_n(&m->held, 0, __ATOMIC_RELEASE);
	waitq_wake_all(&m->wq);
}

bool mgmt_body_reserve(size_t n)
{
	bool ok;

	spin_lock(&mgmt_srv_lock);
	ok = mgmt_body_used + n <= MGMT_BODY_BUDGET;
	if (ok)
		mgmt_body_used += n;
	spin_unlock(&mgmt_srv_lock);
	return ok;
}

void mgmt_body_release(size_t n)
{
	spin_lock(&mgmt_srv_lock);
	mgmt_body_used -= n;
	spin_unlock(&mgmt_srv_lock);
}

void mgmt_log_limited(const char *fmt, ...)
{
	static struct spinlock lock = SPINLOCK_INIT;
	static uint64_t window;
	static unsigned int n, dropped;
	uint64_t now = time_ns();
	unsigned int was_dropped = 0;
	bool print;
	char line[200];
	va_list ap;

	spin_lock(&lock);
	if (now - window >= 10000 * MGMT_NS_PER_MS) {
		window = now;
		was_dropped = dropped;
		n = dropped = 0;
	}
	print = n < 5;
	if (print)
		n++;
	else
		dropped++;
	spin_unlock(&lock);
	if (was_dropped)
		log_info("mgmt: (%u similar lines not shown)", was_dropped);
	if (!print)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("mgmt: %s", line);
}

/* --- Slots --------------------------------------------------------------- */

void mgmt_conn_set_state(struct mgmt_conn *c, enum mgmt_conn_state s)
{
	spin_lock(&mgmt_srv_lock);
	c->state = s;
	c->activity = time_ns();
	spin_unlock(&mgmt_srv_lock);
}

void mgmt_conn_release(struct mgmt_conn *c, unsigned int stack_used)
{
	unsigned int peak =
	    __atomic_load_n(&mgmt_ctr.stack_peak, __ATOMIC_RELAXED);

	while (stack_used > peak) {
		if (__atomic_compare_exchange_n(
			&mgmt_ctr.stack_peak, &peak, stack_used, false,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			/* For the stack budget (docs/mgmt.md "Threads"). */
			if (stack_used / 1024 > peak / 1024)
				log_debug("mgmt: deepest connection stack so "
					  "far: %u of %u bytes",
					  stack_used, THREAD_STACK_SIZE);
			break;
		}
	}
	spin_lock(&mgmt_srv_lock);
	memset(c, 0, sizeof(*c));
	spin_unlock(&mgmt_srv_lock);
}

static bool mgmt_evictable(int s)
{
	return s == MGMT_CONN_HANDSHAKE || s == MGMT_CONN_IDLE ||
	       s == MGMT_CONN_HEAD;
}

/*
 * A slot for a new connection from @addr, stopping the longest-waiting
 * evictable connection when HTTP_MAX_CONNS are live. NULL when every
 * live connection is busy for a client (the new one is refused).
 */
static struct mgmt_conn *mgmt_slot_take(const char *addr, char *victim,
					size_t vlen)
{
	struct mgmt_conn *free_slot = NULL, *old = NULL;
	unsigned int live = 0;
	uint64_t now = time_ns();

	victim[0] = 0;
	spin_lock(&mgmt_srv_lock);
	for (size_t i = 0; i < MGMT_SLOTS; i++) {
		struct mgmt_conn *c = &mgmt_conns[i];
		if (c->state == MGMT_CONN_FREE) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		if (c->stop || c->state == MGMT_CONN_CLOSING)
			continue;
		live++;
		if (mgmt_evictable(c->state) &&
		    (!old || c->activity < old->activity))
			old = c;
	}
	if (live >= HTTP_MAX_CONNS) {
		if (!old || !free_slot) {
			free_slot = NULL;
		} else {
			old->stop = 1;
			snprintf(victim, vlen, "%s", old->addr);
		}
	}
	if (free_slot) {
		free_slot->state = MGMT_CONN_HANDSHAKE;
		free_slot->activity = now;
		free_slot->accepted = now;
		free_slot->stop = 0;
		snprintf(free_slot->addr, sizeof(free_slot->addr), "%s", addr);
	}
	spin_unlock(&mgmt_srv_lock);
	return free_slot;
}

/* Stop every connection (restart); how many are still open. */
static unsigned int mgmt_stop_all(void)
{
	unsigned int open = 0;

	spin_lock(&mgmt_srv_lock);
	for (size_t i = 0; i < MGMT_SLOTS; i++) {
		if (mgmt_conns[i].state != MGMT_CONN_FREE) {
			mgmt_conns[i].stop = 1;
			open++;
		}
	}
	spin_unlock(&mgmt_srv_lock);
	return open;
}

void mgmt_server_stats(struct mgmt_server_stats *out)
{
	memset(out, 0, sizeof(*out));
	spin_lock(&mgmt_srv_lock);
	for (size_t i = 0; i < MGMT_SLOTS; i++)
		if (mgmt_conns[i].state != MGMT_CONN_FREE)
			out->conns_now++;
	out->listening = mgmt_listening;
	out->port = mgmt_port;
	spin_unlock(&mgmt_srv_lock);
#define MGMT_LOAD(f) out->f = __atomic_load_n(&mgmt_ctr.f, __ATOMIC_RELAXED)
	MGMT_LOAD(conns_total);
	MGMT_LOAD(requests);
	MGMT_LOAD(handshakes);
	MGMT_LOAD(resumed);
	MGMT_LOAD(tls_failures);
	MGMT_LOAD(http_errors);
	MGMT_LOAD(timeouts);
	MGMT_LOAD(evicted);
	MGMT_LOAD(refused);
	MGMT_LOAD(stack_peak);
#undef MGMT_LOAD
}

/* --- The listener -------------------------------------------------------- */

static void mgmt_accept_one(struct netconn *nc)
{
	char addr[48] = "?", victim[48];
	ip_addr_t peer;
	u16_t port;
	struct mgmt_conn *c;

	if (netconn_peer(nc, &peer, &port) == ERR_OK)
		ipaddr_ntoa_r(&peer, addr, sizeof(addr));
	MGMT_COUNT(conns_total);
	c = mgmt_slot_take(addr, victim, sizeof(victim));
	if (victim[0]) {
		MGMT_COUNT(evicted);
		mgmt_log_limited("%d connections open: closed the one from %s "
				 "that waited longest, for a new one from %s",
				 HTTP_MAX_CONNS, victim, addr);
	}
	if (!c) {
		MGMT_COUNT(refused);
		mgmt_log_limited(
		    "%d connections busy: refused a new one from %s",
		    HTTP_MAX_CONNS, addr);
		netconn_close(nc);
		netconn_delete(nc);
		return;
	}
	c->nc = nc;
	if (!thread_create("mgmt-conn", mgmt_conn_main, c, NULL)) {
		log_warn("mgmt: no thread for a connection from %s", addr);
		netconn_close(nc);
		netconn_delete(nc);
		mgmt_conn_release(c, 0);
	}
}

static bool mgmt_restart_pending(void)
{
	return __atomic_load_n(&mgmt_restart_req, __ATOMIC_ACQUIRE) !=
	       mgmt_restart_done;
}

static struct netconn *mgmt_listen(uint16_t port)
{
	struct netconn *l = netconn_new(NETCONN_TCP_IPV6);
	err_t e = l ? ERR_OK : ERR_MEM;

	if (l) {
		/* SO_REUSE: rebind while old connections sit in TIME_WAIT. */
		LOCK_TCPIP_CORE();
		ip_set_option(l->pcb.ip, SOF_REUSEADDR);
		UNLOCK_TCPIP_CORE();
		e = netconn_bind(l, IP_ANY_TYPE, port);
		if (e == ERR_OK)
			e = netconn_listen_with_backlog(l, MGMT_BACKLOG);
	}
	if (e != ERR_OK) {
		log_err("mgmt: cannot listen on TCP port %u (lwIP error %d); "
			"trying again in %d s",
			port, e, MGMT_BIND_RETRY_MS / 1000);
		if (l)
			netconn_delete(l);
		return NULL;
	}
	netconn_set_recvtimeout(l, MGMT_TLS_SLICE_MS);
	return l;
}

/* Wait for connections to close after mgmt_stop_all (a restart). */
static void mgmt_drain(void)
{
	uint64_t end = time_ns() + MGMT_DRAIN_MS * MGMT_NS_PER_MS;
	unsigned int open;

	while ((open = mgmt_stop_all()) && time_ns() < end)
		thread_sleep_ns(50 * MGMT_NS_PER_MS);
	if (open)
		log_warn("mgmt: %u connection%s still finishing a request",
			 open, open == 1 ? "" : "s");
}

static void mgmt_serve(void)
{
	bool reload = false;

	for (;;) {
		struct mgmt_tls_conf *conf;
		struct netconn *l, *nc;
		uint16_t port = store_mgmt_port();
		int err;

		conf = mgmt_tls_conf_get(reload, &err);
		if (!conf) {
			log_err(
			    "mgmt: no usable TLS key and certificate in the "
			    "store (%d): regenerate it at the console (F2 > "
			    "Regenerate Certificate)",
			    err);
			thread_sleep_ns(MGMT_BIND_RETRY_MS * MGMT_NS_PER_MS);
			continue;
		}
		l = mgmt_listen(port);
		if (!l) {
			mgmt_tls_conf_put(conf);
			thread_sleep_ns(MGMT_BIND_RETRY_MS * MGMT_NS_PER_MS);
			continue;
		}
		spin_lock(&mgmt_srv_lock);
		mgmt_listening = true;
		mgmt_port = port;
		spin_unlock(&mgmt_srv_lock);
		log_info("mgmt: HTTPS endpoint on TCP port %u (IPv4 and IPv6), "
			 "POST /rpc; certificate SHA-256 thumbprint %s",
			 port, conf->thumbprint);
		mgmt_tls_conf_put(conf);
		if (mgmt_restart_pending()) {
			__atomic_store_n(&mgmt_restart_done, mgmt_restart_req,
					 __ATOMIC_RELEASE);
			waitq_wake_all(&mgmt_restart_wq);
		}

		while (!mgmt_restart_pending()) {
			err_t e = netconn_accept(l, &nc);
			if (e == ERR_OK)
				mgmt_accept_one(nc);
			else if (e != ERR_TIMEOUT)
				thread_sleep_ns(10 * MGMT_NS_PER_MS);
		}

		/* Restart Management Network. */
		log_info("mgmt: restarting the endpoint (console request)");
		spin_lock(&mgmt_srv_lock);
		mgmt_listening = false;
		spin_unlock(&mgmt_srv_lock);
		netconn_close(l);
		netconn_delete(l);
		mgmt_drain();
		reload = true;
	}
}

static bool mgmt_restarted(void *arg)
{
	unsigned int want = *(unsigned int *)arg;

	return (int)(__atomic_load_n(&mgmt_restart_done, __ATOMIC_ACQUIRE) -
		     want) >= 0;
}

int mgmt_server_restart(void)
{
	uint64_t end = time_ns() + MGMT_RESTART_WAIT_MS * MGMT_NS_PER_MS;
	unsigned int want;

	if (!__atomic_load_n(&mgmt_started, __ATOMIC_ACQUIRE))
		return -ENODEV;
	want = __atomic_add_fetch(&mgmt_restart_req, 1, __ATOMIC_ACQ_REL);
	for (;;) {
		uint64_t now = time_ns();
		if (mgmt_restarted(&want))
			return 0;
		if (now >= end)
			return -ETIMEDOUT;
		waitq_wait_timeout(&mgmt_restart_wq, mgmt_restarted, &want,
				   end - now);
	}
}

/* Is the host set up with a TLS identity? (first boot: not until the
 * wizard or keel.cfg has finished) */
static bool mgmt_host_ready(void)
{
	uint8_t *key = NULL, *crt = NULL;
	size_t klen = 0, clen = 0;

	if (!store_configured())
		return false;
	if (store_get_tls(&key, &klen, &crt, &clen))
		return false;
	memset(key, 0, klen);
	free(key);
	free(crt);
	return true;
}

static void mgmt_server_thread(void *arg)
{
	unsigned int gen = ~0u;
	bool said = false;

	(void)arg;
	store_wait_ready();
	/* A first-boot host has neither; setup stores both and bumps the
	 * certificate generation. Poll cheaply: re-read the store when the
	 * generation moved, else once every few seconds. */
	for (unsigned int i = 0;; i++) {
		unsigned int g = mgmt_cert_generation();
		if ((g != gen || i % 5 == 0) && mgmt_host_ready())
			break;
		gen = g;
		if (!said) {
			log_info(
			    "mgmt: endpoint waits for the host to be set up");
			said = true;
		}
		thread_sleep_ns(MGMT_POLL_SETUP_MS * MGMT_NS_PER_MS);
	}
	if (mgmt_tls_init())
		log_err("mgmt: the DRBG could not be seeded; no endpoint");
	else {
		__atomic_store_n(&mgmt_started, true, __ATOMIC_RELEASE);
		mgmt_serve();
	}
}

static void mgmt_server_init(void)
{
	if (!thread_create("mgmt", mgmt_server_thread, NULL, NULL))
		log_err("mgmt: no thread for the management endpoint");
}
KEEL_INIT(INIT_LATE, mgmt_server_init);
