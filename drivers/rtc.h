/* SPDX-License-Identifier: MIT */
/*
 * The host's MC146818 RTC, read once at boot (INIT_LIBS) to learn the
 * date; core/wallclock.h carries it on from there with time_ns().
 */
#ifndef KEEL_DRIVERS_RTC_H
#define KEEL_DRIVERS_RTC_H

#include <stdint.h>

/* Seconds since 1970 now (the boot-time reading plus uptime); 0 if the
 * host's RTC could not be read. */
int64_t rtc_host_unix_time(void);

#endif
