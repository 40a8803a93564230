/* SPDX-License-Identifier: MIT */
/*
 * panic(): a broken invariant of the hypervisor itself (never guest or
 * network input, ARCHITECTURE.md section 7). Logs the reason and a
 * symbolized backtrace to every console, then stops the machine.
 */
#ifndef KEEL_CORE_PANIC_H
#define KEEL_CORE_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							     ...);
/* Log a frame-pointer backtrace starting at @rbp (with @rip first). */
void panic_backtrace(uint64_t rip, uint64_t rbp);
/* "name+0xoff" for a kernel text address, into @buf. */
const char *panic_symbol(uint64_t addr, char *buf, unsigned int size);
#include <stdbool.h>

/* True once some CPU has begun stopping the machine. */
bool panic_in_progress(void);
/* Stop every CPU for good (the current one last). */
__attribute__((noreturn)) void panic_halt(void);

#endif
