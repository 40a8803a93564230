/* SPDX-License-Identifier: MIT */
/*
 * Parallel ATA (IDE) disks in PIO mode, behind a legacy or PCI IDE
 * controller (PCI class 01:01): the boot disk of Bochs and of QEMU's
 * default PC. drivers/ata.c speaks the protocol (ATA8-APT register
 * interface, ATA8-ACS commands) and registers each disk as a blk_dev
 * "ata0", "ata1", ...; drivers/ata_pci.c finds the channels. Port access
 * goes through ata_inb/ata_outb/ata_insw/ata_outsw so the host unit test
 * can put a simulated device behind them. docs/ata.md.
 */
#ifndef KEEL_DRIVERS_ATA_H
#define KEEL_DRIVERS_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mutex.h"
#include "drivers/blk.h"

/* Command block registers, offsets from the channel's command base
 * (ATA8-APT "Register addressing"): one port each, data is 16 bits. */
#define ATA_REG_DATA 0
#define ATA_REG_ERROR 1	   /* read */
#define ATA_REG_FEATURES 1 /* write */
#define ATA_REG_COUNT 2
#define ATA_REG_LBA_LO 3
#define ATA_REG_LBA_MID 4
#define ATA_REG_LBA_HI 5
#define ATA_REG_DEVICE 6
#define ATA_REG_STATUS 7  /* read: also acknowledges INTRQ */
#define ATA_REG_COMMAND 7 /* write */
/* Control block: one port, Alternate Status (read, no side effect) and
 * Device Control (write). */

/* Status register (ATA8-APT "Status register"); bits 1 and 2 are
 * obsolete (Bochs toggles bit 1 as an index pulse): never tested. */
#define ATA_SR_ERR 0x01
#define ATA_SR_DRQ 0x08
#define ATA_SR_DF 0x20
#define ATA_SR_DRDY 0x40
#define ATA_SR_BSY 0x80
/* Error register bits logged on a failed command. */
#define ATA_ER_ABRT 0x04
#define ATA_ER_IDNF 0x10
#define ATA_ER_UNC 0x40
/* Device Control register (ATA8-APT "Device Control register"). */
#define ATA_DC_NIEN 0x02 /* no INTRQ: Keel polls */
#define ATA_DC_SRST 0x04
#define ATA_DC_HOB 0x80
/* Device register: LBA addressing, DEV selects device 1; bits 7 and 5
 * are obsolete and set, as devices of every ATA version accept. */
#define ATA_DEV_OBS 0xa0
#define ATA_DEV_LBA 0x40
#define ATA_DEV_DEV 0x10

/* ATA8-ACS commands Keel issues (all PIO or non-data). */
#define ATA_CMD_READ_SECTORS 0x20
#define ATA_CMD_READ_SECTORS_EXT 0x24
#define ATA_CMD_WRITE_SECTORS 0x30
#define ATA_CMD_WRITE_SECTORS_EXT 0x34
#define ATA_CMD_FLUSH_CACHE 0xe7
#define ATA_CMD_FLUSH_CACHE_EXT 0xea
#define ATA_CMD_IDENTIFY 0xec

/* The highest LBA a 28-bit command reaches is 0x0ffffffe (ATA8-ACS
 * "28-bit commands"; IDENTIFY words 60-61 stop at 0x0fffffff sectors). */
#define ATA_LBA28_LIMIT 0x0fffffffull
/* Sectors per command: 256 is a count of 0 in a 28-bit command. */
#define ATA_MAX_SECTORS 256

/* One channel (primary or secondary): two devices share its registers,
 * so a command at a time on the channel. */
struct ata_chan {
	uint16_t cmd;	    /* command block base: 0x1f0, 0x170 or a PCI BAR */
	uint16_t ctl;	    /* Alternate Status / Device Control port */
	unsigned int index; /* 0 primary, 1 secondary (for log lines) */
	struct mutex lock;  /* a thread owns the channel (ata.c) */
	int selected; /* device the Device register last named, -1 unknown */
};

struct ata_disk {
	struct blk_dev dev; /* first: blk_dev.priv points here too */
	struct ata_chan *chan;
	unsigned int unit; /* 0 or 1 (master/slave) */
	bool lba48;	   /* 48-bit feature set (IDENTIFY word 83 bit 10) */
	bool flush_ext;	   /* FLUSH CACHE EXT (word 83 bit 13) */
	unsigned int errors;
	char name[16];
	char model[41];
	char serial[21];
};

/* Port access: drivers/ata_pci.c (in/out instructions) in the kernel,
 * the simulated channel in tests/unit/test_ata.c. */
uint8_t ata_inb(uint16_t port);
void ata_outb(uint16_t port, uint8_t v);
void ata_insw(uint16_t port, void *buf, uint32_t words);
void ata_outsw(uint16_t port, const void *buf, uint32_t words);

/*
 * IDENTIFY DEVICE data (256 words, ATA8-ACS "IDENTIFY DEVICE") into
 * @d: model, serial, LBA48 and flush support, capacity and logical
 * sector size. -EOPNOTSUPP for a device without LBA (CHS only), -EINVAL
 * for a capacity or sector size that makes no sense. Pure.
 */
int ata_identify_parse(const uint16_t *id, struct ata_disk *d);

/*
 * Soft-reset channel @c, look for device 0 and 1, IDENTIFY each ATA
 * disk and register it (blk_register; its name "ata<N>" in the order
 * found). ATAPI devices and empty positions are logged and skipped.
 * Returns how many disks it registered. @c must stay allocated.
 */
int ata_channel_probe(struct ata_chan *c);

#endif
