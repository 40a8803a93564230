// SPDX-License-Identifier: MIT
/*
 * The ATA PIO driver against a simulated IDE channel that keeps the
 * ATA8-APT register rules: 48-bit registers are two-byte FIFOs, an
 * absent device reads status 0, BSY holds for a few status reads after
 * each command and each block, SRST resets and leaves the signatures.
 * Checked: IDENTIFY parsing, which disks a channel yields, 28-bit
 * commands below the 28-bit limit and 48-bit ones across it (the sector
 * really lands where asked), chunking at 256 sectors, FLUSH CACHE (EXT),
 * an aborted read, a device stuck busy (a timeout and a reset, never a
 * hang), a device that breaks the PIO protocol.
 * UNIT_SRCS: drivers/ata.c drivers/blk.c core/mutex.c core/log.c core/fmt.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "drivers/ata.h"
#include "unit.h"

#define CMD 0x1f0
#define CTL 0x3f6
#define LIMIT28 0x10000000ull /* 2^28 sectors */
#define WIN 4096	      /* sectors kept at each end of the 28-bit limit */

/* Fake time: advances when the driver sleeps, delays or reads a port. */
uint64_t time_boot_tsc;
static uint64_t now;
uint64_t time_ns(void)
{
	return now;
}
void time_delay_ns(uint64_t ns)
{
	now += ns;
}
void thread_sleep_ns(uint64_t ns)
{
	now += ns;
}

/* One thread: the channel's mutex is always free, so nobody waits. */
void waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg)
{
	(void)wq;
	if (!cond(arg))
		abort(); /* would sleep forever: the lock was not given back */
}
void waitq_wake_one(struct waitq *wq)
{
	(void)wq;
}

struct fdev {
	bool present, atapi, lba48, no_lba;
	uint64_t sectors;
};

static struct {
	struct fdev dev[2];
	uint8_t feat[2], count[2], lo[2], mid[2], hi[2]; /* [0] current */
	uint8_t device, status, error;
	int sel;
	uint8_t cmd;
	bool lba48_cmd, writing, reading;
	uint64_t lba;	/* of the sector in buf */
	uint32_t left;	/* sectors still to move */
	uint16_t buf[256];
	uint32_t pos;	/* words moved in this block */
	int busy_reads; /* status reads still BSY */
	bool stuck;	/* BSY forever */
	bool no_drq;	/* clears BSY without DRQ on a read */
	uint64_t bad_lba; /* read error (UNC) here; 0: none */
	int resets, flushes, flush_cmd;
	uint8_t cmds[64];
	uint64_t cmd_lba[64];
	uint32_t cmd_count[64];
	int ncmds;
} ch;

static uint8_t disk_lo[WIN * 512], disk_hi[2 * WIN * 512];

/* The backing bytes of @lba: sectors near 0 and around 2^28. */
static uint8_t *sector(uint64_t lba)
{
	if (lba < WIN)
		return disk_lo + lba * 512;
	if (lba >= LIMIT28 - WIN && lba < LIMIT28 + WIN)
		return disk_hi + (lba - (LIMIT28 - WIN)) * 512;
	return NULL;
}

static void fill_identify(const struct fdev *f)
{
	static const char model[] = "KEEL FAKE DISK";
	uint16_t *id = ch.buf;

	memset(id, 0, 512);
	for (int i = 0; i < 20; i++) {
		char a = 2 * i < (int)strlen(model) ? model[2 * i] : ' ';
		char b = 2 * i + 1 < (int)strlen(model) ? model[2 * i + 1] : ' ';
		id[27 + i] = (uint16_t)(a << 8 | (uint8_t)b);
	}
	for (int i = 0; i < 10; i++)
		id[10 + i] = ('0' + i) << 8 | ' ';
	id[49] = f->no_lba ? 0 : 1u << 9;
	uint64_t s28 = f->sectors > 0x0fffffff ? 0x0fffffff : f->sectors;
	id[60] = (uint16_t)s28, id[61] = (uint16_t)(s28 >> 16);
	id[83] = 0x4000 | (f->lba48 ? (1u << 10 | 1u << 13) : 0) | 1u << 12;
	for (int i = 0; i < 4; i++)
		id[100 + i] = f->lba48 ? (uint16_t)(f->sectors >> (16 * i)) : 0;
}

