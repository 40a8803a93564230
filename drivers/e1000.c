// SPDX-License-Identifier: MIT
/*
 * Intel 82540EM (e1000, 8086:100e) and 82574L (e1000e, 8086:10d3): one
 * driver, as both take legacy receive and transmit descriptors (8254x SDM
 * 3.2/3.3; 82574 7.1.4 and 7.2.10 keep the legacy formats). Frames cross
 * drivers/nic.h as bytes: received ones are handed to nic_rx() from the
 * 2 KiB ring buffer, sent ones are copied into the slot's buffer, so no
 * pbuf ever sits on a ring.
 *
 * Interrupts: the 82574L uses MSI. The 82540EM (as QEMU builds it) has no
 * MSI capability, so its INTx is routed through the IOAPIC: on the i440fx
 * machine the interrupt line register holds the ISA IRQ the PIIX3 routes
 * it to, and QEMU's ACPI tables make those lines level-triggered, active
 * high. The handler only reads ICR (which acknowledges and, for INTx,
 * deasserts) and calls nic_notify(); everything else runs in the NIC
 * thread. If no interrupt ever arrives while frames do, the driver falls
 * back to polling every E1000_FALLBACK_POLL_NS.
 */
#include <errno.h>
#include <string.h>

#include "core/dma.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/e1000.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"
#include "drivers/nic.h"
#include "drivers/pci.h"

#define E1000_NRX 128 /* RDLEN must be a multiple of 128 bytes */
#define E1000_NTX 128
#define E1000_BUF 2048
#define E1000_RESET_TIMEOUT_NS (100 * 1000000ull)
#define E1000_EERD_TIMEOUT_NS (10 * 1000000ull)
#define E1000_STATS_PERIOD_NS NSEC_PER_SEC
#define E1000_FALLBACK_POLL_NS (2 * 1000000ull)
#define E1000_MAX_ADAPTERS 4

struct e1000 {
	struct nic nic;
	struct pci_dev *pci;
	volatile uint8_t *regs;
	bool is_82574;
	/* Receive ring: NIC thread only. */
	struct e1000_rx_desc *rx;
	uint8_t *rx_buf;
	unsigned int rx_next;
	bool rx_partial; /* dropping the rest of a multi-buffer frame */
	/* Transmit ring: under nic.tx_lock. */
	struct e1000_tx_desc *tx;
	uint8_t *tx_buf;
	uint64_t tx_buf_phys;
	unsigned int tx_tail, tx_clean;
	/* Interrupts. */
	int vector;	 /* -1: none */
	bool polling;	 /* fallback: no interrupt ever came */
	uint64_t irqs;	 /* handler runs (ICR non-zero) */
	uint64_t stats_at;
};

static struct e1000 e1000_adapters[E1000_MAX_ADAPTERS];
static unsigned int e1000_nadapters;

static uint32_t e1000_rd(struct e1000 *e, uint32_t reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void e1000_wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

/* Interrupt context: acknowledge, wake the NIC thread, nothing else. */
static void e1000_irq(struct trap_frame *f, void *arg)
{
	struct e1000 *e = arg;

	if (!e1000_rd(e, E1000_ICR))
		return; /* not ours (a shared line) */
	e->irqs++;
	nic_notify(&e->nic);
}

/* One EEPROM word through EERD (8254x SDM 5.3.1, 82574 10.2.2.4). */
static int e1000_eeprom_read(struct e1000 *e, unsigned int word, uint16_t *out)
{
	uint32_t done = e->is_82574 ? E1000_EERD_DONE_82574 :
				      E1000_EERD_DONE_8254X;
	unsigned int shift = e->is_82574 ? E1000_EERD_ADDR_SHIFT_82574 :
					   E1000_EERD_ADDR_SHIFT_8254X;
	uint64_t deadline = time_ns() + E1000_EERD_TIMEOUT_NS;

	e1000_wr(e, E1000_EERD, word << shift | E1000_EERD_START);
	while (time_ns() < deadline) {
		uint32_t v = e1000_rd(e, E1000_EERD);
		if (v & done) {
			*out = v >> 16;
			return 0;
		}
		asm volatile("pause");
	}
	return -ETIMEDOUT;
}

static bool e1000_mac_ok(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6);
}

/* The permanent address: EEPROM words 0-2, else what RAL0/RAH0 hold
 * after reset (the hardware loads them from the EEPROM itself). */
