/* SPDX-License-Identifier: MIT */
/*
 * What Keel needs from the firmware's ACPI tables (ACPI 6.4 spec, chapter 5):
 * CPUs and interrupt controllers (MADT), power control (FADT and the DSDT's
 * \_S5 package), PCI ECAM windows (MCFG) and the HPET. Parsed once at boot
 * into plain data; the rest of the kernel never touches a raw table.
 */
#ifndef KEEL_CORE_ACPI_H
#define KEEL_CORE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_MCFG 16

/* Generic Address Structure (ACPI 6.4, 5.2.3.2). */
enum acpi_space { ACPI_SPACE_MEMORY = 0, ACPI_SPACE_IO = 1, ACPI_SPACE_PCI = 2 };
struct acpi_gas {
	uint8_t space; /* enum acpi_space */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t addr; /* 0: not present */
};

struct acpi_cpu {
	uint32_t apic_id;  /* (x2)APIC ID */
	uint32_t acpi_uid; /* processor UID */
	bool x2apic;	   /* from a type-9 (x2APIC) MADT entry */
	/*
	 * Not enabled now but may be hot-added (MADT flags Online Capable,
	 * ACPI 6.4 table 5.40): count it, do not start it.
	 */
	bool online_capable;
};

struct acpi_ioapic {
	uint32_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

/* Interrupt source override: ISA IRQ -> GSI with MPS INTI polarity/trigger. */
struct acpi_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags; /* bits 0-1 polarity, 2-3 trigger mode (5.2.12.5) */
};

struct acpi_lapic_nmi {
	uint32_t acpi_uid; /* 0xffffffff: all processors (type-4 0xff widened) */
	uint8_t lint;	   /* LINT0 or LINT1 */
	uint16_t flags;
};

struct acpi_mcfg {
	uint64_t base; /* ECAM base for bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_info {
	bool valid;	 /* an RSDP and an RSDT/XSDT were found */
	uint8_t revision; /* RSDP revision: 0 = ACPI 1.0, 2 = 2.0+ */
	char oem_id[7];
	bool xsdt;	      /* tables came from the XSDT (else the RSDT) */
	unsigned int ntables; /* entries in the RSDT/XSDT */

	/* MADT */
	bool have_madt;
	uint64_t lapic_addr;   /* xAPIC MMIO base (with the type-5 override) */
	bool pcat_compat;      /* a legacy 8259 pair is present (mask it) */
	struct acpi_cpu cpus[ACPI_MAX_CPUS]; /* enabled or online-capable */
	unsigned int ncpus;
	unsigned int cpus_dropped; /* beyond ACPI_MAX_CPUS: logged */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int noverrides;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
	unsigned int nnmis;

	/* FADT */
	bool have_fadt;
	uint8_t fadt_rev;
	uint16_t sci_irq;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	struct acpi_gas pm1a_cnt, pm1b_cnt, pm1a_evt;
	struct acpi_gas pm_tmr; /* ACPI PM timer, 3.579545 MHz */
	bool pm_tmr_32bit;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	bool reset_supported; /* FADT flags RESET_REG_SUP */
	uint16_t iapc_boot_arch; /* 8042 present, VGA not present, ... */
				 /* (0 also when the FADT predates rev 3) */
	bool hw_reduced;
	struct acpi_gas sleep_ctl; /* HW-reduced sleep control (5.2.9) */

	/* \_S5 from the DSDT: SLP_TYPa/b for soft-off. */
	bool have_s5;
	uint8_t s5_typ_a, s5_typ_b;

	/* MCFG */
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	unsigned int nmcfg;

	/* HPET */
	bool have_hpet;
	uint64_t hpet_addr;

	unsigned int tables_bad; /* skipped: bad checksum, length or layout */
};

extern struct acpi_info acpi_info;

/*
 * Access to physical memory for the parser: returns a pointer through which
 * [phys, phys+len) can be read, or NULL when that range cannot be mapped.
 * The kernel passes its direct map; unit tests pass a fake memory.
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len);

/*
 * Fill @out from the RSDP at @rsdp_phys (0: search the legacy BIOS areas,
 * EBDA and 0xE0000-0xFFFFF, ACPI 6.4 5.2.5.1). Never trusts a length or a
 * checksum: a bad table is skipped, logged and counted in tables_bad.
 * Returns 0, or -ENOENT when no usable RSDP/RSDT/XSDT exists.
 */
int acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_info *out);

/* Same, starting from RSDP bytes copied by the boot loader (Multiboot2). */
int acpi_parse_rsdp_copy(const void *rsdp, size_t len, acpi_map_fn map,
			 struct acpi_info *out);

/*
 * Find `Name (_S5_, Package () { SLP_TYPa, SLP_TYPb, ... })` in the AML
 * body of a DSDT (@aml, @len bytes, header excluded) without reading past
 * it (core/acpi_aml.c). Returns 0, -ENOENT (no such Name), -EINVAL (the
 * package is malformed or truncated) or -ERANGE (a type wider than 3 bits).
 */
int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typ_a,
		     uint8_t *typ_b);

#endif
