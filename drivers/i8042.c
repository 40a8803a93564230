// SPDX-License-Identifier: MIT
/*
 * PS/2 keyboard through the i8042 controller (IBM PC/AT technical
 * reference; the command set as documented for the 8042/VT82C42 and in
 * OSDev's "8042 PS/2 Controller" summary): scancodes arrive on IRQ 1,
 * translated to set 1 by the controller, and become key events
 * (drivers/kbd_set1.c, drivers/keys.h).
 *
 * Many servers and every UEFI-only laptop have no i8042: the FADT's
 * IA-PC boot flags (ACPI 6.4 5.2.9.3) may say so, and a missing one
 * reads 0xff on port 0x64. Every wait here is bounded, so such a machine
 * boots as fast as one with a controller.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/i8042.h"
#include "drivers/ioapic.h"
#include "drivers/kbd_set1.h"
#include "drivers/keys.h"
#include "drivers/lapic.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64 /* read */
#define I8042_CMD 0x64	  /* write */

#define I8042_ST_OBF 0x01 /* output buffer full: a byte for us at 0x60 */
#define I8042_ST_IBF 0x02 /* input buffer full: controller busy */
#define I8042_ST_AUX 0x20 /* the byte in the output buffer is the mouse's */

#define I8042_CMD_READ_CFG 0x20
#define I8042_CMD_WRITE_CFG 0x60
#define I8042_CMD_AUX_OFF 0xa7
#define I8042_CMD_KBD_OFF 0xad
#define I8042_CMD_KBD_ON 0xae

#define I8042_CFG_KBD_IRQ 0x01
#define I8042_CFG_AUX_IRQ 0x02
#define I8042_CFG_KBD_CLK_OFF 0x10
#define I8042_CFG_AUX_CLK_OFF 0x20
#define I8042_CFG_XLATE 0x40 /* set 2 -> set 1 translation */

#define I8042_KBD_ENABLE_SCAN 0xf4
#define I8042_KBD_ACK 0xfa

#define I8042_ISA_IRQ 1
#define I8042_WAIT_NS (20 * NSEC_PER_MSEC)
/* The FADT IAPC_BOOT_ARCH flag "8042" (ACPI 6.4 table 5.11, bit 1). */
#define ACPI_IAPC_8042 0x0002

static struct kbd_set1 i8042_kbd; /* only the IRQ handler touches it */
static unsigned int i8042_aux_dropped;

static bool i8042_wait(uint8_t mask, bool set)
{
	uint64_t end = time_ns() + I8042_WAIT_NS;

	do {
		if (!!(cpu_inb(I8042_STATUS) & mask) == set)
			return true;
		cpu_pause();
	} while (time_ns() < end);
	return false;
}

static int i8042_cmd(uint8_t cmd)
{
	if (!i8042_wait(I8042_ST_IBF, false))
		return -ETIMEDOUT;
	cpu_outb(I8042_CMD, cmd);
	return 0;
}

static int i8042_write_data(uint8_t v)
{
	if (!i8042_wait(I8042_ST_IBF, false))
		return -ETIMEDOUT;
	cpu_outb(I8042_DATA, v);
	return 0;
}

static int i8042_read_data(void)
{
	if (!i8042_wait(I8042_ST_OBF, true))
		return -ETIMEDOUT;
	return cpu_inb(I8042_DATA);
}

/* Drop whatever the controller still holds (keys pressed during boot). */
static void i8042_flush(void)
{
	for (int i = 0; i < 32 && (cpu_inb(I8042_STATUS) & I8042_ST_OBF); i++)
		(void)cpu_inb(I8042_DATA);
}

static void i8042_irq(struct trap_frame *f, void *arg)
{
	(void)f;
	(void)arg;
	/* A bounded loop: a stuck OBF bit must not keep us here forever. */
	for (int i = 0; i < 16; i++) {
		uint8_t st = cpu_inb(I8042_STATUS);
		if (!(st & I8042_ST_OBF))
			break;
		uint8_t b = cpu_inb(I8042_DATA);
		if (st & I8042_ST_AUX) { /* a mouse byte: not ours */
			i8042_aux_dropped++;
			continue;
		}
		keys_push(kbd_set1_feed(&i8042_kbd, b));
	}
}

