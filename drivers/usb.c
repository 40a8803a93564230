// SPDX-License-Identifier: MIT
/*
 * The USB core: enumeration of a device the host controller addressed
 * (USB 2.0 9.1.2, 9.4), the class-driver registry, and helpers on
 * endpoint 0. Malformed descriptors are refused with a log line naming
 * the broken rule (drivers/usb_desc.c); the device is then dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "drivers/usb.h"
#include "drivers/xhci.h"

static struct usb_class_entry *usb_drivers;

void usb_register_driver(struct usb_class_entry *e)
{
	struct usb_class_entry **p = &usb_drivers;

	while (*p) /* keep registration order */
		p = &(*p)->next;
	e->next = NULL;
	*p = e;
}

const char *usb_speed_name(enum usb_speed s)
{
	switch (s) {
	case USB_SPEED_LOW:
		return "low";
	case USB_SPEED_FULL:
		return "full";
	case USB_SPEED_HIGH:
		return "high";
	case USB_SPEED_SUPER:
		return "super";
	case USB_SPEED_SUPER_PLUS:
		return "super+";
	}
	return "unknown";
}

int usb_control(struct usb_dev *dev, uint8_t reqtype, uint8_t req,
		uint16_t value, uint16_t index, void *buf, uint16_t len)
{
	return xhci_control(dev, reqtype, req, value, index, buf, len,
			    USB_CTRL_TIMEOUT_NS);
}

int usb_clear_halt(struct usb_dev *dev, uint8_t ep_addr)
{
	int rc = usb_control(dev, USB_RT_EP, USB_REQ_CLEAR_FEATURE,
			     USB_FEATURE_ENDPOINT_HALT, ep_addr, NULL, 0);
	return rc < 0 ? rc : 0;
}

bool usb_class_match(const struct usb_class_driver *drv,
		     const struct usb_iface_desc *iface)
{
	return (drv->class == USB_ANY || drv->class == iface->class) &&
	       (drv->subclass == USB_ANY || drv->subclass == iface->subclass) &&
	       (drv->protocol == USB_ANY || drv->protocol == iface->protocol);
}

static int usb_get_desc(struct usb_dev *dev, uint8_t type, void *buf,
			uint16_t len)
{
	return usb_control(dev, USB_RT_IN, USB_REQ_GET_DESCRIPTOR,
			   (uint16_t)type << 8, 0, buf, len);
}

static int usb_read_descriptors(struct usb_dev *dev, uint8_t *buf)
{
	const char *why = "";
	int n, total;

	/* The first 8 bytes carry bMaxPacketSize0 (USB 2.0 9.1.2, 5.5.3). */
	n = usb_get_desc(dev, USB_DT_DEVICE, buf, 8);
	if (n < 8) {
		log_warn("%s: no device descriptor (%d)", dev->name, n);
		return n < 0 ? n : -EIO;
	}
	if (dev->speed <= USB_SPEED_HIGH && buf[7] &&
	    xhci_set_ep0_mps(dev, buf[7]) < 0)
		return -EIO;
	n = usb_get_desc(dev, USB_DT_DEVICE, buf, 18);
	if (n < 0)
		return n;
	if (usb_desc_parse_device(buf, n, &dev->desc, &why)) {
		log_warn("%s: malformed device descriptor: %s; device ignored",
			 dev->name, why);
		return -EBADMSG;
	}
	n = usb_get_desc(dev, USB_DT_CONFIG, buf, 9);
	if (n < 0)
		return n;
	if (n < 9 || buf[1] != USB_DT_CONFIG) {
		log_warn("%s: malformed configuration descriptor: header short; device ignored",
			 dev->name);
		return -EBADMSG;
	}
	total = buf[2] | buf[3] << 8;
	if (total > USB_CONFIG_MAX) {
		log_warn("%s: malformed configuration descriptor: wTotalLength %d above %d; device ignored",
			 dev->name, total, USB_CONFIG_MAX);
		return -EBADMSG;
	}
	if (total > 9) {
		n = usb_get_desc(dev, USB_DT_CONFIG, buf, total);
		if (n < 0)
			return n;
	}
	if (usb_desc_parse_config(buf, n, &dev->config, &why)) {
		log_warn("%s: malformed configuration descriptor: %s; device ignored",
			 dev->name, why);
		return -EBADMSG;
	}
	return 0;
}

int usb_enumerate(struct usb_dev *dev)
{
	uint8_t *buf = malloc(USB_CONFIG_MAX);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = usb_read_descriptors(dev, buf);
	free(buf);
	if (rc)
		return rc;
	log_info("%s: %04x:%04x USB %x.%02x, %u interface(s)", dev->name,
		 dev->desc.vendor, dev->desc.product, dev->desc.bcd_usb >> 8,
		 dev->desc.bcd_usb & 0xff, dev->config.nifaces);

	rc = usb_control(dev, 0, USB_REQ_SET_CONFIGURATION, dev->config.value,
			 0, NULL, 0);
	if (rc < 0) {
		log_warn("%s: SET_CONFIGURATION failed (%d)", dev->name, rc);
		return rc;
	}
	for (unsigned int i = 0; i < dev->config.nifaces; i++) {
		const struct usb_iface_desc *ifc = &dev->config.ifaces[i];
		for (struct usb_class_entry *e = usb_drivers; e; e = e->next) {
			if (!usb_class_match(e->drv, ifc))
				continue;
			dev->driver = e->drv;
			dev->iface = ifc;
			rc = e->drv->probe(dev, ifc);
			if (rc == 0)
				return 0;
			dev->driver = NULL;
			dev->iface = NULL;
			if (dev->gone)
				return rc;
			log_warn("%s: %s driver refused interface %u (%d)",
				 dev->name, e->drv->name, ifc->number, rc);
		}
	}
	log_info("%s: no driver (interface class %02x:%02x:%02x)", dev->name,
		 dev->config.ifaces[0].class, dev->config.ifaces[0].subclass,
		 dev->config.ifaces[0].protocol);
	return 0;
}
