// SPDX-License-Identifier: MIT
/*
 * Message signalled interrupts: MSI (PCI 3.0 6.8.1) and MSI-X (6.8.2).
 * Messages go straight to a local APIC (Intel SDM vol. 3A 11.11): address
 * 0xfee00000 | dest << 12, physical destination, no redirection hint;
 * data = vector, fixed delivery, edge. Without interrupt remapping the
 * destination field has 8 bits, so APIC IDs above 255 are refused.
 */
#include "drivers/pci.h"

#include <errno.h>

#include "core/log.h"

/* MSI capability (PCI 3.0 6.8.1, figure 6-9). */
#define MSI_CTRL 2
#define MSI_CTRL_ENABLE (1u << 0)
#define MSI_CTRL_MME_MASK (7u << 4) /* multiple message enable */
#define MSI_CTRL_64BIT (1u << 7)
#define MSI_CTRL_MASKABLE (1u << 8) /* per-vector masking */
#define MSI_ADDR 4
#define MSI_ADDR_HI 8 /* 64-bit capable only */
#define MSI_DATA(c64) ((c64) ? 0x0c : 0x08)
#define MSI_MASK(c64) ((c64) ? 0x10 : 0x0c)

/* MSI-X capability and table (PCI 3.0 6.8.2, figures 6-10, 6-11). */
#define MSIX_CTRL 2
#define MSIX_CTRL_SIZE_MASK 0x7ffu /* table size - 1 */
#define MSIX_CTRL_FMASK (1u << 14)
#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_TABLE 4 /* offset | BIR in bits 2:0 */
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_ADDR 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA 8
#define MSIX_ENTRY_CTRL 12
#define MSIX_ENTRY_MASKED 1u

uint32_t pci_msi_address(uint32_t dest_apic_id)
{
	return 0xfee00000u | (dest_apic_id & 0xff) << 12;
}

uint32_t pci_msi_data(uint8_t vector)
{
	/* Bit 15 trigger 0 = edge, bits 10:8 delivery 000 = fixed. */
	return vector;
}

static bool pci_msi_args_ok(uint8_t vector, uint32_t dest)
{
	return vector >= 32 && dest <= 0xff;
}

int pci_msi_enable(struct pci_dev *d, uint8_t vector, uint32_t dest_apic_id)
{
	uint8_t c = d->msi_cap;
	uint16_t ctrl;
	bool c64;

	if (!c)
		return -ENODEV;
	if (!pci_msi_args_ok(vector, dest_apic_id))
		return -EINVAL;
	ctrl = pci_read16(d, c + MSI_CTRL);
	c64 = ctrl & MSI_CTRL_64BIT;
	/* Off while the message changes, one vector (MME 000). */
	ctrl &= ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK);
	pci_write16(d, c + MSI_CTRL, ctrl);
	pci_write32(d, c + MSI_ADDR, pci_msi_address(dest_apic_id));
	if (c64)
		pci_write32(d, c + MSI_ADDR_HI, 0);
	pci_write16(d, c + MSI_DATA(c64), pci_msi_data(vector));
	if (ctrl & MSI_CTRL_MASKABLE)
		pci_write32(d, c + MSI_MASK(c64), 0);
	/* A function using MSI must not also assert INTx (6.8). */
	pci_write16(d, PCI_COMMAND,
		    pci_read16(d, PCI_COMMAND) | PCI_CMD_INTX_DISABLE);
	pci_write16(d, c + MSI_CTRL, ctrl | MSI_CTRL_ENABLE);
	return 0;
}

void pci_msi_disable(struct pci_dev *d)
{
	if (d->msi_cap)
		pci_write16(d, d->msi_cap + MSI_CTRL,
			    pci_read16(d, d->msi_cap + MSI_CTRL) &
				    ~MSI_CTRL_ENABLE);
}

