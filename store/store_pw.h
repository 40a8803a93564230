/* SPDX-License-Identifier: MIT */
/*
 * Password hashes for the root account (docs/store.md "Passwords").
 * Written: "$pbkdf2-sha256$<iterations>$<salt>$<hash>" (PBKDF2-HMAC-
 * SHA256, RFC 8018 section 5.2; 16-byte salt from core/entropy.h, 32-byte
 * hash; salt and hash in unpadded standard base64). Also verified, for
 * keel.cfg's `rootpw --iscrypted` from ESXi tooling: SHA-512 crypt
 * "$6$[rounds=N$]salt$hash" (Drepper's specification). Pure apart from
 * the salt; unit-tested on the host.
 */
#ifndef KEEL_STORE_STORE_PW_H
#define KEEL_STORE_STORE_PW_H
#include <stddef.h>
#define STORE_PW_HASH_MAX 192
/* The iteration count new hashes get (docs/store.md says why). */
extern unsigned int store_pw_iterations;
/* Hash @plain into @out. 0 or -errno (-EIO: no entropy for the salt). */
int store_pw_hash(const char *plain, char out[STORE_PW_HASH_MAX]);
/* 0 when @plain matches @hash, -EACCES when not, -EINVAL when @hash is
 * not a format above. Compares in constant time. */
int store_pw_verify(const char *plain, const char *hash);
/* 0 when @hash is a well-formed hash of a format above, else -EINVAL. */
int store_pw_valid_hash(const char *hash);
#endif
