// SPDX-License-Identifier: MIT
/*
 * GPT reading, after UEFI spec 2.9 chapter 5. Everything on the disk is
 * input to distrust: a header is used only when its signature, revision,
 * size, CRC32, own LBA and geometry all hold (5.3.2 "GPT Header" validity
 * rules), and its entry array only when that array's CRC32 matches; every
 * entry's range is then checked against the usable area and the entries
 * before it, so nothing downstream can be handed a partition that runs off
 * the disk or over the GPT itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "drivers/crc32.h"
#include "drivers/gpt.h"

const uint8_t gpt_type_keel_config[16] =
	GPT_GUID(0x17D6148DULL, 0x1D67, 0x4857, 0x9FFF, 0xE6932EA1331BULL);
const uint8_t gpt_type_efi_system[16] =
	GPT_GUID(0xC12A7328ULL, 0xF81F, 0x11D2, 0xBA4B, 0x00A0C93EC93BULL);

/* 5.3.2: "EFI PART", revision 1.0, a header of 92 bytes. */
#define GPT_SIG "EFI PART"
#define GPT_REV 0x00010000u
#define GPT_HDR_MIN 92
/* 5.3.3: entries are 128 * 2^n bytes. Bound the array we will read. */
#define GPT_ENTRY_MIN 128
#define GPT_ARRAY_MAX (1u << 20)
#define GPT_ENTRY_NAME_UNITS 36
/* 5.2.3: the protective MBR's one partition record is of type 0xEE. */
#define MBR_TYPE_GPT 0xEE

struct gpt_hdr {
	uint64_t my_lba, alt_lba, first_usable, last_usable, entry_lba;
	uint32_t nentries, entry_size, entry_crc;
	uint8_t disk_guid[16];
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* 5.2.3: signature 0xAA55 and a 0xEE record (a hybrid MBR has others). */
static int gpt_check_mbr(const uint8_t *s)
{
	if (s[510] != 0x55 || s[511] != 0xAA)
		return -ENOENT;
	for (int i = 0; i < 4; i++)
		if (s[446 + 16 * i + 4] == MBR_TYPE_GPT)
			return 0;
	return -ENOENT;
}

static bool gpt_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/*
 * The header at lba: parsed into h when every 5.3.2 rule holds; else
 * *why says which one failed. Does not look at the entry array.
 */
static int gpt_parse_hdr(struct blk_dev *dev, uint64_t lba, uint8_t *sec,
			 struct gpt_hdr *h, const char **why)
{
	uint32_t hsize, crc, array_bytes;
	uint64_t array_secs, n = dev->sectors;
	int rc;

	rc = blk_read(dev, lba, 1, sec);
	if (rc) {
		*why = "read error";
		return rc;
	}
	*why = "bad signature";
	if (memcmp(sec, GPT_SIG, 8))
		return -EBADMSG;
	*why = "unknown revision";
	if (get32(sec + 8) >> 16 != GPT_REV >> 16)
		return -EBADMSG;
	/* A size that lies past the sector would make us CRC foreign bytes. */
	hsize = get32(sec + 12);
	*why = "bad header size";
	if (hsize < GPT_HDR_MIN || hsize > dev->sector_size)
		return -EBADMSG;
	crc = get32(sec + 16);
	put32(sec + 16, 0);
	*why = "header CRC32 mismatch";
	if (crc32_update(0, sec, hsize) != crc)
		return -EBADMSG;
	put32(sec + 16, crc);

	h->my_lba = get64(sec + 24);
	h->alt_lba = get64(sec + 32);
	h->first_usable = get64(sec + 40);
	h->last_usable = get64(sec + 48);
	memcpy(h->disk_guid, sec + 56, 16);
	h->entry_lba = get64(sec + 72);
	h->nentries = get32(sec + 80);
	h->entry_size = get32(sec + 84);
	h->entry_crc = get32(sec + 88);