static void reset_channel(void)
{
	ch.resets++;
	ch.sel = 0;
	ch.busy_reads = 2;
	ch.stuck = false;
	ch.reading = ch.writing = false;
	/* Signature of device 0 (ATA8-ACS): count 1, LBA low 1. */
	ch.count[0] = ch.lo[0] = 1;
	ch.mid[0] = ch.dev[0].atapi ? 0x14 : 0;
	ch.hi[0] = ch.dev[0].atapi ? 0xeb : 0;
	ch.status = ch.dev[0].atapi ? 0 : ATA_SR_DRDY;
}

static void load_sector(void)
{
	uint8_t *s = sector(ch.lba);

	if (ch.bad_lba && ch.lba == ch.bad_lba) {
		ch.status = ATA_SR_DRDY | ATA_SR_ERR;
		ch.error = ATA_ER_UNC;
		ch.reading = false;
		return;
	}
	if (s)
		memcpy(ch.buf, s, 512);
	else
		memset(ch.buf, 0, 512);
	ch.pos = 0;
	ch.status = ATA_SR_DRDY | (ch.no_drq ? 0 : ATA_SR_DRQ);
	ch.busy_reads = 2;
}

static void command(uint8_t cmd)
{
	struct fdev *f = &ch.dev[ch.sel];
	bool ext = cmd == 0x24 || cmd == 0x34 || cmd == 0xea;

	if (ch.ncmds < 64)
		ch.cmds[ch.ncmds] = cmd;
	ch.cmd = cmd;
	ch.lba48_cmd = ext;
	if (ext) {
		ch.lba = ch.lo[0] | (uint64_t)ch.mid[0] << 8 | (uint64_t)ch.hi[0] << 16 |
			 (uint64_t)ch.lo[1] << 24 | (uint64_t)ch.mid[1] << 32 |
			 (uint64_t)ch.hi[1] << 40;
		ch.left = ch.count[0] | (uint32_t)ch.count[1] << 8;
		if (!ch.left)
			ch.left = 65536;
	} else {
		ch.lba = ch.lo[0] | (uint64_t)ch.mid[0] << 8 | (uint64_t)ch.hi[0] << 16 |
			 (uint64_t)(ch.device & 0xf) << 24;
		ch.left = ch.count[0] ? ch.count[0] : 256;
	}
	if (ch.ncmds < 64) {
		ch.cmd_lba[ch.ncmds] = ch.lba;
		ch.cmd_count[ch.ncmds] = ch.left;
	}
	ch.ncmds++;
	ch.busy_reads = 3;
	ch.error = 0;
	switch (cmd) {
	case 0xec:
		if (f->atapi) {
			ch.status = ATA_SR_ERR;
			ch.error = ATA_ER_ABRT;
			return;
		}
		fill_identify(f);
		ch.pos = 0;
		ch.left = 1;
		ch.reading = true;
		ch.status = ATA_SR_DRDY | ATA_SR_DRQ;
		return;
	case 0x20:
	case 0x24:
	case 0x30:
	case 0x34:
		/* A 28-bit command reaches LBA 0x0ffffffe at most. */
		if (!(ch.device & ATA_DEV_LBA) || ch.lba + ch.left > f->sectors ||
		    (!ext && ch.lba + ch.left > 0x0fffffff)) {
			ch.status = ATA_SR_DRDY | ATA_SR_ERR;
			ch.error = ATA_ER_IDNF;
			return;
		}
		if (cmd == 0x20 || cmd == 0x24) {
			ch.reading = true;
			load_sector();
		} else {
			ch.writing = true;
			ch.pos = 0;
			ch.status = ATA_SR_DRDY | ATA_SR_DRQ;
		}
		return;
	case 0xe7:
	case 0xea:
		ch.flushes++;
		ch.flush_cmd = cmd;
		ch.status = ATA_SR_DRDY;
		return;
	default:
		ch.status = ATA_SR_DRDY | ATA_SR_ERR;
		ch.error = ATA_ER_ABRT;
	}
}

