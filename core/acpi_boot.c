// SPDX-License-Identifier: MIT
/*
 * ACPI at boot: find the RSDP (the copy the Multiboot2 loader gave, else
 * the legacy BIOS areas), parse the tables through the direct map into
 * acpi_info, log a summary an operator can check against the firmware
 * setup, and register the ACPI self-tests (core/selftest.h).
 */
#include <errno.h>
#include <string.h>

#include "core/acpi.h"
#include "core/bootinfo.h"
#include "core/cpu.h"
#include "core/fmt.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/selftest.h"
#include "core/time.h"

#define ACPI_PM_TIMER_HZ 3579545ull

struct acpi_info acpi_info;

/*
 * Tables in firmware-reserved memory (SeaBIOS puts them in an E820
 * "reserved" range) are not in the direct map, which holds RAM only. For
 * those the whole reserved range holding the table, up to a limit, is
 * mapped once, uncached like any firmware region, and reused: the parser
 * asks for the same few ranges again and again.
 */
#define ACPI_WINDOWS 8
#define ACPI_WINDOW_MAX (16ull << 20)

static struct acpi_window {
	uint64_t base, len;
	const uint8_t *virt;
} acpi_windows[ACPI_WINDOWS]; /* INIT_PLATFORM and self-tests: boot CPU */
static unsigned int acpi_nwindows;

static const void *acpi_boot_map_firmware(uint64_t phys, size_t len)
{
	uint64_t base = phys, size = len;
	struct acpi_window *w;
	const uint8_t *v;

	for (w = acpi_windows; w < acpi_windows + acpi_nwindows; w++)
		if (phys >= w->base && phys + len <= w->base + w->len)
			return w->virt + (phys - w->base);
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (r->type != BOOT_MEM_AVAILABLE && phys >= r->base &&
		    phys + len <= r->base + r->len &&
		    r->len <= ACPI_WINDOW_MAX) {
			base = r->base;
			size = r->len;
			break;
		}
	}
	v = mm_map_mmio(base, size);
	if (!v)
		return NULL;
	if (acpi_nwindows < ACPI_WINDOWS)
		acpi_windows[acpi_nwindows++] =
		    (struct acpi_window){ base, size, v };
	return v + (phys - base);
}

/*
 * The parser's window on physical memory: all of [phys, phys+len) must be
 * in the direct map, contiguously, or in a firmware range mapped above.
 */
static const void *acpi_boot_map(uint64_t phys, size_t len)
{
	const uint8_t *first, *last;

	if (!len || phys + len < phys)
		return NULL;
	first = mm_phys_to_virt(phys);
	last = mm_phys_to_virt(phys + len - 1);
	if (first && last && (size_t)(last - first) == len - 1)
		return first;
	return acpi_boot_map_firmware(phys, len);
}

static int acpi_boot_parse(struct acpi_info *out)
{
	int rc = -ENOENT;

	if (boot_info.rsdp_rev) {
		/* A 1.0 tag carries 20 bytes; a 2.0+ one the full 36. */
		rc = acpi_parse_rsdp_copy(boot_info.rsdp,
					  boot_info.rsdp_rev == 2 ? 36 : 20,
					  acpi_boot_map, out);
		if (rc)
			log_warn("acpi: the loader's RSDP is unusable (%d); "
				 "searching the BIOS areas",
				 rc);
	}
	if (rc)
		rc = acpi_parse(0, acpi_boot_map, out);
	return rc;
}

/*
 * A register as the summary shows it: "mem 0xfed80004", and for I/O ports
 * "io 0xcf9", or just "0x604" where ports are the norm (@io_bare).
 */
static const char *acpi_reg(char *buf, size_t size, const struct acpi_gas *g,
			    bool io_bare)
{
	static const char *const spaces[] = { "mem ", "io ", "pci " };
	const char *space = g->space < 3 ? spaces[g->space] : "space? ";

	if (io_bare && g->space == ACPI_SPACE_IO)
		space = "";
	fmt_snprintf(buf, size, "%s%#llx", space, (unsigned long long)g->addr);
	return buf;
}

