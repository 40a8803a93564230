// SPDX-License-Identifier: MIT
/*
 * ACPI table parsing against synthetic firmware tables, including what
 * broken or hostile firmware could hand us: bad checksums and lengths,
 * tables past the end of memory, odd MADTs, every FADT generation, and a
 * DSDT whose \_S5_ package is cut short (the AML encodings themselves are
 * in test_acpi_aml.c).
 * UNIT_SRCS: core/acpi.c core/acpi_aml.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/acpi_fake.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fake.h"
#include "core/acpi.h"
#include "core/log.h"
#include "unit.h"

static struct acpi_info info;
static int warnings;

static void count_sink(enum log_level level, const char *s, size_t n)
{
	if (level <= LOG_WARN)
		warnings++;
}
static struct log_sink sink = { .name = "test", .write_line = count_sink };

static void start(void)
{
	static int sink_added;

	if (!sink_added++)
		log_add_sink(&sink);
	warnings = 0;
	fake_reset();
}

/* --- table builders ------------------------------------------------------- */

/* \_S5_ = Package () { 5, 5, 0, 0 } behind a Scope and a Method. */
static const uint8_t aml_s5_55[] = {
	0x10, 0x04, 0x5c, 0x00, 0xa3,			/* Scope (\) { Noop } */
	0x14, 0x07, 'M',  'T',	'H',  '0',  0x00, 0xa3, /* Method */
	0x08, 0x5c, '_',  'S',	'5',  '_',  0x12, 0x08,
	0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
};

static uint64_t madt_basic(void)
{
	struct tbuf t;

	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 1); /* PCAT_COMPAT */
	for (uint8_t id = 0; id < 2; id++) {
		const uint8_t cpu[] = { 0, 8, id, id, 1, 0, 0, 0 };
		tb_bytes(&t, cpu, sizeof(cpu));
	}
	const uint8_t ioapic[] = { 1, 12, 2, 0 };
	tb_bytes(&t, ioapic, 4);
	tb_u32(&t, 0xfec00000);
	tb_u32(&t, 0);
	const uint8_t iso[] = { 2, 10, 0, 0 };
	tb_bytes(&t, iso, 4);
	tb_u32(&t, 2);
	tb_u16(&t, 0);
	return fake_table("APIC", 3, &t);
}

/* A FADT of @len bytes; the fields are filled in by the caller. */
struct fadt {
	uint8_t b[276];
	uint32_t len;
};

static void fadt_init(struct fadt *f, uint32_t len)
{
	memset(f, 0, sizeof(*f));
	f->len = len;
}

static void fadt_put(struct fadt *f, uint32_t off, uint64_t v, int size)
{
	memcpy(f->b + off, &v, size);
}

static void fadt_gas(struct fadt *f, uint32_t off, uint8_t space, uint8_t width,
		     uint64_t addr)
{
	f->b[off] = space;
	f->b[off + 1] = width;
	memcpy(f->b + off + 4, &addr, 8);
}

static uint64_t fadt_place(const struct fadt *f, uint8_t rev)
{
	struct tbuf t;

	tb_init(&t);
	tb_bytes(&t, f->b + 36, f->len - 36);
	return fake_table("FACP", rev, &t);
}

/* ACPI 1.0: 116 bytes, 32-bit blocks only, IAPC_BOOT_ARCH reserved. */
static uint64_t fadt_rev1(uint32_t dsdt)
{
	struct fadt f;

	fadt_init(&f, 116);
	fadt_put(&f, 40, dsdt, 4);
	fadt_put(&f, 46, 9, 2);	    /* SCI */
	fadt_put(&f, 48, 0xb2, 4);  /* SMI_CMD */
	fadt_put(&f, 52, 0xf1, 1);  /* ACPI_ENABLE */
	fadt_put(&f, 56, 0x600, 4); /* PM1a_EVT */
	fadt_put(&f, 64, 0x604, 4); /* PM1a_CNT */
	fadt_put(&f, 76, 0x608, 4); /* PM_TMR */
	fadt_put(&f, 88, 4, 1);
	fadt_put(&f, 89, 2, 1);
	fadt_put(&f, 91, 4, 1);
	fadt_put(&f, 109, 3, 2);     /* must be ignored in rev 1 */
	fadt_put(&f, 112, 0x4a5, 4); /* RESET_REG_SUP, but no room for it */
	return fadt_place(&f, 1);
}

