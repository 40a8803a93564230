/* SPDX-License-Identifier: MIT */
/*
 * GUID Partition Table reading (UEFI spec 2.9, chapter 5): the protective
 * MBR (5.2.3), the primary header at LBA 1 and its backup at the last LBA
 * (5.3.2), each guarded by a CRC32 of the header and one of the partition
 * entry array (5.3.3). gpt_read takes the primary when it is valid, else
 * the backup (and logs that it did), else refuses the disk. docs/blk.md.
 *
 * GUIDs are kept in their on-disk byte order (the first three fields
 * little-endian, UEFI spec appendix A); GPT_GUID() writes a constant in
 * that order from its usual text form.
 */
#ifndef KEEL_DRIVERS_GPT_H
#define KEEL_DRIVERS_GPT_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/blk.h"

/* GPT_GUID(0x17D6148D, 0x1D67, 0x4857, 0x9FFF, 0xE6932EA1331B) */
#define GPT_GUID(a, b, c, d, e)                                             \
	{ (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff,                \
	  ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff, (c) & 0xff,    \
	  ((c) >> 8) & 0xff, ((d) >> 8) & 0xff, (d) & 0xff,                 \
	  ((e) >> 40) & 0xff, ((e) >> 32) & 0xff, ((e) >> 24) & 0xff,       \
	  ((e) >> 16) & 0xff, ((e) >> 8) & 0xff, (e) & 0xff }

/* docs/image.md: the config store finds its partition by this type. */
extern const uint8_t gpt_type_keel_config[16];
extern const uint8_t gpt_type_efi_system[16];

#define GPT_MAX_PARTS 128
/* 36 UTF-16 code units, each at most 3 bytes of UTF-8, plus NUL. */
#define GPT_NAME_MAX 109

struct gpt_part {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint64_t first_lba;  /* inclusive */
	uint64_t last_lba;   /* inclusive */
	uint64_t attributes;
	uint32_t index;      /* 1-based slot in the entry array */
	char name[GPT_NAME_MAX]; /* UTF-8; bad UTF-16 becomes '?' */
};

/* Big (about 23 KiB): allocate it, don't put it on a kernel stack. */
struct gpt {
	uint8_t disk_guid[16];
	uint64_t header_lba;	/* the header used: 1, or the backup's */
	bool used_backup;
	uint64_t first_usable, last_usable;
	uint32_t nparts;	/* valid entries in parts[] */
	uint32_t skipped;	/* entries refused (range, overlap, overflow) */
	struct gpt_part parts[GPT_MAX_PARTS];
};

/*
 * Read the partition table of dev into out. 0 on success; -ENOENT when
 * the disk has no protective MBR (not a GPT disk); -EBADMSG when both
 * headers are bad; -ENOMEM, or the device's read error.
 */
int gpt_read(struct blk_dev *dev, struct gpt *out);

/*
 * First partition matching type_guid and name (either may be NULL to
 * match anything). 0 and *out filled, or -ENOENT.
 */
int gpt_find(const struct gpt *g, const uint8_t type_guid[16],
	     const char *name, struct gpt_part *out);

/* A partition of a disk gpt_read parsed, as a child blk_dev (not yet
 * registered): blk_part_init with the entry's range and index. */
int gpt_part_dev(struct blk_dev *disk, const struct gpt_part *p,
		 struct blk_dev *out);

/* "17D6148D-1D67-4857-9FFF-E6932EA1331B": buf has 37 bytes. */
void gpt_guid_fmt(const uint8_t guid[16], char buf[37]);
/* The reverse, either case; -EINVAL unless exactly that form. */
int gpt_guid_parse(const char *s, uint8_t guid[16]);

/*
 * Write a fresh GPT (protective MBR, 128 entries, primary and backup) for
 * n <= GPT_MAX_PARTS partitions, usable area LBA 34..last-33 in 512-byte
 * sectors (scaled for larger sectors). For tests, the self-test and a
 * future installer; it does not check the partitions it is given.
 */
int gpt_write(struct blk_dev *dev, const uint8_t disk_guid[16],
	      const struct gpt_part *parts, uint32_t n);

#endif
