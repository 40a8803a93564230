// SPDX-License-Identifier: MIT
/*
 * Remote sessions (mgmt/auth.c) as an administrator and an attacker see
 * them, on a fake clock: a login gives a token that works until 30 idle
 * minutes pass; wrong passwords are answered ever more slowly and the
 * 5th locks the address out for 15 minutes (even the right password is
 * then refused unchecked) while other addresses carry on; lockdown mode
 * refuses logins and ends sessions; every login outcome is audited with
 * the address. The system test covers the same over TLS, except
 * lockdown, which needs the console.
 * UNIT_SRCS: mgmt/auth.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "mgmt/auth.h"
#include "mgmt/tls.h"
#include "store/store.h"
#include "unit.h"

/* --- The outside world ---------------------------------------------------- */

#define S 1000000000ull

static uint64_t now_ns = 1000 * S, slept_ns;
static const char *root_pw = "Keel-Test1";
static bool lockdown;
static int pw_checks;
static char audit_log[4096];
static unsigned int rand_ctr;

uint64_t time_ns(void)
{
	return now_ns;
}

void thread_sleep_ns(uint64_t ns)
{
	slept_ns += ns;
	now_ns += ns;
}

bool waitq_wait_timeout(struct waitq *wq, bool (*cond)(void *), void *arg,
			uint64_t timeout_ns)
{
	(void)wq;
	(void)timeout_ns;
	return cond(arg);
}

void waitq_wake_all(struct waitq *wq)
{
	(void)wq;
}

int store_check_root_password(const char *plain)
{
	pw_checks++;
	return strcmp(plain, root_pw) == 0 ? 0 : -EACCES;
}

bool store_lockdown(void)
{
	return lockdown;
}

int store_audit(const char *who, const char *what)
{
	size_t n = strlen(audit_log);

	snprintf(audit_log + n, sizeof(audit_log) - n, "%s|%s\n", who, what);
	return 0;
}

