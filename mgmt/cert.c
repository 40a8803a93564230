// SPDX-License-Identifier: MIT
/*
 * The host's TLS identity (mgmt/cert.h, docs/firstboot.md "TLS
 * identity"): a fresh ECDSA P-256 key and a self-signed X.509 v3
 * certificate for the management endpoint.
 *
 * Randomness: a CTR_DRBG seeded from core/entropy.h through our own
 * callback. entropy_read() gives raw seed material (DRNG XOR timer
 * jitter); CTR_DRBG's derivation function (NIST SP 800-90A section
 * 10.3.2, Block_Cipher_df) conditions it, so mbedtls_entropy_context
 * and its pollers are not used. One DRBG per generation, freed (and
 * zeroized by mbedTLS) before returning.
 *
 * mbedTLS 2.28 has setters for basicConstraints and keyUsage but none
 * for extendedKeyUsage or subjectAltName: those two extension values are
 * encoded here with asn1write (RFC 5280 sections 4.2.1.12 and 4.2.1.6)
 * and added with mbedtls_x509write_crt_set_extension. Like every
 * asn1write function they build the DER backwards, from the end of the
 * buffer.
 *
 * Pure: no logging, no store, so the host unit test links this file
 * alone (tests/unit/test_cert.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "core/entropy.h"
#include "mgmt/cert.h"

/* No RTC yet (docs/firstboot.md): a fixed notBefore, 10 years on. */
#define MGMT_CERT_NOT_BEFORE "20250101000000"
#define MGMT_CERT_NOT_AFTER "20350101000000"
#define MGMT_CERT_SERIAL_LEN 16
#define MGMT_CERT_CN_MAX 64
/* A P-256 key in RFC 5915 DER is ~121 bytes, the certificate ~450 plus
 * two host names (CN and SAN, up to 253 bytes each). */
#define MGMT_CERT_KEY_BUF 256
#define MGMT_CERT_CRT_BUF 2048

/* Not a secret; tells this DRBG instance apart from others (SP 800-90A
 * section 8.7.1). */
static const char mgmt_cert_pers[] = "keel-tls-identity";

static int mgmt_cert_entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	entropy_read(buf, len);
	return 0;
}

/* mbedTLS error -> -errno: allocation failures stay visible, the rest
 * are "the library refused" (-EIO). */
static int mgmt_cert_errno(int rc)
{
	if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED ||
	    rc == MBEDTLS_ERR_MPI_ALLOC_FAILED ||
	    rc == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
	    rc == MBEDTLS_ERR_X509_ALLOC_FAILED ||
	    rc == MBEDTLS_ERR_ASN1_ALLOC_FAILED)
		return -ENOMEM;
	return -EIO;
}

/*
 * Put the length and @tag in front of the @len content bytes just
 * written backwards ending at *@p (mbedTLS's asn1write style); the
 * whole element's length or an mbedTLS error.
 */
static int mgmt_cert_wrap(unsigned char *buf, unsigned char **p, int len,
			int tag)
{
	int rc;

	if (len < 0)
		return len;
	rc = mbedtls_asn1_write_len(p, buf, (size_t)len);
	if (rc < 0)
		return rc;
	len += rc;
	rc = mbedtls_asn1_write_tag(p, buf, (unsigned char)tag);
	return rc < 0 ? rc : len + rc;
}

#define MGMT_ASN1_SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

/*
 * extendedKeyUsage (RFC 5280 4.2.1.12): SEQUENCE OF KeyPurposeId with
 * the one purpose id-kp-serverAuth.
 */
static int mgmt_cert_eku(unsigned char *buf, unsigned char **p)
{
	int rc = mbedtls_asn1_write_oid(
	    p, buf, MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));

	return mgmt_cert_wrap(buf, p, rc, MGMT_ASN1_SEQ);
}

/* One [tag] IMPLICIT primitive GeneralName: tag, length, raw bytes. */
static int mgmt_cert_gn(unsigned char *buf, unsigned char **p, int tag,
		      const unsigned char *v, size_t n)
{
	int rc = mbedtls_asn1_write_raw_buffer(p, buf, v, n);

	return mgmt_cert_wrap(buf, p, rc, MBEDTLS_ASN1_CONTEXT_SPECIFIC | tag);
}

