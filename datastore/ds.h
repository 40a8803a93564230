/* SPDX-License-Identifier: MIT */
/*
 * The datastore (docs/datastore.md): one local disk (AHCI, NVMe or
 * virtio-blk, never the boot stick) that Keel formats on request and
 * keeps VM kernels, initrds and disk images on. Files survive reboots
 * and power loss: data is flushed before the metadata that names it.
 *
 * Names: 1..DS_NAME_MAX-1 bytes of [A-Za-z0-9._-] plus '/' between
 * non-empty parts ("debian/vmlinuz"); no "." or ".." parts.
 *
 * Every call may block on the disk; any thread. Errors are -errno:
 * -ENODEV (no datastore mounted), -ENOENT, -EEXIST, -ENOSPC, -EINVAL
 * (bad name or range), -EIO, -EBUSY (the file is being uploaded).
 *
 * Owned by the datastore helper; the VM manager relies on ds_stat and
 * ds_read exactly as below.
 */
#ifndef KEEL_DATASTORE_DS_H
#define KEEL_DATASTORE_DS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_NAME_MAX 128

struct ds_file_info {
	char name[DS_NAME_MAX];
	uint64_t size;	   /* the declared size (uploads: when complete) */
	uint64_t received; /* uploads: contiguous bytes stored so far */
	bool complete;	   /* the SHA-256 was checked; readable */
	uint8_t sha256[32]; /* complete files */
};

int ds_stat(const char *name, struct ds_file_info *out);
/* Read @len bytes at @off of a complete file; short only at its end.
 * Returns the bytes read or -errno. */
long ds_read(const char *name, uint64_t off, void *buf, size_t len);

#endif
