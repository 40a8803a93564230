// SPDX-License-Identifier: MIT
/*
 * COM1 console, 115200 8N1 (ARCHITECTURE.md section 8). Polled output: the
 * transmitter-holding-register-empty bit is checked before every byte,
 * which Bochs needs and real UARTs want.
 *
 * Input (an operator's terminal, a BMC's serial-over-LAN): the 16550's
 * received-data interrupt (ISA IRQ 4 through the IOAPIC) moves bytes into
 * a ring; a thread decodes them as VT100 key sequences (drivers/vt100.c)
 * for the console key queue. It also times out a lone ESC (no byte for
 * 50 ms: the Esc key, not the start of an arrow key's sequence) and takes
 * Ctrl-L as "repaint the screen on this terminal".
 */
#include <stdint.h>

#include "core/cpu.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/console.h"
#include "drivers/ioapic.h"
#include "drivers/keys.h"
#include "drivers/lapic.h"
#include "drivers/serial.h"
#include "drivers/vt100.h"

#define COM1 0x3f8
#define UART_THR 0 /* with DLAB=0 */
#define UART_DLL 0 /* with DLAB=1 */
#define UART_DLM 1
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_RBR 0 /* with DLAB=0, read */
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_IER_RDA 0x01  /* received data available */
#define UART_MCR_OUT2 0x08 /* gates the IRQ line on PC serial ports */

#define SERIAL_ISA_IRQ 4
#define SERIAL_RX_RING 256
#define SERIAL_ESC_NS (50 * NSEC_PER_MSEC)
#define SERIAL_CTRL_L 0x0c

static bool serial_ok;

static void serial_putc(char c)
{
	/* Bounded wait: a wedged UART must not hang the host. */
	for (int i = 0; i < 100000; i++) {
		if (cpu_inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_pause();
	}
	cpu_outb(COM1 + UART_THR, c);
}

void serial_write(const char *s, size_t n)
{
	if (!serial_ok)
		return;
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

void serial_log_line(enum log_level level, const char *s, size_t n)
{
	(void)level;
	serial_write(s, n);
	serial_write("\r\n", 2);
}

bool serial_present(void)
{
	return serial_ok;
}

/* The log sink; in screen mode the console decides (docs/console.md). */
static void serial_write_line(enum log_level level, const char *s, size_t n)
{
	uint64_t flags;

	if (con_sink_begin(CON_OUT_SERIAL, &flags))
		serial_log_line(level, s, n);
	con_sink_end(flags);
}

static struct log_sink serial_sink = {
	.name = "serial",
	.write_line = serial_write_line,
};

static void serial_init(void)
{
	/* The scratch register tells whether a 16550 is there at all. */
	cpu_outb(COM1 + UART_SCR, 0x5a);
	if (cpu_inb(COM1 + UART_SCR) != 0x5a)
		return;
	cpu_outb(COM1 + UART_IER, 0x00); /* polled */
	cpu_outb(COM1 + UART_LCR, 0x80); /* DLAB */
	cpu_outb(COM1 + UART_DLL, 1);	 /* 115200 = 1.8432 MHz / 16 / 1 */
	cpu_outb(COM1 + UART_DLM, 0);
	cpu_outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	cpu_outb(COM1 + UART_FCR, 0xc7); /* FIFOs on and cleared */
	cpu_outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
	serial_ok = true;
	log_add_sink(&serial_sink);
}
KEEL_INIT(INIT_EARLY_CONSOLE, serial_init);

/* ---- input ---- */

static struct spinlock serial_rx_lock = SPINLOCK_INIT;
static struct waitq serial_rx_wq = WAITQ_INIT;
static uint8_t serial_rx_ring[SERIAL_RX_RING];
static unsigned int serial_rx_head, serial_rx_tail; /* free-running */
static unsigned int serial_rx_overruns;
static bool serial_rx_polled; /* no IRQ route: poll every 20 ms */

/* Move what the UART holds into the ring; with serial_rx_lock held. */
static unsigned int serial_rx_drain_locked(void)
{
	unsigned int n = 0;

	/* Bounded: a UART that always says "data ready" must not trap us. */
	while (n < 64 && (cpu_inb(COM1 + UART_LSR) & UART_LSR_DR)) {
		uint8_t b = cpu_inb(COM1 + UART_RBR);
		n++;
		if (serial_rx_tail - serial_rx_head >= SERIAL_RX_RING) {
			serial_rx_overruns++;
			continue;
		}
		serial_rx_ring[serial_rx_tail++ % SERIAL_RX_RING] = b;
	}
	return n;
}

static void serial_irq(struct trap_frame *f, void *arg)
{
	(void)f;
	(void)arg;
	spin_lock(&serial_rx_lock); /* interrupts are off in a handler */
	unsigned int n = serial_rx_drain_locked();
	spin_unlock(&serial_rx_lock);
	if (n)
		waitq_wake_all(&serial_rx_wq);
}

static bool serial_rx_ready(void *arg)
{
	(void)arg;
	return __atomic_load_n(&serial_rx_tail, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&serial_rx_head, __ATOMIC_ACQUIRE);
}

static int serial_rx_get(void)
{
	uint64_t flags = spin_lock_irqsave(&serial_rx_lock);
	int b = -1;

	/* Also polls: an interrupt lost at routing time does not wedge us. */
	serial_rx_drain_locked();
	if (serial_rx_head != serial_rx_tail)
		b = serial_rx_ring[serial_rx_head++ % SERIAL_RX_RING];
	spin_unlock_irqrestore(&serial_rx_lock, flags);
	return b;
}

static void serial_rx_thread(void *arg)
{
	struct vt100 vt = { 0 };
	int keys[2], b;

	(void)arg;
	for (;;) {
		bool esc_pending = vt.len > 0;
		waitq_wait_timeout(&serial_rx_wq, serial_rx_ready, NULL,
				   esc_pending	      ? SERIAL_ESC_NS
				   : serial_rx_polled ? 20 * NSEC_PER_MSEC
						      : NSEC_PER_SEC);
		b = serial_rx_get();
		if (b < 0) {
			/* Silence: a lone ESC was the Esc key. */
			if (esc_pending)
				keys_push(vt100_timeout(&vt));
			continue;
		}
		do {
			if (b == SERIAL_CTRL_L && vt.len == 0) {
				con_redraw_serial();
				continue;
			}
			int n = vt100_feed(&vt, (uint8_t)b, keys);
			for (int i = 0; i < n; i++)
				keys_push(keys[i]);
		} while ((b = serial_rx_get()) >= 0);
	}
}

static void serial_input_init(void)
{
	int vec, rc;

	if (!serial_ok)
		return;
	vec = irq_alloc(serial_irq, NULL);
	if (vec < 0) {
		log_err("serial: no interrupt vector for input (%d)", vec);
		return;
	}
	rc = ioapic_route_isa(SERIAL_ISA_IRQ, vec, lapic_id());
	if (rc < 0) {
		log_warn("serial: IRQ 4 not routable (%d); input polled", rc);
		irq_free(vec);
		serial_rx_polled = true;
	} else {
		cpu_outb(COM1 + UART_MCR, 0x03 | UART_MCR_OUT2);
		cpu_outb(COM1 + UART_IER, UART_IER_RDA);
	}
	if (!thread_create("serial-rx", serial_rx_thread, NULL, NULL)) {
		log_err("serial: no input thread");
		return;
	}
	if (!serial_rx_polled)
		log_info("serial: input on COM1 (VT100 keys), IRQ 4 vector %d",
			 vec);
}
KEEL_INIT(INIT_LATE, serial_input_init);