static void acpi_log_madt(const struct acpi_info *a)
{
	unsigned int x2 = 0, hot = 0;
	char ioapic[64];

	if (!a->have_madt) {
		log_warn("acpi: no MADT");
		return;
	}
	for (unsigned int i = 0; i < a->ncpus; i++) {
		x2 += a->cpus[i].x2apic;
		hot += a->cpus[i].online_capable;
	}
	if (a->nioapics == 1)
		fmt_snprintf(ioapic, sizeof(ioapic), "1 IOAPIC at %#llx GSI %u",
			     (unsigned long long)a->ioapics[0].addr,
			     a->ioapics[0].gsi_base);
	else
		fmt_snprintf(ioapic, sizeof(ioapic), "%u IOAPICs", a->nioapics);
	log_info("acpi: MADT: %u CPU%s (x2APIC %u%s), %s, %u override%s, "
		 "LAPIC at %#llx",
		 a->ncpus, a->ncpus == 1 ? "" : "s", x2,
		 hot ? ", some hot-pluggable" : "", ioapic, a->noverrides,
		 a->noverrides == 1 ? "" : "s",
		 (unsigned long long)a->lapic_addr);
	for (unsigned int i = 0; a->nioapics > 1 && i < a->nioapics; i++)
		log_info("acpi: IOAPIC %u at %#llx GSI %u", a->ioapics[i].id,
			 (unsigned long long)a->ioapics[i].addr,
			 a->ioapics[i].gsi_base);
}

static void acpi_log_fadt(const struct acpi_info *a)
{
	char reset[48] = "no reset reg", pm1[64] = "no PM1 control";
	char s5[24] = "no S5", tmr[48] = "no PM timer", r[24], r2[24];

	if (!a->have_fadt) {
		log_warn("acpi: no FADT: no ACPI power-off or reset register");
		return;
	}
	if (a->reset_supported)
		fmt_snprintf(reset, sizeof(reset), "reset reg %s value %#x",
			     acpi_reg(r, sizeof(r), &a->reset_reg, false),
			     a->reset_value);
	if (a->hw_reduced)
		fmt_snprintf(pm1, sizeof(pm1), "HW-reduced, sleep control %s",
			     acpi_reg(r, sizeof(r), &a->sleep_ctl, true));
	else if (a->pm1a_cnt.addr && a->pm1b_cnt.addr)
		fmt_snprintf(pm1, sizeof(pm1), "PM1a %s, PM1b %s",
			     acpi_reg(r, sizeof(r), &a->pm1a_cnt, true),
			     acpi_reg(r2, sizeof(r2), &a->pm1b_cnt, true));
	else if (a->pm1a_cnt.addr)
		fmt_snprintf(pm1, sizeof(pm1), "PM1a %s",
			     acpi_reg(r, sizeof(r), &a->pm1a_cnt, true));
	if (a->have_s5)
		fmt_snprintf(s5, sizeof(s5), "S5 type %u/%u", a->s5_typ_a,
			     a->s5_typ_b);
	if (a->pm_tmr.addr)
		fmt_snprintf(tmr, sizeof(tmr), "PM timer %s (%s)",
			     acpi_reg(r, sizeof(r), &a->pm_tmr, true),
			     a->pm_tmr_32bit ? "32-bit" : "24-bit");
	log_info("acpi: FADT: %s, %s, %s, %s", reset, pm1, s5, tmr);
}