static void boot_rsdt(const uint64_t *tables, unsigned int n)
{
	fake_rsdp(0xe0040, 0, (uint32_t)fake_rsdt(tables, n), 0);
}

/* --- RSDP and root tables ------------------------------------------------- */

UNIT_TEST(acpi_rsdp_v1_legacy_scan)
{
	start();
	uint64_t dsdt = fake_dsdt(aml_s5_55, sizeof(aml_s5_55));
	uint64_t tables[] = { madt_basic(), fadt_rev1((uint32_t)dsdt) };
	boot_rsdt(tables, 2);

	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.valid && info.revision == 0 && !info.xsdt);
	UNIT_CHECK_STR(info.oem_id, "KEELT ");
	UNIT_CHECK(info.ntables == 2 && info.tables_bad == 0);
	UNIT_CHECK(info.have_madt && info.ncpus == 2 && info.nioapics == 1);
	UNIT_CHECK(info.pcat_compat && info.lapic_addr == 0xfee00000);
	UNIT_CHECK(info.noverrides == 1 && info.overrides[0].gsi == 2);
	UNIT_CHECK(info.have_fadt && info.have_s5);
	UNIT_CHECK(info.s5_typ_a == 5 && info.s5_typ_b == 5);
	UNIT_CHECK(warnings == 0);
}

UNIT_TEST(acpi_rsdp_in_ebda_and_bad_candidates_skipped)
{
	start();
	uint64_t tables[] = { madt_basic() };
	uint32_t rsdt = (uint32_t)fake_rsdt(tables, 1);

	fake_mem[0x40e] = 0x00, fake_mem[0x40f] = 0x9f; /* EBDA 0x9f000 */
	fake_rsdp(0x9f010, 0, rsdt, 0);
	fake_mem[0x9f018]++; /* bad checksum: not an RSDP */
	fake_rsdp(0x9f100, 0, rsdt, 0);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0 && info.have_madt);

	/* Not on a 16-byte boundary: not found. */
	start();
	tables[0] = madt_basic();
	rsdt = (uint32_t)fake_rsdt(tables, 1);
	fake_rsdp(0xe0008, 0, rsdt, 0);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == -ENOENT && !info.valid);
}

UNIT_TEST(acpi_rsdp_bad_checksum)
{
	start();
	uint64_t tables[] = { madt_basic() };
	fake_rsdp(0xe0040, 0, (uint32_t)fake_rsdt(tables, 1), 0);
	fake_mem[0xe0040 + 16] ^= 1;

	UNIT_CHECK(acpi_parse(0xe0040, fake_map, &info) == -ENOENT);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == -ENOENT);
	UNIT_CHECK(!info.valid && !info.have_madt);
	/* An RSDP address outside memory. */
	UNIT_CHECK(acpi_parse(0xfffffffff0ull, fake_map, &info) == -ENOENT);
}

UNIT_TEST(acpi_xsdt_preferred_over_rsdt)
{
	start();
	uint64_t old[] = { madt_basic() };
	uint32_t rsdt = (uint32_t)fake_rsdt(old, 1);
	struct tbuf t;
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	const uint8_t x2[] = { 9, 16, 0, 0 };
	tb_bytes(&t, x2, 4);
	tb_u32(&t, 7); /* x2APIC ID */
	tb_u32(&t, 1);
	tb_u32(&t, 70); /* UID */
	uint64_t tables[] = { fake_table("APIC", 5, &t) };
	uint64_t xsdt = fake_xsdt(tables, 1);
	fake_rsdp(0xe0040, 2, rsdt, xsdt);

	UNIT_CHECK(acpi_parse(0xe0040, fake_map, &info) == 0);
	UNIT_CHECK(info.revision == 2 && info.xsdt && info.ntables == 1);
	UNIT_CHECK(info.ncpus == 1 && info.cpus[0].apic_id == 7 &&
		   info.cpus[0].acpi_uid == 70 && info.cpus[0].x2apic);

	/* A corrupt XSDT: back to the RSDT, with a warning and a count. */
	fake_break_checksum(xsdt);
	UNIT_CHECK(acpi_parse(0xe0040, fake_map, &info) == 0);
	UNIT_CHECK(!info.xsdt && info.ncpus == 2 && info.tables_bad == 1);

	/* A bad extended checksum loses the XSDT the same way. */
	fake_fix_checksum(xsdt);
	fake_mem[0xe0040 + 32] ^= 0xff;
	UNIT_CHECK(acpi_parse(0xe0040, fake_map, &info) == 0);
	UNIT_CHECK(!info.xsdt && info.ncpus == 2 && info.tables_bad == 1);
}

