// SPDX-License-Identifier: MIT
/*
 * The TSC is the kernel's clock: reading it costs tens of cycles and it
 * never traps, unlike every platform timer. What it lacks is a stated
 * frequency, so it is measured once against a counter whose frequency the
 * platform does state. docs/timers.md has the order and the emulator quirks.
 */
#include "core/time.h"

#include "core/acpi.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"

#define PIT_HZ 1193182u
#define PM_TMR_HZ 3579545u /* ACPI 6.4, 4.8.3.3 */
#define TIME_CAL_MS 10u
#define TIME_CAL_ROUNDS 3
/* A counter that does not move in this many reads is broken or absent. */
#define TIME_STUCK_READS 200000u
#define TIME_MAX_READS 50000000u

uint64_t time_boot_tsc; /* written by core/main.c from image/boot.S */

/*
 * Written once by time_init() on the boot CPU before any other CPU runs;
 * read-only afterwards, so readers need no lock.
 */
static uint64_t time_tsc_base;
static uint64_t time_hz;
static struct time_scale time_tsc2ns, time_ns2tsc;
static const char *time_source = "none";
static const struct time_refclock *time_ref;

void time_scale_init(struct time_scale *s, uint64_t from_hz, uint64_t to_hz)
{
	s->mult = 0;
	s->shift = 0;
	if (!from_hz)
		return;
	for (int sh = 63; sh >= 0; sh--) {
		unsigned __int128 m =
		    ((unsigned __int128)to_hz << sh) / from_hz;

		if (m < (1ull << 63) || sh == 0) {
			s->mult = m > UINT64_MAX ? UINT64_MAX : (uint64_t)m;
			s->shift = sh;
			return;
		}
	}
}

uint64_t time_scale_apply(const struct time_scale *s, uint64_t v)
{
	unsigned __int128 r = ((unsigned __int128)v * s->mult) >> s->shift;

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

uint64_t time_counter_delta(uint64_t a, uint64_t b, unsigned int bits)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;

	return (b - a) & mask;
}

uint64_t time_calc_hz(uint64_t tsc, uint64_t ref, uint64_t ref_hz)
{
	if (!ref)
		return 0;
	unsigned __int128 hz = (unsigned __int128)tsc * ref_hz / ref;

	return hz > UINT64_MAX ? UINT64_MAX : (uint64_t)hz;
}

uint64_t time_median3(uint64_t a, uint64_t b, uint64_t c)
{
	if (a > b) {
		uint64_t t = a;
		a = b;
		b = t;
	}
	/* Now a <= b: the median is b clamped into [a, c] order. */
	if (c <= a)
		return a;
	return c < b ? c : b;
}

bool time_hz_plausible(uint64_t hz)
{
	return hz >= 1000000ull && hz <= 20000000000ull;
}

void time_register_refclock(const struct time_refclock *rc)
{
	if (time_hz)
		log_warn("time: %s registered after calibration; unused",
			 rc->name);
	else if (!time_ref && rc->hz && rc->read && rc->bits >= 16)
		time_ref = rc;
}

/*
 * One (counter, TSC) pair: the TSC is read on both sides of the counter
 * read and the midpoint kept. The bracket's width says how far to trust
 * it: under emulation a counter read is a device-model exit that the host
 * may preempt for milliseconds.
 */
static uint64_t time_sample(const struct time_refclock *rc, uint64_t *tsc,
			    uint64_t *width)
{
	uint64_t a = cpu_rdtsc(), r = rc->read(), b = cpu_rdtsc();

	*tsc = a + (b - a) / 2;
	*width = b - a;
	return r;
}

/*
 * One round against a free-running counter: start from the tightest of a
 * few samples, end on the first sample past TIME_CAL_MS that is about as
 * tight, so a preempted read at either end does not skew the result.
 */
static uint64_t time_measure_ref(const struct time_refclock *rc)
{
	uint64_t want = rc->hz * TIME_CAL_MS / 1000;
	uint64_t r0 = 0, t0 = 0, w0 = UINT64_MAX, r1, t1, w1, d;
	uint32_t reads = 0;

	for (int i = 0; i < 5; i++) {
		uint64_t t, w, r = time_sample(rc, &t, &w);

		if (w < w0) {
			r0 = r;
			t0 = t;
			w0 = w;
		}
	}
	do {
		r1 = time_sample(rc, &t1, &w1);
		d = time_counter_delta(r0, r1, rc->bits);
		if (++reads == TIME_STUCK_READS && !d)
			return 0;
		/* Past twice the span, take what comes: the median decides. */
		if (d >= want && (w1 <= 2 * w0 + 64 || d >= 2 * want))
			break;
	} while (reads < TIME_MAX_READS);
	if (d < want)
		return 0;
	return time_calc_hz(t1 - t0, d, rc->hz);
}

/*
 * PIT channel 2 in mode 0 (interrupt on terminal count) with the gate driven
 * from port 0x61: OUT2 rises when the count expires, readable at 0x61 bit 5.
 */
static uint64_t time_measure_pit(void)
{
	const uint32_t count = PIT_HZ * TIME_CAL_MS / 1000;
	uint8_t gate = cpu_inb(0x61);
	uint64_t t0, t1;
	uint32_t spins = 0;

	cpu_outb(0x61, (gate & ~0x02) | 0x01); /* speaker off, gate on */
	cpu_outb(0x43, 0xb0);		       /* ch2, lo/hi byte, mode 0 */
	cpu_outb(0x42, count & 0xff);
	cpu_outb(0x42, count >> 8);
	t0 = cpu_rdtsc();
	while (!(cpu_inb(0x61) & 0x20)) {
		if (++spins > TIME_MAX_READS) /* no PIT: do not hang */
			break;
	}
	t1 = cpu_rdtsc();
	cpu_outb(0x61, gate);
	if (spins > TIME_MAX_READS)
		return 0;
	return time_calc_hz(t1 - t0, count, PIT_HZ);
}