static void acpi_log_summary(const struct acpi_info *a)
{
	if (!a->valid) {
		log_warn("acpi: no usable ACPI tables: no MADT, FADT, MCFG "
			 "or HPET; no ACPI power-off");
		return;
	}
	log_info("acpi: RSDP %s OEM \"%s\", %s with %u tables",
		 a->revision >= 2 ? "2.0" : "1.0", a->oem_id,
		 a->xsdt ? "XSDT" : "RSDT", a->ntables);
	if (a->tables_bad)
		log_warn("acpi: %u bad tables or entries skipped",
			 a->tables_bad);
	acpi_log_madt(a);
	acpi_log_fadt(a);
	for (unsigned int i = 0; i < a->nmcfg; i++)
		log_info("acpi: MCFG: segment %u buses %u-%u at %#llx",
			 a->mcfg[i].segment, a->mcfg[i].bus_start,
			 a->mcfg[i].bus_end,
			 (unsigned long long)a->mcfg[i].base);
	if (a->have_hpet)
		log_info("acpi: HPET at %#llx",
			 (unsigned long long)a->hpet_addr);
}

static void acpi_init(void)
{
	acpi_boot_parse(&acpi_info);
	acpi_log_summary(&acpi_info);
}
KEEL_INIT(INIT_PLATFORM, acpi_init);

/* --- self-tests ----------------------------------------------------------- */