static uint8_t status(void)
{
	now += 100;
	if (!ch.dev[ch.sel].present)
		return 0;
	if (ch.stuck)
		return ATA_SR_BSY;
	if (ch.busy_reads > 0) {
		ch.busy_reads--;
		return ATA_SR_BSY;
	}
	return ch.status;
}

uint8_t ata_inb(uint16_t port)
{
	if (!ch.dev[0].present && !ch.dev[1].present)
		return 0xff; /* nothing on the cable: the bus floats */
	switch (port) {
	case CTL:
	case CMD + ATA_REG_STATUS:
		return status();
	case CMD + ATA_REG_ERROR:
		return ch.error;
	case CMD + ATA_REG_LBA_MID:
		return ch.mid[0];
	case CMD + ATA_REG_LBA_HI:
		return ch.hi[0];
	}
	return 0;
}

static void push(uint8_t *r, uint8_t v)
{
	r[1] = r[0];
	r[0] = v;
}

void ata_outb(uint16_t port, uint8_t v)
{
	switch (port) {
	case CTL:
		if (v & ATA_DC_SRST)
			reset_channel();
		return;
	case CMD + ATA_REG_FEATURES:
		push(ch.feat, v);
		return;
	case CMD + ATA_REG_COUNT:
		push(ch.count, v);
		return;
	case CMD + ATA_REG_LBA_LO:
		push(ch.lo, v);
		return;
	case CMD + ATA_REG_LBA_MID:
		push(ch.mid, v);
		return;
	case CMD + ATA_REG_LBA_HI:
		push(ch.hi, v);
		return;
	case CMD + ATA_REG_DEVICE:
		ch.device = v;
		ch.sel = !!(v & ATA_DEV_DEV);
		return;
	case CMD + ATA_REG_COMMAND:
		command(v);
		return;
	}
}

void ata_insw(uint16_t port, void *buf, uint32_t words)
{
	uint16_t *w = buf;

	UNIT_CHECK(port == CMD && ch.reading && (ch.status & ATA_SR_DRQ));
	for (uint32_t i = 0; i < words && ch.pos < 256; i++)
		w[i] = ch.buf[ch.pos++];
	if (ch.pos < 256)
		return;
	ch.lba++;
	if (--ch.left) {
		load_sector();
	} else {
		ch.reading = false;
		ch.status = ATA_SR_DRDY;
	}
}

void ata_outsw(uint16_t port, const void *buf, uint32_t words)
{
	const uint16_t *w = buf;
	uint8_t *s;

	UNIT_CHECK(port == CMD && ch.writing && (ch.status & ATA_SR_DRQ));
	for (uint32_t i = 0; i < words && ch.pos < 256; i++)
		ch.buf[ch.pos++] = w[i];
	if (ch.pos < 256)
		return;
	s = sector(ch.lba);
	if (s)
		memcpy(s, ch.buf, 512);
	ch.lba++;
	ch.pos = 0;
	ch.busy_reads = 2;
	if (--ch.left) {
		ch.status = ATA_SR_DRDY | ATA_SR_DRQ;
	} else {
		ch.writing = false;
		ch.status = ATA_SR_DRDY;
	}
}

static struct blk_dev *last_disk(void)
{
	struct blk_dev *d = NULL, *n;

	for (n = blk_next(NULL); n; n = blk_next(n))
		d = n;
	return d;
}

/* A channel with @master and @slave; probe it; the disks registered. */
static int probe(struct ata_chan *c, struct fdev master, struct fdev slave)
{
	memset(&ch, 0, sizeof(ch));
	ch.dev[0] = master;
	ch.dev[1] = slave;
	reset_channel();
	ch.resets = 0;
	memset(c, 0, sizeof(*c));
	c->cmd = CMD;
	c->ctl = CTL;
	return ata_channel_probe(c);
}

static const struct fdev big = { .present = true, .lba48 = true,
				 .sectors = LIMIT28 + WIN };

