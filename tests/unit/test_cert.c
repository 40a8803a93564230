// SPDX-License-Identifier: MIT
/*
 * The host's TLS identity as a browser or curl would see it: the
 * certificate parses, is signed by its own key, names the host in CN and
 * SAN (dNSName and iPAddress), says serverAuth, lasts 10 years, and a
 * second generation gives another key and serial. OpenSSL, an independent
 * parser, must agree, and the thumbprint must be what
 * `openssl x509 -fingerprint -sha256` prints.
 * UNIT_SRCS: mgmt/cert.c
 * UNIT_LIBS: mbedx509 mbedcrypto
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "core/entropy.h"
#include "mgmt/cert.h"
#include "unit.h"

/* Host shim for core/entropy.h: the kernel's source needs RDSEED/TSC. */
static unsigned long shim_reads;
void entropy_read(void *buf, size_t len)
{
	FILE *f = fopen("/dev/urandom", "rb");

	shim_reads++;
	if (!f || fread(buf, 1, len, f) != len)
		abort();
	fclose(f);
}
const char *entropy_sources(void)
{
	return "urandom";
}

static const uint8_t ip[4] = { 192, 168, 1, 10 };
#define HOST "esx01.lab.example.com"

struct gen {
	uint8_t *key, *crt;
	size_t klen, clen;
	mbedtls_x509_crt x;
};

static int gen(struct gen *g, const char *host, const uint8_t *ip4)
{
	memset(g, 0, sizeof(*g));
	mbedtls_x509_crt_init(&g->x);
	int rc =
	    mgmt_cert_generate(host, ip4, &g->key, &g->klen, &g->crt, &g->clen);
	if (rc)
		return rc;
	return mbedtls_x509_crt_parse_der(&g->x, g->crt, g->clen);
}

static void gen_free(struct gen *g)
{
	mbedtls_x509_crt_free(&g->x);
	free(g->key);
	free(g->crt);
}

/* The signature over tbsCertificate verifies with the certificate's own
 * public key, and that key is the one in the key DER. */
static int self_signed_ok(struct gen *g)
{
	unsigned char h[32];
	mbedtls_pk_context k;
	int rc;

	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), g->x.tbs.p,
		       g->x.tbs.len, h))
		return -1;
	rc = mbedtls_pk_verify(&g->x.pk, MBEDTLS_MD_SHA256, h, sizeof(h),
			       g->x.sig.p, g->x.sig.len);
	if (rc)
		return rc;
	mbedtls_pk_init(&k);
	rc = mbedtls_pk_parse_key(&k, g->key, g->klen, NULL, 0);
	if (!rc)
		rc = mbedtls_pk_check_pair(&g->x.pk, &k);
	mbedtls_pk_free(&k);
	return rc;
}

