/* SPDX-License-Identifier: MIT */
/*
 * Just enough FAT12/16/32 for keel.cfg on the KEEL-BOOT partition
 * (docs/store.md): find a file in the root directory by its 8.3 or long
 * name (case-insensitive), read it, delete it (directory entries
 * including its long-name entries marked free, its cluster chain freed
 * in every FAT copy, then a flush). Every field read from the disk is
 * bounds-checked: a damaged file system gives -EINVAL, never a wild read.
 */
#ifndef KEEL_STORE_FAT_H
#define KEEL_STORE_FAT_H
#include <stddef.h>
#include <stdint.h>
struct blk_dev;
/* Read @name from the root directory into a malloc'd buffer (NUL added
 * after *len bytes). 0, -ENOENT, -EFBIG (over @max bytes), -EINVAL, -EIO. */
int fat_read_file(struct blk_dev *part, const char *name, size_t max,
		  char **data, size_t *len);
/* Delete @name from the root directory. 0, -ENOENT, -EINVAL, -EIO. */
int fat_delete_file(struct blk_dev *part, const char *name);
#endif
