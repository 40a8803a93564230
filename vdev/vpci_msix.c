// SPDX-License-Identifier: MIT
/*
 * MSI-X of vpci's devices (PCI Local Bus 3.0 section 6.8.2): the
 * capability (Message Control with MSI-X Enable and Function Mask, table
 * and PBA offsets), the table of 16-byte entries (address, data, vector
 * control with its Mask bit) and the Pending Bit Array, both in a BAR.
 *
 * A vector signalled while masked (its own Mask bit or the Function Mask)
 * sets its pending bit and is sent when unmasked (6.8.2.9); with MSI-X
 * disabled nothing is recorded. A message whose address is not in the
 * local APIC range 0xfeexxxxx is dropped (an x86 root complex would write
 * it to memory; no guest that works does that).
 */
#include "vdev/vpci_msix.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/vplat.h"

/* Message Control (6.8.2.3) */
#define VPCI_MSIX_ENABLE 0x8000
#define VPCI_MSIX_FMASK 0x4000
/* Vector Control (6.8.2.9) */
#define VPCI_MSIX_VMASK 1u

static uint32_t pba_off(const struct vpci_dev *d)
{
	return d->msix_off + d->msix_vectors * VPCI_MSIX_ENTRY;
}

static uint32_t pba_len(const struct vpci_dev *d)
{
	return (d->msix_vectors + 63) / 64 * 8;
}

size_t vpci_msix_mem_size(const struct vpci_dev *d)
{
	if (!d->msix_vectors)
		return 0;
	return (size_t)d->msix_vectors * VPCI_MSIX_ENTRY + pba_len(d);
}

int vpci_msix_setup(struct vpci_dev *d, void *mem)
{
	const struct vpci_bar *b;
	uint8_t body[10], wmask[10] = { 0 };
	int off;

	if (d->msix_vectors > 2048 || d->msix_bar >= VPCI_BARS)
		return -EINVAL;
	b = &d->bar[d->msix_bar];
	/* The table is 8-byte aligned with its BIR in the low 3 bits; here
	 * the PBA follows the table and both lie inside the BAR. */
	if (!b->size || (d->msix_off & 7) ||
	    (uint64_t)pba_off(d) + pba_len(d) > b->size)
		return -EINVAL;
	d->msix_table = mem;
	d->msix_pba =
	    (uint64_t *)((uint8_t *)mem + d->msix_vectors * VPCI_MSIX_ENTRY);
	for (unsigned int i = 0; i < d->msix_vectors; i++)
		d->msix_table[4 * i + 3] = VPCI_MSIX_VMASK;

	body[0] = (d->msix_vectors - 1) & 0xff; /* Table Size is N - 1 */
	body[1] = (d->msix_vectors - 1) >> 8;
	wmask[1] = (VPCI_MSIX_ENABLE | VPCI_MSIX_FMASK) >> 8;
	for (int i = 0; i < 4; i++) {
		body[2 + i] = (d->msix_off | d->msix_bar) >> (8 * i);
		body[6 + i] = (pba_off(d) | d->msix_bar) >> (8 * i);
	}
	off = vpci_cap_add(d, VPCI_CAP_MSIX, body, wmask, sizeof(body));
	if (off < 0)
		return off;
	d->msix_cap = off;
	return 0;
}

bool vpci_msix_claims(const struct vpci_dev *d, unsigned int bar, uint64_t off,
		      unsigned int size)
{
	return d->msix_vectors && bar == d->msix_bar &&
	       off + size > d->msix_off &&
	       off < (uint64_t)pba_off(d) + pba_len(d);
}

static uint16_t msg_ctrl(const struct vpci_dev *d)
{
	return d->cfg[d->msix_cap + 2] | d->cfg[d->msix_cap + 3] << 8;
}

/* Vector @v may be sent now (d->lock held). */
static bool vector_open(const struct vpci_dev *d, unsigned int v)
{
	uint16_t mc = msg_ctrl(d);

	return (mc & VPCI_MSIX_ENABLE) && !(mc & VPCI_MSIX_FMASK) &&
	       !(d->msix_table[4 * v + 3] & VPCI_MSIX_VMASK);
}

/* Send vector @v's message (d->lock held: device before LAPIC is the
 * lock order of vdev/vplat.h). */
static void vector_send(struct vpci_dev *d, unsigned int v)
{
	uint64_t addr =
	    d->msix_table[4 * v] | (uint64_t)d->msix_table[4 * v + 1] << 32;

	if ((addr >> 20) != 0xfee)
		return;
	vlapic_msi(d->vm, addr, d->msix_table[4 * v + 2]);
}

/* Send and clear the pending vectors that are open now. */
static void deliver_pending(struct vpci_dev *d)
{
	for (unsigned int v = 0; v < d->msix_vectors; v++) {
		uint64_t bit = 1ull << (v % 64);

		if ((d->msix_pba[v / 64] & bit) && vector_open(d, v)) {
			d->msix_pba[v / 64] &= ~bit;
			vector_send(d, v);
		}
	}
}

void vpci_msix_cfg_written(struct vpci_dev *d)
{
	deliver_pending(d);
}

void vpci_msix_access(struct vpci_dev *d, uint64_t off, unsigned int size,
		      bool write, uint64_t *data)
{
	uint64_t tab = d->msix_off, pba = pba_off(d);
	uint64_t tab_end = tab + (uint64_t)d->msix_vectors * VPCI_MSIX_ENTRY;
	uint64_t flags;
	uint64_t val = 0;

	flags = spin_lock_irqsave(&d->lock);
	if (off >= tab && off + size <= tab_end) {
		uint8_t *t = (uint8_t *)d->msix_table;
		unsigned int first = (off - tab) / VPCI_MSIX_ENTRY;
		unsigned int last = (off + size - 1 - tab) / VPCI_MSIX_ENTRY;

		if (write) {
			for (unsigned int i = 0; i < size; i++)
				t[off - tab + i] = *data >> (8 * i);
			/* Vector Control bits 31:1 are reserved, read 0. */
			for (unsigned int v = first; v <= last; v++)
				d->msix_table[4 * v + 3] &= VPCI_MSIX_VMASK;
			deliver_pending(d);
		} else {
			for (unsigned int i = 0; i < size; i++)
				val |= (uint64_t)t[off - tab + i] << (8 * i);
			*data = val;
		}
	} else if (off >= pba && off + size <= pba + pba_len(d)) {
		/* The PBA is read only (6.8.2.10). */
		if (!write) {
			const uint8_t *b = (const uint8_t *)d->msix_pba;

			for (unsigned int i = 0; i < size; i++)
				val |= (uint64_t)b[off - pba + i] << (8 * i);
			*data = val;
		}
	} else if (!write) {
		*data = ~0ull; /* straddles the table's edge: undefined */
	}
	spin_unlock_irqrestore(&d->lock, flags);
}

bool vpci_msix_notify(struct vpci_dev *d, unsigned int vector)
{
	uint64_t flags;
	bool on;

	if (!d->msix_vectors || vector >= d->msix_vectors)
		return false;
	flags = spin_lock_irqsave(&d->lock);
	on = msg_ctrl(d) & VPCI_MSIX_ENABLE;
	if (on) {
		if (vector_open(d, vector))
			vector_send(d, vector);
		else
			d->msix_pba[vector / 64] |= 1ull << (vector % 64);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return on;
}
