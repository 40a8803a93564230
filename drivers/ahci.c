// SPDX-License-Identifier: MIT
/*
 * AHCI 1.3.1 driver: each ATA disk behind an HBA becomes a blk_dev
 * ("ahci0", "ahci1", ... in port order). One command slot per port, a
 * command at a time: Keel's disk traffic is the config store and
 * diagnostics, not a database, and one slot keeps recovery simple (a
 * stuck command is the only one in flight).
 *
 * Completion: the HBA's MSI wakes the issuer; the issuer also re-reads
 * PxCI each 10 ms, so a lost interrupt costs latency, never a hang, and
 * every command has a deadline (-ETIMEDOUT, then a COMRESET, 10.4.2).
 * docs/ahci.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dma.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/paging.h"
#include "core/time.h"
#include "drivers/ahci.h"
#include "drivers/lapic.h"
#include "drivers/pci.h"

#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_CMD_FLUSH_CACHE_EXT 0xea
#define ATA_CMD_IDENTIFY 0xec

#define AHCI_IO_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define AHCI_FLUSH_TIMEOUT_NS (30 * NSEC_PER_SEC)
#define AHCI_POLL_NS (10 * NSEC_PER_MSEC)

static unsigned int ahci_ndisks, ahci_nhbas;

static uint32_t ahci_rd(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint32_t *)(base + off);
}

static void ahci_wr(volatile uint8_t *base, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

/* Poll until (reg & mask) == want or @ns pass; true when it got there. */
static bool ahci_wait_reg(volatile uint8_t *base, unsigned int off,
			  uint32_t mask, uint32_t want, uint64_t ns)
{
	uint64_t deadline = time_ns() + ns;

	for (;;) {
		if ((ahci_rd(base, off) & mask) == want)
			return true;
		if (time_ns() > deadline)
			return false;
		thread_sleep_ns(100 * NSEC_PER_USEC);
	}
}

