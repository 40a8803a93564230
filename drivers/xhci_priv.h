/* SPDX-License-Identifier: MIT */
/*
 * xHCI internals shared by drivers/xhci.c (controller, commands, events)
 * and drivers/xhci_xfer.c (endpoints and transfers). Register offsets
 * and bit names follow xHCI 1.2 chapter 5; TRB layouts chapter 6.4.
 */
#ifndef KEEL_DRIVERS_XHCI_PRIV_H
#define KEEL_DRIVERS_XHCI_PRIV_H

#include "drivers/usb.h"
#include "drivers/xhci.h"

/* Capability registers (5.3). */
#define XHCI_CAPLENGTH 0x00
#define XHCI_HCSPARAMS1 0x04
#define XHCI_HCSPARAMS2 0x08
#define XHCI_HCCPARAMS1 0x10
#define XHCI_DBOFF 0x14
#define XHCI_RTSOFF 0x18
/* Operational registers (5.4), from op base. */
#define XHCI_USBCMD 0x00
#define XHCI_USBSTS 0x04
#define XHCI_PAGESIZE 0x08
#define XHCI_CRCR 0x18
#define XHCI_DCBAAP 0x30
#define XHCI_CONFIG 0x38
#define XHCI_PORTSC(n) (0x400 + 0x10 * ((n) - 1))
#define XHCI_CMD_RUN (1u << 0)
#define XHCI_CMD_HCRST (1u << 1)
#define XHCI_CMD_INTE (1u << 2)
#define XHCI_STS_HCH (1u << 0)
#define XHCI_STS_HSE (1u << 2)
#define XHCI_STS_EINT (1u << 3)
#define XHCI_STS_CNR (1u << 11)
/* PORTSC (5.4.8). */
#define XHCI_PORT_CCS (1u << 0)
#define XHCI_PORT_PED (1u << 1)
#define XHCI_PORT_PR (1u << 4)
#define XHCI_PORT_PP (1u << 9)
#define XHCI_PORT_SPEED(v) (((v) >> 10) & 0xf)
#define XHCI_PORT_CSC (1u << 17)
#define XHCI_PORT_PEC (1u << 18)
#define XHCI_PORT_PRC (1u << 21)
#define XHCI_PORT_CHANGES (0x7fu << 17) /* CSC..CEC, write 1 to clear */
/* Bits that keep their value when written back (RW/RWS, not RW1C/RW1S). */
#define XHCI_PORT_KEEP (XHCI_PORT_PP | (3u << 14) | (7u << 25))
/* Runtime registers: interrupter 0 (5.5.2). */
#define XHCI_IMAN 0x20
#define XHCI_IMOD 0x24
#define XHCI_ERSTSZ 0x28
#define XHCI_ERSTBA 0x30
#define XHCI_ERDP 0x38
#define XHCI_IMAN_IP (1u << 0)
#define XHCI_IMAN_IE (1u << 1)
#define XHCI_ERDP_EHB (1u << 3)

/* TRB types (6.4.6) and control-field bits. */
#define XHCI_TRB_NORMAL 1
#define XHCI_TRB_SETUP 2
#define XHCI_TRB_DATA 3
#define XHCI_TRB_STATUS 4
#define XHCI_TRB_LINK 6
#define XHCI_TRB_ENABLE_SLOT 9
#define XHCI_TRB_DISABLE_SLOT 10
#define XHCI_TRB_ADDRESS_DEV 11
#define XHCI_TRB_CONFIG_EP 12
#define XHCI_TRB_EVAL_CTX 13
#define XHCI_TRB_RESET_EP 14
#define XHCI_TRB_STOP_EP 15
#define XHCI_TRB_SET_DEQ 16
#define XHCI_TRB_NOOP_CMD 23
#define XHCI_TRB_EV_TRANSFER 32
#define XHCI_TRB_EV_CMD 33
#define XHCI_TRB_EV_PORT 34
#define XHCI_TRB_TYPE(t) ((uint32_t)(t) << 10)
#define XHCI_TRB_GET_TYPE(c) (((c) >> 10) & 0x3f)
#define XHCI_TRB_CYCLE (1u << 0)
#define XHCI_TRB_TC (1u << 1) /* link: toggle cycle */
#define XHCI_TRB_ISP (1u << 2)
#define XHCI_TRB_CH (1u << 4)
#define XHCI_TRB_IOC (1u << 5)
#define XHCI_TRB_IDT (1u << 6)
#define XHCI_TRB_DIR_IN (1u << 16)
#define XHCI_TRB_SLOT(s) ((uint32_t)(s) << 24)
#define XHCI_TRB_EP(e) ((uint32_t)(e) << 16)

