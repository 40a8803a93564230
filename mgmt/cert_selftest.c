// SPDX-License-Identifier: MIT
/*
 * In-image self-test of the TLS identity (keel.selftest): generate a key
 * and certificate with the kernel's own entropy source, then check them
 * with mbedTLS's parser the way a client would: the certificate parses,
 * its signature verifies with its own public key, that key pairs with the
 * private key, the SAN holds the name and address, and a second run
 * gives a different key. Logs the entropy source and the time taken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include "core/cpu.h"
#include "core/entropy.h"
#include "core/log.h"
#include "core/selftest.h"
#include "core/time.h"
#include "mgmt/cert.h"

#define MGMT_ST_HOST "keel-selftest.example"

static const uint8_t mgmt_st_ip[4] = { 10, 0, 2, 15 };

/* 0 when @crt/@key are a good identity for MGMT_ST_HOST/mgmt_st_ip. */
static int mgmt_cert_check(const uint8_t *key, size_t klen, const uint8_t *crt,
			 size_t clen)
{
	mbedtls_x509_crt x;
	mbedtls_pk_context k;
	unsigned char h[32];
	const mbedtls_x509_sequence *s;
	int rc;

	mbedtls_x509_crt_init(&x);
	mbedtls_pk_init(&k);
	rc = mbedtls_x509_crt_parse_der(&x, crt, clen);
	if (rc) {
		log_err("mgmt_cert: certificate does not parse (-0x%x)", -rc);
		goto out;
	}
	rc = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), x.tbs.p,
			x.tbs.len, h);
	if (!rc)
		rc = mbedtls_pk_verify(&x.pk, MBEDTLS_MD_SHA256, h, sizeof(h),
				       x.sig.p, x.sig.len);
	if (rc) {
		log_err("mgmt_cert: self-signature does not verify (-0x%x)", -rc);
		goto out;
	}
	rc = mbedtls_pk_parse_key(&k, key, klen, NULL, 0);
	if (!rc)
		rc = mbedtls_pk_check_pair(&x.pk, &k);
	if (rc) {
		log_err("mgmt_cert: private key does not parse or match (-0x%x)",
			-rc);
		goto out;
	}
	s = &x.subject_alt_names;
	if (x.version != 3 ||
	    s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) ||
	    s->buf.len != strlen(MGMT_ST_HOST) ||
	    memcmp(s->buf.p, MGMT_ST_HOST, s->buf.len) || !s->next ||
	    s->next->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) ||
	    s->next->buf.len != 4 || memcmp(s->next->buf.p, mgmt_st_ip, 4)) {
		log_err("mgmt_cert: version or subjectAltName wrong");
		rc = -EINVAL;
		goto out;
	}
	if (mbedtls_x509_crt_check_extended_key_usage(
		&x, MBEDTLS_OID_SERVER_AUTH,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) {
		log_err("mgmt_cert: no serverAuth extended key usage");
		rc = -EINVAL;
	}
out:
	mbedtls_pk_free(&k);
	mbedtls_x509_crt_free(&x);
	return rc ? (rc < 0 && rc > -4096 ? rc : -EIO) : 0;
}

static int mgmt_cert_selftest(void)
{
	uint8_t *key[2] = { NULL, NULL }, *crt[2] = { NULL, NULL };
	size_t klen[2] = { 0, 0 }, clen[2] = { 0, 0 };
	char tp[MGMT_THUMBPRINT_LEN];
	uint64_t t0 = time_ns(), t1 = t0, ticks[3] = { 0, 0, 0 };
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		uint64_t c0 = cpu_rdtsc();
		rc = mgmt_cert_generate(MGMT_ST_HOST, mgmt_st_ip, &key[i], &klen[i],
				      &crt[i], &clen[i]);
		ticks[i] = cpu_rdtsc() - c0;
		if (rc)
			log_err("mgmt_cert: generation failed (%d)", rc);
		else
			rc = mgmt_cert_check(key[i], klen[i], crt[i], clen[i]);
		if (i == 0)
			t1 = time_ns();
	}
	if (!rc && klen[0] == klen[1] && !memcmp(key[0], key[1], klen[0])) {
		log_err("mgmt_cert: two generations gave the same key");
		rc = -EINVAL;
	}
	if (!rc) {
		uint64_t c0 = cpu_rdtsc();
		mgmt_cert_thumbprint(crt[0], clen[0], tp);
		ticks[2] = cpu_rdtsc() - c0;
		if (strlen(tp) != MGMT_THUMBPRINT_LEN - 1 || tp[2] != ':') {
			log_err("mgmt_cert: bad thumbprint \"%s\"", tp);
			rc = -EINVAL;
		} else {
			log_info("mgmt_cert: P-256 key + certificate (%zu+%zu "
				 "bytes) in %llu ms, entropy %s, SHA-256 %s",
				 klen[0], clen[0],
				 (unsigned long long)((t1 - t0) / 1000000),
				 entropy_sources(), tp);
			/* bench/cert.py: with -icount shift=0 a TSC tick is
			 * one instruction. */
			log_info("bench: mgmt_cert generate %llu and %llu TSC "
				 "ticks, thumbprint %llu",
				 (unsigned long long)ticks[0],
				 (unsigned long long)ticks[1],
				 (unsigned long long)ticks[2]);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (key[i])
			mbedtls_platform_zeroize(key[i], klen[i]);
		free(key[i]);
		free(crt[i]);
	}
	return rc;
}
KEEL_SELFTEST(mgmt_cert, mgmt_cert_selftest);