static int e1000_read_mac(struct e1000 *e)
{
	uint8_t *m = e->nic.mac;
	uint16_t w;

	for (unsigned int i = 0; i < 3; i++) {
		if (e1000_eeprom_read(e, i, &w))
			goto from_ral;
		m[2 * i] = w & 0xff;
		m[2 * i + 1] = w >> 8;
	}
	if (e1000_mac_ok(m))
		return 0;
from_ral:;
	uint32_t lo = e1000_rd(e, E1000_RAL0), hi = e1000_rd(e, E1000_RAH0);
	for (unsigned int i = 0; i < 4; i++)
		m[i] = lo >> (8 * i);
	m[4] = hi;
	m[5] = hi >> 8;
	return e1000_mac_ok(m) ? 0 : -ENXIO;
}

/* Global reset (8254x SDM 14.3, 82574 4.6.1): interrupts masked before and
 * after, as the reset does not clear pending causes on every part. */
static int e1000_reset(struct e1000 *e)
{
	e1000_wr(e, E1000_IMC, 0xffffffff);
	e1000_wr(e, E1000_RCTL, 0);
	e1000_wr(e, E1000_TCTL, E1000_TCTL_PSP);
	(void)e1000_rd(e, E1000_STATUS);
	thread_sleep_ns(10 * 1000000ull); /* let DMA in flight finish */
	e1000_wr(e, E1000_CTRL, e1000_rd(e, E1000_CTRL) | E1000_CTRL_RST);
	thread_sleep_ns(1000000ull);
	uint64_t deadline = time_ns() + E1000_RESET_TIMEOUT_NS;
	while (e1000_rd(e, E1000_CTRL) & E1000_CTRL_RST) {
		if (time_ns() > deadline)
			return -ETIMEDOUT;
		thread_sleep_ns(1000000ull);
	}
	e1000_wr(e, E1000_IMC, 0xffffffff);
	(void)e1000_rd(e, E1000_ICR);
	/* Link up with speed and duplex from auto-negotiation. */
	uint32_t ctrl = e1000_rd(e, E1000_CTRL);
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS);
	e1000_wr(e, E1000_CTRL, ctrl | E1000_CTRL_SLU | E1000_CTRL_ASDE);
	return 0;
}

static int e1000_rings(struct e1000 *e)
{
	uint64_t rx_phys, rxb_phys, tx_phys;

	e->rx = dma_alloc(E1000_NRX * sizeof(*e->rx), 128, false, &rx_phys);
	e->rx_buf = dma_alloc(E1000_NRX * E1000_BUF, 4096, false, &rxb_phys);
	e->tx = dma_alloc(E1000_NTX * sizeof(*e->tx), 128, false, &tx_phys);
	e->tx_buf = dma_alloc(E1000_NTX * E1000_BUF, 4096, false,
			      &e->tx_buf_phys);
	if (!e->rx || !e->rx_buf || !e->tx || !e->tx_buf)
		return -ENOMEM;

	for (unsigned int i = 0; i < E1000_NRX; i++)
		e->rx[i] = (struct e1000_rx_desc){ .addr = rxb_phys +
							   i * E1000_BUF };
	memset(e->tx, 0, E1000_NTX * sizeof(*e->tx));
	e->rx_next = e->tx_tail = e->tx_clean = 0;

	e1000_wr(e, E1000_RDBAL, (uint32_t)rx_phys);
	e1000_wr(e, E1000_RDBAH, rx_phys >> 32);
	e1000_wr(e, E1000_RDLEN, E1000_NRX * sizeof(*e->rx));
	e1000_wr(e, E1000_RDH, 0);
	e1000_wr(e, E1000_RDT, E1000_NRX - 1);
	e1000_wr(e, E1000_RDTR, 0); /* interrupt per frame, no delay */
	e1000_wr(e, E1000_ITR, 0);
	e1000_wr(e, E1000_TDBAL, (uint32_t)tx_phys);
	e1000_wr(e, E1000_TDBAH, tx_phys >> 32);
	e1000_wr(e, E1000_TDLEN, E1000_NTX * sizeof(*e->tx));
	e1000_wr(e, E1000_TDH, 0);
	e1000_wr(e, E1000_TDT, 0);
	/* IEEE 802.3 IPG for copper: IPGT 10, IPGR1 8, IPGR2 6 (13.4.34). */
	e1000_wr(e, E1000_TIPG, 10 | 8 << 10 | 6 << 20);
	for (unsigned int i = 0; i < 128; i++)
		e1000_wr(e, E1000_MTA + 4 * i, 0);
	/* Our address in RAR0, valid. */
	const uint8_t *m = e->nic.mac;
	e1000_wr(e, E1000_RAL0, m[0] | m[1] << 8 | m[2] << 16 |
					(uint32_t)m[3] << 24);
	e1000_wr(e, E1000_RAH0, m[4] | m[5] << 8 | E1000_RAH_AV);
	/* Broadcast, FCS stripped, 2 KiB buffers, no long frames: anything
	 * over 1522 bytes is dropped by the MAC (and counted in ROC). */
	e1000_wr(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM |
					E1000_RCTL_SECRC);
	e1000_wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
					E1000_TCTL_CT(0x0f) |
					E1000_TCTL_COLD(0x40));
	return 0;
}

