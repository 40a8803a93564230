// SPDX-License-Identifier: MIT
/*
 * The SQLite VFS on the config partition (docs/store.md "Layout" and
 * "Durability"). No file system: a superblock at offset 0 and two fixed
 * regions, one per file SQLite uses ("config.db" and its rollback
 * journal). Each region starts with two size-record slots written in turn
 * (sequence number + CRC32), so a record torn by a power cut leaves the
 * previous one readable; the file's bytes follow.
 *
 * Durability follows SQLite's contract for xSync and xDelete
 * (sqlite.org/atomiccommit.html, sections 3.7-3.11): xSync flushes the
 * device (the data is on the medium), writes the size record if the size
 * changed, and flushes again (the size is on the medium). Deleting the
 * journal is writing its size 0 durably: that is the commit point of
 * journal_mode=DELETE. The journal "exists" (xAccess) iff its size > 0,
 * which is how SQLite finds a hot journal to roll back after a crash.
 *
 * Locking: one process, so the lock levels live in memory. They are
 * tracked per region so that two connections in this kernel exclude each
 * other as SQLite expects (fileformat2.html section 2.1 lock states).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/fmt.h"
#include "drivers/blk.h"
#include "drivers/crc32.h"
#include "store/sqlite_os.h"
#include "store/store_vfs.h"

#define SV_MAGIC "KEELSTO1"
#define SV_REC_MAGIC "KEELSIZ1"
#define SV_VERSION 1
#define SV_DB 0
#define SV_JOURNAL 1
#define SV_NFILES 2
#define SV_ALIGN 4096	    /* regions start on 4 KiB (flash pages) */
#define SV_MIN_BYTES (64 * 1024)
#define SV_MAX_SECTOR 4096  /* the superblock must fit one sector */

/* Sector 0 of the partition. Little-endian (x86 only). */
struct sv_super {
	char magic[8];
	uint32_t version;
	uint32_t sector_size;
	uint64_t bytes; /* partition bytes the layout was made for */
	struct {
		uint64_t off; /* byte offset of the region in the partition */
		uint64_t len; /* bytes: two record sectors, then the file */
	} region[SV_NFILES];
	uint32_t crc; /* CRC32 of everything above */
} __attribute__((packed));

/* A size record: one of the first two sectors of a region. */
struct sv_rec {
	char magic[8];
	uint32_t file; /* region index: a record copied elsewhere is refused */
	uint32_t pad;
	uint64_t seq;  /* the slot with the highest valid seq wins */
	uint64_t size; /* the file's logical size in bytes */
	uint32_t crc;
} __attribute__((packed));

struct sv_region {
	uint64_t off, len;
	uint64_t data;	  /* byte offset of the file's first byte */
	uint64_t cap;	  /* the most the file may hold */
	uint64_t size;	  /* logical size, as SQLite sees it */
	uint64_t durable; /* the size the newest record on the device holds */
	uint64_t seq;
	/* lock holders: handles at SHARED or above, and the one writer */
	int readers;
	struct sv_file *writer;
};

struct sv_file {
	sqlite3_file base;
	int region;
	int lock;
	bool delete_on_close;
};

static struct {
	struct blk_dev *dev;
	uint64_t bytes;
	uint32_t ss;
	enum store_vfs_state state;
	uint8_t *bounce; /* one sector, for partial-sector I/O */
	int open_files;
	struct sv_region r[SV_NFILES];
	char reason[128];
} sv;

static const char *const sv_names[SV_NFILES] = { STORE_DB_NAME,
						  STORE_DB_NAME "-journal" };

/* ---- the device ------------------------------------------------------ */

/*
 * Move @len bytes at partition byte @pos. Whole sectors go straight to
 * the driver; a partial head or tail sector is read, patched and written
 * back through the bounce buffer.
 */
static int sv_io(uint64_t pos, uint8_t *buf, uint64_t len, bool write)
{
	uint32_t ss = sv.ss;
	int rc = 0;

	while (len && !rc) {
		uint64_t lba = pos / ss;
		uint32_t in = (uint32_t)(pos % ss);

		if (in || len < ss) {
			uint32_t n = ss - in < len ? ss - in : (uint32_t)len;

			rc = blk_read(sv.dev, lba, 1, sv.bounce);
			if (rc)
				break;
			if (write) {
				memcpy(sv.bounce + in, buf, n);
				rc = blk_write(sv.dev, lba, 1, sv.bounce);
			} else {
				memcpy(buf, sv.bounce + in, n);
			}
			pos += n, buf += n, len -= n;
		} else {
			uint64_t cnt = len / ss;

			if (cnt > 1024)
				cnt = 1024;
			rc = write ? blk_write(sv.dev, lba, (uint32_t)cnt, buf)
				   : blk_read(sv.dev, lba, (uint32_t)cnt, buf);
			pos += cnt * ss, buf += cnt * ss, len -= cnt * ss;
		}
	}
	return rc;
}

