/* SPDX-License-Identifier: MIT */
/*
 * The datastore's insides, shared by the datastore/ sources and the unit tests:
 * the on-disk format (docs/datastore.md "On disk"; all integers little
 * endian, the only byte order Keel runs on) and the mounted volume.
 */
#ifndef KEEL_DATASTORE_DS_INT_H
#define KEEL_DATASTORE_DS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "datastore/ds.h"

struct blk_dev;

#define DS_BLOCK 4096u	  /* the unit of every on-disk address */
#define DS_EXTENTS_MAX 20 /* extents per file */
#define DS_VERSION 1
#define DS_SUPER_MAGIC "KEELDSTR"
#define DS_META_MAGIC "KEELDSMT"

/* Layout format writes (blocks); the superblock records it and mount
 * reads it from there, checking only that it is sane. */
#define DS_META0_BLOCK 256 /* 1 MiB */
#define DS_META1_BLOCK 512 /* 2 MiB */
#define DS_META_BLOCKS 256 /* 1 MiB per copy */
#define DS_DATA_BLOCK 1024 /* 4 MiB */

struct ds_disk_super {
	char magic[8];	     /* DS_SUPER_MAGIC */
	uint32_t version;    /* DS_VERSION */
	uint32_t block_size; /* DS_BLOCK */
	uint8_t uuid[16];
	char label[DS_LABEL_MAX]; /* NUL-terminated */
	uint64_t blocks;	  /* the disk's size in blocks at format */
	uint64_t meta_start[2];
	uint32_t meta_blocks; /* per copy */
	uint32_t files_max;
	uint64_t data_start;
	uint64_t data_blocks;
	uint32_t extents_max; /* DS_EXTENTS_MAX */
	uint32_t crc;	      /* CRC32 of every byte before it */
} __attribute__((packed));

struct ds_disk_meta {
	char magic[8]; /* DS_META_MAGIC */
	uint32_t version;
	uint32_t count;	     /* entries that follow */
	uint64_t seq;	     /* the newer valid copy wins */
	uint8_t uuid[16];    /* the superblock's: a copy from an older
				format never counts */
	uint32_t entry_size; /* sizeof(struct ds_disk_file) */
	uint32_t crc;	     /* CRC32 of header (crc = 0) and entries */
	uint8_t pad[16];
} __attribute__((packed));

struct ds_disk_ext {
	uint64_t start; /* absolute block */
	uint64_t blocks;
} __attribute__((packed));

#define DS_F_DIGEST 1 /* sha256 holds a digest (expected or computed) */
#define DS_F_DISK 2   /* a virtual disk: `received` is its high-water
			 mark (bytes ever written, a block multiple) */

struct ds_disk_file {
	char name[DS_NAME_MAX];
	uint64_t size;
	uint64_t received; /* uploads: durable bytes, a block multiple */
	uint32_t state;	   /* enum ds_state */
	uint32_t nextents;
	uint32_t flags;
	uint32_t reserved;
	uint8_t sha256[32];
	struct ds_disk_ext ext[DS_EXTENTS_MAX];
} __attribute__((packed));

_Static_assert(sizeof(struct ds_disk_super) <= 512, "superblock in a sector");
_Static_assert(sizeof(struct ds_disk_meta) == 64, "meta header");
_Static_assert(sizeof(struct ds_disk_file) == 512, "file entry");

/* A file in memory. */
struct ds_file {
	char name[DS_NAME_MAX];
	uint64_t size;
	uint64_t received; /* contiguous bytes written (maybe not durable) */
	uint64_t durable;  /* what the newest metadata copy records */
	enum ds_state state;
	bool has_digest; /* uploads: expected; complete/failed: computed */
	bool verifying;
	uint8_t sha256[32];
	uint32_t nextents;
	struct ds_disk_ext ext[DS_EXTENTS_MAX];
	const char *why; /* DS_DAMAGED, DS_FAILED */
	bool disk;	 /* DS_F_DISK: received is the high-water mark */
	bool open;	 /* a disk opened by ds_disk_open */
};

/* The mounted datastore. */
struct ds_vol {
	struct blk_dev *dev;
	struct ds_disk_super sb;
	uint32_t spb; /* sectors per block */
	uint64_t seq; /* of the newest valid metadata copy */
	int slot;     /* which copy holds it (the next write: the other) */
	struct ds_file *files;
	uint32_t nfiles, cap;
	uint32_t verifying; /* files being hashed right now */
	uint32_t open;	    /* disks open (ds_disk_open) */
};

/* ds.c: the mounted volume (NULL: none) and the lock around it. A
 * sleeping lock; every public ds_* call takes it. */
