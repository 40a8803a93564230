/* SPDX-License-Identifier: MIT */
/*
 * Remote sessions of the management endpoint (mgmt/auth.c,
 * docs/api.md, docs/mgmt.md "Authentication"): root password
 * logins with per-address slow-down and lockout, bearer tokens kept in
 * RAM only, idle expiry, and lockdown mode. The RPC methods
 * session.login/session.logout (mgmt/auth_rpc.c) and the transport
 * (mgmt/server.c) call this; nothing here writes JSON.
 */
#ifndef KEEL_MGMT_AUTH_H
#define KEEL_MGMT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/rpc.h"

/* ESXi's defaults: UserVars.HostClientSessionTimeout-like idle expiry
 * of 30 minutes, Security.AccountLockFailures = 5 and
 * Security.AccountUnlockTime = 900 s. */
#define AUTH_IDLE_S (30 * 60)
#define AUTH_SESSIONS_MAX 64  /* the least recently used one is dropped */
#define AUTH_LOCK_FAILURES 5  /* failed logins before the lockout */
#define AUTH_LOCK_S (15 * 60) /* lockout; also how long failures count */
#define AUTH_DELAY_MS 1000    /* 2nd failure; doubles per failure */
#define AUTH_DELAY_MAX_MS 8000
#define AUTH_ADDRS_MAX 64  /* source addresses with failures tracked */
#define AUTH_WAIT_MS 30000 /* a login waits for one from its address */
#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_HEX (2 * AUTH_TOKEN_BYTES)
#define AUTH_USER "root"

#define AUTH_MSG_LOCKDOWN                                                      \
	"host is in lockdown mode; turn it off at the console (F2 > "          \
	"Lockdown Mode)"

/*
 * Who is calling: from @c->addr and @c->token (the bearer token, "" when
 * none), fill @c->user, @c->who and @c->auth_code/auth_msg (0: a live
 * session, which this call keeps alive; RPC_ERR_AUTH_REQUIRED; or
 * RPC_ERR_LOCKDOWN). @has_auth/@bearer: an Authorization field was
 * sent / with the Bearer scheme (for the message).
 */
void auth_caller(struct rpc_caller *c, bool has_auth, bool bearer);

/*
 * A login from @addr. 0 with a new session's token in @token (and its
 * idle expiry in seconds in *@expires_in), else the RPC error code with
 * a sentence in @msg: RPC_ERR_LOCKDOWN, RPC_ERR_LOCKED_OUT,
 * RPC_ERR_LOGIN_FAILED (after the growing delay), RPC_ERR_BUSY (another
 * login from @addr ran past AUTH_WAIT_MS), RPC_ERR_IO (the store
 * failed). Logins from one address run one at a time. Every success and
 * failure is audited with the address.
 */
int auth_login(const char *addr, const char *user, const char *password,
	       char token[AUTH_TOKEN_HEX + 1], int *expires_in, char *msg,
	       size_t msglen);
/* End the session of @token: 0, or -ENOENT when there is none. */
int auth_logout(const char *token);
/* Live sessions (for host.stats). */
unsigned int auth_session_count(void);
/* Drop every session (lockdown turned on). */
void auth_end_all(const char *why);

/* The auth module's outside world, for tests/unit/test_auth.c. */
bool auth_lockdown(void);
#endif
