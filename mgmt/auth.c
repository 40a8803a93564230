// SPDX-License-Identifier: MIT
/*
 * Remote sessions (mgmt/auth.h, docs/mgmt.md "Authentication").
 *
 * Tokens are 32 bytes from the endpoint's CTR_DRBG as 64 hex digits,
 * held only in this table: a reboot ends every session, and nothing
 * about them reaches the store or the log. A session lives while it is
 * used at least every AUTH_IDLE_S; the table holds AUTH_SESSIONS_MAX and
 * drops the least recently used one for a new login.
 *
 * Password guessing is slowed per source address, the way ESXi's PAM
 * tally does it (Security.AccountLockFailures/AccountUnlockTime), except
 * that it is the address rather than the account that is locked: root is
 * the only account, and locking it would let anyone on the network lock
 * the administrator out. From the 2nd failure the answer is delayed
 * (1 s, doubling, at most 8 s); the 5th failure within 15 minutes locks
 * the address out for 15 minutes, during which even the right password
 * is refused without being checked. Logins from one address run one at
 * a time, so a burst of parallel guesses gets no more tries than a
 * sequence (the PBKDF2 check costs seconds, so they would otherwise all
 * be in flight before the first failure counted).
 *
 * Locking: one spinlock over both tables, held only for table updates
 * (never across the password check, a sleep or the store).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "core/time.h"
#include "mgmt/auth.h"
#include "mgmt/tls.h"
#include "store/store.h"

#define AUTH_NS_PER_S 1000000000ull
#define AUTH_NS_PER_MS 1000000ull
/* store_lockdown() is a SQLite read (~0.45 ms under QEMU TCG, as much as
 * the rest of a small request): looked at once a second at most, so a
 * lockdown set at the console reaches sessions within a second. */
#define AUTH_LOCKDOWN_TTL_NS (AUTH_NS_PER_S)

struct auth_session {
	bool used;
	char token[AUTH_TOKEN_HEX + 1];
	char user[16];
	char addr[48];	  /* where it logged in from */
	uint64_t last_ns; /* time_ns() of its last call */
};

struct auth_addr {
	bool used;
	bool busy; /* a login from here is running */
	char addr[48];
	unsigned int fails; /* failures since the last success */
	uint64_t last_fail; /* time_ns() */
	uint64_t locked_until;
	uint64_t touched; /* for replacing the stalest record */
};

static struct spinlock auth_lock = SPINLOCK_INIT;
static struct auth_session auth_sessions[AUTH_SESSIONS_MAX];
static struct auth_addr auth_addrs[AUTH_ADDRS_MAX];
static struct waitq auth_addr_wq = WAITQ_INIT;

static int auth_lockdown_cached = -1;
static uint64_t auth_lockdown_at;

/* Constant-time compare of two 64-digit tokens (the second may be any
 * string: it is the one the client sent). */
static bool auth_token_eq(const char *mine, const char *theirs)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < AUTH_TOKEN_HEX && theirs[i]; i++)
		d |= (unsigned char)(mine[i] ^ theirs[i]);
	return i == AUTH_TOKEN_HEX && theirs[i] == 0 && d == 0;
}

static bool auth_expired(const struct auth_session *s, uint64_t now)
{
	return now - s->last_ns >= (uint64_t)AUTH_IDLE_S * AUTH_NS_PER_S;
}

void auth_end_all(const char *why)
{
	unsigned int n = 0;

	spin_lock(&auth_lock);
	for (size_t i = 0; i < AUTH_SESSIONS_MAX; i++) {
		if (auth_sessions[i].used)
			n++;
		memset(&auth_sessions[i], 0, sizeof(auth_sessions[i]));
	}
	spin_unlock(&auth_lock);
	if (n)
		log_info("auth: %u remote session%s ended: %s", n,
			 n == 1 ? "" : "s", why);
}

