// SPDX-License-Identifier: MIT
/*
 * The USB descriptor parser against what real devices send (a QEMU
 * usb-storage and usb-kbd, a SuperSpeed stick with companions, alternate
 * settings) and against hostile descriptor sets: zero or oversized
 * bLength, a wTotalLength that lies, too many interfaces or endpoints,
 * endpoints with no interface, duplicates. A refusal must name a reason
 * and never read past the buffer (ASan checks the latter: every hostile
 * set is copied into a buffer of exactly its length).
 * UNIT_SRCS: drivers/usb_desc.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/usb_desc.h"
#include "unit.h"

/* Parse @n bytes from a heap copy of exactly that size. */
static int parse(const uint8_t *d, size_t n, struct usb_config_desc *c,
		 const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, d, n);
	*why = NULL;
	rc = usb_desc_parse_config(copy, n, c, why);
	free(copy);
	return rc;
}

#define CFG(total, nif) 9, 2, (total) & 0xff, (total) >> 8, (nif), 1, 0, 0x80, 50
#define IFACE(num, alt, neps, cls, sub, proto) 9, 4, (num), (alt), (neps), (cls), (sub), (proto), 0
#define EP(addr, attr, mps, ival) 7, 5, (addr), (attr), (mps) & 0xff, (mps) >> 8, (ival)

/* QEMU usb-storage (high speed): one interface, bulk in and out. */
static const uint8_t msc[] = {
	CFG(32, 1), IFACE(0, 0, 2, 8, 6, 0x50),
	EP(0x81, 2, 512, 0), EP(0x02, 2, 512, 0),
};

UNIT_TEST(usb_desc_mass_storage)
{
	struct usb_config_desc c;
	const char *why;

	UNIT_CHECK(parse(msc, sizeof(msc), &c, &why) == 0);
	UNIT_CHECK(c.value == 1 && c.nifaces == 1 && c.total_len == 32);
	UNIT_CHECK(c.ifaces[0].class == 8 && c.ifaces[0].subclass == 6 &&
		   c.ifaces[0].protocol == 0x50 && c.ifaces[0].neps == 2);
	const struct usb_ep_desc *in = usb_desc_find_ep(&c.ifaces[0], USB_EP_BULK, true);
	const struct usb_ep_desc *out = usb_desc_find_ep(&c.ifaces[0], USB_EP_BULK, false);
	UNIT_CHECK(in && in->addr == 0x81 && in->max_packet == 512);
	UNIT_CHECK(out && out->addr == 0x02);
	UNIT_CHECK(!usb_desc_find_ep(&c.ifaces[0], USB_EP_INTR, true));
}

/* A keyboard: the HID class descriptor sits between interface and endpoint. */
UNIT_TEST(usb_desc_keyboard_with_hid_descriptor)
{
	const uint8_t kbd[] = {
		CFG(34, 1), IFACE(0, 0, 1, 3, 1, 1),
		9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,
		EP(0x81, 3, 8, 10),
	};
	struct usb_config_desc c;
	const char *why;

	UNIT_CHECK(parse(kbd, sizeof(kbd), &c, &why) == 0);
	UNIT_CHECK(c.ifaces[0].neps == 1 && c.ifaces[0].eps[0].type == USB_EP_INTR &&
		   c.ifaces[0].eps[0].interval == 10 && c.ifaces[0].eps[0].max_packet == 8);
}

/* SuperSpeed companions give max burst; alternate settings are skipped. */
UNIT_TEST(usb_desc_superspeed_and_alternates)
{
	const uint8_t d[] = {
		CFG(9 + 9 + 7 + 6 + 7 + 6 + 9 + 7 + 7 + 9 + 7, 2),
		IFACE(0, 0, 2, 8, 6, 0x50),
		EP(0x81, 2, 1024, 0), 6, 0x30, 15, 0, 0, 0,
		EP(0x02, 2, 1024, 0), 6, 0x30, 3, 0, 0, 0,
		IFACE(0, 1, 2, 8, 6, 0x62), /* UAS alternate: skipped */
		EP(0x83, 2, 1024, 0), EP(0x04, 2, 1024, 0),
		IFACE(1, 0, 1, 3, 1, 1), EP(0x85, 3, 8, 4),
	};
	struct usb_config_desc c;
	const char *why;

	UNIT_CHECK(parse(d, sizeof(d), &c, &why) == 0);
	UNIT_CHECK(c.nifaces == 2);
	UNIT_CHECK(c.ifaces[0].neps == 2 && c.ifaces[0].eps[0].max_burst == 15 &&
		   c.ifaces[0].eps[1].max_burst == 3);
	UNIT_CHECK(c.ifaces[1].number == 1 && c.ifaces[1].eps[0].addr == 0x85);
}