UNIT_TEST(acpi_rsdp_copy_from_the_loader)
{
	start();
	uint64_t tables[] = { madt_basic() };
	uint64_t xsdt = fake_xsdt(tables, 1);
	fake_rsdp(0x2000, 2, 0, xsdt);
	uint8_t copy[36];
	memcpy(copy, fake_mem + 0x2000, 36);

	UNIT_CHECK(acpi_parse_rsdp_copy(copy, 36, fake_map, &info) == 0);
	UNIT_CHECK(info.xsdt && info.have_madt);
	/* A 2.0 RSDP of which the loader copied only 20 bytes: no XSDT. */
	UNIT_CHECK(acpi_parse_rsdp_copy(copy, 20, fake_map, &info) == -ENOENT);
	UNIT_CHECK(acpi_parse_rsdp_copy(copy, 8, fake_map, &info) == -ENOENT);
	copy[0] = 'X';
	UNIT_CHECK(acpi_parse_rsdp_copy(copy, 36, fake_map, &info) == -ENOENT);
}

/* --- damaged tables ------------------------------------------------------- */

UNIT_TEST(acpi_bad_checksum_table_skipped)
{
	start();
	uint64_t madt = madt_basic();
	uint64_t tables[] = { madt, fadt_rev1(0) };
	fake_break_checksum(madt);
	boot_rsdt(tables, 2);

	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(!info.have_madt && info.ncpus == 0);
	UNIT_CHECK(info.have_fadt && !info.have_s5); /* and no DSDT at all */
	UNIT_CHECK(info.tables_bad == 1 && warnings >= 2);
}

UNIT_TEST(acpi_truncated_and_oversized_tables)
{
	start();
	uint64_t shorter = madt_basic(), huge = madt_basic();
	uint64_t last = madt_basic();
	struct tbuf t;
	tb_init(&t);
	tb_u32(&t, 0xfee00000); /* no flags: 40 bytes, MADT needs 44 */
	uint64_t tiny = fake_table("APIC", 1, &t);
	fake_set_len(shorter, 20);
	fake_fix_checksum(shorter);
	fake_set_len(huge, 0xffffffffu);
	fake_fix_checksum(huge);
	/* A table whose length runs past the end of memory. */
	uint64_t edge = FAKE_MEM_SIZE - 64;
	memcpy(fake_mem + edge, fake_mem + last, 36);
	fake_set_len(edge, 200);
	fake_fix_checksum(edge);
	uint64_t tables[] = { shorter,		huge,	     tiny, edge, 0,
			      0x7ffff000000ull, fadt_rev1(0) };
	boot_rsdt(tables, 7);
	/* The RSDT's 32-bit entries cut the last-but-one address. */
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.ntables == 7 && !info.have_madt && info.have_fadt);
	UNIT_CHECK(info.tables_bad == 5);

	/* RSDT whose length is not a whole number of entries. */
	start();
	uint64_t one[] = { madt_basic() };
	uint64_t rsdt = fake_rsdt(one, 1);
	fake_set_len(rsdt, 36 + 4 + 2);
	fake_fix_checksum(rsdt);
	fake_rsdp(0xe0040, 0, (uint32_t)rsdt, 0);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.ntables == 1 && info.have_madt && info.tables_bad == 1);

	/* Root table length smaller than its header. */
	fake_set_len(rsdt, 30);
	fake_fix_checksum(rsdt);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == -ENOENT && !info.valid);
}

/* --- MADT ----------------------------------------------------------------- */

