// SPDX-License-Identifier: MIT
/*
 * Parallel ATA disks in PIO mode (docs/ata.md): the register protocol of
 * ATA8-APT (parallel transport) and the commands of ATA8-ACS. Each disk
 * on a channel becomes a blk_dev "ata<N>".
 *
 * Why PIO and polling: this driver exists for the disks emulators boot
 * from (Bochs has no AHCI or NVMe; QEMU's default PC has IDE), where
 * every data word is emulated anyway and bus-master DMA would buy little;
 * Keel's disk traffic is the config store, keel.cfg and diagnostics.
 * Interrupts are off (nIEN): no INTx routing is needed (Keel has no
 * ACPI _PRT), and each wait polls the Alternate Status register, first
 * for a few tens of microseconds, then sleeping between looks.
 *
 * Every wait has a deadline. A device that stays busy, or breaks the
 * protocol (no DRQ where data must come), gets a software reset of its
 * channel and the caller gets an error; an aborted command (ERR) is
 * logged with its Error register and gets -EIO.
 */
#include "drivers/ata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"

#define ATA_IO_TIMEOUT_NS (10 * NSEC_PER_SEC)	 /* per DRQ block */
#define ATA_FLUSH_TIMEOUT_NS (30 * NSEC_PER_SEC) /* a cache to write out */
/* ATA8-APT allows a device 31 s to clear BSY after a reset (spin-up);
 * emulated disks take microseconds. */
#define ATA_RESET_TIMEOUT_NS (31 * NSEC_PER_SEC)
#define ATA_SPIN_NS (50 * NSEC_PER_USEC)
#define ATA_POLL_NS (100 * NSEC_PER_USEC)

enum ata_dir { ATA_NODATA, ATA_IN, ATA_OUT };

static unsigned int ata_ndisks;

static uint8_t ata_alt_status(struct ata_chan *c)
{
	return ata_inb(c->ctl);
}

/*
 * ATA8-APT: the host waits 400 ns after writing the Command or Device
 * register before it trusts the Status register; four reads of
 * Alternate Status take that long on an ISA-timed port.
 */
static void ata_delay400(struct ata_chan *c)
{
	for (int i = 0; i < 4; i++)
		ata_alt_status(c);
}

/* Wait for BSY to clear: the status, or -ETIMEDOUT. A floating bus
 * (0xff, nothing attached) never clears BSY. */
static int ata_wait_idle(struct ata_chan *c, uint64_t timeout_ns)
{
	uint64_t start = time_ns();

	for (;;) {
		uint8_t st = ata_alt_status(c);
		uint64_t spent;

		if (!(st & ATA_SR_BSY))
			return st;
		spent = time_ns() - start;
		if (spent > timeout_ns)
			return -ETIMEDOUT;
		if (spent > ATA_SPIN_NS)
			thread_sleep_ns(ATA_POLL_NS);
	}
}

/*
 * ATA8-APT software reset protocol: SRST for at least 5 us, then at
 * least 2 ms before the status means anything, then wait for device 0
 * to clear BSY. Device 0 is selected afterwards. nIEN stays set.
 */
static int ata_reset(struct ata_chan *c)
{
	int st;

	ata_outb(c->ctl, ATA_DC_NIEN | ATA_DC_SRST);
	time_delay_ns(5 * NSEC_PER_USEC);
	ata_outb(c->ctl, ATA_DC_NIEN);
	thread_sleep_ns(2 * NSEC_PER_MSEC);
	c->selected = -1;
	st = ata_wait_idle(c, ATA_RESET_TIMEOUT_NS);
	return st < 0 ? st : 0;
}

/*
 * ATA8-APT device selection: BSY and DRQ clear, write the Device
 * register (with @bits: LBA, and LBA 27:24 of a 28-bit command), 400 ns,
 * BSY and DRQ clear again. The status, or -ETIMEDOUT, or -EPROTO when
 * the device holds DRQ with no command running.
 */
static int ata_select(struct ata_chan *c, unsigned int unit, uint8_t bits)
{
	int st = ata_wait_idle(c, ATA_IO_TIMEOUT_NS);

	if (st < 0)
		return st;
	if (st & ATA_SR_DRQ)
		return -EPROTO;
	ata_outb(c->cmd + ATA_REG_DEVICE,
		 ATA_DEV_OBS | (unit ? ATA_DEV_DEV : 0) | bits);
	ata_delay400(c);
	c->selected = (int)unit;
	st = ata_wait_idle(c, ATA_IO_TIMEOUT_NS);
	if (st >= 0 && (st & ATA_SR_DRQ))
		return -EPROTO;
	return st;
}