/* Each hostile set must be refused with a reason, not parsed. */
static void refuse(const uint8_t *d, size_t n, const char *reason_part)
{
	struct usb_config_desc c;
	const char *why;

	UNIT_CHECK(parse(d, n, &c, &why) == -EBADMSG);
	UNIT_CHECK(why && strstr(why, reason_part));
	if (why && !strstr(why, reason_part))
		printf("  reason was: %s (wanted %s)\n", why, reason_part);
}

UNIT_TEST(usb_desc_hostile_lengths)
{
	/* bLength 0 would loop forever on a naive walker. */
	const uint8_t zero[] = { CFG(20, 1), IFACE(0, 0, 0, 8, 6, 0x50), 0, 5 };
	/* An endpoint descriptor running past wTotalLength. */
	const uint8_t past[] = { CFG(23, 1), IFACE(0, 0, 1, 8, 6, 0x50), 7, 5, 0x81, 2, 0 };
	/* bLength 1. */
	const uint8_t one[] = { CFG(20, 1), IFACE(0, 0, 0, 8, 6, 0x50), 1, 5 };
	/* Truncated header: one byte left. */
	const uint8_t tail[] = { CFG(19, 1), IFACE(0, 0, 0, 8, 6, 0x50), 7 };
	/* Short interface and endpoint descriptors. */
	const uint8_t short_if[] = { CFG(14, 1), 5, 4, 0, 0, 0 };
	const uint8_t short_ep[] = { CFG(23, 1), IFACE(0, 0, 1, 8, 6, 0x50), 5, 5, 0x81, 2, 0 };

	refuse(zero, sizeof(zero), "bLength below 2");
	refuse(past, sizeof(past), "past wTotalLength");
	refuse(one, sizeof(one), "bLength below 2");
	refuse(tail, sizeof(tail), "header past the end");
	refuse(short_if, sizeof(short_if), "interface descriptor short");
	refuse(short_ep, sizeof(short_ep), "endpoint descriptor short");
}

UNIT_TEST(usb_desc_total_length_lies)
{
	uint8_t d[sizeof(msc)];

	memcpy(d, msc, sizeof(d));
	d[2] = 200; /* claims more than was received */
	refuse(d, sizeof(d), "wTotalLength past the bytes received");
	d[2] = 4;
	refuse(d, sizeof(d), "wTotalLength below 9");
	refuse(msc, 8, "not a configuration descriptor");
	refuse(msc, 0, "not a configuration descriptor");
	/* wTotalLength shorter than what was received: the rest is ignored. */
	memcpy(d, msc, sizeof(d));
	d[2] = 18;
	d[13] = 0; /* the interface then must announce no endpoints */
	struct usb_config_desc c;
	const char *why;
	UNIT_CHECK(parse(d, sizeof(d), &c, &why) == 0 && c.ifaces[0].neps == 0);
	/* A configuration bLength past wTotalLength. */
	const uint8_t big[] = { 40, 2, 9, 0, 1, 1, 0, 0x80, 50 };
	refuse(big, sizeof(big), "bLength past wTotalLength");
}

UNIT_TEST(usb_desc_too_many)
{
	uint8_t d[9 + 9 * (USB_MAX_IFACES + 1)];
	unsigned int n = 9;

	/* More interfaces than Keel keeps. */
	memcpy(d, (uint8_t[]){ CFG(sizeof(d), USB_MAX_IFACES) }, 9);
	for (unsigned int i = 0; i <= USB_MAX_IFACES; i++, n += 9)
		memcpy(d + n, (uint8_t[]){ IFACE(i, 0, 0, 3, 0, 0) }, 9);
	refuse(d, sizeof(d), "too many interfaces");
	/* bNumInterfaces above the limit. */
	d[4] = USB_MAX_IFACES + 1;
	refuse(d, sizeof(d), "too many interfaces");
	/* More interfaces than announced. */
	const uint8_t two[] = { CFG(27, 1), IFACE(0, 0, 0, 3, 0, 0), IFACE(1, 0, 0, 3, 0, 0) };
	refuse(two, sizeof(two), "more interfaces than bNumInterfaces");
	/* More endpoints than Keel keeps, and than announced. */
	const uint8_t eps[] = { CFG(18, 1), 9, 4, 0, 0, USB_MAX_EPS + 1, 8, 6, 0x50, 0 };
	refuse(eps, sizeof(eps), "too many endpoints");
	const uint8_t extra[] = { CFG(32, 1), IFACE(0, 0, 1, 8, 6, 0x50),
				  EP(0x81, 2, 512, 0), EP(0x02, 2, 512, 0) };
	refuse(extra, sizeof(extra), "more endpoints than bNumEndpoints");
	const uint8_t fewer[] = { CFG(25, 1), IFACE(0, 0, 2, 8, 6, 0x50),
				  EP(0x81, 2, 512, 0) };
	refuse(fewer, sizeof(fewer), "fewer endpoints than bNumEndpoints");
}

