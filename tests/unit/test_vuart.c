// SPDX-License-Identifier: MIT
/*
 * The 16550A model (vdev/vuart.c) register by register, as a driver sees
 * it: Linux's 8250 autoconfig probes (scratch, IER read-back, loopback
 * MSR 0x90, FIFO bits in IIR), the divisor latch behind DLAB, receive
 * FIFO trigger levels and character timeout, overrun, THRE interrupt
 * re-assertion (Linux's UART_BUG_THRE test), interrupt priority, the
 * OUT2-gated interrupt line, byte-split word accesses on the port bus.
 * UNIT_SRCS: vdev/vuart.c
 */
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "unit.h"
#include "vdev/vuart.h"

static uint8_t out[256];
static unsigned int nout;
static int irq_changes;
static bool irq_now;

static void tx(void *opaque, uint8_t c)
{
	if (nout < sizeof(out))
		out[nout++] = c;
}

static void irq(void *opaque, bool level)
{
	irq_changes++;
	irq_now = level;
}

static void fresh(struct vuart *u)
{
	nout = 0;
	irq_changes = 0;
	irq_now = false;
	vuart_init(u, tx, NULL);
	vuart_set_irq(u, irq, NULL); /* tells the level at once */
	irq_changes = 0;
}

/* vuart_attach's bus, captured for the port-access test. */
static iobus_fn bus_fn;
static void *bus_opaque;
int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque)
{
	bus_fn = fn;
	bus_opaque = opaque;
	return count == 8 ? 0 : -1;
}

UNIT_TEST(reset_values)
{
	static struct vuart u;

	fresh(&u);
	UNIT_CHECK(vuart_read(&u, VUART_IER) == 0);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_NONE);
	UNIT_CHECK(vuart_read(&u, VUART_LCR) == 0);
	UNIT_CHECK(vuart_read(&u, VUART_MCR) == 0);
	UNIT_CHECK(vuart_read(&u, VUART_LSR) == 0x60); /* THRE | TEMT */
	UNIT_CHECK((vuart_read(&u, VUART_MSR) & 0xf0) == 0xb0);
	UNIT_CHECK(!irq_now);
}

UNIT_TEST(scratch_and_ier_readback)
{
	static struct vuart u;

	fresh(&u);
	vuart_write(&u, VUART_SCR, 0xa5);
	UNIT_CHECK(vuart_read(&u, VUART_SCR) == 0xa5);
	vuart_write(&u, VUART_IER, 0xff); /* only 4 bits exist */
	UNIT_CHECK(vuart_read(&u, VUART_IER) == 0x0f);
	vuart_write(&u, VUART_IER, 0);
	UNIT_CHECK(vuart_read(&u, VUART_IER) == 0);
}

UNIT_TEST(divisor_latch)
{
	static struct vuart u;

	fresh(&u);
	vuart_write(&u, VUART_IER, VUART_IER_RDI);
	vuart_write(&u, VUART_LCR, 0x80 | 0x03);
	vuart_write(&u, VUART_RBR, 0x01); /* DLL: 115200 baud */
	vuart_write(&u, VUART_IER, 0x02); /* DLM */
	UNIT_CHECK(vuart_read(&u, VUART_RBR) == 0x01);
	UNIT_CHECK(vuart_read(&u, VUART_IER) == 0x02);
	UNIT_CHECK(nout == 0); /* the DLL write sent nothing */
	vuart_write(&u, VUART_LCR, 0x03);
	/* IER kept its own value behind the latch. */
	UNIT_CHECK(vuart_read(&u, VUART_IER) == VUART_IER_RDI);
	UNIT_CHECK(vuart_read(&u, VUART_LCR) == 0x03);
	UNIT_CHECK(u.dl == 0x0201);
	vuart_write(&u, VUART_RBR, 'K');
	UNIT_CHECK(nout == 1 && out[0] == 'K');
	UNIT_CHECK(vuart_read(&u, VUART_LSR) & VUART_LSR_THRE);
}