static void madt_cpu(struct tbuf *t, uint8_t uid, uint8_t id, uint32_t fl)
{
	const uint8_t e[] = { 0, 8, uid, id };
	tb_bytes(t, e, 4);
	tb_u32(t, fl);
}

static void madt_x2(struct tbuf *t, uint32_t id, uint32_t fl, uint32_t uid)
{
	const uint8_t e[] = { 9, 16, 0, 0 };
	tb_bytes(t, e, 4);
	tb_u32(t, id);
	tb_u32(t, fl);
	tb_u32(t, uid);
}

static int parse_madt(const struct tbuf *t)
{
	uint64_t tables[] = { fake_table("APIC", 5, t) };
	boot_rsdt(tables, 1);
	return acpi_parse(0, fake_map, &info);
}

UNIT_TEST(acpi_madt_x2apic_disabled_and_duplicates)
{
	struct tbuf t;

	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	madt_cpu(&t, 0, 0, 1);		/* enabled */
	madt_cpu(&t, 1, 1, 0);		/* disabled: not a CPU */
	madt_cpu(&t, 2, 2, 2);		/* online capable */
	madt_cpu(&t, 3, 0, 1);		/* duplicate ID 0 */
	madt_cpu(&t, 4, 0xff, 1);	/* broadcast ID */
	madt_x2(&t, 0x100, 1, 0x100);	/* x2APIC beyond 8 bits */
	madt_x2(&t, 2, 1, 9);		/* duplicate of a type-0 entry */
	madt_x2(&t, 0xffffffff, 1, 10); /* broadcast */
	madt_x2(&t, 0x200, 3, 11);	/* enabled: online-capable ignored */

	UNIT_CHECK(parse_madt(&t) == 0);
	UNIT_CHECK(info.ncpus == 4 && info.cpus_dropped == 0);
	UNIT_CHECK(info.cpus[0].apic_id == 0 && !info.cpus[0].x2apic &&
		   !info.cpus[0].online_capable);
	UNIT_CHECK(info.cpus[1].apic_id == 2 && info.cpus[1].online_capable);
	UNIT_CHECK(info.cpus[2].apic_id == 0x100 && info.cpus[2].x2apic &&
		   info.cpus[2].acpi_uid == 0x100);
	UNIT_CHECK(info.cpus[3].apic_id == 0x200 &&
		   !info.cpus[3].online_capable);
	UNIT_CHECK(warnings == 4 && info.tables_bad == 0);
}

UNIT_TEST(acpi_madt_more_cpus_than_supported)
{
	struct tbuf t;

	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	for (uint32_t i = 0; i < 300; i++)
		madt_x2(&t, i * 2, 1, i);
	UNIT_CHECK(parse_madt(&t) == 0);
	UNIT_CHECK(info.ncpus == ACPI_MAX_CPUS && info.cpus_dropped == 44);
	UNIT_CHECK(info.cpus[255].apic_id == 510);
	UNIT_CHECK(warnings == 1); /* one line, not 44 */
}

