// SPDX-License-Identifier: MIT
/*
 * Guest RAM of one VM (ept/gmem.h).
 *
 * One word per 2 MiB chunk of guest-physical space [0, end of RAM):
 *   0                  nothing backed;
 *   hpa | GMEM_BIG     a 2 MiB frame backs the whole chunk;
 *   hpa | GMEM_SMALL   a metadata frame of 512 words, one per 4 KiB page:
 *                      the frame backing it, or 0.
 * The stage-2 table maps exactly what these words record (for now: later
 * ballooning and sharing will change mappings, not ownership).
 *
 * Lock order: gm->lock, then the stage-2 table's lock (s2_map). Frames are
 * allocated and zeroed outside gm->lock; if another vCPU backed the page
 * meanwhile, the loser frees its frame.
 */
#include "ept/gmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mm.h"
#include "core/pmm.h"
#include "core/spinlock.h"

#define GMEM_BIG 1ull
#define GMEM_SMALL 2ull
#define GMEM_FLAGS (GMEM_BIG | GMEM_SMALL)
#define GMEM_CHUNK_SHIFT 21
#define GMEM_PAGES (PMM_LARGE / PMM_PAGE) /* 512 per chunk */

struct gmem_range {
	uint64_t base, end;
};

struct gmem {
	struct s2_table s2;   /* its own lock */
	struct spinlock lock; /* everything below (ram[] is read without) */
	struct gmem_range ram[GMEM_MAX_RANGES]; /* append-only */
	unsigned int nram;
	uint64_t *chunk; /* heap; one word per 2 MiB, see above */
	uint64_t nchunks;
	uint64_t backed; /* bytes of guest frames, read atomically */
};

static inline uint64_t *gmem_meta(uint64_t w)
{
	return mm_phys_to_virt(w & ~GMEM_FLAGS);
}

/*
 * Lock-free, so a stage-2 fault on MMIO (the exit fast path) is told "not
 * RAM" without a lock (ARCHITECTURE.md section 3). The RAM ranges are
 * append-only: an entry is written before nram publishes it, and never
 * changes after. They never overlap.
 */
bool gmem_is_ram(struct gmem *gm, uint64_t gpa, uint64_t len)
{
	unsigned int n = __atomic_load_n(&gm->nram, __ATOMIC_ACQUIRE);

	if (!len || gpa >= S2_GPA_LIMIT || len > S2_GPA_LIMIT - gpa)
		return false;
	uint64_t end = gpa + len;
	while (gpa < end) {
		unsigned int i;

		for (i = 0; i < n; i++)
			if (gpa >= gm->ram[i].base && gpa < gm->ram[i].end)
				break;
		if (i == n)
			return false;
		gpa = gm->ram[i].end; /* ranges may touch: go on from here */
	}
	return true;
}

/* Host address behind @gpa, or 0 when its page is not backed. */
static uint64_t gmem_hpa_locked(const struct gmem *gm, uint64_t gpa)
{
	uint64_t c = gpa >> GMEM_CHUNK_SHIFT, w, p;

	if (c >= gm->nchunks)
		return 0;
	w = gm->chunk[c];
	if (w & GMEM_BIG)
		return (w & ~GMEM_FLAGS) + (gpa & (PMM_LARGE - 1));
	if (!(w & GMEM_SMALL))
		return 0;
	p = gmem_meta(w)[(gpa >> 12) % GMEM_PAGES];
	return p ? p + (gpa & (PMM_PAGE - 1)) : 0;
}

/* A zeroed frame, or 0. */
static uint64_t gmem_zeroed(bool big)
{
	uint64_t f = big ? pmm_alloc_2m() : pmm_alloc_4k();

	if (f)
		memset(mm_phys_to_virt(f), 0, big ? PMM_LARGE : PMM_PAGE);
	return f;
}

struct gmem *gmem_create(const struct s2_format *fmt, uint64_t ram_bytes,
			 bool allow_1g)
{
	struct gmem *gm;

	if (!fmt || (ram_bytes & (PMM_PAGE - 1)) || ram_bytes > S2_GPA_LIMIT)
		return NULL;
	gm = calloc(1, sizeof(*gm));
	if (!gm)
		return NULL;
	gm->lock = (struct spinlock)SPINLOCK_INIT;
	if (s2_init(&gm->s2, fmt, allow_1g)) {
		free(gm);
		return NULL;
	}
	if (ram_bytes && gmem_add_ram(gm, 0, ram_bytes)) {
		gmem_destroy(gm);
		return NULL;
	}
	return gm;
}

