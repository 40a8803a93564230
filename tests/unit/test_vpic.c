// SPDX-License-Identifier: MIT
/*
 * The 8259A pair (vdev/vpic.c) as Linux's i8259 driver and the Intel
 * 8259A datasheet use it: the ICW sequence and IMR probe, fully nested
 * priorities, the slave cascade, edge versus level (ELCR), spurious IRQ
 * 7, rotation, auto-EOI, the poll command and special mask mode.
 * UNIT_SRCS: vdev/vpic.c core/log.c core/fmt.c
 */
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "core/vm.h"
#include "fake_pio.h"
#include "unit.h"
#include "vdev/vpic.h"
#include "vdev/vpit.h"
#include "vdev/vplat.h"

uint64_t time_ns(void)
{
	return 0;
}

void vpit_poll(struct vpit *pit)
{
}

static int int_changes;
void vlapic_extint_changed(struct vm *vm)
{
	int_changes++;
}


static struct vm vm;
static struct vplat plat;
static struct vpic *pic;

static void out(uint16_t port, uint8_t v)
{
	fake_out(port, v);
}

static uint8_t in(uint16_t port)
{
	return fake_in(port);
}

static void irq(unsigned int n, bool level)
{
	vpic_set_irq(pic, n, level);
}

static void pulse(unsigned int n)
{
	irq(n, true);
	irq(n, false);
}

/* Linux's init_8259A(auto_eoi), after probe_8259A's IMR read-back. */
static void fresh(bool aeoi)
{
	if (pic)
		vpic_destroy(pic);
	memset(&plat, 0, sizeof(plat));
	vm.platform = &plat;
	pic = plat.pic = vpic_create(&vm);
	out(0x21, 0xff);
	UNIT_CHECK(in(0x21) == 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, aeoi ? 0x03 : 0x01);
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	out(0x21, 0x00);
	out(0xa1, 0x00);
	int_changes = 0;
}

static uint8_t isr(uint16_t cmd)
{
	uint8_t v;

	out(cmd, 0x0b);
	v = in(cmd);
	out(cmd, 0x0a);
	return v;
}

UNIT_TEST(init_sequence_and_eoi)
{
	fresh(false);
	UNIT_CHECK(!vpic_int_output(&vm));
	pulse(1);
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(int_changes == 1);
	UNIT_CHECK(in(0x20) == 0x02); /* IRR */
	UNIT_CHECK(vpic_intack(&vm) == 0x31);
	UNIT_CHECK(!vpic_int_output(&vm));
	UNIT_CHECK(isr(0x20) == 0x02);
	UNIT_CHECK(in(0x20) == 0x00);
	out(0x20, 0x20); /* non-specific EOI */
	UNIT_CHECK(isr(0x20) == 0x00);
}

UNIT_TEST(imr_masks)
{
	fresh(false);
	out(0x21, 0x10);
	pulse(4);
	UNIT_CHECK(!vpic_int_output(&vm));
	UNIT_CHECK(in(0x20) == 0x10); /* requested, masked */
	out(0x21, 0x00);
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(vpic_intack(&vm) == 0x34);
}

UNIT_TEST(fully_nested_priority)
{
	fresh(false);
	pulse(5);
	pulse(3);
	UNIT_CHECK(vpic_intack(&vm) == 0x33);
	UNIT_CHECK(!vpic_int_output(&vm)); /* 5 is below 3 in service */
	pulse(1);
	UNIT_CHECK(vpic_int_output(&vm)); /* 1 nests above 3 */
	UNIT_CHECK(vpic_intack(&vm) == 0x31);
	out(0x20, 0x20); /* ends 1, the highest in service */
	UNIT_CHECK(isr(0x20) == 0x08);
	UNIT_CHECK(!vpic_int_output(&vm));
	out(0x20, 0x63); /* specific EOI 3 */
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(vpic_intack(&vm) == 0x35);
}

UNIT_TEST(slave_cascade)
{
	fresh(false);
	pulse(10);
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(vpic_intack(&vm) == 0x3a);
	UNIT_CHECK(isr(0xa0) == 0x04);
	UNIT_CHECK(isr(0x20) == 0x04);
	pulse(8); /* higher on the slave, but IR2 is in service on the master */
	UNIT_CHECK(!vpic_int_output(&vm));
	out(0xa0, 0x62); /* Linux: specific EOI slave, then master IR2 */
	out(0x20, 0x62);
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(vpic_intack(&vm) == 0x38);
	/* A masked slave pin does not reach the master at all. */
	out(0xa0, 0x60);
	out(0x20, 0x62);
	out(0xa1, 0x08);
	pulse(11);
	UNIT_CHECK(!vpic_int_output(&vm));
}

