// SPDX-License-Identifier: MIT
/*
 * Local APIC (Intel SDM vol. 3A chapter 11). One access layer hides the two
 * register interfaces: x2APIC MSRs 0x800 + offset/16 (11.12.3) or the xAPIC
 * MMIO page. Every CPU runs in the mode the boot CPU chose, since the
 * IOAPIC and IPIs address CPUs by the same IDs.
 */
#include "drivers/lapic.h"

#include <errno.h>

#include "core/acpi.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/time.h"
#include "drivers/ioapic.h"

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_BASE 0x800

/* Register offsets in the xAPIC page (SDM vol. 3A table 11-1). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR0 0x100
#define LAPIC_ESR 0x280
#define LAPIC_LVT_CMCI 0x2f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_SELF_IPI 0x3f0 /* x2APIC only */

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_DM_NMI (4u << 8)
#define LVT_ACTIVE_LOW (1u << 13)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define ICR_DM_NMI (4u << 8)
#define ICR_DM_INIT (5u << 8)
#define ICR_DM_STARTUP (6u << 8)
#define ICR_BUSY (1u << 12) /* delivery status, xAPIC only */
#define ICR_ASSERT (1u << 14)
#define ICR_SELF (1u << 18)
#define ICR_ALL_BUT_SELF (3u << 18)
#define TIMER_DIV_16 0x3 /* divide configuration 0b0011 */
#define LAPIC_ICR_SPINS 1000000u
#define LAPIC_CAL_NS (10 * NSEC_PER_MSEC)

/*
 * Chosen on the boot CPU at INIT_IRQCHIP and INIT_TIMER before any AP
 * runs, read-only afterwards.
 */
static bool lapic_ok; /* a local APIC exists and is enabled */
static bool lapic_x2;
static volatile uint32_t *lapic_mmio;
static uint32_t lapic_maxlvt;
static int lapic_error_vector = -1;
static bool lapic_deadline;
static uint64_t lapic_hz; /* one-shot timer ticks per second */
static struct time_scale lapic_ns2ticks;
static uint64_t lapic_max_ns;
static bool lapic_timer_ready;
static lapic_timer_fn lapic_timer_handler;

static uint32_t lapic_read(uint32_t reg)
{
	if (lapic_x2)
		return (uint32_t)cpu_rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2)
		cpu_wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

/* SDM vol. 3A 11.8.5: any write signals EOI; x2APIC demands the value 0. */
static void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* CPUID's copy of the APIC ID: leaf 0xB has all 32 bits, leaf 1 eight. */
static uint32_t lapic_cpuid_id(void)
{
	if (cpu_cpuid(0, 0).eax >= 0xb && cpu_cpuid(0xb, 0).ebx)
		return cpu_cpuid(0xb, 0).edx;
	return cpu_cpuid(1, 0).ebx >> 24;
}

uint32_t lapic_id(void)
{
	if (!lapic_ok)
		return lapic_cpuid_id();
	if (!lapic_x2)
		return lapic_read(LAPIC_ID) >> 24;
	/*
	 * An AP asks before lapic_init_cpu(): INIT left its APIC in xAPIC
	 * mode, where reading an x2APIC MSR is a #GP (SDM vol. 3A 11.12.5).
	 */
	if (!(cpu_rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD))
		return lapic_cpuid_id();
	return (uint32_t)cpu_rdmsr(MSR_X2APIC_BASE + (LAPIC_ID >> 4));
}

bool lapic_x2apic(void)
{
	return lapic_x2;
}

uint32_t lapic_lvt_nmi(uint16_t inti_flags)
{
	/* "Conforms to the bus" means active high for the LINT pins. */
	return LVT_DM_NMI |
	       (ioapic_inti_active_low(inti_flags, false) ? LVT_ACTIVE_LOW : 0);
}

/*
 * Send one IPI. xAPIC: the ICR is two registers written high then low (the
 * low write sends), so no interrupt may come between them on this CPU, and
 * the delivery status must be idle first (SDM vol. 3A 11.6.1). x2APIC: one
 * 64-bit WRMSR, no status to poll (11.12.9); WRMSR to x2APIC registers is
 * not serializing, so fence to make earlier stores visible to the target.
 */
