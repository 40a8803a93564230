// SPDX-License-Identifier: MIT
/*
 * Base address registers: sizing, mapping, and the command register's
 * decode and bus-master bits. Keel keeps the addresses the firmware
 * assigned; it sizes BARs to know how much to map and to check them.
 */
#include "drivers/pci.h"

#include <errno.h>

#include "core/log.h"
#include "core/mm.h"

static const char *const pci_bar_type_names[] = {
	[PCI_BAR_NONE] = "none",
	[PCI_BAR_MEM32] = "mem32",
	[PCI_BAR_MEM64] = "mem64",
	[PCI_BAR_IO] = "io",
};

static uint32_t pci_bar_size_mask(struct pci_dev *d, uint16_t off,
				  uint32_t *orig)
{
	uint32_t mask;

	*orig = pci_read32(d, off);
	pci_write32(d, off, 0xffffffffu);
	mask = pci_read32(d, off);
	pci_write32(d, off, *orig);
	return mask;
}

/*
 * Decode one BAR at index @i into d->bar[i]. Returns how many BAR slots it
 * took (2 for a 64-bit one), with bar[i] left NONE when the BAR is not
 * implemented or its answer makes no sense.
 */
static int pci_bar_size_one(struct pci_dev *d, int i, int nbars)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	struct pci_bar *b = &d->bar[i];
	uint32_t orig, mask = pci_bar_size_mask(d, off, &orig);
	uint32_t orig_hi = 0, mask_hi = 0;
	uint64_t size, base, limit;
	int used = 1;

	*b = (struct pci_bar){ 0 };
	if (!mask)
		return 1; /* hardwired to zero: not implemented (6.2.5.1) */
	if (orig & 1) {
		/*
		 * I/O BAR: bits 1:0 are flags; a device decoding only 16
		 * address bits may hardwire the upper half to zero.
		 */
		uint32_t sz = mask & ~3u;

		if (!(sz & 0xffff0000u))
			sz |= 0xffff0000u;
		size = (uint32_t)(~sz + 1);
		base = orig & ~3u;
		b->type = PCI_BAR_IO;
		limit = 0x10000;
	} else {
		/* Memory BAR: bits 2:1 type, bit 3 prefetchable (6.2.5.1). */
		unsigned int type = (orig >> 1) & 3;

		b->prefetchable = orig & 8;
		base = orig & ~0xfu;
		if (type == 2) {
			if (i + 1 >= nbars) {
				log_warn("pci: %02x:%02x.%x BAR%d is 64-bit in the last slot, ignored",
					 d->bus, d->dev, d->fn, i);
				return 1;
			}
			mask_hi = pci_bar_size_mask(d, off + 4, &orig_hi);
			b->type = PCI_BAR_MEM64;
			used = 2;
			if (!mask_hi && !orig_hi) {
				/*
				 * Upper dword hardwired to zero: the BAR says
				 * 64-bit but decodes only below 4 GiB (Bochs
				 * 2.7's xHCI, 1912:0015, whose PCI code keeps
				 * 32 BAR bits). Sizing the 64-bit value as
				 * 6.2.5.1 says would give 0xffffffff00002000;
				 * the size is the lowest writable address bit,
				 * and the low dword must still be contiguous
				 * from bit 31, as for a 32-bit BAR.
				 */
				size = (uint32_t)(~(mask & ~0xfu) + 1);
				limit = 1ull << 32;
			} else {
				size = ~((uint64_t)mask_hi << 32 |
					 (mask & ~0xfu)) + 1;
				base |= (uint64_t)orig_hi << 32;
				limit = 0;
			}
		} else if (type == 0 || type == 1) {
			/* 01 was "below 1 MiB" in PCI 2.x, reserved since. */
			size = (uint32_t)(~(mask & ~0xfu) + 1);
			b->type = PCI_BAR_MEM32;
			limit = 1ull << 32;
		} else {
			log_warn("pci: %02x:%02x.%x BAR%d has reserved type 3, ignored",
				 d->bus, d->dev, d->fn, i);
			return 1;
		}
	}
	/*
	 * Writable bits must be contiguous from the top, so the size is a
	 * power of two, at least 16 (memory) or 4 (I/O) bytes, and the
	 * assigned base is aligned to it and fits the address space.
	 */
	if (!size || (size & (size - 1)) ||
	    size < (b->type == PCI_BAR_IO ? 4u : 16u) || (base & (size - 1)) ||
	    (limit && (base >= limit || size > limit - base)) ||
	    base + size < base) {
		log_warn("pci: %02x:%02x.%x BAR%d sizes to nonsense (%#x/%#x hi %#x/%#x), ignored",
			 d->bus, d->dev, d->fn, i, orig, mask, orig_hi, mask_hi);
		*b = (struct pci_bar){ 0 };
		return used;
	}
	b->base = base;
	b->size = size;
	return used;
}

void pci_bar_probe(struct pci_dev *d)
{
	int nbars = d->header_type == 0 ? 6 : 2; /* type 1: two BARs */
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	/*
	 * Disable decoding while a BAR holds all ones, or the device would
	 * claim a random window meanwhile (6.2.5.1, implementation note).
	 */
	if (cmd & (PCI_CMD_IO | PCI_CMD_MEM))
		pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (int i = 0; i < PCI_NUM_BARS; i++)
		d->bar[i] = (struct pci_bar){ 0 };
	for (int i = 0; i < nbars;)
		i += pci_bar_size_one(d, i, nbars);
	if (cmd & (PCI_CMD_IO | PCI_CMD_MEM))
		pci_write16(d, PCI_COMMAND, cmd);
}

void pci_log_bars(const struct pci_dev *d)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (b->type == PCI_BAR_NONE)
			continue;
		log_info("pci:   BAR%d %s %#llx size %#llx%s%s", i,
			 pci_bar_type_names[b->type],
			 (unsigned long long)b->base,
			 (unsigned long long)b->size,
			 b->prefetchable ? " prefetchable" : "",
			 b->base ? "" : " unassigned");
	}
}

void *pci_map_bar(struct pci_dev *d, int bar)
{
	struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) ||
	    !b->base || !b->size)
		return NULL;
	if (!b->virt) {
		b->virt = mm_map_mmio(b->base, b->size);
		if (!b->virt)
			log_err("pci: %02x:%02x.%x BAR%d: cannot map %#llx+%#llx",
				d->bus, d->dev, d->fn, bar,
				(unsigned long long)b->base,
				(unsigned long long)b->size);
	}
	return b->virt;
}

void pci_enable(struct pci_dev *d, bool mem, bool io, bool bus_master)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	uint16_t want = cmd & ~(PCI_CMD_MEM | PCI_CMD_IO | PCI_CMD_MASTER);

	want |= (mem ? PCI_CMD_MEM : 0) | (io ? PCI_CMD_IO : 0) |
		(bus_master ? PCI_CMD_MASTER : 0);
	if (want != cmd)
		pci_write16(d, PCI_COMMAND, want);
}
