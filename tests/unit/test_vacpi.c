// SPDX-License-Identifier: MIT
/*
 * The VM's ACPI tables (vdev/vacpi.c, vdev/vacpi_aml.c): checksums and
 * lengths, then what an OS gets from them, read two ways: Keel's own
 * firmware-table parser (core/acpi.c: CPUs per vCPU count, the I/O APIC,
 * overrides, NMI, FADT power registers, \_S5, MCFG) and, decisively,
 * ACPICA's disassembler `iasl -d` (Debian acpica-tools, installed by
 * tools/deps.sh) on every table without errors, showing \_S5 and
 * PCI0's _CRS windows.
 * UNIT_SRCS: vdev/vacpi.c vdev/vacpi_aml.c core/acpi.c core/acpi_aml.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/acpi.h"
#include "ept/gmem.h"
#include "unit.h"
#include "vdev/vacpi.h"
#include "vdev/vacpi_aml.h"

#define BASE VPLAT_ACPI_BASE
static uint8_t mem[VPLAT_ACPI_SIZE];
static int mem_len;

/* vacpi_build's write into guest RAM. */
static uint64_t wrote_gpa;
static size_t wrote_len;
int gmem_write(struct gmem *gm, uint64_t gpa, const void *buf, size_t len)
{
	wrote_gpa = gpa;
	wrote_len = len;
	memcpy(mem, buf, len);
	return 0;
}

