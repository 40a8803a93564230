/* SPDX-License-Identifier: MIT */
/*
 * Credentials (docs/keelctl.md "Credentials"): where the password comes
 * from, and the per-user cache of session tokens so that one
 * `keelctl login` serves the commands after it until the token expires.
 *
 * The password never comes from the command line. Precedence:
 * --password-file F (its first line), then $KEELCTL_PASSWORD, then a
 * prompt without echo when stdin is a terminal.
 *
 * The cache, DIR/sessions (mode 0600), one host a line:
 * "host:port user token expires-unix-time". A cache others can read is
 * ignored (its tokens may have leaked) and replaced on the next login.
 */
#ifndef KEEL_CLIENT_CRED_H
#define KEEL_CLIENT_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KC_PASSWORD_MAX 256
#define KC_TOKEN_MAX 128

struct kc_cred_src {
	const char *password_file; /* --password-file or NULL */
	const char *env_password;  /* $KEELCTL_PASSWORD or NULL */
	bool interactive;	   /* stdin is a terminal: may prompt */
	const char *prompt;	   /* "root@host's password: " */
};

enum kc_cred {
	KC_CRED_OK,
	KC_CRED_NONE,  /* no source: not interactive and nothing set */
	KC_CRED_ERROR, /* the file is unreadable or empty: @err */
};

/* The password by the precedence above into @out (size @n). */
enum kc_cred kc_cred_password(const struct kc_cred_src *src, char *out,
			      size_t n, char *err, int errlen);

/* A cached token for @key and @user still valid at @now (with a minute
 * of slack for clock and transit). 0 with @token filled, or -1. */
int kc_sess_load(const char *path, const char *key, const char *user,
		 int64_t now, char *token, size_t n);
/* Record @key's session, replacing any older one for @key and dropping
 * expired ones. 0, or -1 with @err. */
int kc_sess_store(const char *path, const char *key, const char *user,
		  const char *token, int64_t expires, int64_t now, char *err,
		  int errlen);
/* Forget @key's session (logout, or the server said it ended). */
int kc_sess_drop(const char *path, const char *key, int64_t now);

#endif