/*
 * Load the taskfile. 48-bit commands: each register is a two-byte FIFO
 * and the high-order ("previous") byte goes in first (ATA8-ACS "48-bit
 * Address feature set"); 28-bit: LBA 27:24 went into the Device register
 * at selection. A count of 256 (28-bit) or 65536 (48-bit) is written 0.
 */
static void ata_taskfile(struct ata_chan *c, uint64_t lba, uint32_t count,
			 bool ext)
{
	uint16_t b = c->cmd;

	if (ext) {
		ata_outb(b + ATA_REG_FEATURES, 0);
		ata_outb(b + ATA_REG_COUNT, (uint8_t)(count >> 8));
		ata_outb(b + ATA_REG_LBA_LO, (uint8_t)(lba >> 24));
		ata_outb(b + ATA_REG_LBA_MID, (uint8_t)(lba >> 32));
		ata_outb(b + ATA_REG_LBA_HI, (uint8_t)(lba >> 40));
	}
	ata_outb(b + ATA_REG_FEATURES, 0);
	ata_outb(b + ATA_REG_COUNT, (uint8_t)count);
	ata_outb(b + ATA_REG_LBA_LO, (uint8_t)lba);
	ata_outb(b + ATA_REG_LBA_MID, (uint8_t)(lba >> 8));
	ata_outb(b + ATA_REG_LBA_HI, (uint8_t)(lba >> 16));
}

static bool ata_cmd_ext(uint8_t cmd)
{
	return cmd == ATA_CMD_READ_SECTORS_EXT ||
	       cmd == ATA_CMD_WRITE_SECTORS_EXT ||
	       cmd == ATA_CMD_FLUSH_CACHE_EXT;
}

/*
 * A command that failed: log it; a timeout or a protocol break resets
 * the channel so the next command starts clean (an ERR leaves the
 * device ready: ATA8-APT, the command simply ended). Returns @rc.
 */
static int ata_fail(struct ata_disk *d, uint8_t cmd, uint64_t lba, int rc,
		    int status)
{
	struct ata_chan *c = d->chan;
	const char *what = rc == -ETIMEDOUT ? "timed out"
			   : rc == -EPROTO  ? "broke the PIO protocol"
					    : "failed";

	d->errors++;
	if (status >= 0 && (status & (ATA_SR_ERR | ATA_SR_DF)))
		log_err("ata: %s: command %#x at LBA %llu %s: status %#x "
			"error %#x",
			d->dev.name, cmd, (unsigned long long)lba, what, status,
			ata_inb(c->cmd + ATA_REG_ERROR));
	else
		log_err("ata: %s: command %#x at LBA %llu %s (status %#x)",
			d->dev.name, cmd, (unsigned long long)lba, what,
			ata_alt_status(c));
	if (rc != -EIO && ata_reset(c))
		log_err("ata: %s: channel %u still busy after a reset",
			d->dev.name, c->index);
	return rc;
}

/* Status after BSY cleared, checked for the next DRQ block. */
static int ata_block_ready(int st)
{
	if (st < 0)
		return st;
	if (st & (ATA_SR_ERR | ATA_SR_DF))
		return -EIO;
	if (!(st & ATA_SR_DRQ))
		return -EPROTO;
	return 0;
}

/*
 * Run one command: select, taskfile, command, then the ATA8-APT PIO
 * data-in, PIO data-out or non-data protocol for @blocks blocks of
 * @block_bytes at @buf. Channel taken by the caller.
 */
static int ata_exec(struct ata_disk *d, uint8_t cmd, uint64_t lba,
		    uint32_t count, enum ata_dir dir, void *buf,
		    uint32_t blocks, uint32_t block_bytes, uint64_t timeout_ns)
{
	struct ata_chan *c = d->chan;
	bool ext = ata_cmd_ext(cmd);
	uint8_t *p = buf;
	int st, rc;

	st = ata_select(c, d->unit,
			ATA_DEV_LBA | (ext ? 0 : (uint8_t)((lba >> 24) & 0xf)));
	if (st < 0)
		return ata_fail(d, cmd, lba, st, -1);
	ata_taskfile(c, lba, count, ext);
	ata_outb(c->cmd + ATA_REG_COMMAND, cmd);

	for (uint32_t i = 0; dir != ATA_NODATA && i < blocks; i++) {
		/* Each block: BSY clears with DRQ set (data-in: the
		 * device filled its buffer; data-out: it wants data). */
		ata_delay400(c);
		st = ata_wait_idle(c, timeout_ns);
		rc = ata_block_ready(st);
		if (rc)
			return ata_fail(d, cmd, lba + i, rc, st);
		if (dir == ATA_IN)
			ata_insw(c->cmd + ATA_REG_DATA, p, block_bytes / 2);
		else
			ata_outsw(c->cmd + ATA_REG_DATA, p, block_bytes / 2);
		p += block_bytes;
	}
	/* Data-in ends with the last block read; data-out and non-data
	 * end when BSY clears after the device wrote or flushed. */
	if (dir != ATA_IN) {
		ata_delay400(c);
		st = ata_wait_idle(c, timeout_ns);
		if (st < 0)
			return ata_fail(d, cmd, lba, st, -1);
		if (st & (ATA_SR_ERR | ATA_SR_DF))
			return ata_fail(d, cmd, lba, -EIO, st);
		if (st & ATA_SR_DRQ)
			return ata_fail(d, cmd, lba, -EPROTO, st);
	}
	/* Reading Status acknowledges the (masked) interrupt. */
	ata_inb(c->cmd + ATA_REG_STATUS);
	return 0;
}