int pci_msi_mask(struct pci_dev *d, bool masked)
{
	uint8_t c = d->msi_cap;
	uint16_t ctrl;

	if (!c)
		return -ENODEV;
	ctrl = pci_read16(d, c + MSI_CTRL);
	if (!(ctrl & MSI_CTRL_MASKABLE))
		return -EOPNOTSUPP;
	pci_write32(d, c + MSI_MASK(ctrl & MSI_CTRL_64BIT), masked ? 1 : 0);
	return 0;
}

/*
 * The MSI-X table, mapped through its BAR, checked to lie inside it.
 * Returns NULL after logging when it does not.
 */
static volatile uint32_t *pci_msix_table(struct pci_dev *d,
					 unsigned int *entries)
{
	uint8_t c = d->msix_cap;
	uint32_t t = pci_read32(d, c + MSIX_TABLE);
	unsigned int bir = t & 7;
	uint64_t off = t & ~7u;
	uint8_t *bar;

	*entries = (pci_read16(d, c + MSIX_CTRL) & MSIX_CTRL_SIZE_MASK) + 1;
	if (bir >= PCI_NUM_BARS ||
	    off + (uint64_t)*entries * MSIX_ENTRY_SIZE > d->bar[bir].size ||
	    !(bar = pci_map_bar(d, bir))) {
		log_warn("pci: %02x:%02x.%x MSI-X table BAR%u+%#llx unusable",
			 d->bus, d->dev, d->fn, bir, (unsigned long long)off);
		return NULL;
	}
	return (volatile uint32_t *)(bar + off);
}

int pci_msix_enable(struct pci_dev *d, unsigned int n, const uint8_t *vectors,
		    uint32_t dest)
{
	uint8_t c = d->msix_cap;
	volatile uint32_t *tab;
	unsigned int entries;
	uint16_t ctrl;

	if (!c)
		return -ENODEV;
	if (!n || dest > 0xff)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (!pci_msi_args_ok(vectors[i], dest))
			return -EINVAL;
	tab = pci_msix_table(d, &entries);
	if (!tab)
		return -EIO;
	if (n > entries)
		return -EINVAL;
	/*
	 * Enabled with the function mask set while entries change, so no
	 * half-written message can fire (6.8.2.3); the table is reachable
	 * only with memory decoding on.
	 */
	ctrl = pci_read16(d, c + MSIX_CTRL);
	pci_write16(d, c + MSIX_CTRL,
		    ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_CMD_MEM);
	for (unsigned int i = 0; i < entries; i++) {
		volatile uint32_t *e = tab + i * MSIX_ENTRY_SIZE / 4;

		e[MSIX_ENTRY_CTRL / 4] = MSIX_ENTRY_MASKED;
		if (i >= n)
			continue;
		e[MSIX_ENTRY_ADDR / 4] = pci_msi_address(dest);
		e[MSIX_ENTRY_ADDR_HI / 4] = 0;
		e[MSIX_ENTRY_DATA / 4] = pci_msi_data(vectors[i]);
		e[MSIX_ENTRY_CTRL / 4] = 0;
	}
	pci_write16(d, PCI_COMMAND,
		    pci_read16(d, PCI_COMMAND) | PCI_CMD_INTX_DISABLE);
	pci_write16(d, c + MSIX_CTRL,
		    (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FMASK);
	return 0;
}

int pci_msix_mask(struct pci_dev *d, unsigned int entry, bool masked)
{
	volatile uint32_t *tab;
	unsigned int entries;

	if (!d->msix_cap)
		return -ENODEV;
	tab = pci_msix_table(d, &entries);
	if (!tab)
		return -EIO;
	if (entry >= entries)
		return -EINVAL;
	tab[entry * MSIX_ENTRY_SIZE / 4 + MSIX_ENTRY_CTRL / 4] =
		masked ? MSIX_ENTRY_MASKED : 0;
	return 0;
}

void pci_msix_disable(struct pci_dev *d)
{
	if (d->msix_cap)
		pci_write16(d, d->msix_cap + MSIX_CTRL,
			    pci_read16(d, d->msix_cap + MSIX_CTRL) &
				    ~MSIX_CTRL_ENABLE);
}
