// SPDX-License-Identifier: MIT
/* keelctl's JSON-RPC 2.0 client over HTTPS (client/rpc.h). */
#include "client/rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/exitcode.h"
#include "client/out.h"
#include "client/tls.h"
#include "client/trust.h"
#include "client/util.h"
#include "mgmt/rpc.h"

/* Requests carry at most a 1 MiB chunk as base64 plus the envelope. */
#define KC_REQ_MAX (8u << 20)

void kc_reply_free(struct kc_reply *r)
{
	json_free(r->root);
	r->root = NULL;
	r->result = NULL;
}

static int kc_fail(struct kc_client *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int kc_fail(struct kc_client *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return rc;
}

int kc_client_init(struct kc_client *c, const struct kc_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->next_id = 1;
	/* No host is reported by the first call, after the command has
	 * checked its arguments. */
	if (o->host) {
		kc_trust_key(o->host, o->port, c->key, sizeof(c->key));
		snprintf(c->hosthdr, sizeof(c->hosthdr),
			 strchr(o->host, ':') ? "[%s]" : "%s", o->host);
		if (o->port != 443)
			snprintf(c->hosthdr + strlen(c->hosthdr),
				 sizeof(c->hosthdr) - strlen(c->hosthdr), ":%d",
				 o->port);
	}
	if (o->known_hosts)
		snprintf(c->kh_path, sizeof(c->kh_path), "%s", o->known_hosts);
	else if (kc_path(o->dir, "known_hosts", c->kh_path,
			 sizeof(c->kh_path))) {
		fprintf(stderr, "keelctl: HOME is not set: use --known-hosts "
				"or KEELCTL_DIR\n");
		return KC_EXIT_USAGE;
	}
	if (kc_path(o->dir, "sessions", c->sess_path, sizeof(c->sess_path)))
		c->sess_path[0] = 0; /* no cache: log in every time */
	c->tls = kc_tls_new(o->timeout * 1000);
	if (!c->tls) {
		fprintf(stderr, "keelctl: cannot set up TLS\n");
		return KC_EXIT_LOCAL;
	}
	c->io.read = kc_tls_read;
	c->io.write = kc_tls_write;
	c->io.ctx = c->tls;
	c->debug = getenv("KEELCTL_DEBUG") && *getenv("KEELCTL_DEBUG");
	return 0;
}

void kc_client_disconnect(struct kc_client *c)
{
	if (c->tls)
		kc_tls_close(c->tls);
	kc_io_reset(&c->io);
	c->used = false;
}

void kc_client_done(struct kc_client *c)
{
	kc_client_disconnect(c);
	kc_tls_free(c->tls);
	c->tls = NULL;
	json_free(c->err_data_root);
	c->err_data_root = NULL;
	explicit_bzero(c->token, sizeof(c->token));
}

/* Connect, and check who answered before anything is sent. */
static int kc_connect(struct kc_client *c)
{
	struct kc_trust_cfg cfg = {
		.known_hosts = c->kh_path,
		.pin = c->o->thumbprint,
		.insecure = c->o->insecure,
		.interactive = isatty(STDIN_FILENO),
	};
	int rc;

	if (kc_tls_open(c->tls) && !kc_tls_peer_closed(c->tls))
		return 0;
	kc_client_disconnect(c);
	if (!c->o->host)
		return kc_fail(c, KC_EXIT_USAGE,
			       "no host: use --host HOST or set KEELCTL_HOST");
	if (kc_tls_connect(c->tls, c->o->host, c->o->port))
		return kc_fail(c, KC_EXIT_CONN, "%s", kc_tls_error(c->tls));
	if (c->trusted) {
		/* A reconnect must meet the same certificate. */
		if (!memcmp(c->thumb, kc_tls_thumb(c->tls), 32))
			return 0;
		kc_client_disconnect(c);
		return kc_fail(c, KC_EXIT_MISMATCH,
			       "the certificate of %s changed while keelctl "
			       "was connected; nothing was sent",
			       c->key);
	}
	rc = kc_trust_check(&cfg, c->key, kc_tls_thumb(c->tls));
	if (rc) {
		kc_client_disconnect(c);
		return kc_fail(c, rc, "%s", ""); /* already explained */
	}
	c->trusted = true;
	memcpy(c->thumb, kc_tls_thumb(c->tls), 32);
	return 0;
}

/* The JSON-RPC envelope around @params. NULL when too large. */
static char *kc_envelope(struct kc_client *c, const char *method,
			 const char *params, int64_t id, size_t *len)
{
	struct jw w;

	jw_init(&w, KC_REQ_MAX);
	jw_obj_begin(&w);
	jw_kstr(&w, "jsonrpc", "2.0");
	jw_kint(&w, "id", id);
	jw_kstr(&w, "method", method);
	if (params) {
		jw_key(&w, "params");
		jw_raw(&w, params, strlen(params));
	}
	jw_obj_end(&w);
	if (!jw_ok(&w)) {
		jw_free(&w);
		return NULL;
	}
	*len = w.len;
	return w.buf; /* the caller frees it */
}

/* Turn an HTTP response into the reply or the error. */
static int kc_decode(struct kc_client *c, const struct kc_http_resp *h,
		     int64_t id, struct kc_reply *r)
{
	const struct json *err, *res, *v;
	struct json_error je;
	struct json *root;
	int64_t code;

	root = json_parse(h->body, h->body_len, 0, &je);
	if (!root || root->type != JSON_OBJECT) {
		json_free(root);
		if (h->status != 200)
			return kc_fail(
			    c, h->status == 401 ? KC_EXIT_AUTH : KC_EXIT_SERVER,
			    "the server answered HTTP %d %s", h->status,
			    h->reason);
		return kc_fail(c, KC_EXIT_CONN,
			       "the server's answer is not JSON (%s at byte "
			       "%zu)",
			       root ? "not an object" : je.msg,
			       root ? 0 : je.offset);
	}
	err = json_get(root, "error");
	res = json_get(root, "result");
	v = json_get(root, "id");
	if (err && err->type == JSON_OBJECT) {
		const char *m = "(no message)";

		if (!json_get_int(err, "code", &code))
			code = RPC_INTERNAL_ERROR;
		json_get_str(err, "message", &m);
		c->rpc_code = (int)code;
		snprintf(c->msg, sizeof(c->msg), "%s", m);
		json_free(c->err_data_root);
		c->err_data_root = root;
		return kc_exit_for_rpc((int)code);
	}
	if (!res || !v || !v->is_int || v->i != id) {
		json_free(root);
		return kc_fail(c, KC_EXIT_CONN,
			       "the server's answer is not a JSON-RPC 2.0 "
			       "response to this request");
	}
	r->root = root;
	r->result = res;
	return 0;
}

/* Methods that change nothing: safe to send twice. */
static bool kc_rpc_idempotent(const char *method)
{
	static const char *const suffix[] = { ".list",	 ".info", ".stats",
					      ".status", ".logs", ".download",
					      ".read",	 ".get" };
	size_t n = strlen(method);

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		size_t k = strlen(suffix[i]);

		if (n > k && !strcmp(method + n - k, suffix[i]))
			return true;
	}
	return false;
}

