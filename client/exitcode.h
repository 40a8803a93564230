/* SPDX-License-Identifier: MIT */
/*
 * keelctl's exit codes: a stable contract for scripts, documented in
 * keelctl(1) and docs/keelctl.md. Never renumber.
 */
#ifndef KEEL_CLIENT_EXITCODE_H
#define KEEL_CLIENT_EXITCODE_H

#define KC_EXIT_OK 0
#define KC_EXIT_USAGE 1	    /* bad command, option or argument */
#define KC_EXIT_CONN 2	    /* cannot connect; TLS, HTTP or protocol failure */
#define KC_EXIT_AUTH 3	    /* not logged in, wrong password, locked out */
#define KC_EXIT_NOTFOUND 4  /* no such VM or datastore file (-32010) */
#define KC_EXIT_SERVER 5    /* any other error the server reported */
#define KC_EXIT_MISMATCH 6  /* thumbprint changed, or not --thumbprint */
#define KC_EXIT_UNTRUSTED 7 /* an unknown host was not accepted */
#define KC_EXIT_LOCAL 8	    /* a local file: cannot read or write it */

#include "mgmt/rpc.h"

/* The exit code for a JSON-RPC error code from the server. */
static inline int kc_exit_for_rpc(int code)
{
	switch (code) {
	case RPC_ERR_AUTH_REQUIRED:
	case RPC_ERR_LOGIN_FAILED:
	case RPC_ERR_LOCKED_OUT:
	case RPC_ERR_LOCKDOWN:
		return KC_EXIT_AUTH;
	case RPC_ERR_NOT_FOUND:
		return KC_EXIT_NOTFOUND;
	default:
		return KC_EXIT_SERVER;
	}
}

#endif