static int lapic_icr(uint32_t dest, uint32_t lo)
{
	if (lapic_x2) {
		asm volatile("mfence; lfence" ::: "memory");
		cpu_wrmsr(MSR_X2APIC_BASE + (LAPIC_ICR_LO >> 4),
			  (uint64_t)dest << 32 | lo);
		return 0;
	}
	if (dest > 0xff && !(lo & (3u << 18)))
		return -EINVAL;

	uint64_t flags = irq_save();
	int ret = -ETIMEDOUT;

	for (uint32_t i = 0; i < LAPIC_ICR_SPINS; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_BUSY)) {
			ret = 0;
			break;
		}
		cpu_pause();
	}
	if (!ret) {
		lapic_write(LAPIC_ICR_HI, dest << 24);
		lapic_write(LAPIC_ICR_LO, lo);
	}
	irq_restore(flags);
	return ret;
}

int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	if (vector < 32)
		return -EINVAL;
	return lapic_icr(apic_id, ICR_ASSERT | vector);
}

int lapic_send_ipi_self(uint8_t vector)
{
	if (vector < 32)
		return -EINVAL;
	if (lapic_x2) {
		/* The x2APIC's SELF IPI register (SDM vol. 3A 11.12.11). */
		lapic_write(LAPIC_SELF_IPI, vector);
		return 0;
	}
	return lapic_icr(0, ICR_SELF | ICR_ASSERT | vector);
}

int lapic_send_ipi_all_but_self(uint8_t vector)
{
	if (vector < 32)
		return -EINVAL;
	return lapic_icr(0, ICR_ALL_BUT_SELF | ICR_ASSERT | vector);
}

int lapic_send_nmi_all_but_self(void)
{
	return lapic_icr(0, ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_DM_NMI);
}

/*
 * No INIT level de-assert: Pentium 4 and later ignore it and x2APIC
 * rejects it (SDM vol. 3A 11.6.1).
 */
int lapic_send_init(uint32_t apic_id)
{
	return lapic_icr(apic_id, ICR_ASSERT | ICR_DM_INIT);
}

int lapic_send_sipi(uint32_t apic_id, uint32_t page)
{
	if (page > 0xff)
		return -EINVAL;
	return lapic_icr(apic_id, ICR_ASSERT | ICR_DM_STARTUP | page);
}

/* SDM vol. 3A 11.5.3: write the ESR to latch the errors, then read it. */
static void lapic_error_irq(struct trap_frame *f, void *arg)
{
	static unsigned int logged;

	lapic_write(LAPIC_ESR, 0);
	uint32_t esr = lapic_read(LAPIC_ESR);

	if (logged < 16) {
		logged++;
		log_warn("lapic: APIC error %#x on CPU %u", esr, lapic_id());
	}
}

