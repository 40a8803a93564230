// SPDX-License-Identifier: MIT
#include "core/pmm.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/spinlock.h"

#define PMM_FRAMES_PER_CHUNK (PMM_LARGE / PMM_PAGE) /* 512 */
#define PMM_WORDS_PER_CHUNK (PMM_FRAMES_PER_CHUNK / 64)

static struct {
	struct spinlock lock;
	uint64_t *bitmap;   /* 1 = free; covers [0, nchunks * 2 MiB) */
	uint16_t *chunk_free; /* free 4 KiB frames per 2 MiB chunk */
	uint64_t nchunks;
	uint64_t hint_partial; /* where the last partial chunk was found */
	uint64_t hint_whole;
	uint64_t meta_phys; /* where bitmap and chunk_free live */
	struct pmm_stats stats;
	uint64_t phys_limit;
} pmm;

/* --- Building the free list from an untrusted map -------------------- */

struct pmm_set {
	struct pmm_range r[PMM_MAX_RANGES];
	unsigned int n;
};

static void pmm_set_add(struct pmm_set *s, uint64_t base, uint64_t end)
{
	if (end <= base)
		return;
	if (s->n == PMM_MAX_RANGES) {
		log_warn("pmm: more than %d free ranges, the rest is unused",
			 PMM_MAX_RANGES);
		return;
	}
	s->r[s->n++] = (struct pmm_range){ base, end - base };
}

/* Remove [base, end) from every range of @s (splitting where needed). */
static void pmm_set_cut(struct pmm_set *s, uint64_t base, uint64_t end)
{
	unsigned int n = s->n;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t b = s->r[i].base, e = b + s->r[i].len;
		if (end <= b || base >= e)
			continue;
		s->r[i].len = 0;
		if (b < base)
			s->r[i] = (struct pmm_range){ b, base - b };
		if (end < e) {
			if (s->r[i].len)
				pmm_set_add(s, end, e);
			else
				s->r[i] = (struct pmm_range){ end, e - end };
		}
	}
}

/* Saturating end of a map entry: a bogus length must not wrap. */
static uint64_t pmm_end(uint64_t base, uint64_t len)
{
	return base + len < base ? UINT64_MAX : base + len;
}

/* Sort by base and merge overlapping or touching ranges (a union). */
static void pmm_set_merge(struct pmm_set *s)
{
	unsigned int out = 0;

	for (unsigned int i = 1; i < s->n; i++) {
		struct pmm_range r = s->r[i];
		unsigned int j = i;
		while (j > 0 && s->r[j - 1].base > r.base) {
			s->r[j] = s->r[j - 1];
			j--;
		}
		s->r[j] = r;
	}
	for (unsigned int i = 0; i < s->n; i++) {
		if (!s->r[i].len)
			continue;
		struct pmm_range *last = out ? &s->r[out - 1] : NULL;
		uint64_t end = s->r[i].base + s->r[i].len;
		if (last && s->r[i].base <= last->base + last->len) {
			if (end > last->base + last->len)
				last->len = end - last->base;
		} else {
			s->r[out++] = s->r[i];
		}
	}
	s->n = out;
}

static void pmm_build_free(const struct boot_info *bi,
			   const struct pmm_range *busy, unsigned int nbusy,
			   struct pmm_set *s)
{
	s->n = 0;
	for (unsigned int i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *m = &bi->mmap[i];
		uint64_t end = pmm_end(m->base, m->len);
		if (end > pmm.phys_limit && m->len)
			pmm.phys_limit = end;
		if (m->type == BOOT_MEM_AVAILABLE)
			pmm_set_add(s, m->base, end);
		else
			pmm.stats.reserved += end - m->base;
	}
	pmm_set_merge(s); /* overlapping available entries count once */
	for (unsigned int i = 0; i < s->n; i++)
		pmm.stats.total += s->r[i].len;
	/* Anything not available wins over an overlapping available entry. */
	for (unsigned int i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *m = &bi->mmap[i];
		if (m->type != BOOT_MEM_AVAILABLE)
			pmm_set_cut(s, m->base, pmm_end(m->base, m->len));
	}
	for (unsigned int i = 0; i < nbusy; i++)
		pmm_set_cut(s, busy[i].base, pmm_end(busy[i].base, busy[i].len));
	/* The real-mode area stays with the firmware and BIOS data. */
	pmm_set_cut(s, 0, 0x100000);
	for (unsigned int i = 0; i < s->n; i++) {
		uint64_t b = (s->r[i].base + PMM_PAGE - 1) & ~(PMM_PAGE - 1);
		uint64_t e = (s->r[i].base + s->r[i].len) & ~(PMM_PAGE - 1);
		s->r[i] = (struct pmm_range){ b, e > b ? e - b : 0 };
	}
}

