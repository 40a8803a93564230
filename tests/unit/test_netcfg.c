// SPDX-License-Identifier: MIT
/*
 * keel.ip= / keel.ip6= parsing: what operators type at a boot prompt, and
 * the mistakes they make, each rejected with a message naming the part.
 * UNIT_SRCS: net/netcfg.c
 */
#include <string.h>

#include "net/netcfg.h"
#include "unit.h"

static struct net_config cfg;
static char err[160];

static int parse(const char *s)
{
	netcfg_default(&cfg);
	err[0] = 0;
	return netcfg_parse_ip(s, &cfg, err, sizeof(err));
}

/* Rejected, and the message contains @frag. */
#define BAD(s, frag)                                                        \
	do {                                                                \
		UNIT_CHECK(parse(s) == -22);                                \
		if (!strstr(err, frag)) {                                   \
			char m[400];                                        \
			snprintf(m, sizeof(m), "'%s' -> '%s' lacks '%s'", s, \
				 err, frag);                                \
			unit_fail(__FILE__, __LINE__, m);                   \
		}                                                           \
	} while (0)

static bool ip_is(const uint8_t a[4], int b0, int b1, int b2, int b3)
{
	return a[0] == b0 && a[1] == b1 && a[2] == b2 && a[3] == b3;
}

UNIT_TEST(netcfg_dhcp)
{
	UNIT_CHECK(parse("dhcp") == 0);
	UNIT_CHECK(cfg.ip4_mode == NETCFG_IP4_DHCP);
	UNIT_CHECK(cfg.vlan == NETCFG_VLAN_NONE && cfg.ndns == 0 && cfg.ip6);
	UNIT_CHECK(parse("dhcp,vlan=100,dns=1.1.1.1") == 0);
	UNIT_CHECK(cfg.ip4_mode == NETCFG_IP4_DHCP && cfg.vlan == 100);
	UNIT_CHECK(cfg.ndns == 1 && ip_is(cfg.dns[0], 1, 1, 1, 1));
}

UNIT_TEST(netcfg_static_full)
{
	UNIT_CHECK(parse("10.0.2.15/24,gw=10.0.2.2,dns=10.0.2.3,"
			 "dns=8.8.8.8,vlan=0") == 0);
	UNIT_CHECK(cfg.ip4_mode == NETCFG_IP4_STATIC);
	UNIT_CHECK(ip_is(cfg.addr, 10, 0, 2, 15) && cfg.prefix == 24);
	UNIT_CHECK(cfg.has_gw && ip_is(cfg.gw, 10, 0, 2, 2));
	UNIT_CHECK(cfg.ndns == 2 && ip_is(cfg.dns[1], 8, 8, 8, 8));
	UNIT_CHECK(cfg.vlan == NETCFG_VLAN_NONE);

	char buf[128];
	netcfg_format(&cfg, buf, sizeof(buf));
	UNIT_CHECK_STR(buf, "10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 "
			    "dns 8.8.8.8 ipv6 on");
}

UNIT_TEST(netcfg_static_minimal)
{
	UNIT_CHECK(parse("192.168.7.2/30") == 0);
	UNIT_CHECK(!cfg.has_gw && cfg.prefix == 30);
	UNIT_CHECK(parse("172.16.0.1/32,vlan=4094") == 0);
	UNIT_CHECK(cfg.vlan == 4094);
	UNIT_CHECK(parse("10.1.1.0/31") == 0); /* RFC 3021 point-to-point */
}

UNIT_TEST(netcfg_bad_address)
{
	BAD("", "empty");
	BAD("static", "expected dhcp or ADDR/PREFIX");
	BAD("DHCP", "expected dhcp");
	BAD("10.0.2.15", "expected dhcp or ADDR/PREFIX");
	BAD("10.0.2/24", "'10.0.2' is not an IPv4 address");
	BAD("10.0.2.256/24", "not an IPv4 address");
	BAD("10.0.02.1/24", "not an IPv4 address");
	BAD("10.0.2.15.1/24", "not an IPv4 address");
	BAD("10.0.2.-1/24", "not an IPv4 address");
	BAD("10.0.2.15/33", "prefix '/33'");
	BAD("10.0.2.15/0", "prefix '/0'");
	BAD("10.0.2.15/", "prefix '/'");
	BAD("10.0.2.15/24x", "prefix");
	BAD("10.0.2.0/24", "network address");
	BAD("10.0.2.255/24", "broadcast address");
	BAD("127.0.0.5/8", "loopback");
	BAD("224.0.0.5/8", "multicast");
	BAD("0.1.2.3/8", "0.0.0.0/8");
	BAD("255.255.255.255/32", "reserved or broadcast");
}

UNIT_TEST(netcfg_bad_items)
{
	BAD("10.0.2.15/24,gw=10.0.3.1", "not on the subnet of 10.0.2.15/24");
	BAD("10.0.2.15/24,gw=10.0.2.15", "our own address");
	BAD("10.0.2.15/24,gw=10.0.2.1,gw=10.0.2.2", "twice");
	BAD("10.0.2.15/24,gw=router", "gateway 'router'");
	BAD("dhcp,gw=10.0.2.2", "needs a static address");
	BAD("dhcp,dns=1.1.1.1,dns=8.8.8.8,dns=9.9.9.9", "more than 2");
	BAD("dhcp,dns=1.1.1", "DNS server '1.1.1'");
	BAD("dhcp,vlan=4095", "VLAN '4095'");
	BAD("dhcp,vlan=-3", "VLAN '-3'");
	BAD("dhcp,vlan=", "expected KEY=VALUE");
	BAD("dhcp,mtu=9000", "unknown setting 'mtu'");
	BAD("dhcp,,vlan=3", "empty item");
	BAD("dhcp,", "empty item");
	BAD("10.0.2.15/24 gw=10.0.2.2", "prefix");
}

UNIT_TEST(netcfg_failure_keeps_old)
{
	netcfg_default(&cfg);
	cfg.ip6 = false;
	UNIT_CHECK(netcfg_parse_ip("10.0.0.9/8,vlan=7", &cfg, err,
				   sizeof(err)) == 0);
	UNIT_CHECK(!cfg.ip6 && cfg.vlan == 7); /* ip6 is not keel.ip's */
	struct net_config before = cfg;
	UNIT_CHECK(netcfg_parse_ip("10.0.0.9/8,vlan=9999", &cfg, err,
				   sizeof(err)) == -22);
	UNIT_CHECK(!memcmp(&before, &cfg, sizeof(cfg)));
}

UNIT_TEST(netcfg_ip6)
{
	bool on = false;

	UNIT_CHECK(netcfg_parse_ip6("", &on, err, sizeof(err)) == 0 && on);
	UNIT_CHECK(netcfg_parse_ip6("off", &on, err, sizeof(err)) == 0 && !on);
	UNIT_CHECK(netcfg_parse_ip6("on", &on, err, sizeof(err)) == 0 && on);
	UNIT_CHECK(netcfg_parse_ip6("maybe", &on, err, sizeof(err)) == -22);
	UNIT_CHECK(strstr(err, "expected on or off") != NULL);
}