/* Under tx_lock: slots the adapter finished with (RS set on each). */
static void e1000_tx_reap(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail &&
	       (__atomic_load_n(&e->tx[e->tx_clean].status, __ATOMIC_ACQUIRE) &
		E1000_TXD_STAT_DD))
		e->tx_clean = (e->tx_clean + 1) % E1000_NTX;
}

static int e1000_xmit(struct nic *n, const struct nic_seg *seg,
		      unsigned int nseg, size_t len)
{
	struct e1000 *e = n->priv;
	unsigned int slot = e->tx_tail, next = (slot + 1) % E1000_NTX;

	if (len > E1000_BUF)
		return -EINVAL;
	if (next == e->tx_clean) {
		e1000_tx_reap(e);
		if (next == e->tx_clean)
			return -EAGAIN;
	}
	uint8_t *buf = e->tx_buf + (size_t)slot * E1000_BUF;
	for (unsigned int i = 0; i < nseg; i++) {
		memcpy(buf, seg[i].data, seg[i].len);
		buf += seg[i].len;
	}
	struct e1000_tx_desc *d = &e->tx[slot];
	d->addr = e->tx_buf_phys + (uint64_t)slot * E1000_BUF;
	d->length = (uint16_t)len;
	d->cso = d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* descriptor before TDT */
	e->tx_tail = next;
	e1000_wr(e, E1000_TDT, next);
	return 0;
}

/* NIC thread: hand every completed receive buffer to nic_rx(). */
static unsigned int e1000_rx_reap(struct e1000 *e)
{
	unsigned int got = 0, last = E1000_NRX;

	for (unsigned int budget = E1000_NRX; budget; budget--) {
		struct e1000_rx_desc *d = &e->rx[e->rx_next];
		uint8_t st = __atomic_load_n(&d->status, __ATOMIC_ACQUIRE);
		if (!(st & E1000_RXD_STAT_DD))
			break;
		if (!(st & E1000_RXD_STAT_EOP)) {
			/* Longer than one buffer: LPE is off, so it is
			 * oversized; drop it to its end. */
			if (!e->rx_partial)
				e->nic.stats.rx_dropped++;
			e->rx_partial = true;
		} else if (e->rx_partial) {
			e->rx_partial = false;
		} else if (d->errors & E1000_RXD_ERR_FRAME) {
			e->nic.stats.rx_errors++;
		} else {
			/* nic_rx drops runts and oversized frames. */
			nic_rx(&e->nic, e->rx_buf + (size_t)e->rx_next * E1000_BUF,
			       d->length);
		}
		d->status = 0;
		last = e->rx_next;
		e->rx_next = (e->rx_next + 1) % E1000_NRX;
		got++;
	}
	if (last != E1000_NRX) /* give the buffers back in one write */
		e1000_wr(e, E1000_RDT, last);
	return got;
}

static void e1000_link(struct e1000 *e)
{
	static const uint32_t speeds[4] = { 10, 100, 1000, 1000 };
	uint32_t st = e1000_rd(e, E1000_STATUS);

	nic_set_link(&e->nic, st & E1000_STATUS_LU,
		     speeds[(st >> E1000_STATUS_SPEED_SHIFT) & 3],
		     st & E1000_STATUS_FD);
}

/* The adapter's clear-on-read error counters, folded in once a second. */
static void e1000_stats(struct e1000 *e)
{
	struct nic_stats *s = &e->nic.stats;

	s->rx_errors += e1000_rd(e, E1000_CRCERRS) +
			e1000_rd(e, E1000_ALGNERRC) + e1000_rd(e, E1000_RXERRC);
	/* Missed (no buffer), undersized and oversized frames. */
	s->rx_dropped += e1000_rd(e, E1000_MPC) + e1000_rd(e, E1000_RUC) +
			 e1000_rd(e, E1000_ROC);
}

static void e1000_poller(void *arg)
{
	struct e1000 *e = arg;

	for (;;) {
		thread_sleep_ns(E1000_FALLBACK_POLL_NS);
		nic_notify(&e->nic);
	}
}

static void e1000_poll(struct nic *n)
{
	struct e1000 *e = n->priv;
	unsigned int got = e1000_rx_reap(e);
	uint64_t now = time_ns();

	uint64_t flags = spin_lock_irqsave(&n->tx_lock);
	e1000_tx_reap(e);
	spin_unlock_irqrestore(&n->tx_lock, flags);
	e1000_link(e);

	if (now - e->stats_at < E1000_STATS_PERIOD_NS)
		return;
	e->stats_at = now;
	e1000_stats(e);
	/* Frames arrived but no interrupt ever did: route broken, poll. */
	if (!e->polling && !e->irqs && got) {
		e->polling = true;
		log_warn("%s: no interrupt from the adapter; polling every "
			 "%llu ms instead",
			 n->name, E1000_FALLBACK_POLL_NS / 1000000ull);
		if (!thread_create("e1000poll", e1000_poller, e, NULL))
			log_err("%s: no polling thread either", n->name);
	}
}

