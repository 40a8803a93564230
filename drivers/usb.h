/* SPDX-License-Identifier: MIT */
/*
 * The USB core: one struct usb_dev per device the host controller
 * addressed, enumeration (USB 2.0 9.1.2: descriptors, SET_CONFIGURATION)
 * and a registry of class drivers matched by interface class, subclass
 * and protocol. docs/usb.md.
 */
#ifndef KEEL_DRIVERS_USB_H
#define KEEL_DRIVERS_USB_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/usb_desc.h"

/* Speeds as xHCI PORTSC reports them (xHCI 1.2 7.2.2.1.1 default PSIs). */
enum usb_speed {
	USB_SPEED_FULL = 1,
	USB_SPEED_LOW = 2,
	USB_SPEED_HIGH = 3,
	USB_SPEED_SUPER = 4,
	USB_SPEED_SUPER_PLUS = 5,
};

/* Standard requests (USB 2.0 table 9-4) and request types. */
#define USB_REQ_GET_STATUS 0
#define USB_REQ_CLEAR_FEATURE 1
#define USB_REQ_SET_FEATURE 3
#define USB_REQ_GET_DESCRIPTOR 6
#define USB_REQ_SET_CONFIGURATION 9
#define USB_RT_IN 0x80
#define USB_RT_CLASS 0x20
#define USB_RT_IFACE 0x01
#define USB_RT_EP 0x02
#define USB_FEATURE_ENDPOINT_HALT 0

#define USB_CTRL_TIMEOUT_NS (1000ull * 1000 * 1000) /* 1 s */

struct xhci;
struct usb_class_driver;

struct usb_dev {
	struct xhci *hc;
	unsigned int slot;  /* xHCI slot id */
	unsigned int port;  /* root hub port, 1-based */
	enum usb_speed speed;
	char name[16];	    /* "usb-p3" for logs */
	struct usb_device_desc desc;
	struct usb_config_desc config;
	const struct usb_class_driver *driver;
	const struct usb_iface_desc *iface; /* the one the driver bound */
	void *driver_data;
	bool gone; /* timed out or unplugged: every request fails */
};

/*
 * A class driver: @probe gets the device and the interface that matched
 * (class/subclass/protocol; 0xff in the match means any) and returns 0
 * when it takes the device. Registered like PCI drivers.
 */
struct usb_class_driver {
	const char *name;
	uint8_t class, subclass, protocol;
	int (*probe)(struct usb_dev *dev, const struct usb_iface_desc *iface);
	/* The device went away (unplugged or dropped); may be NULL. */
	void (*disconnect)(struct usb_dev *dev);
};
#define USB_ANY 0xff
/*
 * Add a class driver to the registry. Class drivers register from an
 * INIT_PLATFORM initcall, so they are known before the PCI probe at
 * INIT_LIBS enumerates the first device (no linker-section table: the
 * linker script is shared by every room).
 */
struct usb_class_entry {
	const struct usb_class_driver *drv;
	struct usb_class_entry *next;
};
void usb_register_driver(struct usb_class_entry *e);

/*
 * A device was addressed on root port @port: read its descriptors, pick
 * configuration 1, and bind a class driver. The host controller calls
 * this; a device nothing wants stays addressed and logged. Returns 0 or
 * a negative errno (the controller then drops the slot).
 */
int usb_enumerate(struct usb_dev *dev);

/* Requests on endpoint 0 (through the controller). */
int usb_control(struct usb_dev *dev, uint8_t reqtype, uint8_t req,
		uint16_t value, uint16_t index, void *buf, uint16_t len);
int usb_clear_halt(struct usb_dev *dev, uint8_t ep_addr);

/* True when @iface is matched by @drv's class/subclass/protocol. */
bool usb_class_match(const struct usb_class_driver *drv,
		     const struct usb_iface_desc *iface);

const char *usb_speed_name(enum usb_speed s);

#endif
