/* SPDX-License-Identifier: MIT */
/*
 * The setup console's screens, between the files of firstboot/ that
 * draw them (docs/firstboot.md "Console"). All run on the console
 * thread (fb_main.c) with the screen taken (con_enter).
 */
#ifndef KEEL_FIRSTBOOT_FB_CONSOLE_H
#define KEEL_FIRSTBOOT_FB_CONSOLE_H
#include "firstboot/firstboot.h"
#include "firstboot/ks.h"
#include <stdbool.h>
#include <stddef.h>

/* Who the console's changes are audited as. */
#define FB_WHO "console"

/* fb_wizard.c: first boot. @ks_err is a refused keel.cfg to show first
 * (or NULL). Returns when the host is configured. */
void fb_wizard_run(const struct ks_error *ks_err);

/* fb_netform.c: the management network form (wizard and F2). Fills
 * @c and @hostname; 0 when accepted, -1 on Esc. */
int fb_netform_edit(const char *title, const char *intro, struct net_config *c,
		    char *hostname, size_t hlen);
/* Settings as lines ("IPv4: static 10.0.0.5/24\nGateway: ..."). */
void fb_net_summary(const struct net_config *c, const char *hostname, char *buf,
		    size_t len);
/* The new root password, twice, checked: 0, or -1 on Esc. */
int fb_password_form(const char *title, char *pw, size_t len);

/* fb_status.c: the status screen until F2 or F12 is pressed; returns
 * the key. */
int fb_status_run(void);

/* fb_login.c: ask for the root password (counted, slowed down, audited).
 * true when it matched. */
bool fb_login(const char *why);

/* fb_customize.c: the F2 menu. true when the store was reset (back to
 * the wizard). */
bool fb_customize_run(void);
/* fb_power.c: the F12 menu (does not return when the host goes down). */
void fb_power_run(void);

/* fb_tools.c: the log viewer and the network test. */
void fb_view_log(void);
void fb_test_network(void);
#endif
