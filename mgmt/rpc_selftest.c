// SPDX-License-Identifier: MIT
/*
 * In-image self-test of the JSON-RPC dispatch and the host.* methods
 * (keel.selftest): real request bodies through rpc_handle() against the
 * running kernel, checked the way a client would read the answers.
 *
 * Self-tests run before the store's boot thread (core/selftest.c), so a
 * store still "starting" is opened in RAM here (store_recreate() without
 * a partition never touches a disk); host.cert.regenerate and
 * host.network.set then write to that RAM store only. Nothing here
 * reboots or powers off: those are called with bad params only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/hv.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/selftest.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "mgmt/rpc.h"
#include "mgmt/rpc_host.h"
#include "mgmt/rpc_test.h"
#include "store/store.h"

#define ST_WHO "selftest@local"

static const struct rpc_caller st_root = { .addr = "127.0.0.1",
					   .user = "root",
					   .who = ST_WHO };

static struct json *st_call_as(const struct rpc_caller *who, const char *body)
{
	return rpct_call(who, body, strlen(body), 1 << 20, "rpc_selftest");
}

static struct json *st_call(const char *body)
{
	return st_call_as(&st_root, body);
}

static const struct json *st_result(const struct json *r, const char *what)
{
	return rpct_result(r, "rpc_selftest", what);
}

static int st_error(const struct json *r, int code, const char *frag,
		    const char *what)
{
	return rpct_error(r, code, frag, "rpc_selftest", what);
}


/* 32 colon-separated upper-case hex pairs (ARCHITECTURE.md section 8). */
static bool st_thumbprint_shaped(const char *s)
{
	if (!s || strlen(s) != 95)
		return false;
	for (int i = 0; i < 95; i++) {
		char c = s[i];
		if (i % 3 == 2
			? c != ':'
			: !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

#define ST_REQ(method, params)                                                 \
	"{\"jsonrpc\":\"2.0\",\"method\":\"" method "\",\"params\":" params    \
	",\"id\":1}"

#define ST_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			log_err("rpc_selftest: " __VA_ARGS__);                 \
			rc = -EINVAL;                                          \
			goto out;                                              \
		}                                                              \
	} while (0)

/* A figure for docs/rpc.md: the dispatcher's own cost per request
 * (parse, lookup, answer) with a method that does nothing. */
static int rpc_selftest_timing(void)
{
	static const char body[] =
	    "{\"jsonrpc\":\"2.0\",\"method\":\"host.nosuch\",\"id\":1}";
	struct jw out;
	uint64_t t0;

	jw_init(&out, 1 << 20);
	t0 = time_ns();
	for (int i = 0; i < 1000; i++)
		rpc_handle(body, sizeof(body) - 1, &st_root, &out);
	log_info("rpc_selftest: dispatch of a small request: %llu ns",
		 (unsigned long long)((time_ns() - t0) / 1000));
	jw_free(&out);
	return 0;
}

/* The dispatch itself: registry, gate, unknown methods, a batch. */
static int rpc_selftest_dispatch(void)
{
	static const char *const names[] = {
		"host.info",	    "host.stats",
		"host.network.get", "host.network.set",
		"host.logs",	    "host.reboot",
		"host.shutdown",    "host.cert.regenerate",
	};
	struct rpc_caller anon = { .addr = "127.0.0.1",
				   .who = "127.0.0.1",
				   .auth_code = RPC_ERR_AUTH_REQUIRED };
	struct json *r = NULL;
	int rc = 0;

	/* The linker kept the section (image/keel.ld, --gc-sections). */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ST_CHECK(rpc_method_find(names[i]), "%s is not registered",
			 names[i]);
	r = st_call(ST_REQ("host.nosuch", "{}"));
	if ((rc = st_error(r, RPC_METHOD_NOT_FOUND, "host.nosuch", "unknown")))
		goto out;
	json_free(r);
	r = st_call_as(&anon, ST_REQ("host.info", "{}"));
	if ((rc = st_error(r, RPC_ERR_AUTH_REQUIRED, "session.login", "gate")))
		goto out;
	json_free(r);
	r = st_call("[{\"jsonrpc\":\"2.0\",\"method\":\"host.info\",\"id\":1},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"host.stats\"},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":\"b\"}]");
	ST_CHECK(r && r->type == JSON_ARRAY && r->len == 2 &&
		     json_get(json_at(r, 0), "result") &&
		     json_get(json_at(r, 1), "error"),
		 "batch of 3 with a notification: not 2 answers");
	rc = rpc_selftest_timing();
out:
	json_free(r);
	return rc;
}
KEEL_SELFTEST(rpc_dispatch, rpc_selftest_dispatch);

static int rpc_selftest_info(void)
{
	const struct json *res, *cpu, *mem;
	const char *s = NULL;
	struct json *r = NULL;
	uint64_t t0 = time_ns(), us;
	int rc = 0;

	r = st_call(ST_REQ("host.info", "{}"));
	us = (time_ns() - t0) / NSEC_PER_USEC;
	ST_CHECK((res = st_result(r, "host.info")), "host.info");
	cpu = json_get(res, "cpu");
	mem = json_get(res, "memory");
	ST_CHECK(rpct_int(cpu, "cores") == (int64_t)percpu_online,
		 "host.info cores %lld, %u online",
		 (long long)rpct_int(cpu, "cores"), percpu_online);
	ST_CHECK(json_get_str(cpu, "model", &s) && *s, "no CPU model");
	ST_CHECK(rpct_int(mem, "total_bytes") > 0 &&
		     rpct_int(mem, "free_bytes") <= rpct_int(mem, "total_bytes"),
		 "memory total/free wrong");
	ST_CHECK(json_get_str(res, "version", &s) && *s, "no version");
	if (hv)
		ST_CHECK(json_get_str(cpu, "backend", &s) &&
			     (!strcmp(s, "vmx") || !strcmp(s, "svm")),
			 "backend not vmx/svm");
	log_info("rpc_selftest: host.info: %u cores, %s, %lld MiB, answered in "
		 "%llu us",
		 percpu_online, hv ? hv->name : "no backend",
		 (long long)(rpct_int(mem, "total_bytes") >> 20),
		 (unsigned long long)us);
	json_free(r);
	r = st_call(ST_REQ("host.stats", "{}"));
	ST_CHECK((res = st_result(r, "host.stats")), "host.stats");
	cpu = json_get(res, "cpu");
	ST_CHECK(json_get(cpu, "cpus") &&
		     json_get(cpu, "cpus")->len == percpu_online,
		 "host.stats: not one entry per CPU");
	ST_CHECK(rpct_int(cpu, "busy_ms") + rpct_int(cpu, "idle_ms") > 0,
		 "host.stats: no CPU time");
	ST_CHECK(rpct_int(json_get(res, "vms"), "running") ==
		     (int64_t)vm_count_running(),
		 "host.stats: VM count");
	json_free(r);
	/* Never a valid power call here: bad params only. */
	r = st_call(ST_REQ("host.reboot", "{\"force\":\"yes\"}"));
	if ((rc = st_error(r, RPC_INVALID_PARAMS, "params.force", "reboot")))
		goto out;
	json_free(r);
	r = st_call(ST_REQ("host.shutdown", "{\"now\":true}"));
	rc = st_error(r, RPC_INVALID_PARAMS, "params.now: unknown", "shutdown");
out:
	json_free(r);
	return rc;
}
KEEL_SELFTEST(rpc_host_info, rpc_selftest_info);

/* A RAM store when the boot's store is not open (see the top). */
static bool st_store_ready(void)
{
	const char *why;
	enum store_state st = store_state(&why);

	if (st == STORE_STARTING && store_recreate() == 0)
		st = store_state(&why);
	if (st != STORE_OK && st != STORE_MEMORY) {
		log_info("rpc_selftest: store %d (%s): store checks skipped",
			 st, why);
		return false;
	}
	return true;
}

/* The last audit record's text, "" when none. */
static void st_last_audit(char *what, size_t len, char *who, size_t wlen)
{
	static struct store_audit_rec recs[16];
	int64_t after = 0;
	int n;

	what[0] = who[0] = '\0';
	while ((n = store_audit_read(after, recs, 16)) > 0) {
		after = recs[n - 1].id;
		snprintf(what, len, "%s", recs[n - 1].what);
		snprintf(who, wlen, "%s", recs[n - 1].who);
	}
}

static int rpc_selftest_store(void)
{
	const struct json *res, *dns;
	const char *tp = NULL, *s = NULL;
	char want[160], what[160], who[64], tp2[MGMT_THUMBPRINT_LEN];
	struct json *r = NULL;
	int rc = 0;

	if (!st_store_ready())
		return 0;
	if (store_get_hostname(what, sizeof(what)) < 0)
		ST_CHECK(store_set_hostname("rpc-selftest.example") == 0,
			 "cannot set a host name");
	r = st_call(ST_REQ("host.cert.regenerate", "{}"));
	ST_CHECK((res = st_result(r, "host.cert.regenerate")), "regenerate");
	ST_CHECK(json_get_str(res, "thumbprint", &tp) &&
		     st_thumbprint_shaped(tp),
		 "thumbprint '%s' is not 32 hex pairs", tp ? tp : "");
	snprintf(tp2, sizeof(tp2), "%s", tp);
	snprintf(want, sizeof(want), "host.cert.regenerate SHA-256 %s: ok",
		 tp2);
	st_last_audit(what, sizeof(what), who, sizeof(who));
	ST_CHECK(!strcmp(what, want) && !strcmp(who, ST_WHO),
		 "audit '%s' by '%s'", what, who);
	json_free(r);
	r = st_call(ST_REQ("host.info", "{}"));
	ST_CHECK((res = st_result(r, "host.info")), "host.info");
	ST_CHECK(json_get_str(res, "thumbprint", &s) && !strcmp(s, tp2),
		 "host.info thumbprint '%s' is not the new one", s ? s : "");
	log_info("rpc_selftest: host.cert.regenerate -> %s", tp2);
	json_free(r);

	/* host.network.set: refused values write nothing. */
	r = st_call(ST_REQ("host.network.set", "{\"mode\":\"static\","
					       "\"address\":\"10.0.2.0\","
					       "\"prefix\":24}"));
	if ((rc = st_error(r, RPC_INVALID_PARAMS, "network address", "net")))
		goto out;
	json_free(r);
	r = st_call(ST_REQ("host.network.set", "{\"vlan\":4095}"));
	if ((rc = st_error(r, RPC_INVALID_PARAMS, "params.vlan", "vlan")))
		goto out;
	json_free(r);
	r = st_call(ST_REQ("host.network.set", "{\"hostname\":\"-bad\"}"));
	if ((rc = st_error(r, RPC_INVALID_PARAMS, "params.hostname", "host")))
		goto out;
	json_free(r);
	r = st_call(ST_REQ("host.network.set",
			   "{\"hostname\":\"rpc-st2.example\","
			   "\"dns\":[\"10.0.2.3\"]}"));
	ST_CHECK((res = st_result(r, "host.network.set")), "network.set");
	json_free(r);
	r = st_call(ST_REQ("host.network.get", "{}"));
	ST_CHECK((res = st_result(r, "host.network.get")), "network.get");
	dns = json_get(res, "dns");
	ST_CHECK(json_get_str(res, "hostname", &s) &&
		     !strcmp(s, "rpc-st2.example") && dns && dns->len == 1 &&
		     json_at(dns, 0)->type == JSON_STRING &&
		     !strcmp(json_at(dns, 0)->s, "10.0.2.3"),
		 "host.network.get does not show what was set");
	st_last_audit(what, sizeof(what), who, sizeof(who));
	ST_CHECK(!strncmp(what, "host.network.set ", 17) &&
		     strstr(what, "dns 10.0.2.3") &&
		     strstr(what, "hostname rpc-st2.example: ok"),
		 "audit '%s'", what);
out:
	json_free(r);
	return rc;
}
KEEL_SELFTEST(rpc_host_store, rpc_selftest_store);

static void st_logger(void *arg)
{
	thread_sleep_ns(100 * NSEC_PER_MSEC);
	log_info("rpc_selftest: marker %p", arg);
}

/* Whether the lines of host.logs' @res hold @text. */
static bool st_has_line(const struct json *res, const char *text)
{
	const struct json *lines = json_get(res, "lines");
	const char *t;

	for (size_t i = 0; json_at(lines, i); i++)
		if (json_get_str(json_at(lines, i), "text", &t) &&
		    strstr(t, text))
			return true;
	return false;
}

static int rpc_selftest_logs(void)
{
	static int token;
	const struct json *res;
	char body[160], marker[48];
	struct json *r = NULL;
	int64_t cursor;
	uint64_t t0, ms;
	int rc = 0;

	r = st_call(ST_REQ("host.logs", "{\"max\":5}"));
	ST_CHECK((res = st_result(r, "host.logs")), "host.logs");
	cursor = rpct_int(res, "cursor");
	ST_CHECK(json_get(res, "lines")->len == 5 &&
		     (uint64_t)cursor <= log_next_seq() &&
		     rpct_int(json_at(json_get(res, "lines"), 4), "seq") ==
			 cursor - 1,
		 "tail of 5: wrong lines or cursor");
	json_free(r);

	/* Follow: a line logged 100 ms into the wait comes back at once. */
	snprintf(marker, sizeof(marker), "rpc_selftest: marker %p", &token);
	cursor = (int64_t)log_next_seq();
	ST_CHECK(thread_create("rpc-st-log", st_logger, &token, NULL),
		 "no thread");
	snprintf(body, sizeof(body),
		 ST_REQ("host.logs", "{\"cursor\":%lld,\"wait_ms\":5000}"),
		 (long long)cursor);
	t0 = time_ns();
	r = st_call(body);
	ms = (time_ns() - t0) / NSEC_PER_MSEC;
	ST_CHECK((res = st_result(r, "host.logs follow")), "follow");
	if (!st_has_line(res, marker)) { /* woken by another line first */
		cursor = rpct_int(res, "cursor");
		json_free(r);
		snprintf(
		    body, sizeof(body),
		    ST_REQ("host.logs", "{\"cursor\":%lld,\"wait_ms\":5000}"),
		    (long long)cursor);
		r = st_call(body);
		ms = (time_ns() - t0) / NSEC_PER_MSEC;
		ST_CHECK((res = st_result(r, "host.logs follow")), "follow");
	}
	ST_CHECK(st_has_line(res, marker) && ms < 2000,
		 "follow: marker not returned (%llu ms)",
		 (unsigned long long)ms);
	log_info("rpc_selftest: host.logs follow woke after %llu ms",
		 (unsigned long long)ms);
	json_free(r);

	/* A cursor from before a restart is refused with what to do. */
	snprintf(body, sizeof(body), ST_REQ("host.logs", "{\"cursor\":%llu}"),
		 (unsigned long long)log_next_seq() + 1000);
	r = st_call(body);
	rc = st_error(r, RPC_INVALID_PARAMS, "without a cursor", "cursor");
out:
	json_free(r);
	return rc;
}
KEEL_SELFTEST(rpc_host_logs, rpc_selftest_logs);