/*
 * One attempt. A reused keep-alive connection that the server closed
 * just as we sent fails before any byte of the answer: *@stale says the
 * call may go again on a fresh connection. Only calls that change
 * nothing are repeated blindly; for the others the request may have run
 * (the answer lost), and the caller decides (uploads ask
 * datastore.upload.status).
 */
static int kc_rpc_once(struct kc_client *c, const char *method,
		       const char *body, size_t len, int64_t id,
		       struct kc_reply *r, bool *stale)
{
	struct kc_http_resp h;
	char err[128];
	uint64_t t0 = kc_now_ns();
	bool reused;
	int rc;

	*stale = false;
	rc = kc_connect(c);
	if (rc)
		return rc;
	reused = c->used;
	c->used = true;
	if (kc_http_post(&c->io, c->hosthdr, "/rpc",
			 c->token[0] ? c->token : NULL, body, len)) {
		/* Nothing was answered; but a request cut mid-way may
		 * still have reached the server whole. */
		*stale = reused && kc_rpc_idempotent(method);
		snprintf(err, sizeof(err), "%s", kc_tls_error(c->tls));
		kc_client_disconnect(c);
		return kc_fail(c, KC_EXIT_CONN, "sending to %s: %s", c->key,
			       err);
	}
	if (kc_http_read(&c->io, &h, err, sizeof(err))) {
		*stale = reused && c->io.got == 0 && kc_rpc_idempotent(method);
		kc_client_disconnect(c);
		return kc_fail(c, KC_EXIT_CONN, "%s%s%s", err,
			       *kc_tls_error(c->tls) ? ": " : "",
			       kc_tls_error(c->tls));
	}
	if (!h.keep_alive)
		kc_client_disconnect(c);
	if (c->debug)
		fprintf(stderr,
			"keelctl: debug: %s: HTTP %d, %zu bytes in, "
			"%zu out, %llu ms%s\n",
			method, h.status, h.body_len, len,
			(unsigned long long)((kc_now_ns() - t0) / 1000000),
			reused ? " (reused connection)" : "");
	rc = kc_decode(c, &h, id, r);
	kc_http_resp_free(&h);
	return rc;
}

