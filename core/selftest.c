// SPDX-License-Identifier: MIT
/*
 * keel.selftest: run the tests rooms registered with KEEL_SELFTEST
 * (image/keel.ld gathers them in .rodata.selftest) and power off, so a
 * script or a system test reads one verdict and sees the machine stop.
 */
#include "core/selftest.h"

#include <errno.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/power.h"
#include "core/thread.h"
#include "core/time.h"

CMDLINE_OPTION(selftest, "keel.selftest",
	       "run the in-image self-tests, print the result, power off");

/* A test still running after this long gets the scheduler's state logged
 * once: a hang's log then says which thread waits where (the system tests
 * give a whole self-test run 120 s). */
#define SELFTEST_WATCH_NS (60ull * 1000000000)

static const struct selftest *volatile selftest_now;
static volatile uint64_t selftest_since;
static volatile bool selftest_over;

static void selftest_watchdog(void *arg)
{
	const struct selftest *reported = NULL;

	(void)arg;
	while (!selftest_over) {
		thread_sleep_ns(1000000000);
		const struct selftest *t = selftest_now;
		uint64_t since = selftest_since;
		if (t && t != reported && time_ns() - since > SELFTEST_WATCH_NS) {
			log_warn("selftest: %s still running after %llu s", t->name,
				 (unsigned long long)((time_ns() - since) /
						      1000000000));
			sched_log_state();
			reported = t;
		}
	}
}

int selftest_run_all(void)
{
	extern const struct selftest __selftest_start[], __selftest_end[];
	unsigned int passed = 0, failed = 0;
	struct thread_attr any = { THREAD_NORMAL, 0, THREAD_ANY_CPU };

	log_info("selftest: running %u tests",
		 (unsigned int)(__selftest_end - __selftest_start));
	if (!thread_create("selftest-watch", selftest_watchdog, NULL, &any))
		log_warn("selftest: no watchdog thread (no memory)");
	for (const struct selftest *t = __selftest_start; t < __selftest_end;
	     t++) {
		selftest_since = time_ns();
		selftest_now = t;
		int rc = t->fn();

		if (rc) {
			log_err("selftest: FAIL %s", t->name);
			failed++;
		} else {
			log_info("selftest: PASS %s", t->name);
			passed++;
		}
	}
	selftest_now = NULL;
	selftest_over = true;
	if (failed)
		log_err("selftest: %u passed, %u failed", passed, failed);
	else
		log_info("selftest: %u passed, %u failed", passed, failed);
	return (int)failed;
}

static void selftest_init(void)
{
	char value[32];
	int rc = cmdline_get("keel.selftest", value, sizeof(value));

	if (rc == -ENOENT)
		return;
	/* It is a flag: a value (keel.selftest=1) changes nothing. */
	if (rc != 0)
		log_warn("selftest: keel.selftest takes no value; running "
			 "the self-tests");
	selftest_run_all();
	power_off();
}
/*
 * INIT_LATE initcalls run in link order and power_off() does not return,
 * so INIT_LATE work linked after this file (every room above core/) does
 * not run in self-test mode: rooms register self-tests, not INIT_LATE work
 * that a self-test depends on.
 */
KEEL_INIT(INIT_LATE, selftest_init);
