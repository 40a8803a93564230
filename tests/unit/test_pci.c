// SPDX-License-Identifier: MIT
/*
 * PCI enumeration, BAR sizing, capability walking, MSI/MSI-X programming
 * and driver matching against a fake configuration space that behaves
 * like hardware: absent functions read all ones, BARs keep only their
 * writable bits, an MSI-X table lives in a fake BAR.
 * UNIT_SRCS: drivers/pci.c drivers/pci_bar.c drivers/pci_msi.c drivers/pci_registry.c core/log.c core/fmt.c core/time.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/log.h"
#include "drivers/pci.h"
#include "unit.h"

struct acpi_info acpi_info;

#define NVME_BAR 0x800000000ull
static uint8_t nvme_bar[0x4000] __attribute__((aligned(16)));
static uint64_t mapped_phys;

void *mm_map_mmio(uint64_t phys, size_t len)
{
	mapped_phys = phys;
	return phys == NVME_BAR && len == sizeof(nvme_bar) ? nvme_bar : NULL;
}

struct fake_fn {
	bool present;
	uint8_t cfg[256];
	uint32_t bar_rw[6]; /* writable bits of each BAR dword */
};
static struct fake_fn fake[4][256]; /* [bus][devfn] */
static unsigned int cfg_writes;

static uint32_t fake_read(uint16_t seg, uint8_t bus, uint8_t devfn,
			  uint16_t off, int size)
{
	struct fake_fn *f = bus < 4 ? &fake[bus][devfn] : NULL;
	uint32_t v = 0;

	if (seg || !f || !f->present || off + size > 256)
		return 0xffffffffu >> (32 - 8 * size);
	memcpy(&v, &f->cfg[off], size);
	return v;
}

static void fake_write(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t off,
		       int size, uint32_t v)
{
	struct fake_fn *f = bus < 4 ? &fake[bus][devfn] : NULL;

	cfg_writes++;
	if (seg || !f || !f->present || off + size > 256 || off < 4)
		return;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24 && size == 4) {
		uint32_t rw = f->bar_rw[(off - PCI_BAR0) / 4], old;

		memcpy(&old, &f->cfg[off], 4);
		v = (old & ~rw) | (v & rw);
	}
	memcpy(&f->cfg[off], &v, size);
}

static const struct pci_cfg_ops fake_ops = { "fake", fake_read, fake_write };

static struct fake_fn *fn_at(int bus, int dev, int fn, uint16_t vendor,
			     uint16_t device, uint32_t class_rev, uint8_t ht)
{
	struct fake_fn *f = &fake[bus][dev << 3 | fn];

	f->present = true;
	memcpy(&f->cfg[0], &vendor, 2);
	memcpy(&f->cfg[2], &device, 2);
	memcpy(&f->cfg[8], &class_rev, 4);
	f->cfg[PCI_HEADER_TYPE] = ht;
	return f;
}

static void bar(struct fake_fn *f, int i, uint32_t val, uint32_t rw)
{
	memcpy(&f->cfg[PCI_BAR0 + 4 * i], &val, 4);
	f->bar_rw[i] = rw;
}

static void cap(struct fake_fn *f, uint8_t off, uint8_t id, uint8_t next)
{
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	if (!f->cfg[PCI_CAP_PTR])
		f->cfg[PCI_CAP_PTR] = off;
	f->cfg[off] = id;
	f->cfg[off + 1] = next;
}

