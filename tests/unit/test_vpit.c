// SPDX-License-Identifier: MIT
/*
 * The 8254 (vdev/vpit.c) against the 82C54 datasheet and the way Linux
 * drives it: mode 2 periodic ticks on IRQ 0 with the run loop's
 * deadline, counter latch and read-back, channel 2 through port 0x61 as
 * pit_calibrate_tsc and quick_pit_calibrate use it (exact against time),
 * the mode 4 one-shot, the gate, BCD counting and mode 3's square wave.
 * UNIT_SRCS: vdev/vpit.c core/log.c core/fmt.c
 */
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "core/vm.h"
#include "fake_pio.h"
#include "unit.h"
#include "vdev/vpit.h"
#include "vdev/vplat.h"

static uint64_t now = 1000000000ull;
uint64_t time_ns(void)
{
	return now;
}

static int irq0_pulses;
static bool irq0_level;
void vplat_isa_irq(struct vm *vm, unsigned int irq, bool level)
{
	if (irq == 0 && level && !irq0_level)
		irq0_pulses++;
	if (irq == 0)
		irq0_level = level;
}


static struct vm vm;
static struct vpit *pit;

static void out(uint16_t port, uint8_t v)
{
	fake_out(port, v);
}

static uint8_t in(uint16_t port)
{
	return fake_in(port);
}

/* ns at which @ticks of 1193182 Hz have passed (rounded up). */
static uint64_t tk(uint64_t ticks)
{
	return (ticks * 1000000000ull + VPIT_HZ - 1) / VPIT_HZ;
}

static void fresh(void)
{
	if (pit)
		vpit_destroy(pit);
	pit = vpit_create(&vm);
	irq0_pulses = 0;
	irq0_level = false;
}

UNIT_TEST(mode2_periodic_irq0)
{
	uint64_t t0;

	fresh();
	UNIT_CHECK(vpit_next_deadline(pit) == 0);
	out(0x43, 0x34); /* Linux pit_set_periodic: ch 0, lo/hi, mode 2 */
	out(0x40, 4773 & 0xff);
	t0 = now;
	out(0x40, 4773 >> 8); /* HZ=250 */
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(4773));
	now = t0 + tk(4773) - 1;
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 0);
	now = t0 + tk(4773);
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 1);
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 1);
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(2 * 4773));
	for (int i = 2; i <= 250; i++) {
		now = vpit_next_deadline(pit);
		vpit_poll(pit);
	}
	UNIT_CHECK(irq0_pulses == 250);
	UNIT_CHECK(now - t0 > 999000000ull && now - t0 < 1001000000ull);
	/* Several periods late: one interrupt, then back on the grid. */
	now += tk(3 * 4773);
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 251);
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(254 * 4773));
}

UNIT_TEST(latch_and_live_read)
{
	uint64_t t0;

	fresh();
	out(0x43, 0x34);
	out(0x40, 1000 & 0xff);
	t0 = now;
	out(0x40, 1000 >> 8);
	now = t0 + tk(100);
	out(0x43, 0x00); /* counter latch */
	now = t0 + tk(300);
	UNIT_CHECK(in(0x40) == (900 & 0xff));
	UNIT_CHECK(in(0x40) == 900 >> 8);
	/* Unlatched reads follow the count. */
	UNIT_CHECK(in(0x40) == (700 & 0xff));
	UNIT_CHECK(in(0x40) == 700 >> 8);
	now = t0 + tk(1000 + 50);
	out(0x43, 0x00);
	UNIT_CHECK(in(0x40) == (950 & 0xff)); /* reloaded at 1000 */
	UNIT_CHECK(in(0x40) == (950 >> 8));
}

UNIT_TEST(readback)
{
	uint64_t t0;

	fresh();
	out(0x43, 0xb6);	      /* ch 2, lo/hi, mode 3 */
	out(0x43, 0xe8);	      /* read-back: status of channel 2 */
	UNIT_CHECK(in(0x42) == 0xf6); /* OUT high, null count, lo/hi, 3 */
	out(0x61, 0x01);
	out(0x42, 0x10);
	t0 = now;
	out(0x42, 0x00);
	now = t0 + tk(4);
	out(0x43, 0xc8); /* read-back count and status of channel 2 */
	UNIT_CHECK(in(0x42) == 0xb6); /* loaded, OUT high in the first half */
	UNIT_CHECK(in(0x42) == 0x10 - 8);
	UNIT_CHECK(in(0x42) == 0x00);
	now = t0 + tk(9);
	out(0x43, 0xe8);	      /* status only */
	UNIT_CHECK(in(0x42) == 0x36); /* second half: OUT low */
}

