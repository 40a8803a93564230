/* SPDX-License-Identifier: MIT */
/*
 * The HPET's main counter (IA-PC HPET specification 1.0a): a free-running
 * counter of stated period, found through the ACPI HPET table. Keel uses it
 * as the reference the TSC is calibrated against, and for measuring
 * intervals independently of the TSC (self-tests); its comparators stay
 * disabled.
 */
#ifndef KEEL_DRIVERS_HPET_H
#define KEEL_DRIVERS_HPET_H

#include <stdbool.h>
#include <stdint.h>

bool hpet_present(void);
/* Main counter value; 32-bit counters wrap after 2^32 ticks. */
uint64_t hpet_read_counter(void);
/* Tick period in femtoseconds (at most 100 ns, spec 2.3.4). */
uint32_t hpet_period_fs(void);
unsigned int hpet_counter_bits(void);
/* Nanoseconds since the counter was enabled, or 0 without an HPET. */
uint64_t hpet_read_ns(void);

#endif