/* --- Bitmap ------------------------------------------------------------ */

static void pmm_mark_free(uint64_t base, uint64_t len)
{
	for (uint64_t f = base / PMM_PAGE; f < (base + len) / PMM_PAGE; f++)
		pmm.bitmap[f / 64] |= 1ull << (f % 64);
}

static unsigned int pmm_chunk_count(uint64_t c)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < PMM_WORDS_PER_CHUNK; w++)
		n += __builtin_popcountll(pmm.bitmap[c * PMM_WORDS_PER_CHUNK + w]);
	return n;
}

int pmm_init(const struct boot_info *bi, const struct pmm_range *busy,
	     unsigned int nbusy, void *(*p2v)(uint64_t phys))
{
	static struct pmm_set set; /* too big for the boot stack */
	uint64_t top = 0, meta_bytes, meta = 0;

	memset(&pmm, 0, sizeof(pmm));
	pmm_build_free(bi, busy, nbusy, &set);
	for (unsigned int i = 0; i < set.n; i++)
		if (set.r[i].len && set.r[i].base + set.r[i].len > top)
			top = set.r[i].base + set.r[i].len;
	if (!top)
		return -ENOMEM;
	pmm.nchunks = (top + PMM_LARGE - 1) / PMM_LARGE;
	meta_bytes = pmm.nchunks * (PMM_WORDS_PER_CHUNK * 8 + sizeof(uint16_t));
	meta_bytes = (meta_bytes + PMM_PAGE - 1) & ~(PMM_PAGE - 1);
	/* The bitmap lives in the lowest free range that holds it. */
	for (unsigned int i = 0; i < set.n && !meta; i++)
		if (set.r[i].len >= meta_bytes && p2v(set.r[i].base))
			meta = set.r[i].base;
	if (!meta)
		return -ENOMEM;
	pmm_set_cut(&set, meta, meta + meta_bytes);
	pmm.meta_phys = meta;
	pmm_remap(p2v);
	memset(pmm.bitmap, 0, meta_bytes);
	for (unsigned int i = 0; i < set.n; i++)
		pmm_mark_free(set.r[i].base, set.r[i].len);
	for (uint64_t c = 0; c < pmm.nchunks; c++) {
		pmm.chunk_free[c] = pmm_chunk_count(c);
		pmm.stats.managed += pmm.chunk_free[c] * PMM_PAGE;
		if (pmm.chunk_free[c] == PMM_FRAMES_PER_CHUNK)
			pmm.stats.free_large += PMM_LARGE;
	}
	pmm.stats.free = pmm.stats.managed;
	return 0;
}

void pmm_remap(void *(*p2v)(uint64_t phys))
{
	pmm.bitmap = p2v(pmm.meta_phys);
	pmm.chunk_free = (uint16_t *)(pmm.bitmap +
				      pmm.nchunks * PMM_WORDS_PER_CHUNK);
}

/* --- Allocation -------------------------------------------------------- */

static uint64_t pmm_take_frame(uint64_t c)
{
	for (unsigned int w = 0; w < PMM_WORDS_PER_CHUNK; w++) {
		uint64_t *word = &pmm.bitmap[c * PMM_WORDS_PER_CHUNK + w];
		if (!*word)
			continue;
		unsigned int bit = __builtin_ctzll(*word);
		*word &= ~(1ull << bit);
		if (pmm.chunk_free[c]-- == PMM_FRAMES_PER_CHUNK)
			pmm.stats.free_large -= PMM_LARGE;
		pmm.stats.free -= PMM_PAGE;
		return (c * PMM_FRAMES_PER_CHUNK + w * 64 + bit) * PMM_PAGE;
	}
	return 0; /* chunk_free said otherwise: cannot happen */
}

/*
 * Scan chunks from @start (wrapping) for one whose free count satisfies
 * @want: 1 = partly used, 2 = wholly free, 3 = any free frame below @limit.
 */
