// SPDX-License-Identifier: MIT
/*
 * mbedTLS comes alive: SHA-256 known-answer tests from FIPS 180-2,
 * appendix B.1 ("abc") and B.2 (the two-block message). The TLS endpoint
 * relies on this hash for certificate thumbprints and password hashing.
 */
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "core/init.h"
#include "core/log.h"

static const struct {
	const char *msg;
	unsigned char digest[32];
} tls_sha256_kat[] = {
	{ "abc",
	  { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad } },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  { 0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
	    0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
	    0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1 } },
};

static void tls_selftest(void)
{
	unsigned char out[32];

	for (size_t i = 0; i < sizeof(tls_sha256_kat) / sizeof(tls_sha256_kat[0]);
	     i++) {
		const char *m = tls_sha256_kat[i].msg;
		int rc = mbedtls_sha256_ret((const unsigned char *)m, strlen(m),
					    out, 0);
		if (rc) {
			log_err("mbedtls: SHA-256 failed with %d", rc);
			return;
		}
		if (memcmp(out, tls_sha256_kat[i].digest, sizeof(out))) {
			log_err("mbedtls: SHA-256 known-answer test %zu FAILED "
				"(wrong digest)",
				i + 1);
			return;
		}
	}
	log_info("mbedtls: " MBEDTLS_VERSION_STRING
		 " SHA-256 known-answer tests passed");
}
KEEL_INIT(INIT_LIBS, tls_selftest);