static uint32_t sv_rec_crc(const struct sv_rec *r)
{
	return crc32_update(0, r, offsetof(struct sv_rec, crc));
}

/* Write @size into the slot after the newest one (not flushed). */
static int sv_rec_write(int i, uint64_t size)
{
	struct sv_region *r = &sv.r[i];
	struct sv_rec rec = { .file = (uint32_t)i, .seq = r->seq + 1,
			      .size = size };

	memcpy(rec.magic, SV_REC_MAGIC, 8);
	rec.crc = sv_rec_crc(&rec);
	memset(sv.bounce, 0, sv.ss);
	memcpy(sv.bounce, &rec, sizeof(rec));
	int rc = blk_write(sv.dev, r->off / sv.ss + (rec.seq & 1), 1,
			   sv.bounce);
	if (!rc) {
		r->seq = rec.seq;
		r->durable = size;
	}
	return rc;
}

/*
 * The durable part of xSync: data first, then the size that makes it
 * visible, each behind a flush (the device may reorder what it caches).
 */
static int sv_sync(int i)
{
	int rc = blk_flush(sv.dev);

	if (!rc && sv.r[i].size != sv.r[i].durable) {
		rc = sv_rec_write(i, sv.r[i].size);
		if (!rc)
			rc = blk_flush(sv.dev);
	}
	return rc;
}

/* ---- attach and format ----------------------------------------------- */

static enum store_vfs_state sv_corrupt(const char *why, uint64_t a,
				       uint64_t b)
{
	fmt_snprintf(sv.reason, sizeof(sv.reason), why, (unsigned long long)a,
		     (unsigned long long)b);
	return STORE_VFS_CORRUPT;
}

/* Newest valid record of region @i; CORRUPT when neither slot is. */
static enum store_vfs_state sv_read_records(int i)
{
	struct sv_region *r = &sv.r[i];
	bool found = false;

	for (int slot = 0; slot < 2; slot++) {
		struct sv_rec rec;

		if (blk_read(sv.dev, r->off / sv.ss + slot, 1, sv.bounce))
			return sv_corrupt("cannot read a size record", 0, 0);
		memcpy(&rec, sv.bounce, sizeof(rec));
		if (memcmp(rec.magic, SV_REC_MAGIC, 8) ||
		    rec.crc != sv_rec_crc(&rec) || rec.file != (uint32_t)i ||
		    (rec.seq & 1) != (uint64_t)slot)
			continue;
		if (rec.size > r->cap)
			return sv_corrupt("size record says %llu bytes, the "
					  "region holds %llu",
					  rec.size, r->cap);
		if (!found || rec.seq > r->seq) {
			r->seq = rec.seq;
			r->size = r->durable = rec.size;
			found = true;
		}
	}
	if (!found)
		return sv_corrupt("both size records of file %llu damaged", i,
				  0);
	return STORE_VFS_OK;
}

static bool sv_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static enum store_vfs_state sv_check_super(const struct sv_super *s)
{
	uint64_t end = sv.ss; /* regions follow the superblock in order */

	if (memcmp(s->magic, SV_MAGIC, 8))
		return sv_corrupt("not a Keel store (no superblock magic)", 0,
				  0);
	if (s->crc != crc32_update(0, s, offsetof(struct sv_super, crc)))
		return sv_corrupt("superblock CRC mismatch", 0, 0);
	if (s->version != SV_VERSION)
		return sv_corrupt("layout version %llu, this Keel reads %llu",
				  s->version, SV_VERSION);
	if (s->sector_size != sv.ss)
		return sv_corrupt("made for %llu-byte sectors, the disk has "
				  "%llu",
				  s->sector_size, sv.ss);
	for (int i = 0; i < SV_NFILES; i++) {
		uint64_t off = s->region[i].off, len = s->region[i].len;

		if (off % sv.ss || len % sv.ss || off < end ||
		    len < 3 * (uint64_t)sv.ss || len > sv.bytes ||
		    off > sv.bytes - len)
			return sv_corrupt("impossible region at %llu, %llu "
					  "bytes",
					  off, len);
		end = off + len;
		sv.r[i] = (struct sv_region){
			.off = off,
			.len = len,
			.data = off + 2 * (uint64_t)sv.ss,
			.cap = len - 2 * (uint64_t)sv.ss,
		};
	}
	return STORE_VFS_OK;
}