UNIT_TEST(acpi_madt_ioapics_overrides_nmis)
{
	struct tbuf t;

	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	madt_cpu(&t, 0, 0, 1);
	for (uint8_t i = 0; i < 2; i++) {
		const uint8_t io[] = { 1, 12, (uint8_t)(8 + i), 0 };
		tb_bytes(&t, io, 4);
		tb_u32(&t, 0xfec00000 + i * 0x1000);
		tb_u32(&t, i * 24);
	}
	for (uint8_t irq = 0; irq < 34; irq++) { /* 16 valid, then junk */
		const uint8_t iso[] = { 2, 10, 0, (uint8_t)(irq % 16) };
		tb_bytes(&t, iso, 4);
		tb_u32(&t, irq == 0 ? 2 : irq % 16);
		tb_u16(&t, irq == 9 ? 0xd : 0);
	}
	const uint8_t iso_pci[] = { 2, 10, 1, 5, 5, 0, 0, 0, 0, 0 };
	const uint8_t iso_high[] = { 2, 10, 0, 20, 20, 0, 0, 0, 0, 0 };
	tb_bytes(&t, iso_pci, 10);
	tb_bytes(&t, iso_high, 10);
	const uint8_t nmi_all[] = { 4, 6, 0xff, 5, 0, 1 };
	const uint8_t nmi_bad[] = { 4, 6, 0, 0, 0, 2 }; /* LINT2 */
	const uint8_t x2nmi[] = { 0xa, 12, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0 };
	tb_bytes(&t, nmi_all, 6);
	tb_bytes(&t, nmi_bad, 6);
	tb_bytes(&t, x2nmi, 12);
	const uint8_t ovr[] = { 5, 12, 0, 0 };
	tb_bytes(&t, ovr, 4);
	tb_u64(&t, 0x1fee00000ull);
	const uint8_t unknown[] = { 0x7f, 3, 0 };
	tb_bytes(&t, unknown, 3);

	UNIT_CHECK(parse_madt(&t) == 0);
	UNIT_CHECK(info.nioapics == 2 && info.ioapics[1].id == 9 &&
		   info.ioapics[1].addr == 0xfec01000 &&
		   info.ioapics[1].gsi_base == 24);
	UNIT_CHECK(info.noverrides == ACPI_MAX_OVERRIDES);
	UNIT_CHECK(info.overrides[0].isa_irq == 0 &&
		   info.overrides[0].gsi == 2);
	UNIT_CHECK(info.overrides[9].flags == 0xd);
	UNIT_CHECK(info.nnmis == 2);
	UNIT_CHECK(info.nmis[0].acpi_uid == 0xffffffffu &&
		   info.nmis[0].lint == 1 && info.nmis[0].flags == 5);
	UNIT_CHECK(info.nmis[1].acpi_uid == 7 && info.nmis[1].lint == 0 &&
		   info.nmis[1].flags == 5);
	UNIT_CHECK(info.lapic_addr == 0x1fee00000ull);
	UNIT_CHECK(info.tables_bad == 0);
}

UNIT_TEST(acpi_madt_bad_entries)
{
	struct tbuf t;

	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	madt_cpu(&t, 0, 0, 1);
	const uint8_t short_cpu[] = { 0, 4, 1, 1 }; /* too short: skipped */
	tb_bytes(&t, short_cpu, 4);
	madt_cpu(&t, 2, 2, 1);
	const uint8_t zero_len[] = { 1, 0 }; /* cannot go on from here */
	tb_bytes(&t, zero_len, 2);
	madt_cpu(&t, 3, 3, 1);
	UNIT_CHECK(parse_madt(&t) == 0);
	UNIT_CHECK(info.have_madt && info.ncpus == 2 && info.tables_bad == 1);

	/* An entry whose length runs past the table. */
	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	madt_cpu(&t, 0, 0, 1);
	const uint8_t past[] = { 1, 12, 0, 0, 0, 0 };
	tb_bytes(&t, past, sizeof(past));
	UNIT_CHECK(parse_madt(&t) == 0);
	UNIT_CHECK(info.ncpus == 1 && info.nioapics == 0 &&
		   info.tables_bad == 1);
}

/* --- FADT and DSDT -------------------------------------------------------- */

UNIT_TEST(acpi_fadt_revision_1)
{
	start();
	uint64_t dsdt = fake_dsdt(aml_s5_55, sizeof(aml_s5_55));
	uint64_t tables[] = { fadt_rev1((uint32_t)dsdt) };
	boot_rsdt(tables, 1);

	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.have_fadt && info.fadt_rev == 1 && info.sci_irq == 9);
	UNIT_CHECK(info.smi_cmd == 0xb2 && info.acpi_enable == 0xf1);
	UNIT_CHECK(info.pm1a_cnt.space == ACPI_SPACE_IO &&
		   info.pm1a_cnt.addr == 0x604 &&
		   info.pm1a_cnt.bit_width == 16);
	UNIT_CHECK(info.pm1a_evt.addr == 0x600 &&
		   info.pm1a_evt.bit_width == 32);
	UNIT_CHECK(info.pm1b_cnt.addr == 0);
	UNIT_CHECK(info.pm_tmr.addr == 0x608 && info.pm_tmr.bit_width == 32);
	UNIT_CHECK(!info.pm_tmr_32bit);
	UNIT_CHECK(!info.reset_supported && info.iapc_boot_arch == 0);
	UNIT_CHECK(!info.hw_reduced && info.have_s5 && info.s5_typ_a == 5);
	UNIT_CHECK(warnings == 0);
}

