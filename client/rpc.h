/* SPDX-License-Identifier: MIT */
/*
 * keelctl's JSON-RPC 2.0 client (docs/keelctl.md "Protocol"): one
 * keep-alive HTTPS connection to the host, `POST /rpc`, the session
 * token as "Authorization: Bearer". It connects on the first call,
 * checks the host's thumbprint (client/trust.c) before sending anything,
 * logs in when there is no cached session (or the server says it ended,
 * -32001) and retries a call once on a fresh connection when a reused
 * one turns out to be closed before any answer came.
 */
#ifndef KEEL_CLIENT_RPC_H
#define KEEL_CLIENT_RPC_H

#include <stdbool.h>
#include <stdint.h>

#include "client/cred.h"
#include "client/http.h"
#include "client/opts.h"
#include "mgmt/json.h"

struct kc_tls;

struct kc_client {
	const struct kc_opts *o;
	struct kc_tls *tls;
	struct kc_io io;
	char key[300];	   /* "host:port", the known-hosts/session key */
	char hosthdr[300]; /* the Host header */
	char kh_path[4096], sess_path[4096];
	bool trusted;	   /* the first connection passed kc_trust_check */
	uint8_t thumb[32]; /* ... with this certificate */
	bool used;	   /* the open connection carried a request */
	char token[KC_TOKEN_MAX];
	bool logged_in_now; /* this run logged in (no cached token) */
	int64_t next_id;
	bool debug; /* KEELCTL_DEBUG: one stderr line per call */
	/* The last failure: a JSON-RPC error (rpc_code != 0) or a local
	 * or transport one; kc_rpc_report prints it. */
	int rpc_code;
	char msg[600];
	struct json *err_data_root;
};

/* The reply of a successful call: @result points into @root. */
struct kc_reply {
	struct json *root;
	const struct json *result;
};
void kc_reply_free(struct kc_reply *r);

/* Set up for @o's host (nothing is sent yet). 0 or an exit code. */
int kc_client_init(struct kc_client *c, const struct kc_opts *o);
void kc_client_done(struct kc_client *c);

/*
 * Call @method with @params (JSON text of an object, or NULL for none).
 * 0 with @r filled, else keelctl's exit code with c->msg (and
 * c->rpc_code for a server error) set; nothing printed yet.
 */
int kc_rpc(struct kc_client *c, const char *method, const char *params,
	   struct kc_reply *r);
/* Print the last failure ("keelctl: WHAT: message") and, with --json, the
 * error object on stdout; returns @rc for `return`. */
int kc_rpc_report(struct kc_client *c, const char *what, int rc);
/* kc_rpc, then kc_rpc_report on failure. */
int kc_call(struct kc_client *c, const char *method, const char *params,
	    struct kc_reply *r, const char *what);

/* session.login with the password from kc_cred_password; caches the
 * token. 0 or an exit code (message printed). */
int kc_login(struct kc_client *c, int64_t *expires_in);
/* session.logout, and forget the cached token. */
int kc_logout(struct kc_client *c);

/* Drop the connection (the next call reconnects; same trust rules). */
void kc_client_disconnect(struct kc_client *c);

#endif