int mgmt_tls_random(void *buf, size_t len)
{
	/* Distinct, not random: enough to tell tokens apart. */
	unsigned char *p = buf;

	rand_ctr++;
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(rand_ctr * 131 + i * 7);
	return 0;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* --- Helpers -------------------------------------------------------------- */

static char token[AUTH_TOKEN_HEX + 1], msg[200];
static int expires;

static int login(const char *addr, const char *user, const char *pw)
{
	msg[0] = 0;
	return auth_login(addr, user, pw, token, &expires, msg, sizeof(msg));
}

static struct rpc_caller caller_for(const char *addr, const char *tok)
{
	struct rpc_caller c;

	memset(&c, 0, sizeof(c));
	snprintf(c.addr, sizeof(c.addr), "%s", addr);
	snprintf(c.token, sizeof(c.token), "%s", tok);
	auth_caller(&c, tok[0] != 0, tok[0] != 0);
	return c;
}

/* A clean slate for each test: locks and sessions from earlier tests
 * age out, lockdown is off. */
static void reset(void)
{
	lockdown = false;
	now_ns += 2 * AUTH_LOCK_S * S + 2 * S;
	auth_lockdown();
	auth_end_all("test");
	audit_log[0] = 0;
	pw_checks = 0;
	slept_ns = 0;
}

/* --- Tests ---------------------------------------------------------------- */

UNIT_TEST(auth_login_token_and_caller)
{
	reset();
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	UNIT_CHECK(strlen(token) == AUTH_TOKEN_HEX);
	UNIT_CHECK(strspn(token, "0123456789abcdef") == AUTH_TOKEN_HEX);
	UNIT_CHECK(expires == AUTH_IDLE_S);
	UNIT_CHECK(slept_ns == 0);
	UNIT_CHECK(strstr(audit_log, "root@10.0.2.2|session.login: ok"));
	UNIT_CHECK(auth_session_count() == 1);

	char first[AUTH_TOKEN_HEX + 1];
	strcpy(first, token);
	struct rpc_caller c = caller_for("10.0.2.99", first);
	UNIT_CHECK(c.auth_code == 0);
	UNIT_CHECK_STR(c.user, "root");
	UNIT_CHECK_STR(c.who, "root@10.0.2.99");

	/* A second login is a second session with another token. */
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	UNIT_CHECK(strcmp(first, token) != 0);
	UNIT_CHECK(auth_session_count() == 2);

	/* Logout ends exactly that session. */
	UNIT_CHECK(auth_logout(first) == 0);
	UNIT_CHECK(auth_logout(first) == -ENOENT);
	c = caller_for("10.0.2.2", first);
	UNIT_CHECK(c.auth_code == RPC_ERR_AUTH_REQUIRED);
	UNIT_CHECK(strstr(c.auth_msg, "session.login"));
	UNIT_CHECK_STR(c.who, "10.0.2.2");
	c = caller_for("10.0.2.2", token);
	UNIT_CHECK(c.auth_code == 0);
}

UNIT_TEST(auth_caller_messages)
{
	struct rpc_caller c;

	reset();
	memset(&c, 0, sizeof(c));
	strcpy(c.addr, "fe80::1");
	auth_caller(&c, false, false);
	UNIT_CHECK(c.auth_code == RPC_ERR_AUTH_REQUIRED);
	UNIT_CHECK(strstr(c.auth_msg, "Authorization: Bearer"));
	UNIT_CHECK(c.user[0] == 0);
	UNIT_CHECK_STR(c.who, "fe80::1");
	auth_caller(&c, true, false);
	UNIT_CHECK(strstr(c.auth_msg, "unsupported Authorization scheme"));
	/* A token that is a prefix of a real one, or one with more after
	 * it, is not that token. */
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	char t[AUTH_TOKEN_HEX + 2];
	snprintf(t, sizeof(t), "%.63s", token);
	UNIT_CHECK(caller_for("10.0.2.2", t).auth_code ==
		   RPC_ERR_AUTH_REQUIRED);
	snprintf(t, sizeof(t), "%sa", token);
	UNIT_CHECK(caller_for("10.0.2.2", t).auth_code ==
		   RPC_ERR_AUTH_REQUIRED);
	UNIT_CHECK(caller_for("10.0.2.2", token).auth_code == 0);
}

UNIT_TEST(auth_idle_expiry)
{
	reset();
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	/* Used every 29 minutes, it lives on past 30. */
	for (int i = 0; i < 3; i++) {
		now_ns += (AUTH_IDLE_S - 60) * S;
		UNIT_CHECK(caller_for("10.0.2.2", token).auth_code == 0);
	}
	now_ns += AUTH_IDLE_S * S;
	struct rpc_caller c = caller_for("10.0.2.2", token);
	UNIT_CHECK(c.auth_code == RPC_ERR_AUTH_REQUIRED);
	UNIT_CHECK(strstr(c.auth_msg, "expired"));
	UNIT_CHECK(auth_session_count() == 0);
}

UNIT_TEST(auth_wrong_password_delays_then_lockout)
{
	reset();
	/* Failures 1-4: refused, answered after 0, 1, 2, 4 s. */
	static const uint64_t delay_s[] = { 0, 1, 2, 4 };
	for (int i = 0; i < 4; i++) {
		slept_ns = 0;
		UNIT_CHECK(login("10.0.2.2", "root", "guess") ==
			   RPC_ERR_LOGIN_FAILED);
		UNIT_CHECK(slept_ns == delay_s[i] * S);
		UNIT_CHECK(strstr(msg, "wrong user name or password"));
	}
	UNIT_CHECK(token[0] == 0);
	/* The 5th locks the address out, and says so. */
	UNIT_CHECK(login("10.0.2.2", "root", "guess") == RPC_ERR_LOGIN_FAILED);
	UNIT_CHECK(strstr(msg, "locked out for 15 minutes"));
	UNIT_CHECK(pw_checks == 5);
	/* Now even the right password is refused, without being checked. */
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") ==
		   RPC_ERR_LOCKED_OUT);
	UNIT_CHECK(strstr(msg, "10.0.2.2"));
	UNIT_CHECK(pw_checks == 5);
	UNIT_CHECK(token[0] == 0);
	/* Another address is not affected. */
	UNIT_CHECK(login("10.0.2.3", "root", "Keel-Test1") == 0);
	/* Audit: five failures with the address, the lock, then the
	 * other address's success. */
	UNIT_CHECK(strstr(audit_log,
			  "10.0.2.2|session.login root: wrong user or "
			  "password, failure 1 of 5\n"));
	UNIT_CHECK(strstr(audit_log,
			  "failure 5 of 5: address locked out for 15 "
			  "minutes"));
	UNIT_CHECK(strstr(audit_log, "root@10.0.2.3|session.login: ok"));
	/* Still locked after 14 minutes, open after 15. */
	now_ns += 14 * 60 * S;
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") ==
		   RPC_ERR_LOCKED_OUT);
	now_ns += 61 * S;
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
}