/*
 * Set the configuration byte: keyboard interrupt on, keyboard clock on,
 * translation on (set 1 is what kbd_set1.c decodes, and what firmware
 * leaves), the mouse port off with its interrupt, so AUX bytes do not
 * arrive at all on most controllers.
 */
static int i8042_configure(void)
{
	int cfg;

	if (i8042_cmd(I8042_CMD_READ_CFG) < 0)
		return -ETIMEDOUT;
	cfg = i8042_read_data();
	if (cfg < 0)
		return cfg;
	cfg |= I8042_CFG_KBD_IRQ | I8042_CFG_XLATE | I8042_CFG_AUX_CLK_OFF;
	cfg &= ~(I8042_CFG_AUX_IRQ | I8042_CFG_KBD_CLK_OFF);
	if (i8042_cmd(I8042_CMD_WRITE_CFG) < 0 || i8042_write_data(cfg) < 0)
		return -ETIMEDOUT;
	return cfg;
}

/* Ask the keyboard to scan (firmware may have stopped it); polled. */
static void i8042_kbd_enable(void)
{
	int r;

	if (i8042_write_data(I8042_KBD_ENABLE_SCAN) < 0)
		return;
	/* Keys pressed right now may come before the ACK: skip a few. */
	for (int i = 0; i < 4; i++) {
		r = i8042_read_data();
		if (r < 0 || r == I8042_KBD_ACK)
			break;
	}
	if (r != I8042_KBD_ACK)
		log_warn("i8042: keyboard did not acknowledge enable "
			 "(%d); keys may still work",
			 r);
}

static void i8042_init(void)
{
	uint64_t t0 = time_ns();
	int cfg, vec, rc;

	if (acpi_info.have_fadt && acpi_info.fadt_rev >= 3 &&
	    !(acpi_info.iapc_boot_arch & ACPI_IAPC_8042))
		/* Firmware often leaves the flag clear on machines that
		 * have one: only a hint, the probe below decides. */
		log_debug("i8042: FADT says no 8042, probing anyway");
	if (cpu_inb(I8042_STATUS) == 0xff) {
		log_info("i8042: no PS/2 controller");
		return;
	}
	if (i8042_cmd(I8042_CMD_KBD_OFF) < 0) {
		log_info("i8042: controller does not answer, no PS/2 keyboard");
		return;
	}
	(void)i8042_cmd(I8042_CMD_AUX_OFF);
	i8042_flush();
	cfg = i8042_configure();
	if (cfg < 0) {
		log_warn("i8042: configuration byte not readable (%d), "
			 "no PS/2 keyboard",
			 cfg);
		return;
	}
	if (i8042_cmd(I8042_CMD_KBD_ON) < 0) {
		log_warn("i8042: keyboard port enable timed out");
		return;
	}
	i8042_kbd_enable();
	i8042_flush();

	vec = irq_alloc(i8042_irq, NULL);
	if (vec < 0) {
		log_err("i8042: no interrupt vector (%d)", vec);
		return;
	}
	rc = ioapic_route_isa(I8042_ISA_IRQ, vec, lapic_id());
	if (rc < 0) {
		log_err("i8042: IRQ 1 not routable (%d)", rc);
		irq_free(vec);
		return;
	}
	/* A byte that arrived before the route would hold the edge back. */
	i8042_flush();
	log_info("i8042: PS/2 keyboard on IRQ 1 (GSI %u, vector %d), "
		 "config %#x, set up in %llu us",
		 ioapic_isa_gsi(I8042_ISA_IRQ), vec, cfg,
		 (unsigned long long)((time_ns() - t0) / NSEC_PER_USEC));
}
KEEL_INIT(INIT_LATE, i8042_init);

unsigned int i8042_aux_bytes_dropped(void)
{
	return i8042_aux_dropped;
}
