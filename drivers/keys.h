/* SPDX-License-Identifier: MIT */
/*
 * Key events for the console (the setup screen): printable characters as
 * their ASCII code, everything else as KEY_* values above 0xff. PS/2, USB
 * HID and serial (VT100 escape sequences, drivers/vt100.c) all produce
 * these, so the console code never sees where a key came from.
 */
#ifndef KEEL_DRIVERS_KEYS_H
#define KEEL_DRIVERS_KEYS_H

#include <stdint.h>

enum key {
	KEY_NONE = 0,
	KEY_TAB = '\t',
	KEY_ENTER = '\r',
	KEY_ESC = 0x1b,
	KEY_BACKSPACE = 0x7f,
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_INSERT,
	KEY_DELETE,
	KEY_PGUP,
	KEY_PGDN,
	KEY_F1,
	KEY_F2,
	KEY_F3,
	KEY_F4,
	KEY_F5,
	KEY_F6,
	KEY_F7,
	KEY_F8,
	KEY_F9,
	KEY_F10,
	KEY_F11,
	KEY_F12,
};


/*
 * The console's key queue (drivers/keys.c). Every keyboard (i8042, USB
 * HID, the serial line) pushes here, from interrupt or thread context;
 * the console reads in order. A full queue drops the newest key.
 */
void keys_push(int key);
/* The next key, waiting up to @timeout_ns (0: don't wait); KEY_NONE if none. */
int keys_get(uint64_t timeout_ns);
/* "a", "Enter", "F2", "Up": a key's name for logs and tests. */
const char *keys_name(int key, char buf[8]);

#endif
