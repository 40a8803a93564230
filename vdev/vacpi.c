// SPDX-License-Identifier: MIT
/*
 * The VM's ACPI tables (vdev/vacpi.h), ACPI 6.3 chapter 5, laid out in
 * one VPLAT_ACPI_SIZE block at VPLAT_ACPI_BASE:
 *   RSDP (5.2.5, revision 2) at the base, 16-byte aligned so the legacy
 *   scan of 0xe0000-0xfffff finds it too; then RSDT and XSDT (5.2.7,
 *   5.2.8), FADT (5.2.9, revision 6), FACS (5.2.10, 64-byte aligned),
 *   DSDT (5.2.11.1), MADT (5.2.12) and MCFG (PCI Firmware 3.2 4.1.2).
 * Every table gets its checksum last; the RSDP both of its own.
 */
#include "vdev/vacpi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ept/gmem.h"
#include "vdev/vacpi_aml.h"
#include "vdev/vuart.h"

#define VACPI_OEM_ID "KEEL  "
#define VACPI_OEM_TABLE "KEELVM  "
#define VACPI_HDR 36 /* System Description Table Header (5.2.6) */

struct vacpi_out {
	uint8_t *buf;
	size_t cap, len;
	uint64_t base;
	bool full;
};

static void put(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return -s;
}

/* Room for a table of @len bytes at @align: its offset in the block. */
static size_t reserve(struct vacpi_out *o, size_t len, size_t align)
{
	size_t at = (o->len + align - 1) & ~(align - 1);

	if (at + len > o->cap) {
		o->full = true;
		return 0;
	}
	memset(o->buf + at, 0, len);
	o->len = at + len;
	return at;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put(t + 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, VACPI_OEM_ID, 6);
	memcpy(t + 16, VACPI_OEM_TABLE, 8);
	put(t + 24, 1, 4);	   /* OEM revision */
	memcpy(t + 28, "KEEL", 4); /* creator ID and revision */
	put(t + 32, 1, 4);
}

static void finish(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = checksum(t, len);
}

/* Generic Address Structure (5.2.3.2) in system I/O space. */
static void gas_io(uint8_t *p, unsigned int bits, unsigned int access,
		   uint64_t port)
{
	p[0] = 1;
	p[1] = bits;
	p[2] = 0;
	p[3] = access; /* 1 byte, 2 word, 3 dword */
	put(p + 4, port, 8);
}

/* ---- DSDT ---------------------------------------------------------------- */

static void dsdt_hid_uid(struct vacpi_aml *a, const char *eisa, uint64_t uid)
{
	vacpi_aml_name(a, "_HID");
	vacpi_aml_eisaid(a, eisa);
	vacpi_aml_name(a, "_UID");
	vacpi_aml_int(a, uid);
}

/* An ISA device with one or two I/O ranges (@port2 0: one) and perhaps
 * an IRQ (-1: none). */
static void dsdt_isa(struct vacpi_aml *a, const char *name, const char *eisa,
		     uint16_t port, uint8_t len, uint16_t port2, int irq)
{
	struct vacpi_aml_mark dev = vacpi_aml_device(a, name), buf;

	dsdt_hid_uid(a, eisa, 0);
	vacpi_aml_name(a, "_CRS");
	buf = vacpi_aml_buffer(a);
	vacpi_aml_res_io(a, port, len);
	if (port2)
		vacpi_aml_res_io(a, port2, 1);
	if (irq >= 0)
		vacpi_aml_res_irq(a, irq);
	vacpi_aml_res_end(a);
	vacpi_aml_close(a, buf);
	vacpi_aml_close(a, dev);
}

/* \_SB.PCI0: the host bridge (PCI Firmware 3.2 4.1; ACPI 6.3 6.1.5 _HID
 * PNP0A08 with _CID PNP0A03 for a PCIe root) and the windows its _CRS
 * produces, which are what Linux allows BARs in. */
