// SPDX-License-Identifier: MIT
/*
 * The input rules of the setup console and keel.cfg (firstboot/
 * fb_validate.h). Pure: tests/unit/test_fb_validate.c runs them on the
 * host. Every refusal names what to change, because the operator sees
 * only that one line next to the field.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firstboot/fb_validate.h"
#include "net/netcfg.h"

static int fb_why(char why[FB_WHY_LEN], const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, FB_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void fb_ok(char why[FB_WHY_LEN])
{
	if (why)
		why[0] = 0;
}

int fb_valid_password(const char *pw, char why[FB_WHY_LEN])
{
	size_t len = pw ? strlen(pw) : 0;
	int lower = 0, upper = 0, digit = 0, sym = 0;

	if (len < 8)
		return fb_why(why, "password too short: at least 8 characters");
	if (len > 64)
		return fb_why(why, "password too long: at most 64 characters");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		/* Printable ASCII only: the console and every keyboard
		 * layout Keel knows can type it again later. */
		if (c < 0x20 || c > 0x7e)
			return fb_why(why, "password may hold only printable "
					   "ASCII characters");
		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else
			sym = 1;
	}
	if (lower + upper + digit + sym < 3)
		return fb_why(why, "password needs 3 of: lower case, upper "
				   "case, digits, symbols");
	fb_ok(why);
	return 0;
}

static int fb_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int fb_valid_hostname(const char *name, char why[FB_WHY_LEN])
{
	size_t len = name ? strlen(name) : 0;
	size_t label = 0;
	int all_digits = 1;

	if (!len)
		return fb_why(why, "host name is empty");
	if (len > 253)
		return fb_why(why,
			      "host name too long: at most 253 characters");
	/* RFC 1123 section 2.1 on RFC 952: letters, digits, hyphen;
	 * labels of 1-63 that neither start nor end with a hyphen. */
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == 0) {
			if (!label)
				return fb_why(why, "host name has an empty "
						   "label (\"..\" or a dot at "
						   "an end)");
			if (name[i - 1] == '-')
				return fb_why(why, "a host name label may not "
						   "end with '-'");
			label = 0;
			continue;
		}
		if (c == '-') {
			if (!label)
				return fb_why(why, "a host name label may not "
						   "start with '-'");
		} else if (!fb_is_alnum(c)) {
			if (c > 0x20 && c < 0x7f)
				return fb_why(why,
					      "host name may not contain "
					      "'%c': use a-z 0-9 '-' '.'",
					      c);
			return fb_why(why, "host name may hold only a-z, "
					   "0-9, '-' and '.'");
		}
		if (!(c >= '0' && c <= '9') && c != '.')
			all_digits = 0;
		if (++label > 63)
			return fb_why(why, "host name label too long: at most "
					   "63 characters");
	}
	/* "10.0.0.1" would pass the label rules but is an address. */
	if (all_digits)
		return fb_why(why, "host name may not be all digits "
				   "(that is an address)");
	fb_ok(why);
	return 0;
}

int fb_valid_ip4(const char *s, uint8_t out[4], char why[FB_WHY_LEN])
{
	uint8_t a[4];

	if (!s || !*s)
		return fb_why(why, "address is empty");
	if (netcfg_parse_ip4(s, strlen(s), a))
		return fb_why(why,
			      "'%.30s' is not an address like 192.168.1.10", s);
	if (a[0] == 0)
		return fb_why(why, "%s is not a host address (0.x.x.x)", s);
	if (a[0] == 127)
		return fb_why(why, "%s is a loopback address (127.x.x.x)", s);
	if (a[0] >= 224 && a[0] <= 239)
		return fb_why(why, "%s is a multicast address (224-239.x.x.x)",
			      s);
	if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
		return fb_why(why, "255.255.255.255 is the broadcast address");
	if (a[0] >= 240)
		return fb_why(why, "%s is a reserved address (240-255.x.x.x)",
			      s);
	memcpy(out, a, 4);
	fb_ok(why);
	return 0;
}

