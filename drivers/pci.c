// SPDX-License-Identifier: MIT
/*
 * PCI configuration access and enumeration. The enumeration is pure logic
 * over a struct pci_cfg_ops, so tests/unit/test_pci.c runs it against a
 * fake configuration space; the two real access methods and the initcall
 * are kernel-only. Nothing read from a device is trusted: an unknown
 * header, a bridge to a bus already seen or out of range, a capability
 * pointer that loops or points into the header are logged and skipped.
 */
#include "drivers/pci.h"

#include <errno.h>

#include "core/fmt.h"
#include "core/log.h"

struct pci_dev pci_devs[PCI_MAX_DEVS];
unsigned int pci_ndevs;

/* Set once by pci_scan() on the boot CPU, read-only afterwards. */
static const struct pci_cfg_ops *pci_ops;

uint32_t pci_read(const struct pci_dev *d, uint16_t off, int size)
{
	if (!pci_ops)
		return 0xffffffffu >> (32 - 8 * size);
	return pci_ops->read(d->seg, d->bus, d->dev << 3 | d->fn, off, size);
}

void pci_write(const struct pci_dev *d, uint16_t off, int size, uint32_t v)
{
	if (pci_ops)
		pci_ops->write(d->seg, d->bus, d->dev << 3 | d->fn, off, size,
			       v);
}

static const struct {
	uint8_t class, subclass; /* subclass 0xff: any */
	const char *name;
} pci_class_names[] = {
	{ 0x00, 0xff, "Unclassified device" },
	{ 0x01, 0x00, "SCSI controller" },
	{ 0x01, 0x01, "IDE controller" },
	{ 0x01, 0x06, "SATA controller" },
	{ 0x01, 0x08, "NVMe controller" },
	{ 0x01, 0xff, "Storage controller" },
	{ 0x02, 0x00, "Ethernet controller" },
	{ 0x02, 0xff, "Network controller" },
	{ 0x03, 0x00, "VGA controller" },
	{ 0x03, 0xff, "Display controller" },
	{ 0x04, 0xff, "Multimedia controller" },
	{ 0x05, 0xff, "Memory controller" },
	{ 0x06, 0x00, "Host bridge" },
	{ 0x06, 0x01, "ISA bridge" },
	{ 0x06, 0x04, "PCI bridge" },
	{ 0x06, 0xff, "Bridge" },
	{ 0x07, 0xff, "Communication controller" },
	{ 0x08, 0xff, "System peripheral" },
	{ 0x0c, 0x03, "USB controller" },
	{ 0x0c, 0x05, "SMBus controller" },
	{ 0x0c, 0xff, "Serial bus controller" },
};

const char *pci_class_name(uint8_t class, uint8_t subclass)
{
	for (size_t i = 0; i < sizeof(pci_class_names) / sizeof(pci_class_names[0]);
	     i++)
		if (pci_class_names[i].class == class &&
		    (pci_class_names[i].subclass == subclass ||
		     pci_class_names[i].subclass == 0xff))
			return pci_class_names[i].name;
	return "Device";
}

int pci_describe(const struct pci_dev *d, char *buf, size_t len)
{
	char seg[8] = "";

	if (d->seg)
		fmt_snprintf(seg, sizeof(seg), "%04x:", d->seg);
	return fmt_snprintf(buf, len, "%s%02x:%02x.%x [%02x%02x] %04x:%04x rev %02x %s",
			    seg, d->bus, d->dev, d->fn, d->class, d->subclass,
			    d->vendor, d->device, d->revision,
			    pci_class_name(d->class, d->subclass));
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device,
			 struct pci_dev *from)
{
	unsigned int i = from ? (unsigned int)(from - pci_devs) + 1 : 0;

	for (; i < pci_ndevs; i++)
		if (pci_devs[i].vendor == vendor && pci_devs[i].device == device)
			return &pci_devs[i];
	return NULL;
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	for (unsigned int i = 0; i < d->ncaps; i++)
		if (d->caps[i].id == id)
			return d->caps[i].off;
	return 0;
}

