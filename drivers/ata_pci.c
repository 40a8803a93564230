// SPDX-License-Identifier: MIT
/*
 * IDE controllers (PCI class 01:01) for drivers/ata.c: where the two
 * channels' registers are, and the port instructions that reach them.
 *
 * PCI IDE Controller Specification 1.0, "Programming Interface": bit 0
 * (primary) and bit 2 (secondary) set mean the channel is in native mode
 * with its registers in BAR0/BAR1 (primary) and BAR2/BAR3 (secondary),
 * the control port at offset 2 of the second BAR; clear means
 * compatibility mode at the ISA addresses 0x1f0/0x3f6 and 0x170/0x376.
 * Bochs' and QEMU's PIIX3 (8086:7010) report 0x80: both channels in
 * compatibility mode, bus mastering present (unused: PIO only).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/cpu.h"
#include "core/log.h"
#include "drivers/ata.h"
#include "drivers/pci.h"

uint8_t ata_inb(uint16_t port)
{
	return cpu_inb(port);
}

void ata_outb(uint16_t port, uint8_t v)
{
	cpu_outb(port, v);
}

void ata_insw(uint16_t port, void *buf, uint32_t words)
{
	asm volatile("rep insw"
		     : "+D"(buf), "+c"(words)
		     : "d"(port)
		     : "memory");
}

void ata_outsw(uint16_t port, const void *buf, uint32_t words)
{
	asm volatile("rep outsw"
		     : "+S"(buf), "+c"(words)
		     : "d"(port)
		     : "memory");
}

static const uint16_t ata_compat_ports[2][2] = {
	{ 0x1f0, 0x3f6 },
	{ 0x170, 0x376 },
};

/* The command and control ports of channel @ch, or -ENODEV. */
static int ata_pci_ports(struct pci_dev *d, unsigned int ch, uint16_t *cmd,
			 uint16_t *ctl)
{
	const struct pci_bar *b0 = &d->bar[2 * ch], *b1 = &d->bar[2 * ch + 1];

	if (!(d->prog_if & (1u << (2 * ch)))) {
		*cmd = ata_compat_ports[ch][0];
		*ctl = ata_compat_ports[ch][1];
		return 0;
	}
	if (b0->type != PCI_BAR_IO || b1->type != PCI_BAR_IO || !b0->base ||
	    !b1->base || b0->size < 8 || b1->size < 4) {
		log_warn("ata: %02x:%02x.%x channel %u is in native mode "
			 "without usable I/O BARs; skipped",
			 d->bus, d->dev, d->fn, ch);
		return -ENODEV;
	}
	*cmd = (uint16_t)b0->base;
	*ctl = (uint16_t)(b1->base + 2);
	return 0;
}

static int ata_pci_probe(struct pci_dev *d, const struct pci_match *m)
{
	struct ata_chan *chans;
	int disks = 0;

	(void)m;
	chans = calloc(2, sizeof(*chans));
	if (!chans)
		return -ENOMEM;
	pci_enable(d, false, true, false);
	for (unsigned int ch = 0; ch < 2; ch++) {
		struct ata_chan *c = &chans[ch];

		c->index = ch;
		c->lock = (struct mutex)MUTEX_INIT;
		if (ata_pci_ports(d, ch, &c->cmd, &c->ctl))
			continue;
		disks += ata_channel_probe(c);
	}
	d->driver_data = chans;
	log_info("ata: %02x:%02x.%x IDE controller (prog-if %#x): %d disk%s",
		 d->bus, d->dev, d->fn, d->prog_if, disks,
		 disks == 1 ? "" : "s");
	return 0;
}

static const struct pci_match ata_ids[] = {
	PCI_CLASS(0x01, 0x01),
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(ata, ata_ids, ata_pci_probe);