bool auth_lockdown(void)
{
	uint64_t now = time_ns();
	int was = __atomic_load_n(&auth_lockdown_cached, __ATOMIC_RELAXED);

	if (was >= 0 &&
	    now - __atomic_load_n(&auth_lockdown_at, __ATOMIC_RELAXED) <
		AUTH_LOCKDOWN_TTL_NS)
		return was;
	int on = store_lockdown() ? 1 : 0;
	__atomic_store_n(&auth_lockdown_at, now, __ATOMIC_RELAXED);
	was = __atomic_exchange_n(&auth_lockdown_cached, on, __ATOMIC_RELAXED);
	/* ESXi's lockdown ends remote sessions; turning it off again does
	 * not bring them back. */
	if (on && was != 1)
		auth_end_all("lockdown mode is on");
	return on;
}

void auth_caller(struct rpc_caller *c, bool has_auth, bool bearer)
{
	uint64_t now = time_ns();
	bool found = false;

	c->user[0] = 0;
	snprintf(c->who, sizeof(c->who), "%s", c->addr);
	if (auth_lockdown()) {
		c->auth_code = RPC_ERR_LOCKDOWN;
		c->auth_msg = AUTH_MSG_LOCKDOWN;
		return;
	}
	if (c->token[0]) {
		spin_lock(&auth_lock);
		for (size_t i = 0; i < AUTH_SESSIONS_MAX; i++) {
			struct auth_session *s = &auth_sessions[i];
			if (!s->used || !auth_token_eq(s->token, c->token))
				continue;
			if (auth_expired(s, now)) {
				memset(s, 0, sizeof(*s));
				break;
			}
			s->last_ns = now;
			snprintf(c->user, sizeof(c->user), "%s", s->user);
			found = true;
			break;
		}
		spin_unlock(&auth_lock);
	}
	if (found) {
		snprintf(c->who, sizeof(c->who), "%s@%s", c->user, c->addr);
		c->auth_code = 0;
		c->auth_msg = NULL;
		return;
	}
	c->auth_code = RPC_ERR_AUTH_REQUIRED;
	if (!has_auth)
		c->auth_msg = "authentication required: call session.login "
			      "and send its token as 'Authorization: Bearer "
			      "<token>'";
	else if (!bearer)
		c->auth_msg = "unsupported Authorization scheme: send "
			      "'Authorization: Bearer <token>' with the token "
			      "from session.login";
	else
		c->auth_msg = "the session has expired or ended: log in again "
			      "with session.login";
}

unsigned int auth_session_count(void)
{
	uint64_t now = time_ns();
	unsigned int n = 0;

	spin_lock(&auth_lock);
	for (size_t i = 0; i < AUTH_SESSIONS_MAX; i++)
		if (auth_sessions[i].used &&
		    !auth_expired(&auth_sessions[i], now))
			n++;
	spin_unlock(&auth_lock);
	return n;
}

int auth_logout(const char *token)
{
	int rc = -ENOENT;

	spin_lock(&auth_lock);
	for (size_t i = 0; i < AUTH_SESSIONS_MAX; i++) {
		if (auth_sessions[i].used &&
		    auth_token_eq(auth_sessions[i].token, token)) {
			memset(&auth_sessions[i], 0, sizeof(auth_sessions[i]));
			rc = 0;
			break;
		}
	}
	spin_unlock(&auth_lock);
	return rc;
}

/* A new session for @user from @addr; its token into @token. */
static int auth_session_new(const char *user, const char *addr,
			    char token[AUTH_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[AUTH_TOKEN_BYTES];
	struct auth_session *s = NULL;
	uint64_t now = time_ns();
	char dropped[48] = "";

	if (mgmt_tls_random(raw, sizeof(raw)))
		return -EIO;
	for (size_t i = 0; i < AUTH_TOKEN_BYTES; i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 15];
	}
	token[AUTH_TOKEN_HEX] = 0;
	memset(raw, 0, sizeof(raw));

	spin_lock(&auth_lock);
	/* A free or expired slot, else the least recently used session. */
	for (size_t i = 0; i < AUTH_SESSIONS_MAX; i++) {
		struct auth_session *t = &auth_sessions[i];
		if (!t->used || auth_expired(t, now)) {
			s = t;
			break;
		}
		if (!s || t->last_ns < s->last_ns)
			s = t;
	}
	if (s->used && !auth_expired(s, now))
		snprintf(dropped, sizeof(dropped), "%s", s->addr);
	memset(s, 0, sizeof(*s));
	s->used = true;
	memcpy(s->token, token, sizeof(s->token));
	snprintf(s->user, sizeof(s->user), "%s", user);
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	s->last_ns = now;
	spin_unlock(&auth_lock);
	if (dropped[0])
		log_info("auth: %d sessions open: the least recently used one "
			 "(from %s) was ended",
			 AUTH_SESSIONS_MAX, dropped);
	return 0;
}

