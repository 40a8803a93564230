// SPDX-License-Identifier: MIT
/*
 * Applying management settings to vmk0 and telling the operator what is
 * active: the console lines
 *   net: vmk0 on vmnic0 52:54:00:12:34:56 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp)
 *   net: vmk0 ipv6 fe80::5054:ff:fe12:3456 (link-local)
 * come from lwIP's netif status callback, so they follow DHCP leases,
 * renewals and SLAAC as they happen. A DHCP server that never answers is
 * retried by lwIP (RFC 2131 4.1 backoff); net_dhcp_watch says so on the
 * console at growing intervals. Nothing here waits for the network.
 */
#include <errno.h>
#include <string.h>

#include <lwip/dhcp.h>
#include <lwip/dns.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/tcpip.h>
#include <lwip/timeouts.h>

#include "core/log.h"
#include "net/net.h"

#define NET_DHCP_FIRST_WARN_MS 5000
#define NET_DHCP_MAX_WARN_MS (300 * 1000)

static struct vmk net_vmk;
static bool net_have_vmk;
static struct net_config net_cfg; /* under the tcpip core lock */
static uint32_t net_dhcp_start_ms, net_dhcp_warn_ms;
static netif_ext_callback_t net_status_cb_handle;

static void net_ip4_of(ip_addr_t *a, const uint8_t b[4])
{
	IP_ADDR4(a, b[0], b[1], b[2], b[3]);
}

static unsigned int net_prefix_len(const ip4_addr_t *mask)
{
	return (unsigned int)__builtin_popcount(ip4_addr_get_u32(mask));
}

static void net_print_ip4(void)
{
	struct netif *nif = &net_vmk.netif;
	char mac[18], line[256], a[IP4ADDR_STRLEN_MAX];
	size_t n;

	nic_mac_fmt(net_vmk.nic->mac, mac);
	n = snprintf(line, sizeof(line), "net: %s on %s %s %s/%u", net_vmk.name,
		     net_vmk.nic->name, mac,
		     ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof(a)),
		     net_prefix_len(netif_ip4_netmask(nif)));
	if (!ip4_addr_isany(netif_ip4_gw(nif)))
		n += snprintf(line + n, sizeof(line) - n, " gw %s",
			      ip4addr_ntoa_r(netif_ip4_gw(nif), a, sizeof(a)));
	for (int i = 0; i < DNS_MAX_SERVERS && n < sizeof(line); i++) {
		const ip_addr_t *d = dns_getserver(i);
		if (!ip_addr_isany(d))
			n += snprintf(line + n, sizeof(line) - n, " dns %s",
				      ipaddr_ntoa_r(d, a, sizeof(a)));
	}
	if (net_cfg.vlan && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " vlan %u",
			      net_cfg.vlan);
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, " (%s)",
			 net_cfg.ip4_mode == NETCFG_IP4_DHCP ? "dhcp" :
							       "static");
	log_info("%s", line);
}

static void net_print_ip6(void)
{
	struct netif *nif = &net_vmk.netif;
	char line[256], a[IP6ADDR_STRLEN_MAX];
	size_t n = snprintf(line, sizeof(line), "net: %s ipv6", net_vmk.name);
	int shown = 0;

	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && n < sizeof(line); i++) {
		u8_t st = netif_ip6_addr_state(nif, i);
		if (!ip6_addr_isvalid(st))
			continue;
		const ip6_addr_t *ip = netif_ip6_addr(nif, i);
		ip6addr_ntoa_r(ip, a, sizeof(a));
		for (char *c = a; *c; c++) /* RFC 5952 4.3: lower case */
			if (*c >= 'A' && *c <= 'F')
				*c += 'a' - 'A';
		n += snprintf(line + n, sizeof(line) - n, "%s %s (%s)",
			      shown++ ? "," : "", a,
			      ip6_addr_islinklocal(ip) ? "link-local" :
							 "slaac");
	}
	if (shown)
		log_info("%s", line);
}

/* With DHCP, keel.ip's dns= servers win over the lease's. */
static void net_set_dns(void)
{
	for (unsigned int i = 0; i < net_cfg.ndns; i++) {
		ip_addr_t d;
		net_ip4_of(&d, net_cfg.dns[i]);
		dns_setserver((u8_t)i, &d);
	}
}

/* tcpip thread: lwIP's view of vmk0 changed. */
static void net_status_cb(struct netif *nif, netif_nsc_reason_t reason,
			  const netif_ext_callback_args_t *args)
{
	if (!net_have_vmk || nif != &net_vmk.netif)
		return;
	if ((reason & (LWIP_NSC_IPV4_SETTINGS_CHANGED |
		       LWIP_NSC_IPV4_ADDRESS_CHANGED)) &&
	    !ip4_addr_isany(netif_ip4_addr(nif))) {
		net_set_dns();
		net_print_ip4();
	}
	if ((reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) &&
	    ip6_addr_isvalid(netif_ip6_addr_state(
		    nif, args->ipv6_addr_state_changed.addr_index)) &&
	    !ip6_addr_isvalid(args->ipv6_addr_state_changed.old_state))
		net_print_ip6();
	if (reason & LWIP_NSC_LINK_CHANGED)
		log_info("net: %s: link %s", net_vmk.name,
			 args->link_changed.state ? "up" : "down");
}

