// SPDX-License-Identifier: MIT
/*
 * Which disks may become the datastore, and formatting one
 * (docs/datastore.md "Disks" and "Format"). Keel never formats the boot
 * disk, a USB disk (removable: it would take VM images with it) or a
 * read-only one; and a disk that holds anything it recognises (a
 * partition table, a file system, a datastore) or any non-zero data in
 * its first 128 KiB only when the caller says force. The signatures are
 * the documented on-disk magic numbers of each format, cited below.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/entropy.h"
#include "core/log.h"
#include "datastore/ds_int.h"
#include "drivers/blk.h"
#include "drivers/blk_boot.h"

/* ---- What is on a disk --------------------------------------------------- */

static bool ds_at(const uint8_t *b, size_t off, const char *magic, size_t n)
{
	return off + n <= DS_PROBE_BYTES && !memcmp(b + off, magic, n);
}

enum ds_probe_kind ds_probe_buf(const uint8_t *head, const uint8_t *tail,
				uint32_t ss, const char **what)
{
	bool boot_sig = head[510] == 0x55 && head[511] == 0xaa;

	if (ds_at(head, 0, DS_SUPER_MAGIC, 8)) {
		*what = "a Keel datastore";
		return DS_PROBE_DATASTORE;
	}
	/* UEFI 2.9 5.3.2: the GPT header at LBA 1; its backup at the last
	 * LBA. Checked before the MBR: a GPT disk has a protective MBR. */
	if (ds_at(head, ss, "EFI PART", 8) || ds_at(head, 512, "EFI PART", 8) ||
	    ds_at(head, 4096, "EFI PART", 8)) {
		*what = "a GPT partition table";
		return DS_PROBE_PARTITIONED;
	}
	/* Volume boot records: NTFS and exFAT name themselves at byte 3,
	 * FAT12/16 at 54 and FAT32 at 82 (Microsoft FAT spec 1.03). */
	if (ds_at(head, 3, "NTFS    ", 8)) {
		*what = "an NTFS file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (ds_at(head, 3, "EXFAT   ", 8)) {
		*what = "an exFAT file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (boot_sig &&
	    (ds_at(head, 54, "FAT", 3) || ds_at(head, 82, "FAT32", 5))) {
		*what = "a FAT file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (boot_sig) {
		*what = "an MBR partition table";
		return DS_PROBE_PARTITIONED;
	}
	if (ds_at(head, 0, "XFSB", 4)) {
		*what = "an XFS file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (ds_at(head, 0, "LUKS\xba\xbe", 6)) {
		*what = "a LUKS encrypted volume";
		return DS_PROBE_FILESYSTEM;
	}
	/* LVM2: the label "LABELONE" in one of the first four sectors. */
	for (size_t s = 0; s < 4; s++)
		if (ds_at(head, s * 512, "LABELONE", 8)) {
			*what = "an LVM physical volume";
			return DS_PROBE_FILESYSTEM;
		}
	/* ext2/3/4: s_magic 0xEF53 at byte 56 of the superblock at 1024. */
	if (head[1024 + 56] == 0x53 && head[1024 + 57] == 0xef) {
		*what = "an ext2/ext3/ext4 file system";
		return DS_PROBE_FILESYSTEM;
	}
	/* Linux md RAID superblock 1.1 (at 0) or 1.2 (at 4 KiB). */
	if (ds_at(head, 0, "\xfc\x4e\x2b\xa9", 4) ||
	    ds_at(head, 4096, "\xfc\x4e\x2b\xa9", 4)) {
		*what = "a Linux RAID member";
		return DS_PROBE_FILESYSTEM;
	}
	if (ds_at(head, 65536 + 64, "_BHRfS_M", 8)) {
		*what = "a btrfs file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (ds_at(head, 4096 - 10, "SWAPSPACE2", 10) ||
	    ds_at(head, 4096 - 10, "SWAP-SPACE", 10)) {
		*what = "Linux swap space";
		return DS_PROBE_FILESYSTEM;
	}
	if (ds_at(head, 32769, "CD001", 5)) {
		*what = "an ISO 9660 file system";
		return DS_PROBE_FILESYSTEM;
	}
	if (tail && !memcmp(tail, "EFI PART", 8)) {
		*what = "a backup GPT header at its end";
		return DS_PROBE_PARTITIONED;
	}
	for (size_t i = 0; i < DS_PROBE_BYTES; i++)
		if (head[i]) {
			*what = "unrecognised data in its first 128 KiB";
			return DS_PROBE_DATA;
		}
	*what = "nothing (blank)";
	return DS_PROBE_BLANK;
}

