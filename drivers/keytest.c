// SPDX-License-Identifier: MIT
/*
 * keel.keytest: log every key the console would get ("keytest: F2"), so
 * an operator (and the system tests, through QEMU's sendkey and the
 * serial line) can check each keyboard path end to end before trusting
 * the setup screen to it.
 */
#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/keys.h"

CMDLINE_OPTION(keytest, "keel.keytest",
	       "log each key pressed on any keyboard or the serial line");

static void keytest_thread(void *arg)
{
	char buf[8];

	(void)arg;
	for (;;) {
		int key = keys_get(NSEC_PER_SEC);
		if (key != KEY_NONE)
			log_info("keytest: %s", keys_name(key, buf));
	}
}

static void keytest_init(void)
{
	char v[4];

	if (cmdline_get("keel.keytest", v, sizeof(v)) < 0)
		return;
	if (!thread_create("keytest", keytest_thread, NULL, NULL))
		log_err("keytest: no thread");
	else
		log_info("keytest: ready, press keys");
}
KEEL_INIT(INIT_LATE, keytest_init);
