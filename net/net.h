/* SPDX-License-Identifier: MIT */
/*
 * The management network (docs/net.md): vmk0 on the first NIC, configured
 * from a struct net_config (net/netcfg.h) that comes from keel.ip= at boot
 * and later from the config store.
 */
#ifndef KEEL_NET_NET_H
#define KEEL_NET_NET_H

#include "net/netcfg.h"
#include "net/vmk.h"

/*
 * Make @c the active settings of vmk0: stops DHCP, drops the old
 * addresses, sets the VLAN, then DHCP or the static address, DNS and
 * IPv6. Never waits for the network. Any thread, any time after boot;
 * -ENODEV when there is no management interface (the settings are kept
 * for when one appears).
 */
int net_apply(const struct net_config *c);
/* The settings last given to net_apply(). */
void net_get_config(struct net_config *c);
/* vmk0's current addresses, for the console and the certificate: a
 * snapshot taken under the lwIP core lock. */
#define NET_ADDRS_MAX6 3
#define NET_ADDR6_LEN 48
struct net_addrs {
	bool up;      /* vmk0 exists and is administratively up */
	bool has_ip4; /* static, or a DHCP lease */
	uint8_t ip4[4];
	unsigned int n6;
	char ip6[NET_ADDRS_MAX6][NET_ADDR6_LEN]; /* RFC 5952 text */
};
void net_addrs(struct net_addrs *out);
/* The NIC under vmk0, or NULL. */
struct nic *net_nic(void);
/* vmk0's lwIP netif (read it under the tcpip core lock), or NULL. */
struct netif *net_netif(void);
/* Boot: bring vmk0 up on @nic (net_init.c calls it). */
int net_apply_attach(struct nic *nic);
/* keel.echo: the TCP echo diagnostic on port 7 (net/net_echo.c). */
int net_echo_start(void);

#endif
