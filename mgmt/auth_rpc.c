// SPDX-License-Identifier: MIT
/*
 * session.login and session.logout (docs/api.md): the JSON side
 * of mgmt/auth.c.
 */
#include <string.h>

#include "mgmt/auth.h"
#include "mgmt/rpc.h"

/* Long enough for any password the console accepts (8-64 characters)
 * and then some; longer is refused as a parameter error before any
 * hashing. */
#define AUTH_RPC_PASSWORD_MAX 256
#define AUTH_RPC_USER_MAX 64

static int auth_rpc_login(struct rpc_ctx *c)
{
	static const char *const known[] = { "user", "password", NULL };
	char token[AUTH_TOKEN_HEX + 1], msg[200];
	const char *user, *password;
	int rc, expires_in;

	rc = rpc_param_only(c, known);
	if (!rc)
		rc = rpc_param_str(c, "user", true, AUTH_RPC_USER_MAX, &user);
	if (!rc)
		rc = rpc_param_str(c, "password", true, AUTH_RPC_PASSWORD_MAX,
				   &password);
	if (rc)
		return rc;
	rc = auth_login(c->caller->addr, user, password, token, &expires_in,
			msg, sizeof(msg));
	if (rc)
		return rpc_fail(c, rc, "%s", msg);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "token", token);
	jw_kint(c->out, "expires_in", expires_in);
	jw_obj_end(c->out);
	memset(token, 0, sizeof(token));
	return 0;
}
/* Public: it is how a session starts. Not RPC_AUDIT: auth_login audits
 * with the address and the outcome itself. */
RPC_METHOD(session_login, "session.login", auth_rpc_login, RPC_PUBLIC);

static int auth_rpc_logout(struct rpc_ctx *c)
{
	static const char *const known[] = { NULL };
	int rc = rpc_param_only(c, known);

	if (rc)
		return rc;
	/* The dispatcher only runs this for a live session, so the token
	 * is there; a race with expiry or another logout is harmless. */
	auth_logout(c->caller->token);
	jw_bool(c->out, true);
	return 0;
}
RPC_METHOD(session_logout, "session.logout", auth_rpc_logout, RPC_AUDIT);