static void dsdt_pci0(struct vacpi_aml *a)
{
	struct vacpi_aml_mark dev = vacpi_aml_device(a, "PCI0"), buf;

	dsdt_hid_uid(a, "PNP0A08", 0);
	vacpi_aml_name(a, "_CID");
	vacpi_aml_eisaid(a, "PNP0A03");
	vacpi_aml_name(a, "_SEG");
	vacpi_aml_int(a, 0);
	vacpi_aml_name(a, "_BBN");
	vacpi_aml_int(a, 0);
	vacpi_aml_name(a, "_CRS");
	buf = vacpi_aml_buffer(a);
	vacpi_aml_res_bus(a, 0, 0);
	vacpi_aml_res_io(a, VPLAT_PCI_CONF, 8); /* consumed: 0xcf8-0xcff */
	vacpi_aml_res_word_io(a, 0x0000, VPLAT_PCI_CONF - 1);
	vacpi_aml_res_word_io(a, VPLAT_PCI_CONF + 8, 0xffff);
	vacpi_aml_res_dword_mem(a, VPLAT_PCI_MMIO_BASE,
				VPLAT_PCI_MMIO_BASE + VPLAT_PCI_MMIO_SIZE - 1);
	vacpi_aml_res_end(a);
	vacpi_aml_close(a, buf);
	vacpi_aml_close(a, dev);
}

/* Motherboard resources (PNP0C02) holding the ECAM, so Linux trusts the
 * MCFG region (PCI Firmware 3.2 4.1.2: it must be reserved). */
static void dsdt_mres(struct vacpi_aml *a)
{
	struct vacpi_aml_mark dev = vacpi_aml_device(a, "MRES"), buf;

	dsdt_hid_uid(a, "PNP0C02", 0);
	vacpi_aml_name(a, "_CRS");
	buf = vacpi_aml_buffer(a);
	vacpi_aml_res_mem32_fixed(a, VPLAT_ECAM_BASE, VPLAT_ECAM_SIZE);
	vacpi_aml_res_io(a, VPLAT_PM_BASE, VPLAT_PM_LEN);
	vacpi_aml_res_end(a);
	vacpi_aml_close(a, buf);
	vacpi_aml_close(a, dev);
}

static void dsdt_body(struct vacpi_aml *a)
{
	struct vacpi_aml_mark sb, pkg;

	/* \_S5: soft off (7.4.2.6); SLP_TYPa, SLP_TYPb, two reserved. */
	vacpi_aml_name(a, "\\_S5");
	pkg = vacpi_aml_package(a, 4);
	vacpi_aml_int(a, VPLAT_S5_SLP_TYP);
	vacpi_aml_int(a, VPLAT_S5_SLP_TYP);
	vacpi_aml_int(a, 0);
	vacpi_aml_int(a, 0);
	vacpi_aml_close(a, pkg);

	sb = vacpi_aml_scope(a, "\\_SB");
	dsdt_pci0(a);
	dsdt_mres(a);
	/* The ISA devices the platform has, so Linux's PNP drivers bind
	 * (i8042 needs its PNP0303 to probe at all when ACPI is on). */
	dsdt_isa(a, "COM1", "PNP0501", VUART_COM1, 8, 0, VUART_COM1_IRQ);
	dsdt_isa(a, "KBD0", "PNP0303", VPLAT_KBC_DATA, 1, VPLAT_KBC_CMD, 1);
	dsdt_isa(a, "RTC0", "PNP0B00", VPLAT_RTC, 2, 0, 8);
	dsdt_isa(a, "TMR0", "PNP0100", VPLAT_PIT, 4, 0, 0);
	vacpi_aml_close(a, sb);
}

static size_t build_dsdt(struct vacpi_out *o)
{
	struct vacpi_aml a;
	size_t at = reserve(o, VACPI_HDR, 16);
	uint8_t *t;

	if (o->full)
		return 0;
	vacpi_aml_init(&a, o->buf + o->len, o->cap - o->len);
	dsdt_body(&a);
	if (a.overflow) {
		o->full = true;
		return 0;
	}
	o->len += a.len;
	t = o->buf + at;
	/* Revision 2: integers are 64 bits (5.2.11.1). */
	header(t, "DSDT", VACPI_HDR + a.len, 2);
	finish(t);
	return at;
}

/* ---- Fixed tables -------------------------------------------------------- */

#define FADT_LEN 276
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_PWR_BUTTON (1u << 4) /* no fixed power button */
#define FADT_F_SLP_BUTTON (1u << 5) /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_BOOT_LEGACY (1u << 0)
#define FADT_BOOT_8042 (1u << 1)
#define FADT_BOOT_NO_VGA (1u << 2)

