// SPDX-License-Identifier: MIT
/*
 * ACPI table parser (ACPI 6.4, chapter 5). Firmware tables are input, not
 * truth: every pointer is physical and goes through the caller's map
 * function, every length is checked before a byte behind it is read, every
 * checksum is verified, and a table that fails is skipped, logged and
 * counted in tables_bad. What survives is copied into struct acpi_info.
 *
 * Pure logic with no port or MSR access, so tests/unit/test_acpi.c runs it
 * on the host against synthetic tables. The kernel glue (initcall, summary
 * and self-tests) is core/acpi_boot.c; the \_S5_ scan is core/acpi_aml.c.
 */
#include "core/acpi.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"

#define ACPI_HDR_LEN 36
/* No real table comes near this; a larger length is corruption. */
#define ACPI_TABLE_MAX (16u << 20)
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36
#define ACPI_RSDP_MAX 1024

/* FADT Fixed Feature Flags (ACPI 6.4 table 5.10). */
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED (1u << 20)

struct acpi_ctx {
	acpi_map_fn map;
	struct acpi_info *out;
};

static uint16_t rd16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Signatures and OEM IDs are bytes from firmware: log them printable. */
static void acpi_printable(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"'
			     ? (char)src[i]
			     : '?';
	dst[n] = '\0';
}

static void acpi_bad(struct acpi_ctx *c)
{
	c->out->tables_bad++;
}

/*
 * Map the table at @phys, check its length (header included, at most
 * ACPI_TABLE_MAX) and checksum, and its signature when @sig is given.
 * Returns the whole table (*@len bytes) or NULL, after logging why.
 */
static const uint8_t *acpi_table(struct acpi_ctx *c, uint64_t phys,
				 const char *sig, uint32_t *len)
{
	const uint8_t *h = c->map(phys, ACPI_HDR_LEN);
	char name[5];

	if (!h) {
		log_warn("acpi: table at %#llx cannot be mapped; skipped",
			 (unsigned long long)phys);
		acpi_bad(c);
		return NULL;
	}
	acpi_printable(name, h, 4);
	if (sig && memcmp(h, sig, 4)) {
		log_warn("acpi: expected %s at %#llx, found \"%s\"; skipped",
			 sig, (unsigned long long)phys, name);
		acpi_bad(c);
		return NULL;
	}
	*len = rd32(h + 4);
	if (*len < ACPI_HDR_LEN || *len > ACPI_TABLE_MAX) {
		log_warn("acpi: %s at %#llx has length %u; skipped", name,
			 (unsigned long long)phys, *len);
		acpi_bad(c);
		return NULL;
	}
	const uint8_t *t = c->map(phys, *len);
	if (!t) {
		log_warn("acpi: %s at %#llx (%u bytes) cannot be mapped; "
			 "skipped",
			 name, (unsigned long long)phys, *len);
		acpi_bad(c);
		return NULL;
	}
	if (acpi_sum(t, *len)) {
		log_warn("acpi: %s at %#llx has a bad checksum; skipped", name,
			 (unsigned long long)phys);
		acpi_bad(c);
		return NULL;
	}
	return t;
}

/* --- MADT (5.2.12) ------------------------------------------------------ */

static void acpi_madt_cpu(struct acpi_info *o, uint32_t apic_id, uint32_t uid,
			  uint32_t flags, bool x2apic)
{
	bool enabled = flags & 1;
	/* Online Capable only means something when Enabled is clear. */
	bool online_capable = !enabled && (flags & 2);

	if (!enabled && !online_capable)
		return;
	/* 0xff is the xAPIC broadcast ID, ~0 the x2APIC one: not a CPU. */
	if (apic_id == (x2apic ? 0xffffffffu : 0xffu)) {
		log_warn("acpi: MADT: CPU with broadcast APIC ID %#x ignored",
			 apic_id);
		return;
	}
	for (unsigned int i = 0; i < o->ncpus; i++) {
		if (o->cpus[i].apic_id == apic_id) {
			log_warn("acpi: MADT: duplicate APIC ID %u ignored",
				 apic_id);
			return;
		}
	}
	if (o->ncpus == ACPI_MAX_CPUS) {
		o->cpus_dropped++;
		return;
	}
	o->cpus[o->ncpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.acpi_uid = uid,
		.x2apic = x2apic,
		.online_capable = online_capable,
	};
}