/*
 * The capability list (PCI 3.0 6.7): Status bit 4 says it exists, the
 * pointer at 0x34 (0x14 for CardBus) and each entry's byte 1 lead to the
 * next, dword aligned (bits 1:0 reserved, masked), in 0x40-0xff, 0 ends
 * it. A function may point back into the list: each dword is visited at
 * most once, so the walk ends after at most 48 entries whatever it reads.
 */
static void pci_walk_caps(struct pci_dev *d)
{
	uint64_t seen = 0;
	uint8_t ptr;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	ptr = pci_read8(d, d->header_type == 2 ? PCI_CAP_PTR_CARDBUS
					       : PCI_CAP_PTR) & 0xfc;
	while (ptr) {
		if (ptr < 0x40) {
			log_warn("pci: %02x:%02x.%x capability pointer %#x inside the header, list cut",
				 d->bus, d->dev, d->fn, ptr);
			return;
		}
		if (seen & (1ull << (ptr >> 2))) {
			log_warn("pci: %02x:%02x.%x capability list loops at %#x, list cut",
				 d->bus, d->dev, d->fn, ptr);
			return;
		}
		seen |= 1ull << (ptr >> 2);
		uint16_t hdr = pci_read16(d, ptr);
		uint8_t id = hdr & 0xff;

		if (hdr == 0xffff) {
			log_warn("pci: %02x:%02x.%x capability at %#x reads all ones, list cut",
				 d->bus, d->dev, d->fn, ptr);
			return;
		}
		if (id == PCI_CAP_ID_MSI && !d->msi_cap)
			d->msi_cap = ptr;
		if (id == PCI_CAP_ID_MSIX && !d->msix_cap)
			d->msix_cap = ptr;
		if (d->ncaps < PCI_MAX_CAPS)
			d->caps[d->ncaps++] = (struct pci_cap){ id, ptr };
		ptr = (hdr >> 8) & 0xfc;
	}
}

enum pci_probe_result { PCI_ABSENT, PCI_SKIPPED, PCI_FOUND };

/*
 * Read one function's header (PCI 3.0 6.1). Vendor ID 0xffff is the
 * master abort of an absent function (6.2.1); 0x0000 is never valid.
 */
static enum pci_probe_result pci_probe_fn(uint16_t seg, uint8_t bus,
					  uint8_t dev, uint8_t fn,
					  struct pci_dev **out)
{
	uint8_t devfn = dev << 3 | fn;
	uint32_t id = pci_ops->read(seg, bus, devfn, PCI_VENDOR_ID, 4);
	struct pci_dev *d;

	*out = NULL;
	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return PCI_ABSENT;
	uint32_t cls = pci_ops->read(seg, bus, devfn, PCI_REVISION, 4);
	uint8_t ht = pci_ops->read(seg, bus, devfn, PCI_HEADER_TYPE, 1);

	if ((ht & 0x7f) > 2 || (id >> 16) == 0xffff) {
		log_warn("pci: %02x:%02x.%x id %08x header type %#x unknown, skipped",
			 bus, dev, fn, id, ht);
		return PCI_SKIPPED;
	}
	if (pci_ndevs == PCI_MAX_DEVS) {
		log_warn("pci: %02x:%02x.%x beyond %u functions, ignored", bus,
			 dev, fn, PCI_MAX_DEVS);
		return PCI_SKIPPED;
	}
	d = &pci_devs[pci_ndevs++];
	*d = (struct pci_dev){
		.seg = seg, .bus = bus, .dev = dev, .fn = fn,
		.vendor = id & 0xffff, .device = id >> 16,
		.revision = cls & 0xff, .prog_if = (cls >> 8) & 0xff,
		.subclass = (cls >> 16) & 0xff, .class = cls >> 24,
		.header_type = ht & 0x7f,
		.multifunction = ht & PCI_HEADER_MULTIFUNCTION,
	};
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	if (d->header_type == 1)
		d->secondary_bus = pci_read8(d, PCI_SECONDARY_BUS);
	if (d->header_type != 2)
		pci_bar_probe(d);
	pci_walk_caps(d);
	*out = d;
	return PCI_FOUND;
}

