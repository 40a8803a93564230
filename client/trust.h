/* SPDX-License-Identifier: MIT */
/*
 * Trust on first use, as ssh and govc do it (docs/keelctl.md "Trust"):
 * nothing is checked against a CA; the server certificate's SHA-256
 * thumbprint is compared with the one stored for host:port in the
 * known-hosts file, or with --thumbprint.
 *
 * File format, one host a line: "host:port THUMBPRINT" ("[v6]:port" for
 * an IPv6 address), '#' comments. The file is created mode 0600 and is
 * refused when others may write it (they could plant a thumbprint).
 */
#ifndef KEEL_CLIENT_TRUST_H
#define KEEL_CLIENT_TRUST_H

#include <stdbool.h>
#include <stdint.h>

/* 32 colon-separated upper-case hex pairs plus NUL (ARCHITECTURE.md
 * section 8; what the host console shows). */
#define KC_THUMB_LEN 96

void kc_thumb_format(const uint8_t hash[32], char out[KC_THUMB_LEN]);
/* Colon-separated pairs or 64 plain hex digits, either case. 0 or -1. */
int kc_thumb_parse(const char *s, uint8_t hash[32]);

/* "host:port", "[v6]:port": the known-hosts key. */
void kc_trust_key(const char *host, int port, char *out, int n);

enum kc_kh {
	KC_KH_UNKNOWN,	/* no line for this host */
	KC_KH_MATCH,	/* a line with this thumbprint */
	KC_KH_MISMATCH, /* lines for this host, none with this thumbprint */
	KC_KH_ERROR,	/* unreadable or unsafe file: @err says why */
};

/* Look @key up in @path (a missing file is KC_KH_UNKNOWN). On a
 * mismatch, @line and @stored name the first line for the host. */
enum kc_kh kc_kh_lookup(const char *path, const char *key,
			const uint8_t hash[32], int *line,
			char stored[KC_THUMB_LEN], char *err, int errlen);
/* Append @key's thumbprint, creating the file (0600) and its directory
 * (0700) as needed. 0, or -1 with @err. */
int kc_kh_add(const char *path, const char *key, const uint8_t hash[32],
	      char *err, int errlen);

/* The decision for one connection, given what was configured. */
struct kc_trust_cfg {
	const char *known_hosts; /* the file */
	const char *pin;	 /* --thumbprint, or NULL */
	bool insecure;		 /* --insecure */
	bool interactive;	 /* may ask on the terminal */
};

/*
 * Decide whether to talk to @key whose certificate hashes to @hash:
 * 0 to go on, else keelctl's exit code (KC_EXIT_MISMATCH for a changed
 * or wrong thumbprint, KC_EXIT_UNTRUSTED for an unknown host that was
 * not accepted, KC_EXIT_USAGE for a bad --thumbprint) after printing
 * why on stderr. Asks "Trust this host? [y/N]" when interactive and
 * records a yes in the file.
 */
int kc_trust_check(const struct kc_trust_cfg *cfg, const char *key,
		   const uint8_t hash[32]);

#endif
