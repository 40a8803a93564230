// SPDX-License-Identifier: MIT
/*
 * HPET main counter (IA-PC HPET specification 1.0a). Enabled at
 * INIT_IRQCHIP, so that core/time.c can calibrate the TSC against it at
 * INIT_TIMER. Its timers could drive the legacy IRQ0/IRQ8 lines; Keel uses
 * the local APIC timer instead and keeps every comparator disabled.
 */
#include "drivers/hpet.h"

#include "core/acpi.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/time.h"

/* Register offsets (spec 2.3.1, table 3). */
#define HPET_CAP 0x000
#define HPET_CAP_HI 0x004
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0f0
#define HPET_COUNTER_HI 0x0f4
#define HPET_TN_CONFIG(n) (0x100 + 0x20 * (n))
#define HPET_MMIO_LEN 0x400

#define HPET_CAP_COUNT_64 (1u << 13)
#define HPET_CFG_ENABLE (1u << 0)
#define HPET_CFG_LEGACY (1u << 1)
#define HPET_TN_INT_ENB (1u << 2)
#define HPET_TN_TYPE_LEVEL (1u << 1)
#define HPET_MAX_PERIOD_FS 100000000u /* spec 2.3.4: at most 100 ns */
#define FSEC_PER_SEC 1000000000000000ull

/* Set once at INIT_IRQCHIP on the boot CPU; read-only afterwards. */
static volatile uint32_t *hpet_regs;
static uint32_t hpet_period;
static bool hpet_64;
static struct time_scale hpet_ticks2ns;

static uint32_t hpet_read(uint32_t reg)
{
	return hpet_regs[reg / 4];
}

static void hpet_write(uint32_t reg, uint32_t v)
{
	hpet_regs[reg / 4] = v;
}

bool hpet_present(void)
{
	return hpet_regs != NULL;
}

uint32_t hpet_period_fs(void)
{
	return hpet_period;
}

unsigned int hpet_counter_bits(void)
{
	return hpet_64 ? 64 : 32;
}

/*
 * 32-bit reads only: the spec allows 64-bit ones, but not every emulated
 * HPET takes them. High, low, high again, until the high half held still
 * (spec 2.4.7 on reading a 64-bit counter with 32-bit accesses).
 */
uint64_t hpet_read_counter(void)
{
	if (!hpet_regs)
		return 0;
	if (!hpet_64)
		return hpet_read(HPET_COUNTER);

	uint32_t hi, lo;

	do {
		hi = hpet_read(HPET_COUNTER_HI);
		lo = hpet_read(HPET_COUNTER);
	} while (hi != hpet_read(HPET_COUNTER_HI));
	return (uint64_t)hi << 32 | lo;
}

uint64_t hpet_read_ns(void)
{
	return time_scale_apply(&hpet_ticks2ns, hpet_read_counter());
}

/* For calibration the low half is enough and costs one MMIO read. */
static uint64_t hpet_read_low(void)
{
	return hpet_read(HPET_COUNTER);
}

static struct time_refclock hpet_refclock = {
	.name = "HPET",
	.bits = 32,
	.read = hpet_read_low,
};

static void hpet_init(void)
{
	if (!acpi_info.have_hpet || !acpi_info.hpet_addr)
		return;
	hpet_regs = mm_map_mmio(acpi_info.hpet_addr, HPET_MMIO_LEN);
	if (!hpet_regs) {
		log_err("hpet: cannot map %#llx",
			(unsigned long long)acpi_info.hpet_addr);
		return;
	}

	uint32_t cap = hpet_read(HPET_CAP);
	uint32_t period = hpet_read(HPET_CAP_HI);
	unsigned int ntimers = ((cap >> 8) & 0x1f) + 1;

	if (!period || period > HPET_MAX_PERIOD_FS) {
		log_err("hpet: %#llx reports period %u fs; not used",
			(unsigned long long)acpi_info.hpet_addr, period);
		hpet_regs = NULL;
		return;
	}
	hpet_period = period;
	hpet_64 = cap & HPET_CAP_COUNT_64;

	/*
	 * Halt, quiet every comparator, zero the counter (writable only
	 * while halted, spec 2.3.5), then run without legacy replacement:
	 * IRQ0 and IRQ8 stay with the PIT and RTC, both masked.
	 */
	uint32_t cfg = hpet_read(HPET_CONFIG);

	hpet_write(HPET_CONFIG, cfg & ~(HPET_CFG_ENABLE | HPET_CFG_LEGACY));
	for (unsigned int n = 0; n < ntimers; n++)
		hpet_write(HPET_TN_CONFIG(n),
			   hpet_read(HPET_TN_CONFIG(n)) &
			       ~(HPET_TN_INT_ENB | HPET_TN_TYPE_LEVEL));
	hpet_write(HPET_COUNTER, 0);
	hpet_write(HPET_COUNTER_HI, 0);
	hpet_write(HPET_CONFIG, (cfg & ~HPET_CFG_LEGACY) | HPET_CFG_ENABLE);

	uint64_t hz = (FSEC_PER_SEC + period / 2) / period;

	time_scale_init(&hpet_ticks2ns, 1000000, period); /* fs -> ns */
	hpet_refclock.hz = hz;
	time_register_refclock(&hpet_refclock);
	log_info(
	    "hpet: %#llx %llu.%03llu MHz (period %u fs), %u-bit, %u timers",
	    (unsigned long long)acpi_info.hpet_addr,
	    (unsigned long long)(hz / 1000000),
	    (unsigned long long)(hz / 1000 % 1000), period, hpet_counter_bits(),
	    ntimers);
}
KEEL_INIT(INIT_IRQCHIP, hpet_init);
