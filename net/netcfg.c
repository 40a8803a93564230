// SPDX-License-Identifier: MIT
/*
 * keel.ip= and keel.ip6= parsing (net/netcfg.h). Pure: no lwIP, no kernel
 * services, so tests/unit/test_netcfg.c runs it on the host. Every
 * rejection says which part was wrong, because an operator typing at a
 * boot prompt only sees the console line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/netcfg.h"

static int netcfg_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void netcfg_default(struct net_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ip4_mode = NETCFG_IP4_DHCP;
	c->vlan = NETCFG_VLAN_NONE;
	c->ip6 = true;
}

/* A decimal number of at most @maxdigits digits in [s, s+len), no sign,
 * no leading zero (so "010" is not mistaken for octal). -1 if not. */
static long netcfg_number(const char *s, size_t len, size_t maxdigits)
{
	long v = 0;

	if (!len || len > maxdigits || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int netcfg_parse_ip4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int f = 0; f < 4; f++) {
		size_t start = i;
		while (i < len && s[i] != '.')
			i++;
		long v = netcfg_number(s + start, i - start, 3);
		if (v < 0 || v > 255)
			return -EINVAL;
		out[f] = (uint8_t)v;
		if (f < 3) {
			if (i >= len)
				return -EINVAL;
			i++; /* the dot */
		}
	}
	return i == len ? 0 : -EINVAL;
}

static uint32_t netcfg_u32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