/* FADT revision 6 (5.2.9, table 5-34), not hardware-reduced: PM1a
 * event and control blocks, PM timer (24-bit), SCI on IRQ 9, no SMI
 * command port (so the OS finds the system in ACPI mode already), reset
 * through the register at 0xcf9. */
static size_t build_fadt(struct vacpi_out *o, size_t facs, size_t dsdt)
{
	size_t at = reserve(o, FADT_LEN, 16);
	uint8_t *t = o->buf + at;
	uint64_t facs_gpa = o->base + facs, dsdt_gpa = o->base + dsdt;

	if (o->full)
		return 0;
	header(t, "FACP", FADT_LEN, 6);
	put(t + 36, facs_gpa, 4);
	put(t + 40, dsdt_gpa, 4);
	t[45] = 0; /* preferred PM profile: unspecified */
	put(t + 46, VPLAT_SCI_IRQ, 2);
	put(t + 56, VPLAT_PM1_EVT, 4);
	put(t + 64, VPLAT_PM1_CNT, 4);
	put(t + 76, VPLAT_PM_TMR, 4);
	t[88] = 4;	      /* PM1_EVT_LEN */
	t[89] = 2;	      /* PM1_CNT_LEN */
	t[91] = 4;	      /* PM_TMR_LEN */
	put(t + 96, 101, 2);  /* P_LVL2_LAT > 100: no C2 */
	put(t + 98, 1001, 2); /* P_LVL3_LAT > 1000: no C3 */
	put(t + 109, FADT_BOOT_LEGACY | FADT_BOOT_8042 | FADT_BOOT_NO_VGA, 2);
	put(t + 112,
	    FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON |
		FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP,
	    4);
	gas_io(t + 116, 8, 1, VPLAT_RESET_PORT);
	t[128] = VPLAT_RESET_VALUE;
	t[131] = 3; /* FADT minor version: ACPI 6.3 */
	put(t + 132, facs_gpa, 8);
	put(t + 140, dsdt_gpa, 8);
	gas_io(t + 148, 32, 2, VPLAT_PM1_EVT);
	gas_io(t + 172, 16, 2, VPLAT_PM1_CNT);
	gas_io(t + 208, 32, 3, VPLAT_PM_TMR);
	finish(t);
	return at;
}

/* FACS (5.2.10): no checksum, 64-byte aligned; no S4BIOS, no waking. */
static size_t build_facs(struct vacpi_out *o)
{
	size_t at = reserve(o, 64, 64);
	uint8_t *t = o->buf + at;

	if (o->full)
		return 0;
	memcpy(t, "FACS", 4);
	put(t + 4, 64, 4);
	t[32] = 2; /* version */
	return at;
}

/* MADT (5.2.12): a Processor Local APIC per vCPU (APIC ID = vCPU index,
 * enabled), the I/O APIC at GSI 0, ISA overrides IRQ 0 -> GSI 2 and
 * IRQ 9 (SCI) level active-high, LINT1 NMI on every processor, and
 * PCAT_COMPAT as there is a vPIC pair to mask. */
static size_t build_madt(struct vacpi_out *o, unsigned int vcpus)
{
	size_t len = 44 + 8 * vcpus + 12 + 2 * 10 + 6;
	size_t at = reserve(o, len, 16);
	uint8_t *t = o->buf + at, *e;

	if (o->full)
		return 0;
	header(t, "APIC", len, 5);
	put(t + 36, VPLAT_LAPIC_BASE, 4);
	put(t + 40, 1, 4); /* PCAT_COMPAT */
	e = t + 44;
	for (unsigned int i = 0; i < vcpus; i++, e += 8) {
		e[0] = 0; /* Processor Local APIC */
		e[1] = 8;
		e[2] = i;	  /* ACPI processor UID */
		e[3] = i;	  /* APIC ID */
		put(e + 4, 1, 4); /* Enabled */
	}
	e[0] = 1; /* I/O APIC */
	e[1] = 12;
	e[2] = 0; /* its ID register's reset value */
	put(e + 4, VPLAT_IOAPIC_BASE, 4);
	put(e + 8, 0, 4);
	e += 12;
	/* Interrupt Source Override (5.2.12.5): bus 0 = ISA. Flags: bits
	 * 1:0 polarity (1 high), bits 3:2 trigger (1 edge, 3 level). */
	e[0] = 2;
	e[1] = 10;
	e[3] = 0;
	put(e + 4, 2, 4);
	put(e + 8, 0, 2); /* conforms to the bus: edge, high */
	e += 10;
	e[0] = 2;
	e[1] = 10;
	e[3] = VPLAT_SCI_IRQ;
	put(e + 4, VPLAT_SCI_IRQ, 4);
	put(e + 8, 0x1 | 0x3 << 2, 2);
	e += 10;
	e[0] = 4; /* Local APIC NMI (5.2.12.7) */
	e[1] = 6;
	e[2] = 0xff;		       /* all processors */
	put(e + 3, 0x1 | 0x1 << 2, 2); /* edge, high */
	e[5] = 1;		       /* LINT1 */
	finish(t);
	return at;
}