int gmem_add_ram(struct gmem *gm, uint64_t gpa, uint64_t size)
{
	uint64_t *grown = NULL, *old = NULL, flags, n;
	int rc = 0;

	if (!size || ((gpa | size) & (PMM_PAGE - 1)))
		return -EINVAL;
	if (gpa >= S2_GPA_LIMIT || size > S2_GPA_LIMIT - gpa)
		return -ERANGE;
	n = (gpa + size + PMM_LARGE - 1) >> GMEM_CHUNK_SHIFT;
	/* Grow outside the lock; newlib's malloc is not for irq-off paths. */
	if (n > __atomic_load_n(&gm->nchunks, __ATOMIC_RELAXED)) {
		grown = calloc(n, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
	}
	flags = spin_lock_irqsave(&gm->lock);
	for (unsigned int i = 0; i < gm->nram; i++)
		if (gpa < gm->ram[i].end && gm->ram[i].base < gpa + size)
			rc = -EEXIST;
	if (!rc && gm->nram == GMEM_MAX_RANGES)
		rc = -ENOSPC;
	if (!rc) {
		/* Chunks first: a reader that sees the range may index them. */
		if (grown && n > gm->nchunks) {
			if (gm->nchunks)
				memcpy(grown, gm->chunk,
				       gm->nchunks * sizeof(*grown));
			old = gm->chunk;
			gm->chunk = grown;
			gm->nchunks = n;
			grown = NULL;
		}
		gm->ram[gm->nram] = (struct gmem_range){ gpa, gpa + size };
		__atomic_store_n(&gm->nram, gm->nram + 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&gm->lock, flags);
	free(grown);
	free(old);
	return rc;
}

void gmem_destroy(struct gmem *gm)
{
	if (!gm)
		return;
	s2_destroy(&gm->s2);
	for (uint64_t c = 0; c < gm->nchunks; c++) {
		uint64_t w = gm->chunk[c];

		if (w & GMEM_BIG) {
			pmm_free_2m(w & ~GMEM_FLAGS);
		} else if (w & GMEM_SMALL) {
			uint64_t *pages = gmem_meta(w);

			for (unsigned int i = 0; i < GMEM_PAGES; i++)
				if (pages[i])
					pmm_free_4k(pages[i]);
			pmm_free_4k(w & ~GMEM_FLAGS);
		}
	}
	free(gm->chunk);
	free(gm);
}

/* Back the whole chunk @c with one 2 MiB frame. -EAGAIN: none free. */
static int gmem_back_big(struct gmem *gm, uint64_t c)
{
	uint64_t f = gmem_zeroed(true), flags;
	int rc = 0;

	if (!f)
		return -EAGAIN;
	flags = spin_lock_irqsave(&gm->lock);
	if (!gm->chunk[c]) {
		rc = s2_map(&gm->s2, c << GMEM_CHUNK_SHIFT, f, PMM_LARGE,
			    S2_RWX, S2_MT_WB);
		if (!rc) {
			gm->chunk[c] = f | GMEM_BIG;
			__atomic_add_fetch(&gm->backed, PMM_LARGE,
					   __ATOMIC_RELAXED);
			f = 0;
		}
	} else if (!(gm->chunk[c] & GMEM_BIG)) {
		rc = -EAGAIN; /* someone started 4 KiB backing: join in */
	}
	spin_unlock_irqrestore(&gm->lock, flags);
	if (f)
		pmm_free_2m(f);
	return rc;
}

/* Back the 4 KiB page at @gpa; @meta is a zeroed frame if the chunk had
 * none when we looked (used or freed here). */
static int gmem_back_small(struct gmem *gm, uint64_t gpa, uint64_t meta)
{
	uint64_t c = gpa >> GMEM_CHUNK_SHIFT, f = gmem_zeroed(false), flags;
	uint64_t *slot;
	int rc = 0;

	if (!f) {
		if (meta)
			pmm_free_4k(meta);
		return -ENOMEM;
	}
	flags = spin_lock_irqsave(&gm->lock);
	if (!gm->chunk[c]) {
		if (!meta) {
			rc = -EAGAIN; /* emptied meanwhile: cannot happen yet */
			goto out;
		}
		gm->chunk[c] = meta | GMEM_SMALL;
		meta = 0;
	}
	if (gm->chunk[c] & GMEM_BIG)
		goto out; /* a 2 MiB frame won the race */
	slot = &gmem_meta(gm->chunk[c])[(gpa >> 12) % GMEM_PAGES];
	if (*slot)
		goto out;
	rc = s2_map(&gm->s2, gpa & ~(PMM_PAGE - 1), f, PMM_PAGE, S2_RWX,
		    S2_MT_WB);
	if (!rc) {
		*slot = f;
		__atomic_add_fetch(&gm->backed, PMM_PAGE, __ATOMIC_RELAXED);
		f = 0;
	}
out:
	spin_unlock_irqrestore(&gm->lock, flags);
	if (f)
		pmm_free_4k(f);
	if (meta)
		pmm_free_4k(meta);
	return rc;
}

int gmem_fault(struct gmem *gm, uint64_t gpa, bool write)
{
	uint64_t c = gpa >> GMEM_CHUNK_SHIFT, flags, w, meta = 0;
	bool backed, big;
	int rc;

	/* @write matters once pages are shared copy-on-write. */
	if (!gmem_is_ram(gm, gpa, 1))
		return -EFAULT;
	big = gmem_is_ram(gm, c << GMEM_CHUNK_SHIFT, PMM_LARGE);
	flags = spin_lock_irqsave(&gm->lock);
	w = gm->chunk[c];
	backed = gmem_hpa_locked(gm, gpa) != 0;
	spin_unlock_irqrestore(&gm->lock, flags);
	big = big && !w;
	if (backed)
		return 0;
	if (big) {
		rc = gmem_back_big(gm, c);
		if (rc != -EAGAIN)
			goto done;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (!w && !(meta = gmem_zeroed(false)))
			return -ENOMEM;
		rc = gmem_back_small(gm, gpa, meta);
		if (rc != -EAGAIN)
			break;
		w = 0;
	}
done:
	if (rc && rc != -ENOMEM)
		log_err("gmem: backing GPA %#llx failed (%d)",
			(unsigned long long)gpa, rc);
	return rc;
}

int gmem_populate(struct gmem *gm, uint64_t gpa, uint64_t size)
{
	uint64_t end, flags, w;
	int rc;

	if (!size)
		return 0;
	if (!gmem_is_ram(gm, gpa, size))
		return -EFAULT;
	end = gpa + size;
	gpa &= ~(PMM_PAGE - 1);
	while (gpa < end) {
		rc = gmem_fault(gm, gpa, true);
		if (rc)
			return rc;
		flags = spin_lock_irqsave(&gm->lock);
		w = gm->chunk[gpa >> GMEM_CHUNK_SHIFT];
		spin_unlock_irqrestore(&gm->lock, flags);
		if (w & GMEM_BIG)
			gpa = (gpa | (PMM_LARGE - 1)) + 1;
		else
			gpa += PMM_PAGE;
	}
	return 0;
}

/*
 * One page at a time under gm->lock, so a frame cannot change owner
 * (balloon, sharing) while it is copied.
 */
static int gmem_copy(struct gmem *gm, uint64_t gpa, void *buf, size_t len,
		     bool write)
{
	uint8_t *p = buf;

	if (!len)
		return 0;
	if (!gmem_is_ram(gm, gpa, len))
		return -EFAULT;
	while (len) {
		size_t n = PMM_PAGE - (gpa & (PMM_PAGE - 1));
		uint64_t flags, hpa;

		if (n > len)
			n = len;
		flags = spin_lock_irqsave(&gm->lock);
		hpa = gmem_hpa_locked(gm, gpa);
		if (hpa && write)
			memcpy(mm_phys_to_virt(hpa), p, n);
		else if (hpa)
			memcpy(p, mm_phys_to_virt(hpa), n);
		else if (!write)
			memset(p, 0, n);
		spin_unlock_irqrestore(&gm->lock, flags);
		if (!hpa && write) {
			int rc = gmem_fault(gm, gpa, true);

			if (rc)
				return rc;
			continue; /* copy now that it is backed */
		}
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int gmem_read(struct gmem *gm, uint64_t gpa, void *buf, size_t len)
{
	return gmem_copy(gm, gpa, buf, len, false);
}

int gmem_write(struct gmem *gm, uint64_t gpa, const void *buf, size_t len)
{
	return gmem_copy(gm, gpa, (void *)buf, len, true);
}

struct s2_table *gmem_s2(struct gmem *gm)
{
	return &gm->s2;
}

uint64_t gmem_backed_bytes(const struct gmem *gm)
{
	return __atomic_load_n(&gm->backed, __ATOMIC_RELAXED);
}
