// SPDX-License-Identifier: MIT
/*
 * xHCI 1.2 host controller: taking it from the firmware (4.22.1), reset
 * (4.2), the command ring (4.6), the event ring with one interrupter
 * (4.9.4, 5.5.2), MSI-X/MSI interrupts with a polled fallback, and root
 * port reset and enumeration (4.3). Transfers are in drivers/xhci_xfer.c.
 *
 * Every wait has a deadline: a controller or device that stops answering
 * gives an error and a log line, never a hang (docs/usb.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/dma.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/lapic.h"
#include "drivers/pci.h"
#include "drivers/xhci_priv.h"

#define XHCI_EVT_TRBS 256
#define XHCI_CMD_TIMEOUT_NS (2 * NSEC_PER_SEC)
#define XHCI_POLL_NS (10 * NSEC_PER_MSEC) /* without interrupts */

static unsigned int xhci_count;

CMDLINE_OPTION(xhci_poll, "keel.xhci_poll",
	       "xHCI: poll the event ring instead of using MSI-X/MSI");

int xhci_ring_init(struct xhci_ring *r)
{
	r->trbs = dma_alloc(XHCI_RING_TRBS * sizeof(struct xhci_trb), 4096,
			    false, &r->phys);
	if (!r->trbs)
		return -ENOMEM;
	r->enq = 0;
	r->cycle = 1;
	/* The last TRB links back to the start and toggles the cycle (4.11.5.1). */
	r->trbs[XHCI_RING_TRBS - 1].param = r->phys;
	r->trbs[XHCI_RING_TRBS - 1].control =
		XHCI_TRB_TYPE(XHCI_TRB_LINK) | XHCI_TRB_TC;
	return 0;
}

uint64_t xhci_ring_enq_phys(const struct xhci_ring *r)
{
	return r->phys + r->enq * sizeof(struct xhci_trb);
}

uint64_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status,
		       uint32_t control)
{
	struct xhci_trb *t = &r->trbs[r->enq];
	uint64_t phys = xhci_ring_enq_phys(r);

	t->param = param;
	t->status = status;
	/* The cycle bit hands the TRB to the controller: written last. */
	__atomic_store_n(&t->control, (control & ~XHCI_TRB_CYCLE) | r->cycle,
			 __ATOMIC_RELEASE);
	if (++r->enq == XHCI_RING_TRBS - 1) {
		struct xhci_trb *link = &r->trbs[XHCI_RING_TRBS - 1];
		/* Chain bit follows the TRB before it, so a TD may span it. */
		uint32_t c = XHCI_TRB_TYPE(XHCI_TRB_LINK) | XHCI_TRB_TC |
			     (control & XHCI_TRB_CH);
		__atomic_store_n(&link->control, c | r->cycle, __ATOMIC_RELEASE);
		r->enq = 0;
		r->cycle ^= 1;
	}
	return phys;
}

