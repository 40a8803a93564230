// SPDX-License-Identifier: MIT
/*
 * lwIP comes alive: the tcpip thread starts, a UDP datagram sent to
 * 127.0.0.1 through the netconn API must arrive at a bound netconn, then
 * vmk0 is created on the first NIC and configured from keel.ip=/keel.ip6=.
 * Nothing here waits for the network: DHCP and SLAAC finish in the
 * background.
 */
#include <errno.h>
#include <string.h>

#include <lwip/api.h>
#include <lwip/init.h>
#include <lwip/ip_addr.h>
#include <lwip/tcpip.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "net/net.h"
#include "net/net_diag.h"

#define NET_SELFTEST_PORT 7 /* echo */
#define NET_TCPIP_START_MS 5000
#define NET_LOOPBACK_MS 2000

CMDLINE_OPTION(ip, "keel.ip",
	       "management IPv4: dhcp (default) or "
	       "ADDR/PREFIX,gw=GW,dns=DNS[,dns=DNS2],vlan=ID");
CMDLINE_OPTION(ip6, "keel.ip6", "management IPv6 (SLAAC): on (default) or off");
CMDLINE_OPTION(echo, "keel.echo",
	       "diagnostic: TCP echo service on port 7 of the management address");

static void net_tcpip_ready(void *arg)
{
	sys_sem_signal(arg);
}

/* UDP over 127.0.0.1 through netconns: the tcpip thread, mailboxes,
 * semaphores and loopback delivery all have to work. */
static int net_loopback_check(void)
{
	ip_addr_t lo = IPADDR4_INIT_BYTES(127, 0, 0, 1);
	struct netconn *rx = netconn_new(NETCONN_UDP);
	struct netconn *tx = netconn_new(NETCONN_UDP);
	struct netbuf *out = netbuf_new(), *in = NULL;
	err_t err = ERR_MEM;
	int ok = 0;

	if (!rx || !tx || !out)
		goto done;
	netconn_set_recvtimeout(rx, NET_LOOPBACK_MS);
	err = netconn_bind(rx, &lo, NET_SELFTEST_PORT);
	if (err == ERR_OK)
		err = netbuf_ref(out, "keel", 4);
	if (err == ERR_OK)
		err = netconn_sendto(tx, out, &lo, NET_SELFTEST_PORT);
	if (err == ERR_OK)
		err = netconn_recv(rx, &in);
	if (err == ERR_OK) {
		void *data;
		u16_t len;
		netbuf_data(in, &data, &len);
		ok = len == 4 && !memcmp(data, "keel", 4);
	}
done:
	if (!ok)
		log_err("lwip: UDP over loopback failed (err %d)", err);
	if (in)
		netbuf_delete(in);
	if (out)
		netbuf_delete(out);
	if (rx)
		netconn_delete(rx);
	if (tx)
		netconn_delete(tx);
	return ok ? 0 : -1;
}

/* keel.ip / keel.ip6: a bad value is logged and DHCP (IPv6 on) is used. */
static void net_boot_config(struct net_config *c)
{
	char buf[256], err[160];

	netcfg_default(c);
	int r = cmdline_get("keel.ip6", buf, sizeof(buf));
	if (r >= 0 && netcfg_parse_ip6(buf, &c->ip6, err, sizeof(err)))
		log_err("net: %s; keeping IPv6 on", err);
	r = cmdline_get("keel.ip", buf, sizeof(buf));
	if (r == -ENOSPC)
		log_err("net: keel.ip is too long; using DHCP");
	else if (r >= 0 && netcfg_parse_ip(buf, c, err, sizeof(err)))
		log_err("net: bad keel.ip=%s: %s; using DHCP", buf, err);
}

static void net_init(void)
{
	struct net_config cfg;
	sys_sem_t ready;
	char buf[8];

	sys_sem_new(&ready, 0);
	tcpip_init(net_tcpip_ready, &ready);
	if (sys_arch_sem_wait(&ready, NET_TCPIP_START_MS) == SYS_ARCH_TIMEOUT) {
		log_err("lwip: tcpip thread did not start; no network");
		return;
	}
	if (net_loopback_check() == 0)
		log_info("lwip: " LWIP_VERSION_STRING
			 " up, loopback 127.0.0.1 answers UDP");

	net_boot_config(&cfg);
	struct nic *nic = vmk_pick_nic();
	if (!nic) {
		log_warn("net: no network adapter; management network off");
		return;
	}
	if (net_apply_attach(nic)) {
		log_err("net: cannot create vmk0 on %s", nic->name);
		return;
	}
	net_apply(&cfg);
	if (cmdline_get("keel.echo", buf, sizeof(buf)) >= 0)
		net_echo_start();
	net_diag_boot_test();
}
KEEL_INIT(INIT_LIBS, net_init);