static void build_machine(void)
{
	struct fake_fn *f;

	memset(fake, 0, sizeof(fake));
	fn_at(0, 0, 0, 0x8086, 0x1237, 0x06000002, 0);
	/* Multifunction with a hole at function 1. */
	fn_at(0, 1, 0, 0x8086, 0x7000, 0x06010000, 0x80);
	fn_at(0, 1, 2, 0x8086, 0x7010, 0x01018000, 0);
	/* e1000: 128 KiB memory BAR, 64-byte I/O BAR decoding 16 bits. */
	f = fn_at(0, 2, 0, 0x8086, 0x100e, 0x02000003, 0);
	bar(f, 0, 0xfeb80000, 0xfffe0000);
	bar(f, 1, 0xc001, 0xffc0);
	f->cfg[PCI_COMMAND] = PCI_CMD_MEM | PCI_CMD_IO;
	f->cfg[PCI_INTERRUPT_LINE] = 11;
	f->cfg[PCI_INTERRUPT_PIN] = 1;
	/* A bridge to bus 2 and one pointing back at bus 0. */
	f = fn_at(0, 3, 0, 0x1b36, 0x0001, 0x06040000, 1);
	f->cfg[PCI_SECONDARY_BUS] = 2;
	f = fn_at(0, 4, 0, 0x1b36, 0x0001, 0x06040000, 1);
	f->cfg[PCI_SECONDARY_BUS] = 0;
	/* Not multifunction: its function 1 must not be seen. */
	fn_at(0, 5, 0, 0x1af4, 0x1000, 0x02000000, 0);
	fn_at(0, 5, 1, 0x1af4, 0x1001, 0x01000000, 0);
	/* Capability list that loops, one pointing into the header. */
	f = fn_at(0, 6, 0, 0x1234, 0x0006, 0xff000000, 0);
	cap(f, 0x40, 0x01, 0x48);
	cap(f, 0x48, 0x09, 0x40);
	f = fn_at(0, 7, 0, 0x1234, 0x0007, 0xff000000, 0);
	cap(f, 0x20, 0x01, 0x00);
	/* Garbage header type, and BARs that size to nonsense. */
	fn_at(0, 8, 0, 0x1234, 0x0008, 0xff000000, 0x7f);
	f = fn_at(0, 9, 0, 0x1234, 0x0009, 0xff000000, 0);
	bar(f, 0, 0, 0xff00ff00);	    /* holes in the size mask */
	bar(f, 1, 0xfffff000, 0xfffff000); /* the last 4 KiB below 4 GiB */
	bar(f, 2, 0x00000006, 0xfffff000); /* reserved memory type 3 */
	bar(f, 5, 0x4, 0xfffff000);	    /* 64-bit in the last slot */
	/*
	 * 64-bit BARs: Bochs' xHCI (upper dword hardwired to zero, decodes
	 * below 4 GiB), then an upper dword with holes, then one that reads
	 * back a fixed nonzero upper half.
	 */
	f = fn_at(0, 10, 0, 0x1912, 0x0015, 0x0c033002, 0);
	bar(f, 0, 0xc0020004, 0xffffe000);
	bar(f, 1, 0, 0);
	bar(f, 2, 0x4, 0xffffe000);
	bar(f, 3, 0, 0xff00ffff);
	bar(f, 4, 0x4, 0xffffe000);
	bar(f, 5, 0x1, 0);
	/* Behind the bridge: NVMe with a 64-bit prefetchable BAR, MSI, MSI-X. */
	f = fn_at(2, 0, 0, 0x8086, 0x5845, 0x01080202, 0);
	bar(f, 0, 0x0000000c, 0xffffc000);
	bar(f, 1, 0x00000008, 0xffffffff);
	cap(f, 0x50, PCI_CAP_ID_MSI, 0x70);
	f->cfg[0x52] = 0x80 | 0x0e;		/* 64-bit, 8 vectors capable */
	f->cfg[0x53] = 0x01;			/* per-vector masking */
	memset(&f->cfg[0x60], 0xff, 4);		/* mask bits all set */
	cap(f, 0x70, PCI_CAP_ID_MSIX, 0x00);
	f->cfg[0x72] = 3;			/* 4 entries */
	f->cfg[0x74] = 0x00, f->cfg[0x75] = 0x20; /* BIR 0, offset 0x2000 */
}

static struct pci_dev *scan(void)
{
	static const struct pci_root root = { 0, 0, 255 };

	build_machine();
	pci_scan(&fake_ops, &root, 1);
	return pci_devs;
}

static struct pci_dev *at(int bus, int dev, int fn)
{
	for (unsigned int i = 0; i < pci_ndevs; i++)
		if (pci_devs[i].bus == bus && pci_devs[i].dev == dev &&
		    pci_devs[i].fn == fn)
			return &pci_devs[i];
	return NULL;
}

UNIT_TEST(pci_enumeration)
{
	struct pci_dev *d;

	scan();
	/* 00:00.0, 01.0, 01.2, 02.0, 03.0, 04.0, 05.0, 06.0, 07.0, 09.0, 0a.0,
	 * 02:00.0 */
	UNIT_CHECK(pci_ndevs == 12);
	UNIT_CHECK(at(0, 1, 2) && at(0, 1, 2)->class == 0x01);
	UNIT_CHECK(!at(0, 1, 1));
	UNIT_CHECK(!at(0, 5, 1));  /* fn0 not multifunction */
	UNIT_CHECK(!at(0, 8, 0));  /* unknown header type */
	d = at(2, 0, 0);
	UNIT_CHECK(d && d->vendor == 0x8086 && d->device == 0x5845);
	UNIT_CHECK(d && d->class == 1 && d->subclass == 8 && d->prog_if == 2 &&
		   d->revision == 2);
	d = at(0, 2, 0);
	UNIT_CHECK(d && d->irq_line == 11 && d->irq_pin == 1);
	UNIT_CHECK(at(0, 3, 0)->header_type == 1 &&
		   at(0, 3, 0)->secondary_bus == 2);
	UNIT_CHECK(at(0, 1, 0)->multifunction);
	UNIT_CHECK(pci_find(0x8086, 0x5845, NULL) == at(2, 0, 0));
	UNIT_CHECK(!pci_find(0x8086, 0x5845, at(2, 0, 0)));
}

