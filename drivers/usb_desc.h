/* SPDX-License-Identifier: MIT */
/*
 * USB descriptors (USB 2.0 chapter 9.6, USB 3.2 9.6) and a parser for a
 * configuration descriptor set that trusts nothing the device sends: the
 * device is outside Keel's control (a stick from a drawer, a hostile
 * gadget), so every length is checked against what was really received.
 * Pure code, unit-tested on the host (tests/unit/test_usb_desc.c).
 */
#ifndef KEEL_DRIVERS_USB_DESC_H
#define KEEL_DRIVERS_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_DT_DEVICE 1
#define USB_DT_CONFIG 2
#define USB_DT_STRING 3
#define USB_DT_INTERFACE 4
#define USB_DT_ENDPOINT 5
#define USB_DT_SS_EP_COMP 0x30

/* Limits of what Keel keeps; more is refused as malformed. */
#define USB_MAX_IFACES 8
#define USB_MAX_EPS 8 /* per interface (alternate setting 0) */
#define USB_CONFIG_MAX 1024 /* bytes of configuration Keel will read */

/* Endpoint attributes (9.6.6): transfer type in bits 1:0. */
#define USB_EP_CONTROL 0
#define USB_EP_ISOC 1
#define USB_EP_BULK 2
#define USB_EP_INTR 3
#define USB_EP_IN 0x80

struct usb_device_desc {
	uint16_t bcd_usb;
	uint8_t class, subclass, protocol;
	uint8_t max_packet0; /* bMaxPacketSize0: 8/16/32/64, or 9 (512) */
	uint16_t vendor, product;
	uint8_t nconfigs;
};

struct usb_ep_desc {
	uint8_t addr;	/* bEndpointAddress: number | USB_EP_IN */
	uint8_t type;	/* USB_EP_* */
	uint16_t max_packet; /* bits 10:0 of wMaxPacketSize */
	uint8_t mult;	/* bits 12:11: extra transactions per microframe */
	uint8_t interval;
	uint8_t max_burst; /* SuperSpeed companion bMaxBurst, else 0 */
};

struct usb_iface_desc {
	uint8_t number, alt;
	uint8_t class, subclass, protocol;
	uint8_t neps;
	struct usb_ep_desc eps[USB_MAX_EPS];
};

struct usb_config_desc {
	uint16_t total_len;
	uint8_t value; /* bConfigurationValue for SET_CONFIGURATION */
	uint8_t attributes;
	uint8_t max_power;
	uint8_t nifaces; /* interfaces kept (alternate setting 0 only) */
	struct usb_iface_desc ifaces[USB_MAX_IFACES];
};

/*
 * Parse the 18-byte device descriptor in buf[0..len). 0, or -EBADMSG with
 * a reason in *why (a static string) when it is short or wrong.
 */
int usb_desc_parse_device(const uint8_t *buf, size_t len,
			  struct usb_device_desc *out, const char **why);

/*
 * Parse a whole configuration descriptor set (configuration, then
 * interfaces, endpoints and class descriptors in any order) of len bytes
 * as received. Refused (-EBADMSG, *why says which rule) when: it is
 * shorter than 9 bytes or not a configuration descriptor; wTotalLength
 * is below 9 or above len; a descriptor has bLength < 2 or runs past
 * wTotalLength; an interface or endpoint descriptor is shorter than its
 * type requires; more interfaces or endpoints than Keel keeps or than
 * bNumInterfaces / bNumEndpoints announce; an endpoint before any
 * interface; an endpoint address 0 or a duplicate; an interface number
 * repeated. Alternate settings other than 0 are skipped.
 */
int usb_desc_parse_config(const uint8_t *buf, size_t len,
			  struct usb_config_desc *out, const char **why);

/* The first endpoint of @iface with this type and direction, or NULL. */
const struct usb_ep_desc *usb_desc_find_ep(const struct usb_iface_desc *iface,
					   uint8_t type, bool in);

#endif