/* Linux's pit_calibrate_tsc: mode 0 on channel 2, spin on 0x61 bit 5. */
UNIT_TEST(channel2_calibration)
{
	uint64_t t0;

	fresh();
	out(0x61, (in(0x61) & ~0x02) | 0x01);
	out(0x43, 0xb0);
	out(0x42, 11932 & 0xff);
	t0 = now;
	out(0x42, 11932 >> 8); /* 10 ms */
	UNIT_CHECK(!(in(0x61) & 0x20));
	now = t0 + tk(11932) - 1;
	UNIT_CHECK(!(in(0x61) & 0x20));
	now = t0 + tk(11932);
	UNIT_CHECK(in(0x61) & 0x20);
	UNIT_CHECK((in(0x61) & 0x03) == 0x01);
	UNIT_CHECK(irq0_pulses == 0); /* channel 2 has no interrupt */
}

/* quick_pit_calibrate: count 0xffff, read LSB then MSB unlatched; the
 * MSB steps down once every 256 ticks. */
UNIT_TEST(channel2_msb_steps)
{
	uint64_t t0;

	fresh();
	out(0x61, 0x01);
	out(0x43, 0xb0);
	out(0x42, 0xff);
	t0 = now;
	out(0x42, 0xff);
	for (unsigned int k = 1; k < 200; k++) {
		now = t0 + tk(256 * k) - 1;
		in(0x42);
		UNIT_CHECK(in(0x42) == 0xff - k + 1);
		now = t0 + tk(256 * k);
		in(0x42);
		UNIT_CHECK(in(0x42) == 0xff - k);
	}
}

UNIT_TEST(gate_pauses_mode0)
{
	uint64_t t0;

	fresh();
	out(0x61, 0x01);
	out(0x43, 0xb0);
	out(0x42, 100);
	t0 = now;
	out(0x42, 0);
	now = t0 + tk(40);
	out(0x61, 0x00); /* gate low: count holds at 60 */
	now = t0 + tk(1000);
	out(0x43, 0x80);
	UNIT_CHECK(in(0x42) == 60);
	in(0x42);
	UNIT_CHECK(!(in(0x61) & 0x20));
	out(0x61, 0x01);
	t0 = now;
	now = t0 + tk(60);
	UNIT_CHECK(in(0x61) & 0x20);
}

/* Linux's one-shot clockevent: mode 4 on channel 0; IRQ 0 after N+1. */
UNIT_TEST(mode4_oneshot)
{
	uint64_t t0;

	fresh();
	out(0x43, 0x38);
	out(0x40, 200);
	t0 = now;
	out(0x40, 0);
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(201));
	now = t0 + tk(201);
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 1);
	UNIT_CHECK(vpit_next_deadline(pit) == 0);
	now += 1000000000ull;
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 1);
	/* mode 0 as well: one edge at N */
	out(0x43, 0x30);
	out(0x40, 50);
	t0 = now;
	out(0x40, 0);
	now = t0 + tk(50);
	vpit_poll(pit);
	UNIT_CHECK(irq0_pulses == 2);
}

UNIT_TEST(bcd_count)
{
	uint64_t t0;

	fresh();
	out(0x43, 0x35); /* mode 2, BCD */
	out(0x40, 0x00);
	t0 = now;
	out(0x40, 0x10); /* 1000 decimal */
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(1000));
	now = t0 + tk(1);
	out(0x43, 0x00);
	UNIT_CHECK(in(0x40) == 0x99);
	UNIT_CHECK(in(0x40) == 0x09);
}

UNIT_TEST(lsb_only_access)
{
	uint64_t t0;

	fresh();
	out(0x43, 0x14); /* ch 0, LSB only, mode 2 */
	t0 = now;
	out(0x40, 100);
	now = t0 + tk(30);
	UNIT_CHECK(in(0x40) == 70);
	UNIT_CHECK(in(0x40) == 70); /* no MSB phase */
	UNIT_CHECK(vpit_next_deadline(pit) == t0 + tk(100));
}
