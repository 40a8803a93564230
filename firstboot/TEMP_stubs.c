// SPDX-License-Identifier: MIT
/*
 * TEMP: stand-ins for other helpers' headers so the dcui branch links
 * and its console can be driven before the merge. The lead deletes this
 * file at merge. Nothing here is the real thing:
 *   - store/store.h: a RAM store (nothing survives a reboot), plain-text
 *     password compare;
 *   - firstboot/fb_validate.h: simple validators;
 *   - fb_cert_*: a fixed fake DER blob (changes on regenerate), real
 *     SHA-256 thumbprint;
 *   - ks_boot: never a keel.cfg.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "core/log.h"
#include "core/spinlock.h"
#include "firstboot/fb_validate.h"
#include "firstboot/firstboot.h"
#include "firstboot/ks.h"
#include "net/net.h"
#include "store/store.h"

/* ---- TEMP store.h ---- */
static struct {
	bool configured, lockdown, has_net, has_tls;
	char pw[FB_PW_MAX + 64];
	char host[FB_HOSTNAME_MAX];
	struct net_config net;
	uint8_t key[64], cert[256];
	size_t klen, clen;
} temp_st;
static int64_t temp_audit_id;

void store_wait_ready(void)
{
}
enum store_state store_state(const char **reason)
{
	if (reason)
		*reason = "TEMP RAM store";
	return STORE_OK;
}
int store_recreate(void)
{
	memset(&temp_st, 0, sizeof(temp_st));
	return 0;
}
int store_begin(void)
{
	return 0;
}
int store_commit(void)
{
	return 0;
}
void store_rollback(void)
{
}
bool store_configured(void)
{
	return temp_st.configured;
}
int store_set_configured(bool done)
{
	temp_st.configured = done;
	return 0;
}
int store_get_net(struct net_config *c)
{
	if (!temp_st.has_net)
		return -ENOENT;
	*c = temp_st.net;
	return 0;
}
int store_set_net(const struct net_config *c)
{
	temp_st.net = *c;
	temp_st.has_net = true;
	return 0;
}
int store_get_hostname(char *buf, size_t len)
{
	if (!temp_st.host[0])
		return -ENOENT;
	snprintf(buf, len, "%s", temp_st.host);
	return 0;
}
int store_set_hostname(const char *name)
{
	snprintf(temp_st.host, sizeof(temp_st.host), "%s", name);
	return 0;
}
int store_set_root_password(const char *plain)
{
	snprintf(temp_st.pw, sizeof(temp_st.pw), "%s", plain);
	return 0;
}
int store_set_root_password_hash(const char *hash)
{
	snprintf(temp_st.pw, sizeof(temp_st.pw), "%s", hash);
	return 0;
}
int store_check_root_password(const char *plain)
{
	if (!temp_st.pw[0])
		return -ENOENT;
	return strcmp(plain, temp_st.pw) == 0 ? 0 : -EACCES;
}
int store_set_tls(const uint8_t *key_der, size_t key_len,
		  const uint8_t *cert_der, size_t cert_len)
{
	if (key_len > sizeof(temp_st.key) || cert_len > sizeof(temp_st.cert))
		return -EINVAL;
	memcpy(temp_st.key, key_der, key_len);
	memcpy(temp_st.cert, cert_der, cert_len);
	temp_st.klen = key_len;
	temp_st.clen = cert_len;
	temp_st.has_tls = true;
	return 0;
}
int store_get_tls(uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		  size_t *cert_len)
{
	if (!temp_st.has_tls)
		return -ENOENT;
	*key_der = malloc(temp_st.klen);
	*cert_der = malloc(temp_st.clen);
	if (!*key_der || !*cert_der) {
		free(*key_der);
		free(*cert_der);
		return -ENOMEM;
	}
	memcpy(*key_der, temp_st.key, temp_st.klen);
	memcpy(*cert_der, temp_st.cert, temp_st.clen);
	*key_len = temp_st.klen;
	*cert_len = temp_st.clen;
	return 0;
}
bool store_lockdown(void)
{
	return temp_st.lockdown;
}
int store_set_lockdown(bool on)
{
	temp_st.lockdown = on;
	return 0;
}
int store_audit(const char *who, const char *what)
{
	log_info("TEMP audit %lld: %s: %s", (long long)++temp_audit_id, who,
		 what);
	return 0;
}
int store_vm_count(void)
{
	return 0;
}