enum store_vfs_state store_vfs_attach(struct blk_dev *part, uint64_t bytes,
				      const char **reason)
{
	struct sv_super s;

	free(sv.bounce);
	memset(&sv, 0, sizeof(sv));
	sv.state = STORE_VFS_CORRUPT;
	if (reason)
		*reason = sv.reason;
	if (!part || part->sector_size > SV_MAX_SECTOR ||
	    part->sector_size < sizeof(struct sv_super)) {
		fmt_snprintf(sv.reason, sizeof(sv.reason),
			     "unsupported device");
		return sv.state;
	}
	sv.dev = part;
	sv.ss = part->sector_size;
	sv.bytes = bytes - bytes % sv.ss;
	if (sv.bytes > part->sectors * sv.ss)
		sv.bytes = part->sectors * sv.ss;
	sv.bounce = malloc(sv.ss);
	if (!sv.bounce) {
		fmt_snprintf(sv.reason, sizeof(sv.reason), "out of memory");
		return sv.state;
	}
	if (sv.bytes < SV_MIN_BYTES) {
		sv_corrupt("partition too small (%llu bytes)", sv.bytes, 0);
		return sv.state;
	}
	if (blk_read(sv.dev, 0, 1, sv.bounce)) {
		fmt_snprintf(sv.reason, sizeof(sv.reason),
			     "cannot read the superblock");
		return sv.state;
	}
	if (sv_all_zero(sv.bounce, sv.ss)) {
		fmt_snprintf(sv.reason, sizeof(sv.reason),
			     "no store yet (blank partition)");
		return sv.state = STORE_VFS_BLANK;
	}
	memcpy(&s, sv.bounce, sizeof(s));
	sv.state = sv_check_super(&s);
	for (int i = 0; i < SV_NFILES && sv.state == STORE_VFS_OK; i++)
		sv.state = sv_read_records(i);
	if (sv.state == STORE_VFS_OK)
		fmt_snprintf(sv.reason, sizeof(sv.reason),
			     "store found: database %llu bytes%s",
			     (unsigned long long)sv.r[SV_DB].size,
			     sv.r[SV_JOURNAL].size ? ", hot journal" : "");
	return sv.state;
}

int store_vfs_format(void)
{
	struct sv_super s = { .version = SV_VERSION };
	uint64_t align = sv.ss > SV_ALIGN ? sv.ss : SV_ALIGN;
	uint64_t room, jlen;
	int rc;

	if (!sv.dev || !sv.bounce || sv.bytes < SV_MIN_BYTES)
		return -ENODEV;
	if (sv.open_files)
		return -EBUSY;
	/*
	 * The journal holds the original of every page a transaction
	 * changes, each with 8 bytes of framing, plus a header sector
	 * (fileformat2.html section 4.4): a journal region a little larger
	 * than the database region lets any transaction the database can
	 * hold, even a rewrite of every page, be journalled. So the split
	 * is about half and half: 4 MiB for a store expected under 1 MiB.
	 */
	room = (sv.bytes - align) / align * align;
	jlen = (room / 2 + room / 256 + align - 1) / align * align;
	memcpy(s.magic, SV_MAGIC, 8);
	s.sector_size = sv.ss;
	s.bytes = sv.bytes;
	s.region[SV_DB].off = align;
	s.region[SV_DB].len = room - jlen;
	s.region[SV_JOURNAL].off = align + room - jlen;
	s.region[SV_JOURNAL].len = jlen;
	s.crc = crc32_update(0, &s, offsetof(struct sv_super, crc));
	if (sv_check_super(&s) != STORE_VFS_OK)
		return -EINVAL;

	/* Wipe the superblock first: a cut mid-format leaves a blank store,
	 * never an old superblock over half-new records. */
	memset(sv.bounce, 0, sv.ss);
	rc = blk_write(sv.dev, 0, 1, sv.bounce);
	if (!rc)
		rc = blk_flush(sv.dev);
	for (int i = 0; i < SV_NFILES && !rc; i++) {
		memset(sv.bounce, 0, sv.ss);
		rc = blk_write(sv.dev, sv.r[i].off / sv.ss, 1, sv.bounce);
		if (!rc)
			rc = sv_rec_write(i, 0); /* seq 1: slot 1 */
	}
	if (!rc)
		rc = blk_flush(sv.dev);
	if (!rc) {
		memset(sv.bounce, 0, sv.ss);
		memcpy(sv.bounce, &s, sizeof(s));
		rc = blk_write(sv.dev, 0, 1, sv.bounce);
	}
	if (!rc)
		rc = blk_flush(sv.dev);
	sv.state = rc ? STORE_VFS_CORRUPT : STORE_VFS_OK;
	fmt_snprintf(sv.reason, sizeof(sv.reason), "%s",
		     rc ? "format failed" : "store formatted");
	return rc;
}

