// SPDX-License-Identifier: MIT
/*
 * The 16550A model (vdev/vuart.h). Section numbers are the PC16550D
 * datasheet's (National Semiconductor, June 1995): 8.1 LCR, 8.4 LSR,
 * 8.5 FCR, 8.6 IIR (table 4: priorities), 8.7 IER, 8.8 MCR, 8.9 MSR,
 * 8.10 SCR, table 9 reset values.
 */
#include "vdev/vuart.h"

#include <string.h>

#include "core/iobus.h"
#include "core/vm.h"

static unsigned int vuart_depth(const struct vuart *u)
{
	return (u->fcr & VUART_FCR_ENABLE) ? VUART_FIFO : 1;
}

/* FCR bits 7:6 select the receive trigger (8.5). */
static unsigned int vuart_trigger(const struct vuart *u)
{
	static const unsigned int level[4] = { 1, 4, 8, 14 };

	return (u->fcr & VUART_FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/*
 * The modem inputs: a terminal that is always there (CTS, DSR, DCD), or
 * in loopback the MCR outputs wired back (8.8: RTS->CTS, DTR->DSR,
 * OUT1->RI, OUT2->DCD). A change sets the delta bits (8.9); TERI is the
 * trailing edge of RI only.
 */
static void vuart_lines(struct vuart *u)
{
	uint8_t m = u->mcr, now, chg;

	if (m & VUART_MCR_LOOP)
		now = (m & VUART_MCR_RTS ? VUART_MSR_CTS : 0) |
		      (m & VUART_MCR_DTR ? VUART_MSR_DSR : 0) |
		      (m & VUART_MCR_OUT1 ? VUART_MSR_RI : 0) |
		      (m & VUART_MCR_OUT2 ? VUART_MSR_DCD : 0);
	else
		now = VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
	chg = now ^ u->msr_lines;
	if (chg & VUART_MSR_CTS)
		u->msr_delta |= VUART_MSR_DCTS;
	if (chg & VUART_MSR_DSR)
		u->msr_delta |= VUART_MSR_DDSR;
	if ((chg & VUART_MSR_RI) && !(now & VUART_MSR_RI))
		u->msr_delta |= VUART_MSR_TERI;
	if (chg & VUART_MSR_DCD)
		u->msr_delta |= VUART_MSR_DDCD;
	u->msr_lines = now;
}

/* The highest-priority pending interrupt (8.6, table 4). */
static uint8_t vuart_iid(const struct vuart *u)
{
	uint8_t ier = u->ier;

	if ((ier & VUART_IER_RLSI) && u->lsr_err)
		return VUART_IIR_RLSI;
	if ((ier & VUART_IER_RDI) && u->rx_count) {
		if (u->rx_count >= vuart_trigger(u))
			return VUART_IIR_RDI;
		/*
		 * Below the trigger level the chip reports a character
		 * timeout after four character times without a read; on an
		 * infinitely fast line that time has already passed.
		 */
		return VUART_IIR_TIMEOUT;
	}
	if ((ier & VUART_IER_THRI) && u->thr_pending)
		return VUART_IIR_THRI;
	if ((ier & VUART_IER_MSI) && u->msr_delta)
		return VUART_IIR_MSI;
	return VUART_IIR_NONE;
}

/* Re-evaluate INTR as the board sees it; tell the listener of a change. */
static void vuart_update(struct vuart *u)
{
	bool level =
	    vuart_iid(u) != VUART_IIR_NONE &&
	    (u->mcr & (VUART_MCR_OUT2 | VUART_MCR_LOOP)) == VUART_MCR_OUT2;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->irq_opaque, level);
}

static void vuart_rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/*
 * A received character. A full FIFO is an overrun (8.4, LSR bit 1): in
 * FIFO mode the new character is lost; in 16450 mode it overwrites RBR.
 */
static void vuart_rx_put(struct vuart *u, uint8_t c)
{
	unsigned int depth = vuart_depth(u);

	if (u->rx_count >= depth) {
		u->lsr_err |= VUART_LSR_OE;
		u->overruns++;
		if (depth == 1)
			u->rx[u->rx_head] = c;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = c;
	u->rx_count++;
}

/* The wire delivers backlog while there is room (not in loopback, where
 * the serial input is disconnected, 8.8). */
static void vuart_refill(struct vuart *u)
{
	unsigned int depth = vuart_depth(u);

	if (u->mcr & VUART_MCR_LOOP)
		return;
	while (u->bl_count && u->rx_count < depth) {
		vuart_rx_put(u, u->backlog[u->bl_head]);
		u->bl_head = (u->bl_head + 1) % VUART_BACKLOG;
		u->bl_count--;
		u->rx_bytes++;
	}
}

static void vuart_reset_locked(struct vuart *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->fcr = 0;
	u->lsr_err = 0;
	u->thr_pending = false;
	vuart_rx_clear(u);
	u->bl_head = 0;
	u->bl_count = 0;
	u->msr_lines = VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
	u->msr_delta = 0;
	vuart_update(u);
}

void vuart_init(struct vuart *u, vuart_tx_fn tx, void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->lock = (struct spinlock)SPINLOCK_INIT;
	u->tx = tx;
	u->tx_opaque = opaque;
	u->dl =
	    12; /* 9600 baud from the 1.8432 MHz clock, as firmware leaves it */
	vuart_reset_locked(u);
}

void vuart_set_irq(struct vuart *u, vuart_irq_fn irq, void *opaque)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);

	u->irq = irq;
	u->irq_opaque = opaque;
	if (irq)
		irq(opaque, u->irq_level);
	spin_unlock_irqrestore(&u->lock, flags);
}