/* ---- TEMP fb_validate.h ---- */
int fb_valid_password(const char *pw, char why[FB_WHY_LEN])
{
	size_t l = strlen(pw);
	int lo = 0, up = 0, dg = 0, sy = 0;

	for (const char *p = pw; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			lo = 1;
		else if (*p >= 'A' && *p <= 'Z')
			up = 1;
		else if (*p >= '0' && *p <= '9')
			dg = 1;
		else
			sy = 1;
	}
	if (l < 8 || l > 64) {
		snprintf(why, FB_WHY_LEN, "Password must be 8-64 characters");
		return -EINVAL;
	}
	if (lo + up + dg + sy < 3) {
		snprintf(why, FB_WHY_LEN,
			 "Too weak: use 3 of lower, upper, digits, symbols");
		return -EINVAL;
	}
	return 0;
}
int fb_valid_hostname(const char *name, char why[FB_WHY_LEN])
{
	size_t l = strlen(name), lab = 0;

	if (!l || l > 253)
		goto bad;
	for (size_t i = 0; i <= l; i++) {
		char c = name[i];
		if (c == '.' || !c) {
			if (!lab || lab > 63 || name[i - 1] == '-')
				goto bad;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || (c == '-' && lab)))
			goto bad;
		lab++;
	}
	return 0;
bad:
	snprintf(why, FB_WHY_LEN,
		 "Hostname: letters, digits, '-' in labels of 1-63, dots");
	return -EINVAL;
}
int fb_valid_ip4(const char *s, uint8_t out[4], char why[FB_WHY_LEN])
{
	uint8_t a[4];

	if (netcfg_parse_ip4(s, strlen(s), a) < 0) {
		snprintf(why, FB_WHY_LEN,
			 "Not an IPv4 address: four numbers 0-255 with dots");
		return -EINVAL;
	}
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224) {
		snprintf(why, FB_WHY_LEN, "%s is not a unicast host address",
			 s);
		return -EINVAL;
	}
	memcpy(out, a, 4);
	return 0;
}
int fb_valid_netmask(const char *s, uint8_t *prefix, char why[FB_WHY_LEN])
{
	uint8_t a[4];
	uint32_t m;
	int p = 0;

	if (netcfg_parse_ip4(s, strlen(s), a) < 0)
		goto bad;
	m = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	while (m & 0x80000000u) {
		p++;
		m <<= 1;
	}
	if (m || !p)
		goto bad;
	*prefix = (uint8_t)p;
	return 0;
bad:
	snprintf(why, FB_WHY_LEN,
		 "Netmask must be contiguous, e.g. 255.255.255.0");
	return -EINVAL;
}
static uint32_t temp_u32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
}
int fb_valid_host_in_net(const uint8_t addr[4], uint8_t prefix,
			 char why[FB_WHY_LEN])
{
	uint32_t m = prefix ? 0xffffffffu << (32 - prefix) : 0,
		 a = temp_u32(addr);

	if (prefix < 31 && ((a & ~m) == 0 || (a & ~m) == ~m)) {
		snprintf(why, FB_WHY_LEN,
			 "That is the network or broadcast address");
		return -EINVAL;
	}
	return 0;
}
int fb_valid_gateway(const uint8_t gw[4], const uint8_t addr[4], uint8_t prefix,
		     char why[FB_WHY_LEN])
{
	uint32_t m = prefix ? 0xffffffffu << (32 - prefix) : 0;

	if ((temp_u32(gw) & m) != (temp_u32(addr) & m) ||
	    temp_u32(gw) == temp_u32(addr)) {
		snprintf(why, FB_WHY_LEN,
			 "Gateway must be another address in the subnet");
		return -EINVAL;
	}
	return fb_valid_host_in_net(gw, prefix, why);
}
int fb_valid_vlan(const char *s, uint16_t *vlan, char why[FB_WHY_LEN])
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 4)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 4094)
		goto bad;
	*vlan = (uint16_t)v;
	return 0;
bad:
	snprintf(why, FB_WHY_LEN, "VLAN ID must be 0-4094 (0: no VLAN)");
	return -EINVAL;
}

/* ---- TEMP fb_cert ---- */
static uint8_t temp_gen;
int fb_cert_generate(const char *hostname, const uint8_t *ip4,
		     uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		     size_t *cert_len)
{
	*key_der = calloc(1, 32);
	*cert_der = calloc(1, 128);
	if (!*key_der || !*cert_der)
		return -ENOMEM;
	(*cert_der)[0] = 0x30;
	(*cert_der)[1] = ++temp_gen;
	snprintf((char *)*cert_der + 2, 120, "TEMP fake cert %s", hostname);
	*key_len = 32;
	*cert_len = 128;
	return 0;
}
void fb_cert_thumbprint(const uint8_t *cert_der, size_t len,
			char out[FB_THUMBPRINT_LEN])
{
	uint8_t h[32];

	mbedtls_sha256_ret(cert_der, len, h, 0);
	for (int i = 0; i < 32; i++)
		snprintf(out + 3 * i, 4, "%02X%s", h[i], i < 31 ? ":" : "");
}
int fb_cert_regenerate(void)
{
	uint8_t *k, *c;
	size_t kl, cl;
	int rc = fb_cert_generate(temp_st.host, NULL, &k, &kl, &c, &cl);

	if (rc == 0)
		rc = store_set_tls(k, kl, c, cl);
	free(k);
	free(c);
	return rc;
}

/* ---- TEMP ks.h ---- */
int ks_boot(struct ks_error *err)
{
	return 0;
}
