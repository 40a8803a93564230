// SPDX-License-Identifier: MIT
/*
 * lwIP comes alive: the stack is initialised with its loopback interface,
 * and a UDP datagram sent to 127.0.0.1 must arrive at a bound socket.
 */
#include <string.h>

#include <lwip/init.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/udp.h>

#include "core/init.h"
#include "core/log.h"

#define NET_SELFTEST_PORT 7 /* echo */

static int net_received;

static void net_selftest_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			      const ip_addr_t *addr, u16_t port)
{
	(void)arg, (void)pcb, (void)addr, (void)port;
	if (p->tot_len == 4 && !memcmp(p->payload, "keel", 4))
		net_received++;
	pbuf_free(p);
}

static void net_init(void)
{
	ip_addr_t lo = IPADDR4_INIT_BYTES(127, 0, 0, 1);
	struct udp_pcb *rx, *tx;
	struct pbuf *p;
	err_t err;

	lwip_init();
	struct netif *nif = netif_find("lo0");
	if (!nif || !netif_is_up(nif)) {
		log_err("lwip: loopback interface missing or down");
		return;
	}
	rx = udp_new();
	tx = udp_new();
	p = pbuf_alloc(PBUF_TRANSPORT, 4, PBUF_RAM);
	if (!rx || !tx || !p) {
		log_err("lwip: out of memory for the loopback test");
		goto out;
	}
	err = udp_bind(rx, &lo, NET_SELFTEST_PORT);
	if (err == ERR_OK) {
		udp_recv(rx, net_selftest_recv, NULL);
		memcpy(p->payload, "keel", 4);
		err = udp_sendto(tx, p, &lo, NET_SELFTEST_PORT);
	}
	/* NO_SYS: looped packets are delivered when the netif is polled. */
	netif_poll_all();
	if (err != ERR_OK || net_received != 1) {
		log_err("lwip: UDP over loopback failed (err %d, %d received)",
			err, net_received);
		goto out;
	}
	log_info("lwip: " LWIP_VERSION_STRING
		 " up, loopback %s answers UDP",
		 ipaddr_ntoa(&lo));
out:
	if (p)
		pbuf_free(p);
	if (rx)
		udp_remove(rx);
	if (tx)
		udp_remove(tx);
}
KEEL_INIT(INIT_LIBS, net_init);
