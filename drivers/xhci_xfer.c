// SPDX-License-Identifier: MIT
/*
 * xHCI device slots, endpoints and transfers: Enable Slot and Address
 * Device (4.3.2, 4.3.3), Configure Endpoint (4.3.5, 6.2.3), control
 * transfers as Setup/Data/Status TDs (4.11.2.2), bulk and interrupt TDs
 * of Normal TRBs (4.11.2.1), and recovery when a transfer stalls or
 * times out: Reset Endpoint for a halted endpoint (4.6.8), Stop Endpoint
 * for a silent one (4.6.9), then Set TR Dequeue Pointer past the dropped
 * TD (4.6.10), so the ring never stays blocked behind it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/xhci_priv.h"

#define XHCI_CTRL_BUF 4096

static inline struct xhci_slot *xhci_slot_of(struct usb_dev *udev)
{
	return &udev->hc->slots[udev->slot];
}

/* Endpoint address to Device Context Index (4.5.1). */
static unsigned int xhci_dci(uint8_t addr)
{
	return (addr & 0x0f) * 2 + ((addr & USB_EP_IN) ? 1 : 0);
}

void xhci_transfer_event(struct xhci *hc, const struct xhci_trb *ev)
{
	unsigned int slot = ev->control >> 24;
	unsigned int dci = (ev->control >> 16) & 0x1f;
	uint32_t cc = ev->status >> 24, residual = ev->status & 0xffffff;
	struct xhci_ep *ep;
	struct xhci_wait *w;

	if (slot < 1 || slot > hc->max_slots || !hc->slots[slot].udev || !dci)
		return;
	ep = &hc->slots[slot].eps[dci];
	if (ep->intr_fn && ev->param == ep->intr_trb) {
		struct usb_dev *udev = hc->slots[slot].udev;
		if (cc != XHCI_CC_SUCCESS && cc != XHCI_CC_SHORT_PACKET) {
			if (!ep->intr_stopped && cc != XHCI_CC_STOPPED)
				log_warn("%s: interrupt endpoint %u: completion code %u; stopped",
					 udev->name, dci, cc);
			ep->intr_stopped = true;
			return;
		}
		if (residual <= ep->intr_len)
			ep->intr_fn(udev, ep->intr_buf, ep->intr_len - residual);
		if (!udev->gone && !ep->intr_stopped) {
			ep->intr_trb = xhci_ring_put(&ep->ring, ep->intr_phys,
						     ep->intr_len,
						     XHCI_TRB_TYPE(XHCI_TRB_NORMAL) |
							     XHCI_TRB_IOC |
							     XHCI_TRB_ISP);
			xhci_ring_doorbell(hc, slot, dci);
		}
		return;
	}
	w = ep->wait;
	if (!w)
		return;
	if (ev->param == w->data_trb && ev->param != w->last_trb) {
		/* A short data stage still runs its status stage: wait on. */
		if (cc == XHCI_CC_SHORT_PACKET) {
			w->residual = residual;
			return;
		}
	} else if (ev->param != w->last_trb) {
		return; /* an event for a TD given up on */
	} else if (cc == XHCI_CC_SHORT_PACKET) {
		w->residual = residual;
	}
	w->cc = cc;
	ep->wait = NULL;
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

/* Point the ring's dequeue at its enqueue: everything queued is dropped. */
static int xhci_ep_skip(struct xhci *hc, unsigned int slot, unsigned int dci)
{
	struct xhci_ep *ep = &hc->slots[slot].eps[dci];
	uint64_t flags = spin_lock_irqsave(&hc->lock);
	uint64_t deq = xhci_ring_enq_phys(&ep->ring) | ep->ring.cycle;

	spin_unlock_irqrestore(&hc->lock, flags);
	return xhci_command(hc, deq, 0,
			    XHCI_TRB_TYPE(XHCI_TRB_SET_DEQ) | XHCI_TRB_EP(dci) |
				    XHCI_TRB_SLOT(slot),
			    NULL);
}

/*
 * After a failed transfer: a halted endpoint is reset, a running one
 * stopped; either way the abandoned TD is skipped. Endpoint state is in
 * the output context (6.2.3, bits 2:0: 2 halted, 3 stopped).
 */
static void xhci_ep_recover(struct xhci *hc, struct usb_dev *udev,
			    unsigned int dci)
{
	struct xhci_slot *s = xhci_slot_of(udev);
	uint32_t state = xhci_out_ctx(hc, s, dci)[0] & 7;
	int rc;

	if (state == 2)
		rc = xhci_command(hc, 0, 0,
				  XHCI_TRB_TYPE(XHCI_TRB_RESET_EP) |
					  XHCI_TRB_EP(dci) |
					  XHCI_TRB_SLOT(udev->slot),
				  NULL);
	else
		rc = xhci_command(hc, 0, 0,
				  XHCI_TRB_TYPE(XHCI_TRB_STOP_EP) |
					  XHCI_TRB_EP(dci) |
					  XHCI_TRB_SLOT(udev->slot),
				  NULL);
	if (rc == -ETIMEDOUT) {
		udev->gone = true;
		return;
	}
	if (xhci_ep_skip(hc, udev->slot, dci) != XHCI_CC_SUCCESS)
		log_warn("%s: endpoint %u: could not skip the failed transfer",
			 udev->name, dci);
}

/* Queue TRBs built by @fill, then wait; -errno or XHCI_CC_* on return. */
static int xhci_run_td(struct usb_dev *udev, unsigned int dci,
		       struct xhci_wait *w, uint64_t timeout_ns)
{
	struct xhci *hc = udev->hc;

	xhci_ring_doorbell(hc, udev->slot, dci);
	if (!xhci_wait_done(hc, w, timeout_ns)) {
		uint64_t flags = spin_lock_irqsave(&hc->lock);
		bool done = w->done;
		if (!done)
			hc->slots[udev->slot].eps[dci].wait = NULL;
		spin_unlock_irqrestore(&hc->lock, flags);
		if (!done) {
			log_warn("%s: endpoint %u: transfer timed out", udev->name,
				 dci);
			xhci_ep_recover(hc, udev, dci);
			return -ETIMEDOUT;
		}
	}
	if (w->cc == XHCI_CC_SUCCESS || w->cc == XHCI_CC_SHORT_PACKET)
		return 0;
	xhci_ep_recover(hc, udev, dci);
	return w->cc == XHCI_CC_STALL ? -EPIPE : -EIO;
}

int xhci_control(struct usb_dev *udev, uint8_t reqtype, uint8_t req,
		 uint16_t value, uint16_t index, void *buf, uint16_t len,
		 uint64_t timeout_ns)
{
	struct xhci *hc = udev->hc;
	struct xhci_slot *s;
	struct xhci_ep *ep;
	struct xhci_wait w = { 0 };
	bool in = reqtype & USB_RT_IN;
	uint64_t setup, flags;
	uint32_t trt = len ? (in ? 3 : 2) : 0;
	int rc;

	if (udev->gone)
		return -ENODEV;
	if (len > XHCI_CTRL_BUF)
		return -EINVAL;
	s = xhci_slot_of(udev);
	ep = &s->eps[1];
	if (len && !in)
		memcpy(s->ctrl_buf, buf, len);
	setup = reqtype | (uint32_t)req << 8 | (uint32_t)value << 16 |
		(uint64_t)index << 32 | (uint64_t)len << 48;

	flags = spin_lock_irqsave(&hc->lock);
	xhci_ring_put(&ep->ring, setup, 8,
		      XHCI_TRB_TYPE(XHCI_TRB_SETUP) | XHCI_TRB_IDT | trt << 16);
	if (len)
		w.data_trb = xhci_ring_put(&ep->ring, s->ctrl_phys, len,
					   XHCI_TRB_TYPE(XHCI_TRB_DATA) |
						   XHCI_TRB_ISP |
						   (in ? XHCI_TRB_DIR_IN : 0));
	/* Status stage runs the other way from the data (USB 2.0 8.5.3). */
	w.last_trb = xhci_ring_put(&ep->ring, 0, 0,
				   XHCI_TRB_TYPE(XHCI_TRB_STATUS) | XHCI_TRB_IOC |
					   ((len && in) ? 0 : XHCI_TRB_DIR_IN));
	ep->wait = &w;
	spin_unlock_irqrestore(&hc->lock, flags);

	rc = xhci_run_td(udev, 1, &w, timeout_ns);
	if (rc)
		return rc;
	if (w.residual > len)
		return -EIO;
	if (len && in)
		memcpy(buf, s->ctrl_buf, len - w.residual);
	return len - w.residual;
}

int xhci_bulk(struct usb_dev *udev, uint8_t addr, uint64_t phys, uint32_t len,
	      uint64_t timeout_ns)
{
	struct xhci *hc = udev->hc;
	unsigned int dci = xhci_dci(addr);
	struct xhci_ep *ep;
	uint32_t done = 0;

	if (udev->gone)
		return -ENODEV;
	ep = &xhci_slot_of(udev)->eps[dci];
	if (!ep->ring.trbs || ep->type != USB_EP_BULK)
		return -EINVAL;
	while (done < len) {
		/* A TRB's buffer may not cross a 64 KiB boundary (6.4.1). */
		uint64_t p = phys + done;
		uint32_t chunk = 0x10000 - (p & 0xffff);
		struct xhci_wait w = { 0 };
		uint64_t flags;
		int rc;

		if (chunk > len - done)
			chunk = len - done;
		flags = spin_lock_irqsave(&hc->lock);
		w.last_trb = xhci_ring_put(&ep->ring, p, chunk,
					   XHCI_TRB_TYPE(XHCI_TRB_NORMAL) |
						   XHCI_TRB_IOC | XHCI_TRB_ISP);
		ep->wait = &w;
		spin_unlock_irqrestore(&hc->lock, flags);
		rc = xhci_run_td(udev, dci, &w, timeout_ns);
		if (rc)
			return rc;
		if (w.residual > chunk)
			return -EIO;
		done += chunk - w.residual;
		if (w.residual)
			break; /* short packet: the device has no more */
	}
	return done;
}

static int xhci_alloc_slot_mem(struct xhci *hc, struct xhci_slot *s)
{
	bool low32 = !(xhci_rd(hc->cap, XHCI_HCCPARAMS1) & 1);

	if (!s->out_ctx) {
		s->out_ctx = dma_alloc(32 * hc->ctx_size, 64, low32, &s->out_phys);
		s->in_ctx = dma_alloc(33 * hc->ctx_size, 64, low32, &s->in_phys);
		s->ctrl_buf = dma_alloc(XHCI_CTRL_BUF, 4096, low32, &s->ctrl_phys);
		if (!s->out_ctx || !s->in_ctx || !s->ctrl_buf)
			return -ENOMEM;
	}
	memset(s->out_ctx, 0, 32 * hc->ctx_size);
	memset(s->in_ctx, 0, 33 * hc->ctx_size);
	return 0;
}

static unsigned int xhci_default_mps0(enum usb_speed speed)
{
	switch (speed) {
	case USB_SPEED_LOW:
		return 8;
	case USB_SPEED_SUPER:
	case USB_SPEED_SUPER_PLUS:
		return 512;
	default: /* full speed: 8..64, corrected after the first 8 bytes */
		return 64;
	}
}

int xhci_address_device(struct xhci *hc, struct usb_dev *udev)
{
	uint32_t slot = 0;
	struct xhci_slot *s;
	uint32_t *ctx;
	int rc;

	rc = xhci_command(hc, 0, 0, XHCI_TRB_TYPE(XHCI_TRB_ENABLE_SLOT), &slot);
	if (rc != XHCI_CC_SUCCESS || slot < 1 || slot > hc->max_slots) {
		log_warn("%s: Enable Slot failed (%d)", udev->name, rc);
		return -EIO;
	}
	udev->slot = slot;
	s = &hc->slots[slot];
	if (xhci_alloc_slot_mem(hc, s))
		return -ENOMEM;
	memset(s->eps, 0, sizeof(s->eps));
	if (xhci_ring_init(&s->eps[1].ring))
		return -ENOMEM;
	s->eps[1].type = USB_EP_CONTROL;
	s->eps[1].max_packet = xhci_default_mps0(udev->speed);

	xhci_in_ctx(hc, s, 0)[1] = 3; /* add slot and EP0 (6.2.5.1) */
	ctx = xhci_in_ctx(hc, s, 1);  /* slot context (6.2.2) */
	ctx[0] = (uint32_t)udev->speed << 20 | 1u << 27;
	ctx[1] = udev->port << 16;
	ctx = xhci_in_ctx(hc, s, 2);  /* EP0 (6.2.3) */
	ctx[1] = 3u << 1 | 4u << 3 | (uint32_t)s->eps[1].max_packet << 16;
	ctx[2] = (uint32_t)s->eps[1].ring.phys | 1;
	ctx[3] = (uint32_t)(s->eps[1].ring.phys >> 32);
	ctx[4] = 8;
	hc->dcbaa[slot] = s->out_phys;
	s->udev = udev;

	rc = xhci_command(hc, s->in_phys, 0,
			  XHCI_TRB_TYPE(XHCI_TRB_ADDRESS_DEV) | XHCI_TRB_SLOT(slot),
			  NULL);
	if (rc != XHCI_CC_SUCCESS) {
		log_warn("%s: Address Device failed (completion code %d)",
			 udev->name, rc);
		return -EIO;
	}
	return 0;
}

int xhci_set_ep0_mps(struct usb_dev *udev, unsigned int mps)
{
	struct xhci *hc = udev->hc;
	struct xhci_slot *s = xhci_slot_of(udev);
	uint32_t *ctx;
	int rc;

	if (mps == s->eps[1].max_packet)
		return 0;
	memset(s->in_ctx, 0, 33 * hc->ctx_size);
	xhci_in_ctx(hc, s, 0)[1] = 2; /* EP0 only (Evaluate Context, 4.6.7) */
	ctx = xhci_in_ctx(hc, s, 2);
	memcpy(ctx, xhci_out_ctx(hc, s, 1), hc->ctx_size);
	ctx[1] = (ctx[1] & 0xffff) | mps << 16;
	rc = xhci_command(hc, s->in_phys, 0,
			  XHCI_TRB_TYPE(XHCI_TRB_EVAL_CTX) | XHCI_TRB_SLOT(udev->slot),
			  NULL);
	if (rc != XHCI_CC_SUCCESS)
		return -EIO;
	s->eps[1].max_packet = mps;
	return 0;
}

/* Interval field of the endpoint context (6.2.3.6): 125 us * 2^n. */
static uint32_t xhci_ep_interval(const struct usb_dev *udev,
				 const struct usb_ep_desc *ep)
{
	unsigned int n;

	if (ep->type == USB_EP_BULK || ep->type == USB_EP_CONTROL)
		return 0;
	if (udev->speed == USB_SPEED_LOW || udev->speed == USB_SPEED_FULL) {
		if (ep->type == USB_EP_ISOC)
			n = ep->interval + 2; /* 2^(b-1) ms */
		else { /* bInterval ms: the largest 2^n * 125 us not above */
			unsigned int frames = ep->interval ? ep->interval : 1;
			n = 3;
			while (n < 10 && (1u << (n + 1)) <= frames * 8)
				n++;
		}
	} else {
		n = ep->interval ? ep->interval - 1 : 0;
	}
	return n > 15 ? 15 : n;
}

int xhci_configure_eps(struct usb_dev *udev, const struct usb_ep_desc *eps,
		       unsigned int n)
{
	struct xhci *hc = udev->hc;
	struct xhci_slot *s = xhci_slot_of(udev);
	uint32_t add = 1, *ctx, max_dci;
	int rc;

	if (udev->gone)
		return -ENODEV;
	memset(s->in_ctx, 0, 33 * hc->ctx_size);
	memcpy(xhci_in_ctx(hc, s, 1), xhci_out_ctx(hc, s, 0), hc->ctx_size);
	max_dci = xhci_in_ctx(hc, s, 1)[0] >> 27;
	for (unsigned int i = 0; i < n; i++) {
		const struct usb_ep_desc *d = &eps[i];
		unsigned int dci = xhci_dci(d->addr);
		bool in = d->addr & USB_EP_IN;
		struct xhci_ep *ep = &s->eps[dci];
		uint32_t type = d->type == USB_EP_CONTROL ? 4 : d->type + (in ? 4 : 0);
		uint32_t esit = d->max_packet * (d->max_burst + 1) * (d->mult + 1);

		if (!ep->ring.trbs && xhci_ring_init(&ep->ring))
			return -ENOMEM;
		ep->type = d->type;
		ep->max_packet = d->max_packet;
		ctx = xhci_in_ctx(hc, s, dci + 1);
		ctx[0] = xhci_ep_interval(udev, d) << 16 | (uint32_t)d->mult << 8;
		ctx[1] = (d->type == USB_EP_ISOC ? 0 : 3u << 1) | type << 3 |
			 (uint32_t)d->max_burst << 8 | (uint32_t)d->max_packet << 16;
		ctx[2] = (uint32_t)ep->ring.phys | ep->ring.cycle;
		ctx[3] = (uint32_t)(ep->ring.phys >> 32);
		ctx[4] = (d->type == USB_EP_BULK ? 3072 : d->max_packet) |
			 (d->type == USB_EP_BULK ? 0 : (esit & 0xffff) << 16);
		add |= 1u << dci;
		if (dci > max_dci)
			max_dci = dci;
	}
	ctx = xhci_in_ctx(hc, s, 1);
	ctx[0] = (ctx[0] & ~(0x1fu << 27)) | max_dci << 27;
	ctx[3] = 0; /* device address and slot state are the xHC's */
	xhci_in_ctx(hc, s, 0)[1] = add;
	rc = xhci_command(hc, s->in_phys, 0,
			  XHCI_TRB_TYPE(XHCI_TRB_CONFIG_EP) | XHCI_TRB_SLOT(udev->slot),
			  NULL);
	if (rc != XHCI_CC_SUCCESS) {
		log_warn("%s: Configure Endpoint failed (completion code %d)",
			 udev->name, rc);
		return -EIO;
	}
	return 0;
}

int xhci_intr_start(struct usb_dev *udev, uint8_t addr, unsigned int len,
		    xhci_intr_fn fn)
{
	struct xhci *hc = udev->hc;
	unsigned int dci = xhci_dci(addr);
	struct xhci_ep *ep = &xhci_slot_of(udev)->eps[dci];
	bool low32 = !(xhci_rd(hc->cap, XHCI_HCCPARAMS1) & 1);
	uint64_t flags;

	if (!ep->ring.trbs || ep->type != USB_EP_INTR || !(addr & USB_EP_IN) ||
	    len == 0 || len > 1024)
		return -EINVAL;
	if (!ep->intr_buf) {
		ep->intr_buf = dma_alloc(1024, 64, low32, &ep->intr_phys);
		if (!ep->intr_buf)
			return -ENOMEM;
	}
	flags = spin_lock_irqsave(&hc->lock);
	ep->intr_len = len;
	ep->intr_fn = fn;
	ep->intr_stopped = false;
	ep->intr_trb = xhci_ring_put(&ep->ring, ep->intr_phys, len,
				     XHCI_TRB_TYPE(XHCI_TRB_NORMAL) |
					     XHCI_TRB_IOC | XHCI_TRB_ISP);
	spin_unlock_irqrestore(&hc->lock, flags);
	xhci_ring_doorbell(hc, udev->slot, dci);
	return 0;
}

void xhci_drop_device(struct usb_dev *udev)
{
	struct xhci *hc = udev->hc;
	uint64_t flags;

	udev->gone = true;
	if (udev->driver && udev->driver->disconnect)
		udev->driver->disconnect(udev);
	if (!udev->slot)
		return;
	flags = spin_lock_irqsave(&hc->lock);
	for (unsigned int i = 0; i < 32; i++) {
		struct xhci_wait *w = hc->slots[udev->slot].eps[i].wait;
		hc->slots[udev->slot].eps[i].intr_stopped = true;
		if (w) { /* wake anyone still waiting: the device is gone */
			w->cc = XHCI_CC_TRANSACTION;
			hc->slots[udev->slot].eps[i].wait = NULL;
			__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
		}
	}
	spin_unlock_irqrestore(&hc->lock, flags);
	xhci_command(hc, 0, 0,
		     XHCI_TRB_TYPE(XHCI_TRB_DISABLE_SLOT) | XHCI_TRB_SLOT(udev->slot),
		     NULL);
	hc->dcbaa[udev->slot] = 0;
	hc->slots[udev->slot].udev = NULL;
	log_info("%s: dropped", udev->name);
}
