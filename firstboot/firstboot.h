/* SPDX-License-Identifier: MIT */
/*
 * First boot (docs/firstboot.md): the settings the wizard or keel.cfg
 * collect, and the one function that makes them the host's. Both paths
 * call fb_apply_setup(), so a kickstarted host is the same as one set up
 * by hand.
 */
#ifndef KEEL_FIRSTBOOT_FIRSTBOOT_H
#define KEEL_FIRSTBOOT_FIRSTBOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netcfg.h"
#define FB_HOSTNAME_MAX 254
#define FB_PW_MAX 128
struct fb_setup {
	/* Exactly one of password / password_hash is non-empty. */
	char password[FB_PW_MAX];
	char password_hash[FB_PW_MAX + 64];
	char hostname[FB_HOSTNAME_MAX];
	struct net_config net;
};
/*
 * Generate the TLS identity for @s's host name and address, then store
 * password, host name, network, key and certificate and the "configured"
 * flag in one transaction, then apply the network. 0 or -errno (nothing
 * stored). @who names the source in the audit log ("console",
 * "keel.cfg").
 */
int fb_apply_setup(const struct fb_setup *s, const char *who);
/* Boot of a configured host: apply the stored management network. */
void fb_apply_stored(void);

#endif