/*
 * Whether to scan the secondary bus of bridge @d (PCI-to-PCI bridge spec
 * 1.2, 3.2.5.4): above the bridge's own bus, inside the root's range and
 * not seen before, so a misconfigured bridge can never make a cycle.
 */
static bool pci_follow(const struct pci_dev *d, uint8_t bus_end,
		       uint64_t seen[4])
{
	uint8_t sec = d->secondary_bus;

	if (sec <= d->bus || sec > bus_end ||
	    (seen[sec / 64] & (1ull << (sec % 64)))) {
		log_warn("pci: %02x:%02x.%x bridge to bus %#x unusable, not followed",
			 d->bus, d->dev, d->fn, sec);
		return false;
	}
	seen[sec / 64] |= 1ull << (sec % 64);
	return true;
}

int pci_scan(const struct pci_cfg_ops *ops, const struct pci_root *roots,
	     unsigned int n)
{
	pci_ops = ops;
	pci_ndevs = 0;
	for (unsigned int r = 0; r < n; r++) {
		/* Buses of this root still to scan, each at most once. */
		uint8_t queue[256];
		uint64_t seen[4] = { 0 };
		unsigned int head = 0, tail = 0;
		uint16_t seg = roots[r].seg;

		queue[tail++] = roots[r].bus;
		seen[roots[r].bus / 64] |= 1ull << (roots[r].bus % 64);
		while (head < tail) {
			uint8_t bus = queue[head++];

			for (uint8_t dev = 0; dev < 32; dev++) {
				for (uint8_t fn = 0; fn < 8; fn++) {
					struct pci_dev *d;
					enum pci_probe_result res =
						pci_probe_fn(seg, bus, dev, fn, &d);

					if (d && d->header_type == 1 &&
					    pci_follow(d, roots[r].bus_end, seen))
						queue[tail++] = d->secondary_bus;
					/*
					 * Functions 1-7 exist only behind a
					 * multifunction function 0 (6.2.1).
					 */
					if (fn == 0 && (res != PCI_FOUND ||
							!d->multifunction))
						break;
				}
			}
		}
	}
	return pci_ndevs;
}

#ifndef KEEL_HOST_TEST
#include "core/acpi.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/mm.h"
#include "core/spinlock.h"

/* Serialises the 0xcf8/0xcfc pair and ECAM bus mappings across CPUs. */
static struct spinlock pci_lock = SPINLOCK_INIT;

/*
 * Configuration mechanism #1 (PCI 3.0 3.2.2.3.2): CONFIG_ADDRESS at 0xcf8
 * holds enable (bit 31), bus, device, function and dword register; the
 * dword appears at CONFIG_DATA 0xcfc, byte n of it at 0xcfc + n.
 */
static uint32_t pci_port_addr(uint8_t bus, uint8_t devfn, uint16_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)devfn << 8 |
	       (off & 0xfc);
}

static uint32_t pci_port_read(uint16_t seg, uint8_t bus, uint8_t devfn,
			      uint16_t off, int size)
{
	uint32_t v;

	if (seg || off > 0xff)
		return 0xffffffffu >> (32 - 8 * size);
	uint64_t flags = spin_lock_irqsave(&pci_lock);

	cpu_outl(0xcf8, pci_port_addr(bus, devfn, off));
	v = size == 1 ? cpu_inb(0xcfc + (off & 3)) :
	    size == 2 ? cpu_inw(0xcfc + (off & 2)) : cpu_inl(0xcfc);
	spin_unlock_irqrestore(&pci_lock, flags);
	return v;
}

static void pci_port_write(uint16_t seg, uint8_t bus, uint8_t devfn,
			   uint16_t off, int size, uint32_t v)
{
	if (seg || off > 0xff)
		return;
	uint64_t flags = spin_lock_irqsave(&pci_lock);

	cpu_outl(0xcf8, pci_port_addr(bus, devfn, off));
	if (size == 1)
		cpu_outb(0xcfc + (off & 3), v);
	else if (size == 2)
		cpu_outw(0xcfc + (off & 2), v);
	else
		cpu_outl(0xcfc, v);
	spin_unlock_irqrestore(&pci_lock, flags);
}