	*why = "MyLBA is not where the header is";
	if (h->my_lba != lba)
		return -EBADMSG;
	*why = "bad partition entry size or count";
	if (h->entry_size < GPT_ENTRY_MIN ||
	    (h->entry_size & (h->entry_size - 1)) || !h->nentries ||
	    h->entry_size > GPT_ARRAY_MAX ||
	    h->nentries > GPT_ARRAY_MAX / h->entry_size)
		return -EBADMSG;
	array_bytes = h->nentries * h->entry_size;
	array_secs = (array_bytes + dev->sector_size - 1) / dev->sector_size;
	*why = "usable area outside the disk or over a header";
	if (h->first_usable > h->last_usable || h->last_usable >= n ||
	    h->first_usable < 2 ||
	    gpt_overlap(h->first_usable, h->last_usable, lba, lba))
		return -EBADMSG;
	*why = "entry array outside the disk or over the usable area";
	if (h->entry_lba < 1 || h->entry_lba > n || array_secs > n - h->entry_lba ||
	    gpt_overlap(h->entry_lba, h->entry_lba + array_secs - 1,
			h->first_usable, h->last_usable) ||
	    gpt_overlap(h->entry_lba, h->entry_lba + array_secs - 1, lba, lba))
		return -EBADMSG;
	return 0;
}

/* Read the entry array into a fresh buffer and check its CRC32 (5.3.2). */
static int gpt_read_array(struct blk_dev *dev, const struct gpt_hdr *h,
			  uint8_t **out, const char **why)
{
	uint32_t bytes = h->nentries * h->entry_size;
	uint32_t secs = (bytes + dev->sector_size - 1) / dev->sector_size;
	uint8_t *a = malloc((size_t)secs * dev->sector_size);
	int rc;

	*why = "out of memory";
	if (!a)
		return -ENOMEM;
	rc = blk_read(dev, h->entry_lba, secs, a);
	*why = "entry array read error";
	if (!rc) {
		*why = "entry array CRC32 mismatch";
		rc = crc32_update(0, a, bytes) == h->entry_crc ? 0 : -EBADMSG;
	}
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

static int gpt_try(struct blk_dev *dev, uint64_t lba, uint8_t *sec,
		   struct gpt_hdr *h, uint8_t **array, const char **why)
{
	int rc = gpt_parse_hdr(dev, lba, sec, h, why);

	return rc ? rc : gpt_read_array(dev, h, array, why);
}

/* UTF-16LE (with surrogate pairs) to UTF-8; stops at NUL. */
static void gpt_name(const uint8_t *u16, char *out)
{
	size_t o = 0;

	for (int i = 0; i < GPT_ENTRY_NAME_UNITS; i++) {
		uint32_t c = u16[2 * i] | u16[2 * i + 1] << 8;

		if (!c)
			break;
		if (c >= 0xD800 && c < 0xDC00 && i + 1 < GPT_ENTRY_NAME_UNITS) {
			uint32_t lo = u16[2 * i + 2] | u16[2 * i + 3] << 8;

			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			}
		}
		if (c >= 0xD800 && c < 0xE000) {
			out[o++] = '?';
		} else if (c < 0x80) {
			out[o++] = c;
		} else if (c < 0x800) {
			out[o++] = 0xC0 | c >> 6;
			out[o++] = 0x80 | (c & 0x3F);
		} else if (c < 0x10000) {
			out[o++] = 0xE0 | c >> 12;
			out[o++] = 0x80 | ((c >> 6) & 0x3F);
			out[o++] = 0x80 | (c & 0x3F);
		} else {
			/* Two UTF-16 units became four bytes: still fits. */
			out[o++] = 0xF0 | c >> 18;
			out[o++] = 0x80 | ((c >> 12) & 0x3F);
			out[o++] = 0x80 | ((c >> 6) & 0x3F);
			out[o++] = 0x80 | (c & 0x3F);
		}
	}
	out[o] = 0;
}

static bool gpt_guid_zero(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

static void gpt_parse_entries(struct blk_dev *dev, const struct gpt_hdr *h,
			      const uint8_t *a, struct gpt *g)
{
	for (uint32_t i = 0; i < h->nentries; i++) {
		const uint8_t *e = a + (size_t)i * h->entry_size;
		struct gpt_part *p = &g->parts[g->nparts];
		const char *why = NULL;

		if (gpt_guid_zero(e)) /* 5.3.3: unused entry */
			continue;
		p->first_lba = get64(e + 32);
		p->last_lba = get64(e + 40);
		if (p->first_lba > p->last_lba)
			why = "ends before it starts";
		else if (p->first_lba < h->first_usable ||
			 p->last_lba > h->last_usable)
			why = "outside the usable area";
		for (uint32_t k = 0; !why && k < g->nparts; k++)
			if (gpt_overlap(p->first_lba, p->last_lba,
					g->parts[k].first_lba,
					g->parts[k].last_lba))
				why = "overlaps an earlier partition";
		if (!why && g->nparts == GPT_MAX_PARTS)
			why = "too many partitions";
		if (why) {
			log_warn("gpt: %s: skipping partition %u (LBA %llu-%llu): %s",
				 dev->name, i + 1,
				 (unsigned long long)p->first_lba,
				 (unsigned long long)p->last_lba, why);
			g->skipped++;
			continue;
		}
		memcpy(p->type_guid, e, 16);
		memcpy(p->unique_guid, e + 16, 16);
		p->attributes = get64(e + 48);
		p->index = i + 1;
		gpt_name(e + 56, p->name);
		g->nparts++;
	}
}

int gpt_read(struct blk_dev *dev, struct gpt *out)
{
	const char *why_p = "", *why_b = "";
	uint8_t *sec, *array = NULL;
	struct gpt_hdr h;
	uint64_t last = dev->sectors - 1, alt = 0;
	int rc;

	if (dev->sectors < 3)
		return -ENOENT;
	sec = malloc(dev->sector_size);
	if (!sec)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	rc = blk_read(dev, 0, 1, sec);
	if (rc)
		goto out;
	rc = gpt_check_mbr(sec);
	if (rc) {
		log_info("gpt: %s: no protective MBR; not a GPT disk", dev->name);
		goto out;
	}
	rc = gpt_parse_hdr(dev, 1, sec, &h, &why_p);
	if (!rc) {
		alt = h.alt_lba; /* the header is sound even if its array is not */
		rc = gpt_read_array(dev, &h, &array, &why_p);
	}
	if (rc) {
		/* 5.3.2: the backup lives at the last LBA; a header that passed
		 * its own checks may point elsewhere (an image dd-ed to a larger
		 * stick keeps its backup inside the image). */
		if (alt && alt != 1 && alt < last)
			rc = gpt_try(dev, alt, sec, &h, &array, &why_b);
		if (rc)
			rc = gpt_try(dev, last, sec, &h, &array, &why_b);
		if (rc) {
			log_err("gpt: %s: no valid GPT (primary: %s; backup: %s); "
				"refusing the disk", dev->name, why_p, why_b);
			rc = -EBADMSG;
			goto out;
		}
		log_warn("gpt: %s: primary GPT header bad (%s); using the "
			 "backup at LBA %llu", dev->name, why_p,
			 (unsigned long long)h.my_lba);
		out->used_backup = true;
	}
	out->header_lba = h.my_lba;
	out->first_usable = h.first_usable;
	out->last_usable = h.last_usable;
	memcpy(out->disk_guid, h.disk_guid, 16);
	gpt_parse_entries(dev, &h, array, out);
	free(array);
out:
	free(sec);
	return rc;
}

int gpt_find(const struct gpt *g, const uint8_t type_guid[16],
	     const char *name, struct gpt_part *out)
{
	for (uint32_t i = 0; i < g->nparts; i++) {
		const struct gpt_part *p = &g->parts[i];

		if (type_guid && memcmp(p->type_guid, type_guid, 16))
			continue;
		if (name && strcmp(p->name, name))
			continue;
		if (out)
			*out = *p;
		return 0;
	}
	return -ENOENT;
}

int gpt_part_dev(struct blk_dev *disk, const struct gpt_part *p,
		 struct blk_dev *out)
{
	return blk_part_init(out, disk, p->first_lba,
			     p->last_lba - p->first_lba + 1, p->index);
}

/* Byte order of the text form's 16 bytes: the first three fields swap. */
static const uint8_t gpt_guid_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					    8, 9, 10, 11, 12, 13, 14, 15 };

void gpt_guid_fmt(const uint8_t guid[16], char buf[37])
{
	static const char hex[] = "0123456789ABCDEF";
	char *o = buf;

	for (int i = 0; i < 16; i++) {
		uint8_t b = guid[gpt_guid_order[i]];

		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b >> 4];
		*o++ = hex[b & 15];
	}
	*o = 0;
}

