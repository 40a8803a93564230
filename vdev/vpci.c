// SPDX-License-Identifier: MIT
/*
 * The VM's PCI bus 0 (vdev/vpci.h, docs/vpci.md): configuration space
 * of the host bridge and the devices through mechanism 1 and ECAM, BAR
 * assignment and decoding, capability lists. MSI-X is in vpci_msix.c.
 *
 * Every register is a byte of d->cfg plus a byte of d->wmask saying which
 * bits the guest may change, so the BAR sizing protocol (PCI Local Bus
 * 3.0 section 6.2.5.1: write all ones, read back the size mask) needs no
 * special case: the bits below a BAR's size and its type bits are read
 * only.
 */
#include "vdev/vpci.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"
#include "vdev/vpci_msix.h"
#include "vdev/vplat.h"

/* Type 0 header registers (PCI Local Bus 3.0 section 6.1). */
#define VPCI_VENDOR 0x00
#define VPCI_DEVICE 0x02
#define VPCI_COMMAND 0x04
#define VPCI_STATUS 0x06
#define VPCI_REVISION 0x08
#define VPCI_CLASS 0x09 /* prog-if, subclass, class: 3 bytes */
#define VPCI_CACHE_LINE 0x0c
#define VPCI_HEADER_TYPE 0x0e
#define VPCI_BAR0 0x10
#define VPCI_SUBSYS_VENDOR 0x2c
#define VPCI_SUBSYS_ID 0x2e
#define VPCI_CAP_PTR 0x34
#define VPCI_INT_LINE 0x3c
#define VPCI_INT_PIN 0x3d
#define VPCI_HEADER_END 0x40

#define VPCI_CMD_IO 0x0001
#define VPCI_CMD_MEM 0x0002
#define VPCI_CMD_MASTER 0x0004
/* I/O, memory, bus master, parity error response, SERR#, INTx disable:
 * the command bits a PCIe endpoint implements (PCIe 4.0 7.5.1.1.3). */
#define VPCI_CMD_WMASK 0x0547
#define VPCI_STATUS_CAP 0x0010

/* A host bridge ID that Linux drives with no chipset quirk: the generic
 * PCIe host bridge (vendor 1b36, device 0008) of QEMU's gpex, class
 * 0x060000. */
#define VPCI_HB_VENDOR 0x1b36
#define VPCI_HB_DEVICE 0x0008

#define VPCI_CF8_ENABLE 0x80000000u
/* Enable, bus, device, function, dword register; reserved bits read 0
 * (PCI Local Bus 3.0 3.2.2.3.2). */
#define VPCI_CF8_MASK 0x80fffffcu

struct vpci {
	struct vm *vm;
	struct spinlock lock; /* cf8 */
	uint32_t cf8;
	/* Filled before the VM starts, read without a lock after. */
	struct vpci_dev *dev[VPCI_SLOTS];
	void *msix_mem[VPCI_SLOTS];
	uint64_t mmio_next, io_next; /* BIOS-style assignment cursors */
	struct vpci_dev host;
};

static struct vpci *vpci_of(struct vm *vm)
{
	struct vplat *p = vplat_of(vm);

	return p ? p->pci : NULL;
}

static void put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = v;
	c[off + 1] = v >> 8;
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, v);
	put16(c, off + 2, v >> 16);
}