/* MCFG (PCI Firmware 3.2 4.1.2): one ECAM for segment 0, bus 0. */
static size_t build_mcfg(struct vacpi_out *o)
{
	size_t at = reserve(o, 60, 16);
	uint8_t *t = o->buf + at;

	if (o->full)
		return 0;
	header(t, "MCFG", 60, 1);
	put(t + 44, VPLAT_ECAM_BASE, 8);
	put(t + 52, 0, 2);		     /* segment */
	t[54] = 0;			     /* start bus */
	t[55] = (VPLAT_ECAM_SIZE >> 20) - 1; /* end bus */
	finish(t);
	return at;
}

int vacpi_build_buf(uint8_t *buf, size_t cap, uint64_t base,
		    const struct vplat_config *cfg)
{
	struct vacpi_out o = { buf, cap, 0, base, false };
	size_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt, mcfg;
	size_t tables[3];
	const unsigned int n = 3;
	uint8_t *t;

	/* One-byte APIC IDs in type-0 entries; 255 is the broadcast. */
	if (!cfg->vcpus || cfg->vcpus > VM_MAX_VCPUS || cfg->vcpus > 254)
		return -EINVAL;
	if (base + cap > 0xffffffffu)
		return -EINVAL; /* the RSDT and FADT hold 32-bit addresses */
	rsdp = reserve(&o, 36, 16);
	rsdt = reserve(&o, VACPI_HDR + 4 * n, 16);
	xsdt = reserve(&o, VACPI_HDR + 8 * n, 16);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o);
	fadt = build_fadt(&o, facs, dsdt);
	madt = build_madt(&o, cfg->vcpus);
	mcfg = build_mcfg(&o);
	if (o.full)
		return -ENOSPC;
	tables[0] = fadt;
	tables[1] = madt;
	tables[2] = mcfg;

	t = buf + rsdt;
	header(t, "RSDT", VACPI_HDR + 4 * n, 1);
	for (unsigned int i = 0; i < n; i++)
		put(t + VACPI_HDR + 4 * i, base + tables[i], 4);
	finish(t);
	t = buf + xsdt;
	header(t, "XSDT", VACPI_HDR + 8 * n, 1);
	for (unsigned int i = 0; i < n; i++)
		put(t + VACPI_HDR + 8 * i, base + tables[i], 8);
	finish(t);

	/* RSDP (5.2.5.3): the first 20 bytes have their own checksum, the
	 * whole 36 the extended one. */
	t = buf + rsdp;
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, VACPI_OEM_ID, 6);
	t[15] = 2;
	put(t + 16, base + rsdt, 4);
	put(t + 20, 36, 4);
	put(t + 24, base + xsdt, 8);
	t[8] = checksum(t, 20);
	t[32] = checksum(t, 36);
	return o.len;
}

int vacpi_build(struct vm *vm, const struct vplat_config *cfg)
{
	uint8_t *buf = calloc(1, VPLAT_ACPI_SIZE);
	int len, rc;

	if (!buf)
		return -ENOMEM;
	len = vacpi_build_buf(buf, VPLAT_ACPI_SIZE, VPLAT_ACPI_BASE, cfg);
	if (len < 0) {
		free(buf);
		log_err("vm %u: acpi: cannot build the tables (%d)", vm->id,
			len);
		return len;
	}
	rc = gmem_write(vm->mem, VPLAT_ACPI_BASE, buf, len);
	free(buf);
	if (rc)
		log_err("vm %u: acpi: cannot write the tables (%d)", vm->id,
			rc);
	return rc;
}