/* --- Failed logins per source address ------------------------------------ */

struct auth_wait {
	const char *addr;
	struct auth_addr *rec; /* out: the record, marked busy */
};

/* Under auth_lock: the record of @addr, creating it (replacing the
 * stalest idle one) when absent; NULL when every record is busy. */
static struct auth_addr *auth_addr_find(const char *addr, uint64_t now)
{
	struct auth_addr *free_rec = NULL, *stale = NULL;

	for (size_t i = 0; i < AUTH_ADDRS_MAX; i++) {
		struct auth_addr *a = &auth_addrs[i];
		if (a->used && strcmp(a->addr, addr) == 0)
			return a;
		if (!a->used) {
			if (!free_rec)
				free_rec = a;
		} else if (!a->busy && a->locked_until <= now &&
			   (!stale || a->touched < stale->touched)) {
			stale = a;
		}
	}
	/* A locked-out record is only replaced when nothing else is left:
	 * an attacker with many addresses could otherwise flush it. */
	if (!free_rec && !stale)
		for (size_t i = 0; i < AUTH_ADDRS_MAX; i++) {
			struct auth_addr *a = &auth_addrs[i];
			if (!a->busy && (!stale || a->touched < stale->touched))
				stale = a;
		}
	struct auth_addr *a = free_rec ? free_rec : stale;
	if (!a)
		return NULL;
	memset(a, 0, sizeof(*a));
	a->used = true;
	snprintf(a->addr, sizeof(a->addr), "%s", addr);
	return a;
}

/* waitq condition: take @w->addr's record if no login from there runs. */
static bool auth_addr_take(void *arg)
{
	struct auth_wait *w = arg;
	uint64_t now = time_ns();

	if (w->rec)
		return true;
	spin_lock(&auth_lock);
	struct auth_addr *a = auth_addr_find(w->addr, now);
	if (a && !a->busy) {
		a->busy = true;
		a->touched = now;
		w->rec = a;
	}
	spin_unlock(&auth_lock);
	return w->rec != NULL;
}

static void auth_addr_release(struct auth_addr *a)
{
	spin_lock(&auth_lock);
	a->busy = false;
	a->touched = time_ns();
	spin_unlock(&auth_lock);
	waitq_wake_all(&auth_addr_wq);
}

static void auth_audit(const char *who, const char *what)
{
	int rc = store_audit(who, what);

	log_info("auth: %s: %s", who, what);
	if (rc)
		log_warn("auth: audit record not stored (%d)", rc);
}

/* The user name as sent, for the audit log and the console: printable
 * ASCII only, so a client cannot write escape sequences or line breaks
 * into either. */
static void auth_safe_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = in[i] > 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = 0;
}

/* The delay after failure number @n (1-based): none for the first. */
static uint64_t auth_delay_ms(unsigned int n)
{
	uint64_t d;

	if (n < 2)
		return 0;
	d = (uint64_t)AUTH_DELAY_MS << (n - 2 < 8 ? n - 2 : 8);
	return d < AUTH_DELAY_MAX_MS ? d : AUTH_DELAY_MAX_MS;
}