/* tcpip thread: DHCP still without a lease? Say so, less and less often. */
static void net_dhcp_watch(void *arg)
{
	struct netif *nif = &net_vmk.netif;

	if (net_cfg.ip4_mode != NETCFG_IP4_DHCP || dhcp_supplied_address(nif))
		return;
	log_warn("net: %s: no DHCP answer yet (%u s), still trying%s",
		 net_vmk.name, (sys_now() - net_dhcp_start_ms + 500) / 1000,
		 netif_is_link_up(nif) ? "" : " (link down)");
	net_dhcp_warn_ms *= 2;
	if (net_dhcp_warn_ms > NET_DHCP_MAX_WARN_MS)
		net_dhcp_warn_ms = NET_DHCP_MAX_WARN_MS;
	sys_timeout(net_dhcp_warn_ms, net_dhcp_watch, NULL);
}

static void net_apply_locked(const struct net_config *c)
{
	struct netif *nif = &net_vmk.netif;

	sys_untimeout(net_dhcp_watch, NULL);
	dhcp_release_and_stop(nif);
	netif_set_addr(nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
	for (int i = 0; i < DNS_MAX_SERVERS; i++)
		dns_setserver((u8_t)i, IP_ADDR_ANY);
	net_cfg = *c;
	vmk_set_vlan(&net_vmk, c->vlan);
	net_set_dns();
	netif_set_up(nif);

	if (c->ip6) {
		netif_create_ip6_linklocal_address(nif, 1);
		netif_set_ip6_autoconfig_enabled(nif, 1);
	} else {
		netif_set_ip6_autoconfig_enabled(nif, 0);
		for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
			netif_ip6_addr_set_state(nif, i, IP6_ADDR_INVALID);
	}

	if (c->ip4_mode == NETCFG_IP4_STATIC) {
		ip_addr_t a, m, g;
		uint32_t mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;
		net_ip4_of(&a, c->addr);
		IP_ADDR4(&m, mask >> 24, mask >> 16 & 0xff, mask >> 8 & 0xff,
			 mask & 0xff);
		if (c->has_gw)
			net_ip4_of(&g, c->gw);
		else
			ip_addr_set_zero_ip4(&g);
		netif_set_addr(nif, ip_2_ip4(&a), ip_2_ip4(&m), ip_2_ip4(&g));
	} else {
		err_t e = dhcp_start(nif);
		if (e != ERR_OK)
			log_err("net: %s: DHCP did not start (%d)",
				net_vmk.name, e);
		net_dhcp_start_ms = sys_now();
		net_dhcp_warn_ms = NET_DHCP_FIRST_WARN_MS;
		sys_timeout(net_dhcp_warn_ms, net_dhcp_watch, NULL);
	}
}

int net_apply(const struct net_config *c)
{
	char desc[160];

	netcfg_format(c, desc, sizeof(desc));
	if (!net_have_vmk) {
		net_cfg = *c;
		return -ENODEV;
	}
	log_info("net: %s: applying %s", net_vmk.name, desc);
	LOCK_TCPIP_CORE();
	net_apply_locked(c);
	UNLOCK_TCPIP_CORE();
	return 0;
}

void net_get_config(struct net_config *c)
{
	LOCK_TCPIP_CORE();
	*c = net_cfg;
	UNLOCK_TCPIP_CORE();
}

struct nic *net_nic(void)
{
	return net_have_vmk ? net_vmk.nic : NULL;
}

struct netif *net_netif(void)
{
	return net_have_vmk ? &net_vmk.netif : NULL;
}

void net_addrs(struct net_addrs *out)
{
	struct netif *nif = net_netif();

	memset(out, 0, sizeof(*out));
	if (!nif)
		return;
	LOCK_TCPIP_CORE();
	out->up = netif_is_up(nif);
	if (out->up && !ip4_addr_isany(netif_ip4_addr(nif))) {
		/* lwIP keeps the address in network order. */
		memcpy(out->ip4, &netif_ip4_addr(nif)->addr, 4);
		out->has_ip4 = true;
	}
	for (int i = 0; out->up && i < LWIP_IPV6_NUM_ADDRESSES &&
			out->n6 < NET_ADDRS_MAX6;
	     i++) {
		char *a = out->ip6[out->n6];
		if (!ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
			continue;
		ip6addr_ntoa_r(netif_ip6_addr(nif, i), a, NET_ADDR6_LEN);
		for (char *c = a; *c; c++) /* RFC 5952 section 4.3 */
			if (*c >= 'A' && *c <= 'F')
				*c += 'a' - 'A';
		out->n6++;
	}
	UNLOCK_TCPIP_CORE();
}

int net_apply_attach(struct nic *nic)
{
	int r;

	LOCK_TCPIP_CORE();
	r = vmk_create(&net_vmk, nic);
	if (!r) {
		netif_add_ext_callback(&net_status_cb_handle, net_status_cb);
		net_have_vmk = true;
	}
	UNLOCK_TCPIP_CORE();
	return r;
}