#define XHCI_MAX_PORTS 32
#define XHCI_MAX_SLOTS 32

struct xhci_slot {
	struct usb_dev *udev;
	void *out_ctx; /* output device context (6.2.1) */
	uint64_t out_phys;
	uint8_t *in_ctx; /* input context (6.2.5) */
	uint64_t in_phys;
	uint8_t *ctrl_buf; /* control transfers' data stage */
	uint64_t ctrl_phys;
	struct xhci_ep eps[32]; /* by DCI: 1 = EP0, 2n/2n+1 = OUT/IN n */
};

struct xhci {
	struct pci_dev *pci;
	char name[16];
	volatile uint8_t *cap, *op, *rt, *db;
	unsigned int max_slots, max_ports;
	unsigned int ctx_size; /* 32 or 64 bytes (HCCPARAMS1.CSZ) */
	uint8_t port_major[XHCI_MAX_PORTS + 1]; /* 2 or 3, 0: unknown */
	uint64_t *dcbaa;
	struct xhci_ring cmd;
	struct xhci_trb *evt;
	uint64_t evt_phys;
	unsigned int evt_deq;
	uint32_t evt_cycle;
	struct xhci_wait *cmd_wait; /* the one outstanding command */
	struct spinlock lock;	    /* rings, waits, event ring */
	struct waitq wq;	    /* woken by every event batch */
	bool irq;		    /* MSI-X or MSI delivers events */
	volatile uint32_t port_changed; /* bitmap from port events */
	struct xhci_slot slots[XHCI_MAX_SLOTS + 1];
};

/* MMIO helpers: 64-bit registers written low then high (5.1). */
static inline uint32_t xhci_rd(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint32_t *)(base + off);
}
static inline void xhci_wr(volatile uint8_t *base, unsigned int off,
			   uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}
static inline void xhci_wr64(volatile uint8_t *base, unsigned int off,
			     uint64_t v)
{
	xhci_wr(base, off, (uint32_t)v);
	xhci_wr(base, off + 4, (uint32_t)(v >> 32));
}

/* drivers/xhci.c */
int xhci_ring_init(struct xhci_ring *r);
/* Queue one TRB (cycle bit set last); hc->lock held. Returns its phys. */
uint64_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status,
		       uint32_t control);
uint64_t xhci_ring_enq_phys(const struct xhci_ring *r);
/* Run a command, wait for its completion event. Returns the completion
 * code (XHCI_CC_*) or a negative errno; *slot_out gets the slot id. */
int xhci_command(struct xhci *hc, uint64_t param, uint32_t status,
		 uint32_t control, uint32_t *slot_out);
/* Wait for @w with timeout, polling the event ring meanwhile. */
bool xhci_wait_done(struct xhci *hc, struct xhci_wait *w, uint64_t timeout_ns);
void xhci_poll_events(struct xhci *hc);
static inline void xhci_ring_doorbell(struct xhci *hc, unsigned int slot,
				      unsigned int target)
{
	xhci_wr(hc->db, 4 * slot, target);
}
/* Context pointers inside a slot's contexts (6.2). */
static inline uint32_t *xhci_in_ctx(struct xhci *hc, struct xhci_slot *s,
				    unsigned int idx)
{
	/* idx 0: input control context, 1: slot, 2..: DCI 1.. */
	return (uint32_t *)(s->in_ctx + idx * hc->ctx_size);
}
static inline uint32_t *xhci_out_ctx(struct xhci *hc, struct xhci_slot *s,
				     unsigned int dci)
{
	return (uint32_t *)((uint8_t *)s->out_ctx + dci * hc->ctx_size);
}

/* drivers/xhci_xfer.c */
int xhci_address_device(struct xhci *hc, struct usb_dev *udev);
void xhci_transfer_event(struct xhci *hc, const struct xhci_trb *ev);

#endif