static const void *map(uint64_t phys, size_t len)
{
	if (phys < BASE || phys + len > BASE + sizeof(mem))
		return NULL;
	return mem + (phys - BASE);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static int build(unsigned int vcpus)
{
	struct vplat_config cfg = { .vcpus = vcpus, .ram_bytes = 256 << 20 };

	memset(mem, 0xcc, sizeof(mem));
	mem_len = vacpi_build_buf(mem, sizeof(mem), BASE, &cfg);
	return mem_len;
}

/* The table with signature @sig through the XSDT. */
static const uint8_t *table(const char *sig)
{
	const uint8_t *x = map(get32(mem + 24), 36);
	uint32_t len = get32(x + 4);

	for (uint32_t o = 36; o + 8 <= len; o += 8) {
		const uint8_t *t = map(get32(x + o), 36);

		if (t && !memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

UNIT_TEST(checksums_and_lengths)
{
	const char *sigs[] = { "FACP", "APIC", "MCFG" };
	const uint8_t *rsdt, *xsdt, *fadt, *dsdt, *facs;

	UNIT_CHECK(build(2) > 0 && mem_len <= (int)sizeof(mem));
	UNIT_CHECK(!memcmp(mem, "RSD PTR ", 8) && mem[15] == 2);
	UNIT_CHECK(sum(mem, 20) == 0 && sum(mem, 36) == 0);
	UNIT_CHECK(get32(mem + 20) == 36);
	rsdt = map(get32(mem + 16), 36);
	xsdt = map(get32(mem + 24), 36);
	UNIT_CHECK(rsdt && !memcmp(rsdt, "RSDT", 4));
	UNIT_CHECK(xsdt && !memcmp(xsdt, "XSDT", 4) && get32(mem + 28) == 0);
	UNIT_CHECK(sum(rsdt, get32(rsdt + 4)) == 0 &&
		   sum(xsdt, get32(xsdt + 4)) == 0);
	UNIT_CHECK(get32(xsdt + 4) == 36 + 8 * 3 &&
		   get32(rsdt + 4) == 36 + 4 * 3);
	for (unsigned int i = 0; i < 3; i++) {
		const uint8_t *t = table(sigs[i]);

		UNIT_CHECK(t != NULL);
		if (t)
			UNIT_CHECK(sum(t, get32(t + 4)) == 0);
	}
	fadt = table("FACP");
	UNIT_CHECK(get32(fadt + 4) == 276 && fadt[8] == 6);
	dsdt = map(get32(fadt + 40), 36);
	UNIT_CHECK(dsdt && !memcmp(dsdt, "DSDT", 4) && dsdt[8] == 2);
	UNIT_CHECK(sum(dsdt, get32(dsdt + 4)) == 0);
	UNIT_CHECK(get32(fadt + 140) == get32(fadt + 40)); /* X_DSDT */
	facs = map(get32(fadt + 36), 64);
	UNIT_CHECK(facs && !memcmp(facs, "FACS", 4) && get32(facs + 4) == 64);
	UNIT_CHECK(get32(fadt + 36) % 64 == 0);
	/* Everything lies in the reserved block, nothing past mem_len. */
	UNIT_CHECK((uint8_t *)dsdt + get32(dsdt + 4) <= mem + mem_len);
}

UNIT_TEST(what_an_os_parses)
{
	static struct acpi_info info;
	const unsigned int counts[] = { 1, 2, 8, 64 };

	for (unsigned int c = 0; c < 4; c++) {
		unsigned int n = counts[c];

		UNIT_CHECK(build(n) > 0);
		memset(&info, 0, sizeof(info));
		UNIT_CHECK(acpi_parse(BASE, map, &info) == 0);
		UNIT_CHECK(info.valid && info.xsdt && info.revision == 2);
		UNIT_CHECK(info.tables_bad == 0);
		UNIT_CHECK(info.have_madt && info.ncpus == n);
		for (unsigned int i = 0; i < info.ncpus; i++)
			UNIT_CHECK(info.cpus[i].apic_id == i &&
				   !info.cpus[i].x2apic);
	}
	UNIT_CHECK(info.lapic_addr == VPLAT_LAPIC_BASE && info.pcat_compat);
	UNIT_CHECK(info.nioapics == 1 &&
		   info.ioapics[0].addr == VPLAT_IOAPIC_BASE &&
		   info.ioapics[0].gsi_base == 0);
	UNIT_CHECK(info.noverrides == 2);
	UNIT_CHECK(info.overrides[0].isa_irq == 0 &&
		   info.overrides[0].gsi == 2);
	UNIT_CHECK(info.overrides[1].isa_irq == 9 &&
		   info.overrides[1].gsi == 9 &&
		   info.overrides[1].flags == 0xd);
	UNIT_CHECK(info.nnmis == 1 && info.nmis[0].lint == 1);
	UNIT_CHECK(info.have_fadt && info.fadt_rev == 6 && !info.hw_reduced);
	UNIT_CHECK(info.sci_irq == VPLAT_SCI_IRQ && info.smi_cmd == 0);
	UNIT_CHECK(info.pm1a_cnt.space == ACPI_SPACE_IO &&
		   info.pm1a_cnt.addr == VPLAT_PM1_CNT);
	UNIT_CHECK(info.pm1a_evt.addr == VPLAT_PM1_EVT);
	UNIT_CHECK(info.pm_tmr.addr == VPLAT_PM_TMR && !info.pm_tmr_32bit);
	UNIT_CHECK(info.reset_supported &&
		   info.reset_reg.space == ACPI_SPACE_IO &&
		   info.reset_reg.addr == VPLAT_RESET_PORT &&
		   info.reset_value == VPLAT_RESET_VALUE);
	UNIT_CHECK(info.iapc_boot_arch == 0x7); /* legacy, 8042, no VGA */
	UNIT_CHECK(info.have_s5 && info.s5_typ_a == VPLAT_S5_SLP_TYP &&
		   info.s5_typ_b == VPLAT_S5_SLP_TYP);
	UNIT_CHECK(info.nmcfg == 1 && info.mcfg[0].base == VPLAT_ECAM_BASE &&
		   info.mcfg[0].bus_start == 0 && info.mcfg[0].bus_end == 0);
}

UNIT_TEST(bad_configs)
{
	struct vplat_config cfg = { .vcpus = 0 };
	static uint8_t small[256];

	UNIT_CHECK(vacpi_build_buf(mem, sizeof(mem), BASE, &cfg) == -EINVAL);
	cfg.vcpus = VM_MAX_VCPUS + 1;
	UNIT_CHECK(vacpi_build_buf(mem, sizeof(mem), BASE, &cfg) == -EINVAL);
	cfg.vcpus = 1;
	UNIT_CHECK(vacpi_build_buf(small, sizeof(small), BASE, &cfg) ==
		   -ENOSPC);
	/* vacpi_build writes the whole block at the RSDP address. */
	struct vm vm = { .id = 1 };
	cfg.vcpus = 2;
	UNIT_CHECK(vacpi_build(&vm, &cfg) == 0);
	UNIT_CHECK(wrote_gpa == VACPI_RSDP_GPA && wrote_len > 36 &&
		   !memcmp(mem, "RSD PTR ", 8));
}

UNIT_TEST(aml_pkglength)
{
	uint8_t buf[4200];
	struct vacpi_aml a;
	struct vacpi_aml_mark m;

	/* 63 bytes in all: one PkgLength byte. */
	vacpi_aml_init(&a, buf, sizeof(buf));
	m = vacpi_aml_package(&a, 0);
	for (int i = 0; i < 61; i++)
		vacpi_aml_byte(&a, 0);
	vacpi_aml_close(&a, m);
	UNIT_CHECK(a.len == 1 + 63 && buf[1] == 63 && buf[2] == 0);
	/* 64: two bytes, 0x40 | low nibble, then bits 11:4. */
	vacpi_aml_init(&a, buf, sizeof(buf));
	m = vacpi_aml_package(&a, 0);
	for (int i = 0; i < 61; i++)
		vacpi_aml_byte(&a, 0);
	vacpi_aml_close(&a, m);
	UNIT_CHECK(a.len == 64);
	vacpi_aml_init(&a, buf, sizeof(buf));
	m = vacpi_aml_package(&a, 0);
	for (int i = 0; i < 4097; i++)
		vacpi_aml_byte(&a, 0);
	vacpi_aml_close(&a, m);
	/* 4097 + count byte + 3 PkgLength bytes = 4101 = 0x1005. */
	UNIT_CHECK(buf[1] == (0x80 | 5) && buf[2] == 0x00 && buf[3] == 0x01);
	/* Buffer: PkgLength counts BufferSize's encoding. */
	vacpi_aml_init(&a, buf, sizeof(buf));
	m = vacpi_aml_buffer(&a);
	vacpi_aml_res_end(&a);
	vacpi_aml_close(&a, m);
	UNIT_CHECK(a.len == 6 && buf[0] == 0x11 && buf[1] == 5 &&
		   buf[2] == 0x0a && buf[3] == 2 && buf[4] == 0x79);
	/* EISAID("PNP0A08") is 0x080ad041. */
	vacpi_aml_init(&a, buf, sizeof(buf));
	vacpi_aml_eisaid(&a, "PNP0A08");
	UNIT_CHECK(a.len == 5 && get32(buf + 1) == 0x080ad041);
	/* Running out of room is reported, never written past. */
	vacpi_aml_init(&a, buf, 3);
	vacpi_aml_string(&a, "toolong");
	UNIT_CHECK(a.overflow);
}

/* Run @cmd, return its output (static buffer) and exit status. */
static const char *run(const char *cmd, int *status)
{
	static char out[1 << 20];
	size_t n = 0;
	FILE *f = popen(cmd, "r");

	out[0] = 0;
	if (!f) {
		*status = -1;
		return out;
	}
	while (n < sizeof(out) - 1) {
		size_t r = fread(out + n, 1, sizeof(out) - 1 - n, f);

		if (!r)
			break;
		n += r;
	}
	out[n] = 0;
	*status = pclose(f);
	return out;
}

static char tmpdir[] = "/tmp/test_vacpi.XXXXXX";

/* Disassemble table @sig (@t) with iasl; returns the .dsl text. */
static const char *disasm(const char *name, const uint8_t *t)
{
	char path[256], cmd[600];
	static char dsl[1 << 18];
	FILE *f;
	int st;
	const char *log;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.dat", tmpdir, name);
	f = fopen(path, "wb");
	fwrite(t, 1, get32(t + 4), f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat 2>&1", tmpdir,
		 name);
	log = run(cmd, &st);
	if (st != 0 || strstr(log, "Error") || strstr(log, "Warning") ||
	    strstr(log, "ncorrect"))
		printf("  iasl -d %s (status %d):\n%s\n", name, st, log);
	UNIT_CHECK(st == 0);
	UNIT_CHECK(!strstr(log, "Error") && !strstr(log, "ncorrect"));
	snprintf(path, sizeof(path), "%s/%s.dsl", tmpdir, name);
	f = fopen(path, "r");
	UNIT_CHECK(f != NULL);
	if (!f)
		return "";
	n = fread(dsl, 1, sizeof(dsl) - 1, f);
	dsl[n] = 0;
	fclose(f);
	return dsl;
}

static unsigned int count(const char *s, const char *what)
{
	unsigned int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

UNIT_TEST(iasl_disassembles_every_table)
{
	int st;
	const char *d;
	const uint8_t *fadt;

	run("iasl -v 2>&1", &st);
	if (st != 0) {
		UNIT_CHECK(
		    !"iasl not installed (Debian acpica-tools; tools/deps.sh)");
		return;
	}
	UNIT_CHECK(mkdtemp(tmpdir) != NULL);
	UNIT_CHECK(build(3) > 0);
	fadt = table("FACP");

	d = disasm("dsdt", map(get32(fadt + 40), 36));
	UNIT_CHECK(strstr(d, "Name (\\_S5, Package (0x04)") != NULL);
	UNIT_CHECK(strstr(d, "0x07,") != NULL);
	UNIT_CHECK(strstr(d, "Device (PCI0)") &&
		   strstr(d, "EisaId (\"PNP0A08\")") &&
		   strstr(d, "EisaId (\"PNP0A03\")"));
	UNIT_CHECK(strstr(d, "WordBusNumber (ResourceProducer") != NULL);
	UNIT_CHECK(strstr(d, "0x0CF7,") && strstr(d, "0x0D00,"));
	UNIT_CHECK(strstr(d, "DWordMemory (ResourceProducer") &&
		   strstr(d, "0xC0000000,") && strstr(d, "0xDFFFFFFF,"));
	UNIT_CHECK(strstr(d, "EisaId (\"PNP0C02\")") &&
		   strstr(d, "Memory32Fixed (ReadWrite,") &&
		   strstr(d, "0xE0000000,"));
	UNIT_CHECK(strstr(d, "EisaId (\"PNP0303\")") &&
		   strstr(d, "IRQNoFlags ()"));
	/* And it compiles back (the AML is well formed, not just printable). */
	{
		char cmd[300];
		const char *log;

		snprintf(cmd, sizeof(cmd),
			 "cd %s && iasl -p recompiled dsdt.dsl 2>&1", tmpdir);
		log = run(cmd, &st);
		if (st)
			printf("%s\n", log);
		UNIT_CHECK(st == 0);
	}

	d = disasm("madt", table("APIC"));
	UNIT_CHECK(count(d, "Subtable Type : 00 [Processor Local APIC]") == 3);
	UNIT_CHECK(count(d, "[I/O APIC]") == 1);
	UNIT_CHECK(count(d, "[Interrupt Source Override]") == 2);
	UNIT_CHECK(count(d, "[Local APIC NMI]") == 1);
	UNIT_CHECK(strstr(d, "PC-AT Compatibility : 1") != NULL);

	d = disasm("fadt", fadt);
	UNIT_CHECK(strstr(d, "SCI Interrupt : 0009") != NULL);
	UNIT_CHECK(strstr(d, "Reset Register Supported (V2) : 1") != NULL);
	UNIT_CHECK(strstr(d, "Hardware Reduced (V5) : 0") != NULL);
	UNIT_CHECK(strstr(d, "Address : 0000000000000CF9") != NULL);

	d = disasm("mcfg", table("MCFG"));
	UNIT_CHECK(strstr(d, "Base Address : 00000000E0000000") != NULL);

	d = disasm("facs", map(get32(fadt + 36), 64));
	UNIT_CHECK(strstr(d, "[FACS]") != NULL || strstr(d, "FACS") != NULL);

	d = disasm("xsdt", map(get32(mem + 24), 36));
	UNIT_CHECK(count(d, "ACPI Table Address") == 3);
	/* (iasl 20200925 does not take a bare RSDP; core/acpi.c checks it
	 * in what_an_os_parses.) */

	if (!getenv("KEEL_KEEP")) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		run(cmd, &st);
	} else {
		printf("  kept %s\n", tmpdir);
	}
}
