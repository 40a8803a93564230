// SPDX-License-Identifier: MIT
/*
 * Root password hashes (docs/store.md "Passwords"): PBKDF2-HMAC-SHA256
 * (RFC 8018 section 5.2) for hashes Keel writes, and SHA-512 crypt
 * (Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", 2008) for
 * hashes made by ESXi-style tooling (`openssl passwd -6`, mkpasswd) and
 * handed over in keel.cfg. Both verifications recompute the hash and
 * compare every byte, whatever the first difference (constant time).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha512.h>

#include "core/entropy.h"
#include "store/store_pw.h"

/*
 * OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600,000, but that took
 * 3.5-4 s per login under QEMU TCG; half of it keeps a console login near
 * two seconds there (docs/store.md "Passwords" has the measurements).
 * The count is in every hash, so raising it later keeps old ones valid.
 */
unsigned int store_pw_iterations = 600000;

#define PW_PBKDF2_PREFIX "$pbkdf2-sha256$"
#define PW_SALT_LEN 16
#define PW_HASH_LEN 32
/* Verification bounds: a hash from outside must not make a login take
 * minutes (nor be trivially weak). */
#define PW_PBKDF2_MIN 1000
#define PW_PBKDF2_MAX 10000000
#define PW_SALT_MAX 64
/* SHA-512 crypt: the spec's defaults and bounds; accepted rounds are
 * capped lower than its 999,999,999 for the same reason as above. */
#define PW_CRYPT_ROUNDS_DEFAULT 5000
#define PW_CRYPT_ROUNDS_MIN 1000
#define PW_CRYPT_ROUNDS_MAX 10000000
#define PW_CRYPT_SALT_MAX 16
#define PW_CRYPT_HASH_CHARS 86

/* 0 when the @n bytes at @a and @b are equal; time depends on @n only. */
static int pw_ct_diff(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

/* ---- Standard base64, unpadded (RFC 4648 section 4) -----------------------
 */

static const char pw_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t pw_b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			w |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			w |= in[i + 2];
		out[o++] = pw_b64[(w >> 18) & 63];
		out[o++] = pw_b64[(w >> 12) & 63];
		if (left > 1)
			out[o++] = pw_b64[(w >> 6) & 63];
		if (left > 2)
			out[o++] = pw_b64[w & 63];
	}
	out[o] = '\0';
	return o;
}

static int pw_b64_val(char c)
{
	const char *p = c ? strchr(pw_b64, c) : NULL;

	return p ? (int)(p - pw_b64) : -1;
}

/* Decode @n characters; the byte count, or -EINVAL (bad character,
 * impossible length, non-zero spare bits, more than @max bytes). */
static int pw_b64_decode(const char *in, size_t n, unsigned char *out,
			 size_t max)
{
	size_t o = 0;
	uint32_t w = 0;
	int bits = 0;

	if (n % 4 == 1)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int v = pw_b64_val(in[i]);
		if (v < 0)
			return -EINVAL;
		w = (w << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= max)
				return -EINVAL;
			out[o++] = (unsigned char)(w >> bits);
			w &= (1u << bits) - 1;
		}
	}
	if (w) /* canonical encodings leave the spare bits zero */
		return -EINVAL;
	return (int)o;
}

/* ---- PBKDF2-HMAC-SHA256
 * -------------------------------------------------------- */

static int pw_pbkdf2(const char *plain, const unsigned char *salt,
		     size_t salt_len, unsigned int iter,
		     unsigned char out[PW_HASH_LEN])
{
	mbedtls_md_context_t md;
	int rc;

	mbedtls_md_init(&md);
	rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
			      1);
	if (!rc)
		rc = mbedtls_pkcs5_pbkdf2_hmac(
		    &md, (const unsigned char *)plain, strlen(plain), salt,
		    salt_len, iter, PW_HASH_LEN, out);
	mbedtls_md_free(&md);
	return rc ? -EIO : 0;
}

struct pw_pbkdf2_parts {
	unsigned int iter;
	unsigned char salt[PW_SALT_MAX];
	size_t salt_len;
	unsigned char hash[PW_HASH_LEN];
};