UNIT_TEST(pci_describe_line)
{
	char line[128];

	scan();
	pci_describe(at(0, 2, 0), line, sizeof(line));
	UNIT_CHECK_STR(line, "00:02.0 [0200] 8086:100e rev 03 Ethernet controller");
	pci_describe(at(2, 0, 0), line, sizeof(line));
	UNIT_CHECK_STR(line, "02:00.0 [0108] 8086:5845 rev 02 NVMe controller");
}

UNIT_TEST(pci_bar_sizing)
{
	struct pci_dev *d;

	scan();
	d = at(0, 2, 0);
	UNIT_CHECK(d->bar[0].type == PCI_BAR_MEM32 && d->bar[0].base == 0xfeb80000 &&
		   d->bar[0].size == 0x20000 && !d->bar[0].prefetchable);
	UNIT_CHECK(d->bar[1].type == PCI_BAR_IO && d->bar[1].base == 0xc000 &&
		   d->bar[1].size == 64);
	UNIT_CHECK(d->bar[2].type == PCI_BAR_NONE);
	/* Sizing restored the BARs and the command register. */
	UNIT_CHECK(pci_read32(d, PCI_BAR0) == 0xfeb80000);
	UNIT_CHECK(pci_read16(d, PCI_COMMAND) == (PCI_CMD_MEM | PCI_CMD_IO));
	d = at(2, 0, 0);
	UNIT_CHECK(d->bar[0].type == PCI_BAR_MEM64 && d->bar[0].prefetchable &&
		   d->bar[0].base == NVME_BAR && d->bar[0].size == 0x4000);
	UNIT_CHECK(d->bar[1].type == PCI_BAR_NONE);
	d = at(0, 9, 0);
	UNIT_CHECK(d->bar[0].type == PCI_BAR_NONE);
	UNIT_CHECK(d->bar[1].type == PCI_BAR_MEM32 && d->bar[1].size == 0x1000);
	UNIT_CHECK(d->bar[2].type == PCI_BAR_NONE);
	UNIT_CHECK(d->bar[5].type == PCI_BAR_NONE);
	d = at(0, 10, 0);
	UNIT_CHECK(d->bar[0].type == PCI_BAR_MEM64 && d->bar[0].base == 0xc0020000 &&
		   d->bar[0].size == 0x2000 && !d->bar[0].prefetchable);
	UNIT_CHECK(d->bar[2].type == PCI_BAR_NONE);
	UNIT_CHECK(d->bar[4].type == PCI_BAR_NONE);
	UNIT_CHECK(pci_read32(d, PCI_BAR0) == 0xc0020004 && pci_read32(d, PCI_BAR0 + 4) == 0);
}

UNIT_TEST(pci_map_and_enable)
{
	struct pci_dev *d;

	scan();
	d = at(2, 0, 0);
	UNIT_CHECK(pci_map_bar(d, 0) == nvme_bar && mapped_phys == NVME_BAR);
	UNIT_CHECK(!pci_map_bar(at(0, 2, 0), 1)); /* I/O */
	UNIT_CHECK(!pci_map_bar(d, 1) && !pci_map_bar(d, 6) && !pci_map_bar(d, -1));
	pci_enable(d, true, false, true);
	UNIT_CHECK(pci_read16(d, PCI_COMMAND) == (PCI_CMD_MEM | PCI_CMD_MASTER));
	pci_enable(d, false, true, false);
	UNIT_CHECK(pci_read16(d, PCI_COMMAND) == PCI_CMD_IO);
}

UNIT_TEST(pci_capabilities)
{
	struct pci_dev *d;

	scan();
	d = at(2, 0, 0);
	UNIT_CHECK(d->ncaps == 2 && d->msi_cap == 0x50 && d->msix_cap == 0x70);
	UNIT_CHECK(pci_find_cap(d, PCI_CAP_ID_MSIX) == 0x70);
	UNIT_CHECK(!pci_find_cap(d, PCI_CAP_ID_PCIE));
	/* The loop is walked once and cut. */
	d = at(0, 6, 0);
	UNIT_CHECK(d->ncaps == 2 && d->caps[0].off == 0x40 &&
		   d->caps[1].off == 0x48);
	UNIT_CHECK(at(0, 7, 0)->ncaps == 0);
	UNIT_CHECK(at(0, 2, 0)->ncaps == 0);
}