static int ata_xfer(struct blk_dev *dev, uint64_t lba, uint32_t n, void *io,
		    bool write)
{
	struct ata_disk *d = dev->priv;
	/* 28-bit commands while they reach (the end of) the range. */
	bool ext = lba + n > ATA_LBA28_LIMIT;
	uint8_t cmd;

	if (ext && !d->lba48)
		return -ERANGE; /* capacity is the 28-bit one: never here */
	if (write)
		cmd = ext ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_WRITE_SECTORS;
	else
		cmd = ext ? ATA_CMD_READ_SECTORS_EXT : ATA_CMD_READ_SECTORS;
	return ata_exec(d, cmd, lba, n, write ? ATA_OUT : ATA_IN, io, n,
			dev->sector_size, ATA_IO_TIMEOUT_NS);
}

static int ata_rw(struct blk_dev *dev, uint64_t lba, uint32_t count, void *buf,
		  bool write)
{
	struct ata_disk *d = dev->priv;
	int rc;

	mutex_lock(&d->chan->lock);
	/* PIO moves words through the CPU: any buffer will do. */
	rc = blk_xfer_split(dev, lba, count, buf, write,
			    ATA_MAX_SECTORS * dev->sector_size, NULL, ata_xfer);
	mutex_unlock(&d->chan->lock);
	return rc;
}

/* FLUSH CACHE (EXT) (ATA8-ACS): every written sector is on the media
 * when it completes without error. */
static int ata_flush(struct blk_dev *dev)
{
	struct ata_disk *d = dev->priv;
	int rc;

	mutex_lock(&d->chan->lock);
	rc = ata_exec(
	    d, d->flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE, 0,
	    0, ATA_NODATA, NULL, 0, 0, ATA_FLUSH_TIMEOUT_NS);
	mutex_unlock(&d->chan->lock);
	return rc;
}

static const struct blk_ops ata_ops = {
	.rw = ata_rw,
	.flush = ata_flush,
};

/* A word whose bits 15:14 read 01 holds valid data (ATA8-ACS IDENTIFY
 * DEVICE, words 83, 84, 106 ...). */
static bool ata_word_valid(uint16_t w)
{
	return (w & 0xc000) == 0x4000;
}

int ata_identify_parse(const uint16_t *id, struct ata_disk *d)
{
	uint64_t sectors;
	uint32_t ss = 512;

	/* Words 27-46: model; 10-19: serial number (ATA8-ACS "ATA string
	 * convention": two characters per word, the first in the high byte). */
	blk_ident_string(id + 27, 40, true, d->model);
	blk_ident_string(id + 10, 20, true, d->serial);
	/* Word 49 bit 9: LBA supported (every ATA-6+ disk; CHS-only
	 * disks are not driven). */
	if (!(id[49] & (1u << 9)))
		return -EOPNOTSUPP;
	d->lba48 = ata_word_valid(id[83]) && (id[83] & (1u << 10));
	d->flush_ext = d->lba48 && (id[83] & (1u << 13));
	/* Words 60-61: sectors reachable by 28-bit commands; 100-103:
	 * by 48-bit ones. */
	sectors = id[60] | (uint32_t)id[61] << 16;
	if (d->lba48) {
		uint64_t s48 = id[100] | (uint64_t)id[101] << 16 |
			       (uint64_t)id[102] << 32 |
			       (uint64_t)id[103] << 48;
		if (s48)
			sectors = s48;
	} else if (sectors > ATA_LBA28_LIMIT) {
		return -EINVAL;
	}
	/* Word 106 bit 12: words 117-118 give the logical sector size in
	 * words (one PIO DRQ block is one logical sector). */
	if (ata_word_valid(id[106]) && (id[106] & (1u << 12)))
		ss = 2 * (id[117] | (uint32_t)id[118] << 16);
	if (!sectors || ss < 512 || ss > 65536 || (ss & (ss - 1)))
		return -EINVAL;
	d->dev.sectors = sectors;
	d->dev.sector_size = ss;
	return 0;
}