static int gpt_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gpt_guid_parse(const char *s, uint8_t guid[16])
{
	uint8_t tmp[16];

	for (int i = 0; i < 16; i++) {
		int hi, lo;

		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (*s++ != '-')
				return -EINVAL;
		}
		hi = gpt_hex(*s);
		lo = hi < 0 ? -1 : gpt_hex(s[1]);
		if (lo < 0)
			return -EINVAL;
		s += 2;
		tmp[gpt_guid_order[i]] = hi << 4 | lo;
	}
	if (*s)
		return -EINVAL;
	memcpy(guid, tmp, 16);
	return 0;
}

static void gpt_fill_hdr(uint8_t *sec, uint32_t ss, uint64_t my, uint64_t alt,
			 uint64_t first, uint64_t last, uint64_t entry_lba,
			 const uint8_t *disk_guid, uint32_t array_crc)
{
	memset(sec, 0, ss);
	memcpy(sec, GPT_SIG, 8);
	put32(sec + 8, GPT_REV);
	put32(sec + 12, GPT_HDR_MIN);
	put64(sec + 24, my);
	put64(sec + 32, alt);
	put64(sec + 40, first);
	put64(sec + 48, last);
	memcpy(sec + 56, disk_guid, 16);
	put64(sec + 72, entry_lba);
	put32(sec + 80, GPT_MAX_PARTS);
	put32(sec + 84, GPT_ENTRY_MIN);
	put32(sec + 88, array_crc);
	put32(sec + 16, crc32_update(0, sec, GPT_HDR_MIN));
}