/* ---- files ----------------------------------------------------------- */

static int sv_region_of(const char *name)
{
	while (name && *name == '/')
		name++;
	for (int i = 0; name && i < SV_NFILES; i++)
		if (!strcmp(name, sv_names[i]))
			return i;
	return -1;
}

static int sv_close(sqlite3_file *f)
{
	struct sv_file *p = (struct sv_file *)f;
	struct sv_region *r = &sv.r[p->region];

	if (p->lock >= SQLITE_LOCK_SHARED)
		r->readers--;
	if (r->writer == p)
		r->writer = NULL;
	sv.open_files--;
	if (p->delete_on_close) {
		r->size = 0;
		return sv_sync(p->region) ? SQLITE_IOERR_CLOSE : SQLITE_OK;
	}
	return SQLITE_OK;
}

static int sv_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct sv_region *r = &sv.r[((struct sv_file *)f)->region];
	uint64_t have = 0;

	if (off < 0 || amt < 0)
		return SQLITE_IOERR_READ;
	if ((uint64_t)off < r->size)
		have = r->size - (uint64_t)off;
	if (have > (uint64_t)amt)
		have = (uint64_t)amt;
	if (have && sv_io(r->data + (uint64_t)off, buf, have, false))
		return SQLITE_IOERR_READ;
	if (have < (uint64_t)amt) {
		/* SQLite requires the missing tail zero-filled. */
		memset((uint8_t *)buf + have, 0, (size_t)((uint64_t)amt - have));
		return SQLITE_IOERR_SHORT_READ;
	}
	return SQLITE_OK;
}

static int sv_write(sqlite3_file *f, const void *buf, int amt,
		    sqlite3_int64 off)
{
	struct sv_region *r = &sv.r[((struct sv_file *)f)->region];

	if (off < 0 || amt < 0)
		return SQLITE_IOERR_WRITE;
	if ((uint64_t)off + (uint64_t)amt > r->cap)
		return SQLITE_FULL;
	if (sv_io(r->data + (uint64_t)off, (uint8_t *)buf, (uint64_t)amt, true))
		return SQLITE_IOERR_WRITE;
	if ((uint64_t)off + (uint64_t)amt > r->size)
		r->size = (uint64_t)off + (uint64_t)amt;
	return SQLITE_OK;
}

/* The new size is made durable at once (it is SQLite's rollback and
 * shrink path; a later crash must not resurrect the cut tail). */
static int sv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int i = ((struct sv_file *)f)->region;

	if (size < 0)
		return SQLITE_IOERR_TRUNCATE;
	if ((uint64_t)size > sv.r[i].cap)
		return SQLITE_FULL;
	sv.r[i].size = (uint64_t)size;
	return sv_sync(i) ? SQLITE_IOERR_TRUNCATE : SQLITE_OK;
}

static int sv_fsync(sqlite3_file *f, int flags)
{
	(void)flags; /* NORMAL and FULL alike: a flush is all we have */
	return sv_sync(((struct sv_file *)f)->region) ? SQLITE_IOERR_FSYNC
						       : SQLITE_OK;
}

static int sv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	*size = (sqlite3_int64)sv.r[((struct sv_file *)f)->region].size;
	return SQLITE_OK;
}

/*
 * SQLite's lock ladder (lockingv3.html): SHARED for readers, one RESERVED
 * (then PENDING/EXCLUSIVE) writer, EXCLUSIVE only with no other reader.
 */
static int sv_lock(sqlite3_file *f, int level)
{
	struct sv_file *p = (struct sv_file *)f;
	struct sv_region *r = &sv.r[p->region];

	if (level <= p->lock)
		return SQLITE_OK;
	if (r->writer && r->writer != p &&
	    (level > SQLITE_LOCK_SHARED ||
	     r->writer->lock >= SQLITE_LOCK_PENDING))
		return SQLITE_BUSY;
	if (level == SQLITE_LOCK_EXCLUSIVE &&
	    r->readers > (p->lock >= SQLITE_LOCK_SHARED ? 1 : 0))
		return SQLITE_BUSY;
	if (p->lock < SQLITE_LOCK_SHARED)
		r->readers++;
	if (level > SQLITE_LOCK_SHARED)
		r->writer = p;
	p->lock = level;
	return SQLITE_OK;
}

