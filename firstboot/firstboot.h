/* SPDX-License-Identifier: MIT */
/*
 * First boot (docs/firstboot.md): the settings the wizard or keel.cfg
 * collect, and the one function that makes them the host's. Both paths
 * call fb_apply_setup(), so a kickstarted host is the same as one set up
 * by hand.
 */
#ifndef KEEL_FIRSTBOOT_FIRSTBOOT_H
#define KEEL_FIRSTBOOT_FIRSTBOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netcfg.h"
#define FB_HOSTNAME_MAX 254
#define FB_PW_MAX 128
struct fb_setup {
	/* Exactly one of password / password_hash is non-empty. */
	char password[FB_PW_MAX];
	char password_hash[FB_PW_MAX + 64];
	char hostname[FB_HOSTNAME_MAX];
	struct net_config net;
};
/*
 * Generate the TLS identity for @s's host name and address, then store
 * password, host name, network, key and certificate and the "configured"
 * flag in one transaction, then apply the network. 0 or -errno (nothing
 * stored). @who names the source in the audit log ("console",
 * "keel.cfg").
 */
int fb_apply_setup(const struct fb_setup *s, const char *who);
/* Boot of a configured host: apply the stored management network. */
void fb_apply_stored(void);

/*
 * The host's TLS identity (firstboot/fb_cert.c): a new ECDSA P-256 key
 * and a self-signed X.509 v3 certificate (CN and SAN dNSName = hostname,
 * SAN iPAddress = @ip4 when non-NULL, 10 years, serverAuth), seeded from
 * core/entropy.h. DER in malloc'd buffers. 0 or -errno.
 */
int fb_cert_generate(const char *hostname, const uint8_t *ip4,
		     uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		     size_t *cert_len);
/* SHA-256 of the DER certificate as 32 colon-separated upper-case hex
 * pairs (ARCHITECTURE.md section 8): needs 96 bytes. */
#define FB_THUMBPRINT_LEN 96
void fb_cert_thumbprint(const uint8_t *cert_der, size_t len,
			char out[FB_THUMBPRINT_LEN]);
/* Regenerate the identity for the stored host name and current address
 * and store it (F2 "regenerate certificate"; mgmt's host.cert.regenerate). */
int fb_cert_regenerate(void);
#endif