UNIT_TEST(ata_identify_parsing)
{
	struct ata_disk d;

	memset(&ch, 0, sizeof(ch));
	fill_identify(&big);
	memset(&d, 0, sizeof(d));
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == 0);
	UNIT_CHECK_STR(d.model, "KEEL FAKE DISK");
	UNIT_CHECK_STR(d.serial, "0 1 2 3 4 5 6 7 8 9");
	UNIT_CHECK(d.lba48 && d.flush_ext);
	UNIT_CHECK(d.dev.sectors == LIMIT28 + WIN && d.dev.sector_size == 512);

	/* 28-bit only: words 60-61 are the capacity. */
	fill_identify(&(struct fdev){ .present = true, .sectors = 61440 });
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == 0);
	UNIT_CHECK(!d.lba48 && !d.flush_ext && d.dev.sectors == 61440);
	/* Word 83 not valid (bits 15:14 not 01): its bits mean nothing. */
	fill_identify(&big);
	ch.buf[83] = 0xffff;
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == 0 && !d.lba48);

	/* 4 KiB logical sectors (word 106 bit 12, words 117-118 in words). */
	fill_identify(&big);
	ch.buf[106] = 0x4000 | 1u << 12;
	ch.buf[117] = 2048;
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == 0 && d.dev.sector_size == 4096);
	ch.buf[117] = 768; /* 1536 bytes: not a power of two */
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == -EINVAL);

	fill_identify(&(struct fdev){ .present = true, .sectors = 0 });
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == -EINVAL);
	fill_identify(&(struct fdev){ .present = true, .no_lba = true, .sectors = 1000 });
	UNIT_CHECK(ata_identify_parse(ch.buf, &d) == -EOPNOTSUPP);
}

UNIT_TEST(ata_probe_finds_disks_and_skips_the_rest)
{
	static struct ata_chan c1, c2, c3, c4;
	struct blk_dev *d;

	/* Nothing on the cable: the bus floats to 0xff, no reset tried. */
	UNIT_CHECK(probe(&c1, (struct fdev){ 0 }, (struct fdev){ 0 }) == 0);
	UNIT_CHECK(ch.resets == 0 && ch.ncmds == 0);

	/* A disk and a CD-ROM: the disk only; the channel was reset. */
	UNIT_CHECK(probe(&c2, big, (struct fdev){ .present = true, .atapi = true }) == 1);
	UNIT_CHECK(ch.resets == 1);
	d = last_disk();
	UNIT_CHECK(d && !strncmp(d->name, "ata", 3) && d->sectors == LIMIT28 + WIN &&
		   d->sector_size == 512 && d->ops && d->ops->flush);

	/* Two disks on one channel: both, master first. */
	UNIT_CHECK(probe(&c3, big, (struct fdev){ .present = true, .sectors = 2048 }) == 2);
	d = last_disk();
	UNIT_CHECK(d && d->sectors == 2048 && ((struct ata_disk *)d->priv)->unit == 1);

	/* A disk without LBA: skipped. */
	UNIT_CHECK(probe(&c4, (struct fdev){ .present = true, .no_lba = true, .sectors = 99 },
			 (struct fdev){ 0 }) == 0);
}

/* Write @n sectors at @lba with a pattern, read them back, compare. */
static bool round_trip(struct blk_dev *d, uint64_t lba, uint32_t n, uint8_t seed)
{
	static uint8_t out[300 * 512], in[300 * 512];

	for (uint32_t i = 0; i < n * 512; i++)
		out[i] = (uint8_t)(i * 7 + seed + i / 512);
	memset(in, 0, sizeof(in));
	return blk_write(d, lba, n, out) == 0 && blk_read(d, lba, n, in) == 0 &&
	       !memcmp(in, out, n * 512) && !memcmp(sector(lba), out, 512) &&
	       !memcmp(sector(lba + n - 1), out + (n - 1) * 512, 512);
}