static int sv_unlock(sqlite3_file *f, int level)
{
	struct sv_file *p = (struct sv_file *)f;
	struct sv_region *r = &sv.r[p->region];

	if (level >= p->lock)
		return SQLITE_OK;
	if (level <= SQLITE_LOCK_SHARED && r->writer == p)
		r->writer = NULL;
	if (level < SQLITE_LOCK_SHARED && p->lock >= SQLITE_LOCK_SHARED)
		r->readers--;
	p->lock = level;
	return SQLITE_OK;
}

static int sv_check_reserved(sqlite3_file *f, int *res)
{
	struct sv_file *p = (struct sv_file *)f;
	struct sv_region *r = &sv.r[p->region];

	*res = r->writer && r->writer != p;
	return SQLITE_OK;
}

static int sv_file_control(sqlite3_file *f, int op, void *arg)
{
	(void)f, (void)op, (void)arg;
	return SQLITE_NOTFOUND;
}

static int sv_sector_size(sqlite3_file *f)
{
	(void)f;
	return (int)sv.ss;
}

/*
 * No IOCAP flags: a sector write is the only thing assumed atomic, appends
 * are not known to be safe, and a write may damage its whole sector.
 */
static int sv_device_characteristics(sqlite3_file *f)
{
	(void)f;
	return 0;
}

static const sqlite3_io_methods sv_methods = {
	.iVersion = 1,
	.xClose = sv_close,
	.xRead = sv_read,
	.xWrite = sv_write,
	.xTruncate = sv_truncate,
	.xSync = sv_fsync,
	.xFileSize = sv_file_size,
	.xLock = sv_lock,
	.xUnlock = sv_unlock,
	.xCheckReservedLock = sv_check_reserved,
	.xFileControl = sv_file_control,
	.xSectorSize = sv_sector_size,
	.xDeviceCharacteristics = sv_device_characteristics,
};

/* ---- the VFS --------------------------------------------------------- */

static int sv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		   int flags, int *out_flags)
{
	struct sv_file *p = (struct sv_file *)f;
	int i = sv_region_of(name);

	(void)vfs;
	f->pMethods = NULL; /* nothing to close on failure */
	if (sv.state != STORE_VFS_OK || i < 0)
		return SQLITE_CANTOPEN;
	if ((flags & SQLITE_OPEN_MAIN_DB) && i != SV_DB)
		return SQLITE_CANTOPEN;
	memset(p, 0, sizeof(*p));
	p->region = i;
	p->delete_on_close = flags & SQLITE_OPEN_DELETEONCLOSE;
	if (out_flags)
		*out_flags = flags;
	sv.open_files++;
	f->pMethods = &sv_methods;
	return SQLITE_OK;
}

static int sv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	int i = sv_region_of(name);

	(void)vfs, (void)sync; /* always durable: it is the commit point */
	if (sv.state != STORE_VFS_OK || i < 0)
		return SQLITE_IOERR_DELETE_NOENT;
	sv.r[i].size = 0;
	return sv_sync(i) ? SQLITE_IOERR_DELETE : SQLITE_OK;
}

static int sv_access(sqlite3_vfs *vfs, const char *name, int flags,
		     int *res)
{
	int i = sv_region_of(name);

	(void)vfs, (void)flags;
	*res = sv.state == STORE_VFS_OK && i >= 0 &&
	       (i == SV_DB || sv.r[i].size > 0);
	return SQLITE_OK;
}

static int sv_full_pathname(sqlite3_vfs *vfs, const char *name, int n,
			    char *out)
{
	(void)vfs;
	if ((int)strlen(name) >= n)
		return SQLITE_CANTOPEN;
	strcpy(out, name);
	return SQLITE_OK;
}

static sqlite3_vfs sv_vfs = {
	.iVersion = 2,
	.szOsFile = sizeof(struct sv_file),
	.mxPathname = 256,
	.zName = "keel",
	.xOpen = sv_open,
	.xDelete = sv_delete,
	.xAccess = sv_access,
	.xFullPathname = sv_full_pathname,
	.xRandomness = sqlite_os_random,
	.xSleep = sqlite_os_sleep,
	.xCurrentTime = sqlite_os_time,
	.xGetLastError = sqlite_os_last_error,
	.xCurrentTimeInt64 = sqlite_os_time64,
};

int store_vfs_register(void)
{
	return sqlite3_vfs_register(&sv_vfs, 1);
}
