// SPDX-License-Identifier: MIT
/*
 * The calendar arithmetic (core/wallclock.c) and the MC146818 model
 * (vdev/vrtc.c): BCD and binary, 12 and 24 hours, UIP before each
 * update, setting the clock under SET, update-ended and periodic
 * interrupts on IRQ 8 cleared by reading C, the CMOS memory fields.
 * UNIT_SRCS: vdev/vrtc.c core/wallclock.c core/log.c core/fmt.c
 */
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "fake_pio.h"
#include "unit.h"
#include "vdev/vplat.h"
#include "vdev/vrtc.h"

#define SEC 1000000000ull

static uint64_t now = 5 * SEC;
uint64_t time_ns(void)
{
	return now;
}

static bool irq8;
static int irq8_rises;
void vplat_isa_irq(struct vm *vm, unsigned int irq, bool level)
{
	if (irq == 8 && level && !irq8)
		irq8_rises++;
	if (irq == 8)
		irq8 = level;
}


static struct vm vm;
static struct vrtc *rtc;

static uint8_t rd(uint8_t idx)
{
	fake_out(0x70, idx);
	return fake_in(0x71);
}

static void wr(uint8_t idx, uint8_t v)
{
	fake_out(0x70, idx);
	fake_out(0x71, v);
}

/* 2024-02-29 23:59:58 UTC, a Thursday. */
#define T_LEAP 1709251198

static void fresh(void)
{
	if (rtc)
		vrtc_destroy(rtc);
	now = 5 * SEC;
	wallclock_set(T_LEAP, now);
	rtc = vrtc_create(&vm);
	irq8 = false;
	irq8_rises = 0;
}

UNIT_TEST(calendar)
{
	struct wallclock_tm tm;
	int64_t d;

	UNIT_CHECK(wallclock_days(1970, 1, 1) == 0);
	UNIT_CHECK(wallclock_days(2000, 3, 1) == 11017);
	UNIT_CHECK(wallclock_days(1969, 12, 31) == -1);
	wallclock_from_unix(951782400, &tm); /* 2000-02-29 */
	UNIT_CHECK(tm.year == 2000 && tm.mon == 2 && tm.day == 29);
	UNIT_CHECK(tm.wday == 2);
	wallclock_from_unix(T_LEAP, &tm);
	UNIT_CHECK(tm.year == 2024 && tm.mon == 2 && tm.day == 29 &&
		   tm.hour == 23 && tm.min == 59 && tm.sec == 58 &&
		   tm.wday == 4);
	tm.year = 2023;
	UNIT_CHECK(!wallclock_valid(&tm));
	tm.year = 2100;
	UNIT_CHECK(!wallclock_valid(&tm));
	tm.year = 2000;
	UNIT_CHECK(wallclock_valid(&tm));
	/* Every day from 1900 to 2200 round-trips and follows the last. */
	for (d = wallclock_days(1900, 1, 1); d < wallclock_days(2200, 1, 1);
	     d++) {
		wallclock_from_unix(d * 86400 + 3661, &tm);
		UNIT_CHECK(wallclock_valid(&tm));
		UNIT_CHECK(wallclock_to_unix(&tm) == d * 86400 + 3661);
		if (!wallclock_valid(&tm))
			break;
	}
	UNIT_CHECK(wallclock_bcd2bin(0x59) == 59);
	UNIT_CHECK(wallclock_bin2bcd(47) == 0x47);
}

UNIT_TEST(bcd_24h_and_rollover)
{
	fresh();
	UNIT_CHECK(rd(VRTC_SEC) == 0x58);
	UNIT_CHECK(rd(VRTC_MIN) == 0x59);
	UNIT_CHECK(rd(VRTC_HOUR) == 0x23);
	UNIT_CHECK(rd(VRTC_WDAY) == 5); /* Thursday, 1 = Sunday */
	UNIT_CHECK(rd(VRTC_MDAY) == 0x29);
	UNIT_CHECK(rd(VRTC_MON) == 0x02);
	UNIT_CHECK(rd(VRTC_YEAR) == 0x24);
	UNIT_CHECK(rd(VRTC_CENTURY) == 0x20);
	UNIT_CHECK(rd(VRTC_D) == 0x80);
	now += 2 * SEC;
	UNIT_CHECK(rd(VRTC_SEC) == 0x00);
	UNIT_CHECK(rd(VRTC_HOUR) == 0x00);
	UNIT_CHECK(rd(VRTC_MDAY) == 0x01);
	UNIT_CHECK(rd(VRTC_MON) == 0x03);
}

UNIT_TEST(binary_12h)
{
	fresh();
	wr(VRTC_B, VRTC_B_DM); /* binary, 12-hour */
	UNIT_CHECK(rd(VRTC_SEC) == 58);
	UNIT_CHECK(rd(VRTC_HOUR) == (11 | 0x80)); /* 11 PM */
	UNIT_CHECK(rd(VRTC_YEAR) == 24);
	now += 2 * SEC;
	UNIT_CHECK(rd(VRTC_HOUR) == 12); /* 12 AM */
	wr(VRTC_B, 0);			 /* BCD, 12-hour */
	UNIT_CHECK(rd(VRTC_HOUR) == 0x12);
}

