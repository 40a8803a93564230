/* SPDX-License-Identifier: MIT */
/*
 * Serial-console input: bytes from a VT100/xterm-style terminal (what an
 * operator's terminal emulator or a BMC's serial-over-LAN sends) to key
 * events. Pure logic, unit-tested on the host.
 */
#ifndef KEEL_DRIVERS_VT100_H
#define KEEL_DRIVERS_VT100_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/keys.h"

struct vt100 {
	uint8_t buf[8]; /* an escape sequence being collected */
	unsigned int len;
	bool discard;	/* inside an overlong sequence: drop to its end */
};

/*
 * Feed one byte; stores up to two completed keys in @keys (ESC followed by
 * an ordinary key gives both) and returns how many. A lone ESC is reported
 * by vt100_timeout() when no more bytes follow.
 */
int vt100_feed(struct vt100 *t, uint8_t byte, int keys[2]);
/* Nothing arrived for a while (~50 ms): a pending lone ESC is the ESC key. */
int vt100_timeout(struct vt100 *t);

#endif