int ds_probe(struct blk_dev *dev, enum ds_probe_kind *kind, char *what,
	     size_t what_len, char *label, size_t label_len)
{
	uint64_t n = DS_PROBE_BYTES / dev->sector_size;
	uint8_t *head = calloc(1, DS_PROBE_BYTES), *tail = NULL;
	const char *w;
	int rc = -ENOMEM;

	if (label_len)
		label[0] = 0;
	if (!head)
		goto out;
	if (n > dev->sectors)
		n = dev->sectors;
	tail = malloc(dev->sector_size);
	if (!tail)
		goto out;
	rc = blk_read(dev, 0, (uint32_t)n, head);
	if (!rc)
		rc = blk_read(dev, dev->sectors - 1, 1, tail);
	if (rc) {
		rc = -EIO;
		goto out;
	}
	*kind = ds_probe_buf(head, tail, dev->sector_size, &w);
	snprintf(what, what_len, "%s", w);
	if (*kind == DS_PROBE_DATASTORE) {
		struct ds_disk_super sb;

		memcpy(&sb, head, sizeof(sb));
		if (!ds_super_check(&sb,
				    dev->sectors * dev->sector_size / DS_BLOCK))
			snprintf(label, label_len, "%s", sb.label);
		else
			snprintf(what, what_len, "a damaged Keel datastore");
	}
out:
	free(head);
	free(tail);
	return rc;
}

const char *ds_disk_unusable(struct blk_dev *dev)
{
	struct blk_dev *boot = blk_boot_disk();

	if (dev->parent)
		return "it is a partition; a datastore takes a whole disk";
	if (boot == dev)
		return "it is Keel's boot disk";
	if (!strncmp(dev->name, "usb", 3))
		return "USB disks are not used for the datastore (removable)";
	if (dev->read_only)
		return "it is read-only";
	if (dev->sector_size > DS_BLOCK || DS_BLOCK % dev->sector_size)
		return "its sector size is larger than 4096 bytes";
	if (dev->sectors * dev->sector_size < DS_MIN_BYTES)
		return "it is smaller than 16 MiB";
	return NULL;
}

/* ---- The disk list ------------------------------------------------------- */

static void ds_disk_fill(struct blk_dev *d, struct ds_disk_info *o)
{
	const char *bad = ds_disk_unusable(d);
	enum ds_probe_kind kind;
	char what[64];

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", d->name);
	o->size = d->sectors * d->sector_size;
	o->sector_size = d->sector_size;
	o->mounted = ds_vol && ds_vol->dev == d;
	if (o->mounted) {
		o->datastore = true;
		memcpy(o->label, ds_vol->sb.label, sizeof(o->label));
	}
	if (bad) {
		snprintf(o->why, sizeof(o->why), "%s", bad);
		return;
	}
	if (ds_probe(d, &kind, what, sizeof(what), o->label,
		     sizeof(o->label))) {
		snprintf(o->why, sizeof(o->why), "it cannot be read");
		return;
	}
	o->with_force = true;
	if (kind == DS_PROBE_BLANK) {
		o->formattable = true;
		return;
	}
	o->datastore = o->datastore || kind == DS_PROBE_DATASTORE;
	if (o->mounted)
		snprintf(o->why, sizeof(o->why),
			 "it is the mounted datastore \"%s\"; force erases "
			 "every file on it",
			 o->label);
	else
		snprintf(o->why, sizeof(o->why), "it holds %s; force erases it",
			 what);
}

int ds_disks(struct ds_disk_info *out, size_t max)
{
	struct blk_dev *d = NULL;
	size_t n = 0;

	ds_lock();
	while ((d = blk_next(d))) {
		if (d->parent)
			continue;
		if (n < max)
			ds_disk_fill(d, &out[n]);
		n++;
	}
	ds_unlock();
	return (int)n;
}

/* ---- Format -------------------------------------------------------------- */

