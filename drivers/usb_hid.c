// SPDX-License-Identifier: MIT
/*
 * USB HID boot-protocol keyboards (HID 1.11 7.2.5, 7.2.4, appendix B):
 * SET_PROTOCOL(boot) so the report format is the fixed 8 bytes whatever
 * the report descriptor says, SET_IDLE(0) so reports come only on
 * change, then one interrupt-IN transfer kept queued. Each report's new
 * key presses go to the console key queue (drivers/keys.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/init.h"
#include "core/log.h"
#include "drivers/keys.h"
#include "drivers/usb.h"
#include "drivers/usb_hid.h"
#include "drivers/xhci.h"

#define HID_REQ_SET_IDLE 0x0a
#define HID_REQ_SET_PROTOCOL 0x0b

/* From the interrupt handler or the controller's poll thread. */
static void usb_hid_report(struct usb_dev *d, const uint8_t *data,
			   unsigned int len)
{
	struct usb_hid_kbd *k = d->driver_data;
	int keys[6];
	int n = usb_hid_kbd_report(k, data, len, keys);

	for (int i = 0; i < n; i++)
		keys_push(keys[i]);
}

static int usb_hid_probe(struct usb_dev *d, const struct usb_iface_desc *ifc)
{
	const struct usb_ep_desc *in = usb_desc_find_ep(ifc, USB_EP_INTR, true);
	struct usb_hid_kbd *k;
	int rc;

	if (!in) {
		log_warn("%s: keyboard without an interrupt-IN endpoint", d->name);
		return -ENODEV;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	rc = xhci_configure_eps(d, in, 1);
	if (rc)
		goto fail;
	rc = usb_control(d, USB_RT_CLASS | USB_RT_IFACE, HID_REQ_SET_PROTOCOL,
			 0, ifc->number, NULL, 0);
	if (rc < 0) {
		log_warn("%s: SET_PROTOCOL(boot) failed (%d)", d->name, rc);
		goto fail;
	}
	/* Optional (HID 1.11 7.2.4): a keyboard may stall it. */
	usb_control(d, USB_RT_CLASS | USB_RT_IFACE, HID_REQ_SET_IDLE, 0,
		    ifc->number, NULL, 0);
	d->driver_data = k;
	rc = xhci_intr_start(d, in->addr, 8, usb_hid_report);
	if (rc)
		goto fail;
	log_info("%s: USB keyboard (boot protocol)", d->name);
	return 0;
fail:
	d->driver_data = NULL;
	free(k);
	return rc < 0 ? rc : -EIO;
}

static const struct usb_class_driver usb_hid_driver = {
	.name = "usb-kbd",
	.class = 0x03,	  /* HID */
	.subclass = 0x01, /* boot interface */
	.protocol = 0x01, /* keyboard */
	.probe = usb_hid_probe,
};
static struct usb_class_entry usb_hid_entry = { &usb_hid_driver, NULL };

static void usb_hid_register(void)
{
	usb_register_driver(&usb_hid_entry);
}
KEEL_INIT(INIT_PLATFORM, usb_hid_register);
