/* SPDX-License-Identifier: MIT */
/*
 * keel.cfg, the unattended first boot (ARCHITECTURE.md section 8): ESXi
 * kickstart syntax for the commands Keel supports. The parser is pure
 * (unit-tested on the host); firstboot/ks_boot.c finds the file on the
 * boot partition, applies it through fb_apply_setup() and removes it.
 */
#ifndef KEEL_FIRSTBOOT_KS_H
#define KEEL_FIRSTBOOT_KS_H
#include <stddef.h>
#include "firstboot/firstboot.h"
struct ks_error {
	int line; /* 1-based; 0 for the file as a whole */
	char why[96];
};
/*
 * Parse @len bytes of keel.cfg into @s (which starts from defaults: DHCP,
 * IPv6 on, hostname "localhost"). Commands: `rootpw [--iscrypted] PW`
 * (required), `network --bootproto=dhcp|static [--ip= --netmask=
 * --gateway=] [--nameserver=A[,B]] [--hostname=] [--vlanid=]`,
 * `keyboard`, `accepteula`, `install`/`vmaccepteula` ... accepted and
 * ignored where ESXi has them, `#` comments, blank lines. Options take
 * `--opt=value` or `--opt value`; values may be double-quoted. Every
 * value goes through fb_validate.h. 0, or -EINVAL with the first error.
 */
int ks_parse(const char *text, size_t len, struct fb_setup *s,
	     struct ks_error *err);
/* Boot: if the boot partition holds keel.cfg, apply it. 1 applied (file
 * removed), 0 no file, -errno refused (reason logged and on the console
 * via @err). */
int ks_boot(struct ks_error *err);
/*
 * After the wizard has set up a host whose keel.cfg was refused: remove
 * the file, which may hold a password in clear, and which a later boot
 * would ignore anyway. 1 removed, 0 none, -errno (logged loudly).
 */
int ks_discard(void);
#endif
