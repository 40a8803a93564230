/* SPDX-License-Identifier: MIT */
/*
 * PS/2 keyboard scancodes, set 1 (what an i8042 delivers with translation
 * on, as firmware leaves it), to key events in the US layout. Pure logic;
 * the i8042 driver feeds it bytes from port 0x60.
 */
#ifndef KEEL_DRIVERS_KBD_SET1_H
#define KEEL_DRIVERS_KBD_SET1_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/keys.h"

struct kbd_set1 {
	bool e0;	   /* an 0xE0 prefix is pending */
	bool shift_l, shift_r, ctrl, caps;
	uint8_t skip;	   /* bytes left of a Pause sequence (E1 ...) */
};

/* Feed one scancode byte; a key on a make code, else KEY_NONE. */
int kbd_set1_feed(struct kbd_set1 *k, uint8_t code);

#endif
