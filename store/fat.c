// SPDX-License-Identifier: MIT
/*
 * Just enough FAT12/16/32 to read and delete one file in the root
 * directory of the KEEL-BOOT partition (store/fat.h): keel.cfg. Follows
 * Microsoft's "FAT: General Overview of On-Disk Format" 1.03 (fatgen103),
 * cited below by section. The partition comes from an OEM's tooling or a
 * damaged stick, so every number read from it is checked before it is
 * used as an offset or a loop bound: a bad file system gives -EINVAL.
 *
 * All I/O goes through a byte-range reader with a one-sector cache, so
 * the file system's sector size (512-4096) need not equal the device's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "drivers/blk.h"
#include "store/fat.h"

#define FAT_ENT 32
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_LFN 0x0f /* read-only|hidden|system|volume (sec. 7) */
#define FAT_LFN_MAX 20	  /* 255 characters / 13 per entry */
#define FAT_FREE 0xe5

struct fat_fs {
	struct blk_dev *dev;
	uint32_t bps, spc, clsize; /* bytes/sector, sectors/cluster */
	uint32_t rsvd, nfats, fatsz, root_ents, tot;
	uint32_t first_data, nclusters; /* data clusters are 2..nclusters+1 */
	uint32_t root_clus, fsinfo;	/* FAT32 only */
	int type;			/* 12, 16, 32 */
	uint8_t *cache;
	uint64_t cache_lba;
};

/* Where a directory entry and the long-name entries before it sit. */
struct fat_hit {
	uint64_t off, lfn_off[FAT_LFN_MAX];
	int nlfn;
	uint8_t ent[FAT_ENT];
};

