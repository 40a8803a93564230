// SPDX-License-Identifier: MIT
/*
 * host.logs (docs/api.md): the kernel log ring (core/log.h) by
 * sequence number. Without a cursor it answers the last lines (tail);
 * with the cursor of the previous answer it answers what came since
 * (follow), waiting up to wait_ms for a first new line, so `keelctl host
 * logs -f` is one request per burst of lines rather than a busy poll.
 *
 * The ring holds the last 1024 lines. A cursor that fell off it (the
 * client was away while more than that was logged) resumes at the oldest
 * line still held and says how many were lost.
 *
 * The wait polls the ring's next sequence number every 50 ms: the log
 * has no wait queue, and core/log.c's sinks run under its spinlock with
 * interrupts off, where waking threads is not allowed.
 */
#include <errno.h>
#include <stdint.h>

#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "mgmt/rpc.h"
#include "mgmt/rpc_host.h"

#define RPC_LOGS_MAX 1000
#define RPC_LOGS_DEFAULT 100
#define RPC_LOGS_POLL_NS (50 * NSEC_PER_MSEC)
/* Room kept free in the response for the rest of it. */
#define RPC_LOGS_SLACK 4096

static const char *const rpc_logs_level[] = {
	[LOG_ERR] = "err",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

/* Wait until a line with sequence number >= @seq exists or @ms passed. */
static void rpc_logs_wait(uint64_t seq, int64_t ms)
{
	uint64_t end = time_ns() + (uint64_t)ms * NSEC_PER_MSEC;

	while (log_next_seq() <= seq) {
		uint64_t now = time_ns();
		if (now >= end)
			break;
		thread_sleep_ns(end - now < RPC_LOGS_POLL_NS
				    ? end - now
				    : RPC_LOGS_POLL_NS);
	}
}

static int rpc_host_logs(struct rpc_ctx *c)
{
	static const char *const known[] = { "cursor", "max", "wait_ms", NULL };
	struct jw *w = c->out;
	struct log_record rec;
	int64_t cursor = -1, max = RPC_LOGS_DEFAULT, wait_ms = 0;
	uint64_t first, next, seq, lost = 0, count = 0;
	size_t budget;
	int rc;

	if ((rc = rpc_param_only(c, known)))
		return rc;
	rc = rpc_param_int(c, "cursor", false, 0, INT64_MAX, &cursor);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "max", false, 1, RPC_LOGS_MAX, &max);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "wait_ms", false, 0, RPC_HOST_LOGS_WAIT_MAX_MS,
			   &wait_ms);
	if (rc && rc != -ENOENT)
		return rc;

	first = log_first_seq();
	next = log_next_seq();
	if (cursor < 0) {
		seq = next > (uint64_t)max ? next - (uint64_t)max : 0;
		if (seq < first)
			seq = first;
	} else if ((uint64_t)cursor > next) {
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.cursor: %lld is past the newest line "
				"(%llu): the host restarted since; ask again "
				"without a cursor",
				(long long)cursor, (unsigned long long)next);
	} else {
		seq = (uint64_t)cursor;
	}
	if (wait_ms > 0)
		rpc_logs_wait(seq, wait_ms);

	budget = w->limit > 2 * RPC_LOGS_SLACK ? w->limit - RPC_LOGS_SLACK
					       : w->limit / 2;
	jw_obj_begin(w);
	jw_key(w, "lines");
	jw_arr_begin(w);
	for (; count < (uint64_t)max && w->len < budget; seq++) {
		/* Past the ring's end: overwritten while we waited or read. */
		if (seq < log_first_seq()) {
			lost += log_first_seq() - seq;
			seq = log_first_seq();
		}
		if (log_read(seq, &rec) < 0)
			break; /* nothing newer yet */
		count++;
		jw_obj_begin(w);
		jw_kuint(w, "seq", rec.seq);
		jw_kuint(w, "time_us", rec.time_ns / NSEC_PER_USEC);
		jw_kstr(w, "level",
			rec.level <= LOG_DEBUG ? rpc_logs_level[rec.level]
					       : "info");
		/* The writer turns stray bytes into U+FFFD. */
		jw_kstr(w, "text", rec.text);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kuint(w, "cursor", seq);
	jw_kuint(w, "lost", lost);
	jw_kuint(w, "first", log_first_seq());
	jw_obj_end(w);
	return 0;
}

RPC_METHOD(host_logs, "host.logs", rpc_host_logs, 0);