static int kc_rpc_send(struct kc_client *c, const char *method,
		       const char *params, struct kc_reply *r)
{
	int64_t id = c->next_id++;
	size_t len;
	char *body = kc_envelope(c, method, params, id, &len);
	bool stale;
	int rc;

	memset(r, 0, sizeof(*r));
	c->rpc_code = 0;
	c->msg[0] = 0;
	if (!body)
		return kc_fail(c, KC_EXIT_LOCAL, "request too large");
	rc = kc_rpc_once(c, method, body, len, id, r, &stale);
	if (rc && stale)
		rc = kc_rpc_once(c, method, body, len, id, r, &stale);
	/* The login request holds the password. */
	explicit_bzero(body, len);
	free(body);
	return rc;
}

static bool kc_has_password_source(const struct kc_client *c)
{
	const char *env = getenv("KEELCTL_PASSWORD");

	return c->o->password_file || (env && *env) || isatty(STDIN_FILENO);
}

int kc_rpc(struct kc_client *c, const char *method, const char *params,
	   struct kc_reply *r)
{
	bool public = !strcmp(method, "session.login");
	int rc;

	if (!public && !c->token[0]) {
		if (!c->sess_path[0] ||
		    kc_sess_load(c->sess_path, c->key, c->o->user,
				 kc_unix_time(), c->token, sizeof(c->token))) {
			rc = kc_login(c, NULL);
			if (rc)
				return kc_fail(c, rc, "%s", "");
		}
	}
	rc = kc_rpc_send(c, method, params, r);
	if (public || c->rpc_code != RPC_ERR_AUTH_REQUIRED)
		return rc;

	/* The session expired or ended (logout, host reboot). */
	if (c->sess_path[0])
		kc_sess_drop(c->sess_path, c->key, kc_unix_time());
	c->token[0] = 0;
	if (c->logged_in_now || !kc_has_password_source(c))
		return kc_fail(c, KC_EXIT_AUTH,
			       "%s (run `keelctl login` to log in again)",
			       c->msg[0] ? c->msg : "session ended");
	fprintf(stderr,
		"keelctl: the session on %s ended; logging in "
		"again\n",
		c->key);
	rc = kc_login(c, NULL);
	if (rc)
		return kc_fail(c, rc, "%s", "");
	return kc_rpc_send(c, method, params, r);
}

int kc_rpc_report(struct kc_client *c, const char *what, int rc)
{
	const struct json *e =
	    c->err_data_root ? json_get(c->err_data_root, "error") : NULL;

	if (!c->msg[0])
		return rc; /* explained where it happened */
	if (c->rpc_code)
		fprintf(stderr, "keelctl: %s: %s (error %d)\n", what, c->msg,
			c->rpc_code);
	else
		fprintf(stderr, "keelctl: %s: %s\n", what, c->msg);
	if (c->o->json && c->rpc_code && e) {
		struct jw w;

		jw_init(&w, 1 << 20);
		jw_obj_begin(&w);
		jw_key(&w, "error");
		jw_value(&w, e);
		jw_obj_end(&w);
		if (jw_ok(&w))
			printf("%s\n", w.buf);
		jw_free(&w);
	}
	c->msg[0] = 0;
	return rc;
}