/* ATA8-ACS "Signature and persistence": what a device leaves in LBA Mid
 * and LBA High after a reset. */
static const char *ata_signature(uint8_t mid, uint8_t hi)
{
	if ((mid == 0x00 && hi == 0x00) || (mid == 0x3c && hi == 0xc3))
		return "ata";
	if ((mid == 0x14 && hi == 0xeb) || (mid == 0x69 && hi == 0x96))
		return "atapi";
	return NULL;
}

static int ata_probe_unit(struct ata_chan *c, unsigned int unit)
{
	uint16_t *id = NULL;
	struct ata_disk *d = NULL;
	const char *sig;
	uint8_t st;
	int rc = -ENODEV;

	mutex_lock(&c->lock);
	ata_outb(c->cmd + ATA_REG_DEVICE,
		 ATA_DEV_OBS | (unit ? ATA_DEV_DEV : 0));
	ata_delay400(c);
	c->selected = (int)unit;
	/* No device answers for an empty position: emulators read 0, an
	 * empty bus floats to 0xff. */
	st = ata_alt_status(c);
	if (st == 0x00 || st == 0xff)
		goto out;
	if (ata_wait_idle(c, ATA_RESET_TIMEOUT_NS) < 0) {
		log_warn("ata: channel %u device %u stays busy; skipped",
			 c->index, unit);
		goto out;
	}
	sig = ata_signature(ata_inb(c->cmd + ATA_REG_LBA_MID),
			    ata_inb(c->cmd + ATA_REG_LBA_HI));
	if (!sig || strcmp(sig, "ata")) {
		log_info("ata: channel %u device %u: %s; skipped", c->index,
			 unit,
			 sig ? "ATAPI device (CD/DVD)" : "unknown signature");
		goto out;
	}
	id = malloc(512);
	d = calloc(1, sizeof(*d));
	if (!id || !d) {
		rc = -ENOMEM;
		goto out;
	}
	d->chan = c;
	d->unit = unit;
	snprintf(d->name, sizeof(d->name), "ata-c%ud%u", c->index, unit);
	d->dev.name = d->name;
	rc = ata_exec(d, ATA_CMD_IDENTIFY, 0, 0, ATA_IN, id, 1, 512,
		      ATA_IO_TIMEOUT_NS);
	if (rc) {
		log_warn("ata: channel %u device %u: IDENTIFY DEVICE failed "
			 "(%d); skipped",
			 c->index, unit, rc);
		goto out;
	}
	rc = ata_identify_parse(id, d);
	if (rc) {
		log_warn("ata: channel %u device %u: \"%s\" %s; skipped",
			 c->index, unit, d->model,
			 rc == -EOPNOTSUPP ? "has no LBA addressing"
					   : "reports a nonsense geometry");
		goto out;
	}
	snprintf(d->name, sizeof(d->name), "ata%u", ata_ndisks++);
	d->dev.ops = &ata_ops;
	d->dev.priv = d;
	log_info(
	    "ata: %s: channel %u device %u: \"%s\" serial \"%s\", "
	    "%llu MiB, %u-byte sectors, %s, PIO",
	    d->name, c->index, unit, d->model, d->serial,
	    (unsigned long long)(d->dev.sectors * d->dev.sector_size >> 20),
	    d->dev.sector_size, d->lba48 ? "LBA48" : "LBA28");
out:
	mutex_unlock(&c->lock);
	free(id);
	if (rc) {
		free(d);
		return rc;
	}
	/* Outside the channel: registering runs the GPT scan, which reads
	 * the disk through it. */
	rc = blk_register(&d->dev);
	if (rc) {
		log_err("ata: %s: blk_register failed (%d)", d->name, rc);
		/* d stays: a failed register may leave it linked nowhere,
		 * but cheap to keep and never freed under a reader. */
	}
	return rc;
}

int ata_channel_probe(struct ata_chan *c)
{
	int disks = 0;

	c->selected = -1;
	if (ata_alt_status(c) == 0xff) {
		log_info("ata: channel %u (%#x): nothing attached", c->index,
			 c->cmd);
		return 0;
	}
	mutex_lock(&c->lock);
	if (ata_reset(c)) {
		mutex_unlock(&c->lock);
		log_warn("ata: channel %u (%#x): busy after a reset; ignored",
			 c->index, c->cmd);
		return 0;
	}
	mutex_unlock(&c->lock);
	for (unsigned int unit = 0; unit < 2; unit++)
		if (!ata_probe_unit(c, unit))
			disks++;
	return disks;
}
