/* SPDX-License-Identifier: MIT */
/*
 * PCI for host devices (PCI Local Bus spec 3.0, PCI Express base spec).
 * Configuration space is reached through ECAM windows from the ACPI MCFG
 * table when there are any (PCIe base spec 7.2.2), else configuration
 * mechanism #1 on ports 0xcf8/0xcfc (PCI 3.0 3.2.2.3.2). At INIT_LIBS every
 * reachable bus/device/function is enumerated once into a table of struct
 * pci_dev, BARs are sized, capability lists walked, then the drivers
 * registered with PCI_DRIVER() are probed. docs/pci.md has the details.
 */
#ifndef KEEL_DRIVERS_PCI_H
#define KEEL_DRIVERS_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVS 256
#define PCI_MAX_CAPS 16
#define PCI_NUM_BARS 6

/* Type-0/1 header registers (PCI 3.0 6.1, figure 6-1; bridge spec 3.2). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08 /* then prog-if, subclass, class */
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19 /* type 1 */
#define PCI_CAP_PTR 0x34
#define PCI_CAP_PTR_CARDBUS 0x14 /* type 2 */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_CMD_IO (1u << 0)
#define PCI_CMD_MEM (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_CMD_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_HEADER_MULTIFUNCTION 0x80

#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_PCIE 0x10
#define PCI_CAP_ID_MSIX 0x11

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO };

struct pci_bar {
	uint64_t base; /* as firmware assigned it; 0: unassigned */
	uint64_t size;
	uint8_t type; /* enum pci_bar_type; the upper half of a 64-bit BAR: NONE */
	bool prefetchable;
	void *virt; /* pci_map_bar()'s mapping, made once */
};

struct pci_cap {
	uint8_t id;
	uint8_t off;
};

struct pci_driver;

/*
 * One function. Filled at enumeration on the boot CPU, then owned by the
 * driver bound to it (driver, driver_data); never freed.
 */
struct pci_dev {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if, revision;
	uint8_t header_type; /* without the multifunction bit */
	bool multifunction;
	uint8_t secondary_bus; /* type 1 only */
	struct pci_bar bar[PCI_NUM_BARS];
	uint8_t irq_line, irq_pin;
	struct pci_cap caps[PCI_MAX_CAPS];
	unsigned int ncaps;
	uint8_t msi_cap, msix_cap; /* offsets, 0: absent */
	const struct pci_driver *driver;
	void *driver_data;
};

/*
 * Configuration access: @size 1, 2 or 4, @off aligned to it. Absent
 * functions read all ones. The ECAM reaches offsets up to 0xfff, the
 * port mechanism only up to 0xff (reads of more return all ones).
 */
struct pci_cfg_ops {
	const char *name;
	uint32_t (*read)(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t off,
			 int size);
	void (*write)(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t off,
		      int size, uint32_t val);
};

uint32_t pci_read(const struct pci_dev *d, uint16_t off, int size);
void pci_write(const struct pci_dev *d, uint16_t off, int size, uint32_t v);
static inline uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return pci_read(d, off, 1);
}
static inline uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return pci_read(d, off, 2);
}
static inline uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return pci_read(d, off, 4);
}
static inline void pci_write16(const struct pci_dev *d, uint16_t off,
			       uint16_t v)
{
	pci_write(d, off, 2, v);
}
static inline void pci_write32(const struct pci_dev *d, uint16_t off,
			       uint32_t v)
{
	pci_write(d, off, 4, v);
}

/* The devices found, in enumeration order. */
extern struct pci_dev pci_devs[PCI_MAX_DEVS];
extern unsigned int pci_ndevs;

/*
 * Enumerate with @ops from each root bus [seg, bus) in @roots (n pairs),
 * replacing the table. Returns the number of functions found. The kernel
 * calls it once at boot; unit tests call it with a fake config space.
 */
struct pci_root {
	uint16_t seg;
	uint8_t bus, bus_end;
};
int pci_scan(const struct pci_cfg_ops *ops, const struct pci_root *roots,
	     unsigned int n);
/* First function with @vendor/@device after @from (NULL: from the start). */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device,
			 struct pci_dev *from);
