/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time from the TSC. At INIT_TIMER the TSC is calibrated against
 * the best counter of known frequency the platform has: a registered
 * reference clock (the HPET), else the ACPI PM timer, else PIT channel 2,
 * else what CPUID leaf 0x15/0x16 claims. docs/timers.md says what is used
 * when and why.
 */
#ifndef KEEL_CORE_TIME_H
#define KEEL_CORE_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* Calibrate the TSC; an INIT_TIMER initcall, callable once. */
void time_init(void);
/*
 * Nanoseconds since the 32-bit entry point; 0 until time_init() has run
 * (the log stamps its first lines with 0). Safe on every CPU and in
 * interrupt context; assumes the TSCs of all CPUs run in step (invariant
 * TSC, docs/timers.md).
 */
uint64_t time_ns(void);
uint64_t time_tsc_hz(void);
/* Name of what the TSC was calibrated against ("HPET", "PIT", ...). */
const char *time_tsc_source(void);
/* Convert a TSC delta to nanoseconds and back; 0 before calibration. */
uint64_t time_tsc_to_ns(uint64_t tsc);
uint64_t time_ns_to_tsc(uint64_t ns);
/* The TSC value at which time_ns() reads @ns (for TSC-deadline timers). */
uint64_t time_ns_to_tsc_abs(uint64_t ns);
/* Busy-wait, e.g. between INIT and SIPI; no-op before calibration. */
void time_delay_ns(uint64_t ns);
/* TSC value read at the 32-bit entry point, for boot-time figures. */
extern uint64_t time_boot_tsc;

/*
 * A free-running counter of known frequency to calibrate the TSC against.
 * Drivers above core/ register theirs before INIT_TIMER (the HPET does at
 * INIT_IRQCHIP); core/ cannot name them (ARCHITECTURE.md section 1).
 */
struct time_refclock {
	const char *name;
	uint64_t hz;	   /* counter frequency */
	unsigned int bits; /* counter width: it wraps at 2^bits */
	uint64_t (*read)(void);
};
void time_register_refclock(const struct time_refclock *rc);

/*
 * Fixed-point scaling v * to / from without a division and without
 * overflowing for any 64-bit v: (v * mult) >> shift in 128 bits, with
 * mult chosen as large as fits so the relative error stays below 2^-62.
 */
struct time_scale {
	uint64_t mult;
	unsigned int shift;
};

/* Pure helpers, unit-tested on the host (tests/unit/test_time.c). */
void time_scale_init(struct time_scale *s, uint64_t from_hz, uint64_t to_hz);
uint64_t time_scale_apply(const struct time_scale *s, uint64_t v);
/* Ticks from @a to @b of a counter that wraps at 2^bits. */
uint64_t time_counter_delta(uint64_t a, uint64_t b, unsigned int bits);
/* TSC Hz from @tsc ticks counted while a @ref_hz counter advanced @ref. */
uint64_t time_calc_hz(uint64_t tsc, uint64_t ref, uint64_t ref_hz);
/* The median of three measurements: one disturbed round does not count. */
uint64_t time_median3(uint64_t a, uint64_t b, uint64_t c);
/* Whether a measured TSC frequency is believable (1 MHz - 20 GHz). */
bool time_hz_plausible(uint64_t hz);

#endif
