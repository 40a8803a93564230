// SPDX-License-Identifier: MIT
/*
 * The management network form, shared by the first-boot wizard and F2
 * "Configure Management Network", and the root password form. Every
 * value goes through firstboot/fb_validate.h on submit; a refused field
 * shows the validator's reason under it and nothing is returned.
 */
#include <stdio.h>
#include <string.h>

#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "firstboot/fb_validate.h"

enum {
	NF_MODE,
	NF_ADDR,
	NF_MASK,
	NF_GW,
	NF_DNS1,
	NF_DNS2,
	NF_HOST,
	NF_VLAN,
	NF_IP6,
	NF_COUNT,
};

struct fb_netform {
	char addr[16], mask[16], gw[16], dns1[16], dns2[16], vlan[8];
	char host[FB_HOSTNAME_MAX];
	struct net_config out;
};

static void fb_ip4_str(const uint8_t a[4], char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* Prefix length to dotted mask, which is what people type. */
static void fb_mask_str(uint8_t prefix, char *buf, size_t len)
{
	uint32_t m = prefix ? 0xffffffffu << (32 - prefix) : 0;
	snprintf(buf, len, "%u.%u.%u.%u", m >> 24, (m >> 16) & 0xff,
		 (m >> 8) & 0xff, m & 0xff);
}

static int fb_netform_check(struct fb_field *f, int n, bool submit, void *arg)
{
	struct fb_netform *nf = arg;
	struct net_config *c = &nf->out;
	bool dhcp = f[NF_MODE].choice == 0;
	int bad = 0;

	f[NF_ADDR].disabled = f[NF_MASK].disabled = f[NF_GW].disabled = dhcp;
	if (!submit)
		return 0;
	c->ip4_mode = dhcp ? NETCFG_IP4_DHCP : NETCFG_IP4_STATIC;
	c->has_gw = false;
	c->ndns = 0;
	if (!dhcp) {
		if (fb_valid_ip4(nf->addr, c->addr, f[NF_ADDR].err) < 0)
			bad++;
		else if (fb_valid_netmask(nf->mask, &c->prefix,
					  f[NF_MASK].err) < 0)
			bad++;
		else if (fb_valid_host_in_net(c->addr, c->prefix,
					      f[NF_ADDR].err) < 0)
			bad++;
		if (!bad && nf->gw[0]) {
			if (fb_valid_ip4(nf->gw, c->gw, f[NF_GW].err) < 0 ||
			    fb_valid_gateway(c->gw, c->addr, c->prefix,
					     f[NF_GW].err) < 0)
				bad++;
			else
				c->has_gw = true;
		}
	}
	const char *dns[2] = { nf->dns1, nf->dns2 };
	for (int i = 0; i < 2; i++) {
		if (!dns[i][0])
			continue;
		if (fb_valid_ip4(dns[i], c->dns[c->ndns], f[NF_DNS1 + i].err) <
		    0)
			bad++;
		else
			c->ndns++;
	}
	if (fb_valid_hostname(nf->host, f[NF_HOST].err) < 0)
		bad++;
	if (fb_valid_vlan(nf->vlan, &c->vlan, f[NF_VLAN].err) < 0)
		bad++;
	c->ip6 = f[NF_IP6].choice == 0;
	return bad ? -1 : 0;
}

int fb_netform_edit(const char *title, const char *intro, struct net_config *c,
		    char *hostname, size_t hlen)
{
	static const char *const modes[] = { "DHCP", "Static" };
	static const char *const onoff[] = { "Enabled", "Disabled" };
	struct fb_netform nf;
	struct fb_field f[NF_COUNT];

	memset(&nf, 0, sizeof(nf));
	memset(f, 0, sizeof(f));
	if (c->ip4_mode == NETCFG_IP4_STATIC) {
		fb_ip4_str(c->addr, nf.addr, sizeof(nf.addr));
		fb_mask_str(c->prefix, nf.mask, sizeof(nf.mask));
		if (c->has_gw)
			fb_ip4_str(c->gw, nf.gw, sizeof(nf.gw));
	}
	if (c->ndns > 0)
		fb_ip4_str(c->dns[0], nf.dns1, sizeof(nf.dns1));
	if (c->ndns > 1)
		fb_ip4_str(c->dns[1], nf.dns2, sizeof(nf.dns2));
	snprintf(nf.vlan, sizeof(nf.vlan), "%u", c->vlan);
	snprintf(nf.host, sizeof(nf.host), "%s", hostname);

	f[NF_MODE] =
	    (struct fb_field){ .kind = FB_FIELD_CHOICE,
			       .label = "IPv4 configuration",
			       .choices = modes,
			       .nchoices = 2,
			       .choice = c->ip4_mode == NETCFG_IP4_STATIC };
#define NF_TEXT(i, l, b)                                                       \
	f[i] = (struct fb_field){                                              \
		.kind = FB_FIELD_TEXT, .label = l, .buf = b, .len = sizeof(b)  \
	}
	NF_TEXT(NF_ADDR, "IPv4 address", nf.addr);
	NF_TEXT(NF_MASK, "Subnet mask", nf.mask);
	NF_TEXT(NF_GW, "Default gateway", nf.gw);
	NF_TEXT(NF_DNS1, "Primary DNS server", nf.dns1);
	NF_TEXT(NF_DNS2, "Alternate DNS server", nf.dns2);
	NF_TEXT(NF_HOST, "Hostname", nf.host);
	NF_TEXT(NF_VLAN, "VLAN ID (0: none)", nf.vlan);
#undef NF_TEXT
	f[NF_IP6] = (struct fb_field){ .kind = FB_FIELD_CHOICE,
				       .label = "IPv6 (SLAAC)",
				       .choices = onoff,
				       .nchoices = 2,
				       .choice = !c->ip6 };
	nf.out = *c;
	if (fb_ui_form(title, intro, f, NF_COUNT, fb_netform_check, &nf) < 0)
		return -1;
	*c = nf.out;
	snprintf(hostname, hlen, "%s", nf.host);
	return 0;
}

void fb_net_summary(const struct net_config *c, const char *hostname, char *buf,
		    size_t len)
{
	char a[16], m[16], g[16] = "none", d[40] = "from DHCP";
	int n;

	if (c->has_gw)
		fb_ip4_str(c->gw, g, sizeof(g));
	if (c->ndns) {
		fb_ip4_str(c->dns[0], d, sizeof(d));
		if (c->ndns > 1) {
			size_t l = strlen(d);
			d[l++] = ' ';
			fb_ip4_str(c->dns[1], d + l, sizeof(d) - l);
		}
	} else if (c->ip4_mode == NETCFG_IP4_STATIC) {
		snprintf(d, sizeof(d), "none");
	}
	if (c->ip4_mode == NETCFG_IP4_STATIC) {
		fb_ip4_str(c->addr, a, sizeof(a));
		fb_mask_str(c->prefix, m, sizeof(m));
		n = snprintf(buf, len,
			     "IPv4:        static %s netmask %s\n"
			     "Gateway:     %s\n",
			     a, m, g);
	} else {
		n = snprintf(buf, len, "IPv4:        DHCP\n");
	}
	if (n < 0 || (size_t)n >= len)
		return;
	snprintf(buf + n, len - n,
		 "DNS servers: %s\nHostname:    %s\nVLAN ID:     %u%s\n"
		 "IPv6:        %s",
		 d, hostname, c->vlan, c->vlan ? "" : " (none)",
		 c->ip6 ? "enabled" : "disabled");
}

struct fb_pwform {
	char pw1[FB_PW_MAX], pw2[FB_PW_MAX];
};

static int fb_pw_check(struct fb_field *f, int n, bool submit, void *arg)
{
	struct fb_pwform *p = arg;

	if (!submit)
		return 0;
	if (fb_valid_password(p->pw1, f[0].err) < 0)
		return -1;
	if (strcmp(p->pw1, p->pw2) != 0) {
		snprintf(f[1].err, sizeof(f[1].err),
			 "The passwords do not match; type the same one twice");
		p->pw2[0] = '\0';
		return -1;
	}
	return 0;
}

int fb_password_form(const char *title, char *pw, size_t len)
{
	struct fb_pwform p;
	struct fb_field f[2];
	int rc;

	memset(&p, 0, sizeof(p));
	memset(f, 0, sizeof(f));
	f[0] = (struct fb_field){ .kind = FB_FIELD_SECRET,
				  .label = "Root password",
				  .buf = p.pw1,
				  .len = sizeof(p.pw1) };
	f[1] = (struct fb_field){ .kind = FB_FIELD_SECRET,
				  .label = "Confirm password",
				  .buf = p.pw2,
				  .len = sizeof(p.pw2) };
	rc = fb_ui_form(title,
			"The root password logs in here and on the management\n"
			"endpoint.\nRule: " FB_PW_RULE,
			f, 2, fb_pw_check, &p);
	if (rc == 0)
		snprintf(pw, len, "%s", p.pw1);
	memset(&p, 0, sizeof(p));
	return rc;
}