UNIT_TEST(fifo_detect_and_trigger)
{
	static struct vuart u;

	fresh(&u);
	vuart_write(&u, VUART_IIR, 0x01);
	UNIT_CHECK((vuart_read(&u, VUART_IIR) & 0xc0) == 0xc0); /* 16550A */
	vuart_write(&u, VUART_IIR, 0x00);
	UNIT_CHECK((vuart_read(&u, VUART_IIR) & 0xc0) == 0);
	/* FIFO on, trigger 4 bytes, receive interrupts on, OUT2 set. */
	vuart_write(&u, VUART_IIR, 0x41 | VUART_FCR_CLEAR_RX);
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2);
	vuart_write(&u, VUART_IER, VUART_IER_RDI);
	UNIT_CHECK(vuart_rx_push(&u, (const uint8_t *)"ab", 2) == 2);
	/* Below the trigger: a character timeout, not data-available. */
	UNIT_CHECK((vuart_read(&u, VUART_IIR) & 0x0f) == VUART_IIR_TIMEOUT);
	UNIT_CHECK(irq_now);
	vuart_rx_push(&u, (const uint8_t *)"cd", 2);
	UNIT_CHECK((vuart_read(&u, VUART_IIR) & 0x0f) == VUART_IIR_RDI);
	UNIT_CHECK(vuart_read(&u, VUART_LSR) & VUART_LSR_DR);
	char got[5] = { 0 };
	for (int i = 0; i < 4; i++)
		got[i] = (char)vuart_read(&u, VUART_RBR);
	UNIT_CHECK_STR(got, "abcd");
	UNIT_CHECK(!(vuart_read(&u, VUART_LSR) & VUART_LSR_DR));
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == (0xc0 | VUART_IIR_NONE));
	UNIT_CHECK(!irq_now);
}

UNIT_TEST(fifo_holds_sixteen_backlog_waits)
{
	static struct vuart u;
	uint8_t data[40];

	fresh(&u);
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	vuart_write(&u, VUART_IIR, 0xc1); /* trigger 14 */
	UNIT_CHECK(vuart_rx_push(&u, data, sizeof(data)) == sizeof(data));
	UNIT_CHECK(u.rx_count == VUART_FIFO);
	/* The host backlog is not an overrun: every byte arrives in order. */
	for (unsigned int i = 0; i < sizeof(data); i++)
		UNIT_CHECK(vuart_read(&u, VUART_RBR) == i);
	UNIT_CHECK(!(vuart_read(&u, VUART_LSR) & VUART_LSR_OE));
	/* Clearing the receive FIFO drops what it held, not the backlog. */
	vuart_rx_push(&u, data, 20);
	vuart_write(&u, VUART_IIR, 0xc1 | VUART_FCR_CLEAR_RX);
	UNIT_CHECK(vuart_read(&u, VUART_RBR) == 16);
}

UNIT_TEST(backlog_full_refuses)
{
	static struct vuart u;
	static uint8_t big[VUART_BACKLOG + 100];

	fresh(&u);
	/* 16450 mode: one holding byte plus the backlog. */
	UNIT_CHECK(vuart_rx_push(&u, big, sizeof(big)) == VUART_BACKLOG);
	UNIT_CHECK(vuart_rx_push(&u, big, 10) == 1); /* one byte freed up */
	UNIT_CHECK(vuart_rx_push(&u, big, 10) == 0);
	vuart_read(&u, VUART_RBR);
	UNIT_CHECK(vuart_rx_push(&u, big, 10) == 1);
	vuart_reset(&u);
	UNIT_CHECK(!(vuart_read(&u, VUART_LSR) & VUART_LSR_DR));
	UNIT_CHECK(vuart_rx_push(&u, big, 10) == 10);
}

UNIT_TEST(loopback)
{
	static struct vuart u;

	fresh(&u);
	/* Linux autoconfig: MCR = LOOP|OUT2|RTS must read MSR 0x90. */
	vuart_write(&u, VUART_MCR, VUART_MCR_LOOP | 0x0a);
	UNIT_CHECK((vuart_read(&u, VUART_MSR) & 0xf0) == 0x90);
	vuart_write(&u, VUART_MCR, VUART_MCR_LOOP | 0x0f);
	UNIT_CHECK((vuart_read(&u, VUART_MSR) & 0xf0) == 0xf0);
	/* Transmitted bytes come back and do not reach the line. */
	vuart_write(&u, VUART_IIR, 0x01);
	vuart_write(&u, VUART_RBR, 'x');
	vuart_write(&u, VUART_RBR, 'y');
	UNIT_CHECK(nout == 0);
	UNIT_CHECK(vuart_read(&u, VUART_LSR) & VUART_LSR_DR);
	UNIT_CHECK(vuart_read(&u, VUART_RBR) == 'x');
	UNIT_CHECK(vuart_read(&u, VUART_RBR) == 'y');
	/* Host input waits while the input is disconnected. */
	vuart_rx_push(&u, (const uint8_t *)"h", 1);
	UNIT_CHECK(!(vuart_read(&u, VUART_LSR) & VUART_LSR_DR));
	/* A full FIFO overruns: OE set once, cleared by reading LSR. */
	for (int i = 0; i < VUART_FIFO + 1; i++)
		vuart_write(&u, VUART_RBR, (uint8_t)('a' + i));
	uint8_t lsr = vuart_read(&u, VUART_LSR);
	UNIT_CHECK(lsr & VUART_LSR_OE);
	UNIT_CHECK(!(vuart_read(&u, VUART_LSR) & VUART_LSR_OE));
	UNIT_CHECK(u.overruns == 1);
	for (int i = 0; i < VUART_FIFO; i++)
		UNIT_CHECK(vuart_read(&u, VUART_RBR) == 'a' + i);
	/* Leaving loopback reconnects the input; the lines read as a
	 * terminal again, with the changes in the delta bits. */
	vuart_write(&u, VUART_MCR, 0x0b);
	UNIT_CHECK(vuart_read(&u, VUART_RBR) == 'h');
	uint8_t msr = vuart_read(&u, VUART_MSR);
	UNIT_CHECK((msr & 0xf0) == 0xb0);
	UNIT_CHECK(msr & VUART_MSR_TERI); /* RI fell */
	UNIT_CHECK((vuart_read(&u, VUART_MSR) & 0x0f) == 0);
}