int auth_login(const char *addr, const char *user, const char *password,
	       char token[AUTH_TOKEN_HEX + 1], int *expires_in, char *msg,
	       size_t msglen)
{
	struct auth_wait w = { addr, NULL };
	char what[160], who[96], safe_user[33];
	uint64_t now, delay = 0, deadline;
	unsigned int fails;
	int rc, code;

	*expires_in = 0;
	token[0] = 0;
	/* Refusals that cost no password check (lockdown, locked out) are
	 * not audited: they are cheap to send, and each audit record is a
	 * durable write to the boot device. */
	if (auth_lockdown()) {
		snprintf(msg, msglen, "%s", AUTH_MSG_LOCKDOWN);
		return RPC_ERR_LOCKDOWN;
	}
	auth_safe_name(user, safe_user, sizeof(safe_user));
	deadline = time_ns() + (uint64_t)AUTH_WAIT_MS * AUTH_NS_PER_MS;
	while (!w.rec) {
		now = time_ns();
		if (now >= deadline)
			break;
		waitq_wait_timeout(&auth_addr_wq, auth_addr_take, &w,
				   deadline - now);
	}
	if (!w.rec) {
		snprintf(msg, msglen,
			 "another login from %s is still being checked; try "
			 "again",
			 addr);
		return RPC_ERR_BUSY;
	}
	struct auth_addr *a = w.rec;

	now = time_ns();
	if (a->locked_until > now) {
		uint64_t left_s = (a->locked_until - now) / AUTH_NS_PER_S + 1;
		snprintf(msg, msglen,
			 "too many failed logins from %s: locked out for "
			 "another %llu s (%d failures lock an address for %d "
			 "minutes)",
			 addr, (unsigned long long)left_s, AUTH_LOCK_FAILURES,
			 AUTH_LOCK_S / 60);
		auth_addr_release(a);
		return RPC_ERR_LOCKED_OUT;
	}
	if (a->fails &&
	    now - a->last_fail >= (uint64_t)AUTH_LOCK_S * AUTH_NS_PER_S)
		a->fails = 0; /* old failures no longer count */

	rc = strcmp(user, AUTH_USER) == 0 ? store_check_root_password(password)
					  : -EACCES;
	if (rc == 0) {
		a->fails = 0;
		rc = auth_session_new(AUTH_USER, addr, token);
		auth_addr_release(a);
		snprintf(who, sizeof(who), "%s@%s", AUTH_USER, addr);
		if (rc) {
			snprintf(msg, msglen,
				 "no random numbers for a session "
				 "token (see host.logs)");
			return RPC_ERR_IO;
		}
		auth_audit(who, "session.login: ok");
		*expires_in = AUTH_IDLE_S;
		return 0;
	}
	if (rc != -EACCES) {
		auth_addr_release(a);
		if (rc == -ENOENT) {
			snprintf(msg, msglen,
				 "no root password is set: set one "
				 "at the console");
			code = RPC_ERR_LOGIN_FAILED;
		} else {
			snprintf(
			    msg, msglen,
			    "the password could not be checked: the config "
			    "store failed (%d)",
			    rc);
			code = RPC_ERR_IO;
		}
		snprintf(what, sizeof(what), "session.login %s: %s", safe_user,
			 msg);
		auth_audit(addr, what);
		return code;
	}

	fails = ++a->fails;
	a->last_fail = now;
	code = RPC_ERR_LOGIN_FAILED;
	if (fails >= AUTH_LOCK_FAILURES) {
		a->locked_until = now + (uint64_t)AUTH_LOCK_S * AUTH_NS_PER_S;
		a->fails = 0;
		snprintf(msg, msglen,
			 "wrong user name or password; after %u failures %s is "
			 "locked out for %d minutes",
			 fails, addr, AUTH_LOCK_S / 60);
		snprintf(what, sizeof(what),
			 "session.login %s: wrong user or password, failure "
			 "%u of %d: address locked out for %d minutes",
			 safe_user, fails, AUTH_LOCK_FAILURES,
			 AUTH_LOCK_S / 60);
	} else {
		delay = auth_delay_ms(fails);
		snprintf(
		    msg, msglen,
		    "wrong user name or password (%u of %d failures before "
		    "%s is locked out for %d minutes)",
		    fails, AUTH_LOCK_FAILURES, addr, AUTH_LOCK_S / 60);
		snprintf(what, sizeof(what),
			 "session.login %s: wrong user or password, failure "
			 "%u of %d",
			 safe_user, fails, AUTH_LOCK_FAILURES);
	}
	auth_audit(addr, what);
	/* The next login from this address waits for the delay too: the
	 * record stays busy until the answer goes out. */
	if (delay)
		thread_sleep_ns(delay * AUTH_NS_PER_MS);
	auth_addr_release(a);
	return code;
}