/*
 * subjectAltName (RFC 5280 4.2.1.6): GeneralNames ::= SEQUENCE OF
 * GeneralName, here dNSName [2] IA5String = @host, then iPAddress [7]
 * OCTET STRING (4 bytes, network order) = @ip4 when given. Written
 * backwards, so the address goes first.
 */
static int mgmt_cert_san(unsigned char *buf, unsigned char **p, const char *host,
		       const uint8_t *ip4)
{
	int len = 0, rc;

	if (ip4) {
		len = mgmt_cert_gn(buf, p, 7, ip4, 4);
		if (len < 0)
			return len;
	}
	rc = mgmt_cert_gn(buf, p, 2, (const unsigned char *)host, strlen(host));
	if (rc < 0)
		return rc;
	return mgmt_cert_wrap(buf, p, len + rc, MGMT_ASN1_SEQ);
}

/* A host name is a plain RFC 1123 name (fb_validate checks it properly):
 * refuse here only what would corrupt the DN string or the IA5String. */
static bool mgmt_cert_name_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	if (n == 0 || n >= MGMT_CERT_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* The certificate fields for @key; signs and writes the DER at the end of
 * @buf. Its length or an mbedTLS error. */
static int mgmt_cert_write(mbedtls_pk_context *key,
			 mbedtls_ctr_drbg_context *drbg, const char *host,
			 const uint8_t *ip4, unsigned char *buf, size_t size)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char sn[MGMT_CERT_SERIAL_LEN];
	unsigned char ext[MGMT_CERT_HOST_MAX + 32], *p;
	char dn[MGMT_CERT_CN_MAX + 16];
	int rc, n;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, key);
	mbedtls_x509write_crt_set_issuer_key(&crt, key);

	/* RFC 5280 4.1.2.2: positive, at most 20 octets; CA/B BR 7.1 asks
	 * for 64+ random bits. Top bit clear (positive without a pad
	 * byte), next bit set (always 16 octets long, never zero). */
	rc = mbedtls_ctr_drbg_random(drbg, sn, sizeof(sn));
	if (rc)
		goto out;
	sn[0] = (sn[0] & 0x7f) | 0x40;
	rc = mbedtls_mpi_read_binary(&serial, sn, sizeof(sn));
	if (rc)
		goto out;
	rc = mbedtls_x509write_crt_set_serial(&crt, &serial);
	if (rc)
		goto out;

	/* mgmt_cert_name_ok: no ',', '=', '\\' that would split the DN.
	 * X.520 bounds a commonName at 64 characters (RFC 5280 appendix
	 * A.1, ub-common-name): a longer name puts its first label (at most
	 * 63, RFC 1123) in the CN; clients match the SAN anyway (RFC 6125
	 * 6.4.4), which always has the whole name. */
	size_t cn = strlen(host);
	if (cn > MGMT_CERT_CN_MAX) {
		const char *dot = strchr(host, '.');
		cn = dot ? (size_t)(dot - host) : MGMT_CERT_CN_MAX;
		if (cn > MGMT_CERT_CN_MAX)
			cn = MGMT_CERT_CN_MAX;
	}
	memcpy(dn, "CN=", 3);
	memcpy(dn + 3, host, cn);
	strcpy(dn + 3 + cn, ",O=Keel");
	rc = mbedtls_x509write_crt_set_subject_name(&crt, dn);
	if (rc)
		goto out;
	rc = mbedtls_x509write_crt_set_issuer_name(&crt, dn);
	if (rc)
		goto out;
	rc = mbedtls_x509write_crt_set_validity(&crt, MGMT_CERT_NOT_BEFORE,
						MGMT_CERT_NOT_AFTER);
	if (rc)
		goto out;
	/* CA:FALSE, no path length (written non-critical by mbedTLS). */
	rc = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1);
	if (rc)
		goto out;
	/* ECDHE_ECDSA signs with the key; static ECDH would agree with it. */
	rc = mbedtls_x509write_crt_set_key_usage(
	    &crt,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT);
	if (rc)
		goto out;

	p = ext + sizeof(ext);
	n = mgmt_cert_eku(ext, &p);
	if (n < 0) {
		rc = n;
		goto out;
	}
	rc = mbedtls_x509write_crt_set_extension(
	    &crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, p, n);
	if (rc)
		goto out;

	/* Non-critical: the subject DN is not empty (RFC 5280 4.2.1.6). */
	p = ext + sizeof(ext);
	n = mgmt_cert_san(ext, &p, host, ip4);
	if (n < 0) {
		rc = n;
		goto out;
	}
	rc = mbedtls_x509write_crt_set_extension(
	    &crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p, n);
	if (rc)
		goto out;

	rc = mbedtls_x509write_crt_der(&crt, buf, size, mbedtls_ctr_drbg_random,
				       drbg);
