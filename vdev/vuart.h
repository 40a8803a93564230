/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART per VM (TI/National PC16550D datasheet), at COM1 0x3f8 on
 * the guest's port bus: the VM's serial console. The eight registers
 * behave as on the chip (divisor latch behind LCR.DLAB, 16-byte FIFOs
 * with receive trigger levels, the IIR priority scheme, loopback through
 * MCR, the modem status deltas), so a stock 8250/16550 driver (Linux's
 * 8250 autoconfig, a polling boot loader) finds a 16550A.
 *
 * The line is infinitely fast: a byte written to THR leaves at once
 * (THRE and TEMT stay set) through the @tx callback; bytes for the guest
 * wait in a backlog (the "wire") and move into the receive FIFO as the
 * guest makes room, so host input is never overrun. The divisor and LCR
 * framing are stored and read back but do not pace anything.
 *
 * The interrupt output is reported as a PC board wires it: the chip's
 * INTR gated by MCR.OUT2, and inactive in loopback (the 16550 forces OUT2
 * inactive there). Issue 8's vPIC/vIOAPIC listen through @irq; nobody
 * needs to.
 *
 * Locking: every entry point takes u->lock; the @tx and @irq callbacks
 * run under it and must not call back into this UART.
 */
#ifndef KEEL_VDEV_VUART_H
#define KEEL_VDEV_VUART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"

#define VUART_COM1 0x3f8
#define VUART_COM1_IRQ 4
#define VUART_FIFO 16	   /* the 16550A's FIFOs (datasheet 8.6) */
#define VUART_BACKLOG 4096 /* host input waiting for the guest */

/* Register offsets (datasheet table 2). */
enum {
	VUART_RBR = 0, /* read, DLAB=0; THR on write; DLL with DLAB=1 */
	VUART_IER = 1, /* DLM with DLAB=1 */
	VUART_IIR = 2, /* read; FCR on write */
	VUART_LCR = 3,
	VUART_MCR = 4,
	VUART_LSR = 5,
	VUART_MSR = 6,
	VUART_SCR = 7,
};

/* Bits the tests and the device model name. */
#define VUART_IER_RDI 0x01  /* received data available */
#define VUART_IER_THRI 0x02 /* transmitter holding register empty */
#define VUART_IER_RLSI 0x04 /* receiver line status */
#define VUART_IER_MSI 0x08  /* modem status */
#define VUART_IIR_NONE 0x01
#define VUART_IIR_MSI 0x00
#define VUART_IIR_THRI 0x02
#define VUART_IIR_RDI 0x04
#define VUART_IIR_RLSI 0x06
#define VUART_IIR_TIMEOUT 0x0c
#define VUART_IIR_FIFO 0xc0 /* FIFOs enabled */
#define VUART_FCR_ENABLE 0x01
#define VUART_FCR_CLEAR_RX 0x02
#define VUART_FCR_CLEAR_TX 0x04
#define VUART_LCR_DLAB 0x80
#define VUART_MCR_DTR 0x01
#define VUART_MCR_RTS 0x02
#define VUART_MCR_OUT1 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10
#define VUART_LSR_DR 0x01
#define VUART_LSR_OE 0x02
#define VUART_LSR_THRE 0x20
#define VUART_LSR_TEMT 0x40
#define VUART_MSR_DCTS 0x01
#define VUART_MSR_DDSR 0x02
#define VUART_MSR_TERI 0x04
#define VUART_MSR_DDCD 0x08
#define VUART_MSR_CTS 0x10
#define VUART_MSR_DSR 0x20
#define VUART_MSR_RI 0x40
#define VUART_MSR_DCD 0x80

struct vm;

typedef void (*vuart_tx_fn)(void *opaque, uint8_t byte);
typedef void (*vuart_irq_fn)(void *opaque, bool level);

struct vuart {
	struct spinlock lock; /* everything below */
	uint16_t base;	      /* first port (vuart_attach) */
	/* Registers. */
	uint16_t dl;
	uint8_t ier, lcr, mcr, scr;
	uint8_t fcr;	   /* FIFO enable, DMA mode, trigger bits */
	uint8_t lsr_err;   /* OE, sticky until LSR is read */
	uint8_t msr_delta; /* the low nibble of MSR, cleared by reading it */
	uint8_t msr_lines; /* the high nibble as last seen */
	bool thr_pending;  /* THRE interrupt armed (cleared by IIR/THR) */
	uint8_t last_rx;   /* what RBR reads when nothing is there */
	/* Receive FIFO (one byte deep with FIFOs off, as a 16450). */
	uint8_t rx[VUART_FIFO];
	unsigned int rx_head, rx_count;
	/* Host input not yet in the FIFO. */
	uint8_t backlog[VUART_BACKLOG];
	unsigned int bl_head, bl_count;
	/* Output and interrupt wiring. */
	vuart_tx_fn tx;
	void *tx_opaque;
	vuart_irq_fn irq;
	void *irq_opaque;
	bool irq_level;
	/* Counters (vm.stats). */
	uint64_t tx_bytes, rx_bytes, overruns;
};

/* Power-on state; @tx receives the guest's output (may be NULL). */
void vuart_init(struct vuart *u, vuart_tx_fn tx, void *opaque);
/* The interrupt line's listener (issue 8's interrupt controllers). */
void vuart_set_irq(struct vuart *u, vuart_irq_fn irq, void *opaque);
/* Master reset (datasheet table 9), and the host backlog dropped. */
void vuart_reset(struct vuart *u);
/* Claim 8 ports at @base on @vm's port bus (before the VM starts). */
int vuart_attach(struct vuart *u, struct vm *vm, uint16_t base);

/* One register access at offset @reg (0-7), as a byte-wide port. */
uint8_t vuart_read(struct vuart *u, unsigned int reg);
void vuart_write(struct vuart *u, unsigned int reg, uint8_t val);

/*
 * Host input for the guest: up to @len bytes join the backlog; returns
 * how many were taken (fewer when the backlog is full: the guest is not
 * reading, try later).
 */
size_t vuart_rx_push(struct vuart *u, const uint8_t *data, size_t len);
/* The INTR output as wired on a PC (see above). */
bool vuart_irq_level(struct vuart *u);

#endif
