// SPDX-License-Identifier: MIT
/*
 * Host RTC read (drivers/rtc.h), MC146818A datasheet: the time registers
 * are only stable while register A's UIP is clear, and an update can
 * start right after it was checked, so read until two passes agree with
 * UIP clear before each (the usual protocol), with a timeout so a
 * missing or stuck RTC costs at most a second and a half of boot.
 */
#include "drivers/rtc.h"

#include <stdbool.h>

#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/time.h"
#include "core/wallclock.h"

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_TRIES 10

static uint8_t rtc_read_reg(uint8_t reg)
{
	cpu_outb(RTC_INDEX, reg); /* bit 7 clear: NMI stays enabled */
	return cpu_inb(RTC_DATA);
}

static bool rtc_wait_uip(void)
{
	uint64_t end = time_ns() + 1500 * NSEC_PER_MSEC;

	while (rtc_read_reg(0x0a) & 0x80)
		if (time_ns() > end)
			return false;
	return true;
}

static void rtc_snapshot(uint8_t r[8])
{
	static const uint8_t idx[8] = { 0x00, 0x02, 0x04, 0x07,
					0x08, 0x09, 0x32, 0x0b };

	for (unsigned int i = 0; i < 8; i++)
		r[i] = rtc_read_reg(idx[i]);
}

static void rtc_init(void)
{
	uint8_t a[8], b[8];
	struct wallclock_tm tm;
	bool bin, h12, ok = false;
	unsigned int c;

	for (unsigned int i = 0; i < RTC_TRIES && !ok; i++) {
		if (!rtc_wait_uip())
			break;
		rtc_snapshot(a);
		if (!rtc_wait_uip())
			break;
		rtc_snapshot(b);
		ok = !__builtin_memcmp(a, b, sizeof(a));
	}
	if (!ok) {
		log_warn("rtc: the host clock does not settle; guests start "
			 "at 1970");
		return;
	}
	bin = a[7] & 0x04;
	h12 = !(a[7] & 0x02);
#define RTC_DEC(v) (bin ? (unsigned int)(v) : wallclock_bcd2bin(v))
	tm.sec = RTC_DEC(a[0]);
	tm.min = RTC_DEC(a[1]);
	tm.hour = RTC_DEC(a[2] & (h12 ? 0x7f : 0xff));
	if (h12)
		tm.hour = tm.hour % 12 + (a[2] & 0x80 ? 12 : 0);
	tm.day = RTC_DEC(a[3]);
	tm.mon = RTC_DEC(a[4]);
	c = RTC_DEC(a[6]);
	if (c < 19 || c > 29)
		c = 20; /* no century byte: this century */
	tm.year = (int)(c * 100 + RTC_DEC(a[5]) % 100);
#undef RTC_DEC
	if (!wallclock_valid(&tm)) {
		log_warn("rtc: the host clock reads nonsense; guests start at "
			 "1970");
		return;
	}
	wallclock_set(wallclock_to_unix(&tm), time_ns());
	log_info("rtc: host clock %04d-%02u-%02u %02u:%02u:%02u UTC", tm.year,
		 tm.mon, tm.day, tm.hour, tm.min, tm.sec);
}
KEEL_INIT(INIT_LIBS, rtc_init);

int64_t rtc_host_unix_time(void)
{
	return wallclock_unix();
}