UNIT_TEST(uip_before_update)
{
	fresh();
	UNIT_CHECK(!(rd(VRTC_A) & VRTC_A_UIP));
	UNIT_CHECK(rd(VRTC_A) == 0x26);
	now += SEC - VRTC_UIP_NS - 1;
	UNIT_CHECK(!(rd(VRTC_A) & VRTC_A_UIP));
	now += 1;
	UNIT_CHECK(rd(VRTC_A) & VRTC_A_UIP);
	UNIT_CHECK(rd(VRTC_SEC) == 0x58);
	now += VRTC_UIP_NS;
	UNIT_CHECK(!(rd(VRTC_A) & VRTC_A_UIP));
	UNIT_CHECK(rd(VRTC_SEC) == 0x59);
	wr(VRTC_A, 0xff); /* UIP is read-only */
	UNIT_CHECK(rd(VRTC_A) == 0x7f);
}

UNIT_TEST(set_the_clock)
{
	fresh();
	wr(VRTC_B, VRTC_B_SET | VRTC_B_24H);
	wr(VRTC_SEC, 0x30);
	wr(VRTC_MIN, 0x15);
	wr(VRTC_HOUR, 0x08);
	wr(VRTC_MDAY, 0x01);
	wr(VRTC_MON, 0x01);
	wr(VRTC_YEAR, 0x99);
	wr(VRTC_CENTURY, 0x19);
	now += 10 * SEC; /* frozen while SET */
	UNIT_CHECK(rd(VRTC_SEC) == 0x30);
	wr(VRTC_B, VRTC_B_24H);
	now += 3 * SEC;
	UNIT_CHECK(rd(VRTC_SEC) == 0x33);
	UNIT_CHECK(rd(VRTC_YEAR) == 0x99);
	UNIT_CHECK(rd(VRTC_CENTURY) == 0x19);
	/* One field of a running clock. */
	wr(VRTC_HOUR, 0x21);
	UNIT_CHECK(rd(VRTC_HOUR) == 0x21);
	UNIT_CHECK(rd(VRTC_MIN) == 0x15);
}

UNIT_TEST(update_interrupt)
{
	fresh();
	wr(VRTC_A, 0x20); /* no periodic flag in the way */
	rd(VRTC_C);
	wr(VRTC_B, VRTC_B_24H | VRTC_B_UIE);
	UNIT_CHECK(vrtc_next_deadline(rtc) == 6 * SEC);
	now = 6 * SEC - 1;
	vrtc_poll(rtc);
	UNIT_CHECK(!irq8);
	now = 6 * SEC;
	vrtc_poll(rtc);
	UNIT_CHECK(irq8 && irq8_rises == 1);
	UNIT_CHECK(rd(VRTC_C) == (VRTC_C_IRQF | VRTC_C_UF));
	UNIT_CHECK(!irq8);
	UNIT_CHECK(rd(VRTC_C) == 0);
	/* UF without UIE sets the flag but not IRQF or the line. */
	wr(VRTC_B, VRTC_B_24H);
	now += SEC;
	/* (the alarm registers read 00:00:00, which has just come) */
	UNIT_CHECK(rd(VRTC_C) == (VRTC_C_UF | VRTC_C_AF));
	UNIT_CHECK(irq8_rises == 1);
}

UNIT_TEST(periodic_interrupt)
{
	uint64_t dl;

	fresh();
	rd(VRTC_C);
	wr(VRTC_B, VRTC_B_24H | VRTC_B_PIE); /* A = 0x26: 1024 Hz */
	dl = vrtc_next_deadline(rtc);
	UNIT_CHECK(dl == 5 * SEC + 976563);
	now = dl;
	vrtc_poll(rtc);
	UNIT_CHECK(irq8);
	UNIT_CHECK(rd(VRTC_C) == (VRTC_C_IRQF | VRTC_C_PF));
	wr(VRTC_A, 0x2f); /* 2 Hz */
	UNIT_CHECK(vrtc_next_deadline(rtc) == 5 * SEC + SEC / 2);
}

UNIT_TEST(alarm_interrupt)
{
	fresh();
	rd(VRTC_C);
	wr(VRTC_SEC_ALARM, 0x05);
	wr(VRTC_MIN_ALARM, 0xc0); /* don't care */
	wr(VRTC_HOUR_ALARM, 0xc0);
	wr(VRTC_B, VRTC_B_24H | VRTC_B_AIE);
	now += 6 * SEC; /* 00:00:04 */
	vrtc_poll(rtc);
	UNIT_CHECK(!irq8);
	now += SEC;
	vrtc_poll(rtc);
	UNIT_CHECK(irq8);
	UNIT_CHECK(rd(VRTC_C) & VRTC_C_AF);
}

UNIT_TEST(cmos_memory_and_index)
{
	fresh();
	vrtc_set_memory(rtc, 512ull << 20, 0, 1);
	UNIT_CHECK(rd(0x15) == 0x80 && rd(0x16) == 0x02);
	UNIT_CHECK(rd(0x17) == 0xff && rd(0x18) == 0xff); /* capped */
	UNIT_CHECK(rd(0x30) == 0xff && rd(0x31) == 0xff);
	UNIT_CHECK(rd(0x34) == 0x00 && rd(0x35) == 0x1f); /* 496 MiB */
	UNIT_CHECK(rd(0x5b) == 0 && rd(0x5c) == 0 && rd(0x5d) == 0);
	vrtc_set_memory(rtc, 3ull << 30, 5ull << 30, 2);
	UNIT_CHECK(rd(0x5b) == 0x00 && rd(0x5c) == 0x40 && rd(0x5d) == 0x01);
	UNIT_CHECK(rd(0x5f) == 1);
	vrtc_set_memory(rtc, 40ull << 20, 0, 1);
	UNIT_CHECK(rd(0x17) == 0x00 && rd(0x18) == 0x9c); /* 39 MiB */
	/* Bit 7 of the index port is the NMI mask, not part of the index. */
	wr(0x80 | 0x40, 0x5a);
	UNIT_CHECK(rd(0x40) == 0x5a);
}
