/* SPDX-License-Identifier: MIT */
/*
 * Management-network settings and their text form (ARCHITECTURE.md
 * section 8): `keel.ip=dhcp` (the default) or
 * `keel.ip=ADDR/PREFIX,gw=GW,dns=DNS[,dns=DNS2],vlan=ID`, and
 * `keel.ip6=on|off`. The parser is pure (unit-tested on the host); the
 * config store (issue 6) fills the same struct net_config and hands it
 * to net_apply() (net/net.h), at boot or at run time.
 */
#ifndef KEEL_NET_NETCFG_H
#define KEEL_NET_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETCFG_MAX_DNS 2
#define NETCFG_VLAN_NONE 0 /* VID 0 is "priority only": no tag */
#define NETCFG_VLAN_MAX 4094

enum netcfg_ip4_mode {
	NETCFG_IP4_DHCP,
	NETCFG_IP4_STATIC,
};

struct net_config {
	enum netcfg_ip4_mode ip4_mode;
	uint8_t addr[4]; /* static only */
	uint8_t prefix;	 /* static only: 1..32 */
	bool has_gw;
	uint8_t gw[4];
	/* DNS servers: with DHCP these replace the server's. */
	unsigned int ndns;
	uint8_t dns[NETCFG_MAX_DNS][4];
	uint16_t vlan; /* NETCFG_VLAN_NONE or 1..4094 */
	bool ip6;      /* link-local + SLAAC */
};

/* DHCP, no VLAN, IPv6 on: what a machine without settings does. */
void netcfg_default(struct net_config *c);
/*
 * Parse the value of keel.ip into @c (whose ip6 field is kept). 0, or
 * -EINVAL with a one-line reason in @err (which names the bad part); @c
 * is then left as it was.
 */
int netcfg_parse_ip(const char *s, struct net_config *c, char *err,
		    size_t errlen);
/* keel.ip6: "on"/"off" (also 1/0, yes/no, and "" for on). */
int netcfg_parse_ip6(const char *s, bool *on, char *err, size_t errlen);
/* "10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 vlan 5" style summary. */
void netcfg_format(const struct net_config *c, char *buf, size_t len);
/* Parse a dotted quad strictly (four decimal fields 0-255, no leading
 * zeros, nothing after). 0 or -EINVAL. */
int netcfg_parse_ip4(const char *s, size_t len, uint8_t out[4]);

#endif