extern struct ds_vol *ds_vol;
void ds_lock(void);
void ds_unlock(void);
struct ds_file *ds_find(struct ds_vol *v, const char *name);
/* Under the lock: the mounted volume's file @name in *@f; -ENODEV when
 * no datastore is mounted, -ENOENT when it has no such file. */
int ds_lookup(const char *name, struct ds_file **f);
void ds_file_info_fill(const struct ds_file *f, struct ds_file_info *out);
/* Drop the volume (unit tests; format). Under the lock. */
void ds_unmount_locked(void);
/* Mount @dev (-EBUSY when a datastore is mounted already; else as
 * ds_vol_open) and log what it holds. */
int ds_mount_dev(struct blk_dev *dev, const char **why);
/* Examine the whole disks registered after the first *@seen and mount
 * the first datastore found; 1 when one was mounted. */
int ds_scan(size_t *seen);

/* ds_meta.c: the superblock and the two metadata copies. */
void ds_super_init(struct ds_disk_super *sb, uint64_t dev_blocks,
		   const char *label, const uint8_t uuid[16]);
uint32_t ds_super_crc(const struct ds_disk_super *sb);
/* Check a superblock read from a disk of @dev_blocks; NULL or why not. */
const char *ds_super_check(const struct ds_disk_super *sb, uint64_t dev_blocks);
/* Mount @dev: -ENOENT (no datastore), -EBADMSG (refused: *why), -EIO,
 * -ENOMEM; on success the new volume (damaged files marked). */
int ds_vol_open(struct blk_dev *dev, struct ds_vol **out, const char **why);
void ds_vol_free(struct ds_vol *v);
/* Check every file after a load (exposed for tests): marks DS_DAMAGED. */
void ds_vol_check(struct ds_vol *v);
/* Flush the data, write the table to the older copy, flush. 0 or -EIO;
 * on success uploads' durable counts advance. */
int ds_commit(struct ds_vol *v);
/* Write a fresh, empty table as copy 0 (seq 1) and an invalid copy 1. */
int ds_meta_format(struct blk_dev *dev, const struct ds_disk_super *sb);
/* Block I/O in DS_BLOCK units. */
int ds_bread(struct ds_vol *v, uint64_t block, uint32_t n, void *buf);
int ds_bwrite(struct ds_vol *v, uint64_t block, uint32_t n, const void *buf);

/* ds_upload.c: an upload's progress is committed each time this many
 * more bytes are stored (DS_PERSIST_BYTES; tests make it small). */
extern uint32_t ds_persist_bytes;

/* ds_disk.c: read [off, off + len) of a disk whose high-water mark is
 * @mark: blocks at or above it read as zeros. Under the lock. */
int ds_disk_read_locked(struct ds_vol *v, const struct ds_file *f,
			uint64_t off, void *buf, size_t len);
/* A file that must not change now: being verified or an open disk. */
static inline bool ds_file_busy(const struct ds_file *f)
{
	return f->verifying || f->open;
}

/* ds_alloc.c: space. */
uint64_t ds_used_blocks(const struct ds_vol *v);
/* Reserve @blocks into @f's extents: -ENOSPC when they do not fit. */
int ds_alloc(struct ds_vol *v, uint64_t blocks, struct ds_file *f);
/* Move @n file blocks from file block @fb between the disk and @buf. */
int ds_file_io(struct ds_vol *v, const struct ds_disk_ext *ext, uint32_t next,
	       uint64_t fb, uint32_t n, void *buf, bool write);

/* ds_probe.c: what is on a disk, for ds_disks and ds_format. */
enum ds_probe_kind {
	DS_PROBE_BLANK,
	DS_PROBE_DATASTORE,
	DS_PROBE_PARTITIONED,
	DS_PROBE_FILESYSTEM,
	DS_PROBE_DATA, /* not zero, not recognised */
};
/* @what: "a GPT partition table", "an ext4 file system" ...; the label
 * of a datastore. -EIO when the disk cannot be read. */
int ds_probe(struct blk_dev *dev, enum ds_probe_kind *kind, char *what,
	     size_t what_len, char *label, size_t label_len);
/* Pure: classify the first DS_PROBE_BYTES of a disk and its last
 * sector (@tail, @ss bytes). */
#define DS_PROBE_BYTES (128u * 1024)
enum ds_probe_kind ds_probe_buf(const uint8_t *head, const uint8_t *tail,
				uint32_t ss, const char **what);
/* Why @dev can never be a datastore (boot disk, USB, read-only, size),
 * or NULL. */
const char *ds_disk_unusable(struct blk_dev *dev);

/* Hex and UUID text. */
void ds_hex(const uint8_t *b, size_t n, char *out);
void ds_uuid_str(const uint8_t uuid[16], char out[37]);

#endif
