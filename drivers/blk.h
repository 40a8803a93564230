/* SPDX-License-Identifier: MIT */
/*
 * One block-device interface for every host disk controller (AHCI, NVMe,
 * virtio-blk, USB mass storage) and for the partitions on them. A
 * controller driver fills a struct blk_dev and calls blk_register();
 * everyone else (GPT parsing, the config store) goes through blk_read,
 * blk_write and blk_flush, which check the request against the device
 * before the driver sees it, so no driver repeats those checks.
 * docs/blk.md describes the contract.
 */
#ifndef KEEL_DRIVERS_BLK_H
#define KEEL_DRIVERS_BLK_H

#include <stdbool.h>
#include <stdint.h>

struct blk_dev;

/*
 * Driver entry points. Called only through the blk_* wrappers, so lba and
 * count are already inside the device and count is at least 1. Return 0
 * or a negative errno. A write may sit in a volatile cache until flush
 * returns 0; flush may be NULL for a device without one. A driver whose
 * read and write are one transfer routine gives rw instead of both.
 */
struct blk_ops {
	int (*read)(struct blk_dev *dev, uint64_t lba, uint32_t count,
		    void *buf);
	int (*write)(struct blk_dev *dev, uint64_t lba, uint32_t count,
		     const void *buf);
	int (*rw)(struct blk_dev *dev, uint64_t lba, uint32_t count, void *buf,
		  bool write);
	int (*flush)(struct blk_dev *dev);
};

struct blk_dev {
	/* Set by the driver before blk_register, constant afterwards. */
	const char *name;     /* unique: "ahci0", "nvme0n1", "ram0", "ram0p3" */
	uint32_t sector_size; /* bytes, a power of two, 512..65536 */
	uint64_t sectors;     /* capacity in sectors */
	const struct blk_ops *ops;
	void *priv;	      /* the driver's */
	bool read_only;

	/* Partitions only (blk_part_init): where the child sits on parent. */
	struct blk_dev *parent;
	uint64_t start;
	char name_buf[32];    /* backs name for partitions */

	struct blk_dev *next; /* registry list, owned by blk.c under its lock */
};

/*
 * Add/remove a device to/from the registry others look disks up in.
 * blk_register refuses a device with no name, a bad sector size, no read
 * op, or a name already taken (-EINVAL, -EEXIST).
 */
int blk_register(struct blk_dev *dev);
void blk_unregister(struct blk_dev *dev);
/*
 * Called (outside the registry lock, in the registering thread) after each
 * whole disk (parent == NULL) registers: drivers/blk_boot.c installs its
 * GPT scan here. Partitions never reach it, so they are not scanned again.
 * NULL removes the hook.
 */
void blk_set_disk_hook(void (*fn)(struct blk_dev *disk));
/*
 * A model or serial number as the device reports it (@len bytes at @src,
 * space padded; @swap16: ATA IDENTIFY's byte order, two characters per
 * word with the first in the high byte) into @out (@len + 1 bytes): the
 * padding trimmed, unprintable bytes shown as '?'.
 */
void blk_ident_string(const void *src, unsigned int len, bool swap16,
		      char *out);
/* By name, or NULL. */
struct blk_dev *blk_find(const char *name);
/* Walk the registry in registration order: blk_next(NULL) is the first. */
struct blk_dev *blk_next(const struct blk_dev *prev);

/*
 * Transfer count sectors at lba; buf holds count * sector_size bytes.
 * count 0 is a no-op returning 0 (the driver is not called). -ERANGE when
 * [lba, lba + count) is not inside the device, -EROFS when writing a
 * read-only device, -EINVAL for a NULL buf, else what the driver returned.
 */
int blk_read(struct blk_dev *dev, uint64_t lba, uint32_t count, void *buf);
int blk_write(struct blk_dev *dev, uint64_t lba, uint32_t count,
	      const void *buf);
/* Make every completed write durable. Partitions flush their parent. */
int blk_flush(struct blk_dev *dev);

/*
 * For drivers: split a request into transfers of at most @max_bytes (a
 * multiple of the sector size) and run @xfer on each in order, stopping
 * at the first error, which it returns. @xfer moves @n sectors at @lba
 * between the device and @io. With a @bounce buffer (@max_bytes long)
 * every chunk goes through it, copied in before a write and out after a
 * read, for devices that cannot reach @buf itself; else @io points into
 * @buf. Drivers hold their own lock around it.
 */
typedef int (*blk_xfer_fn)(struct blk_dev *dev, uint64_t lba, uint32_t n,
			   void *io, bool write);
int blk_xfer_split(struct blk_dev *dev, uint64_t lba, uint32_t count,
		   void *buf, bool write, uint32_t max_bytes, void *bounce,
		   blk_xfer_fn xfer);

/*
 * A partition: a child device covering sectors [start, start + sectors) of
 * parent, named "<parent>p<index>". Every request is offset by start and
 * bounded by sectors before it reaches the parent. Not registered: call
 * blk_register(part) to make it visible. -ERANGE if it does not fit.
 */
int blk_part_init(struct blk_dev *part, struct blk_dev *parent,
		  uint64_t start, uint64_t sectors, unsigned int index);

/*
 * A disk in RAM (drivers/blk_ramdisk.c) over caller-owned memory of
 * sectors * sector_size bytes: for unit tests and the in-image self-test.
 * Counts flushes so tests can see that a flush reached it.
 */
struct blk_ramdisk {
	struct blk_dev dev;
	uint8_t *mem;
	uint64_t flushes;
};
int blk_ramdisk_init(struct blk_ramdisk *rd, const char *name, void *mem,
		     uint32_t sector_size, uint64_t sectors);

#endif
