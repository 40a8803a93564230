// SPDX-License-Identifier: MIT
/*
 * The setup console's and keel.cfg's input rules: what an operator types
 * right, and each mistake refused with a reason naming what to change.
 * UNIT_SRCS: firstboot/fb_validate.c net/netcfg.c
 */
#include <errno.h>
#include <string.h>

#include "firstboot/fb_validate.h"
#include "unit.h"

static char why[FB_WHY_LEN];

/* Refused, with a reason containing @frag that fits one console line. */
#define REFUSED(call, frag)                                                 \
	do {                                                                \
		why[0] = 0;                                                 \
		UNIT_CHECK((call) == -EINVAL);                              \
		UNIT_CHECK(strlen(why) > 0 && strlen(why) < 70);            \
		if (!strstr(why, frag)) {                                   \
			char m[300];                                        \
			snprintf(m, sizeof(m), "%s -> '%s' lacks '%s'",     \
				 #call, why, frag);                         \
			unit_fail(__FILE__, __LINE__, m);                   \
		}                                                           \
	} while (0)

UNIT_TEST(fb_password_rule)
{
	UNIT_CHECK(fb_valid_password("Passw0rd", why) == 0 && !why[0]);
	UNIT_CHECK(fb_valid_password("pass word!1", why) == 0);
	UNIT_CHECK(fb_valid_password("ABCdef-_", why) == 0);
	UNIT_CHECK(fb_valid_password(
			   "Aa1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			   why) == 0); /* 64 */
	REFUSED(fb_valid_password("Pa1!", why), "at least 8");
	REFUSED(fb_valid_password("", why), "at least 8");
	REFUSED(fb_valid_password(
			"Aa1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			why),
		"at most 64");
	REFUSED(fb_valid_password("password", why), "3 of");
	REFUSED(fb_valid_password("password12", why), "3 of");
	REFUSED(fb_valid_password("Passw\xc3\xb6rd1", why), "printable ASCII");
	REFUSED(fb_valid_password("Passw0rd\t", why), "printable ASCII");
	/* The reason never echoes the password. */
	REFUSED(fb_valid_password("secretpw", why), "3 of");
	UNIT_CHECK(!strstr(why, "secretpw"));
}

UNIT_TEST(fb_hostname_rfc1123)
{
	UNIT_CHECK(fb_valid_hostname("esx01", why) == 0);
	UNIT_CHECK(fb_valid_hostname("esx-01.lab.example.com", why) == 0);
	UNIT_CHECK(fb_valid_hostname("1host", why) == 0); /* RFC 1123 2.1 */
	UNIT_CHECK(fb_valid_hostname("a", why) == 0);
	REFUSED(fb_valid_hostname("", why), "empty");
	REFUSED(fb_valid_hostname("-esx", why), "start with '-'");
	REFUSED(fb_valid_hostname("esx-.lab", why), "end with '-'");
	REFUSED(fb_valid_hostname("esx..lab", why), "empty label");
	REFUSED(fb_valid_hostname("esx.", why), "empty label");
	REFUSED(fb_valid_hostname(".esx", why), "empty label");
	REFUSED(fb_valid_hostname("esx_01", why), "'_'");
	REFUSED(fb_valid_hostname("esx 01", why), "a-z");
	REFUSED(fb_valid_hostname("10.0.0.1", why), "all digits");
	char l64[80];
	memset(l64, 'a', 64);
	l64[64] = 0;
	REFUSED(fb_valid_hostname(l64, why), "63");
	l64[63] = 0;
	UNIT_CHECK(fb_valid_hostname(l64, why) == 0);
	char big[300];
	/* 4 labels of 63 + 3 dots = 255 > 253 */
	memset(big, 'a', sizeof(big));
	big[63] = big[127] = big[191] = '.';
	big[255] = 0;
	REFUSED(fb_valid_hostname(big, why), "253");
	big[253] = 0; /* 253 exactly, last label 61 */
	UNIT_CHECK(fb_valid_hostname(big, why) == 0);
}

UNIT_TEST(fb_ip4_unicast_only)
{
	uint8_t a[4] = { 9, 9, 9, 9 };

	UNIT_CHECK(fb_valid_ip4("192.168.1.10", a, why) == 0);
	UNIT_CHECK(a[0] == 192 && a[1] == 168 && a[2] == 1 && a[3] == 10);
	UNIT_CHECK(fb_valid_ip4("10.0.0.0", a, why) == 0); /* host in a /8 */
	REFUSED(fb_valid_ip4("", a, why), "empty");
	REFUSED(fb_valid_ip4("192.168.1", a, why), "not an address");
	REFUSED(fb_valid_ip4("192.168.1.256", a, why), "not an address");
	REFUSED(fb_valid_ip4("192.168.01.1", a, why), "not an address");
	REFUSED(fb_valid_ip4("192.168.1.1 ", a, why), "not an address");
	REFUSED(fb_valid_ip4("0.1.2.3", a, why), "0.x.x.x");
	REFUSED(fb_valid_ip4("127.0.0.1", a, why), "loopback");
	REFUSED(fb_valid_ip4("224.0.0.1", a, why), "multicast");
	REFUSED(fb_valid_ip4("239.255.255.255", a, why), "multicast");
	REFUSED(fb_valid_ip4("255.255.255.255", a, why), "broadcast");
	REFUSED(fb_valid_ip4("240.0.0.1", a, why), "reserved");
	/* Refusal leaves @out alone. */
	UNIT_CHECK(a[0] == 10 && a[3] == 0);
}

UNIT_TEST(fb_netmask_forms)
{
	uint8_t p = 0;

	UNIT_CHECK(fb_valid_netmask("255.255.255.0", &p, why) == 0 && p == 24);
	UNIT_CHECK(fb_valid_netmask("255.255.255.255", &p, why) == 0 &&
		   p == 32);
	UNIT_CHECK(fb_valid_netmask("128.0.0.0", &p, why) == 0 && p == 1);
	UNIT_CHECK(fb_valid_netmask("255.255.240.0", &p, why) == 0 && p == 20);
	UNIT_CHECK(fb_valid_netmask("/16", &p, why) == 0 && p == 16);
	UNIT_CHECK(fb_valid_netmask("8", &p, why) == 0 && p == 8);
	UNIT_CHECK(fb_valid_netmask("32", &p, why) == 0 && p == 32);
	REFUSED(fb_valid_netmask("255.0.255.0", &p, why), "contiguous");
	REFUSED(fb_valid_netmask("255.255.255.1", &p, why), "contiguous");
	REFUSED(fb_valid_netmask("0.0.0.0", &p, why), "no network bits");
	REFUSED(fb_valid_netmask("0", &p, why), "1-32");
	REFUSED(fb_valid_netmask("33", &p, why), "1-32");
	REFUSED(fb_valid_netmask("/024", &p, why), "1-32");
	REFUSED(fb_valid_netmask("/", &p, why), "1-32");
	REFUSED(fb_valid_netmask("", &p, why), "empty");
	REFUSED(fb_valid_netmask("/255.255.0.0", &p, why), "not a netmask");
	REFUSED(fb_valid_netmask("255.255.0", &p, why), "not a netmask");
}

UNIT_TEST(fb_gateway_and_host)
{
	const uint8_t addr[4] = { 10, 0, 2, 15 };
	const uint8_t gw[4] = { 10, 0, 2, 2 }, far[4] = { 10, 0, 3, 1 };
	const uint8_t net[4] = { 10, 0, 2, 0 }, bc[4] = { 10, 0, 2, 255 };

	UNIT_CHECK(fb_valid_gateway(gw, addr, 24, why) == 0);
	UNIT_CHECK(fb_valid_gateway(far, addr, 16, why) == 0);
	REFUSED(fb_valid_gateway(far, addr, 24, why), "outside 10.0.2.0/24");
	REFUSED(fb_valid_gateway(addr, addr, 24, why), "own address");
	REFUSED(fb_valid_gateway(net, addr, 24, why), "network or broadcast");
	REFUSED(fb_valid_gateway(bc, addr, 24, why), "network or broadcast");
	UNIT_CHECK(fb_valid_host_in_net(addr, 24, why) == 0);
	REFUSED(fb_valid_host_in_net(net, 24, why), "network address");
	REFUSED(fb_valid_host_in_net(bc, 24, why), "broadcast address");
	/* RFC 3021 point-to-point /31 and a /32 have no such addresses. */
	UNIT_CHECK(fb_valid_host_in_net(net, 31, why) == 0);
	UNIT_CHECK(fb_valid_host_in_net(bc, 32, why) == 0);
	const uint8_t p2p[4] = { 10, 0, 2, 1 };
	UNIT_CHECK(fb_valid_gateway(p2p, net, 31, why) == 0);
	REFUSED(fb_valid_host_in_net(addr, 0, why), "1-32");
}

UNIT_TEST(fb_vlan_range)
{
	uint16_t v = 7;

	UNIT_CHECK(fb_valid_vlan("0", &v, why) == 0 && v == 0);
	UNIT_CHECK(fb_valid_vlan("1", &v, why) == 0 && v == 1);
	UNIT_CHECK(fb_valid_vlan("4094", &v, why) == 0 && v == 4094);
	REFUSED(fb_valid_vlan("4095", &v, why), "0-4094");
	REFUSED(fb_valid_vlan("-1", &v, why), "0-4094");
	REFUSED(fb_valid_vlan("", &v, why), "0-4094");
	REFUSED(fb_valid_vlan("010", &v, why), "0-4094");
	REFUSED(fb_valid_vlan("12a", &v, why), "0-4094");
	REFUSED(fb_valid_vlan("99999", &v, why), "0-4094");
	UNIT_CHECK(v == 4094);
}
