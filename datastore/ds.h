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
 * (bad name or range), -EIO (a disk error, or a file that is damaged or
 * failed its checksum), -EBUSY (the file is being uploaded or verified).
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
#define DS_LABEL_MAX 64		 /* a label is 1..63 bytes of [A-Za-z0-9 ._-] */
#define DS_FILES_MAX 1024	 /* files (complete or not) on one datastore */
#define DS_MIN_BYTES (16u << 20) /* smallest disk format accepts */

/* A file's state (docs/datastore.md "Files"). */
enum ds_state {
	DS_UPLOADING = 1, /* space reserved, `received` bytes stored */
	DS_COMPLETE = 2,  /* SHA-256 checked: readable */
	DS_FAILED = 3,	  /* every byte arrived but the SHA-256 differed */
	DS_DAMAGED = 4,	  /* its metadata is inconsistent (found at mount) */
};

struct ds_file_info {
	char name[DS_NAME_MAX];
	uint64_t size;	    /* the declared size (uploads: when complete) */
	uint64_t received;  /* uploads: contiguous bytes stored so far */
	bool complete;	    /* the SHA-256 was checked; readable */
	uint8_t sha256[32]; /* complete files */
	/* Additions after the VM manager's fields: */
	enum ds_state state;
	bool verifying;	   /* ds_upload_finish is hashing it right now */
	bool has_expected; /* uploads, failed files: the expected SHA-256
			    * is in sha256 */
	const char *why;   /* DS_DAMAGED/DS_FAILED: a static explanation */
	bool disk;	   /* a virtual disk (ds_create_disk): no digest */
	bool in_use;	   /* a disk opened by a running VM (ds_disk_open) */
};

int ds_stat(const char *name, struct ds_file_info *out);
/* Read @len bytes at @off of a complete file; short only at its end.
 * Returns the bytes read or -errno. */
long ds_read(const char *name, uint64_t off, void *buf, size_t len);

/* ---- The datastore as a whole ------------------------------------------ */

struct ds_status {
	bool mounted;
	char disk[32]; /* "nvme0n1" */
	char label[DS_LABEL_MAX];
	char uuid[37];	   /* 8-4-4-4-12 lowercase hex */
	uint64_t capacity; /* bytes of file data it can hold */
	uint64_t free;	   /* of which unreserved */
	uint32_t files;	   /* entries, uploads and damaged included */
	uint32_t files_max;
};
/* Always 0; out->mounted false when there is no datastore. */
int ds_status(struct ds_status *out);

/* Wait until the boot-time search for the datastore disk has finished
 * (mounted or not); false on timeout. Kernel threads only. */
bool ds_wait_ready(uint64_t timeout_ns);

/* Forget the mounted datastore (nothing is written: every change was
 * committed when it was made); -EBUSY while a file is being verified.
 * Self-tests use it to hand a RAM datastore back. */
int ds_unmount(void);

/* Every file, sorted by name; returns how many exist (may exceed @max:
 * only @max are filled). */
int ds_list(struct ds_file_info *out, size_t max);

/* A whole disk and whether datastore.format may take it. */
struct ds_disk_info {
	char name[32];
	uint64_t size; /* bytes */
	uint32_t sector_size;
	char model[48];		  /* "" when the driver does not say */
	bool formattable;	  /* without force */
	bool with_force;	  /* with force (erases what @why names) */
	bool datastore;		  /* holds a Keel datastore */
	bool mounted;		  /* it is the mounted datastore */
	char label[DS_LABEL_MAX]; /* the datastore's label, if any */
	char why[160];		  /* when not formattable: why, for a person */
};
/* Every whole disk (not partitions), in registration order; returns how
 * many there are, fills at most @max. */
int ds_disks(struct ds_disk_info *out, size_t max);

/*
 * Make @disk a new, empty datastore labelled @label and mount it. Never
 * the boot disk, a USB or read-only disk, or one too small; a disk with
 * a partition table, a file system, a datastore or unrecognised data on
 * it only with @force; never while a datastore is mounted on another
 * disk. -ENOENT (no such disk), -EINVAL (bad label), -EPERM (refused:
 * @why says why), -EBUSY (a file is being verified), -EIO.
 */
