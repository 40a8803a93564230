// SPDX-License-Identifier: MIT
/*
 * The setup console's thread (docs/firstboot.md "First boot"): once the
 * config store is open it takes the screen for good and walks the boot
 * flow of issue 6: a damaged store is reported and can be re-created; an
 * unconfigured host runs keel.cfg (ks_boot) or the wizard; every host
 * then shows the status screen, with F2 (customize) and F12 (power).
 *
 * keel.dcui=off leaves the console a log (diagnostics, tests that read
 * log text from the screen). keel.contest and keel.keytest own the
 * screen and the keys themselves, so the console stays off with them.
 */
#include <stdio.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/console.h"
#include "drivers/keys.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "firstboot/ks.h"
#include "store/store.h"

CMDLINE_OPTION(dcui, "keel.dcui",
	       "off: no setup console; the screen and serial line stay a "
	       "log (diagnostics)");

/* The damaged-store screen; returns when the operator chose. */
static void fb_store_corrupt(const char *reason)
{
	static const char *const items[] = {
		"Re-create configuration store",
		"Continue without saving",
	};
	char intro[256];
	int sel = 0;

	log_err("firstboot: configuration store unusable: %s", reason);
	snprintf(intro, sizeof(intro),
		 "The configuration store on the boot\n"
		 "device cannot be used:\n%.100s\n\n"
		 "Re-creating it erases every setting\n"
		 "and starts the first-boot setup.",
		 reason);
	for (;;) {
		int i = fb_ui_menu("Configuration Store Error", intro, items, 2,
				   &sel);
		if (i == 1)
			return;
		if (i != 0)
			continue;
		if (!fb_ui_confirm("Re-create configuration store",
				   "Erase the configuration store and start\n"
				   "over with the first-boot setup?"))
			continue;
		int rc = store_recreate();
		if (rc == 0) {
			store_audit(FB_WHO, "configuration store re-created "
					    "after an error");
			return;
		}
		char msg[128];
		snprintf(msg, sizeof(msg),
			 "Re-creating the store failed (error %d).", rc);
		fb_ui_message("Configuration Store Error", msg);
	}
}

/* bench/dcui.py: entry to the first screen (TSC ticks are instructions
 * under QEMU -icount shift=0). */
static void fb_log_up(const char *what)
{
	log_info("firstboot: %s up after %llu ms (%llu TSC ticks since entry)",
		 what, (unsigned long long)(time_ns() / NSEC_PER_MSEC),
		 (unsigned long long)(cpu_rdtsc() - time_boot_tsc));
}

/* First boot: keel.cfg if there is one, else the wizard. */
static void fb_first_boot(void)
{
	struct ks_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	fb_ui_frame("Keel Setup", "");
	fb_ui_progress("Keel Setup", "Looking for keel.cfg...");
	rc = ks_boot(&err);
	if (rc == 1) {
		log_info("firstboot: configured from keel.cfg");
		return;
	}
	fb_log_up("setup wizard");
	fb_wizard_run(rc < 0 ? &err : NULL);
	if (rc < 0 && store_configured())
		ks_discard();
}

/* Off with keel.dcui=off, or when a console test owns screen and keys. */
static bool fb_dcui_on = true;

static void fb_thread(void *arg)
{
	const char *reason;
	bool logged = false;

	(void)arg;
	store_wait_ready();
	fb_apply_stored();
	if (!fb_dcui_on)
		return;
	if (con_enter() < 0) {
		log_err("firstboot: the console is in use; no setup screen");
		return;
	}
	for (;;) {
		if (store_state(&reason) == STORE_CORRUPT)
			fb_store_corrupt(reason);
		if (store_state(&reason) != STORE_CORRUPT &&
		    !store_configured())
			fb_first_boot();
		for (;;) {
			if (!logged) {
				fb_log_up("status screen");
				logged = true;
			}
			int k = fb_status_run();
			if (k == KEY_F12) {
				fb_power_run();
			} else if (fb_customize_run()) {
				logged = false;
				break; /* reset: back to first boot */
			}
		}
	}
}

static void fb_init(void)
{
	char v[8];

	if (cmdline_get("keel.dcui", v, sizeof(v)) >= 0 &&
	    strcmp(v, "off") == 0) {
		log_info("firstboot: keel.dcui=off: no setup console");
		fb_dcui_on = false;
	}
	if (cmdline_get("keel.contest", v, sizeof(v)) >= 0 ||
	    cmdline_get("keel.keytest", v, sizeof(v)) >= 0)
		fb_dcui_on = false;
	if (!thread_create("firstboot", fb_thread, NULL, NULL))
		log_err("firstboot: no thread for the setup console");
}
KEEL_INIT(INIT_LATE, fb_init);