static void xhci_command_event(struct xhci *hc, const struct xhci_trb *ev)
{
	struct xhci_wait *w = hc->cmd_wait;

	if (!w || ev->param != w->last_trb)
		return; /* a command we gave up on */
	w->cc = ev->status >> 24;
	w->slot = ev->control >> 24;
	hc->cmd_wait = NULL;
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

/* Drain the event ring (4.9.4); hc->lock held. */
static unsigned int xhci_drain(struct xhci *hc)
{
	unsigned int n = 0;

	for (;;) {
		struct xhci_trb ev = hc->evt[hc->evt_deq];
		if ((ev.control & XHCI_TRB_CYCLE) != hc->evt_cycle)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		ev = hc->evt[hc->evt_deq];
		switch (XHCI_TRB_GET_TYPE(ev.control)) {
		case XHCI_TRB_EV_TRANSFER:
			xhci_transfer_event(hc, &ev);
			break;
		case XHCI_TRB_EV_CMD:
			xhci_command_event(hc, &ev);
			break;
		case XHCI_TRB_EV_PORT: {
			unsigned int port = (ev.param >> 24) & 0xff;
			if (port >= 1 && port <= hc->max_ports)
				__atomic_fetch_or(&hc->port_changed,
						  1u << (port - 1),
						  __ATOMIC_RELAXED);
			break;
		}
		default: /* bandwidth, doorbell, host controller events */
			break;
		}
		n++;
		if (++hc->evt_deq == XHCI_EVT_TRBS) {
			hc->evt_deq = 0;
			hc->evt_cycle ^= 1;
		}
	}
	if (n)
		xhci_wr64(hc->rt, XHCI_ERDP,
			  (hc->evt_phys + hc->evt_deq * sizeof(struct xhci_trb)) |
				  XHCI_ERDP_EHB);
	return n;
}

void xhci_poll_events(struct xhci *hc)
{
	uint64_t flags = spin_lock_irqsave(&hc->lock);
	unsigned int n;

	/* Acknowledge first, so events arriving while we drain interrupt
	 * again (IMAN.IP and USBSTS.EINT are RW1C, 5.5.2.1, 5.4.2). */
	xhci_wr(hc->rt, XHCI_IMAN, XHCI_IMAN_IP | XHCI_IMAN_IE);
	xhci_wr(hc->op, XHCI_USBSTS, XHCI_STS_EINT);
	n = xhci_drain(hc);
	spin_unlock_irqrestore(&hc->lock, flags);
	if (n)
		waitq_wake_all(&hc->wq);
}

static void xhci_irq(struct trap_frame *f, void *arg)
{
	xhci_poll_events(arg);
}

static bool xhci_wait_cond(void *arg)
{
	return __atomic_load_n(&((struct xhci_wait *)arg)->done,
			       __ATOMIC_ACQUIRE);
}

bool xhci_wait_done(struct xhci *hc, struct xhci_wait *w, uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;

	for (;;) {
		uint64_t now;

		xhci_poll_events(hc);
		if (xhci_wait_cond(w))
			return true;
		now = time_ns();
		if (now >= deadline)
			return false;
		/* With interrupts a wake-up ends this early (the slice only
		 * bounds a lost interrupt); without, it is the poll period. */
		uint64_t slice = hc->irq ? 100 * NSEC_PER_MSEC : 200 * NSEC_PER_USEC;
		if (slice > deadline - now)
			slice = deadline - now;
		waitq_wait_timeout(&hc->wq, xhci_wait_cond, w, slice);
	}
}

int xhci_command(struct xhci *hc, uint64_t param, uint32_t status,
		 uint32_t control, uint32_t *slot_out)
{
	struct xhci_wait w = { 0 };
	uint64_t deadline = time_ns() + XHCI_CMD_TIMEOUT_NS;
	uint64_t flags;

	/* One command in flight at a time (the ring is shared). */
	for (;;) {
		flags = spin_lock_irqsave(&hc->lock);
		if (!hc->cmd_wait)
			break;
		spin_unlock_irqrestore(&hc->lock, flags);
		if (time_ns() > deadline)
			return -EBUSY;
		thread_sleep_ns(100 * NSEC_PER_USEC);
	}
	w.last_trb = xhci_ring_put(&hc->cmd, param, status, control);
	hc->cmd_wait = &w;
	spin_unlock_irqrestore(&hc->lock, flags);
	xhci_ring_doorbell(hc, 0, 0);

	if (!xhci_wait_done(hc, &w, XHCI_CMD_TIMEOUT_NS)) {
		flags = spin_lock_irqsave(&hc->lock);
		if (hc->cmd_wait == &w)
			hc->cmd_wait = NULL;
		spin_unlock_irqrestore(&hc->lock, flags);
		if (!w.done) {
			log_err("%s: command type %u timed out", hc->name,
				XHCI_TRB_GET_TYPE(control));
			return -ETIMEDOUT;
		}
	}
	if (slot_out)
		*slot_out = w.slot;
	return (int)w.cc;
}

/* Poll a register until (value & mask) == want, or time out. */
static int xhci_wait_reg(volatile uint8_t *base, unsigned int off,
			 uint32_t mask, uint32_t want, uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;

	while ((xhci_rd(base, off) & mask) != want) {
		if (time_ns() > deadline)
			return -ETIMEDOUT;
		time_delay_ns(10 * NSEC_PER_USEC);
	}
	return 0;
}

/*
 * Extended capabilities (7): take ownership from the BIOS (USB legacy
 * support, 7.1) and learn which root ports are USB 2 and which USB 3
 * (supported protocol, 7.2).
 */
static void xhci_ext_caps(struct xhci *hc)
{
	unsigned int off = (xhci_rd(hc->cap, XHCI_HCCPARAMS1) >> 16) << 2;
	unsigned int guard = 0;

	while (off && guard++ < 64) {
		uint32_t v = xhci_rd(hc->cap, off);
		unsigned int id = v & 0xff, next = (v >> 8) & 0xff;

		if (id == 1) {
			if (v & (1u << 16)) {
				xhci_wr(hc->cap, off, v | (1u << 24));
				if (xhci_wait_reg(hc->cap, off, 1u << 16, 0,
						  NSEC_PER_SEC)) {
					log_warn("%s: BIOS kept ownership; taking it",
						 hc->name);
					xhci_wr(hc->cap, off,
						(xhci_rd(hc->cap, off) &
						 ~(1u << 16)) | (1u << 24));
				} else {
					log_info("%s: taken over from the BIOS",
						 hc->name);
				}
			}
			/* No SMIs for USB events any more; clear their status. */
			uint32_t ctl = xhci_rd(hc->cap, off + 4);
			ctl &= ~((1u << 0) | (1u << 4) | (7u << 13));
			xhci_wr(hc->cap, off + 4, ctl | (7u << 29));
		} else if (id == 2) {
			unsigned int major = v >> 24;
			uint32_t p = xhci_rd(hc->cap, off + 8);
			unsigned int first = p & 0xff, count = (p >> 8) & 0xff;
			for (unsigned int i = first;
			     i < first + count && i <= hc->max_ports; i++)
				if (i >= 1)
					hc->port_major[i] = major;
		}
		if (!next)
			break;
		off += next << 2;
	}
}

static int xhci_reset(struct xhci *hc)
{
	xhci_wr(hc->op, XHCI_USBCMD,
		xhci_rd(hc->op, XHCI_USBCMD) & ~(XHCI_CMD_RUN | XHCI_CMD_INTE));
	/* 5.4.1: halt within 16 ms of clearing R/S. */
	if (xhci_wait_reg(hc->op, XHCI_USBSTS, XHCI_STS_HCH, XHCI_STS_HCH,
			  100 * NSEC_PER_MSEC)) {
		log_err("%s: does not halt", hc->name);
		return -ETIMEDOUT;
	}
	xhci_wr(hc->op, XHCI_USBCMD, XHCI_CMD_HCRST);
	if (xhci_wait_reg(hc->op, XHCI_USBCMD, XHCI_CMD_HCRST, 0, NSEC_PER_SEC) ||
	    xhci_wait_reg(hc->op, XHCI_USBSTS, XHCI_STS_CNR, 0, NSEC_PER_SEC)) {
		log_err("%s: reset does not complete", hc->name);
		return -ETIMEDOUT;
	}
	return 0;
}

static int xhci_setup_memory(struct xhci *hc, bool low32)
{
	uint32_t p2 = xhci_rd(hc->cap, XHCI_HCSPARAMS2);
	unsigned int nsp = ((p2 >> 21) & 0x1f) << 5 | ((p2 >> 27) & 0x1f);
	uint64_t phys, erst_phys;
	uint64_t *erst;

	hc->dcbaa = dma_alloc((hc->max_slots + 1) * 8, 64, low32, &phys);
	if (!hc->dcbaa)
		return -ENOMEM;
	xhci_wr64(hc->op, XHCI_DCBAAP, phys);

	/* Scratchpad buffers (4.20): an array of page pointers in DCBAA[0]. */
	if (nsp) {
		uint64_t arr_phys;
		uint64_t *arr = dma_alloc(nsp * 8, 64, low32, &arr_phys);
		if (!arr)
			return -ENOMEM;
		for (unsigned int i = 0; i < nsp; i++) {
			if (!dma_alloc(4096, 4096, low32, &arr[i]))
				return -ENOMEM;
		}
		hc->dcbaa[0] = arr_phys;
	}

	if (xhci_ring_init(&hc->cmd))
		return -ENOMEM;
	xhci_wr64(hc->op, XHCI_CRCR, hc->cmd.phys | 1); /* RCS = 1 */

	/* One event ring segment and its one-entry table (6.5). */
	hc->evt = dma_alloc(XHCI_EVT_TRBS * sizeof(struct xhci_trb), 4096, low32,
			    &hc->evt_phys);
	erst = dma_alloc(16, 64, low32, &erst_phys);
	if (!hc->evt || !erst)
		return -ENOMEM;
	erst[0] = hc->evt_phys;
	erst[1] = XHCI_EVT_TRBS;
	hc->evt_deq = 0;
	hc->evt_cycle = 1;
	xhci_wr(hc->rt, XHCI_ERSTSZ, 1);
	xhci_wr64(hc->rt, XHCI_ERDP, hc->evt_phys);
	xhci_wr64(hc->rt, XHCI_ERSTBA, erst_phys);
	/* Moderation: at most one interrupt per 50 us (250 ns units). */
	xhci_wr(hc->rt, XHCI_IMOD, 200);
	return 0;
}

static void xhci_setup_irq(struct xhci *hc)
{
	char opt[4];
	int vec;
	const char *how = NULL;

	if (cmdline_get("keel.xhci_poll", opt, sizeof(opt)) >= 0) {
		log_info("%s: polling (keel.xhci_poll)", hc->name);
		return;
	}
	vec = irq_alloc(xhci_irq, hc);
	if (vec < 0) {
		log_warn("%s: no interrupt vector; polling", hc->name);
		return;
	}
	uint8_t v = (uint8_t)vec;
	if (hc->pci->msix_cap && pci_msix_enable(hc->pci, 1, &v, lapic_id()) == 0)
		how = "MSI-X";
	else if (hc->pci->msi_cap &&
		 pci_msi_enable(hc->pci, v, lapic_id()) == 0)
		how = "MSI";
	if (!how) {
		irq_free(vec);
		log_warn("%s: no MSI-X or MSI; polling every %llu ms", hc->name,
			 (unsigned long long)(XHCI_POLL_NS / NSEC_PER_MSEC));
		return;
	}
	hc->irq = true;
	log_info("%s: %s vector %d", hc->name, how, vec);
}

static const char *xhci_speed_str(unsigned int s)
{
	return usb_speed_name((enum usb_speed)s);
}

/*
 * Bring a connected port to Enabled (4.3.1): USB 2 ports need a reset,
 * USB 3 ports train the link themselves. Returns the speed or -errno.
 */
static int xhci_port_enable(struct xhci *hc, unsigned int port)
{
	unsigned int off = XHCI_PORTSC(port);
	uint32_t sc = xhci_rd(hc->op, off);

	if (!(sc & XHCI_PORT_CCS))
		return -ENODEV;
	if (hc->port_major[port] != 3 || !(sc & XHCI_PORT_PED)) {
		xhci_wr(hc->op, off, (sc & XHCI_PORT_KEEP) | XHCI_PORT_PR);
		if (xhci_wait_reg(hc->op, off, XHCI_PORT_PRC, XHCI_PORT_PRC,
				  500 * NSEC_PER_MSEC)) {
			log_warn("%s: port %u reset timed out", hc->name, port);
			return -ETIMEDOUT;
		}
	}
	sc = xhci_rd(hc->op, off);
	xhci_wr(hc->op, off, (sc & XHCI_PORT_KEEP) | (sc & XHCI_PORT_CHANGES));
	if (!(sc & XHCI_PORT_PED)) {
		log_warn("%s: port %u not enabled after reset", hc->name, port);
		return -EIO;
	}
	/* USB 2.0 7.1.7.3: 10 ms reset recovery before the first request. */
	thread_sleep_ns(10 * NSEC_PER_MSEC);
	return XHCI_PORT_SPEED(sc);
}

static void xhci_attach(struct xhci *hc, unsigned int port)
{
	struct usb_dev *udev;
	int speed = xhci_port_enable(hc, port);

	if (speed < 0)
		return;
	udev = calloc(1, sizeof(*udev));
	if (!udev)
		return;
	udev->hc = hc;
	udev->port = port;
	udev->speed = speed;
	snprintf(udev->name, sizeof(udev->name), "usb-p%u", port);
	log_info("%s: port %u: %s-speed device (USB %u port)", hc->name, port,
		 xhci_speed_str(speed), hc->port_major[port]);
	if (xhci_address_device(hc, udev) < 0 || usb_enumerate(udev) < 0) {
		xhci_drop_device(udev);
		/* The slot (if any) is disabled; the struct stays: a late
		 * event may still name it, and it is small. */
	}
}

static void xhci_detach(struct xhci *hc, unsigned int port)
{
	for (unsigned int s = 1; s <= hc->max_slots; s++) {
		struct usb_dev *udev = hc->slots[s].udev;
		if (udev && udev->port == port && !udev->gone) {
			log_info("%s: port %u: %s unplugged", hc->name, port,
				 udev->name);
			xhci_drop_device(udev);
		}
	}
}

static bool xhci_port_cond(void *arg)
{
	return __atomic_load_n(&((struct xhci *)arg)->port_changed,
			       __ATOMIC_ACQUIRE) != 0;
}

/* Hot plug, and the polling fallback for interrupt endpoints. */
static void xhci_thread(void *arg)
{
	struct xhci *hc = arg;

	for (;;) {
		waitq_wait_timeout(&hc->wq, xhci_port_cond, hc,
				   hc->irq ? NSEC_PER_SEC : XHCI_POLL_NS);
		xhci_poll_events(hc);
		uint32_t ch = __atomic_exchange_n(&hc->port_changed, 0,
						  __ATOMIC_ACQ_REL);
		for (unsigned int p = 1; p <= hc->max_ports; p++) {
			if (!(ch & (1u << (p - 1))))
				continue;
			uint32_t sc = xhci_rd(hc->op, XHCI_PORTSC(p));
			if (!(sc & XHCI_PORT_CSC))
				continue;
			xhci_wr(hc->op, XHCI_PORTSC(p),
				(sc & XHCI_PORT_KEEP) | XHCI_PORT_CSC);
			xhci_detach(hc, p);
			if (sc & XHCI_PORT_CCS)
				xhci_attach(hc, p);
		}
	}
}

static int xhci_start(struct xhci *hc)
{
	uint32_t p1 = xhci_rd(hc->cap, XHCI_HCSPARAMS1);
	uint32_t cc1 = xhci_rd(hc->cap, XHCI_HCCPARAMS1);
	bool low32 = !(cc1 & 1); /* AC64 */
	int rc;

	hc->max_slots = p1 & 0xff;
	if (hc->max_slots > XHCI_MAX_SLOTS)
		hc->max_slots = XHCI_MAX_SLOTS;
	hc->max_ports = p1 >> 24;
	if (hc->max_ports > XHCI_MAX_PORTS)
		hc->max_ports = XHCI_MAX_PORTS;
	hc->ctx_size = (cc1 & (1u << 2)) ? 64 : 32;
	if (!(xhci_rd(hc->op, XHCI_PAGESIZE) & 1)) {
		log_err("%s: no 4 KiB page size support", hc->name);
		return -ENODEV;
	}
	xhci_ext_caps(hc);
	rc = xhci_reset(hc);
	if (rc)
		return rc;
	xhci_wr(hc->op, XHCI_CONFIG, hc->max_slots);
	rc = xhci_setup_memory(hc, low32);
	if (rc) {
		log_err("%s: out of DMA memory", hc->name);
		return rc;
	}
	xhci_setup_irq(hc);
	xhci_wr(hc->rt, XHCI_IMAN, XHCI_IMAN_IP | XHCI_IMAN_IE);
	xhci_wr(hc->op, XHCI_USBCMD, XHCI_CMD_RUN | XHCI_CMD_INTE);
	if (xhci_wait_reg(hc->op, XHCI_USBSTS, XHCI_STS_HCH, 0,
			  100 * NSEC_PER_MSEC)) {
		log_err("%s: does not run", hc->name);
		return -ETIMEDOUT;
	}
	/* A no-op command proves the command and event rings work (4.6.2). */
	rc = xhci_command(hc, 0, 0, XHCI_TRB_TYPE(XHCI_TRB_NOOP_CMD), NULL);
	if (rc != XHCI_CC_SUCCESS) {
		log_err("%s: no-op command failed (%d)", hc->name, rc);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

/*
 * With port power control (HCCPARAMS1.PPC) a reset leaves every root port
 * unpowered (xHCI 1.2 5.4.8, PP), and an unpowered port reports nothing,
 * not even a device that is plugged in (Bochs' xHCI reads all of PORTSC
 * as zero then). Power them and give the devices the 20 ms USB 2.0
 * 7.1.7.3 allows after power-on before their connection shows.
 */
static void xhci_power_ports(struct xhci *hc)
{
	bool powered = false;

	for (unsigned int p = 1; p <= hc->max_ports; p++) {
		if (!(xhci_rd(hc->op, XHCI_PORTSC(p)) & XHCI_PORT_PP)) {
			xhci_wr(hc->op, XHCI_PORTSC(p), XHCI_PORT_PP);
			powered = true;
		}
	}
	if (powered)
		thread_sleep_ns(20 * NSEC_PER_MSEC);
}

int xhci_probe(struct pci_dev *d)
{
	struct xhci *hc;
	volatile uint8_t *base;
	int rc;

	base = pci_map_bar(d, 0);
	if (!base)
		return -ENODEV;
	hc = calloc(1, sizeof(*hc));
	if (!hc)
		return -ENOMEM;
	hc->pci = d;
	snprintf(hc->name, sizeof(hc->name), "xhci%u", xhci_count);
	hc->lock = (struct spinlock)SPINLOCK_INIT;
	hc->wq = (struct waitq)WAITQ_INIT;
	hc->cap = base;
	hc->op = base + (xhci_rd(base, XHCI_CAPLENGTH) & 0xff);
	hc->rt = base + (xhci_rd(base, XHCI_RTSOFF) & ~0x1fu);
	hc->db = base + (xhci_rd(base, XHCI_DBOFF) & ~0x3u);
	pci_enable(d, true, false, true);

	rc = xhci_start(hc);
	if (rc) {
		xhci_wr(hc->op, XHCI_USBCMD, 0);
		pci_enable(d, false, false, false);
		free(hc);
		return rc;
	}
	xhci_count++;
	d->driver_data = hc;
	log_info("%s: xHCI %x.%02x, %u ports, %u slots, %u-byte contexts",
		 hc->name, xhci_rd(base, 0) >> 24, (xhci_rd(base, 0) >> 16) & 0xff,
		 hc->max_ports, hc->max_slots, hc->ctx_size);

	/* Enumerate what is plugged in now, before the boot goes on, so the
	 * boot disk is registered when the config store looks for it. */
	__atomic_store_n(&hc->port_changed, 0, __ATOMIC_RELAXED);
	xhci_power_ports(hc);
	for (unsigned int p = 1; p <= hc->max_ports; p++) {
		uint32_t sc = xhci_rd(hc->op, XHCI_PORTSC(p));

		if (sc & XHCI_PORT_CCS) {
			xhci_wr(hc->op, XHCI_PORTSC(p),
				(sc & XHCI_PORT_KEEP) | XHCI_PORT_CSC);
			xhci_attach(hc, p);
		}
	}
	__atomic_and_fetch(&hc->port_changed, 0, __ATOMIC_RELAXED);
	if (!thread_create(hc->name, xhci_thread, hc, NULL))
		log_warn("%s: no thread: no hot plug or polled keyboards",
			 hc->name);
	return 0;
}

static int xhci_pci_probe(struct pci_dev *d, const struct pci_match *m)
{
	if (m->kind == PCI_MATCH_CLASS && d->prog_if != 0x30)
		return -ENODEV; /* UHCI, OHCI, EHCI: not driven */
	return xhci_probe(d);
}

static const struct pci_match xhci_ids[] = {
	PCI_ID(0x1b36, 0x000d), /* QEMU qemu-xhci */
	PCI_ID(0x1033, 0x0194), /* NEC uPD720200 (QEMU nec-usb-xhci) */
	PCI_CLASS(0x0c, 0x03),	/* any xHCI: prog-if 0x30 */
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(xhci, xhci_ids, xhci_pci_probe);
