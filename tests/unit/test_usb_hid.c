// SPDX-License-Identifier: MIT
/*
 * USB HID boot keyboard reports to console keys (US layout): letters with
 * shift and caps lock, digits and punctuation, the keys the setup screen
 * uses, press-edge detection over the six key slots, and rollover error
 * reports ignored (HID 1.11 appendix B and C).
 * UNIT_SRCS: drivers/usb_hid_map.c
 */
#include "drivers/keys.h"
#include "drivers/usb_hid.h"
#include "unit.h"

#define LSHIFT USB_HID_MOD_LSHIFT
#define RSHIFT USB_HID_MOD_RSHIFT

UNIT_TEST(usb_hid_usage_table)
{
	UNIT_CHECK(usb_hid_usage_to_key(0x04, 0, false) == 'a');
	UNIT_CHECK(usb_hid_usage_to_key(0x1d, 0, false) == 'z');
	UNIT_CHECK(usb_hid_usage_to_key(0x04, LSHIFT, false) == 'A');
	UNIT_CHECK(usb_hid_usage_to_key(0x04, RSHIFT, false) == 'A');
	UNIT_CHECK(usb_hid_usage_to_key(0x04, 0, true) == 'A');
	UNIT_CHECK(usb_hid_usage_to_key(0x04, LSHIFT, true) == 'a');
	UNIT_CHECK(usb_hid_usage_to_key(0x06, USB_HID_MOD_LCTRL, false) == 3);
	UNIT_CHECK(usb_hid_usage_to_key(0x1e, 0, false) == '1');
	UNIT_CHECK(usb_hid_usage_to_key(0x1e, LSHIFT, false) == '!');
	UNIT_CHECK(usb_hid_usage_to_key(0x1f, LSHIFT, false) == '@');
	UNIT_CHECK(usb_hid_usage_to_key(0x27, 0, false) == '0');
	UNIT_CHECK(usb_hid_usage_to_key(0x27, LSHIFT, false) == ')');
	UNIT_CHECK(usb_hid_usage_to_key(0x1e, 0, true) == '1'); /* caps: letters only */
	UNIT_CHECK(usb_hid_usage_to_key(0x28, 0, false) == KEY_ENTER);
	UNIT_CHECK(usb_hid_usage_to_key(0x29, 0, false) == KEY_ESC);
	UNIT_CHECK(usb_hid_usage_to_key(0x2a, 0, false) == KEY_BACKSPACE);
	UNIT_CHECK(usb_hid_usage_to_key(0x2b, 0, false) == KEY_TAB);
	UNIT_CHECK(usb_hid_usage_to_key(0x2c, LSHIFT, false) == ' ');
	UNIT_CHECK(usb_hid_usage_to_key(0x2d, 0, false) == '-');
	UNIT_CHECK(usb_hid_usage_to_key(0x2d, LSHIFT, false) == '_');
	UNIT_CHECK(usb_hid_usage_to_key(0x2e, LSHIFT, false) == '+');
	UNIT_CHECK(usb_hid_usage_to_key(0x2f, 0, false) == '[');
	UNIT_CHECK(usb_hid_usage_to_key(0x30, LSHIFT, false) == '}');
	UNIT_CHECK(usb_hid_usage_to_key(0x31, LSHIFT, false) == '|');
	UNIT_CHECK(usb_hid_usage_to_key(0x33, 0, false) == ';');
	UNIT_CHECK(usb_hid_usage_to_key(0x33, LSHIFT, false) == ':');
	UNIT_CHECK(usb_hid_usage_to_key(0x34, LSHIFT, false) == '"');
	UNIT_CHECK(usb_hid_usage_to_key(0x35, 0, false) == '`');
	UNIT_CHECK(usb_hid_usage_to_key(0x36, LSHIFT, false) == '<');
	UNIT_CHECK(usb_hid_usage_to_key(0x37, 0, false) == '.');
	UNIT_CHECK(usb_hid_usage_to_key(0x38, LSHIFT, false) == '?');
	UNIT_CHECK(usb_hid_usage_to_key(0x3a, 0, false) == KEY_F1);
	UNIT_CHECK(usb_hid_usage_to_key(0x3b, 0, false) == KEY_F2);
	UNIT_CHECK(usb_hid_usage_to_key(0x45, 0, false) == KEY_F12);
	UNIT_CHECK(usb_hid_usage_to_key(0x49, 0, false) == KEY_INSERT);
	UNIT_CHECK(usb_hid_usage_to_key(0x4a, 0, false) == KEY_HOME);
	UNIT_CHECK(usb_hid_usage_to_key(0x4b, 0, false) == KEY_PGUP);
	UNIT_CHECK(usb_hid_usage_to_key(0x4c, 0, false) == KEY_DELETE);
	UNIT_CHECK(usb_hid_usage_to_key(0x4d, 0, false) == KEY_END);
	UNIT_CHECK(usb_hid_usage_to_key(0x4e, 0, false) == KEY_PGDN);
	UNIT_CHECK(usb_hid_usage_to_key(0x4f, 0, false) == KEY_RIGHT);
	UNIT_CHECK(usb_hid_usage_to_key(0x50, 0, false) == KEY_LEFT);
	UNIT_CHECK(usb_hid_usage_to_key(0x51, 0, false) == KEY_DOWN);
	UNIT_CHECK(usb_hid_usage_to_key(0x52, 0, false) == KEY_UP);
	UNIT_CHECK(usb_hid_usage_to_key(0x58, 0, false) == KEY_ENTER);
	/* Not for the console: modifiers, caps lock itself, media keys. */
	UNIT_CHECK(usb_hid_usage_to_key(0x00, 0, false) == KEY_NONE);
	UNIT_CHECK(usb_hid_usage_to_key(0x39, 0, false) == KEY_NONE);
	UNIT_CHECK(usb_hid_usage_to_key(0xe1, 0, false) == KEY_NONE);
	UNIT_CHECK(usb_hid_usage_to_key(0x80, 0, false) == KEY_NONE);
}