static bool ds_label_valid(const char *label)
{
	size_t n = label ? strlen(label) : 0;

	if (!n || n >= DS_LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = label[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Zero @blocks blocks at @block (old metadata, a backup GPT). */
static int ds_zero(struct ds_vol *v, uint64_t block, uint64_t blocks)
{
	uint8_t *z = calloc(64, DS_BLOCK);
	int rc = 0;

	if (!z)
		return -ENOMEM;
	while (blocks && !rc) {
		uint32_t n = blocks < 64 ? (uint32_t)blocks : 64;

		rc = ds_bwrite(v, block, n, z);
		block += n;
		blocks -= n;
	}
	free(z);
	return rc;
}

/*
 * The order makes a half-done format harmless: the old superblock goes
 * first (flushed), so a power cut leaves the old datastore intact or no
 * datastore, never an old superblock over new metadata; the new
 * superblock goes last, after the flushed metadata it points to.
 */
static int ds_write_format(struct blk_dev *dev, const char *label,
			   struct ds_disk_super *sb)
{
	struct ds_vol tmp = { .dev = dev, .spb = DS_BLOCK / dev->sector_size };
	uint64_t blocks = dev->sectors / tmp.spb;
	uint8_t uuid[16], *blk = calloc(1, DS_BLOCK);
	int rc;

	if (!blk)
		return -ENOMEM;
	entropy_read(uuid, sizeof(uuid));
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* RFC 4122 4.4: version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	ds_super_init(sb, blocks, label, uuid);
	/* The old superblock alone first: until that flush returns the old
	 * datastore is untouched, afterwards there is none. */
	rc = ds_zero(&tmp, 0, 1);
	if (!rc)
		rc = blk_flush(dev);
	if (!rc)
		rc = ds_zero(&tmp, 1, DS_DATA_BLOCK - 1);
	/* The last MiB: a backup GPT header there would make the disk look
	 * partitioned to other systems. */
	if (!rc)
		rc = ds_zero(&tmp, blocks - 256, 256);
	if (!rc)
		rc = ds_meta_format(dev, sb);
	if (!rc)
		rc = blk_flush(dev);
	if (!rc) {
		memcpy(blk, sb, sizeof(*sb));
		rc = ds_bwrite(&tmp, 0, 1, blk);
	}
	if (!rc)
		rc = blk_flush(dev);
	free(blk);
	return rc ? -EIO : 0;
}

int ds_format(const char *disk, const char *label, bool force, char *why,
	      size_t why_len)
{
	struct ds_disk_info info;
	struct ds_disk_super sb;
	struct blk_dev *d;
	const char *w;
	int rc;

	if (why_len)
		why[0] = 0;
	if (!ds_label_valid(label))
		return -EINVAL;
	d = disk ? blk_find(disk) : NULL;
	if (!d)
		return -ENOENT;
	ds_lock();
	ds_disk_fill(d, &info);
	if (!info.formattable && !(force && info.with_force)) {
		snprintf(why, why_len, "%s", info.why);
		rc = -EPERM;
		goto out;
	}
	if (ds_vol && ds_vol->dev != d) {
		snprintf(why, why_len,
			 "a datastore (\"%s\") is mounted on %s; Keel keeps "
			 "one datastore",
			 ds_vol->sb.label, ds_vol->dev->name);
		rc = -EPERM;
		goto out;
	}
	if (ds_vol && ds_vol->verifying) {
		snprintf(why, why_len, "an upload is being verified");
		rc = -EBUSY;
		goto out;
	}
	if (ds_vol && ds_vol->open) {
		snprintf(why, why_len,
			 "%u disk(s) on it are in use by running VMs",
			 ds_vol->open);
		rc = -EBUSY;
		goto out;
	}
	ds_unmount_locked();
	log_info("datastore: formatting %s (%llu MiB) as \"%s\"%s%s", d->name,
		 (unsigned long long)(info.size >> 20), label,
		 info.formattable ? "" : "; erasing what it held: ",
		 info.formattable ? "" : info.why);
	rc = ds_write_format(d, label, &sb);
	if (rc) {
		snprintf(why, why_len, "a disk write failed");
		log_err("datastore: formatting %s failed (%d)", d->name, rc);
		goto out;
	}
	rc = ds_vol_open(d, &ds_vol, &w);
	if (rc) {
		snprintf(why, why_len, "the new datastore does not mount: %s",
			 w ? w : "I/O error");
		log_err("datastore: %s: %s", d->name, why);
		rc = -EIO;
		goto out;
	}
	log_info("datastore: %s formatted: %llu MiB for files", d->name,
		 (unsigned long long)(sb.data_blocks * DS_BLOCK >> 20));
out:
	ds_unlock();
	return rc;
}