static int e1000_set_rx_filter(struct nic *n, const struct nic_rx_filter *f)
{
	struct e1000 *e = n->priv;
	uint32_t mta[128] = { 0 };

	for (unsigned int i = 0; i < f->nmcast && i < NIC_MAX_MCAST; i++) {
		unsigned int h = e1000_mta_hash(f->mcast[i]);
		mta[h >> 5] |= 1u << (h & 31);
	}
	for (unsigned int i = 0; i < 128; i++)
		e1000_wr(e, E1000_MTA + 4 * i, mta[i]);
	uint32_t rctl = e1000_rd(e, E1000_RCTL) &
			~(E1000_RCTL_UPE | E1000_RCTL_MPE);
	if (f->promisc)
		rctl |= E1000_RCTL_UPE | E1000_RCTL_MPE;
	else if (f->all_multi)
		rctl |= E1000_RCTL_MPE;
	e1000_wr(e, E1000_RCTL, rctl);
	return 0;
}

static const struct nic_ops e1000_ops = {
	.xmit = e1000_xmit,
	.poll = e1000_poll,
	.set_rx_filter = e1000_set_rx_filter,
};

/* MSI on the 82574L; INTx through the IOAPIC otherwise. */
static void e1000_setup_irq(struct e1000 *e)
{
	struct pci_dev *d = e->pci;
	int v = irq_alloc(e1000_irq, e);

	e->vector = -1;
	if (v < 0) {
		log_warn("%s: no interrupt vector left", e->nic.model);
		return;
	}
	if (d->msi_cap && pci_msi_enable(d, (uint8_t)v, lapic_id()) == 0) {
		e->vector = v;
		return;
	}
	if (d->irq_pin && d->irq_line && d->irq_line < 16) {
		uint32_t gsi = ioapic_isa_gsi(d->irq_line);
		pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) &
						    ~PCI_CMD_INTX_DISABLE);
		if (ioapic_route_gsi(gsi, (uint8_t)v, lapic_id(), true,
				     false) == 0) {
			e->vector = v;
			return;
		}
	}
	irq_free((unsigned int)v);
	log_warn("%s: no usable interrupt (INTx line %u); the NIC thread "
		 "polls",
		 e->nic.model, d->irq_line);
}

static int e1000_probe(struct pci_dev *d, const struct pci_match *m)
{
	if (e1000_nadapters == E1000_MAX_ADAPTERS)
		return -ENOSPC;
	struct e1000 *e = &e1000_adapters[e1000_nadapters];
	int r;

	memset(e, 0, sizeof(*e));
	e->pci = d;
	e->is_82574 = d->device == 0x10d3;
	e->nic.model = e->is_82574 ? "Intel 82574L (e1000e)" :
				     "Intel 82540EM (e1000)";
	e->regs = pci_map_bar(d, 0);
	if (!e->regs || d->bar[0].type == PCI_BAR_IO) {
		log_err("%s: BAR0 is not a usable memory BAR", e->nic.model);
		return -ENODEV;
	}
	pci_enable(d, true, false, true);
	if ((r = e1000_reset(e))) {
		log_err("%s: reset did not complete (%d)", e->nic.model, r);
		return r;
	}
	if ((r = e1000_read_mac(e))) {
		log_err("%s: no valid MAC address in EEPROM or RAR0",
			e->nic.model);
		return r;
	}
	if ((r = e1000_rings(e))) {
		log_err("%s: no memory for rings", e->nic.model);
		return r;
	}
	e->nic.ops = &e1000_ops;
	e->nic.priv = e;
	e1000_setup_irq(e);
	e1000_wr(e, E1000_IMS, E1000_ICR_LSC | E1000_ICR_RXT0 |
				       E1000_ICR_RXDMT0 | E1000_ICR_RXO |
				       E1000_ICR_TXDW);
	if ((r = nic_register(&e->nic)))
		return r;
	e1000_nadapters++;
	e1000_link(e);
	d->driver_data = e;
	return 0;
}

static const struct pci_match e1000_ids[] = {
	PCI_ID(0x8086, 0x100e), /* 82540EM: QEMU "e1000" */
	PCI_ID(0x8086, 0x10d3), /* 82574L: QEMU "e1000e" */
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(e1000, e1000_ids, e1000_probe);