static uint32_t get32(const uint8_t *c, unsigned int off)
{
	return c[off] | c[off + 1] << 8 | c[off + 2] << 16 |
	       (uint32_t)c[off + 3] << 24;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* A BAR's low type bits (PCI Local Bus 3.0 6.2.5.1). */
static uint32_t vpci_bar_flags(const struct vpci_bar *b)
{
	if (b->io)
		return 1;
	return (b->is64 ? 4 : 0) | (b->prefetch ? 8 : 0);
}

static int vpci_bar_check(const struct vpci_dev *d)
{
	for (unsigned int i = 0; i < VPCI_BARS; i++) {
		const struct vpci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		if (!pow2(b->size))
			return -EINVAL;
		/* I/O BARs: 4 to 256 bytes (6.2.5.1); memory at least 16. */
		if (b->io &&
		    (b->size < 4 || b->size > 256 || b->is64 || b->prefetch))
			return -EINVAL;
		if (!b->io && b->size < 16)
			return -EINVAL;
		if (!b->io && !b->is64 && b->size > (1ull << 31))
			return -EINVAL;
		if (b->is64 && (i == VPCI_BARS - 1 || d->bar[i + 1].size))
			return -EINVAL;
		if (b->is64)
			i++; /* the upper half */
	}
	return 0;
}

/* The current base of each BAR from its config bytes (lock held). */
static void vpci_bar_sync(struct vpci_dev *d)
{
	for (unsigned int i = 0; i < VPCI_BARS; i++) {
		struct vpci_bar *b = &d->bar[i];
		uint32_t lo;

		if (!b->size)
			continue;
		lo = get32(d->cfg, VPCI_BAR0 + 4 * i);
		b->addr = lo & (b->io ? ~3u : ~0xfu);
		if (b->is64)
			b->addr |=
			    (uint64_t)get32(d->cfg, VPCI_BAR0 + 4 * i + 4)
			    << 32;
		if (b->is64)
			i++;
	}
}

/* Register values and write masks of a BAR at @addr. */
static void vpci_bar_init(struct vpci_dev *d, unsigned int i, uint64_t addr)
{
	struct vpci_bar *b = &d->bar[i];
	uint64_t mask = ~(b->size - 1);
	unsigned int off = VPCI_BAR0 + 4 * i;

	if (b->io)
		mask &= 0xfffc; /* x86 ports are 16 bits; the rest reads 0 */
	else
		mask &= b->is64 ? ~0xfull : 0xfffffff0ull;
	put32(d->cfg, off, (uint32_t)addr | vpci_bar_flags(b));
	put32(d->wmask, off, (uint32_t)mask);
	if (b->is64) {
		put32(d->cfg, off + 4, addr >> 32);
		put32(d->wmask, off + 4, mask >> 32);
	}
	b->addr = addr;
}

/* The type 0 header of @d (the capability area is the device's). */
static void vpci_header_init(struct vpci_dev *d)
{
	uint8_t cap = d->cfg[VPCI_CAP_PTR]; /* vpci_cap_add may have run */

	memset(d->cfg, 0, VPCI_HEADER_END);
	memset(d->wmask, 0, VPCI_HEADER_END);
	put16(d->cfg, VPCI_VENDOR, d->vendor);
	put16(d->cfg, VPCI_DEVICE, d->device);
	d->cfg[VPCI_REVISION] = d->revision;
	d->cfg[VPCI_CLASS] = d->class_code;
	d->cfg[VPCI_CLASS + 1] = d->class_code >> 8;
	d->cfg[VPCI_CLASS + 2] = d->class_code >> 16;
	d->cfg[VPCI_HEADER_TYPE] = 0; /* type 0, single function */
	put16(d->cfg, VPCI_SUBSYS_VENDOR, d->subsys_vendor);
	put16(d->cfg, VPCI_SUBSYS_ID, d->subsys_id);
	put16(d->wmask, VPCI_COMMAND, VPCI_CMD_WMASK);
	d->wmask[VPCI_CACHE_LINE] = 0xff;
	d->wmask[VPCI_INT_LINE] = 0xff;
	d->cfg[VPCI_INT_PIN] = 0; /* no INTx: MSI-X only */
	d->cfg[VPCI_CAP_PTR] = cap;
	if (cap)
		put16(d->cfg, VPCI_STATUS, VPCI_STATUS_CAP);
}

int vpci_cap_add(struct vpci_dev *d, uint8_t id, const void *body,
		 const void *wmask, size_t len)
{
	unsigned int off = d->cap_next ? d->cap_next : VPCI_HEADER_END;
	unsigned int end = off + 2 + len;
	unsigned int p = VPCI_CAP_PTR;

	/* Capabilities live in the first 256 bytes, dword aligned (6.7). */
	if (end > 256)
		return -ENOSPC;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	d->wmask[off] = d->wmask[off + 1] = 0;
	memcpy(&d->cfg[off + 2], body, len);
	if (wmask)
		memcpy(&d->wmask[off + 2], wmask, len);
	else
		memset(&d->wmask[off + 2], 0, len);
	/* Link it at the end of the chain (built by this function only, so
	 * it ends; the bound is for safety). */
	for (int n = 0; d->cfg[p] && n < 64; n++)
		p = d->cfg[p] + 1;
	d->cfg[p] = off;
	d->cap_next = (end + 3) & ~3u;
	put16(d->cfg, VPCI_STATUS, VPCI_STATUS_CAP);
	return off;
}

/* Place @d's BARs in the windows, naturally aligned, as a BIOS would. */
static int vpci_bar_assign(struct vpci *p, struct vpci_dev *d)
{
	uint64_t mmio = p->mmio_next, io = p->io_next;
	uint64_t at[VPCI_BARS] = { 0 };

	for (unsigned int i = 0; i < VPCI_BARS; i++) {
		struct vpci_bar *b = &d->bar[i];
		uint64_t *cur = b->io ? &io : &mmio;
		uint64_t end = b->io
				   ? VPLAT_PCI_IO_BASE + VPLAT_PCI_IO_SIZE
				   : VPLAT_PCI_MMIO_BASE + VPLAT_PCI_MMIO_SIZE;

		if (!b->size)
			continue;
		at[i] = (*cur + b->size - 1) & ~(b->size - 1);
		if (at[i] + b->size > end)
			return -ENOSPC;
		*cur = at[i] + b->size;
	}
	for (unsigned int i = 0; i < VPCI_BARS; i++)
		if (d->bar[i].size)
			vpci_bar_init(d, i, at[i]);
	p->mmio_next = mmio;
	p->io_next = io;
	return 0;
}

int vpci_add(struct vm *vm, struct vpci_dev *d)
{
	struct vpci *p = vpci_of(vm);
	unsigned int slot;
	void *mem = NULL;
	int rc;

	if (!p)
		return -EINVAL;
	for (slot = 1; slot < VPCI_SLOTS && p->dev[slot]; slot++)
		;
	if (slot == VPCI_SLOTS)
		return -ENOSPC;
	rc = vpci_bar_check(d);
	if (rc)
		return rc;
	d->vm = vm;
	d->slot = slot;
	d->lock = (struct spinlock)SPINLOCK_INIT;
	vpci_header_init(d);
	if (d->msix_vectors) {
		mem = calloc(1, vpci_msix_mem_size(d));
		if (!mem)
			return -ENOMEM;
		rc = vpci_msix_setup(d, mem);
		if (rc) {
			free(mem);
			return rc;
		}
	}
	rc = vpci_bar_assign(p, d);
	if (rc) {
		free(mem);
		d->msix_table = NULL;
		d->msix_pba = NULL;
		return rc;
	}
	p->msix_mem[slot] = mem;
	p->dev[slot] = d;
	log_info("vm %u: pci 00:%02x.0 %s [%04x:%04x]", vm->id, slot,
		 d->name ? d->name : "?", d->vendor, d->device);
	return 0;
}

/* ---- Configuration accesses ---------------------------------------------- */

static struct vpci_dev *vpci_dev_at(struct vpci *p, unsigned int bus,
				    unsigned int slot, unsigned int fn)
{
	/* Bus 0 only, single-function devices: anything else is absent and
	 * reads all ones (a master abort, PCI Local Bus 3.0 6.1). */
	if (bus || fn || slot >= VPCI_SLOTS)
		return NULL;
	return p->dev[slot];
}

static uint32_t vpci_cfg_read(struct vpci_dev *d, unsigned int off,
			      unsigned int size)
{
	uint64_t flags = spin_lock_irqsave(&d->lock);
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	spin_unlock_irqrestore(&d->lock, flags);
	return v;
}

static void vpci_cfg_write(struct vpci_dev *d, unsigned int off,
			   unsigned int size, uint32_t val)
{
	uint64_t flags = spin_lock_irqsave(&d->lock);

	for (unsigned int i = 0; i < size; i++) {
		uint8_t m = d->wmask[off + i];

		d->cfg[off + i] =
		    (d->cfg[off + i] & ~m) | ((val >> (8 * i)) & m);
	}
	if (off < VPCI_BAR0 + 4 * VPCI_BARS && off + size > VPCI_BAR0)
		vpci_bar_sync(d);
	if (d->msix_cap && off < d->msix_cap + 4u && off + size > d->msix_cap)
		vpci_msix_cfg_written(d);
	spin_unlock_irqrestore(&d->lock, flags);
	if (d->cfg_write)
		d->cfg_write(d, off, size, val);
}

/* One access of 1, 2 or 4 bytes inside one dword of a function's space. */
static void vpci_cfg_access(struct vpci *p, unsigned int bus, unsigned int slot,
			    unsigned int fn, unsigned int off,
			    unsigned int size, bool write, uint32_t *val)
{
	struct vpci_dev *d = vpci_dev_at(p, bus, slot, fn);

	if (!d) {
		if (!write)
			*val = 0xffffffffu;
		return;
	}
	if (write)
		vpci_cfg_write(d, off, size, *val);
	else
		*val = vpci_cfg_read(d, off, size);
}

/*
 * Ports 0xcf8-0xcff. CONFIG_ADDRESS is 0xcf8 as a dword only; other
 * accesses there go on to the ISA bus (3.2.2.3.2), where the one port
 * that answers is the reset control register 0xcf9 (vpm). CONFIG_DATA
 * is 0xcfc-0xcff at any size, byte lanes selecting the bytes of the
 * dword CONFIG_ADDRESS names.
 */
static int vpci_conf_pio(struct vcpu *v, uint64_t port, unsigned int size,
			 bool write, uint64_t *data, void *opaque)
{
	struct vpci *p = opaque;
	uint64_t flags;
	uint32_t cf8, val;
	unsigned int lane, n;

	if (port == VPLAT_PCI_CONF && size == 4) {
		flags = spin_lock_irqsave(&p->lock);
		if (write)
			p->cf8 = *data & VPCI_CF8_MASK;
		else
			*data = p->cf8;
		spin_unlock_irqrestore(&p->lock, flags);
		return 0;
	}
	if (port == VPLAT_RESET_PORT && size == 1) {
		if (write)
			vpm_cf9_write(p->vm, *data);
		else
			*data = vpm_cf9_read(p->vm);
		return 0;
	}
	if (!write)
		*data = ~0ull;
	if (port < VPLAT_PCI_CONF + 4)
		return 0; /* byte/word at 0xcf8-0xcfb: nothing decodes them */
	flags = spin_lock_irqsave(&p->lock);
	cf8 = p->cf8;
	spin_unlock_irqrestore(&p->lock, flags);
	if (!(cf8 & VPCI_CF8_ENABLE))
		return 0;
	lane = port - (VPLAT_PCI_CONF + 4);
	n = size < 4 - lane ? size : 4 - lane; /* bytes past 0xcff: not ours */
	val = *data;
	vpci_cfg_access(p, (cf8 >> 16) & 0xff, (cf8 >> 11) & 0x1f,
			(cf8 >> 8) & 7, (cf8 & 0xfc) + lane, n, write, &val);
	if (!write)
		*data =
		    n == 4 ? val
			   : (~0ull << (8 * n)) | (val & ((1u << (8 * n)) - 1));
	return 0;
}

/* ECAM (PCIe 4.0 7.2.2): bus 0 only, so offset = dev << 15 | fn << 12 |
 * reg. An access crossing a dword is an unsupported request: all ones. */
static int vpci_ecam(struct vcpu *v, uint64_t gpa, unsigned int size,
		     bool write, uint64_t *data, void *opaque)
{
	struct vpci *p = opaque;
	uint64_t off = gpa - VPLAT_ECAM_BASE;
	unsigned int reg = off & 0xfff;
	unsigned int slot = (off >> 15) & 0x1f, fn = (off >> 12) & 7;
	uint32_t lo, hi;

	if (size == 8 && !(reg & 7)) {
		lo = *data;
		hi = *data >> 32;
		vpci_cfg_access(p, 0, slot, fn, reg, 4, write, &lo);
		vpci_cfg_access(p, 0, slot, fn, reg + 4, 4, write, &hi);
		if (!write)
			*data = lo | (uint64_t)hi << 32;
		return 0;
	}
	if (size > 4 || (reg & 3) + size > 4) {
		if (!write)
			*data = ~0ull;
		return 0;
	}
	lo = *data;
	vpci_cfg_access(p, 0, slot, fn, reg, size, write, &lo);
	if (!write)
		*data = lo;
	return 0;
}

/* ---- BAR decoding -------------------------------------------------------- */

/* The device and BAR that decode [addr, addr+size) now, per the current
 * BAR addresses and the command register. */
static struct vpci_dev *vpci_decode(struct vpci *p, bool io, uint64_t addr,
				    unsigned int size, unsigned int *bar,
				    uint64_t *off)
{
	for (unsigned int s = 1; s < VPCI_SLOTS; s++) {
		struct vpci_dev *d = p->dev[s];
		uint64_t flags;
		bool hit = false;

		if (!d)
			continue;
		flags = spin_lock_irqsave(&d->lock);
		if (d->cfg[VPCI_COMMAND] & (io ? VPCI_CMD_IO : VPCI_CMD_MEM)) {
			for (unsigned int i = 0; i < VPCI_BARS && !hit; i++) {
				struct vpci_bar *b = &d->bar[i];
				uint64_t o = addr - b->addr;

				if (b->size && b->io == io && o < b->size &&
				    size <= b->size - o) {
					hit = true;
					*bar = i;
					*off = o;
				}
			}
		}
		spin_unlock_irqrestore(&d->lock, flags);
		if (hit)
			return d;
	}
	return NULL;
}

static int vpci_bar_access(struct vpci *p, bool io, uint64_t addr,
			   unsigned int size, bool write, uint64_t *data)
{
	unsigned int bar = 0;
	uint64_t off = 0;
	struct vpci_dev *d = vpci_decode(p, io, addr, size, &bar, &off);

	if (d && vpci_msix_claims(d, bar, off, size)) {
		vpci_msix_access(d, off, size, write, data);
		return 0;
	}
	if (!d || !d->bar[bar].fn) {
		if (!write)
			*data = ~0ull; /* master abort */
		return 0;
	}
	return d->bar[bar].fn(d, bar, off, size, write, data);
}

static int vpci_mmio_window(struct vcpu *v, uint64_t gpa, unsigned int size,
			    bool write, uint64_t *data, void *opaque)
{
	return vpci_bar_access(opaque, false, gpa, size, write, data);
}

static int vpci_io_window(struct vcpu *v, uint64_t port, unsigned int size,
			  bool write, uint64_t *data, void *opaque)
{
	return vpci_bar_access(opaque, true, port, size, write, data);
}

/* ---- Bus ----------------------------------------------------------------- */

int vpci_create(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);
	struct vpci *p;
	int rc;

	if (!plat)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->lock = (struct spinlock)SPINLOCK_INIT;
	p->mmio_next = VPLAT_PCI_MMIO_BASE;
	p->io_next = VPLAT_PCI_IO_BASE;
	p->host.name = "host bridge";
	p->host.vendor = VPCI_HB_VENDOR;
	p->host.device = VPCI_HB_DEVICE;
	p->host.subsys_vendor = VPCI_HB_VENDOR;
	p->host.subsys_id = 0x1100;
	p->host.class_code = 0x060000;
	p->host.vm = vm;
	p->host.lock = (struct spinlock)SPINLOCK_INIT;
	vpci_header_init(&p->host);
	p->dev[0] = &p->host;
	plat->pci = p; /* vpci_destroy frees it even if a claim fails */

	rc = iobus_register_pio(vm, VPLAT_PCI_CONF, 8, vpci_conf_pio, p);
	if (!rc)
		rc = iobus_register_mmio(vm, VPLAT_ECAM_BASE, VPLAT_ECAM_SIZE,
					 vpci_ecam, p);
	if (!rc)
		rc = iobus_register_mmio(vm, VPLAT_PCI_MMIO_BASE,
					 VPLAT_PCI_MMIO_SIZE, vpci_mmio_window,
					 p);
	if (!rc)
		rc = iobus_register_pio(vm, VPLAT_PCI_IO_BASE,
					VPLAT_PCI_IO_SIZE, vpci_io_window, p);
	if (rc)
		log_err("vm %u: pci: cannot claim its ports/MMIO (%d)", vm->id,
			rc);
	return rc;
}

void vpci_destroy(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);
	struct vpci *p = plat ? plat->pci : NULL;

	if (!p)
		return;
	/* The devices' own structures are theirs (release frees them); the
	 * MSI-X tables are ours (never reached through a device that may be
	 * gone already). */
	for (unsigned int s = 0; s < VPCI_SLOTS; s++) {
		struct vpci_dev *d = p->dev[s];
		if (d && d != &p->host && d->release)
			d->release(d);
		free(p->msix_mem[s]);
	}
	free(p);
	plat->pci = NULL;
}

bool vpci_bus_master(struct vpci_dev *d)
{
	return __atomic_load_n(&d->cfg[VPCI_COMMAND], __ATOMIC_RELAXED) &
	       VPCI_CMD_MASTER;
}