/* 10.1.2: clear ST, wait CR; clear FRE, wait FR (500 ms each). */
static int ahci_port_stop(struct ahci_port *p)
{
	uint32_t cmd = ahci_rd(p->regs, AHCI_PxCMD);

	if (cmd & (AHCI_CMD_ST | AHCI_CMD_CR)) {
		ahci_wr(p->regs, AHCI_PxCMD, cmd & ~AHCI_CMD_ST);
		if (!ahci_wait_reg(p->regs, AHCI_PxCMD, AHCI_CMD_CR, 0,
				   500 * NSEC_PER_MSEC))
			return -ETIMEDOUT;
	}
	cmd = ahci_rd(p->regs, AHCI_PxCMD);
	if (cmd & (AHCI_CMD_FRE | AHCI_CMD_FR)) {
		ahci_wr(p->regs, AHCI_PxCMD, cmd & ~AHCI_CMD_FRE);
		if (!ahci_wait_reg(p->regs, AHCI_PxCMD, AHCI_CMD_FR, 0,
				   500 * NSEC_PER_MSEC))
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * 10.3.1: FRE first, then ST once the device is not busy. A device stuck
 * BSY/DRQ gets a command list override (CLO) when the HBA has it.
 */
static int ahci_port_start(struct ahci_port *p)
{
	uint32_t cmd = ahci_rd(p->regs, AHCI_PxCMD);

	ahci_wr(p->regs, AHCI_PxCMD, cmd | AHCI_CMD_FRE);
	if (!ahci_wait_reg(p->regs, AHCI_PxTFD, AHCI_TFD_BSY | AHCI_TFD_DRQ,
			   0, NSEC_PER_SEC)) {
		cmd = ahci_rd(p->regs, AHCI_PxCMD);
		ahci_wr(p->regs, AHCI_PxCMD, cmd | AHCI_CMD_CLO);
		if (!ahci_wait_reg(p->regs, AHCI_PxCMD, AHCI_CMD_CLO, 0,
				   500 * NSEC_PER_MSEC))
			return -ETIMEDOUT;
	}
	cmd = ahci_rd(p->regs, AHCI_PxCMD);
	ahci_wr(p->regs, AHCI_PxCMD, cmd | AHCI_CMD_ST);
	return 0;
}

/* 10.4.2 COMRESET: DET=1 for at least 1 ms, DET=0, wait for the link. */
static int ahci_port_comreset(struct ahci_port *p)
{
	uint32_t sctl = ahci_rd(p->regs, AHCI_PxSCTL) & ~0xfu;

	ahci_wr(p->regs, AHCI_PxSCTL, sctl | 1);
	thread_sleep_ns(2 * NSEC_PER_MSEC);
	ahci_wr(p->regs, AHCI_PxSCTL, sctl);
	if (!ahci_wait_reg(p->regs, AHCI_PxSSTS, 0xf, 3, NSEC_PER_SEC))
		return -ENODEV;
	ahci_wr(p->regs, AHCI_PxSERR, 0xffffffffu);
	return 0;
}

/*
 * After a timeout or an error (10.7.1 non-queued error recovery): stop
 * the engine (which clears PxCI), clear the errors, COMRESET if the
 * engine would not stop or the device stays busy, start again.
 */
static void ahci_port_recover(struct ahci_port *p, bool comreset)
{
	if (ahci_port_stop(p))
		comreset = true;
	ahci_wr(p->regs, AHCI_PxSERR, 0xffffffffu);
	ahci_wr(p->regs, AHCI_PxIS, 0xffffffffu);
	if (ahci_rd(p->regs, AHCI_PxTFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ))
		comreset = true;
	if (comreset && ahci_port_comreset(p))
		log_err("ahci: %s: COMRESET: no link came back", p->name);
	if (ahci_port_start(p))
		log_err("ahci: %s: command engine will not restart",
			p->name);
}

static bool ahci_slot_done(void *arg)
{
	struct ahci_port *p = arg;

	return !(ahci_rd(p->regs, AHCI_PxCI) & 1) ||
	       ((ahci_rd(p->regs, AHCI_PxIS) |
		 __atomic_load_n(&p->is_seen, __ATOMIC_ACQUIRE)) &
		AHCI_PxIS_ERRORS);
}

/*
 * Fill the PRD table for [va, va + len): one entry per physically
 * contiguous run (split at page boundaries where the mapping is not
 * contiguous). va and len must be even (4.2.3.3: DBA bit 0 reserved).
 * Returns the number of entries, or -EFAULT for an unmapped page.
 */
static int ahci_fill_prdt(struct ahci_port *p, const void *va, uint32_t len)
{
	uintptr_t v = (uintptr_t)va;
	int n = 0;

	while (len) {
		uint32_t seg = 4096 - (v & 4095);
		uint64_t pa = paging_lookup(v);

		if (!pa)
			return -EFAULT;
		if (seg > len)
			seg = len;
		if (n && p->ct->prdt[n - 1].dba +
					 ((uint64_t)p->ct->prdt[n - 1].dbau
					  << 32) +
					 (p->ct->prdt[n - 1].dbc & 0x3fffff) + 1 ==
				 pa) {
			p->ct->prdt[n - 1].dbc += seg;
		} else {
			if (n == AHCI_PRDS)
				return -E2BIG;
			p->ct->prdt[n].dba = (uint32_t)pa;
			p->ct->prdt[n].dbau = (uint32_t)(pa >> 32);
			p->ct->prdt[n].rsvd = 0;
			p->ct->prdt[n].dbc = seg - 1;
			n++;
		}
		if (!p->hba->s64a && pa + seg > (1ull << 32))
			return -EFAULT;
		v += seg;
		len -= seg;
	}
	return n;
}

/*
 * Issue one command in slot 0 and wait for it. @buf/@len: the data (len 0
 * for none). Caller holds the slot. 0, -EIO (task file error: the ATA
 * status and error registers are logged), -ETIMEDOUT.
 */
static int ahci_exec(struct ahci_port *p, uint8_t cmd, uint64_t lba,
		     uint32_t count, void *buf, uint32_t len, bool write,
		     uint64_t timeout_ns)
{
	struct ahci_cmd_hdr *h = &p->clist[0];
	uint8_t *f = p->ct->cfis;
	uint64_t deadline;
	uint32_t is, tfd;
	int nprd = 0;

	memset(p->ct, 0, offsetof(struct ahci_cmd_table, prdt));
	if (len) {
		nprd = ahci_fill_prdt(p, buf, len);
		if (nprd < 0)
			return nprd;
	}
	/* Register H2D FIS (SATA 3.x 10.5.5): C=1, LBA mode, 48-bit. */
	f[0] = 0x27;
	f[1] = 0x80;
	f[2] = cmd;
	f[4] = lba;
	f[5] = lba >> 8;
	f[6] = lba >> 16;
	f[7] = 0x40;
	f[8] = lba >> 24;
	f[9] = lba >> 32;
	f[10] = lba >> 40;
	f[12] = count;
	f[13] = count >> 8;
	h->dw0 = 5 | (write ? 1u << 6 : 0) | (uint32_t)nprd << 16;
	h->prdbc = 0;
	h->ctba = (uint32_t)p->ct_phys;
	h->ctbau = (uint32_t)(p->ct_phys >> 32);

	ahci_wr(p->regs, AHCI_PxIS, 0xffffffffu);
	__atomic_store_n(&p->is_seen, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ahci_wr(p->regs, AHCI_PxCI, 1);

	deadline = time_ns() + timeout_ns;
	while (!ahci_slot_done(p)) {
		uint64_t now = time_ns();

		if (now >= deadline) {
			p->timeouts++;
			log_err("ahci: %s: command %#x at LBA %llu timed out; "
				"resetting the port",
				p->name, cmd, (unsigned long long)lba);
			ahci_port_recover(p, true);
			return -ETIMEDOUT;
		}
		waitq_wait_timeout(&p->done_wq, ahci_slot_done, p,
				   AHCI_POLL_NS);
	}
	is = ahci_rd(p->regs, AHCI_PxIS) |
	     __atomic_load_n(&p->is_seen, __ATOMIC_ACQUIRE);
	tfd = ahci_rd(p->regs, AHCI_PxTFD);
	if ((is & AHCI_PxIS_ERRORS) || (tfd & AHCI_TFD_ERR)) {
		p->errors++;
		log_err("ahci: %s: command %#x at LBA %llu failed: status %#x "
			"error %#x (PxIS %#x)",
			p->name, cmd, (unsigned long long)lba, tfd & 0xff,
			(tfd >> 8) & 0xff, is);
		ahci_port_recover(p, false);
		return -EIO;
	}
	return 0;
}

static int ahci_xfer(struct blk_dev *dev, uint64_t lba, uint32_t n,
		     void *io, bool write)
{
	return ahci_exec(dev->priv,
			 write ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT,
			 lba, n, io, n * dev->sector_size, write,
			 AHCI_IO_TIMEOUT_NS);
}

static int ahci_rw(struct blk_dev *dev, uint64_t lba, uint32_t count,
		   void *buf, bool write)
{
	struct ahci_port *p = dev->priv;
	int rc;

	mutex_lock(&p->lock);
	/* PRD data addresses must be even (AHCI 1.3.1 4.2.3.3). */
	rc = blk_xfer_split(dev, lba, count, buf, write, AHCI_MAX_CHUNK,
			    (uintptr_t)buf & 1 ? p->bounce : NULL, ahci_xfer);
	mutex_unlock(&p->lock);
	return rc;
}

static int ahci_flush(struct blk_dev *dev)
{
	struct ahci_port *p = dev->priv;
	int rc;

	mutex_lock(&p->lock);
	rc = ahci_exec(p, ATA_CMD_FLUSH_CACHE_EXT, 0, 0, NULL, 0, false,
		       AHCI_FLUSH_TIMEOUT_NS);
	mutex_unlock(&p->lock);
	return rc;
}

static const struct blk_ops ahci_ops = {
	.rw = ahci_rw,
	.flush = ahci_flush,
};

/* IDENTIFY DEVICE (ACS-3 7.12): capacity and logical sector size. */
static int ahci_identify(struct ahci_port *p)
{
	const uint16_t *id = (const uint16_t *)p->bounce;
	uint64_t sectors;
	uint32_t ss = 512;
	int rc;

	rc = ahci_exec(p, ATA_CMD_IDENTIFY, 0, 0, p->bounce, 512, false,
		       AHCI_IO_TIMEOUT_NS);
	if (rc)
		return rc;
	blk_ident_string(id + 27, 40, true, p->model);
	blk_ident_string(id + 10, 20, true, p->serial);
	if (!(id[83] & (1u << 10))) {
		log_warn("ahci: port %u: disk %s has no 48-bit LBA; skipped",
			 p->num, p->model);
		return -EOPNOTSUPP;
	}
	sectors = id[100] | (uint64_t)id[101] << 16 |
		  (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
	/* Word 106 valid (bit 14 set, 15 clear) and bit 12: words 117-118
	 * give the logical sector size in words. */
	if ((id[106] & 0xc000) == 0x4000 && (id[106] & (1u << 12)))
		ss = 2 * (id[117] | (uint32_t)id[118] << 16);
	if (!sectors || ss < 512 || ss > 65536 || (ss & (ss - 1))) {
		log_warn("ahci: port %u: disk %s reports nonsense geometry "
			 "(%llu sectors of %u bytes); skipped",
			 p->num, p->model, (unsigned long long)sectors, ss);
		return -EINVAL;
	}
	p->dev.sectors = sectors;
	p->dev.sector_size = ss;
	return 0;
}

static void *ahci_dma(size_t size, size_t align, struct ahci_hba *hba,
		      uint64_t *phys)
{
	return dma_alloc(size, align, !hba->s64a, phys);
}

static int ahci_port_init(struct ahci_hba *hba, unsigned int n)
{
	volatile uint8_t *r = hba->regs + AHCI_PORT(n);
	uint32_t ssts = ahci_rd(r, AHCI_PxSSTS), sig;
	struct ahci_port *p;
	uint64_t phys;
	int rc;

	/* DET 3: device present, link up; IPM 1: active (3.3.10). */
	if ((ssts & 0xf) != 3 || ((ssts >> 8) & 0xf) != 1)
		return -ENODEV;
	p = ahci_dma(sizeof(*p), 64, hba, &phys);
	if (!p)
		return -ENOMEM;
	p->hba = hba;
	p->num = n;
	p->regs = r;
	p->lock = (struct mutex)MUTEX_INIT;
	p->done_wq = (struct waitq)WAITQ_INIT;
	snprintf(p->name, sizeof(p->name), "port %u", n);
	p->clist = ahci_dma(1024, 1024, hba, &p->clist_phys);
	p->fis = ahci_dma(256, 256, hba, &p->fis_phys);
	p->ct = ahci_dma(sizeof(*p->ct), 128, hba, &p->ct_phys);
	p->bounce = ahci_dma(AHCI_MAX_CHUNK, 4096, hba, &p->bounce_phys);
	if (!p->clist || !p->fis || !p->ct || !p->bounce)
		return -ENOMEM;

	rc = ahci_port_stop(p);
	if (rc) {
		log_warn("ahci: port %u: command engine will not stop", n);
		return rc;
	}
	ahci_wr(r, AHCI_PxCLB, (uint32_t)p->clist_phys);
	ahci_wr(r, AHCI_PxCLBU, (uint32_t)(p->clist_phys >> 32));
	ahci_wr(r, AHCI_PxFB, (uint32_t)p->fis_phys);
	ahci_wr(r, AHCI_PxFBU, (uint32_t)(p->fis_phys >> 32));
	ahci_wr(r, AHCI_PxSERR, 0xffffffffu);
	ahci_wr(r, AHCI_PxIS, 0xffffffffu);
	ahci_wr(r, AHCI_PxIE, AHCI_PxIS_DHRS | AHCI_PxIS_PSS |
				      AHCI_PxIS_SDBS | AHCI_PxIS_ERRORS);
	rc = ahci_port_start(p);
	if (rc) {
		log_warn("ahci: port %u: command engine will not start", n);
		return rc;
	}
	hba->ports[n] = p;

	sig = ahci_rd(r, AHCI_PxSIG);
	if (sig == AHCI_SIG_ATAPI) {
		log_info("ahci: port %u: ATAPI device (CD/DVD); skipped", n);
		return -ENODEV;
	}
	if (sig != AHCI_SIG_ATA) {
		log_info("ahci: port %u: device signature %#x is not an ATA "
			 "disk; skipped",
			 n, sig);
		return -ENODEV;
	}
	mutex_lock(&p->lock);
	rc = ahci_identify(p);
	mutex_unlock(&p->lock);
	if (rc)
		return rc;
	snprintf(p->name, sizeof(p->name), "ahci%u", ahci_ndisks++);
	p->dev.name = p->name;
	p->dev.ops = &ahci_ops;
	p->dev.priv = p;
	log_info("ahci: %s: port %u: \"%s\" serial \"%s\", %llu MiB, %u-byte "
		 "sectors",
		 p->name, n, p->model, p->serial,
		 (unsigned long long)(p->dev.sectors * p->dev.sector_size >> 20),
		 p->dev.sector_size);
	rc = blk_register(&p->dev);
	if (rc)
		log_err("ahci: %s: blk_register failed (%d)", p->name, rc);
	return rc;
}

static void ahci_irq(struct trap_frame *f, void *arg)
{
	struct ahci_hba *hba = arg;
	uint32_t is = ahci_rd(hba->regs, AHCI_IS);

	(void)f;
	for (unsigned int n = 0; n < 32; n++) {
		struct ahci_port *p = hba->ports[n];

		if (!(is & (1u << n)) || !p)
			continue;
		uint32_t pis = ahci_rd(p->regs, AHCI_PxIS);

		/* Clear PxIS before IS (10.7.2.1): an HBA re-raises IS, and
		 * sends another MSI, while any enabled PxIS bit stays set.
		 * The issuer reads the bits (errors) from is_seen. */
		__atomic_fetch_or(&p->is_seen, pis, __ATOMIC_RELEASE);
		ahci_wr(p->regs, AHCI_PxIS, pis);
		waitq_wake_all(&p->done_wq);
	}
	ahci_wr(hba->regs, AHCI_IS, is);
}

/* 10.6.3: take the HBA from the firmware when it supports handoff. */
static void ahci_bios_handoff(struct ahci_hba *hba)
{
	volatile uint8_t *r = hba->regs;

	if (!(ahci_rd(r, AHCI_CAP2) & AHCI_CAP2_BOH))
		return;
	ahci_wr(r, AHCI_BOHC, ahci_rd(r, AHCI_BOHC) | AHCI_BOHC_OOS);
	if (!ahci_wait_reg(r, AHCI_BOHC, AHCI_BOHC_BOS, 0,
			   25 * NSEC_PER_MSEC) ||
	    (ahci_rd(r, AHCI_BOHC) & AHCI_BOHC_BB)) {
		if (!ahci_wait_reg(r, AHCI_BOHC, AHCI_BOHC_BOS | AHCI_BOHC_BB,
				   0, 2 * NSEC_PER_SEC))
			log_warn("ahci: firmware did not release the HBA; "
				 "taking it anyway");
	}
}

static int ahci_probe(struct pci_dev *d, const struct pci_match *m)
{
	struct ahci_hba *hba;
	uint64_t phys;
	uint32_t pi;
	int vec, disks = 0;

	(void)m;
	if (d->prog_if != 0x01)
		return -ENODEV; /* IDE-mode or vendor-specific SATA */
	hba = dma_alloc(sizeof(*hba), 64, false, &phys);
	if (!hba)
		return -ENOMEM;
	hba->regs = pci_map_bar(d, 5); /* ABAR (2.1.11) */
	if (!hba->regs) {
		log_warn("ahci: %02x:%02x.%x: ABAR (BAR5) unusable", d->bus,
			 d->dev, d->fn);
		return -EIO;
	}
	pci_enable(d, true, false, true);
	ahci_bios_handoff(hba);

	/* 10.4.3 HBA reset, then AHCI mode (GHC.AE) before any port. */
	ahci_wr(hba->regs, AHCI_GHC, ahci_rd(hba->regs, AHCI_GHC) |
					     AHCI_GHC_AE);
	ahci_wr(hba->regs, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_HR);
	if (!ahci_wait_reg(hba->regs, AHCI_GHC, AHCI_GHC_HR, 0,
			   NSEC_PER_SEC)) {
		log_err("ahci: HBA reset did not finish; HBA ignored");
		return -ETIMEDOUT;
	}
	ahci_wr(hba->regs, AHCI_GHC, AHCI_GHC_AE);
	hba->cap = ahci_rd(hba->regs, AHCI_CAP);
	hba->s64a = hba->cap & AHCI_CAP_S64A;
	hba->index = ahci_nhbas++;
	pi = ahci_rd(hba->regs, AHCI_PI);

	vec = irq_alloc(ahci_irq, hba);
	if (vec < 0 || pci_msi_enable(d, vec, lapic_id()))
		log_warn("ahci: no MSI; completions are polled every 10 ms");
	ahci_wr(hba->regs, AHCI_IS, 0xffffffffu);
	ahci_wr(hba->regs, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_IE);

	{
		uint32_t vs = ahci_rd(hba->regs, AHCI_VS);
		log_info("ahci: HBA %u: AHCI %u.%u.%u, %u ports (implemented "
			 "%#x), %u slots, %s addressing",
			 hba->index, vs >> 16, (vs >> 8) & 0xff, vs & 0xff,
			 (hba->cap & 0x1f) + 1, pi, ((hba->cap >> 8) & 0x1f) + 1,
			 hba->s64a ? "64-bit" : "32-bit");
	}
	for (unsigned int n = 0; n < 32; n++) {
		if (!(pi & (1u << n)))
			continue;
		/* Staggered spin-up: spin the device up (10.1.1). */
		if (hba->cap & AHCI_CAP_SSS) {
			volatile uint8_t *r = hba->regs + AHCI_PORT(n);
			ahci_wr(r, AHCI_PxCMD, ahci_rd(r, AHCI_PxCMD) |
						       AHCI_CMD_SUD |
						       AHCI_CMD_POD);
		}
	}
	for (unsigned int n = 0; n < 32; n++) {
		if (!(pi & (1u << n)))
			continue;
		/* Give the link up to 10 ms to come up (10.1.2 step 3). */
		ahci_wait_reg(hba->regs + AHCI_PORT(n), AHCI_PxSSTS, 0xf, 3,
			      10 * NSEC_PER_MSEC);
		if (!ahci_port_init(hba, n))
			disks++;
	}
	d->driver_data = hba;
	log_info("ahci: HBA %u: %d disk%s", hba->index, disks,
		 disks == 1 ? "" : "s");
	return 0;
}

static const struct pci_match ahci_ids[] = {
	PCI_CLASS(0x01, 0x06),
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(ahci, ahci_ids, ahci_probe);