int gpt_write(struct blk_dev *dev, const uint8_t disk_guid[16],
	      const struct gpt_part *parts, uint32_t n)
{
	uint32_t ss = dev->sector_size, bytes = GPT_MAX_PARTS * GPT_ENTRY_MIN;
	uint32_t esecs = (bytes + ss - 1) / ss, crc;
	uint64_t last = dev->sectors - 1;
	uint8_t *sec, *a;
	int rc;

	if (n > GPT_MAX_PARTS || dev->sectors < 2 * (uint64_t)esecs + 4)
		return -EINVAL;
	sec = malloc(ss);
	a = malloc((size_t)esecs * ss);
	rc = -ENOMEM;
	if (!sec || !a)
		goto out;
	memset(a, 0, (size_t)esecs * ss);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = a + i * GPT_ENTRY_MIN;

		memcpy(e, parts[i].type_guid, 16);
		memcpy(e + 16, parts[i].unique_guid, 16);
		put64(e + 32, parts[i].first_lba);
		put64(e + 40, parts[i].last_lba);
		put64(e + 48, parts[i].attributes);
		for (int k = 0; k < GPT_ENTRY_NAME_UNITS && parts[i].name[k]; k++)
			e[56 + 2 * k] = parts[i].name[k] & 0x80 ? '?' : parts[i].name[k];
	}
	crc = crc32_update(0, a, bytes);

	/* 5.2.3: one 0xEE record from LBA 1 over the disk (capped at 2^32-1). */
	memset(sec, 0, ss);
	sec[446 + 2] = 0x02;
	sec[446 + 4] = MBR_TYPE_GPT;
	memset(sec + 446 + 5, 0xFF, 3);
	put32(sec + 446 + 8, 1);
	put32(sec + 446 + 12, last > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)last);
	sec[510] = 0x55;
	sec[511] = 0xAA;
	rc = blk_write(dev, 0, 1, sec);
	if (!rc)
		rc = blk_write(dev, 2, esecs, a);
	if (!rc)
		rc = blk_write(dev, last - esecs, esecs, a);
	if (rc)
		goto out;
	gpt_fill_hdr(sec, ss, 1, last, 2 + esecs, last - esecs - 1, 2,
		     disk_guid, crc);
	rc = blk_write(dev, 1, 1, sec);
	if (rc)
		goto out;
	gpt_fill_hdr(sec, ss, last, 1, 2 + esecs, last - esecs - 1,
		     last - esecs, disk_guid, crc);
	rc = blk_write(dev, last, 1, sec);
	if (!rc)
		rc = blk_flush(dev);
out:
	free(sec);
	free(a);
	return rc;
}
