// SPDX-License-Identifier: MIT
/*
 * The generic stage-2 engine (ept/s2.h). Format-independent: every bit of
 * an entry goes through the VM's struct s2_format, so EPT (SDM vol. 3C
 * 29.3) and NPT (APM vol. 2 15.25) share one walker, one splitter and one
 * set of range checks.
 *
 * Rules the code below keeps, because a CPU may walk these tables at any
 * moment (another vCPU of the same VM runs while we edit):
 *  - an entry changes with one 64-bit store, so a walk sees the old entry
 *    or the new one; a new table is filled before it is linked;
 *  - a table is unlinked first and only retired afterwards, and a retired
 *    frame keeps its contents (entry 0 becomes the not-present list link)
 *    until s2_flush_done(): a CPU whose paging-structure cache still points
 *    at it reads the old entries or faults, never someone else's data;
 *  - every operation that can leave something stale bumps flush_gen once,
 *    under the lock, before it returns.
 */
#include "ept/s2.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mm.h"
#include "core/pmm.h"

#define S2_ENTRIES 512
#define S2_ROOT_LEVEL 3
/* Splits one unmap/protect can need: a 1G and a 2M leaf at either end. */
#define S2_MAX_SPLITS 4

/* State of one operation, under the table's lock. */
struct s2_op {
	struct s2_table *t;
	const struct s2_format *fmt;
	uint64_t hpa;		       /* map: host address of the next page */
	unsigned int perms;	       /* map, protect */
	unsigned int memtype;	       /* map */
	bool flush;		       /* something a CPU may cache changed */
	uint64_t spare[S2_MAX_SPLITS]; /* frames reserved for splits */
	int nspare;
};

static inline uint64_t *s2_tab(uint64_t hpa)
{
	return mm_phys_to_virt(hpa);
}

static inline unsigned int s2_idx(uint64_t gpa, int level)
{
	return (gpa >> (12 + 9 * level)) & (S2_ENTRIES - 1);
}

/* One store: a walking CPU never sees half an entry. */
static inline void s2_set(uint64_t *ep, uint64_t v)
{
	__atomic_store_n(ep, v, __ATOMIC_RELEASE);
}

static inline bool s2_is_leaf(const struct s2_format *fmt, uint64_t e,
			      int level)
{
	return level == 0 || (level < S2_ROOT_LEVEL && fmt->is_leaf(e, level));
}

/* Host address of a leaf or table entry, aligned to what it maps. */
static inline uint64_t s2_addr(const struct s2_format *fmt, uint64_t e,
			       int level)
{
	return fmt->addr(e) & ~(s2_level_size(level) - 1);
}

static bool s2_perms_ok(unsigned int perms)
{
	return !(perms & ~S2_RWX) && (perms & S2_R);
}

static bool s2_memtype_ok(unsigned int mt)
{
	return mt == S2_MT_UC || mt == S2_MT_WC || mt == S2_MT_WT ||
	       mt == S2_MT_WP || mt == S2_MT_WB;
}

/* A GPA range is never trusted: aligned, non-empty, inside 48 bits. */
static int s2_check_range(uint64_t gpa, uint64_t size)
{
	if (!size || ((gpa | size) & (PMM_PAGE - 1)))
		return -EINVAL;
	if (gpa >= S2_GPA_LIMIT || size > S2_GPA_LIMIT - gpa)
		return -ERANGE;
	return 0;
}

/* --- Table frames ------------------------------------------------------ */

static uint64_t s2_new_table(struct s2_table *t)
{
	uint64_t f = pmm_alloc_4k();

	if (f) {
		memset(s2_tab(f), 0, PMM_PAGE);
		t->frames++;
	}
	return f;
}

/*
 * Park an unlinked table until every CPU has flushed. The link goes in
 * entry 0 as a page-aligned address: bits 2:0 clear (EPT not present,
 * SDM 3C 29.3.2) and bit 0 clear (NPT not present), so a stale walk
 * through it faults instead of following the list.
 */
static void s2_retire(struct s2_op *op, uint64_t f)
{
	struct s2_table *t = op->t;

	s2_set(&s2_tab(f)[0], t->retired);
	t->retired = f;
	t->nretired++;
	t->frames--;
	op->flush = true;
}