UNIT_TEST(auth_success_and_time_reset_failures)
{
	reset();
	/* 4 failures, a success: the count starts over. */
	for (int i = 0; i < 4; i++)
		UNIT_CHECK(login("10.0.2.2", "root", "x") ==
			   RPC_ERR_LOGIN_FAILED);
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	slept_ns = 0;
	UNIT_CHECK(login("10.0.2.2", "root", "x") == RPC_ERR_LOGIN_FAILED);
	UNIT_CHECK(slept_ns == 0);
	/* 4 failures, then 15 quiet minutes: forgotten. */
	for (int i = 0; i < 3; i++)
		UNIT_CHECK(login("10.0.2.2", "root", "x") ==
			   RPC_ERR_LOGIN_FAILED);
	now_ns += AUTH_LOCK_S * S;
	UNIT_CHECK(login("10.0.2.2", "root", "x") == RPC_ERR_LOGIN_FAILED);
	UNIT_CHECK(strstr(msg, "1 of 5"));
}

UNIT_TEST(auth_wrong_user)
{
	reset();
	/* Another user name fails like a wrong password and counts, and
	 * what the client sent reaches the audit log only as printable
	 * ASCII. */
	UNIT_CHECK(login("10.0.2.2", "admin\n\x1b[2J", "Keel-Test1") ==
		   RPC_ERR_LOGIN_FAILED);
	UNIT_CHECK(pw_checks == 0);
	UNIT_CHECK(strstr(audit_log, "session.login admin??[2J: wrong user"));
	UNIT_CHECK(!strchr(audit_log, '\x1b'));
}

UNIT_TEST(auth_lockdown)
{
	reset();
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	char old[AUTH_TOKEN_HEX + 1];
	strcpy(old, token);

	/* The console turns lockdown on: within a second the session's
	 * next call and every login are refused with the console hint. */
	lockdown = true;
	now_ns += S;
	struct rpc_caller c = caller_for("10.0.2.2", old);
	UNIT_CHECK(c.auth_code == RPC_ERR_LOCKDOWN);
	UNIT_CHECK_STR(c.auth_msg, "host is in lockdown mode; turn it off at "
				   "the console (F2 > Lockdown Mode)");
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == RPC_ERR_LOCKDOWN);
	UNIT_CHECK(strstr(msg, "lockdown mode"));
	UNIT_CHECK(pw_checks == 1);
	UNIT_CHECK(auth_session_count() == 0);

	/* Off again: the old session stays ended, a new login works. */
	lockdown = false;
	now_ns += S;
	c = caller_for("10.0.2.2", old);
	UNIT_CHECK(c.auth_code == RPC_ERR_AUTH_REQUIRED);
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
}

UNIT_TEST(auth_session_limit)
{
	char first[AUTH_TOKEN_HEX + 1], second[AUTH_TOKEN_HEX + 1];

	reset();
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	strcpy(first, token);
	now_ns += S;
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	strcpy(second, token);
	for (int i = 2; i < AUTH_SESSIONS_MAX; i++) {
		now_ns += S;
		UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	}
	UNIT_CHECK(auth_session_count() == AUTH_SESSIONS_MAX);
	/* Using the first makes the second the least recently used. */
	UNIT_CHECK(caller_for("10.0.2.2", first).auth_code == 0);
	now_ns += S;
	UNIT_CHECK(login("10.0.2.2", "root", "Keel-Test1") == 0);
	UNIT_CHECK(auth_session_count() == AUTH_SESSIONS_MAX);
	UNIT_CHECK(caller_for("10.0.2.2", first).auth_code == 0);
	UNIT_CHECK(caller_for("10.0.2.2", second).auth_code ==
		   RPC_ERR_AUTH_REQUIRED);
}