static const struct pci_cfg_ops pci_port_ops = {
	.name = "ports 0xcf8/0xcfc (mechanism #1)",
	.read = pci_port_read,
	.write = pci_port_write,
};

/*
 * ECAM (PCIe base spec 4.0, 7.2.2): 4 KiB of configuration space per
 * function at base + (bus << 20 | dev << 15 | fn << 12); the MCFG base is
 * that of bus 0 even when the window starts later (PCI Firmware 3.0,
 * 4.1.2). Each bus's 1 MiB is mapped when first touched.
 */
static void *pci_ecam_bus[ACPI_MAX_MCFG][256];

static volatile uint8_t *pci_ecam_ptr(uint16_t seg, uint8_t bus,
				      uint8_t devfn, uint16_t off)
{
	for (unsigned int i = 0; i < acpi_info.nmcfg; i++) {
		const struct acpi_mcfg *m = &acpi_info.mcfg[i];

		if (m->segment != seg || bus < m->bus_start || bus > m->bus_end)
			continue;
		if (!pci_ecam_bus[i][bus]) {
			uint64_t flags = spin_lock_irqsave(&pci_lock);

			if (!pci_ecam_bus[i][bus])
				pci_ecam_bus[i][bus] = mm_map_mmio(
					m->base + ((uint64_t)bus << 20), 1 << 20);
			spin_unlock_irqrestore(&pci_lock, flags);
		}
		if (!pci_ecam_bus[i][bus])
			return NULL;
		return (volatile uint8_t *)pci_ecam_bus[i][bus] +
		       ((uint32_t)devfn << 12) + (off & 0xfff);
	}
	return NULL;
}

static uint32_t pci_ecam_read(uint16_t seg, uint8_t bus, uint8_t devfn,
			      uint16_t off, int size)
{
	volatile uint8_t *p = pci_ecam_ptr(seg, bus, devfn, off);

	if (!p)
		return 0xffffffffu >> (32 - 8 * size);
	return size == 1 ? *p : size == 2 ? *(volatile uint16_t *)p
					  : *(volatile uint32_t *)p;
}

static void pci_ecam_write(uint16_t seg, uint8_t bus, uint8_t devfn,
			   uint16_t off, int size, uint32_t v)
{
	volatile uint8_t *p = pci_ecam_ptr(seg, bus, devfn, off);

	if (!p)
		return;
	if (size == 1)
		*p = v;
	else if (size == 2)
		*(volatile uint16_t *)p = v;
	else
		*(volatile uint32_t *)p = v;
}

static const struct pci_cfg_ops pci_ecam_ops = {
	.name = "ECAM (MCFG)",
	.read = pci_ecam_read,
	.write = pci_ecam_write,
};

/*
 * Whether mechanism #1 answers: CONFIG_ADDRESS reads back what was
 * written to it (no such register: all ones).
 */
static bool pci_port_present(void)
{
	uint32_t old = cpu_inl(0xcf8), v;

	cpu_outl(0xcf8, 0x80000000u);
	v = cpu_inl(0xcf8);
	cpu_outl(0xcf8, old);
	return v == 0x80000000u;
}

static void pci_init(void)
{
	struct pci_root roots[ACPI_MAX_MCFG];
	const struct pci_cfg_ops *ops;
	unsigned int n = 0;

	if (acpi_info.nmcfg) {
		ops = &pci_ecam_ops;
		for (unsigned int i = 0; i < acpi_info.nmcfg; i++) {
			const struct acpi_mcfg *m = &acpi_info.mcfg[i];

			roots[n++] = (struct pci_root){ m->segment, m->bus_start,
							m->bus_end };
		}
	} else if (pci_port_present()) {
		ops = &pci_port_ops;
		roots[n++] = (struct pci_root){ 0, 0, 255 };
	} else {
		log_warn("pci: no configuration access (no MCFG, no mechanism #1): no PCI devices");
		return;
	}
	log_info("pci: config access via %s", ops->name);
	int found = pci_scan(ops, roots, n);

	log_info("pci: %d functions found", found);
	pci_bind_all();
}
KEEL_INIT(INIT_LIBS, pci_init);
#endif
