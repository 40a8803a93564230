// SPDX-License-Identifier: MIT
/*
 * COM1 console, 115200 8N1 (ARCHITECTURE.md section 8). Polled output: the
 * transmitter-holding-register-empty bit is checked before every byte,
 * which Bochs needs and real UARTs want.
 */
#include <stdint.h>

#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"

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
#define UART_LSR_THRE 0x20

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

static void serial_write_line(enum log_level level, const char *s, size_t n)
{
	(void)level;
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
	serial_putc('\r');
	serial_putc('\n');
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
	log_add_sink(&serial_sink);
}
KEEL_INIT(INIT_EARLY_CONSOLE, serial_init);