static int64_t pmm_find_chunk(uint64_t start, int want, uint64_t limit)
{
	uint64_t n = pmm.nchunks;

	if (want == 3) {
		n = (limit + PMM_LARGE - 1) / PMM_LARGE;
		if (n > pmm.nchunks)
			n = pmm.nchunks;
		start = 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t c = (start + i) % n;
		uint16_t f = pmm.chunk_free[c];
		if ((want == 1 && f && f < PMM_FRAMES_PER_CHUNK) ||
		    (want == 2 && f == PMM_FRAMES_PER_CHUNK) || (want == 3 && f))
			return (int64_t)c;
	}
	return -1;
}

uint64_t pmm_alloc_4k(void)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock), phys = 0;
	int64_t c = pmm_find_chunk(pmm.hint_partial, 1, 0);

	if (c < 0)
		c = pmm_find_chunk(pmm.hint_whole, 2, 0);
	if (c >= 0) {
		pmm.hint_partial = c;
		phys = pmm_take_frame(c);
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	return phys;
}

uint64_t pmm_alloc_4k_below(uint64_t limit)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock), phys = 0;
	int64_t c = pmm_find_chunk(0, 3, limit);

	if (c >= 0) {
		phys = pmm_take_frame(c);
		if (phys + PMM_PAGE > limit) { /* the chunk straddles @limit */
			pmm.bitmap[phys / PMM_PAGE / 64] |= 1ull
							    << (phys / PMM_PAGE % 64);
			pmm.chunk_free[c]++;
			pmm.stats.free += PMM_PAGE;
			phys = 0;
		}
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	return phys;
}

uint64_t pmm_alloc_2m(void)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock), phys = 0;
	int64_t c = pmm_find_chunk(pmm.hint_whole, 2, 0);

	if (c >= 0) {
		pmm.hint_whole = c + 1;
		memset(&pmm.bitmap[c * PMM_WORDS_PER_CHUNK], 0,
		       PMM_WORDS_PER_CHUNK * 8);
		pmm.chunk_free[c] = 0;
		pmm.stats.free -= PMM_LARGE;
		pmm.stats.free_large -= PMM_LARGE;
		phys = c * PMM_LARGE;
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	return phys;
}

/* Freeing a frame that is free or was never managed is a kernel bug. */
static bool pmm_check_free(uint64_t phys, uint64_t size)
{
	if (phys % size || phys / PMM_LARGE >= pmm.nchunks) {
		log_err("pmm: bad free of %#llx (size %#llx)",
			(unsigned long long)phys, (unsigned long long)size);
		return false;
	}
	for (uint64_t f = phys / PMM_PAGE; f < (phys + size) / PMM_PAGE; f++)
		if (pmm.bitmap[f / 64] & (1ull << (f % 64))) {
			log_err("pmm: double free of %#llx",
				(unsigned long long)(f * PMM_PAGE));
			return false;
		}
	return true;
}

void pmm_free_4k(uint64_t phys)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock);

	if (pmm_check_free(phys, PMM_PAGE)) {
		uint64_t f = phys / PMM_PAGE, c = phys / PMM_LARGE;
		pmm.bitmap[f / 64] |= 1ull << (f % 64);
		if (++pmm.chunk_free[c] == PMM_FRAMES_PER_CHUNK)
			pmm.stats.free_large += PMM_LARGE;
		pmm.stats.free += PMM_PAGE;
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
}

void pmm_free_2m(uint64_t phys)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock);

	if (pmm_check_free(phys, PMM_LARGE)) {
		uint64_t c = phys / PMM_LARGE;
		memset(&pmm.bitmap[c * PMM_WORDS_PER_CHUNK], 0xff,
		       PMM_WORDS_PER_CHUNK * 8);
		pmm.chunk_free[c] = PMM_FRAMES_PER_CHUNK;
		pmm.stats.free += PMM_LARGE;
		pmm.stats.free_large += PMM_LARGE;
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
}

bool pmm_is_free(uint64_t phys)
{
	uint64_t f = phys / PMM_PAGE;

	return phys / PMM_LARGE < pmm.nchunks &&
	       (pmm.bitmap[f / 64] & (1ull << (f % 64)));
}

void pmm_get_stats(struct pmm_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&pmm.lock);

	*out = pmm.stats;
	spin_unlock_irqrestore(&pmm.lock, flags);
}

uint64_t pmm_phys_limit(void)
{
	return pmm.phys_limit;
}
