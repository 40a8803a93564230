// SPDX-License-Identifier: MIT
/*
 * The root password prompt in front of F2 and F12, and the F12 power
 * menu. Wrong passwords are counted (issue 6, setup console item 5) and
 * audited; from the third failure in a row each further try waits
 * 1 s, 2 s, 4 s ... (at most FB_LOGIN_MAX_DELAY_S), with keys typed
 * meanwhile thrown away, so guessing at the console is slow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/power.h"
#include "core/thread.h"
#include "core/time.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "store/store.h"

#define FB_LOGIN_FREE_TRIES 2
#define FB_LOGIN_MAX_DELAY_S 64

/* Failures in a row, over all prompts since the last success. */
static unsigned int fb_login_failures;

static unsigned int fb_login_delay_s(unsigned int failures)
{
	unsigned int shift;

	if (failures <= FB_LOGIN_FREE_TRIES)
		return 0;
	shift = failures - FB_LOGIN_FREE_TRIES - 1;
	return shift >= 6 ? FB_LOGIN_MAX_DELAY_S : 1u << shift;
}

static int fb_login_check(struct fb_field *f, int n, bool submit, void *arg)
{
	char what[96], msg[128];
	unsigned int delay;
	int rc;

	if (!submit)
		return 0;
	rc = store_check_root_password(f[0].buf);
	if (rc == 0 || rc == -ENOENT)
		return 0;
	fb_login_failures++;
	snprintf(what, sizeof(what),
		 "console login as root failed (%u in a row)",
		 fb_login_failures);
	store_audit(FB_WHO, what);
	log_warn("firstboot: %s", what);
	memset(f[0].buf, 0, f[0].len);
	delay = fb_login_delay_s(fb_login_failures);
	if (delay) {
		snprintf(msg, sizeof(msg),
			 "Wrong password: %u failed attempts.\n"
			 "Wait %u s before the next try.",
			 fb_login_failures, delay);
		fb_ui_progress("Login refused", msg);
		thread_sleep_ns(delay * NSEC_PER_SEC);
		fb_ui_drain();
	}
	snprintf(f[0].err, sizeof(f[0].err),
		 "Wrong password (%u failed attempt%s)", fb_login_failures,
		 fb_login_failures == 1 ? "" : "s");
	return -1;
}

bool fb_login(const char *why)
{
	char pw[FB_PW_MAX] = "", intro[160];
	struct fb_field f = { .kind = FB_FIELD_SECRET,
			      .label = "Password",
			      .buf = pw,
			      .len = sizeof(pw) };
	int rc;

	snprintf(intro, sizeof(intro),
		 "%s\nLog in as root: type the root password and press Enter.",
		 why);
	rc = fb_ui_form("Authentication Required", intro, &f, 1, fb_login_check,
			NULL);
	memset(pw, 0, sizeof(pw));
	if (rc < 0)
		return false;
	fb_login_failures = 0;
	store_audit(FB_WHO, "console login as root");
	return true;
}

void fb_power_run(void)
{
	static const char *const items[] = { "Shut Down", "Restart" };
	int sel = 0;

	if (!fb_login("Shut down or restart this host."))
		return;
	for (;;) {
		int i = fb_ui_menu("Shut Down/Restart",
				   "Virtual machines on this host\n"
				   "stop with it.",
				   items, 2, &sel);
		if (i < 0)
			return;
		if (!fb_ui_confirm(items[i], i == 0 ? "Shut down this host now?"
						    : "Restart this host now?"))
			continue;
		store_audit(FB_WHO, i == 0 ? "host shut down from the console"
					   : "host restarted from the console");
		fb_ui_frame("Keel", "");
		fb_ui_progress(items[i],
			       i == 0 ? "Shutting down..." : "Restarting...");
		con_leave();
		log_info("firstboot: %s from the console",
			 i == 0 ? "shut down" : "restart");
		if (i == 0)
			power_off();
		power_reboot();
	}
}
