/* SPDX-License-Identifier: MIT */
/*
 * xHCI 1.2 host controller driver: the interface the USB core
 * (drivers/usb.c) and the class drivers use. Transfers are synchronous
 * with a timeout, except interrupt-IN endpoints, whose completions call
 * back (from the interrupt handler or the poll thread). docs/usb.md.
 */
#ifndef KEEL_DRIVERS_XHCI_H
#define KEEL_DRIVERS_XHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/thread.h"

struct xhci;
struct usb_dev;

/* Completion codes (xHCI 1.2 table 6-90) the driver tells apart. */
#define XHCI_CC_SUCCESS 1
#define XHCI_CC_DATA_BUFFER 2
#define XHCI_CC_BABBLE 3
#define XHCI_CC_TRANSACTION 4
#define XHCI_CC_TRB 5
#define XHCI_CC_STALL 6
#define XHCI_CC_SHORT_PACKET 13
#define XHCI_CC_STOPPED 26
#define XHCI_CC_STOPPED_LEN 27

#define XHCI_RING_TRBS 256 /* one 4 KiB page, the last TRB a link */

struct xhci_trb {
	uint64_t param;
	uint32_t status;
	uint32_t control;
};

/* A producer ring (command or transfer): xHCI 4.9. */
struct xhci_ring {
	struct xhci_trb *trbs;
	uint64_t phys;
	unsigned int enq;
	uint32_t cycle;
};

/* One synchronous request waiting for its event. */
struct xhci_wait {
	volatile bool done;
	uint32_t cc;
	uint32_t residual; /* bytes not transferred (short packet) */
	uint64_t last_trb; /* phys of the TRB whose event ends it */
	uint64_t data_trb; /* control data stage: its short-packet event */
	uint32_t slot;	   /* command completion: the slot id */
};

typedef void (*xhci_intr_fn)(struct usb_dev *dev, const uint8_t *data,
			     unsigned int len);

/* An endpoint's transfer ring and what waits on it. */
struct xhci_ep {
	struct xhci_ring ring;
	struct xhci_wait *wait; /* under xhci.lock */
	uint16_t max_packet;
	uint8_t type; /* USB_EP_* */
	/* Interrupt-IN endpoints driven by callback: */
	xhci_intr_fn intr_fn;
	uint8_t *intr_buf;
	uint64_t intr_phys;
	unsigned int intr_len;
	uint64_t intr_trb;
	bool intr_stopped;
};

/*
 * Set up the controller at @d (PCI function), enumerate the devices on
 * its root ports and start the event thread. Called by the PCI probe.
 */
struct pci_dev;
int xhci_probe(struct pci_dev *d);

/* After reading bMaxPacketSize0: Evaluate Context with the real value. */
int xhci_set_ep0_mps(struct usb_dev *dev, unsigned int mps);
/* Control transfer on @dev's endpoint 0 (USB 2.0 9.3). Returns the
 * number of bytes moved or a negative errno (-EPIPE: stall). */
int xhci_control(struct usb_dev *dev, uint8_t reqtype, uint8_t req,
		 uint16_t value, uint16_t index, void *buf, uint16_t len,
		 uint64_t timeout_ns);
/*
 * Bulk transfer of @len bytes on endpoint @addr (USB_EP_IN bit for IN)
 * from/to a DMA buffer at @phys (@len <= 64 KiB per TRB, split inside).
 * Returns bytes moved, -EPIPE (stall: the xHC side is already reset, the
 * device side needs CLEAR_FEATURE), -ETIMEDOUT (endpoint stopped and the
 * request dropped), -EIO.
 */
int xhci_bulk(struct usb_dev *dev, uint8_t addr, uint64_t phys, uint32_t len,
	      uint64_t timeout_ns);
/*
 * Add the endpoints of @eps (descriptors of one interface) to the
 * device's slot: Configure Endpoint (xHCI 4.6.6).
 */
struct usb_ep_desc;
int xhci_configure_eps(struct usb_dev *dev, const struct usb_ep_desc *eps,
		       unsigned int n);
/* Keep one @len-byte transfer queued on interrupt-IN @addr; @fn gets
 * each completed report. */
int xhci_intr_start(struct usb_dev *dev, uint8_t addr, unsigned int len,
		    xhci_intr_fn fn);
/* The device is gone or useless: disable its slot. */
void xhci_drop_device(struct usb_dev *dev);

#endif