static void acpi_madt_nmi(struct acpi_info *o, uint32_t uid, uint8_t lint,
			  uint16_t flags)
{
	if (lint > 1) {
		log_warn("acpi: MADT: NMI on LINT%u ignored", lint);
		return;
	}
	if (o->nnmis == ACPI_MAX_NMIS) {
		log_warn("acpi: MADT: more than %u LAPIC NMI entries; "
			 "UID %u ignored",
			 ACPI_MAX_NMIS, uid);
		return;
	}
	o->nmis[o->nnmis++] = (struct acpi_lapic_nmi){
		.acpi_uid = uid,
		.lint = lint,
		.flags = flags,
	};
}

/* Minimum length of each entry type we read (5.2.12.2 onwards). */
static const uint8_t acpi_madt_min_len[] = {
	[0] = 8, [1] = 12, [2] = 10, [4] = 6, [5] = 12, [9] = 16, [0xa] = 12,
};

static void acpi_madt(struct acpi_ctx *c, const uint8_t *t, uint32_t len)
{
	struct acpi_info *o = c->out;
	bool damaged = false;
	uint32_t off;

	if (len < 44) {
		log_warn("acpi: MADT too short (%u bytes); skipped", len);
		acpi_bad(c);
		return;
	}
	o->have_madt = true;
	o->lapic_addr = rd32(t + 36);
	o->pcat_compat = rd32(t + 40) & 1;

	for (off = 44; off < len; off += t[off + 1]) {
		const uint8_t *e = t + off;
		uint8_t type, elen;

		if (len - off < 2 || e[1] < 2 || e[1] > len - off) {
			/* Entries cannot be walked past this point. */
			log_warn("acpi: MADT entry at offset %u has a bad "
				 "length; rest of the MADT ignored",
				 off);
			damaged = true;
			break;
		}
		type = e[0];
		elen = e[1];
		if (type < sizeof(acpi_madt_min_len) &&
		    elen < acpi_madt_min_len[type]) {
			log_warn("acpi: MADT entry type %u at offset %u too "
				 "short (%u bytes); ignored",
				 type, off, elen);
			damaged = true;
			continue;
		}
		switch (type) {
		case 0: /* Processor Local APIC */
			acpi_madt_cpu(o, e[3], e[2], rd32(e + 4), false);
			break;
		case 1: /* I/O APIC */
			if (o->nioapics == ACPI_MAX_IOAPICS) {
				log_warn("acpi: MADT: more than %u IOAPICs; "
					 "IOAPIC %u ignored",
					 ACPI_MAX_IOAPICS, e[2]);
				break;
			}
			o->ioapics[o->nioapics++] = (struct acpi_ioapic){
				.id = e[2],
				.addr = rd32(e + 4),
				.gsi_base = rd32(e + 8),
			};
			break;
		case 2: /* Interrupt Source Override: only ISA (bus 0) */
			if (e[2] != 0 || e[3] > 15) {
				log_warn("acpi: MADT: override of bus %u "
					 "IRQ %u ignored",
					 e[2], e[3]);
				break;
			}
			if (o->noverrides == ACPI_MAX_OVERRIDES) {
				log_warn("acpi: MADT: too many overrides; "
					 "IRQ %u ignored",
					 e[3]);
				break;
			}
			o->overrides[o->noverrides++] = (struct acpi_override){
				.isa_irq = e[3],
				.gsi = rd32(e + 4),
				.flags = rd16(e + 8),
			};
			break;
		case 4: /* Local APIC NMI; UID 0xff means all processors */
			acpi_madt_nmi(o, e[2] == 0xff ? 0xffffffffu : e[2],
				      e[5], rd16(e + 3));
			break;
		case 5: /* Local APIC Address Override: the 64-bit base */
			o->lapic_addr = rd64(e + 4);
			break;
		case 9: /* Processor Local x2APIC */
			acpi_madt_cpu(o, rd32(e + 4), rd32(e + 12), rd32(e + 8),
				      true);
			break;
		case 0xa: /* Local x2APIC NMI */
			acpi_madt_nmi(o, rd32(e + 4), e[8], rd16(e + 2));
			break;
		default: /* SAPIC, GIC, ...: not on x86-64 servers */
			break;
		}
	}
	if (o->cpus_dropped)
		log_warn("acpi: MADT lists %u more CPUs than the %u Keel "
			 "supports; they stay offline",
			 o->cpus_dropped, ACPI_MAX_CPUS);
	if (damaged)
		acpi_bad(c);
}