#define ACPI_SAME(field)                                                       \
	do {                                                                   \
		if (a->field != b->field) {                                    \
			log_err("acpi: re-parse differs in " #field);          \
			return -EIO;                                           \
		}                                                              \
	} while (0)

static int acpi_same(const struct acpi_info *a, const struct acpi_info *b)
{
	ACPI_SAME(valid);
	ACPI_SAME(revision);
	ACPI_SAME(xsdt);
	ACPI_SAME(ntables);
	ACPI_SAME(tables_bad);
	ACPI_SAME(have_madt);
	ACPI_SAME(lapic_addr);
	ACPI_SAME(ncpus);
	ACPI_SAME(cpus_dropped);
	ACPI_SAME(nioapics);
	ACPI_SAME(noverrides);
	ACPI_SAME(nnmis);
	for (unsigned int i = 0; i < a->ncpus; i++) {
		ACPI_SAME(cpus[i].apic_id);
		ACPI_SAME(cpus[i].acpi_uid);
		ACPI_SAME(cpus[i].x2apic);
	}
	for (unsigned int i = 0; i < a->nioapics; i++) {
		ACPI_SAME(ioapics[i].addr);
		ACPI_SAME(ioapics[i].gsi_base);
	}
	for (unsigned int i = 0; i < a->noverrides; i++) {
		ACPI_SAME(overrides[i].isa_irq);
		ACPI_SAME(overrides[i].gsi);
		ACPI_SAME(overrides[i].flags);
	}
	ACPI_SAME(have_fadt);
	ACPI_SAME(pm1a_cnt.addr);
	ACPI_SAME(pm1b_cnt.addr);
	ACPI_SAME(pm_tmr.addr);
	ACPI_SAME(reset_supported);
	ACPI_SAME(reset_reg.addr);
	ACPI_SAME(reset_value);
	ACPI_SAME(have_s5);
	ACPI_SAME(s5_typ_a);
	ACPI_SAME(s5_typ_b);
	ACPI_SAME(nmcfg);
	for (unsigned int i = 0; i < a->nmcfg; i++)
		ACPI_SAME(mcfg[i].base);
	ACPI_SAME(have_hpet);
	ACPI_SAME(hpet_addr);
	return 0;
}

/* The firmware's tables are read-only to us: a second parse must agree. */
static int acpi_selftest_reparse(void)
{
	static struct acpi_info again;
	int rc = acpi_boot_parse(&again);

	if (rc != (acpi_info.valid ? 0 : -ENOENT)) {
		log_err("acpi: re-parse returned %d", rc);
		return -EIO;
	}
	return acpi_same(&acpi_info, &again);
}
KEEL_SELFTEST(acpi_reparse, acpi_selftest_reparse);

static uint32_t acpi_my_apic_id(void)
{
	/* Leaf 0xB gives the full x2APIC ID; leaf 1 only its low 8 bits. */
	if (cpu_cpuid(0, 0).eax >= 0xb && cpu_cpuid(0xb, 0).ebx)
		return cpu_cpuid(0xb, 0).edx;
	return cpu_cpuid(1, 0).ebx >> 24;
}

/*
 * Where there is an MADT, it must describe the machine we run on: at least
 * one CPU, the one running this among them and enabled, and an IOAPIC.
 */
static int acpi_selftest_madt(void)
{
	const struct acpi_info *a = &acpi_info;
	uint32_t me = acpi_my_apic_id();
	bool found = false;

	if (!a->have_madt) {
		log_info("acpi: no MADT on this machine; nothing to check");
		return 0;
	}
	if (!a->ncpus || !a->nioapics) {
		log_err("acpi: MADT lists %u CPUs and %u IOAPICs", a->ncpus,
			a->nioapics);
		return -ENODEV;
	}
	for (unsigned int i = 0; i < a->ncpus; i++)
		if (a->cpus[i].apic_id == me && !a->cpus[i].online_capable)
			found = true;
	if (!found) {
		log_err("acpi: the boot CPU (APIC ID %u) is not an enabled "
			"CPU of the MADT",
			me);
		return -ENODEV;
	}
	if (!a->lapic_addr || (a->lapic_addr & 0xfff)) {
		log_err("acpi: LAPIC address %#llx",
			(unsigned long long)a->lapic_addr);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < a->nioapics; i++) {
		if (!a->ioapics[i].addr || (a->ioapics[i].addr & 0x3ff)) {
			log_err("acpi: IOAPIC %u at %#llx", a->ioapics[i].id,
				(unsigned long long)a->ioapics[i].addr);
			return -EINVAL;
		}
	}
	return 0;
}
KEEL_SELFTEST(acpi_madt, acpi_selftest_madt);

/*
 * The FADT's PM timer must exist where it says and count at 3.579545 MHz
 * (ACPI 6.4, 4.8.3.3) against the calibrated TSC, within a factor of two:
 * a wrong port reads a constant, a wrong width wraps early.
 */
static int acpi_selftest_pm_timer(void)
{
	const struct acpi_info *a = &acpi_info;
	uint32_t mask = a->pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	uint64_t hz = time_tsc_hz(), t0, t1, ticks, expect;
	uint32_t p0, p1;
	uint16_t port;

	if (!a->have_fadt || !a->pm_tmr.addr || a->hw_reduced) {
		log_info("acpi: no PM timer on this machine; nothing to check");
		return 0;
	}
	if (a->pm_tmr.space != ACPI_SPACE_IO || a->pm_tmr.addr > 0xffff) {
		log_info("acpi: PM timer not in I/O space; not checked");
		return 0;
	}
	port = (uint16_t)a->pm_tmr.addr;
	p0 = cpu_inl(port) & mask;
	t0 = cpu_rdtsc();
	/* 20 ms; without a TSC frequency, 20 M ticks and only "it counts" */
	while (cpu_rdtsc() - t0 < (hz ? hz / 50 : 20000000))
		cpu_pause();
	p1 = cpu_inl(port) & mask;
	t1 = cpu_rdtsc();
	ticks = (p1 - p0) & mask;
	expect = hz ? (t1 - t0) * ACPI_PM_TIMER_HZ / hz : 0;
	if (!ticks || (hz && (ticks < expect / 2 || ticks > expect * 2))) {
		log_err("acpi: PM timer at %#x counted %llu in %llu TSC ticks, "
			"expected about %llu",
			port, (unsigned long long)ticks,
			(unsigned long long)(t1 - t0),
			(unsigned long long)expect);
		return -EIO;
	}
	return 0;
}
KEEL_SELFTEST(acpi_pm_timer, acpi_selftest_pm_timer);