UNIT_TEST(acpi_fadt_revision_6_uses_x_fields)
{
	static const uint8_t aml_s5_11[] = { 0x08, '_',	 'S',  '5',  '_',
					     0x12, 0x04, 0x02, 0x01, 0x01 };
	struct fadt f;

	start();
	uint64_t dsdt32 = fake_dsdt(aml_s5_11, sizeof(aml_s5_11));
	uint64_t xdsdt = fake_dsdt(aml_s5_55, sizeof(aml_s5_55));
	fadt_init(&f, 276);
	fadt_put(&f, 40, dsdt32, 4);
	fadt_put(&f, 64, 0x404, 4); /* superseded by X_PM1a_CNT */
	fadt_put(&f, 76, 0x408, 4);
	fadt_put(&f, 89, 2, 1);
	fadt_put(&f, 91, 4, 1);
	fadt_put(&f, 109, 3, 2);		      /* legacy devices, 8042 */
	fadt_put(&f, 112, (1u << 8) | (1u << 10), 4); /* TMR_VAL_EXT, RESET */
	fadt_gas(&f, 116, ACPI_SPACE_IO, 8, 0xcf9);
	fadt_put(&f, 128, 6, 1);
	fadt_put(&f, 140, xdsdt, 8);
	fadt_gas(&f, 172, ACPI_SPACE_MEMORY, 0, 0xfed80004); /* width 0 */
	fadt_gas(&f, 184, ACPI_SPACE_IO, 16, 0x1004);
	fadt_gas(&f, 208, ACPI_SPACE_IO, 32, 0x808);
	uint64_t tables[] = { fadt_place(&f, 6) };
	fake_rsdp(0xe0040, 2, 0, fake_xsdt(tables, 1));

	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.fadt_rev == 6 && info.iapc_boot_arch == 3);
	UNIT_CHECK(info.pm1a_cnt.space == ACPI_SPACE_MEMORY &&
		   info.pm1a_cnt.addr == 0xfed80004 &&
		   info.pm1a_cnt.bit_width == 16);
	UNIT_CHECK(info.pm1b_cnt.addr == 0x1004);
	UNIT_CHECK(info.pm_tmr.addr == 0x808 && info.pm_tmr_32bit);
	UNIT_CHECK(info.reset_supported && info.reset_reg.addr == 0xcf9 &&
		   info.reset_reg.space == ACPI_SPACE_IO &&
		   info.reset_value == 6);
	/* X_DSDT wins over DSDT. */
	UNIT_CHECK(info.have_s5 && info.s5_typ_a == 5 && info.s5_typ_b == 5);

	/* Reset register present but RESET_REG_SUP clear: not used. */
	start();
	fadt_put(&f, 112, 0, 4);
	fadt_put(&f, 140, 0, 8);
	fadt_put(&f, 40, fake_dsdt(aml_s5_11, sizeof(aml_s5_11)), 4);
	tables[0] = fadt_place(&f, 6);
	fake_rsdp(0xe0040, 2, 0, fake_xsdt(tables, 1));
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(!info.reset_supported && !info.pm_tmr_32bit);
	UNIT_CHECK(info.s5_typ_a == 1 && info.s5_typ_b == 1);
}

UNIT_TEST(acpi_fadt_hw_reduced_and_short)
{
	struct fadt f;

	start();
	fadt_init(&f, 276);
	fadt_put(&f, 112, 1u << 20, 4);
	fadt_gas(&f, 244, ACPI_SPACE_MEMORY, 8, 0xfe000000);
	uint64_t tables[] = { fadt_place(&f, 6) };
	boot_rsdt(tables, 1);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.hw_reduced && info.sleep_ctl.addr == 0xfe000000);
	UNIT_CHECK(!info.pm1a_cnt.addr && !info.have_s5);

	/* 60 bytes: what is there is used, the rest reads as absent. */
	start();
	fadt_init(&f, 60);
	fadt_put(&f, 48, 0xb2, 4);
	fadt_put(&f, 56, 0x400, 4);
	tables[0] = fadt_place(&f, 1);
	boot_rsdt(tables, 1);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.have_fadt && info.smi_cmd == 0xb2 &&
		   info.pm1a_evt.addr == 0x400 && !info.pm1a_cnt.addr);
}