/*
 * Drop the level-@level table at @f and every table below it: retired
 * (with @op) or, from s2_destroy (@op NULL), freed at once.
 */
static void s2_drop_tree(struct s2_table *t, struct s2_op *op, uint64_t f,
			 int level)
{
	const uint64_t *tab = s2_tab(f);

	for (int i = 0; level > 0 && i < S2_ENTRIES; i++)
		if (t->fmt->present(tab[i]) &&
		    !s2_is_leaf(t->fmt, tab[i], level))
			s2_drop_tree(t, op, s2_addr(t->fmt, tab[i], 0),
				     level - 1);
	if (op)
		s2_retire(op, f);
	else
		pmm_free_4k(f);
}

static void s2_free_retired(struct s2_table *t)
{
	while (t->retired) {
		uint64_t f = t->retired;

		t->retired = s2_tab(f)[0] & ~(PMM_PAGE - 1);
		pmm_free_4k(f);
		t->nretired--;
	}
}

static void s2_end_op(struct s2_op *op)
{
	while (op->nspare)
		pmm_free_4k(op->spare[--op->nspare]);
	if (op->flush)
		__atomic_store_n(&op->t->flush_gen, op->t->flush_gen + 1,
				 __ATOMIC_RELEASE);
}

/* --- Splitting --------------------------------------------------------- */

/*
 * Replace the large leaf at *@ep (level 1 or 2) by a table of 512 leaves
 * one level down with the same address, permissions and memory type, in
 * a frame reserved beforehand. The page size changes, and until an
 * invalidation the TLBs may hold both translations (SDM 3A 4.10.2.3), so
 * ask for a flush.
 */
static int s2_split_entry(struct s2_op *op, uint64_t *ep, int level)
{
	const struct s2_format *fmt = op->fmt;
	uint64_t e = *ep, sub = s2_level_size(level - 1), f, *tab;
	uint64_t hpa = s2_addr(fmt, e, level);
	unsigned int perms = fmt->perms(e), mt = fmt->memtype(e, level);

	if (!op->nspare) {
		/* s2_reserve counted wrong: an engine bug, not guest input. */
		log_err("s2: no frame reserved for a split");
		return -ENOMEM;
	}
	f = op->spare[--op->nspare];
	tab = s2_tab(f);
	for (int i = 0; i < S2_ENTRIES; i++)
		tab[i] = fmt->leaf(hpa + i * sub, perms, level - 1, mt);
	op->t->frames++;
	s2_set(ep, fmt->table(f));
	op->flush = true;
	return 0;
}

/*
 * Walk toward @gpa, at most down to the level-@stop table. Returns the
 * entry the walk ends at (not present, a leaf, or the one at @stop) and
 * its level in *@level.
 */
static uint64_t *s2_descend(struct s2_table *t, uint64_t gpa, int stop,
			    int *level)
{
	uint64_t *tab = s2_tab(t->root);

	for (int l = S2_ROOT_LEVEL;; l--) {
		uint64_t *ep = &tab[s2_idx(gpa, l)];

		if (l == stop || !t->fmt->present(*ep) ||
		    s2_is_leaf(t->fmt, *ep, l)) {
			*level = l;
			return ep;
		}
		tab = s2_tab(s2_addr(t->fmt, *ep, 0));
	}
}

/* Large leaves that straddle @gpa (and so need splitting to cut there). */
static int s2_cuts_at(struct s2_table *t, uint64_t gpa)
{
	int level, n = 0;

	if (gpa >= S2_GPA_LIMIT ||
	    !t->fmt->present(*s2_descend(t, gpa, 0, &level)))
		return 0;
	for (; level > 0; level--)
		n += (gpa & (s2_level_size(level) - 1)) != 0;
	return n;
}

/* Reserve the frames the splits at both ends of a range may take. */
static int s2_reserve(struct s2_op *op, uint64_t gpa, uint64_t end)
{
	int need = s2_cuts_at(op->t, gpa) + s2_cuts_at(op->t, end);

	while (op->nspare < need) {
		uint64_t f = pmm_alloc_4k();

		if (!f)
			return -ENOMEM;
		op->spare[op->nspare++] = f;
	}
	return 0;
}

