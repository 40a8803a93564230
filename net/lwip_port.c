// SPDX-License-Identifier: MIT
/*
 * The lwIP port: what lwIP's arch/cc.h and NO_SYS mode ask the platform for.
 * The host I/O issue adds sys_arch with threads and the NIC netifs.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lwip/arch.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/time.h"

u32_t sys_now(void)
{
	return (u32_t)(time_ns() / 1000000);
}

/* An lwIP assertion is a broken invariant inside Keel: stop. */
void lwip_port_assert(const char *msg, const char *file, int line)
{
	log_err("PANIC: lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
	cpu_halt_forever();
}

/* Initial sequence numbers and ports: RDRAND when present. */
u32_t lwip_port_rand(void)
{
	static uint64_t state;
	uint64_t r;
	unsigned char ok = 0;

	if (cpu_cpuid(1, 0).ecx & (1u << 30))
		asm volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
	if (ok)
		return (u32_t)r;
	/* xorshift64 over TSC jitter: unpredictable enough for port numbers */
	state ^= cpu_rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (u32_t)state;
}