void vuart_reset(struct vuart *u)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);

	vuart_reset_locked(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

static uint8_t vuart_read_locked(struct vuart *u, unsigned int reg)
{
	uint8_t val = 0xff;

	switch (reg) {
	case VUART_RBR:
		if (u->lcr & VUART_LCR_DLAB)
			return (uint8_t)u->dl;
		if (u->rx_count) {
			u->last_rx = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VUART_FIFO;
			u->rx_count--;
			vuart_refill(u);
		}
		val = u->last_rx;
		break;
	case VUART_IER:
		if (u->lcr & VUART_LCR_DLAB)
			return (uint8_t)(u->dl >> 8);
		return u->ier;
	case VUART_IIR:
		val = vuart_iid(u);
		/* Reading IIR clears a THRE interrupt it reports (8.6). */
		if (val == VUART_IIR_THRI)
			u->thr_pending = false;
		if (u->fcr & VUART_FCR_ENABLE)
			val |= VUART_IIR_FIFO;
		break;
	case VUART_LCR:
		return u->lcr;
	case VUART_MCR:
		return u->mcr;
	case VUART_LSR:
		/* The transmitter is always empty: the line is infinitely fast.
		 */
		val = (u->rx_count ? VUART_LSR_DR : 0) | u->lsr_err |
		      VUART_LSR_THRE | VUART_LSR_TEMT;
		u->lsr_err = 0; /* error bits clear on read (8.4) */
		break;
	case VUART_MSR:
		val = u->msr_lines | u->msr_delta;
		u->msr_delta = 0;
		break;
	case VUART_SCR:
		return u->scr;
	}
	vuart_update(u);
	return val;
}

static void vuart_write_fcr(struct vuart *u, uint8_t val)
{
	/* Changing FCR0 clears both FIFOs; the other bits are written only
	 * with FCR0 set (8.5). The transmit FIFO is always empty here. */
	if ((val ^ u->fcr) & VUART_FCR_ENABLE)
		vuart_rx_clear(u);
	if (!(val & VUART_FCR_ENABLE)) {
		u->fcr = 0;
	} else {
		u->fcr = val & 0xc9; /* enable, DMA mode, trigger */
		if (val & VUART_FCR_CLEAR_RX)
			vuart_rx_clear(u);
	}
	vuart_refill(u);
}

static void vuart_write_locked(struct vuart *u, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case VUART_RBR: /* THR */
		if (u->lcr & VUART_LCR_DLAB) {
			u->dl = (u->dl & 0xff00) | val;
			return;
		}
		if (u->mcr & VUART_MCR_LOOP) {
			vuart_rx_put(u, val);
		} else {
			u->tx_bytes++;
			if (u->tx)
				u->tx(u->tx_opaque, val);
		}
		/* The write cleared THRE; the byte left at once, so THR is
		 * empty again and the interrupt re-arms. */
		u->thr_pending = true;
		break;
	case VUART_IER:
		if (u->lcr & VUART_LCR_DLAB) {
			u->dl = (uint16_t)((u->dl & 0xff) | (val << 8));
			return;
		}
		/* Enabling ETBEI with THR empty raises THRE (8.7). */
		if ((val & VUART_IER_THRI) && !(u->ier & VUART_IER_THRI))
			u->thr_pending = true;
		u->ier = val & 0x0f;
		break;
	case VUART_IIR: /* FCR */
		vuart_write_fcr(u, val);
		break;
	case VUART_LCR:
		u->lcr = val;
		break;
	case VUART_MCR:
		u->mcr = val & 0x1f;
		vuart_lines(u);
		vuart_refill(u); /* leaving loopback reconnects the input */
		break;
	case VUART_SCR:
		u->scr = val;
		break;
	default: /* LSR and MSR writes are for factory test: ignored */
		break;
	}
	vuart_update(u);
}

