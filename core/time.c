// SPDX-License-Identifier: MIT
#include "core/time.h"

#include "core/cpu.h"
#include "core/log.h"

#define PIT_HZ 1193182u
#define PIT_CAL_MS 10u

uint64_t time_boot_tsc; /* written by image/boot.S */
static uint64_t time_tsc_base;
static uint64_t time_hz;

/* Intel SDM vol. 3B 18.7.3: TSC = crystal * EBX / EAX when leaf 0x15 has it. */
static uint64_t time_hz_from_cpuid(void)
{
	uint32_t max = cpu_cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpu_cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	return 0;
}

/*
 * PIT channel 2 in mode 0 (interrupt on terminal count) with the gate driven
 * from port 0x61: OUT2 rises when the count expires, readable at 0x61 bit 5.
 */
static uint64_t time_hz_from_pit(void)
{
	const uint32_t count = PIT_HZ * PIT_CAL_MS / 1000;
	uint8_t gate = cpu_inb(0x61);
	uint64_t t0, t1;
	uint32_t spins = 0;

	cpu_outb(0x61, (gate & ~0x02) | 0x01); /* speaker off, gate on */
	cpu_outb(0x43, 0xb0);		       /* ch2, lo/hi byte, mode 0 */
	cpu_outb(0x42, count & 0xff);
	cpu_outb(0x42, count >> 8);
	t0 = cpu_rdtsc();
	while (!(cpu_inb(0x61) & 0x20)) {
		if (++spins > 100000000u) /* no PIT: do not hang the boot */
			break;
	}
	t1 = cpu_rdtsc();
	cpu_outb(0x61, gate);
	if (spins > 100000000u)
		return 0;
	return (t1 - t0) * 1000 / PIT_CAL_MS;
}

void time_init(void)
{
	const char *how = "cpuid";

	time_hz = time_hz_from_cpuid();
	if (!time_hz) {
		how = "PIT";
		time_hz = time_hz_from_pit();
	}
	if (!time_hz) {
		how = "assumed";
		time_hz = 1000000000ull;
	}
	time_tsc_base = time_boot_tsc ? time_boot_tsc : cpu_rdtsc();
	log_info("time: TSC %llu.%03llu MHz (%s)",
		 (unsigned long long)(time_hz / 1000000),
		 (unsigned long long)(time_hz / 1000 % 1000), how);
}

uint64_t time_ns(void)
{
	if (!time_hz)
		return 0;
	uint64_t d = cpu_rdtsc() - time_tsc_base;
	/* Split to avoid overflowing 64 bits for long uptimes. */
	return d / time_hz * 1000000000ull + d % time_hz * 1000000000ull / time_hz;
}

uint64_t time_tsc_hz(void)
{
	return time_hz;
}
