/* SPDX-License-Identifier: MIT */
/*
 * `keelctl vm console NAME` (docs/keelctl.md "Console"): the guest's
 * serial port through vm.console.read/write, by cursor.
 */
#ifndef KEEL_CLIENT_CONSOLE_H
#define KEEL_CLIENT_CONSOLE_H

#include <stddef.h>

struct kc_client;

/* Ctrl-], telnet's and virsh's escape: ends the session. */
#define KC_CONSOLE_ESCAPE 0x1d

int kc_cmd_vm_console(struct kc_client *c, int argc, char **argv);

/* Bytes of @buf before the escape, or @len when there is none. */
size_t kc_console_until_escape(const char *buf, size_t len);

#endif