/* --- FADT (5.2.9) and the DSDT --------------------------------------- */

/* Fields past the table's length read as zero, as in older revisions. */
static uint32_t fadt32(const uint8_t *t, uint32_t len, uint32_t off)
{
	return off + 4 <= len ? rd32(t + off) : 0;
}

static uint8_t fadt8(const uint8_t *t, uint32_t len, uint32_t off)
{
	return off < len ? t[off] : 0;
}

static void acpi_gas_at(const uint8_t *p, struct acpi_gas *g)
{
	*g = (struct acpi_gas){
		.space = p[0],
		.bit_width = p[1],
		.bit_offset = p[2],
		.access_size = p[3],
		.addr = rd64(p + 4),
	};
}

/*
 * A register block: the X_ GAS at @xoff when present and non-zero (5.2.9:
 * it then supersedes the 32-bit field), else the 32-bit I/O port at @off
 * with its length byte at @lenoff.
 */
static void acpi_fadt_block(const uint8_t *t, uint32_t len, uint32_t xoff,
			    uint32_t off, uint32_t lenoff, struct acpi_gas *g)
{
	uint8_t blen = fadt8(t, len, lenoff);

	memset(g, 0, sizeof(*g));
	if (xoff + 12 <= len && rd64(t + xoff + 4)) {
		acpi_gas_at(t + xoff, g);
		if (!g->bit_width) /* some firmware leaves it 0 */
			g->bit_width = blen * 8;
		return;
	}
	g->addr = fadt32(t, len, off);
	if (g->addr) {
		g->space = ACPI_SPACE_IO;
		g->bit_width = blen * 8;
	}
}

static void acpi_dsdt(struct acpi_ctx *c, uint64_t phys)
{
	struct acpi_info *o = c->out;
	const uint8_t *t;
	uint32_t len;
	int rc;

	if (!phys) {
		log_warn("acpi: FADT names no DSDT: power-off unavailable");
		return;
	}
	t = acpi_table(c, phys, "DSDT", &len);
	if (!t)
		return;
	rc = acpi_aml_find_s5(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN,
			      &o->s5_typ_a, &o->s5_typ_b);
	if (rc) {
		log_warn("acpi: DSDT: %s \\_S5_ package (%d): power-off "
			 "unavailable",
			 rc == -ENOENT ? "no" : "unusable", rc);
		return;
	}
	o->have_s5 = true;
}

static void acpi_fadt(struct acpi_ctx *c, const uint8_t *t, uint32_t len)
{
	struct acpi_info *o = c->out;
	uint32_t flags = fadt32(t, len, 112);
	uint64_t dsdt = 0;

	/* ACPI 1.0's FADT is 116 bytes; anything shorter is truncated. */
	if (len < 116)
		log_warn("acpi: FADT only %u bytes; missing fields read as 0",
			 len);
	o->have_fadt = true;
	o->fadt_rev = t[8];
	o->sci_irq = fadt32(t, len, 46) & 0xffff;
	o->smi_cmd = fadt32(t, len, 48);
	o->acpi_enable = fadt8(t, len, 52);
	acpi_fadt_block(t, len, 148, 56, 88, &o->pm1a_evt);
	acpi_fadt_block(t, len, 172, 64, 89, &o->pm1a_cnt);
	acpi_fadt_block(t, len, 184, 68, 89, &o->pm1b_cnt);
	acpi_fadt_block(t, len, 208, 76, 91, &o->pm_tmr);
	o->pm_tmr_32bit = flags & FADT_TMR_VAL_EXT;
	/* IAPC_BOOT_ARCH was reserved before ACPI 2.0 (FADT revision 3). */
	if (o->fadt_rev >= 3)
		o->iapc_boot_arch = fadt32(t, len, 109) & 0xffff;
	o->hw_reduced = flags & FADT_HW_REDUCED;
	if (len >= 129) {
		acpi_gas_at(t + 116, &o->reset_reg);
		o->reset_value = t[128];
		o->reset_supported =
		    (flags & FADT_RESET_REG_SUP) && o->reset_reg.addr;
	}
	if (len >= 256)
		acpi_gas_at(t + 244, &o->sleep_ctl);

	/* 5.2.9: X_DSDT, when non-zero, is used instead of DSDT. */
	if (len >= 148)
		dsdt = rd64(t + 140);
	if (!dsdt)
		dsdt = fadt32(t, len, 40);
	acpi_dsdt(c, dsdt);
}

