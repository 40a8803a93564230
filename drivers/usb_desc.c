// SPDX-License-Identifier: MIT
/*
 * USB descriptor parsing (USB 2.0 9.6). Every field is read through a
 * bounds check against the bytes actually received: a malformed
 * descriptor is refused with a reason, never read past.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "drivers/usb_desc.h"

static uint16_t usb_desc_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static int usb_desc_bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EBADMSG;
}

int usb_desc_parse_device(const uint8_t *buf, size_t len,
			  struct usb_device_desc *out, const char **why)
{
	if (len < 18)
		return usb_desc_bad(why, "device descriptor short");
	if (buf[0] < 18 || buf[1] != USB_DT_DEVICE)
		return usb_desc_bad(why, "not a device descriptor");
	out->bcd_usb = usb_desc_le16(buf + 2);
	out->class = buf[4];
	out->subclass = buf[5];
	out->protocol = buf[6];
	out->max_packet0 = buf[7];
	out->vendor = usb_desc_le16(buf + 8);
	out->product = usb_desc_le16(buf + 10);
	out->nconfigs = buf[17];
	/* 9.6.1: only 8, 16, 32, 64 (or 9 meaning 2^9 for USB 3). */
	if (out->max_packet0 != 8 && out->max_packet0 != 16 &&
	    out->max_packet0 != 32 && out->max_packet0 != 64 &&
	    out->max_packet0 != 9)
		return usb_desc_bad(why, "bad bMaxPacketSize0");
	if (out->nconfigs == 0)
		return usb_desc_bad(why, "no configurations");
	return 0;
}

/* State while walking: the interface that endpoints attach to. */
struct usb_desc_walk {
	struct usb_config_desc *cfg;
	struct usb_iface_desc *cur; /* NULL: in a skipped alternate setting */
	bool seen_iface;
	unsigned int total_ifaces; /* alt 0 interface descriptors seen */
	struct usb_ep_desc *last_ep; /* for a SuperSpeed companion */
	uint8_t announced_eps;
};

static int usb_desc_iface(struct usb_desc_walk *w, const uint8_t *d,
			  const char **why)
{
	struct usb_config_desc *cfg = w->cfg;

	if (d[0] < 9)
		return usb_desc_bad(why, "interface descriptor short");
	if (w->cur && w->cur->neps != w->announced_eps)
		return usb_desc_bad(why, "fewer endpoints than bNumEndpoints");
	w->seen_iface = true;
	w->last_ep = NULL;
	if (d[3] != 0) { /* bAlternateSetting: Keel uses setting 0 only */
		w->cur = NULL;
		return 0;
	}
	for (unsigned int i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i].number == d[2])
			return usb_desc_bad(why, "interface number repeated");
	if (cfg->nifaces >= USB_MAX_IFACES)
		return usb_desc_bad(why, "too many interfaces");
	if (d[4] > USB_MAX_EPS)
		return usb_desc_bad(why, "too many endpoints");
	w->cur = &cfg->ifaces[cfg->nifaces++];
	memset(w->cur, 0, sizeof(*w->cur));
	w->cur->number = d[2];
	w->cur->alt = d[3];
	w->cur->class = d[5];
	w->cur->subclass = d[6];
	w->cur->protocol = d[7];
	w->announced_eps = d[4];
	return 0;
}

static int usb_desc_ep(struct usb_desc_walk *w, const uint8_t *d,
		       const char **why)
{
	struct usb_ep_desc *ep;
	uint16_t mps;

	if (d[0] < 7)
		return usb_desc_bad(why, "endpoint descriptor short");
	if (!w->seen_iface)
		return usb_desc_bad(why, "endpoint before any interface");
	if (!w->cur)
		return 0; /* belongs to a skipped alternate setting */
	if (w->cur->neps >= w->announced_eps)
		return usb_desc_bad(why, "more endpoints than bNumEndpoints");
	if ((d[2] & 0x0f) == 0 || (d[2] & 0x70))
		return usb_desc_bad(why, "bad endpoint address");
	for (unsigned int i = 0; i < w->cur->neps; i++)
		if (w->cur->eps[i].addr == d[2])
			return usb_desc_bad(why, "endpoint address repeated");
	mps = usb_desc_le16(d + 4);
	if ((mps & 0x7ff) == 0)
		return usb_desc_bad(why, "endpoint max packet size 0");
	ep = &w->cur->eps[w->cur->neps++];
	ep->addr = d[2];
	ep->type = d[3] & 3;
	ep->max_packet = mps & 0x7ff;
	ep->mult = (mps >> 11) & 3;
	ep->interval = d[6];
	ep->max_burst = 0;
	w->last_ep = ep;
	return 0;
}

int usb_desc_parse_config(const uint8_t *buf, size_t len,
			  struct usb_config_desc *out, const char **why)
{
	struct usb_desc_walk w = { .cfg = out };
	size_t total, off;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < 9 || buf[0] < 9 || buf[1] != USB_DT_CONFIG)
		return usb_desc_bad(why, "not a configuration descriptor");
	total = usb_desc_le16(buf + 2);
	if (total < 9)
		return usb_desc_bad(why, "wTotalLength below 9");
	if (total > len)
		return usb_desc_bad(why, "wTotalLength past the bytes received");
	if (buf[0] > total)
		return usb_desc_bad(why, "configuration bLength past wTotalLength");
	if (buf[4] > USB_MAX_IFACES)
		return usb_desc_bad(why, "too many interfaces");
	out->total_len = total;
	out->value = buf[5];
	out->attributes = buf[7];
	out->max_power = buf[8];

	for (off = buf[0]; off < total; off += buf[off]) {
		const uint8_t *d = buf + off;

		if (total - off < 2)
			return usb_desc_bad(why, "descriptor header past the end");
		if (d[0] < 2)
			return usb_desc_bad(why, "descriptor bLength below 2");
		if (d[0] > total - off)
			return usb_desc_bad(why, "descriptor runs past wTotalLength");
		rc = 0;
		switch (d[1]) {
		case USB_DT_INTERFACE:
			rc = usb_desc_iface(&w, d, why);
			break;
		case USB_DT_ENDPOINT:
			rc = usb_desc_ep(&w, d, why);
			break;
		case USB_DT_SS_EP_COMP:
			/* USB 3.2 9.6.7: follows its endpoint. */
			if (d[0] >= 6 && w.last_ep)
				w.last_ep->max_burst = d[2] > 15 ? 15 : d[2];
			break;
		case USB_DT_CONFIG:
		case USB_DT_DEVICE:
			return usb_desc_bad(why, "second configuration or device descriptor");
		default: /* class-specific (HID 0x21, ...): skipped */
			break;
		}
		if (rc)
			return rc;
	}
	if (w.cur && w.cur->neps != w.announced_eps)
		return usb_desc_bad(why, "fewer endpoints than bNumEndpoints");
	if (out->nifaces > buf[4])
		return usb_desc_bad(why, "more interfaces than bNumInterfaces");
	if (out->nifaces == 0)
		return usb_desc_bad(why, "no interfaces");
	return 0;
}

const struct usb_ep_desc *usb_desc_find_ep(const struct usb_iface_desc *iface,
					   uint8_t type, bool in)
{
	for (unsigned int i = 0; i < iface->neps; i++) {
		const struct usb_ep_desc *ep = &iface->eps[i];
		if (ep->type == type && !!(ep->addr & USB_EP_IN) == in)
			return ep;
	}
	return NULL;
}