UNIT_TEST(pci_msi_programming)
{
	struct pci_dev *d;
	uint32_t v;

	UNIT_CHECK(pci_msi_address(3) == 0xfee03000);
	UNIT_CHECK(pci_msi_data(0x41) == 0x41);
	scan();
	d = at(2, 0, 0);
	UNIT_CHECK(pci_msi_enable(d, 0x41, 3) == 0);
	UNIT_CHECK(pci_read32(d, 0x54) == 0xfee03000);
	UNIT_CHECK(pci_read32(d, 0x58) == 0);
	UNIT_CHECK(pci_read16(d, 0x5c) == 0x41);
	UNIT_CHECK(pci_read32(d, 0x60) == 0); /* unmasked */
	v = pci_read16(d, 0x52);
	UNIT_CHECK((v & 1) && !(v & 0x70)); /* enabled, one vector */
	UNIT_CHECK(pci_read16(d, PCI_COMMAND) & PCI_CMD_INTX_DISABLE);
	UNIT_CHECK(pci_msi_mask(d, true) == 0 && pci_read32(d, 0x60) == 1);
	pci_msi_disable(d);
	UNIT_CHECK(!(pci_read16(d, 0x52) & 1));
	UNIT_CHECK(pci_msi_enable(d, 0x41, 256) == -EINVAL);
	UNIT_CHECK(pci_msi_enable(d, 10, 0) == -EINVAL);
	UNIT_CHECK(pci_msi_enable(at(0, 2, 0), 0x41, 0) == -ENODEV);
}

UNIT_TEST(pci_msix_programming)
{
	static const uint8_t vec[2] = { 0x50, 0x51 };
	struct pci_dev *d;
	uint32_t *e = (uint32_t *)(nvme_bar + 0x2000);

	scan();
	memset(nvme_bar, 0, sizeof(nvme_bar));
	d = at(2, 0, 0);
	UNIT_CHECK(pci_msix_enable(d, 5, (const uint8_t[5]){ 0x50, 0x51, 0x52, 0x53, 0x54 }, 1) == -EINVAL);
	UNIT_CHECK(pci_msix_enable(d, 2, vec, 7) == 0);
	UNIT_CHECK(e[0] == 0xfee07000 && e[1] == 0 && e[2] == 0x50 && e[3] == 0);
	UNIT_CHECK(e[4] == 0xfee07000 && e[6] == 0x51 && e[7] == 0);
	UNIT_CHECK(e[11] == 1 && e[15] == 1); /* unused entries masked */
	UNIT_CHECK(pci_read16(d, 0x72) == (0x8000 | 3)); /* enabled, no fmask */
	UNIT_CHECK(pci_read16(d, PCI_COMMAND) & PCI_CMD_MEM);
	UNIT_CHECK(pci_msix_mask(d, 1, true) == 0 && e[7] == 1);
	UNIT_CHECK(pci_msix_mask(d, 4, true) == -EINVAL);
	pci_msix_disable(d);
	UNIT_CHECK(!(pci_read16(d, 0x72) & 0x8000));
	/* A table that does not fit its BAR is refused. */
	fake[2][0].cfg[0x75] = 0x40;
	UNIT_CHECK(pci_msix_enable(d, 1, vec, 0) == -EIO);
}

static int probed;
static int probe_ok(struct pci_dev *d, const struct pci_match *m)
{
	probed++;
	return 0;
}
static int probe_no(struct pci_dev *d, const struct pci_match *m)
{
	probed += 100;
	return -ENODEV;
}

UNIT_TEST(pci_registry_binding)
{
	static const struct pci_match nic_ids[] = { PCI_ID(0x8086, 0x100e),
						    PCI_MATCH_TABLE_END };
	static const struct pci_match eth_class[] = { PCI_CLASS(0x02, 0x00),
						      PCI_MATCH_TABLE_END };
	static const struct pci_match nvme_ids[] = { PCI_CLASS(0x01, 0x08),
						     PCI_MATCH_TABLE_END };
	/* The class driver comes first but the ID driver wins 00:02.0. */
	const struct pci_driver drv[] = {
		{ "ethclass", eth_class, probe_ok },
		{ "e1000", nic_ids, probe_ok },
		{ "picky", nvme_ids, probe_no },
	};

	scan();
	probed = 0;
	UNIT_CHECK(pci_bind(drv, 3) == 2);
	UNIT_CHECK(at(0, 2, 0)->driver == &drv[1]);
	UNIT_CHECK(at(0, 5, 0)->driver == &drv[0]); /* 0200 by class */
	UNIT_CHECK(!at(2, 0, 0)->driver);
	UNIT_CHECK(probed == 102);
	/* Bound devices are not probed again. */
	UNIT_CHECK(pci_bind(drv, 3) == 2 && probed == 202);
}