/* The first capability @id, its config offset, or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id);
/* The lspci-style line logged at boot ("00:02.0 [0200] 8086:100e ..."). */
int pci_describe(const struct pci_dev *d, char *buf, size_t len);
const char *pci_class_name(uint8_t class, uint8_t subclass);

/* drivers/pci_bar.c */
/*
 * Size every BAR of @d (writing all ones with decoding disabled, PCI 3.0
 * 6.2.5.1). A BAR that sizes to nonsense is logged and left NONE.
 */
void pci_bar_probe(struct pci_dev *d);
/* One log line per implemented BAR of @d. */
void pci_log_bars(const struct pci_dev *d);
/* Map memory BAR @bar uncached, once. NULL: I/O, absent or unassigned. */
void *pci_map_bar(struct pci_dev *d, int bar);
/* Set (true) or clear (false) memory/I/O decoding and bus mastering. */
void pci_enable(struct pci_dev *d, bool mem, bool io, bool bus_master);

/* drivers/pci_msi.c: message address/data (Intel SDM vol. 3A 11.11). */
uint32_t pci_msi_address(uint32_t dest_apic_id);
uint32_t pci_msi_data(uint8_t vector);
/*
 * One MSI vector to @dest_apic_id (8-bit xAPIC destination), edge, fixed;
 * disables INTx. Returns 0, -ENODEV (no MSI capability) or -EINVAL.
 */
int pci_msi_enable(struct pci_dev *d, uint8_t vector, uint32_t dest_apic_id);
void pci_msi_disable(struct pci_dev *d);
/* Per-vector mask; -EOPNOTSUPP when the function cannot mask. */
int pci_msi_mask(struct pci_dev *d, bool masked);
/*
 * MSI-X entries 0..@n-1 to @vectors[i] on @dest; entries beyond @n stay
 * masked. Returns 0, -ENODEV, -EINVAL (n too big, bad vector or dest),
 * -EIO (table BAR absent, unassigned or too small).
 */
int pci_msix_enable(struct pci_dev *d, unsigned int n, const uint8_t *vectors,
		    uint32_t dest);
int pci_msix_mask(struct pci_dev *d, unsigned int entry, bool masked);
void pci_msix_disable(struct pci_dev *d);

/* drivers/pci_registry.c */
enum pci_match_kind { PCI_MATCH_END, PCI_MATCH_ID, PCI_MATCH_CLASS };
struct pci_match {
	uint8_t kind; /* enum pci_match_kind */
	uint8_t class, subclass;
	uint16_t vendor, device;
};
#define PCI_ID(v, d) { .kind = PCI_MATCH_ID, .vendor = (v), .device = (d) }
#define PCI_CLASS(c, s) { .kind = PCI_MATCH_CLASS, .class = (c), .subclass = (s) }
#define PCI_MATCH_TABLE_END { .kind = PCI_MATCH_END }

struct pci_driver {
	const char *name;
	const struct pci_match *ids; /* ended by PCI_MATCH_TABLE_END */
	/* 0: the driver owns @d; negative errno: left for others. */
	int (*probe)(struct pci_dev *d, const struct pci_match *m);
};

/*
 * Register a driver, the way core/init.h registers initcalls:
 *   static const struct pci_match e1000_ids[] = { PCI_ID(0x8086, 0x100e),
 *						   PCI_MATCH_TABLE_END };
 *   PCI_DRIVER(e1000, e1000_ids, e1000_probe);
 * aligned(8): the same table-without-holes trick as core/init.h.
 */
#define PCI_DRIVER(name, table, probe)                                      \
	static const struct pci_driver __pci_driver_##name                  \
		__attribute__((used, aligned(8),                            \
			       section(".rodata.pci_driver"))) = { #name,   \
								   table,   \
								   probe }

const struct pci_match *pci_driver_match(const struct pci_driver *drv,
					 const struct pci_dev *d,
					 enum pci_match_kind kind);
/*
 * Probe @drivers[0..n) against every device without a driver: exact
 * vendor/device matches first, then class matches; each device is probed
 * by at most one driver that accepts it. Logs one line per device.
 * Returns the number of devices bound.
 */
int pci_bind(const struct pci_driver *drivers, size_t n);
/* pci_bind() over every PCI_DRIVER() in the image (kernel only). */
int pci_bind_all(void);

#endif
