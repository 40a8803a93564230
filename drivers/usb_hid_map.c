// SPDX-License-Identifier: MIT
/*
 * HID keyboard usage IDs (HID Usage Tables 1.12, chapter 10) to console
 * keys, US layout, and press-edge detection over a boot report's six key
 * slots (HID 1.11 appendix B.1). Pure code: tests/unit/test_usb_hid.c.
 */
#include <stddef.h>

#include "drivers/keys.h"
#include "drivers/usb_hid.h"

/* Usages 0x1e..0x38 that are not letters: unshifted, shifted. */
static const char usb_hid_sym[][2] = {
	{ '1', '!' }, { '2', '@' }, { '3', '#' }, { '4', '$' },
	{ '5', '%' }, { '6', '^' }, { '7', '&' }, { '8', '*' }, { '9', '(' },
	{ '0', ')' },			  /* 0x27 */
	{ '\r', '\r' }, { 0x1b, 0x1b }, { 0x7f, 0x7f }, { '\t', '\t' },
	{ ' ', ' ' },			  /* 0x2c */
	{ '-', '_' }, { '=', '+' }, { '[', '{' }, { ']', '}' },
	{ '\\', '|' },			  /* 0x31 */
	{ '#', '~' },			  /* 0x32 non-US # (ISO key) */
	{ ';', ':' }, { '\'', '"' }, { '`', '~' }, { ',', '<' },
	{ '.', '>' }, { '/', '?' },	  /* 0x38 */
};

/* 0x49..0x52: the editing block and arrows. */
static const int usb_hid_nav[] = {
	KEY_INSERT, KEY_HOME, KEY_PGUP, KEY_DELETE, KEY_END,
	KEY_PGDN,   KEY_RIGHT, KEY_LEFT, KEY_DOWN,	KEY_UP,
};

int usb_hid_usage_to_key(uint8_t usage, uint8_t mods, bool caps)
{
	bool shift = mods & (USB_HID_MOD_LSHIFT | USB_HID_MOD_RSHIFT);
	bool ctrl = mods & (USB_HID_MOD_LCTRL | USB_HID_MOD_RCTRL);

	if (usage >= 0x04 && usage <= 0x1d) { /* a..z */
		char c = 'a' + (usage - 0x04);
		if (ctrl)
			return c & 0x1f; /* Ctrl+letter: the control code */
		return (shift != caps) ? c - 'a' + 'A' : c;
	}
	if (usage >= 0x1e && usage <= 0x38)
		return usb_hid_sym[usage - 0x1e][shift ? 1 : 0];
	if (usage >= 0x3a && usage <= 0x45) /* F1..F12 */
		return KEY_F1 + (usage - 0x3a);
	if (usage >= 0x49 && usage <= 0x52)
		return usb_hid_nav[usage - 0x49];
	switch (usage) {
	case 0x54: /* keypad / * - + Enter */
		return '/';
	case 0x55:
		return '*';
	case 0x56:
		return '-';
	case 0x57:
		return '+';
	case 0x58:
		return KEY_ENTER;
	}
	return KEY_NONE;
}

int usb_hid_kbd_report(struct usb_hid_kbd *k, const uint8_t *rep,
		       unsigned int len, int keys[6])
{
	unsigned int nslots, n = 0;
	uint8_t now[6] = { 0 };
	bool rollover = true;

	if (len < 3)
		return 0;
	nslots = len - 2 > 6 ? 6 : len - 2;
	for (unsigned int i = 0; i < nslots; i++) {
		now[i] = rep[2 + i];
		if (now[i] != USB_HID_USAGE_ROLLOVER)
			rollover = false;
	}
	/* Phantom state: the keyboard cannot tell which keys are down. */
	if (rollover)
		return 0;
	for (unsigned int i = 0; i < nslots; i++) {
		bool was = false;
		int key;

		if (now[i] < 0x04) /* none, rollover, POST fail, undefined */
			continue;
		for (unsigned int j = 0; j < 6; j++)
			if (k->held[j] == now[i])
				was = true;
		if (was)
			continue;
		if (now[i] == USB_HID_USAGE_CAPS) {
			k->caps = !k->caps;
			continue;
		}
		key = usb_hid_usage_to_key(now[i], rep[0], k->caps);
		if (key != KEY_NONE)
			keys[n++] = key;
	}
	for (unsigned int i = 0; i < 6; i++)
		k->held[i] = now[i];
	return n;
}
