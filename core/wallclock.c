// SPDX-License-Identifier: MIT
/*
 * core/wallclock.h. The civil-date conversion counts in 400-year eras
 * (146097 days each, starting on 1 March so the leap day is the era's
 * last), the usual closed form for the proleptic Gregorian calendar.
 */
#include "core/wallclock.h"

#include "core/time.h"

static int64_t wallclock_base = 0;
static uint64_t wallclock_base_ns;
static bool wallclock_known;

/* Floor division for negative years before the epoch's era. */
static int64_t wallclock_div(int64_t a, int64_t b)
{
	return (a >= 0 ? a : a - b + 1) / b;
}

int64_t wallclock_days(int year, unsigned int mon, unsigned int day)
{
	int64_t y = year - (mon <= 2), era = wallclock_div(y, 400);
	int64_t yoe = y - era * 400; /* 0-399 */
	int64_t mp = (mon + 9) % 12; /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468; /* 1970-03-01 is day 719468 */
}

void wallclock_from_unix(int64_t t, struct wallclock_tm *tm)
{
	int64_t days = wallclock_div(t, 86400), secs = t - days * 86400;
	int64_t z = days + 719468, era = wallclock_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	tm->day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
	tm->hour = (unsigned int)(secs / 3600);
	tm->min = (unsigned int)(secs / 60 % 60);
	tm->sec = (unsigned int)(secs % 60);
	tm->wday = (unsigned int)((days % 7 + 11) % 7); /* 1970-01-01: Thu */
}

int64_t wallclock_to_unix(const struct wallclock_tm *tm)
{
	return wallclock_days(tm->year, tm->mon, tm->day) * 86400 +
	       tm->hour * 3600 + tm->min * 60 + tm->sec;
}

bool wallclock_valid(const struct wallclock_tm *tm)
{
	static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31 };
	bool leap =
	    (tm->year % 4 == 0 && tm->year % 100) || tm->year % 400 == 0;

	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 ||
	    tm->day > mdays[tm->mon - 1] || tm->hour > 23 || tm->min > 59 ||
	    tm->sec > 59)
		return false;
	return !(tm->mon == 2 && tm->day == 29 && !leap);
}

unsigned int wallclock_bcd2bin(uint8_t v)
{
	return (v >> 4) * 10 + (v & 15);
}

uint8_t wallclock_bin2bcd(unsigned int v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

void wallclock_set(int64_t unix_sec, uint64_t at_ns)
{
	wallclock_base = unix_sec;
	wallclock_base_ns = at_ns;
	wallclock_known = true;
}

int64_t wallclock_unix(void)
{
	if (!wallclock_known)
		return 0;
	return wallclock_base +
	       (int64_t)((time_ns() - wallclock_base_ns) / NSEC_PER_SEC);
}