UNIT_TEST(acpi_dsdt_truncated_package)
{
	/* The DSDT ends inside the \_S5_ package. */
	static const uint8_t aml[] = { 0x08, '_',  'S',	 '5',  '_',
				       0x12, 0x06, 0x04, 0x00, 0x00 };
	start();
	uint64_t dsdt = fake_dsdt(aml, sizeof(aml));
	uint64_t tables[] = { fadt_rev1((uint32_t)dsdt) };
	boot_rsdt(tables, 1);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.have_fadt && !info.have_s5 && warnings == 1);

	/* A DSDT pointer to something else. */
	start();
	tables[0] = fadt_rev1((uint32_t)madt_basic());
	boot_rsdt(tables, 1);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.have_fadt && !info.have_s5 && info.tables_bad == 1);
}

/* --- MCFG, HPET, duplicates ----------------------------------------------- */

static void mcfg_entry(struct tbuf *t, uint64_t base, uint16_t seg, uint8_t b0,
		       uint8_t b1)
{
	tb_u64(t, base);
	tb_u16(t, seg);
	tb_u8(t, b0);
	tb_u8(t, b1);
	tb_u32(t, 0);
}

UNIT_TEST(acpi_mcfg_two_segments_and_hpet)
{
	struct tbuf m, h, h2;

	start();
	tb_init(&m);
	tb_u64(&m, 0);
	mcfg_entry(&m, 0xb0000000, 0, 0, 255);
	mcfg_entry(&m, 0x4000000000ull, 1, 0, 63);
	mcfg_entry(&m, 0xc0000000, 2, 9, 3); /* end before start */
	tb_init(&h);
	tb_u32(&h, 0x8086a201);
	tb_gas(&h, ACPI_SPACE_MEMORY, 64, 0xfed00000);
	tb_u8(&h, 0);
	tb_u16(&h, 0x80);
	tb_u8(&h, 0);
	tb_init(&h2);
	tb_u32(&h2, 0x8086a201);
	tb_gas(&h2, ACPI_SPACE_MEMORY, 64, 0xfed01000);
	tb_u32(&h2, 0);
	uint64_t tables[] = { fake_table("MCFG", 1, &m),
			      fake_table("HPET", 1, &h),
			      fake_table("HPET", 1, &h2) };
	boot_rsdt(tables, 3);

	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.nmcfg == 2);
	UNIT_CHECK(info.mcfg[0].base == 0xb0000000 &&
		   info.mcfg[0].segment == 0 && info.mcfg[0].bus_end == 255);
	UNIT_CHECK(info.mcfg[1].base == 0x4000000000ull &&
		   info.mcfg[1].segment == 1 && info.mcfg[1].bus_end == 63);
	UNIT_CHECK(info.have_hpet && info.hpet_addr == 0xfed00000);
	UNIT_CHECK(info.tables_bad == 1);

	/* HPET in I/O space, or too short: ignored. */
	start();
	tb_init(&h);
	tb_u32(&h, 0);
	tb_gas(&h, ACPI_SPACE_IO, 8, 0x40);
	tb_u32(&h, 0);
	tb_init(&h2);
	tb_u32(&h2, 0);
	uint64_t bad[] = { fake_table("HPET", 1, &h),
			   fake_table("HPET", 1, &h2) };
	boot_rsdt(bad, 2);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(!info.have_hpet && info.tables_bad == 2);
}

UNIT_TEST(acpi_second_madt_ignored)
{
	struct tbuf t;

	start();
	tb_init(&t);
	tb_u32(&t, 0xfee00000);
	tb_u32(&t, 0);
	madt_cpu(&t, 0, 4, 1);
	uint64_t tables[] = { madt_basic(), fake_table("APIC", 1, &t) };
	boot_rsdt(tables, 2);
	UNIT_CHECK(acpi_parse(0, fake_map, &info) == 0);
	UNIT_CHECK(info.ncpus == 2 && info.cpus[1].apic_id == 1);
	UNIT_CHECK(warnings == 1);
}