static void lapic_timer_irq(struct trap_frame *f, void *arg)
{
	lapic_timer_fn fn =
	    __atomic_load_n(&lapic_timer_handler, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
}

lapic_timer_fn lapic_timer_set_handler(lapic_timer_fn fn)
{
	return __atomic_exchange_n(&lapic_timer_handler, fn, __ATOMIC_ACQ_REL);
}

bool lapic_timer_tsc_deadline(void)
{
	return lapic_deadline;
}

uint64_t lapic_timer_max_ns(void)
{
	return lapic_deadline ? UINT64_MAX : lapic_max_ns;
}

uint64_t lapic_timer_hz(void)
{
	return lapic_deadline ? 0 : lapic_hz;
}

void lapic_timer_arm_ns(uint64_t deadline_ns)
{
	if (!lapic_timer_ready)
		return;
	if (lapic_deadline) {
		/* SDM vol. 3A 11.5.4.1: writing 0 disarms; a past value fires.
		 */
		cpu_wrmsr(MSR_IA32_TSC_DEADLINE,
			  deadline_ns ? time_ns_to_tsc_abs(deadline_ns) : 0);
		return;
	}
	if (!deadline_ns) {
		lapic_write(LAPIC_TIMER_INIT, 0); /* a count of 0 stops it */
		return;
	}
	uint64_t now = time_ns();
	uint64_t ticks = deadline_ns > now ? time_scale_apply(&lapic_ns2ticks,
							      deadline_ns - now)
					   : 0;

	if (ticks < 1)
		ticks = 1;
	if (ticks > UINT32_MAX)
		ticks = UINT32_MAX;
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

/* This CPU's timer LVT; the calibration is the boot CPU's, shared by all. */
static void lapic_timer_init_cpu(void)
{
	if (lapic_deadline) {
		lapic_write(LAPIC_LVT_TIMER,
			    LVT_TIMER_TSC_DEADLINE | IRQ_VECTOR_TIMER);
		/*
		 * SDM vol. 3A 11.5.4.1: in xAPIC mode the MMIO write to the LVT
		 * must be ordered before the WRMSR that arms the deadline.
		 */
		asm volatile("mfence" ::: "memory");
		cpu_wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	} else {
		lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
		lapic_write(LAPIC_TIMER_INIT, 0);
		lapic_write(LAPIC_LVT_TIMER, IRQ_VECTOR_TIMER); /* one-shot */
	}
}

/*
 * LINT0/LINT1 from the MADT's Local APIC NMI entries for this CPU (ACPI
 * 6.4 5.2.12.7); everything else on them stays masked. LINT0 is the 8259's
 * virtual-wire input (ExtINT), which Keel never uses: drivers/pic.c masks
 * the 8259 and the IOAPIC carries device interrupts. Without a MADT, LINT1
 * is the NMI pin as in the MP spec's default configuration.
 */
static void lapic_init_lint(uint32_t id)
{
	uint32_t lint[2] = { LVT_MASKED, LVT_MASKED };

	if (!acpi_info.have_madt) {
		lint[1] = LVT_DM_NMI;
	} else {
		uint32_t uid = UINT32_MAX;

		for (unsigned int i = 0; i < acpi_info.ncpus; i++)
			if (acpi_info.cpus[i].apic_id == id)
				uid = acpi_info.cpus[i].acpi_uid;
		for (unsigned int i = 0; i < acpi_info.nnmis; i++) {
			const struct acpi_lapic_nmi *n = &acpi_info.nmis[i];

			if (n->lint > 1)
				continue;
			if (n->acpi_uid == UINT32_MAX || n->acpi_uid == 0xff ||
			    n->acpi_uid == uid)
				lint[n->lint] = lapic_lvt_nmi(n->flags);
		}
	}
	lapic_write(LAPIC_LVT_LINT0, lint[0]);
	lapic_write(LAPIC_LVT_LINT1, lint[1]);
}

void lapic_init_cpu(void)
{
	if (!lapic_ok)
		return;

	uint64_t base = cpu_rdmsr(MSR_IA32_APIC_BASE);

	/*
	 * SDM vol. 3A 11.12.5: x2APIC is entered from xAPIC-enabled, never
	 * straight from disabled; leaving x2APIC needs a full disable, so a
	 * CPU the firmware left in x2APIC stays there (the boot CPU's choice
	 * already accounts for that).
	 */
	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		cpu_wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (lapic_x2 && !(base & APIC_BASE_EXTD))
		cpu_wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);

	/*
	 * Software-enable first: while disabled, LVT mask bits cannot be
	 * cleared (SDM vol. 3A 11.4.7.2).
	 */
	lapic_write(LAPIC_SVR, SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	if (lapic_maxlvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (lapic_maxlvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	/* Writing an LVT the APIC lacks is a #GP in x2APIC mode. */
	if (lapic_maxlvt >= 6)
		lapic_write(LAPIC_LVT_CMCI, LVT_MASKED);
	lapic_init_lint(lapic_id());
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_LVT_ERROR, lapic_error_vector > 0
					 ? (uint32_t)lapic_error_vector
					 : LVT_MASKED);
	/* Acknowledge whatever the firmware left in service. */
	for (int n = 0; n < 64; n++) {
		bool busy = false;

		for (uint32_t r = 0; r < 8; r++)
			busy |= lapic_read(LAPIC_ISR0 + r * 0x10) != 0;
		if (!busy)
			break;
		lapic_eoi();
	}
	if (lapic_timer_ready)
		lapic_timer_init_cpu();
}

static void lapic_init(void)
{
	uint64_t base = cpu_rdmsr(MSR_IA32_APIC_BASE);
	uint64_t phys = base & APIC_BASE_ADDR_MASK;
	struct cpuid_regs r = cpu_cpuid(1, 0);

	if (!(r.edx & (1u << 9))) {
		log_err(
		    "lapic: CPU has no local APIC; no interrupts, no timer");
		return;
	}
	lapic_x2 = (r.ecx & (1u << 21)) || (base & APIC_BASE_EXTD);
	if (!lapic_x2) {
		/*
		 * The MSR says where this CPU decodes its APIC page (SDM vol.
		 * 3A 11.4.5); the MADT address should agree.
		 */
		if (acpi_info.have_madt && acpi_info.lapic_addr != phys)
			log_warn(
			    "lapic: MADT says %#llx, IA32_APIC_BASE %#llx; "
			    "using the MSR",
			    (unsigned long long)acpi_info.lapic_addr,
			    (unsigned long long)phys);
		lapic_mmio = mm_map_mmio(phys, 4096);
		if (!lapic_mmio) {
			log_err("lapic: cannot map %#llx",
				(unsigned long long)phys);
			return;
		}
	}
	/* The boot CPU's mode must be on before the first register access. */
	cpu_wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	if (lapic_x2)
		cpu_wrmsr(MSR_IA32_APIC_BASE,
			  base | APIC_BASE_EN | APIC_BASE_EXTD);

	uint32_t ver = lapic_read(LAPIC_VERSION);

	lapic_maxlvt = (ver >> 16) & 0xff;
	int v = irq_alloc(lapic_error_irq, NULL);
	lapic_error_vector = v;
	if (v < 0)
		log_warn("lapic: no vector for APIC errors (%d)", v);
	irq_set_eoi(lapic_eoi);
	lapic_ok = true;
	lapic_init_cpu();

	lapic_deadline = r.ecx & (1u << 24);
	if (lapic_x2)
		log_info(
		    "lapic: x2APIC mode, id %u, version %#x, %u LVT entries, "
		    "timer %s",
		    lapic_id(), ver & 0xff, lapic_maxlvt + 1,
		    lapic_deadline ? "TSC-deadline" : "one-shot");
	else
		log_info("lapic: xAPIC mode at %#llx, id %u, version %#x, "
			 "%u LVT entries, timer %s",
			 (unsigned long long)phys, lapic_id(), ver & 0xff,
			 lapic_maxlvt + 1,
			 lapic_deadline ? "TSC-deadline" : "one-shot");
}
KEEL_INIT(INIT_IRQCHIP, lapic_init);

/*
 * One-shot mode counts the bus clock divided by 16, a frequency no
 * register states: count down from the maximum for LAPIC_CAL_NS of TSC
 * time, three rounds, keep the median (SDM vol. 3A 11.5.4).
 */
static uint64_t lapic_timer_calibrate(void)
{
	uint64_t hz[3];

	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | IRQ_VECTOR_TIMER);
	for (int i = 0; i < 3; i++) {
		/*
		 * Start the count before the first TSC read and stop after the
		 * last: a delay at either end can only over-estimate the
		 * frequency, so the timer may fire late, never early.
		 */
		lapic_write(LAPIC_TIMER_INIT, UINT32_MAX);

		uint64_t t0 = cpu_rdtsc(), t1;
		uint64_t end = t0 + time_ns_to_tsc(LAPIC_CAL_NS);

		while ((t1 = cpu_rdtsc()) < end)
			cpu_pause();
		uint32_t left = lapic_read(LAPIC_TIMER_CUR);

		hz[i] = time_calc_hz(UINT32_MAX - left, t1 - t0, time_tsc_hz());
	}
	lapic_write(LAPIC_TIMER_INIT, 0);
	return time_median3(hz[0], hz[1], hz[2]);
}

static void lapic_timer_init(void)
{
	if (!lapic_ok)
		return;
	if (!time_tsc_hz()) {
		log_err("lapic: timer needs the TSC calibrated first");
		return;
	}
	if (irq_register(IRQ_VECTOR_TIMER, lapic_timer_irq, NULL)) {
		log_err("lapic: timer vector %u taken", IRQ_VECTOR_TIMER);
		return;
	}
	if (!lapic_deadline) {
		lapic_hz = lapic_timer_calibrate();
		if (!lapic_hz) {
			log_err("lapic: timer does not count; no timer");
			return;
		}
		time_scale_init(&lapic_ns2ticks, NSEC_PER_SEC, lapic_hz);
		lapic_max_ns = (uint64_t)UINT32_MAX * NSEC_PER_SEC / lapic_hz;
		log_info("lapic: timer one-shot, %llu.%03llu MHz (bus/16), "
			 "vector %u",
			 (unsigned long long)(lapic_hz / 1000000),
			 (unsigned long long)(lapic_hz / 1000 % 1000),
			 IRQ_VECTOR_TIMER);
	} else {
		log_info("lapic: timer TSC-deadline, vector %u",
			 IRQ_VECTOR_TIMER);
	}
	lapic_timer_ready = true;
	lapic_timer_init_cpu();
}
KEEL_INIT(INIT_TIMER, lapic_timer_init);