UNIT_TEST(usb_desc_nonsense_structure)
{
	const uint8_t orphan[] = { CFG(16, 1), EP(0x81, 2, 512, 0) };
	const uint8_t ep0[] = { CFG(25, 1), IFACE(0, 0, 1, 8, 6, 0x50), EP(0x80, 2, 512, 0) };
	const uint8_t dup_ep[] = { CFG(32, 1), IFACE(0, 0, 2, 8, 6, 0x50),
				   EP(0x81, 2, 512, 0), EP(0x81, 2, 512, 0) };
	const uint8_t dup_if[] = { CFG(27, 2), IFACE(0, 0, 0, 8, 6, 0x50),
				   IFACE(0, 0, 0, 3, 1, 1) };
	const uint8_t mps0[] = { CFG(25, 1), IFACE(0, 0, 1, 8, 6, 0x50), EP(0x81, 2, 0, 0) };
	const uint8_t nested[] = { CFG(18, 1), CFG(9, 1) };
	const uint8_t none[] = { CFG(9, 0) };

	refuse(orphan, sizeof(orphan), "endpoint before any interface");
	refuse(ep0, sizeof(ep0), "bad endpoint address");
	refuse(dup_ep, sizeof(dup_ep), "endpoint address repeated");
	refuse(dup_if, sizeof(dup_if), "interface number repeated");
	refuse(mps0, sizeof(mps0), "max packet size 0");
	refuse(nested, sizeof(nested), "second configuration");
	refuse(none, sizeof(none), "no interfaces");
}

UNIT_TEST(usb_desc_device)
{
	const uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x27, 0x06,
				  0x01, 0x00, 0, 0, 1, 2, 3, 1 };
	uint8_t bad[18];
	struct usb_device_desc d;
	const char *why;

	UNIT_CHECK(usb_desc_parse_device(dev, 18, &d, &why) == 0);
	UNIT_CHECK(d.vendor == 0x0627 && d.product == 1 && d.max_packet0 == 64 &&
		   d.bcd_usb == 0x200 && d.nconfigs == 1);
	UNIT_CHECK(usb_desc_parse_device(dev, 17, &d, &why) == -EBADMSG);
	memcpy(bad, dev, 18);
	bad[7] = 7;
	UNIT_CHECK(usb_desc_parse_device(bad, 18, &d, &why) == -EBADMSG &&
		   strstr(why, "bMaxPacketSize0"));
	memcpy(bad, dev, 18);
	bad[1] = 2;
	UNIT_CHECK(usb_desc_parse_device(bad, 18, &d, &why) == -EBADMSG);
	memcpy(bad, dev, 18);
	bad[17] = 0;
	UNIT_CHECK(usb_desc_parse_device(bad, 18, &d, &why) == -EBADMSG);
}

/* Every truncation and every single-byte corruption of a good set either
 * parses or is refused: never a crash or an out-of-bounds read. */
UNIT_TEST(usb_desc_fuzz_truncate_and_flip)
{
	struct usb_config_desc c;
	const char *why;
	uint8_t d[sizeof(msc)];

	for (size_t n = 0; n <= sizeof(msc); n++) {
		int rc = parse(msc, n, &c, &why);
		UNIT_CHECK(rc == 0 || (rc == -EBADMSG && why));
		UNIT_CHECK(rc == 0 ? n == sizeof(msc) : n < sizeof(msc));
	}
	for (size_t i = 0; i < sizeof(msc); i++) {
		for (unsigned int v = 0; v < 256; v += 7) {
			memcpy(d, msc, sizeof(d));
			d[i] = v;
			int rc = parse(d, sizeof(d), &c, &why);
			UNIT_CHECK(rc == 0 || (rc == -EBADMSG && why));
			if (rc == 0)
				UNIT_CHECK(c.nifaces >= 1 && c.ifaces[0].neps <= USB_MAX_EPS);
		}
	}
}