static uint16_t fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void fat_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool fat_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int fat_io(struct fat_fs *fs, uint64_t off, void *buf, size_t len,
		  bool write)
{
	uint32_t ss = fs->dev->sector_size;

	while (len) {
		uint64_t lba = off / ss;
		size_t in = (size_t)(off % ss), n = ss - in;
		int rc;

		if (n > len)
			n = len;
		/* File data: whole sectors straight into the caller's
		 * buffer, not one at a time through the cache. */
		if (!write && !in && len >= ss) {
			uint32_t cnt =
			    (uint32_t)(len / ss > 256 ? 256 : len / ss);

			rc = blk_read(fs->dev, lba, cnt, buf);
			if (rc)
				return rc == -ERANGE ? -EINVAL : -EIO;
			n = (size_t)cnt * ss;
			goto next;
		}
		if (fs->cache_lba != lba) {
			fs->cache_lba = UINT64_MAX;
			rc = blk_read(fs->dev, lba, 1, fs->cache);
			if (rc)
				return rc == -ERANGE ? -EINVAL : -EIO;
			fs->cache_lba = lba;
		}
		if (write) {
			memcpy(fs->cache + in, buf, n);
			rc = blk_write(fs->dev, lba, 1, fs->cache);
			if (rc) {
				fs->cache_lba = UINT64_MAX;
				return -EIO;
			}
		} else {
			memcpy(buf, fs->cache + in, n);
		}
	next:
		buf = (uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

/* The BIOS Parameter Block (fatgen103 section 3) and the FAT type
 * determination (section 3.5), with every field checked. */
static int fat_mount(struct fat_fs *fs, struct blk_dev *dev)
{
	uint8_t b[64];
	uint32_t fatsz16, tot16, root_secs, fat_bytes, need;
	uint64_t part_bytes = dev->sectors * dev->sector_size;
	int rc;

	memset(fs, 0, sizeof(*fs));
	fs->dev = dev;
	fs->cache_lba = UINT64_MAX;
	fs->cache = malloc(dev->sector_size);
	if (!fs->cache)
		return -ENOMEM;
	rc = fat_io(fs, 0, b, sizeof(b), false);
	if (rc)
		return rc;
	fs->bps = fat_le16(b + 11);
	fs->spc = b[13];
	fs->rsvd = fat_le16(b + 14);
	fs->nfats = b[16];
	fs->root_ents = fat_le16(b + 17);
	tot16 = fat_le16(b + 19);
	fatsz16 = fat_le16(b + 22);
	fs->tot = tot16 ? tot16 : fat_le32(b + 32);
	fs->fatsz = fatsz16 ? fatsz16 : fat_le32(b + 36);
	if (fs->bps < 512 || fs->bps > 4096 || !fat_pow2(fs->bps) ||
	    !fat_pow2(fs->spc) || fs->rsvd < 1 || fs->nfats < 1 ||
	    fs->nfats > 2 || !fs->fatsz || !fs->tot)
		return -EINVAL;
	fs->clsize = fs->bps * fs->spc;
	if (fs->clsize > 65536 || (uint64_t)fs->tot * fs->bps > part_bytes)
		return -EINVAL;
	root_secs = (fs->root_ents * FAT_ENT + fs->bps - 1) / fs->bps;
	/* 64-bit: a hostile FATSz32 must not wrap the sum. */
	uint64_t first =
	    (uint64_t)fs->rsvd + (uint64_t)fs->nfats * fs->fatsz + root_secs;
	if (first >= fs->tot)
		return -EINVAL;
	fs->first_data = (uint32_t)first;
	fs->nclusters = (fs->tot - fs->first_data) / fs->spc;
	fs->type = fs->nclusters < 4085 ? 12 : fs->nclusters < 65525 ? 16 : 32;
	if (fs->type == 32) {
		/* FAT32 entries are 28 bits; 0x0FFFFFF7 up are not
		 * cluster numbers (section 4). */
		if (fatsz16 || fs->root_ents || fs->nclusters > 0x0ffffff4)
			return -EINVAL;
		fs->root_clus = fat_le32(b + 44);
		fs->fsinfo = fat_le16(b + 48);
		if (fs->root_clus < 2 || fs->root_clus > fs->nclusters + 1)
			return -EINVAL;
	} else if (!fs->root_ents) {
		return -EINVAL;
	}
	/* The FAT must hold an entry for every cluster (section 4). */
	need = fs->nclusters + 2;
	fat_bytes = fs->type == 12 ? need + need / 2 + 1
				   : need * (uint32_t)(fs->type / 8);
	if ((uint64_t)fs->fatsz * fs->bps < fat_bytes)
		return -EINVAL;
	return 0;
}

static uint64_t fat_clus_off(const struct fat_fs *fs, uint32_t c)
{
	return ((uint64_t)fs->first_data + (uint64_t)(c - 2) * fs->spc) *
	       fs->bps;
}

static uint64_t fat_ent_off(const struct fat_fs *fs, uint32_t copy, uint32_t c)
{
	uint64_t base =
	    ((uint64_t)fs->rsvd + (uint64_t)copy * fs->fatsz) * fs->bps;

	return base + (fs->type == 12 ? c + c / 2 : (uint64_t)c * fs->type / 8);
}

/* The FAT entry of cluster @c (section 4), from the first FAT. */
static int fat_get(struct fat_fs *fs, uint32_t c, uint32_t *v)
{
	uint8_t b[4] = { 0 };
	int rc = fat_io(fs, fat_ent_off(fs, 0, c), b,
			fs->type == 12 ? 2 : (size_t)fs->type / 8, false);

	if (rc)
		return rc;
	if (fs->type == 12)
		*v = c & 1 ? fat_le16(b) >> 4 : fat_le16(b) & 0xfff;
	else if (fs->type == 16)
		*v = fat_le16(b);
	else
		*v = fat_le32(b) & 0x0fffffff;
	return 0;
}

/* Set cluster @c's entry to @v in every FAT copy, keeping the other
 * nibble (FAT12) and the reserved top 4 bits (FAT32). */
static int fat_set(struct fat_fs *fs, uint32_t c, uint32_t v)
{
	for (uint32_t k = 0; k < fs->nfats; k++) {
		uint64_t off = fat_ent_off(fs, k, c);
		size_t n = fs->type == 12 ? 2 : (size_t)fs->type / 8;
		uint8_t b[4] = { 0 };
		int rc = fat_io(fs, off, b, n, false);

		if (rc)
			return rc;
		if (fs->type == 12) {
			uint16_t w = fat_le16(b);

			w = c & 1 ? (uint16_t)((w & 0x000f) | v << 4)
				  : (uint16_t)((w & 0xf000) | (v & 0xfff));
			b[0] = (uint8_t)w;
			b[1] = (uint8_t)(w >> 8);
		} else if (fs->type == 16) {
			b[0] = (uint8_t)v;
			b[1] = (uint8_t)(v >> 8);
		} else {
			fat_put32(b, (fat_le32(b) & 0xf0000000) |
					 (v & 0x0fffffff));
		}
		rc = fat_io(fs, off, b, n, true);
		if (rc)
			return rc;
	}
	return 0;
}

static bool fat_eoc(const struct fat_fs *fs, uint32_t v)
{
	return v >= (fs->type == 12   ? 0xff8u
		     : fs->type == 16 ? 0xfff8u
				      : 0x0ffffff8u);
}

/*
 * The cluster after @c in a chain: 0 and *next = 0 at the end of the
 * chain, -EINVAL for a free, bad or out-of-range link. Callers bound the
 * number of steps by nclusters, so a loop cannot run forever.
 */
static int fat_next(struct fat_fs *fs, uint32_t c, uint32_t *next)
{
	uint32_t v;
	int rc = fat_get(fs, c, &v);

	if (rc)
		return rc;
	if (fat_eoc(fs, v)) {
		*next = 0;
		return 0;
	}
	if (v < 2 || v > fs->nclusters + 1)
		return -EINVAL;
	*next = v;
	return 0;
}

static bool fat_valid_clus(const struct fat_fs *fs, uint32_t c)
{
	return c >= 2 && c <= fs->nclusters + 1;
}

/* The long-name checksum of a short name (section 7). */
static uint8_t fat_lfn_sum(const uint8_t *name)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + name[i]);
	return sum;
}

static char fat_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool fat_name_eq(const char *a, const char *b)
{
	while (*a && fat_lower(*a) == fat_lower(*b))
		a++, b++;
	return !*a && !*b;
}

/* "NAME    EXT" to "NAME.EXT". */
static void fat_short_name(const uint8_t *e, char out[13])
{
	int n = 0, i;

	for (i = 0; i < 8 && e[i] != ' '; i++)
		out[n++] = (char)(i == 0 && e[0] == 0x05 ? 0xe5 : e[i]);
	if (e[8] != ' ') {
		out[n++] = '.';
		for (i = 8; i < 11 && e[i] != ' '; i++)
			out[n++] = (char)e[i];
	}
	out[n] = 0;
}

/* Long-name pieces: 13 UTF-16 units per entry at these offsets. */
static const uint8_t fat_lfn_pos[13] = { 1,  3,	 5,  7,	 9,  14, 16,
					 18, 20, 22, 24, 28, 30 };

/* Find @name in the root directory (fixed region for FAT12/16, a cluster
 * chain for FAT32; section 6). */
static int fat_find(struct fat_fs *fs, const char *name, struct fat_hit *hit)
{
	char lname[FAT_LFN_MAX * 13 + 1], sname[13];
	uint64_t off, lfn_off[FAT_LFN_MAX];
	uint32_t left, clus = 0, steps = 0;
	int expect = 0, nlfn = 0;
	uint8_t sum = 0, e[FAT_ENT];
	int rc;

	if (fs->type == 32) {
		clus = fs->root_clus;
		off = fat_clus_off(fs, clus);
		left = fs->clsize;
	} else {
		off = ((uint64_t)fs->rsvd + (uint64_t)fs->nfats * fs->fatsz) *
		      fs->bps;
		left = fs->root_ents * FAT_ENT;
	}
	for (;;) {
		if (!left) {
			if (fs->type != 32)
				return -ENOENT;
			rc = fat_next(fs, clus, &clus);
			if (rc)
				return rc;
			if (!clus)
				return -ENOENT;
			if (++steps > fs->nclusters)
				return -EINVAL; /* a loop in the chain */
			off = fat_clus_off(fs, clus);
			left = fs->clsize;
		}
		rc = fat_io(fs, off, e, FAT_ENT, false);
		if (rc)
			return rc;
		if (e[0] == 0)
			return -ENOENT; /* no entries after this (sec. 6) */
		if (e[0] == FAT_FREE) {
			expect = 0;
		} else if ((e[11] & 0x3f) == FAT_ATTR_LFN) {
			int ord = e[0] & 0x1f;

			/* A set is stored last piece first: 0x40|N ... 1. */
			if (e[0] & 0x40) {
				expect = ord;
				nlfn = 0;
				sum = e[13];
				memset(lname, 0, sizeof(lname));
			}
			if (!ord || ord > FAT_LFN_MAX || ord != expect ||
			    e[13] != sum) {
				expect = 0;
			} else {
				for (int i = 0; i < 13; i++) {
					uint16_t u =
					    fat_le16(e + fat_lfn_pos[i]);

					if (u == 0 || u == 0xffff)
						break;
					lname[(ord - 1) * 13 + i] =
					    u < 0x80 ? (char)u : '?';
				}
				lfn_off[nlfn++] = off;
				expect--;
				if (!expect)
					expect = -1; /* complete */
			}
		} else if (!(e[11] & (FAT_ATTR_VOLUME | FAT_ATTR_DIR))) {
			bool lfn_ok = expect == -1 && fat_lfn_sum(e) == sum;

			fat_short_name(e, sname);
			if (fat_name_eq(name, sname) ||
			    (lfn_ok && fat_name_eq(name, lname))) {
				hit->off = off;
				hit->nlfn = lfn_ok ? nlfn : 0;
				memcpy(hit->lfn_off, lfn_off, sizeof(lfn_off));
				memcpy(hit->ent, e, FAT_ENT);
				return 0;
			}
			expect = 0;
		} else {
			expect = 0;
		}
		off += FAT_ENT;
		left -= FAT_ENT;
	}
}

static uint32_t fat_first_clus(const struct fat_fs *fs, const uint8_t *e)
{
	uint32_t c = fat_le16(e + 26);

	if (fs->type == 32)
		c |= (uint32_t)fat_le16(e + 20) << 16;
	return c;
}

static int fat_open(struct fat_fs *fs, struct blk_dev *part, const char *name,
		    struct fat_hit *hit)
{
	int rc = fat_mount(fs, part);

	return rc ? rc : fat_find(fs, name, hit);
}

int fat_read_file(struct blk_dev *part, const char *name, size_t max,
		  char **data, size_t *len)
{
	struct fat_fs fs;
	struct fat_hit hit;
	uint32_t size, c, steps = 0;
	char *buf = NULL;
	int rc = fat_open(&fs, part, name, &hit);

	if (rc)
		goto out;
	size = fat_le32(hit.ent + 28);
	if (size > max) {
		rc = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	c = fat_first_clus(&fs, hit.ent);
	for (uint32_t done = 0; done < size;) {
		uint32_t n = size - done < fs.clsize ? size - done : fs.clsize;

		/* The chain must cover the size the entry claims. */
		if (!fat_valid_clus(&fs, c) || ++steps > fs.nclusters) {
			rc = -EINVAL;
			goto out;
		}
		rc = fat_io(&fs, fat_clus_off(&fs, c), buf + done, n, false);
		if (rc)
			goto out;
		done += n;
		rc = fat_next(&fs, c, &c);
		if (rc)
			goto out;
	}
	/* ... and end right there: a longer chain, or one that loops
	 * back on itself, is damage fsck would have to repair. */
	if (c || (!size && fat_first_clus(&fs, hit.ent))) {
		rc = -EINVAL;
		goto out;
	}
	buf[size] = 0;
	*data = buf;
	*len = size;
	buf = NULL;
out:
	free(buf);
	free(fs.cache);
	return rc;
}

/* FAT32's FSInfo free count is a hint (section 5), but fsck checks it:
 * keep it right when it is kept at all. */
static void fat_fsinfo_add(struct fat_fs *fs, uint32_t freed)
{
	uint8_t b[4];
	uint64_t base = (uint64_t)fs->fsinfo * fs->bps;
	uint32_t v;

	if (fs->type != 32 || !fs->fsinfo || fs->fsinfo >= fs->rsvd)
		return;
	if (fat_io(fs, base, b, 4, false) || fat_le32(b) != 0x41615252)
		return;
	if (fat_io(fs, base + 484, b, 4, false) || fat_le32(b) != 0x61417272)
		return;
	if (fat_io(fs, base + 488, b, 4, false))
		return;
	v = fat_le32(b);
	if (v == 0xffffffff || v + freed > fs->nclusters)
		return;
	fat_put32(b, v + freed);
	fat_io(fs, base + 488, b, 4, true);
}

int fat_delete_file(struct blk_dev *part, const char *name)
{
	struct fat_fs fs;
	struct fat_hit hit;
	uint32_t c, next, n = 0;
	uint8_t mark = FAT_FREE;
	int rc = fat_open(&fs, part, name, &hit);

	if (rc)
		goto out;
	/* Walk the whole chain before changing anything, so a damaged
	 * chain is refused with the disk untouched. */
	c = fat_first_clus(&fs, hit.ent);
	if (c && !fat_valid_clus(&fs, c)) {
		rc = -EINVAL;
		goto out;
	}
	for (uint32_t x = c; x; x = next) {
		if (++n > fs.nclusters) {
			rc = -EINVAL;
			goto out;
		}
		rc = fat_next(&fs, x, &next);
		if (rc)
			goto out;
	}
	/* Entries first, then the chain: power lost in between leaves lost
	 * clusters (harmless, fsck reclaims them), never a live entry
	 * pointing at free clusters another file could take. */
	for (int i = 0; i < hit.nlfn && !rc; i++)
		rc = fat_io(&fs, hit.lfn_off[i], &mark, 1, true);
	if (!rc)
		rc = fat_io(&fs, hit.off, &mark, 1, true);
	for (uint32_t x = c; x && !rc; x = next) {
		rc = fat_next(&fs, x, &next);
		if (!rc)
			rc = fat_set(&fs, x, 0);
	}
	if (!rc && n)
		fat_fsinfo_add(&fs, n);
	if (!rc)
		rc = blk_flush(part) ? -EIO : 0;
out:
	free(fs.cache);
	return rc;
}

#ifndef KEEL_HOST_TEST
#include "core/selftest.h"
#include "core/time.h"
#include "drivers/blk_boot.h"

/* The reader against what mformat/mcopy built (image/mkimage.py) on the
 * real block stack: keel.elf on KEEL-BOOT is found and is an ELF file. */
static int fat_selftest(void)
{
	struct blk_dev *esp =
	    blk_config_partition(3 * NSEC_PER_SEC) ? blk_boot_esp() : NULL;
	uint64_t t0 = time_ns();
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!esp) {
		log_info("fat: self-test skipped: no KEEL-BOOT partition");
		return 0;
	}
	rc = fat_read_file(esp, "KEEL.ELF", 64 << 20, &data, &len);
	if (!rc && (len < 64 || memcmp(data,
				       "\x7f"
				       "ELF",
				       4)))
		rc = -EINVAL;
	if (rc)
		log_err("fat: keel.elf on %s: %d", esp->name, rc);
	else
		log_info("fat: read keel.elf from %s: %zu KiB in %llu ms",
			 esp->name, len >> 10,
			 (unsigned long long)((time_ns() - t0) / 1000000));
	free(data);
	return rc;
}
KEEL_SELFTEST(fat_read, fat_selftest);
#endif