out:
	mbedtls_x509write_crt_free(&crt);
	mbedtls_mpi_free(&serial);
	return rc;
}

int mgmt_cert_generate(const char *hostname, const uint8_t *ip4,
		     uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		     size_t *cert_len)
{
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	unsigned char *kbuf = NULL, *cbuf = NULL;
	uint8_t *kout = NULL, *cout = NULL;
	int rc, klen = 0, clen = 0, ret;

	*key_der = *cert_der = NULL;
	*key_len = *cert_len = 0;
	if (!mgmt_cert_name_ok(hostname))
		return -EINVAL;

	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	kbuf = malloc(MGMT_CERT_KEY_BUF);
	cbuf = malloc(MGMT_CERT_CRT_BUF);
	if (!kbuf || !cbuf) {
		ret = -ENOMEM;
		goto out;
	}

	rc = mbedtls_ctr_drbg_seed(&drbg, mgmt_cert_entropy, NULL,
				   (const unsigned char *)mgmt_cert_pers,
				   sizeof(mgmt_cert_pers) - 1);
	if (!rc)
		rc = mbedtls_pk_setup(
		    &key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (!rc)
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
					 mbedtls_pk_ec(key),
					 mbedtls_ctr_drbg_random, &drbg);
	if (!rc) {
		/* Written at the end of kbuf: the DER starts at
		 * kbuf + size - klen. */
		klen = mbedtls_pk_write_key_der(&key, kbuf, MGMT_CERT_KEY_BUF);
		rc = klen < 0 ? klen : 0;
	}
	if (!rc) {
		clen = mgmt_cert_write(&key, &drbg, hostname, ip4, cbuf,
				     MGMT_CERT_CRT_BUF);
		rc = clen < 0 ? clen : 0;
	}
	if (rc) {
		ret = mgmt_cert_errno(rc);
		goto out;
	}

	kout = malloc(klen);
	cout = malloc(clen);
	if (!kout || !cout) {
		free(kout);
		free(cout);
		ret = -ENOMEM;
		goto out;
	}
	memcpy(kout, kbuf + MGMT_CERT_KEY_BUF - klen, klen);
	memcpy(cout, cbuf + MGMT_CERT_CRT_BUF - clen, clen);
	*key_der = kout;
	*key_len = klen;
	*cert_der = cout;
	*cert_len = clen;
	ret = 0;
out:
	/* The private key sits in kbuf and in the pk/DRBG contexts; the
	 * free functions zeroize the contexts. */
	if (kbuf) {
		mbedtls_platform_zeroize(kbuf, MGMT_CERT_KEY_BUF);
		free(kbuf);
	}
	free(cbuf);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	return ret;
}

void mgmt_cert_thumbprint(const uint8_t *cert_der, size_t len,
			char out[MGMT_THUMBPRINT_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char d[32];
	char *o = out;

	if (mbedtls_sha256_ret(cert_der, len, d, 0)) {
		out[0] = 0;
		return;
	}
	for (int i = 0; i < 32; i++) {
		if (i)
			*o++ = ':';
		*o++ = hex[d[i] >> 4];
		*o++ = hex[d[i] & 15];
	}
	*o = 0;
}
