/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time from the TSC. The frequency comes from CPUID leaf 0x15/0x16
 * when the CPU reports it, else from a 10 ms measurement against PIT channel 2.
 * The core-kernel issue replaces the PIT with HPET where ACPI offers it.
 */
#ifndef KEEL_CORE_TIME_H
#define KEEL_CORE_TIME_H

#include <stdint.h>

void time_init(void);
/* Nanoseconds since time_init(); 0 before it. */
uint64_t time_ns(void);
uint64_t time_tsc_hz(void);
/* TSC value read at the 32-bit entry point, for boot-time figures. */
extern uint64_t time_boot_tsc;

#endif
