// SPDX-License-Identifier: MIT
/*
 * The first-boot wizard (issue 6, setup console item 1): root password
 * twice, the management network, a summary, and only after the operator
 * confirms it fb_apply_setup() stores everything in one transaction.
 * Esc goes back a page; nothing is written before the confirmation.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "net/netcfg.h"

enum fb_wiz_page { WIZ_PASSWORD, WIZ_NETWORK, WIZ_SUMMARY, WIZ_DONE };

static void fb_wizard_welcome(const struct ks_error *ks_err)
{
	char msg[256];

	if (!ks_err)
		return;
	snprintf(msg, sizeof(msg),
		 "keel.cfg line %d: %s\n\n"
		 "The file was not applied; the setup wizard runs instead.",
		 ks_err->line, ks_err->why);
	fb_ui_frame("Keel Setup", "<Enter> OK");
	fb_ui_message("Kickstart file refused", msg);
}

/* Summary and confirmation; true when the setup was applied. */
static bool fb_wizard_apply(struct fb_setup *s)
{
	char sum[512], text[640];
	int rc;

	fb_net_summary(&s->net, s->hostname, sum, sizeof(sum));
	snprintf(text, sizeof(text),
		 "Root password: set (%zu characters)\n%s\n\n"
		 "Apply these settings and generate the host's TLS key?",
		 strlen(s->password), sum);
	fb_ui_frame("Keel Setup 3/3: Summary", "<Y> Apply  <N/Esc> Back");
	if (!fb_ui_confirm("Confirm setup", text))
		return false;
	fb_ui_frame("Keel Setup", "");
	fb_ui_progress("Applying", "Generating the TLS key and certificate\n"
				   "and storing the configuration...");
	rc = fb_apply_setup(s, FB_WHO);
	if (rc < 0) {
		snprintf(text, sizeof(text),
			 "The setup could not be stored (error %d).\n"
			 "Nothing was changed. Check the boot device and\n"
			 "try again.",
			 rc);
		fb_ui_message("Setup failed", text);
		return false;
	}
	return true;
}

void fb_wizard_run(const struct ks_error *ks_err)
{
	struct fb_setup s;
	enum fb_wiz_page page = WIZ_PASSWORD;

	memset(&s, 0, sizeof(s));
	netcfg_default(&s.net);
	snprintf(s.hostname, sizeof(s.hostname), "localhost");
	log_info("firstboot: setup wizard on the console");
	fb_wizard_welcome(ks_err);
	while (page != WIZ_DONE) {
		switch (page) {
		case WIZ_PASSWORD:
			if (fb_password_form("Keel Setup 1/3: Root Password",
					     s.password,
					     sizeof(s.password)) == 0)
				page = WIZ_NETWORK;
			break;
		case WIZ_NETWORK:
			page = fb_netform_edit("Keel Setup 2/3: Management "
					       "Network",
					       NULL, &s.net, s.hostname,
					       sizeof(s.hostname)) == 0
				   ? WIZ_SUMMARY
				   : WIZ_PASSWORD;
			break;
		case WIZ_SUMMARY:
			page = fb_wizard_apply(&s) ? WIZ_DONE : WIZ_NETWORK;
			break;
		case WIZ_DONE:
			break;
		}
	}
	memset(s.password, 0, sizeof(s.password));
	log_info("firstboot: setup done on the console");
}