uint8_t vuart_read(struct vuart *u, unsigned int reg)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);
	uint8_t val = vuart_read_locked(u, reg & 7);

	spin_unlock_irqrestore(&u->lock, flags);
	return val;
}

void vuart_write(struct vuart *u, unsigned int reg, uint8_t val)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);

	vuart_write_locked(u, reg & 7, val);
	spin_unlock_irqrestore(&u->lock, flags);
}

size_t vuart_rx_push(struct vuart *u, const uint8_t *data, size_t len)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);
	size_t n = 0;

	while (n < len && u->bl_count < VUART_BACKLOG) {
		u->backlog[(u->bl_head + u->bl_count) % VUART_BACKLOG] =
		    data[n];
		u->bl_count++;
		n++;
	}
	vuart_refill(u);
	vuart_update(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return n;
}

bool vuart_irq_level(struct vuart *u)
{
	return __atomic_load_n(&u->irq_level, __ATOMIC_RELAXED);
}

/*
 * Port accesses: the chip sits on an 8-bit bus, so a word or dword access
 * is that many byte accesses to consecutive registers, as the ISA bus
 * splits them; bytes past the eighth register read as an open bus.
 */
static int vuart_io(struct vcpu *v, uint64_t port, unsigned int size,
		    bool write, uint64_t *data, void *opaque)
{
	struct vuart *u = opaque;
	uint64_t flags = spin_lock_irqsave(&u->lock);
	uint64_t val = 0;

	for (unsigned int i = 0; i < size; i++) {
		uint64_t reg = port - u->base + i;
		if (reg >= 8) {
			val |= 0xffull << (8 * i);
			continue;
		}
		if (write)
			vuart_write_locked(u, (unsigned int)reg,
					   (uint8_t)(*data >> (8 * i)));
		else
			val |= (uint64_t)vuart_read_locked(u, (unsigned int)reg)
			       << (8 * i);
	}
	spin_unlock_irqrestore(&u->lock, flags);
	if (!write)
		*data = val;
	return 0;
}

int vuart_attach(struct vuart *u, struct vm *vm, uint16_t base)
{
	u->base = base;
	return iobus_register_pio(vm, base, 8, vuart_io, u);
}
