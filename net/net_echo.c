// SPDX-License-Identifier: MIT
/*
 * keel.echo: a TCP echo service (RFC 862) on port 7 of every management
 * address, IPv4 and IPv6. A diagnostic for operators and the network
 * tests and benches: it proves frames, TCP and the socket-level API work
 * end to end. Off unless keel.echo is on the command line.
 *
 * One listener thread; each connection gets its own thread (netconn API),
 * at most NET_ECHO_MAX_CONNS at once so a flood cannot eat threads.
 */
#include <lwip/api.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/time.h"
#include "core/thread.h"
#include "net/net.h"

#define NET_ECHO_PORT 7
#define NET_ECHO_MAX_CONNS 4
#define NET_ECHO_IDLE_MS (5 * 60 * 1000) /* drop silent clients */

static int net_echo_conns;

static void net_echo_conn(void *arg)
{
	struct netconn *c = arg;
	struct netbuf *b;
	struct nic *nic = net_nic();
	uint64_t bytes = 0, t0 = time_ns(), tsc0 = cpu_rdtsc();
	uint64_t frames0 = nic ? nic->stats.rx_packets + nic->stats.tx_packets : 0;

	netconn_set_recvtimeout(c, NET_ECHO_IDLE_MS);
	while (netconn_recv(c, &b) == ERR_OK) {
		err_t e = ERR_OK;
		do {
			void *data;
			u16_t len;
			netbuf_data(b, &data, &len);
			e = netconn_write(c, data, len, NETCONN_COPY);
			bytes += len;
		} while (e == ERR_OK && netbuf_next(b) >= 0);
		netbuf_delete(b);
		if (e != ERR_OK)
			break;
	}
	netconn_close(c);
	netconn_delete(c);
	/* For bench/net.py: under -icount shift=0 TSC ticks are instructions
	 * (idle time included). */
	uint64_t frames = nic ? nic->stats.rx_packets + nic->stats.tx_packets -
					frames0 : 0;
	log_info("net: echo: %llu bytes back in %llu ms, %llu TSC ticks, "
		 "%llu frames",
		 (unsigned long long)bytes,
		 (unsigned long long)((time_ns() - t0) / 1000000),
		 (unsigned long long)(cpu_rdtsc() - tsc0),
		 (unsigned long long)frames);
	__atomic_sub_fetch(&net_echo_conns, 1, __ATOMIC_RELAXED);
	thread_exit();
}

static void net_echo_listen(void *arg)
{
	struct netconn *l = arg, *c;

	for (;;) {
		if (netconn_accept(l, &c) != ERR_OK)
			continue;
		if (__atomic_add_fetch(&net_echo_conns, 1, __ATOMIC_RELAXED) >
			    NET_ECHO_MAX_CONNS ||
		    !thread_create("echo-conn", net_echo_conn, c, NULL)) {
			__atomic_sub_fetch(&net_echo_conns, 1,
					   __ATOMIC_RELAXED);
			netconn_close(c);
			netconn_delete(c);
		}
	}
}

int net_echo_start(void)
{
	/* An IPv6 netconn bound to the any-type address takes IPv4 too. */
	struct netconn *l = netconn_new(NETCONN_TCP_IPV6);

	if (!l || netconn_bind(l, IP_ANY_TYPE, NET_ECHO_PORT) != ERR_OK ||
	    netconn_listen(l) != ERR_OK ||
	    !thread_create("echo", net_echo_listen, l, NULL)) {
		log_err("net: echo service on port %d did not start",
			NET_ECHO_PORT);
		if (l)
			netconn_delete(l);
		return -1;
	}
	log_info("net: keel.echo: TCP echo on port %d (diagnostic)",
		 NET_ECHO_PORT);
	return 0;
}
