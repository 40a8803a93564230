// SPDX-License-Identifier: MIT
/*
 * F2 "Customize System" (issue 6, setup console item 3): after the root
 * password, a menu of the host's settings. Every change is shown, then
 * confirmed, then written through store/store.h and audited, then made
 * active without a reboot (the network through net_apply()). Esc backs
 * out of every screen with nothing written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/time.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "mgmt/cert.h"
#include "mgmt/server.h"
#include "net/net.h"
#include "store/store.h"

enum {
	FB_MENU_NET,
	FB_MENU_TEST,
	FB_MENU_PASSWORD,
	FB_MENU_LOG,
	FB_MENU_RESTART,
	FB_MENU_CERT,
	FB_MENU_LOCKDOWN,
	FB_MENU_RESET,
	FB_MENU_COUNT,
};

static const char *const fb_menu_items[FB_MENU_COUNT] = {
	"Configure Management Network",
	"Test Management Network",
	"Change Root Password",
	"View System Log",
	"Restart Management Network",
	"Regenerate Certificate",
	"Lockdown Mode",
	"Reset System Configuration",
};

static void fb_failed(const char *what, int rc)
{
	char msg[160];

	snprintf(msg, sizeof(msg),
		 "%s failed (error %d).\nNothing was changed.", what, rc);
	log_warn("firstboot: %s failed: %d", what, rc);
	fb_ui_message("Error", msg);
}

static void fb_configure_network(void)
{
	struct net_config c;
	char host[FB_HOSTNAME_MAX], sum[512], text[600];
	int rc;

	if (store_get_net(&c) < 0)
		net_get_config(&c);
	if (store_get_hostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	for (;;) {
		if (fb_netform_edit("Configure Management Network", NULL, &c,
				    host, sizeof(host)) < 0)
			return;
		fb_net_summary(&c, host, sum, sizeof(sum));
		snprintf(text, sizeof(text),
			 "%s\n\nApply these settings now? Connections to the\n"
			 "old address are dropped.",
			 sum);
		if (fb_ui_confirm("Confirm network settings", text))
			break;
	}
	uint64_t t0 = time_ns();
	rc = store_begin();
	if (rc == 0) {
		if ((rc = store_set_net(&c)) < 0 ||
		    (rc = store_set_hostname(host)) < 0) {
			store_rollback();
		} else {
			char what[160];
			netcfg_format(&c, text, sizeof(text));
			snprintf(
			    what, sizeof(what),
			    "management network set: %.100s, hostname %.40s",
			    text, host);
			store_audit(FB_WHO, what);
			rc = store_commit();
		}
	}
	if (rc < 0) {
		fb_failed("Storing the network settings", rc);
		return;
	}
	uint64_t t1 = time_ns();
	rc = net_apply(&c);
	/* bench/dcui.py reads this: the time a settings change takes. */
	log_info("firstboot: network change stored in %llu us, applied in "
		 "%llu us",
		 (unsigned long long)((t1 - t0) / 1000),
		 (unsigned long long)((time_ns() - t1) / 1000));
	fb_ui_message("Management network",
		      rc == 0 ? "The new settings are stored and active."
			      : "The settings are stored; there is no "
				"network\ninterface to apply them to.");
}

static void fb_change_password(void)
{
	char pw[FB_PW_MAX];
	int rc;

	if (fb_password_form("Change Root Password", pw, sizeof(pw)) < 0)
		return;
	if (!fb_ui_confirm("Change Root Password",
			   "Store the new root password?")) {
		memset(pw, 0, sizeof(pw));
		return;
	}
	rc = store_set_root_password(pw);
	memset(pw, 0, sizeof(pw));
	if (rc < 0) {
		fb_failed("Changing the root password", rc);
		return;
	}
	store_audit(FB_WHO, "root password changed");
	fb_ui_message("Change Root Password", "The root password was changed.");
}

static void fb_restart_network(void)
{
	struct net_config c;
	int rc;

	int ep;

	if (!fb_ui_confirm("Restart Management Network",
			   "Re-apply the stored network settings and restart\n"
			   "the HTTPS endpoint? DHCP asks for a new lease;\n"
			   "connections are dropped."))
		return;
	if (store_get_net(&c) < 0)
		net_get_config(&c);
	rc = net_apply(&c);
	ep = mgmt_server_restart();
	store_audit(FB_WHO, "management network restarted");
	fb_ui_message("Restart Management Network",
		      rc != 0	    ? "There is no management network interface."
		      : ep == 0	    ? "The management network and the HTTPS\n"
				      "endpoint were restarted."
		      : ep == -ENODEV ? "The management network was restarted;\n"
					"the endpoint starts once the host is set up."
				      : "The network was restarted, but the HTTPS\n"
					"endpoint did not come back: see the log.");
}