UNIT_TEST(ata_read_write_lba28_and_lba48)
{
	static struct ata_chan c;
	struct blk_dev *d;

	UNIT_CHECK(probe(&c, big, (struct fdev){ 0 }) == 1);
	d = last_disk();

	/* 300 sectors at 1: two 28-bit commands, 256 and 44 sectors. */
	ch.ncmds = 0;
	UNIT_CHECK(round_trip(d, 1, 300, 1));
	UNIT_CHECK(ch.ncmds == 4 && ch.cmds[0] == 0x30 && ch.cmds[1] == 0x30 &&
		   ch.cmds[2] == 0x20 && ch.cmds[3] == 0x20);
	UNIT_CHECK(ch.cmd_lba[0] == 1 && ch.cmd_count[0] == 256 &&
		   ch.cmd_lba[1] == 257 && ch.cmd_count[1] == 44);

	/* Just below the limit, LBA bits 27:24 in the Device register. */
	ch.ncmds = 0;
	UNIT_CHECK(round_trip(d, LIMIT28 - 20, 19, 2));
	UNIT_CHECK(ch.ncmds == 2 && ch.cmds[0] == 0x30 && ch.cmds[1] == 0x20 &&
		   ch.cmd_lba[0] == LIMIT28 - 20);

	/* Reaching LBA 0x0fffffff and beyond: 48-bit commands. */
	ch.ncmds = 0;
	UNIT_CHECK(round_trip(d, LIMIT28 - 4, 4, 7));
	UNIT_CHECK(ch.ncmds == 2 && ch.cmds[0] == 0x34 && ch.cmds[1] == 0x24);
	ch.ncmds = 0;
	UNIT_CHECK(round_trip(d, LIMIT28 - 10, 20, 3));
	UNIT_CHECK(ch.ncmds == 2 && ch.cmds[0] == 0x34 && ch.cmds[1] == 0x24 &&
		   ch.cmd_lba[0] == LIMIT28 - 10 && ch.cmd_count[0] == 20);
	ch.ncmds = 0;
	UNIT_CHECK(round_trip(d, LIMIT28 + WIN - 1, 1, 4));
	UNIT_CHECK(ch.cmds[0] == 0x34 && ch.cmd_lba[0] == LIMIT28 + WIN - 1);

	/* Flush: FLUSH CACHE EXT on this disk. */
	ch.flushes = 0;
	UNIT_CHECK(blk_flush(d) == 0 && ch.flushes == 1 && ch.flush_cmd == 0xea);
}

UNIT_TEST(ata_flush_on_a_28_bit_disk)
{
	static struct ata_chan c;
	struct blk_dev *d;

	UNIT_CHECK(probe(&c, (struct fdev){ .present = true, .sectors = WIN }, (struct fdev){ 0 }) == 1);
	d = last_disk();
	UNIT_CHECK(round_trip(d, WIN - 8, 8, 5));
	UNIT_CHECK(blk_flush(d) == 0 && ch.flush_cmd == 0xe7);
}

UNIT_TEST(ata_errors_end_in_an_error_not_a_hang)
{
	static struct ata_chan c;
	static uint8_t buf[8 * 512];
	struct blk_dev *d;
	struct ata_disk *ad;
	uint64_t t0;
	int resets;

	UNIT_CHECK(probe(&c, big, (struct fdev){ 0 }) == 1);
	d = last_disk();
	ad = d->priv;

	/* An unreadable sector: the command aborts, -EIO, no reset. */
	ch.bad_lba = 100;
	resets = ch.resets;
	UNIT_CHECK(blk_read(d, 96, 8, buf) == -EIO);
	UNIT_CHECK(ad->errors == 1 && ch.resets == resets);
	ch.bad_lba = 0;
	UNIT_CHECK(blk_read(d, 96, 8, buf) == 0);

	/* A device that stays busy: -ETIMEDOUT after the deadline, then
	 * a software reset; the next command works. */
	ch.stuck = true;
	t0 = now;
	UNIT_CHECK(blk_write(d, 0, 1, buf) == -ETIMEDOUT);
	UNIT_CHECK(now - t0 >= 10 * NSEC_PER_SEC && now - t0 < 100 * NSEC_PER_SEC);
	UNIT_CHECK(ch.resets == resets + 1 && !ch.stuck);
	UNIT_CHECK(blk_read(d, 0, 1, buf) == 0);

	/* BSY clears but no DRQ comes: a protocol error, a reset. */
	ch.no_drq = true;
	UNIT_CHECK(blk_read(d, 0, 2, buf) == -EPROTO);
	UNIT_CHECK(ch.resets == resets + 2);
	ch.no_drq = false;
	UNIT_CHECK(round_trip(d, 10, 3, 6));

	/* Past the end: the block layer stops it before the driver. */
	ch.ncmds = 0;
	UNIT_CHECK(blk_read(d, LIMIT28 + WIN, 1, buf) == -ERANGE && ch.ncmds == 0);
}