/* Intel SDM vol. 3B 18.7.3: TSC = crystal * EBX / EAX when leaf 0x15 has it. */
static uint64_t time_hz_from_cpuid(void)
{
	uint32_t max = cpu_cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpu_cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if (max >= 0x16) {
		uint32_t mhz = cpu_cpuid(0x16, 0).eax & 0xffff;
		if (mhz)
			return mhz * 1000000ull;
	}
	return 0;
}

static uint16_t time_pm_port;
static volatile uint32_t *time_pm_mmio;

static uint64_t time_pm_read(void)
{
	return time_pm_mmio ? *time_pm_mmio : cpu_inl(time_pm_port);
}

static struct time_refclock time_pm_refclock = {
	.name = "ACPI PM timer",
	.hz = PM_TMR_HZ,
	.read = time_pm_read,
};

static bool time_pm_setup(void)
{
	const struct acpi_gas *g = &acpi_info.pm_tmr;

	if (!acpi_info.have_fadt || !g->addr)
		return false;
	if (g->space == ACPI_SPACE_IO && g->addr <= 0xfffc)
		time_pm_port = g->addr;
	else if (g->space == ACPI_SPACE_MEMORY)
		time_pm_mmio = mm_map_mmio(g->addr, 4);
	if (!time_pm_port && !time_pm_mmio)
		return false;
	time_pm_refclock.bits = acpi_info.pm_tmr_32bit ? 32 : 24;
	return true;
}

/* Median of TIME_CAL_ROUNDS rounds; *spread gets max-min in ppm. */
static uint64_t time_calibrate(const struct time_refclock *rc, uint64_t *spread)
{
	uint64_t hz[TIME_CAL_ROUNDS], lo = UINT64_MAX, hi = 0;

	for (int i = 0; i < TIME_CAL_ROUNDS; i++) {
		hz[i] = rc ? time_measure_ref(rc) : time_measure_pit();
		if (!time_hz_plausible(hz[i]))
			return 0;
		lo = hz[i] < lo ? hz[i] : lo;
		hi = hz[i] > hi ? hz[i] : hi;
	}
	*spread = (hi - lo) * 1000000 / lo;
	return time_median3(hz[0], hz[1], hz[2]);
}

void time_init(void)
{
	uint64_t spread = 0, hz = 0;
	uint64_t flags = irq_save();

	if (time_ref) {
		hz = time_calibrate(time_ref, &spread);
		time_source = time_ref->name;
	}
	if (!hz && time_pm_setup()) {
		hz = time_calibrate(&time_pm_refclock, &spread);
		time_source = time_pm_refclock.name;
	}
	/* ACPI hardware-reduced platforms have no PIT (ACPI 6.4, 4.1). */
	if (!hz && !acpi_info.hw_reduced) {
		hz = time_calibrate(NULL, &spread);
		time_source = "PIT";
	}
	if (!hz) {
		hz = time_hz_from_cpuid();
		time_source = "CPUID";
		spread = 0;
	}
	if (!time_hz_plausible(hz)) {
		hz = NSEC_PER_SEC;
		time_source = "nothing usable: assumed";
	}
	irq_restore(flags);

	time_tsc_base = time_boot_tsc ? time_boot_tsc : cpu_rdtsc();
	time_scale_init(&time_ns2tsc, NSEC_PER_SEC, hz);
	time_scale_init(&time_tsc2ns, hz, NSEC_PER_SEC);
	__atomic_store_n(&time_hz, hz, __ATOMIC_RELEASE);

	/* Intel SDM vol. 3B 18.17.1: CPUID.80000007H:EDX[8] invariant TSC. */
	bool inv = cpu_cpuid(0x80000000, 0).eax >= 0x80000007 &&
		   (cpu_cpuid(0x80000007, 0).edx & (1u << 8));
	log_info("time: TSC %llu.%03llu MHz (%s), spread %llu ppm, "
		 "invariant %s",
		 (unsigned long long)(hz / 1000000),
		 (unsigned long long)(hz / 1000 % 1000), time_source,
		 (unsigned long long)spread, inv ? "yes" : "no");
}
KEEL_INIT(INIT_TIMER, time_init);

uint64_t time_tsc_to_ns(uint64_t tsc)
{
	return time_scale_apply(&time_tsc2ns, tsc);
}

uint64_t time_ns_to_tsc(uint64_t ns)
{
	return time_scale_apply(&time_ns2tsc, ns);
}

uint64_t time_ns_to_tsc_abs(uint64_t ns)
{
	return time_tsc_base + time_ns_to_tsc(ns);
}

uint64_t time_ns(void)
{
	uint64_t d = cpu_rdtsc() - time_tsc_base;

	/* A CPU whose TSC is a hair behind the boot CPU's reads 0, not 584
	 * years. */
	if ((int64_t)d < 0)
		return 0;
	/* mult is 0 until time_init(): the early log lines read 0. */
	return time_scale_apply(&time_tsc2ns, d);
}

void time_delay_ns(uint64_t ns)
{
	if (!time_hz)
		return;
	uint64_t end = time_ns() + ns;

	while (time_ns() < end)
		cpu_pause();
}

uint64_t time_tsc_hz(void)
{
	return time_hz;
}

const char *time_tsc_source(void)
{
	return time_source;
}
