/* SPDX-License-Identifier: MIT */
/*
 * The setup console's and keel.cfg's input rules, pure (unit-tested on
 * the host). Each returns 0 or -EINVAL with a reason a person can act on
 * in @why (one line, under 70 characters, e.g. "VLAN ID must be 0-4094
 * (0: no VLAN)").
 */
#ifndef KEEL_FIRSTBOOT_FB_VALIDATE_H
#define KEEL_FIRSTBOOT_FB_VALIDATE_H
#include <stddef.h>
#include <stdint.h>
#define FB_WHY_LEN 80
/* The rule shown on screen next to the password field. */
#define FB_PW_RULE "8-64 characters, 3 of: lower case, upper case, digits, symbols"
int fb_valid_password(const char *pw, char why[FB_WHY_LEN]);
/* RFC 1123 host name or FQDN: labels 1-63 of letters, digits, '-', not
 * starting or ending with '-', at most 253 characters. */
int fb_valid_hostname(const char *name, char why[FB_WHY_LEN]);
/* Dotted quad, a unicast host address (not 0.x, 127.x, multicast, or
 * 255.255.255.255). */
int fb_valid_ip4(const char *s, uint8_t out[4], char why[FB_WHY_LEN]);
/* Netmask as dotted quad (contiguous ones) or "/N" or "N"; prefix 1-32. */
int fb_valid_netmask(const char *s, uint8_t *prefix, char why[FB_WHY_LEN]);
/* Gateway: a valid address inside addr/prefix, not the address itself,
 * not the network or broadcast address (for prefix < 31). */
int fb_valid_gateway(const uint8_t gw[4], const uint8_t addr[4],
		     uint8_t prefix, char why[FB_WHY_LEN]);
/* Address with its prefix: not the network or broadcast address. */
int fb_valid_host_in_net(const uint8_t addr[4], uint8_t prefix,
			 char why[FB_WHY_LEN]);
/* "0" (none) or 1-4094. */
int fb_valid_vlan(const char *s, uint16_t *vlan, char why[FB_WHY_LEN]);
#endif
