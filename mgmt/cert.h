/* SPDX-License-Identifier: MIT */
#ifndef KEEL_MGMT_CERT_H
#define KEEL_MGMT_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The host's TLS identity (mgmt/cert.c; mgmt/ is the mbedTLS room and
 * firstboot/ calls it): a new ECDSA P-256 key and a self-signed X.509 v3 certificate (CN and SAN dNSName = hostname,
 * SAN iPAddress = @ip4 when non-NULL, 10 years, serverAuth), seeded from
 * core/entropy.h. DER in malloc'd buffers. 0 or -errno.
 */
int mgmt_cert_generate(const char *hostname, const uint8_t *ip4,
		       uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		       size_t *cert_len);
/* SHA-256 of the DER certificate as 32 colon-separated upper-case hex
 * pairs (ARCHITECTURE.md section 8): needs 96 bytes. */
#define MGMT_THUMBPRINT_LEN 96
/* RFC 1123 host name plus NUL (the store's limit). */
#define MGMT_CERT_HOST_MAX 254
void mgmt_cert_thumbprint(const uint8_t *cert_der, size_t len,
			  char out[MGMT_THUMBPRINT_LEN]);
/* Regenerate the identity for the stored host name and current address,
 * store it and audit it as @who (F2 "Regenerate Certificate": "console";
 * host.cert.regenerate: the caller). The endpoint serves the new
 * certificate from its next connection (mgmt_cert_generation). */
int mgmt_cert_regenerate(const char *who);
/* A counter bumped by every stored change of the identity
 * (mgmt_cert_changed: regenerate, first-boot setup); the endpoint
 * reloads its certificate when it sees a new value. */
unsigned int mgmt_cert_generation(void);
void mgmt_cert_changed(void);
#endif