/* --- Range walkers ----------------------------------------------------- */

/*
 * The range walkers below visit the entries of one table that overlap
 * [gpa, end), one entry at a time: [gpa, stop) is the part of the range
 * the entry covers, and s2_whole() says whether that is all it maps.
 */
static inline uint64_t s2_stop(uint64_t gpa, uint64_t end, int level)
{
	uint64_t next = (gpa | (s2_level_size(level) - 1)) + 1;

	return next < end ? next : end;
}

static inline bool s2_whole(uint64_t gpa, uint64_t stop, int level)
{
	return stop - gpa == s2_level_size(level);
}

static bool s2_any_leaf(struct s2_op *op, uint64_t f, int level, uint64_t gpa,
			uint64_t end)
{
	uint64_t *tab = s2_tab(f), stop;

	for (; gpa < end; gpa = stop) {
		uint64_t e = tab[s2_idx(gpa, level)];

		stop = s2_stop(gpa, end, level);

		if (!op->fmt->present(e))
			continue;
		if (s2_is_leaf(op->fmt, e, level) ||
		    s2_any_leaf(op, s2_addr(op->fmt, e, 0), level - 1, gpa,
				stop))
			return true;
	}
	return false;
}

static int s2_map_range(struct s2_op *op, uint64_t f, int level, uint64_t gpa,
			uint64_t end)
{
	const struct s2_format *fmt = op->fmt;
	uint64_t *tab = s2_tab(f), stop;
	int max_leaf = op->t->has_1g ? S2_LEVEL_1G : S2_LEVEL_2M;

	for (; gpa < end; gpa = stop) {
		uint64_t *ep = &tab[s2_idx(gpa, level)], e = *ep;
		int rc;

		stop = s2_stop(gpa, end, level);
		if (level <= max_leaf && s2_whole(gpa, stop, level) &&
		    !(op->hpa & (s2_level_size(level) - 1))) {
			s2_set(ep, fmt->leaf(op->hpa, op->perms, level,
					     op->memtype));
			op->hpa += stop - gpa;
			/* A table with no leaf under it: retire it. */
			if (fmt->present(e))
				s2_drop_tree(op->t, op, s2_addr(fmt, e, 0),
					     level - 1);
		} else {
			if (!fmt->present(e)) {
				uint64_t nt = s2_new_table(op->t);

				if (!nt)
					return -ENOMEM;
				s2_set(ep, fmt->table(nt));
				e = *ep;
			}
			rc = s2_map_range(op, s2_addr(fmt, e, 0), level - 1,
					  gpa, stop);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static bool s2_table_empty(const struct s2_format *fmt, uint64_t f)
{
	const uint64_t *tab = s2_tab(f);

	for (int i = 0; i < S2_ENTRIES; i++)
		if (fmt->present(tab[i]))
			return false;
	return true;
}

static int s2_unmap_range(struct s2_op *op, uint64_t f, int level, uint64_t gpa,
			  uint64_t end)
{
	const struct s2_format *fmt = op->fmt;
	uint64_t *tab = s2_tab(f), stop;

	for (; gpa < end; gpa = stop) {
		uint64_t *ep = &tab[s2_idx(gpa, level)], e = *ep;
		bool leaf = s2_is_leaf(fmt, e, level);
		int rc;

		stop = s2_stop(gpa, end, level);
		if (!fmt->present(e))
			continue;
		if (s2_whole(gpa, stop, level)) {
			s2_set(ep, 0);
			op->flush = true;
			if (!leaf)
				s2_drop_tree(op->t, op, s2_addr(fmt, e, 0),
					     level - 1);
			continue;
		}
		if (leaf) {
			rc = s2_split_entry(op, ep, level);
			if (rc)
				return rc;
			e = *ep;
		}
		rc = s2_unmap_range(op, s2_addr(fmt, e, 0), level - 1, gpa,
				    stop);
		if (rc)
			return rc;
		/* Prune a table left empty (balloon holes, map rollback). */
		if (s2_table_empty(fmt, s2_addr(fmt, e, 0))) {
			s2_set(ep, 0);
			s2_retire(op, s2_addr(fmt, e, 0));
		}
	}
	return 0;
}

static int s2_protect_range(struct s2_op *op, uint64_t f, int level,
			    uint64_t gpa, uint64_t end)
{
	const struct s2_format *fmt = op->fmt;
	uint64_t *tab = s2_tab(f), stop;

	for (; gpa < end; gpa = stop) {
		uint64_t *ep = &tab[s2_idx(gpa, level)], e = *ep;
		int rc;

		stop = s2_stop(gpa, end, level);
		if (!fmt->present(e))
			continue;
		if (s2_is_leaf(fmt, e, level)) {
			if (fmt->perms(e) == op->perms)
				continue;
			if (s2_whole(gpa, stop, level)) {
				s2_set(ep, fmt->leaf(s2_addr(fmt, e, level),
						     op->perms, level,
						     fmt->memtype(e, level)));
				op->flush = true;
				continue;
			}
			rc = s2_split_entry(op, ep, level);
			if (rc)
				return rc;
			e = *ep;
		}
		rc = s2_protect_range(op, s2_addr(fmt, e, 0), level - 1, gpa,
				      stop);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- The API ----------------------------------------------------------- */

int s2_init(struct s2_table *t, const struct s2_format *fmt, bool allow_1g)
{
	memset(t, 0, sizeof(*t));
	t->fmt = fmt;
	t->has_1g = allow_1g;
	t->lock = (struct spinlock)SPINLOCK_INIT;
	t->root = s2_new_table(t);
	return t->root ? 0 : -ENOMEM;
}

void s2_destroy(struct s2_table *t)
{
	if (!t->root)
		return;
	s2_drop_tree(t, NULL, t->root, S2_ROOT_LEVEL);
	s2_free_retired(t);
	t->root = 0;
	t->frames = 0;
}

int s2_map(struct s2_table *t, uint64_t gpa, uint64_t hpa, uint64_t size,
	   unsigned int perms, unsigned int memtype)
{
	struct s2_op op = { .t = t,
			    .fmt = t->fmt,
			    .hpa = hpa,
			    .perms = perms,
			    .memtype = memtype };
	int rc = s2_check_range(gpa, size);

	if (rc)
		return rc;
	if ((hpa & (PMM_PAGE - 1)) || !s2_perms_ok(perms) ||
	    !s2_memtype_ok(memtype))
		return -EINVAL;
	if (hpa >= S2_HPA_LIMIT || size > S2_HPA_LIMIT - hpa)
		return -ERANGE;

	uint64_t flags = spin_lock_irqsave(&t->lock);
	if (s2_any_leaf(&op, t->root, S2_ROOT_LEVEL, gpa, gpa + size)) {
		rc = -EEXIST;
	} else {
		rc = s2_map_range(&op, t->root, S2_ROOT_LEVEL, gpa, gpa + size);
		/*
		 * Out of table frames part-way: everything in the range is
		 * ours (it was empty) and page-aligned to our own leaves, so
		 * taking it out again needs no split.
		 */
		if (rc)
			s2_unmap_range(&op, t->root, S2_ROOT_LEVEL, gpa,
				       gpa + size);
	}
	s2_end_op(&op);
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

int s2_unmap(struct s2_table *t, uint64_t gpa, uint64_t size)
{
	struct s2_op op = { .t = t, .fmt = t->fmt };
	int rc = s2_check_range(gpa, size);

	if (rc)
		return rc;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	rc = s2_reserve(&op, gpa, gpa + size);
	if (!rc)
		rc = s2_unmap_range(&op, t->root, S2_ROOT_LEVEL, gpa,
				    gpa + size);
	s2_end_op(&op);
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

int s2_protect(struct s2_table *t, uint64_t gpa, uint64_t size,
	       unsigned int perms)
{
	struct s2_op op = { .t = t, .fmt = t->fmt, .perms = perms };
	int rc = s2_check_range(gpa, size);

	if (rc)
		return rc;
	if (!s2_perms_ok(perms))
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	rc = s2_reserve(&op, gpa, gpa + size);
	if (!rc)
		rc = s2_protect_range(&op, t->root, S2_ROOT_LEVEL, gpa,
				      gpa + size);
	s2_end_op(&op);
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

/* @level names a large page that exists on this table. */
static int s2_check_large(struct s2_table *t, uint64_t gpa, int level)
{
	if (level != S2_LEVEL_2M && (level != S2_LEVEL_1G || !t->has_1g))
		return -EINVAL;
	if (gpa & (s2_level_size(level) - 1))
		return -EINVAL;
	return gpa < S2_GPA_LIMIT ? 0 : -ERANGE;
}

int s2_split(struct s2_table *t, uint64_t gpa, int level)
{
	struct s2_op op = { .t = t, .fmt = t->fmt };
	int rc = s2_check_large(t, gpa, level);

	if (rc)
		return rc;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	int at;
	uint64_t *ep = s2_descend(t, gpa, level, &at);
	if (at != level || !t->fmt->present(*ep) ||
	    !s2_is_leaf(t->fmt, *ep, level)) {
		rc = -ENOENT;
	} else if (!(op.spare[0] = pmm_alloc_4k())) {
		rc = -ENOMEM;
	} else {
		op.nspare = 1;
		rc = s2_split_entry(&op, ep, level);
	}
	s2_end_op(&op);
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

/* The host address the table at @tab would map as one large page, or ~0. */
static uint64_t s2_mergeable(const struct s2_format *fmt, const uint64_t *tab,
			     int level)
{
	uint64_t sub = s2_level_size(level - 1);
	uint64_t hpa = s2_addr(fmt, tab[0], level - 1);
	unsigned int perms = fmt->perms(tab[0]);
	unsigned int mt = fmt->memtype(tab[0], level - 1);

	if (hpa & (s2_level_size(level) - 1))
		return ~0ull;
	for (int i = 0; i < S2_ENTRIES; i++) {
		uint64_t e = tab[i];

		if (!fmt->present(e) || !s2_is_leaf(fmt, e, level - 1) ||
		    s2_addr(fmt, e, level - 1) != hpa + i * sub ||
		    fmt->perms(e) != perms || fmt->memtype(e, level - 1) != mt)
			return ~0ull;
	}
	return hpa;
}

int s2_merge(struct s2_table *t, uint64_t gpa, int level)
{
	struct s2_op op = { .t = t, .fmt = t->fmt };
	const struct s2_format *fmt = t->fmt;
	int rc = s2_check_large(t, gpa, level);

	if (rc)
		return rc;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	int at;
	uint64_t *ep = s2_descend(t, gpa, level, &at);
	if (at != level || !fmt->present(*ep) || s2_is_leaf(fmt, *ep, level)) {
		rc = -ENOENT;
	} else {
		uint64_t f = s2_addr(fmt, *ep, 0);
		const uint64_t *tab = s2_tab(f);
		uint64_t hpa = s2_mergeable(fmt, tab, level);

		if (hpa == ~0ull) {
			rc = -EINVAL;
		} else {
			s2_set(ep, fmt->leaf(hpa, fmt->perms(tab[0]), level,
					     fmt->memtype(tab[0], level - 1)));
			s2_retire(&op, f);
		}
	}
	s2_end_op(&op);
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

int s2_walk(struct s2_table *t, uint64_t gpa, uint64_t *hpa,
	    unsigned int *perms, int *level)
{
	const struct s2_format *fmt = t->fmt;
	int rc = -ENOENT;

	if (gpa >= S2_GPA_LIMIT)
		return -ERANGE;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	int l;
	uint64_t e = *s2_descend(t, gpa, 0, &l);
	if (fmt->present(e)) {
		if (hpa)
			*hpa =
			    s2_addr(fmt, e, l) + (gpa & (s2_level_size(l) - 1));
		if (perms)
			*perms = fmt->perms(e);
		if (level)
			*level = l;
		rc = 0;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	return rc;
}

void s2_flush_done(struct s2_table *t, uint64_t gen)
{
	uint64_t flags = spin_lock_irqsave(&t->lock);

	/* Only a flush at the newest generation covers every retirement. */
	if (gen == t->flush_gen)
		s2_free_retired(t);
	spin_unlock_irqrestore(&t->lock, flags);
}

uint64_t s2_frames(struct s2_table *t)
{
	uint64_t flags = spin_lock_irqsave(&t->lock);
	uint64_t n = t->frames + t->nretired;

	spin_unlock_irqrestore(&t->lock, flags);
	return n;
}