static uint32_t netcfg_mask(unsigned int prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

/* Addresses no host may take: 0/8, loopback, multicast and above. */
static const char *netcfg_bad_host(const uint8_t a[4])
{
	if (a[0] == 0)
		return "is in 0.0.0.0/8 (\"this network\")";
	if (a[0] == 127)
		return "is a loopback address";
	if (a[0] >= 224 && a[0] <= 239)
		return "is a multicast address";
	if (a[0] >= 240)
		return "is a reserved or broadcast address";
	return NULL;
}

/* ADDR/PREFIX, checked as a host address on that subnet. */
static int netcfg_parse_cidr(const char *s, size_t len, struct net_config *c,
			     char *err, size_t errlen)
{
	const char *slash = memchr(s, '/', len);
	const char *why;

	if (!slash)
		return netcfg_err(err, errlen,
				  "'%.*s': expected dhcp or ADDR/PREFIX "
				  "(like 10.0.2.15/24)",
				  (int)len, s);
	if (netcfg_parse_ip4(s, slash - s, c->addr))
		return netcfg_err(err, errlen,
				  "'%.*s' is not an IPv4 address", (int)(slash - s), s);
	long p = netcfg_number(slash + 1, s + len - slash - 1, 2);
	if (p < 1 || p > 32)
		return netcfg_err(err, errlen,
				  "prefix '/%.*s' is not a number from 1 to 32",
				  (int)(s + len - slash - 1), slash + 1);
	c->prefix = (uint8_t)p;
	if ((why = netcfg_bad_host(c->addr)))
		return netcfg_err(err, errlen, "address %.*s %s",
				  (int)(slash - s), s, why);
	uint32_t a = netcfg_u32(c->addr), m = netcfg_mask(c->prefix);
	if (c->prefix <= 30 && (a & ~m) == 0)
		return netcfg_err(err, errlen,
				  "%.*s is the network address of its /%ld, "
				  "not a host",
				  (int)(slash - s), s, p);
	if (c->prefix <= 30 && (a & ~m) == ~m)
		return netcfg_err(err, errlen,
				  "%.*s is the broadcast address of its /%ld, "
				  "not a host",
				  (int)(slash - s), s, p);
	return 0;
}

/* One key=value item after the first. */
static int netcfg_item(const char *s, size_t len, struct net_config *c,
		       char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	const char *v = eq ? eq + 1 : s + len;
	size_t vlen = s + len - v;
	uint8_t ip[4];

	if (!eq || !vlen)
		return netcfg_err(err, errlen,
				  "'%.*s': expected KEY=VALUE (gw=, dns=, vlan=)",
				  (int)len, s);
	if (klen == 2 && !memcmp(s, "gw", 2)) {
		if (c->ip4_mode != NETCFG_IP4_STATIC)
			return netcfg_err(err, errlen,
					  "gw= needs a static address "
					  "(DHCP supplies the gateway)");
		if (c->has_gw)
			return netcfg_err(err, errlen, "gw= given twice");
		if (netcfg_parse_ip4(v, vlen, ip))
			return netcfg_err(err, errlen,
					  "gateway '%.*s' is not an IPv4 address",
					  (int)vlen, v);
		uint32_t m = netcfg_mask(c->prefix);
		if ((netcfg_u32(ip) & m) != (netcfg_u32(c->addr) & m))
			return netcfg_err(err, errlen,
					  "gateway %.*s is not on the subnet of "
					  "%u.%u.%u.%u/%u",
					  (int)vlen, v, c->addr[0], c->addr[1],
					  c->addr[2], c->addr[3], c->prefix);
		if (!memcmp(ip, c->addr, 4))
			return netcfg_err(err, errlen,
					  "gateway %.*s is our own address",
					  (int)vlen, v);
		memcpy(c->gw, ip, 4);
		c->has_gw = true;
	} else if (klen == 3 && !memcmp(s, "dns", 3)) {
		if (c->ndns >= NETCFG_MAX_DNS)
			return netcfg_err(err, errlen,
					  "more than %d dns= servers",
					  NETCFG_MAX_DNS);
		if (netcfg_parse_ip4(v, vlen, ip) || netcfg_bad_host(ip))
			return netcfg_err(err, errlen,
					  "DNS server '%.*s' is not a usable "
					  "IPv4 address",
					  (int)vlen, v);
		memcpy(c->dns[c->ndns++], ip, 4);
	} else if (klen == 4 && !memcmp(s, "vlan", 4)) {
		long id = netcfg_number(v, vlen, 4);
		if (id < 0 || id > NETCFG_VLAN_MAX)
			return netcfg_err(err, errlen,
					  "VLAN '%.*s' is not a number from 0 "
					  "(none) to %d",
					  (int)vlen, v, NETCFG_VLAN_MAX);
		c->vlan = (uint16_t)id;
	} else {
		return netcfg_err(err, errlen,
				  "unknown setting '%.*s' (known: gw, dns, vlan)",
				  (int)klen, s);
	}
	return 0;
}

int netcfg_parse_ip(const char *s, struct net_config *out, char *err,
		    size_t errlen)
{
	struct net_config c;
	bool ip6 = out->ip6;

	netcfg_default(&c);
	c.ip6 = ip6;
	if (!s || !*s)
		return netcfg_err(err, errlen,
				  "empty value: expected dhcp or ADDR/PREFIX,...");
	const char *end = s + strlen(s);
	const char *comma = memchr(s, ',', end - s);
	size_t len = (comma ? comma : end) - s;

	if (len == 4 && !memcmp(s, "dhcp", 4)) {
		c.ip4_mode = NETCFG_IP4_DHCP;
	} else {
		c.ip4_mode = NETCFG_IP4_STATIC;
		int r = netcfg_parse_cidr(s, len, &c, err, errlen);
		if (r)
			return r;
	}
	while (comma) {
		const char *item = comma + 1;
		comma = memchr(item, ',', end - item);
		len = (comma ? comma : end) - item;
		if (!len)
			return netcfg_err(err, errlen, "empty item (two commas "
						       "or a trailing comma)");
		int r = netcfg_item(item, len, &c, err, errlen);
		if (r)
			return r;
	}
	*out = c;
	return 0;
}

int netcfg_parse_ip6(const char *s, bool *on, char *err, size_t errlen)
{
	static const char *const yes[] = { "", "on", "1", "yes", "true" };
	static const char *const no[] = { "off", "0", "no", "false" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcmp(s, yes[i])) {
			*on = true;
			return 0;
		}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(s, no[i])) {
			*on = false;
			return 0;
		}
	return netcfg_err(err, errlen, "keel.ip6='%s': expected on or off", s);
}

void netcfg_format(const struct net_config *c, char *buf, size_t len)
{
	size_t n = 0;

#define NETCFG_PUT(...)                                                     \
	do {                                                                \
		int w = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
		if (w > 0)                                                  \
			n += (size_t)w;                                     \
	} while (0)
	if (len)
		buf[0] = 0;
	if (c->ip4_mode == NETCFG_IP4_DHCP)
		NETCFG_PUT("dhcp");
	else
		NETCFG_PUT("%u.%u.%u.%u/%u", c->addr[0], c->addr[1],
			   c->addr[2], c->addr[3], c->prefix);
	if (c->has_gw)
		NETCFG_PUT(" gw %u.%u.%u.%u", c->gw[0], c->gw[1], c->gw[2],
			   c->gw[3]);
	for (unsigned int i = 0; i < c->ndns; i++)
		NETCFG_PUT(" dns %u.%u.%u.%u", c->dns[i][0], c->dns[i][1],
			   c->dns[i][2], c->dns[i][3]);
	if (c->vlan != NETCFG_VLAN_NONE)
		NETCFG_PUT(" vlan %u", c->vlan);
	NETCFG_PUT(" ipv6 %s", c->ip6 ? "on" : "off");
#undef NETCFG_PUT
}