static uint32_t fb_u32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

static uint32_t fb_mask(unsigned int prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

int fb_valid_netmask(const char *s, uint8_t *prefix, char why[FB_WHY_LEN])
{
	uint8_t a[4];
	const char *p = s;

	if (!s || !*s)
		return fb_why(why, "netmask is empty");
	if (*p == '/')
		p++;
	if (!strchr(p, '.')) {
		unsigned int v = 0;
		size_t n = strlen(p);

		if (!n || n > 2 || (n == 2 && p[0] == '0'))
			goto bad_prefix;
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				goto bad_prefix;
			v = v * 10 + (unsigned int)(p[i] - '0');
		}
		if (v < 1 || v > 32)
			goto bad_prefix;
		*prefix = (uint8_t)v;
		fb_ok(why);
		return 0;
	}
	if (p != s || netcfg_parse_ip4(s, strlen(s), a))
		return fb_why(why,
			      "'%.30s' is not a netmask like 255.255.255.0 "
			      "or /24",
			      s);
	uint32_t m = fb_u32(a);
	/* Contiguous ones: the complement plus one is a power of two. */
	if (!m)
		return fb_why(why, "netmask 0.0.0.0 has no network bits");
	if ((~m + 1) & ~m)
		return fb_why(why,
			      "netmask %s is not contiguous ones "
			      "(e.g. 255.255.255.0)",
			      s);
	*prefix = (uint8_t)(32 - __builtin_ctz(m));
	fb_ok(why);
	return 0;
bad_prefix:
	return fb_why(why,
		      "netmask '%.30s': give a prefix 1-32 or a dotted "
		      "mask",
		      s);
}

int fb_valid_host_in_net(const uint8_t addr[4], uint8_t prefix,
			 char why[FB_WHY_LEN])
{
	uint32_t a = fb_u32(addr), m = fb_mask(prefix);

	if (prefix < 1 || prefix > 32)
		return fb_why(why, "prefix must be 1-32");
	if (prefix < 31) {
		if ((a & ~m) == 0)
			return fb_why(why,
				      "%u.%u.%u.%u/%u is the network "
				      "address, not a host",
				      addr[0], addr[1], addr[2], addr[3],
				      prefix);
		if ((a & ~m) == ~m)
			return fb_why(why,
				      "%u.%u.%u.%u/%u is the broadcast "
				      "address, not a host",
				      addr[0], addr[1], addr[2], addr[3],
				      prefix);
	}
	fb_ok(why);
	return 0;
}

int fb_valid_gateway(const uint8_t gw[4], const uint8_t addr[4], uint8_t prefix,
		     char why[FB_WHY_LEN])
{
	uint32_t g = fb_u32(gw), a = fb_u32(addr), m = fb_mask(prefix);

	if (prefix < 1 || prefix > 32)
		return fb_why(why, "prefix must be 1-32");
	if (g == a)
		return fb_why(why, "gateway is this host's own address");
	if ((g & m) != (a & m))
		return fb_why(why,
			      "gateway %u.%u.%u.%u is outside %u.%u.%u.%u"
			      "/%u",
			      gw[0], gw[1], gw[2], gw[3], (a & m) >> 24,
			      (a & m) >> 16 & 255, (a & m) >> 8 & 255,
			      a & m & 255, prefix);
	if (prefix < 31 && ((g & ~m) == 0 || (g & ~m) == ~m))
		return fb_why(why, "gateway is the network or broadcast "
				   "address");
	fb_ok(why);
	return 0;
}

int fb_valid_vlan(const char *s, uint16_t *vlan, char why[FB_WHY_LEN])
{
	unsigned int v = 0;
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 4 || (n > 1 && s[0] == '0'))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > NETCFG_VLAN_MAX)
		goto bad;
	*vlan = (uint16_t)v;
	fb_ok(why);
	return 0;
bad:
	return fb_why(why, "VLAN ID must be 0-4094 (0: no VLAN)");
}