static int pw_parse_uint(const char *s, size_t n, unsigned long max,
			 unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 10 || (s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int pw_parse_pbkdf2(const char *h, struct pw_pbkdf2_parts *p)
{
	const char *it = h + strlen(PW_PBKDF2_PREFIX), *salt, *hash;
	unsigned long iter;
	int n;

	salt = strchr(it, '$');
	if (!salt)
		return -EINVAL;
	hash = strchr(++salt, '$');
	if (!hash)
		return -EINVAL;
	hash++;
	if (pw_parse_uint(it, (size_t)(salt - 1 - it), PW_PBKDF2_MAX, &iter) ||
	    iter < PW_PBKDF2_MIN)
		return -EINVAL;
	p->iter = (unsigned int)iter;
	n = pw_b64_decode(salt, (size_t)(hash - 1 - salt), p->salt,
			  sizeof(p->salt));
	if (n < 8)
		return -EINVAL;
	p->salt_len = (size_t)n;
	if (pw_b64_decode(hash, strlen(hash), p->hash, sizeof(p->hash)) !=
	    PW_HASH_LEN)
		return -EINVAL;
	return 0;
}

int store_pw_hash(const char *plain, char out[STORE_PW_HASH_MAX])
{
	unsigned char salt[PW_SALT_LEN], hash[PW_HASH_LEN];
	char s64[32], h64[48];
	int rc;

	if (!plain)
		return -EINVAL;
	entropy_read(salt, sizeof(salt));
	rc = pw_pbkdf2(plain, salt, sizeof(salt), store_pw_iterations, hash);
	if (rc)
		return rc;
	pw_b64_encode(salt, sizeof(salt), s64);
	pw_b64_encode(hash, sizeof(hash), h64);
	snprintf(out, STORE_PW_HASH_MAX, PW_PBKDF2_PREFIX "%u$%s$%s",
		 store_pw_iterations, s64, h64);
	memset(hash, 0, sizeof(hash));
	return 0;
}

/* ---- SHA-512 crypt (Drepper)
 * ---------------------------------------------------- */

struct pw_crypt_parts {
	unsigned long rounds;
	bool rounds_given;
	const char *salt;
	size_t salt_len;
	const char *hash; /* 86 characters */
};

static const char pw_crypt_b64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int pw_parse_crypt(const char *h, struct pw_crypt_parts *p)
{
	const char *s = h + 3, *end;

	p->rounds = PW_CRYPT_ROUNDS_DEFAULT;
	p->rounds_given = false;
	if (!strncmp(s, "rounds=", 7)) {
		s += 7;
		end = strchr(s, '$');
		if (!end ||
		    pw_parse_uint(s, (size_t)(end - s), PW_CRYPT_ROUNDS_MAX,
				  &p->rounds) ||
		    p->rounds < PW_CRYPT_ROUNDS_MIN)
			return -EINVAL;
		p->rounds_given = true;
		s = end + 1;
	}
	end = strchr(s, '$');
	if (!end || (size_t)(end - s) > PW_CRYPT_SALT_MAX)
		return -EINVAL;
	/* The salt may hold anything but '$' (and ':' or newline would
	 * break a passwd line); a stored one was already cut to 16. */
	for (const char *c = s; c < end; c++)
		if (*c == ':' || *c == '\n')
			return -EINVAL;
	p->salt = s;
	p->salt_len = (size_t)(end - s);
	p->hash = end + 1;
	if (strlen(p->hash) != PW_CRYPT_HASH_CHARS)
		return -EINVAL;
	for (int i = 0; i < PW_CRYPT_HASH_CHARS; i++)
		if (!strchr(pw_crypt_b64, p->hash[i]) || !p->hash[i])
			return -EINVAL;
	return 0;
}

/* Add @len bytes taken cyclically from the 64-byte @block. */
static void pw_sha512_repeat(mbedtls_sha512_context *c,
			     const unsigned char block[64], size_t len)
{
	for (; len >= 64; len -= 64)
		mbedtls_sha512_update_ret(c, block, 64);
	mbedtls_sha512_update_ret(c, block, len);
}

static void pw_sha512_start(mbedtls_sha512_context *c)
{
	mbedtls_sha512_init(c);
	mbedtls_sha512_starts_ret(c, 0);
}

/* The 64-byte result of the algorithm, steps 1-21 of the specification. */
static int pw_sha512_crypt_raw(const char *plain,
			       const struct pw_crypt_parts *p,
			       unsigned char out[64])
{
	const unsigned char *pw = (const unsigned char *)plain;
	const unsigned char *salt = (const unsigned char *)p->salt;
	size_t pl = strlen(plain), sl = p->salt_len;
	unsigned char a[64], b[64], dp[64], ds[64], *pseq, sseq[16];
	mbedtls_sha512_context c;

	pseq = malloc(pl ? pl : 1);
	if (!pseq)
		return -ENOMEM;
	/* Digest B: password, salt, password. */
	pw_sha512_start(&c);
	mbedtls_sha512_update_ret(&c, pw, pl);
	mbedtls_sha512_update_ret(&c, salt, sl);
	mbedtls_sha512_update_ret(&c, pw, pl);
	mbedtls_sha512_finish_ret(&c, b);
	mbedtls_sha512_free(&c);
	/* Digest A: password, salt, B stretched to the password length,
	 * then B or the password for each bit of the length. */
	pw_sha512_start(&c);
	mbedtls_sha512_update_ret(&c, pw, pl);
	mbedtls_sha512_update_ret(&c, salt, sl);
	pw_sha512_repeat(&c, b, pl);
	for (size_t n = pl; n; n >>= 1) {
		if (n & 1)
			mbedtls_sha512_update_ret(&c, b, 64);
		else
			mbedtls_sha512_update_ret(&c, pw, pl);
	}
	mbedtls_sha512_finish_ret(&c, a);
	mbedtls_sha512_free(&c);
	/* DP: the password once per byte of it; P is DP cut to length. */
	pw_sha512_start(&c);
	for (size_t i = 0; i < pl; i++)
		mbedtls_sha512_update_ret(&c, pw, pl);
	mbedtls_sha512_finish_ret(&c, dp);
	mbedtls_sha512_free(&c);
	for (size_t i = 0; i < pl; i++)
		pseq[i] = dp[i % 64];
	/* DS: the salt 16 + A[0] times; S is DS cut to the salt length. */
	pw_sha512_start(&c);
	for (unsigned int i = 0; i < 16u + a[0]; i++)
		mbedtls_sha512_update_ret(&c, salt, sl);
	mbedtls_sha512_finish_ret(&c, ds);
	mbedtls_sha512_free(&c);
	memcpy(sseq, ds, sl);
	/* The rounds: C alternates between the previous result and P, with
	 * S and P mixed in by round number. */
	for (unsigned long r = 0; r < p->rounds; r++) {
		pw_sha512_start(&c);
		if (r & 1)
			mbedtls_sha512_update_ret(&c, pseq, pl);
		else
			mbedtls_sha512_update_ret(&c, a, 64);
		if (r % 3)
			mbedtls_sha512_update_ret(&c, sseq, sl);
		if (r % 7)
			mbedtls_sha512_update_ret(&c, pseq, pl);
		if (r & 1)
			mbedtls_sha512_update_ret(&c, a, 64);
		else
			mbedtls_sha512_update_ret(&c, pseq, pl);
		mbedtls_sha512_finish_ret(&c, a);
		mbedtls_sha512_free(&c);
	}
	memcpy(out, a, 64);
	memset(pseq, 0, pl);
	free(pseq);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(dp, 0, sizeof(dp));
	return 0;
}

/* The specification's final encoding: 21 groups of three bytes, each
 * rotated by its index, and the last byte; 6 bits per character, low
 * bits first. */
static void pw_crypt_encode(const unsigned char h[64],
			    char out[PW_CRYPT_HASH_CHARS + 1])
{
	char *o = out;

	for (int k = 0; k <= 21; k++) {
		unsigned int t[3] = { k, k + 21, k + 42 }, w, n = 4;
		int r = k % 3;
		if (k == 21) {
			w = h[63];
			n = 2;
		} else {
			w = (unsigned int)h[t[r]] << 16 |
			    (unsigned int)h[t[(r + 1) % 3]] << 8 |
			    h[t[(r + 2) % 3]];
		}
		while (n--) {
			*o++ = pw_crypt_b64[w & 63];
			w >>= 6;
		}
	}
	*o = '\0';
}

static int pw_verify_crypt(const char *plain, const char *hash)
{
	struct pw_crypt_parts p;
	unsigned char raw[64];
	char enc[PW_CRYPT_HASH_CHARS + 1];
	int rc;

	if (pw_parse_crypt(hash, &p))
		return -EINVAL;
	rc = pw_sha512_crypt_raw(plain, &p, raw);
	if (rc)
		return rc;
	pw_crypt_encode(raw, enc);
	memset(raw, 0, sizeof(raw));
	return pw_ct_diff(enc, p.hash, PW_CRYPT_HASH_CHARS) ? -EACCES : 0;
}

/* ---- Public
 * ------------------------------------------------------------------- */

int store_pw_valid_hash(const char *hash)
{
	struct pw_pbkdf2_parts p;
	struct pw_crypt_parts c;

	if (!hash || strnlen(hash, STORE_PW_HASH_MAX) >= STORE_PW_HASH_MAX)
		return -EINVAL;
	if (!strncmp(hash, PW_PBKDF2_PREFIX, strlen(PW_PBKDF2_PREFIX)))
		return pw_parse_pbkdf2(hash, &p);
	if (!strncmp(hash, "$6$", 3))
		return pw_parse_crypt(hash, &c);
	return -EINVAL;
}

int store_pw_verify(const char *plain, const char *hash)
{
	struct pw_pbkdf2_parts p;
	unsigned char h[PW_HASH_LEN];
	int rc;

	if (!plain || store_pw_valid_hash(hash))
		return -EINVAL;
	if (!strncmp(hash, "$6$", 3))
		return pw_verify_crypt(plain, hash);
	pw_parse_pbkdf2(hash, &p);
	rc = pw_pbkdf2(plain, p.salt, p.salt_len, p.iter, h);
	if (rc)
		return rc;
	rc = pw_ct_diff(h, p.hash, PW_HASH_LEN) ? -EACCES : 0;
	memset(h, 0, sizeof(h));
	return rc;
}
