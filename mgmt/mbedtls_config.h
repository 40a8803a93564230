/*
 * mbedTLS 2.28 configuration for Keel.
 *
 * Replaces mbedtls/config.h completely. tools/deps.sh builds the library
 * with -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' -I mgmt, and every Keel
 * file that includes an mbedTLS header must be compiled with the same two
 * flags: the struct layouts depend on this file. The sysroot's
 * mbedtls/config.h is an #error stub so that a missing flag cannot go
 * unnoticed. Editing this file makes `./build.sh deps` rebuild mbedTLS.
 *
 * What Keel needs: a TLS 1.2 server for the management endpoint (HTTPS on
 * 443), first-boot generation of an ECDSA key and a self-signed
 * certificate, and hashing/DRBG for the store. Everything that needs an
 * OS (sockets, files, threads, timers, /dev/urandom) is off; the kernel
 * supplies entropy through mbedtls_hardware_poll() (RDSEED/RDRAND).
 */
#ifndef KEEL_MBEDTLS_CONFIG_H
#define KEEL_MBEDTLS_CONFIG_H

/* --- Platform ---------------------------------------------------------- */

/* x86_64 inline assembly for bignum multiplication: big win for ECDSA/RSA,
 * touches only general registers. */
#define MBEDTLS_HAVE_ASM

/* Session cache expiry, ticket lifetime and X.509 validity need the time.
 * newlib provides time() (via the kernel's _gettimeofday) and gmtime_r(). */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE

/* No /dev/urandom or getrandom(): the only strong source is the CPU, via
 * int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len,
 *                           size_t *olen) provided by the kernel. */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT

/* AES lookup tables in .rodata instead of being generated into .bss on
 * first use: no lazy-init race, no writable crypto tables. */
#define MBEDTLS_AES_ROM_TABLES

/* --- Symmetric crypto and hashes --------------------------------------- */

/* AES-GCM and ChaCha20-Poly1305 are the only record ciphers: AEAD only,
 * no CBC (no MBEDTLS_CIPHER_MODE_CBC), so no Lucky13-style issues. AES-NI
 * is used when CPUID reports it (runtime check, SSE registers: library
 * code runs inside the kernel's extended-state bracket). */
#define MBEDTLS_AES_C
#define MBEDTLS_AESNI_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C

/* SHA-256 for the TLS PRF, certificate thumbprints and signatures; SHA-512
 * (which also provides SHA-384) for the *_SHA384 suites, P-384 signatures
 * and the entropy pool. No MD5/SHA-1 anywhere. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C

/* PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) for the root password hash
 * in the config store (store/store_pw.c). */
#define MBEDTLS_PKCS5_C

/* --- Random numbers ---------------------------------------------------- */

/* Entropy pool over the hardware source; CTR_DRBG is the general DRBG,
 * HMAC_DRBG gives deterministic ECDSA nonces (RFC 6979), so a weak moment
 * of the RNG can never leak the host's private key through a signature. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_ECDSA_DETERMINISTIC

/* --- Public-key crypto ------------------------------------------------- */

/* ECDSA/ECDH on P-256 and P-384 for the host key and ECDHE. X25519 is
 * added for key exchange only because most clients offer it first. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM

/* RSA: clients and operator-supplied certificates may still be RSA, and
 * ECDHE-RSA needs PKCS#1 v1.5 signatures; v2.1 for PSS certificates. No
 * RSA key generation (no MBEDTLS_GENPRIME): Keel's own key is ECDSA. */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21

/* --- Keys, certificates, encodings ------------------------------------- */

/* Load keys/certificates from the store (PEM or DER) and write the key and
 * self-signed certificate at first boot; a CSR lets operators get the
 * certificate signed by their own CA. */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CSR_PARSE_C
#define MBEDTLS_X509_CREATE_C
#define MBEDTLS_X509_CRT_WRITE_C
#define MBEDTLS_X509_CSR_WRITE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* mbedtls_strerror() so that log lines and RPC errors can say why. */
#define MBEDTLS_ERROR_C

/* --- TLS --------------------------------------------------------------- */

/* Server side, TLS 1.2 only, forward-secret ECDHE suites only. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED

/* RFC 7627 closes the triple-handshake attack; cheap, always on. */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
/* No MBEDTLS_SSL_RENEGOTIATION: nothing needs it and it has a CVE history. */

/* keelctl makes many short RPC connections: resume them from a server-side
 * cache or from stateless tickets instead of paying ECDHE + ECDSA again. */
#define MBEDTLS_SSL_CACHE_C
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C

#include "mbedtls/check_config.h"

#endif /* KEEL_MBEDTLS_CONFIG_H */