UNIT_TEST(level_and_elcr)
{
	fresh(false);
	out(0x4d0, 0xff);
	UNIT_CHECK(in(0x4d0) == 0xf8); /* IRQ 0-2 are edge only */
	out(0x4d1, 0xff);
	UNIT_CHECK(in(0x4d1) == 0xde); /* IRQ 8 and 13 too */
	out(0x4d0, 0x00);
	out(0x4d1, 0x02); /* IRQ 9 level, as Linux sets it for the SCI */
	irq(9, true);
	UNIT_CHECK(vpic_intack(&vm) == 0x39);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	UNIT_CHECK(vpic_int_output(&vm)); /* still high: again */
	irq(9, false);
	UNIT_CHECK(!vpic_int_output(&vm));
	/* An edge request stays latched after the pulse. */
	pulse(4);
	UNIT_CHECK(vpic_int_output(&vm));
	/* A held edge line does not request twice. */
	UNIT_CHECK(vpic_intack(&vm) == 0x34);
	out(0x20, 0x20);
	irq(6, true);
	UNIT_CHECK(vpic_intack(&vm) == 0x36);
	out(0x20, 0x20);
	irq(6, true);
	UNIT_CHECK(!vpic_int_output(&vm));
}

UNIT_TEST(spurious_irq7)
{
	fresh(false);
	out(0x4d0, 0x08); /* IRQ 3 level */
	irq(3, true);
	UNIT_CHECK(vpic_int_output(&vm));
	irq(3, false); /* gone before INTA */
	UNIT_CHECK(vpic_intack(&vm) == 0x37);
	UNIT_CHECK(isr(0x20) == 0x00); /* Linux's test for a spurious one */
	out(0x4d1, 0x08); /* IRQ 11 level, withdrawn: no request at all */
	irq(11, true);
	UNIT_CHECK(vpic_int_output(&vm));
	irq(11, false);
	UNIT_CHECK(!vpic_int_output(&vm));
}

UNIT_TEST(rotation)
{
	fresh(false);
	out(0x20, 0xc3); /* set priority: 3 lowest, 4 highest */
	pulse(1);
	pulse(5);
	UNIT_CHECK(vpic_intack(&vm) == 0x35);
	out(0x20, 0xa0); /* rotate on non-specific EOI: 5 now lowest */
	pulse(5);
	UNIT_CHECK(vpic_intack(&vm) == 0x31);
	out(0x20, 0x20);
	UNIT_CHECK(vpic_intack(&vm) == 0x35);
}

UNIT_TEST(auto_eoi)
{
	fresh(true);
	pulse(3);
	UNIT_CHECK(vpic_intack(&vm) == 0x33);
	UNIT_CHECK(isr(0x20) == 0x00);
	pulse(5);
	UNIT_CHECK(vpic_int_output(&vm)); /* nothing in service blocks it */
}

UNIT_TEST(poll_command)
{
	fresh(false);
	out(0x20, 0x0c);
	UNIT_CHECK(in(0x20) == 0x00); /* nothing requested */
	pulse(6);
	out(0x20, 0x0c);
	UNIT_CHECK(in(0x20) == 0x86);
	UNIT_CHECK(isr(0x20) == 0x40);
	UNIT_CHECK(in(0x21) == 0x00); /* poll is one read only */
}

UNIT_TEST(special_mask_mode)
{
	fresh(false);
	pulse(3);
	UNIT_CHECK(vpic_intack(&vm) == 0x33);
	pulse(5);
	UNIT_CHECK(!vpic_int_output(&vm));
	out(0x20, 0x68); /* set special mask mode */
	out(0x21, 0x08); /* mask the level in service */
	UNIT_CHECK(vpic_int_output(&vm));
	UNIT_CHECK(vpic_intack(&vm) == 0x35);
	out(0x20, 0x48); /* reset it: 3 in service blocks again */
	pulse(6);
	UNIT_CHECK(!vpic_int_output(&vm));
}

UNIT_TEST(icw1_resets)
{
	fresh(false);
	pulse(3);
	UNIT_CHECK(vpic_intack(&vm) == 0x33);
	out(0x21, 0x55);
	out(0x20, 0x11);
	UNIT_CHECK(isr(0x20) == 0x00);
	UNIT_CHECK(in(0x21) == 0x00);
	out(0x21, 0x50); /* ICW2 goes to the vector base, not IMR */
	out(0x21, 0x04);
	out(0x21, 0x01);
	UNIT_CHECK(in(0x21) == 0x00);
	pulse(0);
	UNIT_CHECK(vpic_intack(&vm) == 0x50);
}
