// SPDX-License-Identifier: MIT
/*
 * The VM's PCI bus (vdev/vpci.c, vdev/vpci_msix.c) as a guest's PCI code
 * sees it through the port and MMIO handlers vpci claims: Linux's type 1
 * probe on 0xcf8, config reads by mechanism 1 and ECAM that agree, absent
 * devices, functions and buses reading all ones, the BAR sizing protocol
 * (32-bit, 64-bit, I/O) and moving a BAR, memory/I/O decode following the
 * command register, the capability chain, MSI-X masking, pending bits
 * and enable, and guest nonsense (straddling accesses, read-only
 * registers, absent devices) answered without harm.
 * UNIT_SRCS: vdev/vpci.c vdev/vpci_msix.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "core/log.h"
#include "unit.h"
#include "vdev/vpci.h"
#include "vdev/vplat.h"

void log_printf(enum log_level level, const char *fmt, ...)
{
}

/* The ranges vpci claims, by base. */
struct claim {
	uint64_t base, len;
	iobus_fn fn;
	void *opaque;
	bool io;
};
static struct claim claims[8];
static unsigned int nclaims;

static int claim(bool io, uint64_t base, uint64_t len, iobus_fn fn, void *op)
{
	claims[nclaims++] = (struct claim){ base, len, fn, op, io };
	return 0;
}

int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque)
{
	return claim(true, base, count, fn, opaque);
}

int iobus_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len, iobus_fn fn,
			void *opaque)
{
	return claim(false, gpa, len, fn, opaque);
}

/* MSIs the bus sends. */
static unsigned int nmsi;
static uint64_t msi_addr;
static uint32_t msi_data;
void vlapic_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	nmsi++;
	msi_addr = addr;
	msi_data = data;
}

static int cf9_val = -1;
void vpm_cf9_write(struct vm *vm, uint8_t val)
{
	cf9_val = val;
}
uint8_t vpm_cf9_read(struct vm *vm)
{
	return 0x02;
}

/* Access through the claim that decodes @addr (as core/iobus.c would). */
static uint64_t bus(bool io, uint64_t addr, unsigned int size, bool write,
		    uint64_t val)
{
	uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;

	for (unsigned int i = 0; i < nclaims; i++) {
		struct claim *c = &claims[i];

		if (c->io == io && addr - c->base < c->len) {
			uint64_t d = write ? val & mask : 0x5a5a5a5a5a5a5a5aull;

			c->fn(NULL, addr, size, write, &d, c->opaque);
			return d & mask;
		}
	}
	return mask; /* unclaimed */
}

static uint32_t in(uint16_t port, unsigned int size)
{
	return bus(true, port, size, false, 0);
}
static void out(uint16_t port, unsigned int size, uint32_t v)
{
	bus(true, port, size, true, v);
}
static uint64_t mr(uint64_t a, unsigned int size)
{
	return bus(false, a, size, false, 0);
}
static void mw(uint64_t a, unsigned int size, uint64_t v)
{
	bus(false, a, size, true, v);
}