static int feed(struct usb_hid_kbd *k, uint8_t mods, uint8_t a, uint8_t b,
		int keys[6])
{
	const uint8_t rep[8] = { mods, 0, a, b, 0, 0, 0, 0 };
	return usb_hid_kbd_report(k, rep, 8, keys);
}

UNIT_TEST(usb_hid_press_edges)
{
	struct usb_hid_kbd k = { 0 };
	int keys[6];

	UNIT_CHECK(feed(&k, 0, 0x04, 0, keys) == 1 && keys[0] == 'a');
	UNIT_CHECK(feed(&k, 0, 0x04, 0, keys) == 0); /* held: no repeat */
	UNIT_CHECK(feed(&k, 0, 0x04, 0x05, keys) == 1 && keys[0] == 'b');
	/* a released, b now in slot 0: b is not pressed again. */
	UNIT_CHECK(feed(&k, 0, 0x05, 0, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0, 0, keys) == 0);
	UNIT_CHECK(feed(&k, LSHIFT, 0x04, 0x1e, keys) == 2 && keys[0] == 'A' &&
		   keys[1] == '!');
	/* Shift alone changes nothing. */
	UNIT_CHECK(feed(&k, 0, 0, 0, keys) == 0);
	UNIT_CHECK(feed(&k, LSHIFT, 0, 0, keys) == 0);
}

UNIT_TEST(usb_hid_rollover_and_caps)
{
	struct usb_hid_kbd k = { 0 };
	const uint8_t roll[8] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	int keys[6];

	UNIT_CHECK(feed(&k, 0, 0x04, 0, keys) == 1);
	/* Rollover error: ignored, state kept, so 'a' is not pressed again. */
	UNIT_CHECK(usb_hid_kbd_report(&k, roll, 8, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0x04, 0, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0, 0, keys) == 0);
	/* Caps lock toggles on its press edge only. */
	UNIT_CHECK(feed(&k, 0, 0x39, 0, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0x39, 0x04, keys) == 1 && keys[0] == 'A');
	UNIT_CHECK(feed(&k, 0, 0, 0, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0x39, 0, keys) == 0);
	UNIT_CHECK(feed(&k, 0, 0x04, 0, keys) == 1 && keys[0] == 'a');
	/* Runt reports change nothing; a short one uses the slots it has. */
	UNIT_CHECK(usb_hid_kbd_report(&k, roll, 2, keys) == 0);
	const uint8_t four[4] = { 0, 0, 0x3b, 0x52 };
	UNIT_CHECK(usb_hid_kbd_report(&k, four, 4, keys) == 2 && keys[0] == KEY_F2 &&
		   keys[1] == KEY_UP);
}