UNIT_TEST(thre_interrupt_reasserts)
{
	static struct vuart u;

	fresh(&u);
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2);
	/* Linux's UART_BUG_THRE test: enable, read IIR, disable, enable:
	 * a real 16550 shows THRE both times. */
	vuart_write(&u, VUART_IER, VUART_IER_THRI);
	UNIT_CHECK(irq_now);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_THRI);
	UNIT_CHECK(!irq_now); /* reading IIR cleared it */
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_NONE);
	vuart_write(&u, VUART_IER, 0);
	vuart_write(&u, VUART_IER, VUART_IER_THRI);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_THRI);
	/* Each transmitted byte empties THR again: THRE comes back. */
	vuart_write(&u, VUART_RBR, 'z');
	UNIT_CHECK(irq_now);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_THRI);
}

UNIT_TEST(priority_and_out2_gate)
{
	static struct vuart u;

	fresh(&u);
	vuart_write(&u, VUART_IER, 0x0f);
	/* Without OUT2 the board does not pass INTR on. */
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_THRI);
	UNIT_CHECK(!irq_now && irq_changes == 0);
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2);
	vuart_write(&u, VUART_IER, 0);
	vuart_write(&u, VUART_IER, 0x0f);
	UNIT_CHECK(irq_now);
	/* Receive data outranks THRE; the line status outranks both. */
	vuart_rx_push(&u, (const uint8_t *)"q", 1);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_RDI);
	u.lsr_err = VUART_LSR_OE; /* as after an overrun */
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_RLSI);
	vuart_read(&u, VUART_LSR);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_RDI);
	vuart_read(&u, VUART_RBR);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_THRI);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_NONE);
	UNIT_CHECK(!irq_now);
	/* Modem status last: loopback changes the lines, but INTR stays
	 * off the board in loopback. */
	vuart_write(&u, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_MSI);
	UNIT_CHECK(!irq_now);
	vuart_read(&u, VUART_MSR);
	UNIT_CHECK(vuart_read(&u, VUART_IIR) == VUART_IIR_NONE);
}

UNIT_TEST(port_bus_word_access)
{
	static struct vuart u;
	uint64_t data;

	fresh(&u);
	UNIT_CHECK(vuart_attach(&u, NULL, VUART_COM1) == 0);
	UNIT_CHECK(bus_fn && bus_opaque == &u);
	/* A word write to LCR/MCR is two byte writes. */
	data = 0x0383;
	bus_fn(NULL, VUART_COM1 + 3, 2, true, &data, bus_opaque);
	UNIT_CHECK(vuart_read(&u, VUART_LCR) == 0x83);
	UNIT_CHECK(vuart_read(&u, VUART_MCR) == 0x03);
	data = 0x0201; /* DLL, DLM at once */
	bus_fn(NULL, VUART_COM1, 2, true, &data, bus_opaque);
	UNIT_CHECK(u.dl == 0x0201);
	data = 0;
	bus_fn(NULL, VUART_COM1, 2, false, &data, bus_opaque);
	UNIT_CHECK(data == 0x0201);
	/* A dword read at SCR: the bytes past the UART read as open bus. */
	vuart_write(&u, VUART_SCR, 0x5a);
	bus_fn(NULL, VUART_COM1 + 7, 4, false, &data, bus_opaque);
	UNIT_CHECK(data == 0xffffff5a);
}