/* --- MCFG (PCI Firmware 3.0, 4.1.2) and HPET (IA-PC HPET 1.0a, 3.2.4) --- */

static void acpi_mcfg(struct acpi_ctx *c, const uint8_t *t, uint32_t len)
{
	struct acpi_info *o = c->out;
	bool damaged = len < 44 || (len - 44) % 16;

	for (uint32_t off = 44; off + 16 <= len; off += 16) {
		const uint8_t *e = t + off;
		uint64_t base = rd64(e);
		uint16_t seg = rd16(e + 8);

		if (!base || e[10] > e[11]) {
			log_warn("acpi: MCFG: segment %u buses %u-%u at "
				 "%#llx ignored",
				 seg, e[10], e[11], (unsigned long long)base);
			damaged = true;
			continue;
		}
		if (o->nmcfg == ACPI_MAX_MCFG) {
			log_warn("acpi: MCFG: more than %u windows; segment "
				 "%u ignored",
				 ACPI_MAX_MCFG, seg);
			continue;
		}
		o->mcfg[o->nmcfg++] = (struct acpi_mcfg){
			.base = base,
			.segment = seg,
			.bus_start = e[10],
			.bus_end = e[11],
		};
	}
	if (damaged) {
		log_warn("acpi: MCFG layout is damaged (%u bytes)", len);
		acpi_bad(c);
	}
}

static void acpi_hpet(struct acpi_ctx *c, const uint8_t *t, uint32_t len)
{
	struct acpi_gas g;

	if (len < 56) {
		log_warn("acpi: HPET table too short (%u bytes); skipped", len);
		acpi_bad(c);
		return;
	}
	acpi_gas_at(t + 40, &g);
	if (g.space != ACPI_SPACE_MEMORY || !g.addr) {
		log_warn("acpi: HPET in space %u at %#llx ignored", g.space,
			 (unsigned long long)g.addr);
		acpi_bad(c);
		return;
	}
	c->out->have_hpet = true;
	c->out->hpet_addr = g.addr;
}

/* --- RSDP (5.2.5) and the RSDT/XSDT (5.2.7, 5.2.8) ------------------------ */

/* The first valid table of a kind wins; a second one is a firmware bug. */
static bool acpi_first(const char *sig, bool seen, uint64_t phys)
{
	if (seen)
		log_warn("acpi: second %s at %#llx ignored", sig,
			 (unsigned long long)phys);
	return !seen;
}

static void acpi_one_table(struct acpi_ctx *c, uint64_t phys)
{
	struct acpi_info *o = c->out;
	uint32_t len;
	const uint8_t *t = acpi_table(c, phys, NULL, &len);

	if (!t)
		return;
	if (!memcmp(t, "APIC", 4)) {
		if (acpi_first("MADT", o->have_madt, phys))
			acpi_madt(c, t, len);
	} else if (!memcmp(t, "FACP", 4)) {
		if (acpi_first("FADT", o->have_fadt, phys))
			acpi_fadt(c, t, len);
	} else if (!memcmp(t, "MCFG", 4)) {
		if (acpi_first("MCFG", o->nmcfg, phys))
			acpi_mcfg(c, t, len);
	} else if (!memcmp(t, "HPET", 4)) {
		/* One HPET table per timer block; Keel uses the first. */
		if (acpi_first("HPET", o->have_hpet, phys))
			acpi_hpet(c, t, len);
	}
}

static int acpi_root(struct acpi_ctx *c, uint64_t rsdt, uint64_t xsdt)
{
	const uint8_t *t = NULL;
	uint32_t len, esz = 8;

	/* 5.2.7: a 2.0+ OS uses the XSDT when there is one. */
	if (xsdt) {
		t = acpi_table(c, xsdt, "XSDT", &len);
		if (!t && rsdt)
			log_warn("acpi: XSDT unusable, falling back to the "
				 "RSDT");
	}
	if (!t && rsdt) {
		t = acpi_table(c, rsdt, "RSDT", &len);
		esz = 4;
	}
	if (!t)
		return -ENOENT;
	c->out->valid = true;
	c->out->xsdt = esz == 8;
	c->out->ntables = (len - ACPI_HDR_LEN) / esz;
	if ((len - ACPI_HDR_LEN) % esz) {
		log_warn("acpi: %s length %u is not a whole number of "
			 "entries",
			 esz == 8 ? "XSDT" : "RSDT", len);
		acpi_bad(c);
	}
	for (unsigned int i = 0; i < c->out->ntables; i++) {
		const uint8_t *e = t + ACPI_HDR_LEN + i * esz;
		uint64_t phys = esz == 8 ? rd64(e) : rd32(e);

		if (phys)
			acpi_one_table(c, phys);
	}
	return 0;
}