UNIT_TEST(mgmt_cert_fields)
{
	struct gen g;
	char dn[256];

	UNIT_CHECK(gen(&g, HOST, ip) == 0);
	if (!g.crt)
		return;
	UNIT_CHECK(shim_reads > 0);
	UNIT_CHECK(g.x.version == 3);
	UNIT_CHECK(g.x.sig_md == MBEDTLS_MD_SHA256);
	UNIT_CHECK(g.x.sig_pk == MBEDTLS_PK_ECDSA);
	UNIT_CHECK(mbedtls_pk_get_type(&g.x.pk) == MBEDTLS_PK_ECKEY);
	UNIT_CHECK(mbedtls_pk_ec(g.x.pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1);
	UNIT_CHECK(self_signed_ok(&g) == 0);

	mbedtls_x509_dn_gets(dn, sizeof(dn), &g.x.subject);
	UNIT_CHECK_STR(dn, "CN=" HOST ", O=Keel");
	mbedtls_x509_dn_gets(dn, sizeof(dn), &g.x.issuer);
	UNIT_CHECK_STR(dn, "CN=" HOST ", O=Keel");

	/* Positive 16-octet random serial (RFC 5280 4.1.2.2). */
	UNIT_CHECK(g.x.serial.len == 16);
	UNIT_CHECK((g.x.serial.p[0] & 0x80) == 0);

	UNIT_CHECK(g.x.valid_from.year == 2025 && g.x.valid_from.mon == 1 &&
		   g.x.valid_from.day == 1);
	UNIT_CHECK(g.x.valid_to.year == 2035 && g.x.valid_to.mon == 1 &&
		   g.x.valid_to.day == 1);

	UNIT_CHECK(g.x.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS);
	UNIT_CHECK(g.x.ca_istrue == 0);
	UNIT_CHECK(g.x.key_usage == (MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
				     MBEDTLS_X509_KU_KEY_AGREEMENT));
	UNIT_CHECK(mbedtls_x509_crt_check_key_usage(
		       &g.x, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0);
	UNIT_CHECK(mbedtls_x509_crt_check_extended_key_usage(
		       &g.x, MBEDTLS_OID_SERVER_AUTH,
		       MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) == 0);
	UNIT_CHECK(mbedtls_x509_crt_check_extended_key_usage(
		       &g.x, MBEDTLS_OID_CLIENT_AUTH,
		       MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0);

	/* SAN: exactly dNSName = host, then iPAddress = 4 octets. */
	UNIT_CHECK(g.x.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	const mbedtls_x509_sequence *s = &g.x.subject_alt_names;
	UNIT_CHECK(s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
	UNIT_CHECK(s->buf.len == strlen(HOST) &&
		   !memcmp(s->buf.p, HOST, s->buf.len));
	s = s->next;
	UNIT_CHECK(s && s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7));
	UNIT_CHECK(s && s->buf.len == 4 && !memcmp(s->buf.p, ip, 4));
	UNIT_CHECK(s && !s->next);

	/* mbedTLS's own chain check: a self-signed end-entity certificate
	 * trusted as itself, for the name in CN/SAN. */
	uint32_t flags = 0;
	UNIT_CHECK(mbedtls_x509_crt_verify(&g.x, &g.x, NULL, HOST, &flags, NULL,
					   NULL) == 0);
	UNIT_CHECK(mbedtls_x509_crt_verify(&g.x, &g.x, NULL, "other.example",
					   &flags, NULL, NULL) != 0);
	gen_free(&g);
}

UNIT_TEST(mgmt_cert_no_address)
{
	struct gen g;

	UNIT_CHECK(gen(&g, "keel", NULL) == 0);
	UNIT_CHECK(g.x.subject_alt_names.buf.tag ==
		   (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
	UNIT_CHECK(g.x.subject_alt_names.buf.len == 4);
	UNIT_CHECK(g.x.subject_alt_names.next == NULL);
	UNIT_CHECK(self_signed_ok(&g) == 0);
	gen_free(&g);
}

/* A 253-character name: whole in the SAN, first label in the CN (X.520
 * allows 64 characters there). */
UNIT_TEST(mgmt_cert_long_name)
{
	char host[254], dn[128];
	struct gen g;

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	for (int i = 63; i < 253; i += 64)
		host[i] = '.';
	UNIT_CHECK(gen(&g, host, ip) == 0);
	UNIT_CHECK(g.x.subject_alt_names.buf.len == 253 &&
		   !memcmp(g.x.subject_alt_names.buf.p, host, 253));
	mbedtls_x509_dn_gets(dn, sizeof(dn), &g.x.subject);
	UNIT_CHECK(strlen(dn) == 3 + 63 + 8 && !strncmp(dn + 3, host, 63));
	UNIT_CHECK(self_signed_ok(&g) == 0);
	gen_free(&g);
}

UNIT_TEST(mgmt_cert_fresh_each_time)
{
	struct gen a, b;

	UNIT_CHECK(gen(&a, HOST, ip) == 0);
	UNIT_CHECK(gen(&b, HOST, ip) == 0);
	UNIT_CHECK(a.klen != b.klen || memcmp(a.key, b.key, a.klen));
	UNIT_CHECK(a.x.serial.len == b.x.serial.len &&
		   memcmp(a.x.serial.p, b.x.serial.p, a.x.serial.len));
	char ta[MGMT_THUMBPRINT_LEN], tb[MGMT_THUMBPRINT_LEN];
	mgmt_cert_thumbprint(a.crt, a.clen, ta);
	mgmt_cert_thumbprint(b.crt, b.clen, tb);
	UNIT_CHECK(strcmp(ta, tb));
	gen_free(&a);
	gen_free(&b);
}

UNIT_TEST(mgmt_cert_bad_name)
{
	uint8_t *k = (uint8_t *)1, *c = (uint8_t *)1;
	size_t kl = 1, cl = 1;

	UNIT_CHECK(mgmt_cert_generate("", ip, &k, &kl, &c, &cl) == -EINVAL);
	UNIT_CHECK(mgmt_cert_generate("a,O=Evil", ip, &k, &kl, &c, &cl) ==
		   -EINVAL);
	UNIT_CHECK(k == NULL && c == NULL && kl == 0 && cl == 0);
}

UNIT_TEST(mgmt_cert_thumbprint_known)
{
	/* SHA-256("abc"), FIPS 180-2 B.1. */
	char t[MGMT_THUMBPRINT_LEN];
	mgmt_cert_thumbprint((const uint8_t *)"abc", 3, t);
	UNIT_CHECK_STR(t, "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
			  "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
	UNIT_CHECK(strlen(t) == MGMT_THUMBPRINT_LEN - 1);
}

/* Run @cmd, return its whole output (static buffer) or NULL. */
static const char *run(const char *cmd)
{
	static char out[8192];
	size_t n = 0;
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	while (n < sizeof(out) - 1) {
		size_t r = fread(out + n, 1, sizeof(out) - 1 - n, p);
		if (!r)
			break;
		n += r;
	}
	out[n] = 0;
	return pclose(p) == 0 ? out : NULL;
}

#define CONTAINS(hay, needle)                                                  \
	do {                                                                   \
		const char *h_ = (hay);                                        \
		if (!h_ || !strstr(h_, needle)) {                              \
			char m_[9000];                                         \
			snprintf(m_, sizeof(m_), "output lacks '%s':\n%s",     \
				 needle, h_ ? h_ : "(command failed)");        \
			unit_fail(__FILE__, __LINE__, m_);                     \
		}                                                              \
	} while (0)

UNIT_TEST(mgmt_cert_openssl_agrees)
{
	struct gen g;
	char dir[] = "/tmp/mgmt_cert_XXXXXX", cmd[512], tp[MGMT_THUMBPRINT_LEN];
	const char *o;

	if (!mkdtemp(dir)) {
		UNIT_CHECK(!"mkdtemp");
		return;
	}
	UNIT_CHECK(gen(&g, HOST, ip) == 0);
	snprintf(cmd, sizeof(cmd), "%s/c.der", dir);
	FILE *f = fopen(cmd, "wb");
	UNIT_CHECK(f && fwrite(g.crt, 1, g.clen, f) == g.clen);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/k.der", dir);
	f = fopen(cmd, "wb");
	UNIT_CHECK(f && fwrite(g.key, 1, g.klen, f) == g.klen);
	if (f)
		fclose(f);

	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -inform DER -in %s/c.der -noout -text 2>&1",
		 dir);
	o = run(cmd);
	CONTAINS(o, "Version: 3 (0x2)");
	CONTAINS(o, "Signature Algorithm: ecdsa-with-SHA256");
	CONTAINS(o, "Subject: CN = " HOST ", O = Keel");
	CONTAINS(o, "Issuer: CN = " HOST ", O = Keel");
	CONTAINS(o, "Not Before: Jan  1 00:00:00 2025 GMT");
	CONTAINS(o, "Not After : Jan  1 00:00:00 2035 GMT");
	CONTAINS(o, "ASN1 OID: prime256v1");
	CONTAINS(o, "CA:FALSE");
	CONTAINS(o, "Digital Signature, Key Agreement");
	CONTAINS(o, "TLS Web Server Authentication");
	CONTAINS(o, "DNS:" HOST ", IP Address:192.168.1.10");
	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -inform DER -in %s/c.der -noout "
		 "-ext subjectAltName 2>&1",
		 dir);
	CONTAINS(run(cmd), "X509v3 Subject Alternative Name: \n"
			   "    DNS:" HOST ", IP Address:192.168.1.10\n");

	/* The key DER is an EC private key OpenSSL reads and that matches
	 * the certificate's public key. */
	snprintf(cmd, sizeof(cmd),
		 "openssl pkey -inform DER -in %s/k.der -pubout 2>&1; "
		 "openssl x509 -inform DER -in %s/c.der -noout -pubkey 2>&1",
		 dir, dir);
	o = run(cmd);
	UNIT_CHECK(o != NULL);
	if (o) {
		const char *second = strstr(o + 1, "-----BEGIN PUBLIC KEY");
		size_t half = second ? (size_t)(second - o) : 0;
		UNIT_CHECK(half > 0 && strlen(o) == 2 * half &&
			   !memcmp(o, second, half));
	}

	/* Self-signed and trusted as itself: OpenSSL's chain check for the
	 * TLS server purpose and the host name. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl x509 -inform DER -in c.der -out c.pem && "
		 "openssl verify -purpose sslserver -verify_hostname " HOST
		 " -CAfile c.pem c.pem 2>&1",
		 dir);
	CONTAINS(run(cmd), "c.pem: OK");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl verify -verify_ip 192.168.1.10 -CAfile "
		 "c.pem c.pem 2>&1",
		 dir);
	CONTAINS(run(cmd), "c.pem: OK");

	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -inform DER -in %s/c.der -noout -fingerprint "
		 "-sha256 2>&1",
		 dir);
	o = run(cmd);
	mgmt_cert_thumbprint(g.crt, g.clen, tp);
	char want[MGMT_THUMBPRINT_LEN + 32];
	snprintf(want, sizeof(want), "Fingerprint=%s\n", tp);
	CONTAINS(o, want);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	UNIT_CHECK(system(cmd) == 0);
	gen_free(&g);
}
