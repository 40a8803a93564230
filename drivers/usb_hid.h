/* SPDX-License-Identifier: MIT */
/*
 * USB HID boot-protocol keyboards (HID 1.11 appendix B): the pure part,
 * unit-tested on the host. A boot report is 8 bytes: modifiers, a
 * reserved byte, and up to six usage IDs of keys held down (HID Usage
 * Tables 1.12 chapter 10). Keys are reported on the press edge.
 */
#ifndef KEEL_DRIVERS_USB_HID_H
#define KEEL_DRIVERS_USB_HID_H

#include <stdbool.h>
#include <stdint.h>

#define USB_HID_MOD_LCTRL 0x01
#define USB_HID_MOD_LSHIFT 0x02
#define USB_HID_MOD_RCTRL 0x10
#define USB_HID_MOD_RSHIFT 0x20
#define USB_HID_USAGE_ROLLOVER 0x01 /* ErrorRollOver: too many keys */
#define USB_HID_USAGE_CAPS 0x39

struct usb_hid_kbd {
	uint8_t held[6]; /* usages down in the last good report */
	bool caps;	 /* caps lock toggled on */
};

/*
 * The drivers/keys.h code for usage @usage with modifier byte @mods and
 * caps lock @caps (US layout), or KEY_NONE for keys the console does not
 * use (modifiers, keypad digits, media keys).
 */
int usb_hid_usage_to_key(uint8_t usage, uint8_t mods, bool caps);

/*
 * Feed one report of @len bytes: fills @keys with up to 6 keys newly
 * pressed (not held in the previous report) and returns how many. A
 * report shorter than 3 bytes, or a rollover error report (every slot
 * ErrorRollOver, HID 1.11 appendix C), changes nothing and returns 0.
 */
int usb_hid_kbd_report(struct usb_hid_kbd *k, const uint8_t *rep,
		       unsigned int len, int keys[6]);

#endif