/*
 * Check the RSDP in @r (@avail bytes readable) and parse what it points
 * to. A bad extended checksum only loses the XSDT: the 1.0 part, which
 * has its own checksum, still gives the RSDT.
 */
static int acpi_from_rsdp(struct acpi_ctx *c, const uint8_t *r, size_t avail)
{
	struct acpi_info *o = c->out;
	uint64_t xsdt = 0;

	if (avail < ACPI_RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) ||
	    acpi_sum(r, ACPI_RSDP_V1_LEN))
		return -ENOENT;
	o->revision = r[15];
	acpi_printable(o->oem_id, r + 9, 6);
	if (o->revision >= 2) {
		uint32_t len = avail >= ACPI_RSDP_V2_LEN ? rd32(r + 20) : 0;

		if (len < ACPI_RSDP_V2_LEN || len > avail || acpi_sum(r, len)) {
			log_warn("acpi: RSDP 2.0 extended part is bad "
				 "(length %u); using the RSDT",
				 len);
			acpi_bad(c);
		} else {
			xsdt = rd64(r + 24);
		}
	}
	return acpi_root(c, rd32(r + 16), xsdt);
}

static int acpi_rsdp_at(struct acpi_ctx *c, uint64_t phys)
{
	const uint8_t *r = c->map(phys, ACPI_RSDP_V1_LEN);
	size_t avail = ACPI_RSDP_V1_LEN;

	if (!r || memcmp(r, "RSD PTR ", 8) || acpi_sum(r, ACPI_RSDP_V1_LEN))
		return -ENOENT;
	if (r[15] >= 2) {
		const uint8_t *r2 = c->map(phys, ACPI_RSDP_V2_LEN);
		uint32_t len = r2 ? rd32(r2 + 20) : 0;

		if (len >= ACPI_RSDP_V2_LEN && len <= ACPI_RSDP_MAX &&
		    (r2 = c->map(phys, len))) {
			r = r2;
			avail = len;
		}
	}
	return acpi_from_rsdp(c, r, avail);
}

/* 5.2.5.1: on a 16-byte boundary in the first KiB of the EBDA or the BIOS
 * ROM area. Returns the first candidate with a valid 1.0 checksum. */
static int acpi_scan(struct acpi_ctx *c, uint64_t base, uint32_t len)
{
	const uint8_t *p = c->map(base, len);

	if (!p)
		return -ENOENT;
	for (uint32_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		if (memcmp(p + off, "RSD PTR ", 8) ||
		    acpi_sum(p + off, ACPI_RSDP_V1_LEN))
			continue;
		log_info("acpi: RSDP found at %#llx",
			 (unsigned long long)(base + off));
		return acpi_rsdp_at(c, base + off);
	}
	return -ENOENT;
}

static int acpi_legacy_scan(struct acpi_ctx *c)
{
	const uint8_t *bda = c->map(0x40e, 2);
	uint64_t ebda = bda ? (uint64_t)rd16(bda) << 4 : 0;

	/* Only a plausible EBDA: above the BDA, below the VGA hole. */
	if (ebda >= 0x500 && ebda + 1024 <= 0xa0000 &&
	    acpi_scan(c, ebda, 1024) == 0)
		return 0;
	return acpi_scan(c, 0xe0000, 0x20000);
}

int acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_info *out)
{
	struct acpi_ctx c = { .map = map, .out = out };

	memset(out, 0, sizeof(*out));
	return rsdp_phys ? acpi_rsdp_at(&c, rsdp_phys) : acpi_legacy_scan(&c);
}

int acpi_parse_rsdp_copy(const void *rsdp, size_t len, acpi_map_fn map,
			 struct acpi_info *out)
{
	struct acpi_ctx c = { .map = map, .out = out };

	memset(out, 0, sizeof(*out));
	return acpi_from_rsdp(&c, rsdp, len);
}