/* Mechanism 1 (PCI Local Bus 3.0 3.2.2.3.2). */
static uint32_t cfg1(unsigned int bus_, unsigned int dev, unsigned int fn,
		     unsigned int reg, unsigned int size)
{
	out(0xcf8, 4,
	    0x80000000u | bus_ << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return in(0xcfc + (reg & 3), size);
}
static void cfg1w(unsigned int dev, unsigned int reg, unsigned int size,
		  uint32_t v)
{
	out(0xcf8, 4, 0x80000000u | dev << 11 | (reg & 0xfc));
	out(0xcfc + (reg & 3), size, v);
}
/* ECAM (PCIe 4.0 7.2.2), bus 0. */
static uint64_t ecam(unsigned int dev, unsigned int fn, unsigned int reg,
		     unsigned int size)
{
	return mr(VPLAT_ECAM_BASE + (dev << 15 | fn << 12 | reg), size);
}
static void ecamw(unsigned int dev, unsigned int reg, unsigned int size,
		  uint64_t v)
{
	mw(VPLAT_ECAM_BASE + (dev << 15 | reg), size, v);
}

/* A device's BAR handler records its last access. */
static unsigned int bar_calls, last_bar;
static uint64_t last_off, bar_mem[VPCI_BARS];
static int bar_fn(struct vpci_dev *d, unsigned int bar, uint64_t off,
		  unsigned int size, bool write, uint64_t *data)
{
	bar_calls++;
	last_bar = bar;
	last_off = off;
	if (write)
		bar_mem[bar] = *data;
	else
		*data = bar_mem[bar];
	return 0;
}

static struct vm vm;
static struct vplat plat;

static void fresh(void)
{
	vpci_destroy(&vm);
	memset(claims, 0, sizeof(claims));
	nclaims = 0;
	nmsi = 0;
	bar_calls = 0;
	vm.platform = &plat;
	UNIT_CHECK(vpci_create(&vm) == 0);
}

/* A virtio-like device: 16 KiB 64-bit BAR 4 with MSI-X at 0x2000 (as
 * Linux's virtio_pci sees QEMU's), a 4 KiB BAR 0, 32 I/O ports at BAR 1. */
/* The bus releases what was added to it (vpci_destroy). */
static void test_release(struct vpci_dev *d)
{
	free(d);
}

static struct vpci_dev *test_dev(unsigned int vectors)
{
	struct vpci_dev *d = calloc(1, sizeof(*d));

	d->release = test_release;
	d->name = "test";
	d->vendor = 0x1af4;
	d->device = 0x1042;
	d->class_code = 0x010000;
	d->bar[0] = (struct vpci_bar){ .size = 4096, .fn = bar_fn };
	d->bar[1] = (struct vpci_bar){ .size = 32, .io = true, .fn = bar_fn };
	d->bar[4] = (struct vpci_bar){
		.size = 16384, .is64 = true, .prefetch = true, .fn = bar_fn
	};
	d->msix_vectors = vectors;
	d->msix_bar = 4;
	d->msix_off = 0x2000;
	return d;
}

UNIT_TEST(host_bridge_mechanism1_and_ecam)
{
	fresh();
	/* Linux's pci_check_type1: a byte to 0xcfb, then 0x80000000 reads
	 * back from 0xcf8 as a dword. */
	out(0xcfb, 1, 0x01);
	out(0xcf8, 4, 0x80000000);
	UNIT_CHECK(in(0xcf8, 4) == 0x80000000);
	out(0xcf8, 4, 0xffffffff); /* reserved bits read 0 */
	UNIT_CHECK(in(0xcf8, 4) == 0x80fffffc);
	UNIT_CHECK(cfg1(0, 0, 0, 0, 4) == 0x00081b36);
	UNIT_CHECK(cfg1(0, 0, 0, 0x0a, 2) == 0x0600); /* host bridge */
	UNIT_CHECK(cfg1(0, 0, 0, 0x0e, 1) == 0x00);   /* type 0 */
	UNIT_CHECK(cfg1(0, 0, 0, 2, 2) == 0x0008);
	UNIT_CHECK(cfg1(0, 0, 0, 1, 1) == 0x1b);
	UNIT_CHECK(ecam(0, 0, 0, 4) == 0x00081b36);
	UNIT_CHECK(ecam(0, 0, 8, 4) >> 8 == 0x060000);
	UNIT_CHECK(ecam(0, 0, 0, 8) ==
		   (cfg1(0, 0, 0, 0, 4) | (uint64_t)cfg1(0, 0, 0, 4, 4) << 32));
	/* Vendor ID and class are read only. */
	cfg1w(0, 0, 4, 0x12345678);
	UNIT_CHECK(cfg1(0, 0, 0, 0, 4) == 0x00081b36);
}

UNIT_TEST(absent_reads_all_ones)
{
	fresh();
	UNIT_CHECK(cfg1(0, 5, 0, 0, 4) == 0xffffffff);
	UNIT_CHECK(cfg1(0, 0, 1, 0, 4) == 0xffffffff); /* function 1 */
	UNIT_CHECK(cfg1(1, 0, 0, 0, 4) == 0xffffffff); /* bus 1 */
	UNIT_CHECK(cfg1(0, 5, 0, 2, 2) == 0xffff);
	UNIT_CHECK(ecam(7, 0, 0, 4) == 0xffffffff);
	UNIT_CHECK(ecam(0, 3, 0, 2) == 0xffff);
	/* Enable bit clear: CONFIG_DATA does not decode. */
	out(0xcf8, 4, 0x00000000);
	UNIT_CHECK(in(0xcfc, 4) == 0xffffffff);
	/* Enabling decode on an absent device changes nothing, harms
	 * nothing. */
	cfg1w(9, 4, 2, 0x0007);
	ecamw(9, 0x10, 4, 0xc0000000);
	UNIT_CHECK(cfg1(0, 9, 0, 4, 2) == 0xffff);
	UNIT_CHECK(mr(VPLAT_PCI_MMIO_BASE, 4) == 0xffffffff);
}

UNIT_TEST(guest_nonsense)
{
	fresh();
	/* A dword straddling a dword in ECAM: unsupported request. */
	UNIT_CHECK(ecam(0, 0, 2, 4) == 0xffffffff);
	ecamw(0, 0x3e, 4, 0);
	/* A word at 0xcff: one byte is config data, one is not ours. */
	out(0xcf8, 4, 0x80000000);
	UNIT_CHECK(in(0xcff, 2) == 0xff00);
	/* Byte and word accesses at 0xcf8 are not CONFIG_ADDRESS. */
	out(0xcf8, 1, 0x12);
	out(0xcf8, 2, 0x1234);
	UNIT_CHECK(in(0xcf8, 4) == 0x80000000);
	UNIT_CHECK(in(0xcfa, 2) == 0xffff);
	/* 0xcf9 as a byte is the reset control register (vpm). */
	out(0xcf9, 1, 0x06);
	UNIT_CHECK(cf9_val == 0x06);
	UNIT_CHECK(in(0xcf9, 1) == 0x02);
	/* Config space beyond 256 bytes reads 0 (no extended caps). */
	UNIT_CHECK(ecam(0, 0, 0x100, 4) == 0);
	UNIT_CHECK(ecam(0, 0, 0xffc, 4) == 0);
}

UNIT_TEST(bars_assigned_and_sized)
{
	struct vpci_dev *d;
	uint32_t b0, b1, b4, b5;

	fresh();
	d = test_dev(4);
	UNIT_CHECK(vpci_add(&vm, d) == 0);
	UNIT_CHECK(d->slot == 1);
	UNIT_CHECK(cfg1(0, 1, 0, 0, 4) == 0x10421af4);
	UNIT_CHECK(cfg1(0, 1, 0, 0x3d, 1) == 0); /* no INTx pin */
	b0 = cfg1(0, 1, 0, 0x10, 4);
	b1 = cfg1(0, 1, 0, 0x14, 4);
	b4 = cfg1(0, 1, 0, 0x20, 4);
	b5 = cfg1(0, 1, 0, 0x24, 4);
	/* Inside the windows, naturally aligned, with their type bits. */
	UNIT_CHECK((b0 & 0xf) == 0 && !(b0 & 0xfff0 & 0xfff));
	UNIT_CHECK((b0 & ~0xfu) >= VPLAT_PCI_MMIO_BASE &&
		   (b0 & ~0xfu) < VPLAT_PCI_MMIO_BASE + VPLAT_PCI_MMIO_SIZE);
	UNIT_CHECK((b1 & 3) == 1 && (b1 & ~3u) >= VPLAT_PCI_IO_BASE &&
		   (b1 & ~3u) % 32 == 0 &&
		   (b1 & ~3u) < VPLAT_PCI_IO_BASE + VPLAT_PCI_IO_SIZE);
	UNIT_CHECK((b4 & 0xf) == 0xc); /* 64-bit prefetchable */
	UNIT_CHECK((b4 & ~0xfu) % 16384 == 0 && b5 == 0);
	UNIT_CHECK((b4 & ~0xfu) >= VPLAT_PCI_MMIO_BASE);
	UNIT_CHECK(((b0 & ~0xfu) + 4096 <= (b4 & ~0xfu)) ||
		   ((b4 & ~0xfu) + 16384 <= (b0 & ~0xfu)));
	/* Sizing (PCI Local Bus 3.0 6.2.5.1). */
	cfg1w(1, 0x10, 4, 0xffffffff);
	UNIT_CHECK(cfg1(0, 1, 0, 0x10, 4) == 0xfffff000);
	cfg1w(1, 0x14, 4, 0xffffffff);
	UNIT_CHECK(cfg1(0, 1, 0, 0x14, 4) == 0x0000ffe1);
	cfg1w(1, 0x20, 4, 0xffffffff);
	cfg1w(1, 0x24, 4, 0xffffffff);
	UNIT_CHECK(cfg1(0, 1, 0, 0x20, 4) == 0xffffc00c);
	UNIT_CHECK(cfg1(0, 1, 0, 0x24, 4) == 0xffffffff);
	/* Unimplemented BARs and the ROM BAR read 0 whatever is written. */
	cfg1w(1, 0x18, 4, 0xffffffff);
	cfg1w(1, 0x30, 4, 0xffffffff);
	UNIT_CHECK(cfg1(0, 1, 0, 0x18, 4) == 0 && cfg1(0, 1, 0, 0x30, 4) == 0);
	/* Restore, as Linux does after sizing. */
	cfg1w(1, 0x10, 4, b0);
	cfg1w(1, 0x14, 4, b1);
	cfg1w(1, 0x20, 4, b4);
	cfg1w(1, 0x24, 4, b5);
	UNIT_CHECK(cfg1(0, 1, 0, 0x10, 4) == b0 &&
		   cfg1(0, 1, 0, 0x20, 4) == b4);
	UNIT_CHECK(d->bar[0].addr == (b0 & ~0xfu));
	UNIT_CHECK(d->bar[4].addr == (b4 & ~0xfu));

	/* A bad BAR size is refused. */
	struct vpci_dev *bad = test_dev(0);
	bad->bar[0].size = 3000;
	UNIT_CHECK(vpci_add(&vm, bad) == -EINVAL);
	bad->bar[0].size = 4096;
	bad->bar[5] = (struct vpci_bar){ .size = 4096, .is64 = true };
	UNIT_CHECK(vpci_add(&vm, bad) == -EINVAL);
	free(bad);
	vpci_destroy(&vm);
}

UNIT_TEST(bar_decode_follows_command_and_moves)
{
	struct vpci_dev *d;
	uint64_t b0, io;

	fresh();
	d = test_dev(0);
	UNIT_CHECK(vpci_add(&vm, d) == 0);
	b0 = d->bar[0].addr;
	io = d->bar[1].addr;
	/* Memory and I/O decode off after reset (command 0). */
	UNIT_CHECK(mr(b0 + 8, 4) == 0xffffffff && bar_calls == 0);
	UNIT_CHECK(in(io, 2) == 0xffff && bar_calls == 0);
	cfg1w(1, 4, 2, 0x0002);
	mw(b0 + 8, 4, 0xabcd);
	UNIT_CHECK(bar_calls == 1 && last_bar == 0 && last_off == 8);
	UNIT_CHECK(mr(b0 + 8, 4) == 0xabcd);
	UNIT_CHECK(in(io, 2) == 0xffff && bar_calls == 2); /* I/O still off */
	cfg1w(1, 4, 2, 0x0003);
	out(io + 4, 1, 0x77);
	UNIT_CHECK(last_bar == 1 && last_off == 4 && bar_mem[1] == 0x77);
	/* An access running past the BAR's end is not the device's. */
	UNIT_CHECK(mr(b0 + 4094, 4) == 0xffffffff && bar_calls == 3);
	/* Move BAR 0: the old address stops decoding, the new one starts. */
	cfg1w(1, 0x10, 4, (uint32_t)(VPLAT_PCI_MMIO_BASE + 0x100000));
	UNIT_CHECK(mr(b0 + 8, 4) == 0xffffffff && bar_calls == 3);
	UNIT_CHECK(mr(VPLAT_PCI_MMIO_BASE + 0x100010, 4) == 0xabcd);
	UNIT_CHECK(last_off == 0x10);
	/* Bus master enable. */
	UNIT_CHECK(!vpci_bus_master(d));
	cfg1w(1, 4, 2, 0x0007);
	UNIT_CHECK(vpci_bus_master(d));
	vpci_destroy(&vm);
}

UNIT_TEST(capability_chain)
{
	struct vpci_dev *d = test_dev(8);
	uint8_t body[14] = { 14, 1, 4 }, wm[14] = { 0 };
	unsigned int p, ids[8], n = 0;
	int off;

	fresh();
	wm[3] = 0xff;
	off = vpci_cap_add(d, 0x09, body, wm, sizeof(body));
	UNIT_CHECK(off == 0x40);
	UNIT_CHECK(vpci_add(&vm, d) == 0);
	UNIT_CHECK(cfg1(0, 1, 0, 6, 2) & 0x10); /* status: capabilities */
	for (p = cfg1(0, 1, 0, 0x34, 1); p && n < 8;
	     p = cfg1(0, 1, 0, p + 1, 1))
		ids[n++] = cfg1(0, 1, 0, p, 1) | p << 8;
	UNIT_CHECK(n == 2);
	UNIT_CHECK(ids[0] == (0x09 | 0x40 << 8));
	UNIT_CHECK((ids[1] & 0xff) == 0x11 && (ids[1] >> 8) % 4 == 0);
	UNIT_CHECK(cfg1(0, 1, 0, 0x42, 1) == 14);
	/* The capability's write mask: byte 3 of the body only. */
	cfg1w(1, 0x44, 4, 0xffffffff);
	UNIT_CHECK(cfg1(0, 1, 0, 0x44, 4) == 0x0000ff04);
	/* MSI-X: table size 8 - 1, table at 0x2000 BIR 4, PBA after it. */
	p = ids[1] >> 8;
	UNIT_CHECK(cfg1(0, 1, 0, p + 2, 2) == 7);
	UNIT_CHECK(cfg1(0, 1, 0, p + 4, 4) == (0x2000 | 4));
	UNIT_CHECK(cfg1(0, 1, 0, p + 8, 4) == ((0x2000 + 8 * 16) | 4));
	vpci_destroy(&vm);
}

UNIT_TEST(msix_mask_pending_enable)
{
	struct vpci_dev *d = test_dev(4);
	uint64_t tab, pba;
	unsigned int mc;

	fresh();
	UNIT_CHECK(vpci_add(&vm, d) == 0);
	mc = d->msix_cap + 2;
	tab = d->bar[4].addr + 0x2000;
	pba = tab + 4 * 16;
	cfg1w(1, 4, 2, 0x0006);
	/* Reset state: every vector masked, MSI-X off. */
	UNIT_CHECK(mr(tab + 12, 4) == 1 && mr(tab + 3 * 16 + 12, 4) == 1);
	UNIT_CHECK(!vpci_msix_notify(d, 0));
	UNIT_CHECK(mr(pba, 8) == 0 && nmsi == 0);
	/* Program vector 2 (a qword address write, then data), unmask. */
	mw(tab + 2 * 16, 8, 0xfee01000);
	mw(tab + 2 * 16 + 8, 4, 0x4041);
	mw(tab + 2 * 16 + 12, 4, 0xfffffffe); /* reserved bits read 0 */
	UNIT_CHECK(mr(tab + 2 * 16 + 12, 4) == 0);
	UNIT_CHECK(mr(tab + 2 * 16, 4) == 0xfee01000 &&
		   mr(tab + 2 * 16 + 8, 4) == 0x4041);
	bar_calls = 0;
	mw(pba, 8, ~0ull); /* PBA is read only; not passed to the device */
	UNIT_CHECK(mr(pba, 8) == 0 && bar_calls == 0);
	/* Enable with the function masked: notify records pending. */
	cfg1w(1, mc, 2, 0xc000);
	UNIT_CHECK(cfg1(0, 1, 0, mc, 2) == 0xc003);
	UNIT_CHECK(vpci_msix_notify(d, 2));
	UNIT_CHECK(nmsi == 0 && mr(pba, 8) == 4);
	/* Unmask the function: the pending vector goes out, bit clears. */
	cfg1w(1, mc, 2, 0x8000);
	UNIT_CHECK(nmsi == 1 && msi_addr == 0xfee01000 && msi_data == 0x4041);
	UNIT_CHECK(mr(pba, 8) == 0);
	/* Direct delivery while open. */
	UNIT_CHECK(vpci_msix_notify(d, 2) && nmsi == 2);
	/* Per-vector mask: pending, sent on unmask. */
	mw(tab + 2 * 16 + 12, 4, 1);
	UNIT_CHECK(vpci_msix_notify(d, 2) && nmsi == 2 && mr(pba, 4) == 4);
	mw(tab + 2 * 16 + 12, 4, 0);
	UNIT_CHECK(nmsi == 3 && mr(pba, 4) == 0);
	/* Vector 0 is still masked: pending, not sent. */
	UNIT_CHECK(vpci_msix_notify(d, 0) && nmsi == 3 && mr(pba, 4) == 1);
	/* An address outside the LAPIC range is not sent. */
	mw(tab + 0 * 16, 4, 0);
	mw(tab + 12, 4, 0);
	UNIT_CHECK(nmsi == 3 && mr(pba, 4) == 0);
	/* Out-of-range vector, disable: no delivery. */
	UNIT_CHECK(!vpci_msix_notify(d, 4));
	cfg1w(1, mc, 2, 0);
	UNIT_CHECK(!vpci_msix_notify(d, 2) && nmsi == 3);
	/* The rest of the BAR is the device's. */
	mw(d->bar[4].addr + 0x10, 4, 0x99);
	UNIT_CHECK(bar_calls == 1 && last_bar == 4 && last_off == 0x10);
	vpci_destroy(&vm);
}

UNIT_TEST(slots_run_out)
{
	static struct vpci_dev devs[VPCI_SLOTS];
	int rc = 0;
	unsigned int n = 0;

	fresh();
	for (unsigned int i = 0; i < VPCI_SLOTS && !rc; i++) {
		devs[i] =
		    (struct vpci_dev){ .vendor = 0x1af4, .device = 0x1000 + i };
		devs[i].bar[0] =
		    (struct vpci_bar){ .size = 4096, .fn = bar_fn };
		rc = vpci_add(&vm, &devs[i]);
		n += !rc;
	}
	UNIT_CHECK(n == VPCI_SLOTS - 1 && rc == -ENOSPC);
	UNIT_CHECK(cfg1(0, 31, 0, 0, 4) == ((0x1000u + 30) << 16 | 0x1af4));
	/* A BAR bigger than the window does not fit. */
	fresh();
	struct vpci_dev *big = test_dev(0);
	big->bar[4].size = 1ull << 30;
	UNIT_CHECK(vpci_add(&vm, big) == -ENOSPC);
	free(big);
	vpci_destroy(&vm);
}