int kc_call(struct kc_client *c, const char *method, const char *params,
	    struct kc_reply *r, const char *what)
{
	int rc = kc_rpc(c, method, params, r);

	return rc ? kc_rpc_report(c, what ? what : method, rc) : 0;
}

int kc_login(struct kc_client *c, int64_t *expires_in)
{
	struct kc_cred_src src = {
		.password_file = c->o->password_file,
		.env_password = getenv("KEELCTL_PASSWORD"),
		.interactive = isatty(STDIN_FILENO),
	};
	char prompt[400], pw[KC_PASSWORD_MAX], err[300];
	const char *token;
	struct kc_reply r;
	int64_t exp = 0;
	struct jw w;
	int rc;

	/* Who answers is checked before the password is asked for. */
	rc = kc_connect(c);
	if (rc)
		return kc_rpc_report(c, "connect", rc);
	snprintf(prompt, sizeof(prompt), "%s@%s's password: ", c->o->user,
		 c->key);
	src.prompt = prompt;
	switch (kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err))) {
	case KC_CRED_OK:
		break;
	case KC_CRED_NONE:
		fprintf(stderr,
			"keelctl: not logged in to %s as %s: run `keelctl "
			"login` on a terminal, or give the password with "
			"KEELCTL_PASSWORD or --password-file\n",
			c->key, c->o->user);
		return KC_EXIT_AUTH;
	case KC_CRED_ERROR:
		fprintf(stderr, "keelctl: %s\n", err);
		return KC_EXIT_LOCAL;
	}
	jw_init(&w, 4096);
	jw_obj_begin(&w);
	jw_kstr(&w, "user", c->o->user);
	jw_kstr(&w, "password", pw);
	jw_obj_end(&w);
	explicit_bzero(pw, sizeof(pw));
	c->token[0] = 0;
	rc = jw_ok(&w) ? kc_rpc_send(c, "session.login", w.buf, &r)
		       : kc_fail(c, KC_EXIT_LOCAL, "password too long");
	explicit_bzero(w.buf, w.len);
	jw_free(&w);
	if (rc) {
		char what[400];

		snprintf(what, sizeof(what), "login to %s as %s", c->key,
			 c->o->user);
		return kc_rpc_report(c, what, rc);
	}
	if (!json_get_str(r.result, "token", &token) || !*token ||
	    strlen(token) >= sizeof(c->token)) {
		kc_reply_free(&r);
		fprintf(stderr, "keelctl: session.login: the server sent no "
				"usable token\n");
		return KC_EXIT_CONN;
	}
	strcpy(c->token, token);
	json_get_int(r.result, "expires_in", &exp);
	kc_reply_free(&r);
	if (exp <= 0)
		exp = 600; /* unknown: assume a short session */
	if (expires_in)
		*expires_in = exp;
	c->logged_in_now = true;
	if (c->sess_path[0] && kc_sess_store(c->sess_path, c->key, c->o->user,
					     c->token, kc_unix_time() + exp,
					     kc_unix_time(), err, sizeof(err)))
		fprintf(stderr,
			"keelctl: warning: cannot cache the session (%s); "
			"the next command logs in again\n",
			err);
	return 0;
}

int kc_logout(struct kc_client *c)
{
	struct kc_reply r;
	int rc = 0;

	if (!c->sess_path[0] ||
	    kc_sess_load(c->sess_path, c->key, c->o->user, kc_unix_time(),
			 c->token, sizeof(c->token))) {
		fprintf(stderr, "keelctl: not logged in to %s as %s\n", c->key,
			c->o->user);
		return 0;
	}
	rc = kc_rpc_send(c, "session.logout", NULL, &r);
	if (!rc)
		kc_reply_free(&r);
	kc_sess_drop(c->sess_path, c->key, kc_unix_time());
	c->token[0] = 0;
	/* An already ended session is what the user wanted. */
	if (rc && c->rpc_code == RPC_ERR_AUTH_REQUIRED)
		rc = 0;
	return rc ? kc_rpc_report(c, "session.logout", rc) : 0;
}