int ds_format(const char *disk, const char *label, bool force, char *why,
	      size_t why_len);

/* Delete a file in any state (an aborted upload, a damaged file).
 * -EBUSY while it is being verified. */
int ds_delete(const char *name);

/* Whether @name is a valid datastore name (the rules above). */
bool ds_name_valid(const char *name);

/* ---- Uploads (chunked, resumable, verified) ----------------------------- */

/*
 * Start (or join) the upload of @name: @size bytes whose SHA-256 must be
 * @sha256 (NULL: no expectation, the digest is only recorded). Reserves
 * the space. If an upload of @name with the same size and SHA-256 is in
 * progress it is resumed, and a complete file with the same size and
 * SHA-256 is left as it is (*@received tells which: its received count).
 * Otherwise an existing file is -EEXIST unless @overwrite, which deletes
 * it first. -ENOSPC (not enough free space, or DS_FILES_MAX files),
 * -EINVAL (bad name), -ENODEV, -EIO.
 */
int ds_upload_begin(const char *name, uint64_t size, const uint8_t *sha256,
		    bool overwrite, uint64_t *received);

/*
 * Store @len bytes at @off of an upload. Uploads are contiguous: @off
 * must be at most the received count; bytes below it were stored
 * already and are skipped (a repeated chunk is accepted). Returns 0 and
 * the new received count in *@received; -ESPIPE when @off is past it
 * (*@received is where to continue), -EINVAL past the declared size,
 * -EALREADY for a complete file (*@received = size), -ENOENT, -EIO.
 * Progress is made durable at least every DS_PERSIST_BYTES.
 */
int ds_upload_write(const char *name, uint64_t off, const void *buf, size_t len,
		    uint64_t *received);

/*
 * All bytes received: hash what is stored on the disk and mark the file
 * complete if it matches the expected SHA-256 (@sha256_out gets the
 * digest either way, when not NULL). -EBADMSG on a mismatch (the file
 * becomes DS_FAILED: delete it and upload again), -EAGAIN when not all
 * bytes arrived yet, -EALREADY when already complete (not an error for
 * a repeated last chunk), -EBUSY when another call is verifying it.
 */
int ds_upload_finish(const char *name, uint8_t sha256_out[32]);

#define DS_PERSIST_BYTES (4u << 20)

/* ---- Virtual disks (docs/datastore.md "Virtual disks") ------------------ */

/*
 * A file of @size bytes (a multiple of 4096) that VMs write in place.
 * It reads as zeros until written: nothing is written at creation (a
 * high-water mark records how far the disk was ever written; below it
 * the blocks are the disk's, above it zeros), so no earlier file's bytes
 * can show through. -EEXIST, -EINVAL (bad name or size), -ENOSPC,
 * -ENODEV, -EIO.
 */
int ds_create_disk(const char *name, uint64_t size);

/* An open disk: one opener at a time (a running VM). While it is open
 * the file cannot be deleted, overwritten, or the datastore unmounted
 * or formatted (-EBUSY). */
struct ds_disk;
/* -ENOENT, -ENODEV, -EBUSY (open already), -ENOTSUP (not a disk),
 * -EIO (damaged). */
int ds_disk_open(const char *name, struct ds_disk **out);
/* Flush (as ds_flush) and let go. */
void ds_disk_close(struct ds_disk *d);
uint64_t ds_disk_size(const struct ds_disk *d);
/* Inside the disk only (-EINVAL past its end: disks never grow); 0 or
 * -errno. Any byte offset and length; sub-block writes read-merge-write. */
int ds_pread(struct ds_disk *d, uint64_t off, void *buf, size_t len);
int ds_pwrite(struct ds_disk *d, uint64_t off, const void *buf, size_t len);
/* Everything written before is durable on the host's disk (a device
 * flush, and the high-water mark committed if it moved). */
int ds_flush(struct ds_disk *d);
/* The guest no longer needs [off, off + len): checked, otherwise a no-op
 * (host disks have no discard in drivers/blk.h); the bytes stay readable. */
int ds_discard(struct ds_disk *d, uint64_t off, uint64_t len);

#endif
