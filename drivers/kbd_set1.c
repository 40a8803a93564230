// SPDX-License-Identifier: MIT
/*
 * Scancode set 1 (IBM PC/XT; the i8042's translated output): one byte per
 * make code, the same | 0x80 on release, 0xE0 before the "extended" keys
 * (arrows, editing block, right Ctrl), 0xE1 1D 45 E1 9D C5 for Pause.
 */
#include "drivers/kbd_set1.h"

/* Unshifted and shifted US layout for make codes 0x00-0x39. */
static const char kbd_plain[0x3a] =
	"\0\x1b" "1234567890-=\x7f\t" "qwertyuiop[]\r\0" "asdfghjkl;'`\0\\"
	"zxcvbnm,./\0*\0 ";
static const char kbd_shift[0x3a] =
	"\0\x1b" "!@#$%^&*()_+\x7f\t" "QWERTYUIOP{}\r\0" "ASDFGHJKL:\"~\0|"
	"ZXCVBNM<>?\0*\0 ";

static int kbd_set1_extended(uint8_t make)
{
	switch (make) {
	case 0x48: return KEY_UP;
	case 0x50: return KEY_DOWN;
	case 0x4b: return KEY_LEFT;
	case 0x4d: return KEY_RIGHT;
	case 0x47: return KEY_HOME;
	case 0x4f: return KEY_END;
	case 0x52: return KEY_INSERT;
	case 0x53: return KEY_DELETE;
	case 0x49: return KEY_PGUP;
	case 0x51: return KEY_PGDN;
	case 0x1c: return KEY_ENTER; /* keypad Enter */
	case 0x35: return '/';	      /* keypad / */
	default: return KEY_NONE;
	}
}

static int kbd_set1_fkey(uint8_t make)
{
	if (make >= 0x3b && make <= 0x44)
		return KEY_F1 + (make - 0x3b);
	if (make == 0x57)
		return KEY_F11;
	if (make == 0x58)
		return KEY_F12;
	return KEY_NONE;
}

int kbd_set1_feed(struct kbd_set1 *k, uint8_t code)
{
	bool e0 = k->e0, up = code & 0x80;
	uint8_t make = code & 0x7f;

	if (k->skip) { /* the rest of Pause, which sends no release */
		k->skip--;
		return KEY_NONE;
	}
	if (code == 0xe0) {
		k->e0 = true;
		return KEY_NONE;
	}
	if (code == 0xe1) {
		k->skip = 5;
		return KEY_NONE;
	}
	k->e0 = false;
	/* Modifiers; E0 2A/E0 AA are fake shifts around some extended keys. */
	switch (make) {
	case 0x2a:
		if (!e0)
			k->shift_l = !up;
		return KEY_NONE;
	case 0x36:
		if (!e0)
			k->shift_r = !up;
		return KEY_NONE;
	case 0x1d:
		k->ctrl = !up;
		return KEY_NONE;
	case 0x3a:
		if (!up)
			k->caps = !k->caps;
		return KEY_NONE;
	}
	if (up)
		return KEY_NONE;
	if (e0)
		return kbd_set1_extended(make);
	int f = kbd_set1_fkey(make);
	if (f != KEY_NONE)
		return f;
	if (make >= sizeof(kbd_plain) || !kbd_plain[make])
		return KEY_NONE;
	bool shift = k->shift_l || k->shift_r;
	char c = shift ? kbd_shift[make] : kbd_plain[make];
	if (k->caps && c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	else if (k->caps && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if (k->ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return (c & 0x1f); /* Ctrl+letter: the control code */
	return (uint8_t)c;
}
