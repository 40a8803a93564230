// SPDX-License-Identifier: MIT
/*
 * The clock arithmetic behind time_ns(): TSC <-> nanosecond scaling that
 * neither overflows nor drifts over years of uptime, wrapping reference
 * counters, and the calibration formula.
 * UNIT_SRCS: core/time.c core/log.c core/fmt.c
 */
#include <stddef.h>

#include "core/acpi.h"
#include "core/time.h"
#include "unit.h"

/* What core/time.c links against in the kernel; never reached here. */
struct acpi_info acpi_info;
void *mm_map_mmio(uint64_t phys, size_t len)
{
	return NULL;
}

#define YEAR_NS (365ull * 24 * 3600 * NSEC_PER_SEC)

/* v * to / from, exactly, rounded down, saturated like time_scale_apply. */
static uint64_t exact(uint64_t v, uint64_t from, uint64_t to)
{
	unsigned __int128 r = (unsigned __int128)v * to / from;

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

UNIT_TEST(time_ns_reads_zero_before_calibration)
{
	/* The log stamps its first lines with this. */
	UNIT_CHECK(time_tsc_hz() == 0);
	UNIT_CHECK(time_ns() == 0);
	UNIT_CHECK(time_tsc_to_ns(123456789) == 0);
	UNIT_CHECK(time_ns_to_tsc(NSEC_PER_SEC) == 0);
	time_delay_ns(NSEC_PER_SEC); /* returns at once, does not hang */
}

UNIT_TEST(time_scale_is_exact_for_one_ghz)
{
	struct time_scale s;

	/* QEMU -icount shift=0: the TSC counts 1 GHz. */
	time_scale_init(&s, NSEC_PER_SEC, NSEC_PER_SEC);
	UNIT_CHECK(time_scale_apply(&s, 0) == 0);
	UNIT_CHECK(time_scale_apply(&s, 1) == 1);
	UNIT_CHECK(time_scale_apply(&s, 123456789012345ull) ==
		   123456789012345ull);
	UNIT_CHECK(time_scale_apply(&s, UINT64_MAX - 1) >= UINT64_MAX - 2);
}

UNIT_TEST(time_scale_matches_exact_division)
{
	static const uint64_t hz[] = { 1000000ull,    4000000ull,
				       14318180ull,   1193182ull,
				       2604557123ull, 3000000000ull,
				       5999999999ull, 20000000000ull };
	static const uint64_t ticks[] = {
		1,	    999,	1000000007ull,
		1ull << 40, 1ull << 56, 0xfedcba9876543210ull
	};

	for (size_t i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		struct time_scale to_ns, to_tsc;

		time_scale_init(&to_ns, hz[i], NSEC_PER_SEC);
		time_scale_init(&to_tsc, NSEC_PER_SEC, hz[i]);
		for (size_t j = 0; j < sizeof(ticks) / sizeof(ticks[0]); j++) {
			uint64_t want = exact(ticks[j], hz[i], NSEC_PER_SEC);
			uint64_t got = time_scale_apply(&to_ns, ticks[j]);

			UNIT_CHECK(absdiff(got, want) <=
				   1 + want / (1ull << 50));
			want = exact(ticks[j], NSEC_PER_SEC, hz[i]);
			got = time_scale_apply(&to_tsc, ticks[j]);
			UNIT_CHECK(absdiff(got, want) <=
				   1 + want / (1ull << 50));
		}
	}
}

UNIT_TEST(time_scale_no_drift_over_years)
{
	struct time_scale to_ns;
	const uint64_t hz = 2604557123ull;

	/* Ten years of TSC ticks: within a nanosecond of the exact value. */
	uint64_t tsc = exact(10 * YEAR_NS, NSEC_PER_SEC, hz);

	time_scale_init(&to_ns, hz, NSEC_PER_SEC);
	UNIT_CHECK(absdiff(time_scale_apply(&to_ns, tsc),
			   exact(tsc, hz, NSEC_PER_SEC)) <= 1);
	UNIT_CHECK(absdiff(time_scale_apply(&to_ns, tsc), 10 * YEAR_NS) <= 2);
	/* A 20 GHz TSC running 29 years still fits: 2^64 ticks. */
	time_scale_init(&to_ns, 20000000000ull, NSEC_PER_SEC);
	UNIT_CHECK(absdiff(time_scale_apply(&to_ns, UINT64_MAX),
			   UINT64_MAX / 20) <= 1);
}

UNIT_TEST(time_scale_round_trip)
{
	struct time_scale to_ns, to_tsc;
	const uint64_t hz = 3579545ull * 733; /* an odd 2.62 GHz */

	time_scale_init(&to_ns, hz, NSEC_PER_SEC);
	time_scale_init(&to_tsc, NSEC_PER_SEC, hz);
	for (uint64_t ns = 1; ns < 100 * YEAR_NS; ns = ns * 7 + 3) {
		uint64_t back =
		    time_scale_apply(&to_ns, time_scale_apply(&to_tsc, ns));

		/* Truncation twice: at most one TSC tick (< 1 ns) short. */
		UNIT_CHECK(back <= ns && ns - back <= 1);
	}
}

UNIT_TEST(time_scale_zero_frequency_is_inert)
{
	struct time_scale s;

	time_scale_init(&s, 0, NSEC_PER_SEC);
	UNIT_CHECK(s.mult == 0);
	UNIT_CHECK(time_scale_apply(&s, 12345) == 0);
}

UNIT_TEST(time_counter_delta_wraps)
{
	/* The 24-bit ACPI PM timer wraps every 4.7 s. */
	UNIT_CHECK(time_counter_delta(0xfffff0, 0x000010, 24) == 0x20);
	UNIT_CHECK(time_counter_delta(0x000010, 0xfffff0, 24) == 0xffffe0);
	UNIT_CHECK(time_counter_delta(0x12, 0x12, 24) == 0);
	/* Upper bits a 24-bit counter may return as garbage do not count. */
	UNIT_CHECK(time_counter_delta(0xff000005, 0x00000007, 24) == 2);
	UNIT_CHECK(time_counter_delta(0xfffffffe, 3, 32) == 5);
	UNIT_CHECK(time_counter_delta(UINT64_MAX, 4, 64) == 5);
}

UNIT_TEST(time_calc_hz_from_reference)
{
	/* 10 ms of a 100 MHz HPET against 26,045,571 TSC ticks. */
	UNIT_CHECK(time_calc_hz(26045571, 1000000, 100000000) == 2604557100ull);
	/* 35795 PM-timer ticks are 9.99987 ms, not 10: the exact ratio counts.
	 */
	UNIT_CHECK(time_calc_hz(10000000, 35795, 3579545) == 1000012571ull);
	/* A huge product does not overflow: 128-bit intermediate. */
	UNIT_CHECK(time_calc_hz(1ull << 60, 1ull << 40, 1ull << 30) ==
		   1ull << 50);
	UNIT_CHECK(time_calc_hz(123, 0, 100000000) == 0);
	UNIT_CHECK(time_calc_hz(UINT64_MAX, 1, UINT64_MAX) == UINT64_MAX);
}

UNIT_TEST(time_median3_discards_one_outlier)
{
	const uint64_t v[][4] = {
		{ 1, 2, 3, 2 }, { 1, 3, 2, 2 },
		{ 2, 1, 3, 2 }, { 2, 3, 1, 2 },
		{ 3, 1, 2, 2 }, { 3, 2, 1, 2 },
		{ 5, 5, 1, 5 }, { 1, 5, 5, 5 },
		{ 7, 7, 7, 7 }, { 2600, 9999, 2601, 2601 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		UNIT_CHECK(time_median3(v[i][0], v[i][1], v[i][2]) == v[i][3]);
}

UNIT_TEST(time_hz_plausible_bounds)
{
	UNIT_CHECK(!time_hz_plausible(0));
	UNIT_CHECK(!time_hz_plausible(999999));
	UNIT_CHECK(time_hz_plausible(1000000));
	UNIT_CHECK(time_hz_plausible(2604557000ull));
	UNIT_CHECK(time_hz_plausible(20000000000ull));
	UNIT_CHECK(!time_hz_plausible(20000000001ull));
}
