/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock time: the host's idea of the date, read once at boot from
 * its RTC (drivers/rtc.c registers it here, so vdev/ can start a guest's
 * clock without naming a driver: ARCHITECTURE.md section 1), plus the
 * calendar arithmetic the host and guest RTCs share.
 */
#ifndef KEEL_CORE_WALLCLOCK_H
#define KEEL_CORE_WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* A broken-down UTC time (proleptic Gregorian calendar). */
struct wallclock_tm {
	int year;	  /* e.g. 2024 */
	unsigned int mon; /* 1-12 */
	unsigned int day; /* 1-31 */
	unsigned int hour, min, sec;
	unsigned int wday; /* 0 = Sunday */
};

/* Days since 1970-01-01 of a date, and back. */
int64_t wallclock_days(int year, unsigned int mon, unsigned int day);
void wallclock_from_unix(int64_t t, struct wallclock_tm *tm);
int64_t wallclock_to_unix(const struct wallclock_tm *tm);
/* Whether the fields name a real date and time. */
bool wallclock_valid(const struct wallclock_tm *tm);
unsigned int wallclock_bcd2bin(uint8_t v);
uint8_t wallclock_bin2bcd(unsigned int v);

/* The host's RTC said @unix_sec when time_ns() read @at_ns. */
void wallclock_set(int64_t unix_sec, uint64_t at_ns);
/* Seconds since 1970 now; 0 if nobody has set it. */
int64_t wallclock_unix(void);

#endif