static void fb_regenerate_cert(void)
{
	uint8_t *key = NULL, *cert = NULL;
	size_t klen = 0, clen = 0;
	char thumb[MGMT_THUMBPRINT_LEN] = "", msg[256];
	int rc;

	if (!fb_ui_confirm("Regenerate Certificate",
			   "Make a new TLS key and self-signed certificate?\n"
			   "Clients that trusted the old thumbprint will\n"
			   "warn until they accept the new one."))
		return;
	fb_ui_progress("Regenerate Certificate", "Generating the key...");
	rc = mgmt_cert_regenerate(FB_WHO);
	if (rc < 0) {
		fb_failed("Regenerating the certificate", rc);
		return;
	}
	store_audit(FB_WHO, "TLS certificate regenerated");
	if (store_get_tls(&key, &klen, &cert, &clen) == 0)
		mgmt_cert_thumbprint(cert, clen, thumb);
	if (key) {
		memset(key, 0, klen);
		free(key);
	}
	free(cert);
	snprintf(msg, sizeof(msg), "New SHA-256 thumbprint:\n%.47s\n%s", thumb,
		 strlen(thumb) > 48 ? thumb + 48 : "");
	fb_ui_message("Regenerate Certificate", msg);
}

static void fb_lockdown(void)
{
	bool on = store_lockdown();
	int rc;

	if (!fb_ui_confirm("Lockdown Mode",
			   on ? "Lockdown mode is ON.\nTurn it off?"
			      : "Lockdown mode is OFF. Turn it on?\n"
				"The management endpoint then refuses every\n"
				"login and ends open sessions; the host is\n"
				"managed from this console only."))
		return;
	rc = store_set_lockdown(!on);
	if (rc < 0) {
		fb_failed("Changing lockdown mode", rc);
		return;
	}
	store_audit(FB_WHO, on ? "lockdown mode off" : "lockdown mode on");
	fb_ui_message("Lockdown Mode", on ? "Lockdown mode is now off."
					  : "Lockdown mode is now on.");
}

static int fb_yes_check(struct fb_field *f, int n, bool submit, void *arg)
{
	if (submit && strcmp(f[0].buf, "YES") != 0) {
		snprintf(f[0].err, sizeof(f[0].err),
			 "Type YES in capitals to reset, or Esc to cancel");
		return -1;
	}
	return 0;
}

/* true when the store was wiped: the caller goes back to the wizard. */
static bool fb_reset(void)
{
	char yes[8] = "";
	struct fb_field f = { .kind = FB_FIELD_TEXT,
			      .label = "Type YES",
			      .buf = yes,
			      .len = sizeof(yes) };
	int rc;

	if (!fb_ui_confirm("Reset System Configuration",
			   "Erase every setting (root password, network,\n"
			   "certificate, VM inventory) and go back to the\n"
			   "first-boot setup?"))
		return false;
	if (fb_ui_form("Reset System Configuration",
		       "This cannot be undone. Type YES to erase the\n"
		       "configuration.",
		       &f, 1, fb_yes_check, NULL) < 0)
		return false;
	store_audit(FB_WHO, "system configuration reset");
	rc = store_recreate();
	if (rc < 0) {
		fb_failed("Resetting the configuration", rc);
		return false;
	}
	store_audit(FB_WHO, "configuration store re-created (reset)");
	log_warn("firstboot: system configuration reset from the console");
	return true;
}

bool fb_customize_run(void)
{
	int sel = 0;

	if (!fb_login("Customize System"))
		return false;
	for (;;) {
		int i = fb_ui_menu("System Customization",
				   "Pick a setting with the arrow keys\n"
				   "and press Enter.",
				   fb_menu_items, FB_MENU_COUNT, &sel);
		switch (i) {
		case -1:
			return false;
		case FB_MENU_NET:
			fb_configure_network();
			break;
		case FB_MENU_TEST:
			fb_test_network();
			break;
		case FB_MENU_PASSWORD:
			fb_change_password();
			break;
		case FB_MENU_LOG:
			fb_view_log();
			break;
		case FB_MENU_RESTART:
			fb_restart_network();
			break;
		case FB_MENU_CERT:
			fb_regenerate_cert();
			break;
		case FB_MENU_LOCKDOWN:
			fb_lockdown();
			break;
		case FB_MENU_RESET:
			if (fb_reset())
				return true;
			break;
		}
	}
}
