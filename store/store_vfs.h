/* SPDX-License-Identifier: MIT */
/*
 * The SQLite VFS on the config partition (docs/store.md "Layout"): a
 * superblock, then fixed regions that hold the two files SQLite uses
 * ("config.db" and its rollback journal "config.db-journal"), each with
 * its own size record. The last BLK_SCRATCH_BYTES of the partition are
 * never touched. Durability: xSync flushes the device before and after
 * the size record it writes, so a commit is on the device when SQLite's
 * commit returns. Registered as the default VFS, named "keel".
 */
#ifndef KEEL_STORE_STORE_VFS_H
#define KEEL_STORE_STORE_VFS_H
#include <stdint.h>
struct blk_dev;
#define STORE_DB_NAME "config.db"
enum store_vfs_state {
	STORE_VFS_BLANK,   /* no superblock: never formatted (or wiped) */
	STORE_VFS_OK,	   /* superblock valid */
	STORE_VFS_CORRUPT, /* something is there but it is not ours/valid */
};
/*
 * Put the VFS on @part, using only its first @bytes bytes (the caller
 * leaves the scratch area out). Reads the superblock; returns its state
 * and a reason for the log. A second call replaces the first (tests).
 */
enum store_vfs_state store_vfs_attach(struct blk_dev *part, uint64_t bytes,
				      const char **reason);
/* Write a fresh superblock and empty files (flushed). 0 or -errno. No
 * database may be open. */
int store_vfs_format(void);
/* Register the VFS with SQLite (sqlite3_os_init calls it). */
int store_vfs_register(void);
#endif
