/* SPDX-License-Identifier: MIT */
/*
 * The stage-2 table engine: one generic 4-level radix table of
 * guest-physical to host-physical translations, with the entry format
 * supplied per VM by an encoder (Intel EPT, SDM vol. 3C 29.3, or AMD
 * nested paging, APM vol. 2 15.25). Map, unmap, change permissions, split
 * and merge large pages, walk.
 *
 * Levels count like the hardware's: a table at level 3 is the root (512 GiB
 * per entry), level 2 maps 1 GiB per entry, level 1 2 MiB, level 0 4 KiB. A
 * leaf's "level" is the level of the table holding it (0 = 4K, 1 = 2M,
 * 2 = 1G).
 *
 * Invalidation belongs to the backends (INVEPT, ASID/TLB_CONTROL flush).
 * The engine tells them when one is needed with a generation counter:
 * every change that may leave a stale translation in some CPU's TLB or
 * paging-structure caches (a leaf removed, its permissions or size changed,
 * a table replaced) bumps s2_flush_gen(). Adding translations where none
 * were present does not: no translation is cached from a not-present EPT
 * entry (SDM 3C 29.4.2), and AMD's TLB holds only walks that succeeded
 * (APM vol. 2 5.5), so the first access after a map walks the new entry.
 * A table frame the engine stops using is kept, not freed, until the
 * owner reports with s2_flush_done() that every CPU has flushed: a CPU
 * still caching a pointer to it would otherwise walk a frame the pmm has
 * handed to someone else. docs/stage2.md has the whole protocol.
 */
#ifndef KEEL_EPT_S2_H
#define KEEL_EPT_S2_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

/* Permissions (the engine's own, mapped to bits by each encoder). */
#define S2_R 1u
#define S2_W 2u
#define S2_X 4u
#define S2_RWX (S2_R | S2_W | S2_X)

/*
 * Memory types, in the encoding of EPT and the MTRRs (SDM 3C 29.3.7,
 * 3A 12.3): the engine accepts exactly these.
 */
#define S2_MT_UC 0u
#define S2_MT_WC 1u
#define S2_MT_WT 4u
#define S2_MT_WP 5u
#define S2_MT_WB 6u

#define S2_LEVEL_4K 0
#define S2_LEVEL_2M 1
#define S2_LEVEL_1G 2
#define S2_LEVELS 4 /* root is level 3 */

/* Guest-physical width Keel supports: 4 levels, 48 bits, 256 TiB. */
#define S2_GPA_BITS 48
#define S2_GPA_LIMIT (1ull << S2_GPA_BITS)
/* Host-physical width of the entries' address fields (bits 51:12). */
#define S2_HPA_LIMIT (1ull << 52)

static inline uint64_t s2_level_size(int level)
{
	return 1ull << (12 + 9 * level);
}

/* An entry format. ept/s2_ept.c and ept/s2_npt.c each define one. */
struct s2_format {
	const char *name; /* "EPT" / "NPT" */
	/* A leaf for @hpa at @level (0 = 4K, 1 = 2M, 2 = 1G). */
	uint64_t (*leaf)(uint64_t hpa, unsigned int perms, int level,
			 unsigned int memtype);
	/* A non-leaf entry pointing at the table at @hpa. */
	uint64_t (*table)(uint64_t hpa);
	bool (*present)(uint64_t e);
	/* A present entry at @level maps a page (large bit at level 1/2). */
	bool (*is_leaf)(uint64_t e, int level);
	uint64_t (*addr)(uint64_t e);
	unsigned int (*perms)(uint64_t e); /* S2_R | S2_W | S2_X */
	/* The S2_MT_* a leaf at @level was made with. */
	unsigned int (*memtype)(uint64_t e, int level);
};

extern const struct s2_format s2_ept, s2_npt;

struct s2_table {
	const struct s2_format *fmt; /* fixed at s2_init */
	uint64_t root;		     /* hpa of the level-3 table; fixed */
	bool has_1g;		     /* 1 GiB leaves allowed; fixed */
	struct spinlock lock;	     /* everything below, and the tables */
	uint64_t flush_gen;	     /* see above; read with s2_flush_gen */
	uint64_t frames;	     /* table frames in use, root included */
	uint64_t retired;	     /* list of frames waiting for a flush */
	uint64_t nretired;
};

/*
 * An empty table (a root, nothing mapped). @allow_1g: the CPU has 1 GiB
 * stage-2 pages (EPT capability bit 17, CPUID 0x80000001 EDX.Page1GB).
 * Returns 0 or -ENOMEM.
 */
int s2_init(struct s2_table *t, const struct s2_format *fmt, bool allow_1g);
/*
 * Free every table frame, retired ones included (not the memory the
 * table maps). No CPU may use the table any more, and the backend must
 * have flushed it everywhere: its frames go back to the pmm at once.
 */
void s2_destroy(struct s2_table *t);

/*
 * Map [gpa, gpa+size) to [hpa, ...) with the largest pages alignment and
 * size allow. All of gpa, hpa, size 4 KiB aligned; @perms one of R, RW,
 * RX, RWX (a page that cannot be read cannot be expressed in NPT, and W
 * without R is an EPT misconfiguration, SDM 3C 29.3.3.1); @memtype an
 * S2_MT_*. All or nothing: -EEXIST if anything in the range is mapped,
 * -ENOMEM (nothing mapped), -EINVAL, -ERANGE outside the GPA width.
 * Never needs a flush.
 */
int s2_map(struct s2_table *t, uint64_t gpa, uint64_t hpa, uint64_t size,
	   unsigned int perms, unsigned int memtype);
/*
 * Remove every translation in the range; a large page the range cuts is
 * split first and the rest of it stays mapped. Holes are skipped; tables
 * left empty are retired. -ENOMEM only when a split finds no frame,
 * before anything changed.
 */
int s2_unmap(struct s2_table *t, uint64_t gpa, uint64_t size);
/* Set @perms on every mapped page in the range, splitting as needed. */
int s2_protect(struct s2_table *t, uint64_t gpa, uint64_t size,
	       unsigned int perms);
/*
 * Split the large page at @gpa (aligned to its size) of @level (1 or 2)
 * into 512 pages of the level below, same hpa, permissions and memory
 * type. -ENOENT when no leaf of that level is there.
 */
int s2_split(struct s2_table *t, uint64_t gpa, int level);
/*
 * Replace the table under the level-@level entry at @gpa with one large
 * page, when its 512 entries are leaves with contiguous, aligned host
 * addresses and the same permissions and memory type (-EINVAL otherwise;
 * -ENOENT when there is no table there). The table is retired.
 */
int s2_merge(struct s2_table *t, uint64_t gpa, int level);
/*
 * Translate @gpa: its host-physical address (offset within the page
 * included), permissions and leaf level; any out-pointer may be NULL.
 * -ENOENT when unmapped, -ERANGE at or above S2_GPA_LIMIT.
 */
int s2_walk(struct s2_table *t, uint64_t gpa, uint64_t *hpa,
	    unsigned int *perms, int *level);

/* The flush generation; a CPU that flushed at this value is current. */
static inline uint64_t s2_flush_gen(const struct s2_table *t)
{
	return __atomic_load_n(&t->flush_gen, __ATOMIC_ACQUIRE);
}
/*
 * Every CPU that may hold translations from @t has flushed after reading
 * generation @gen: frames retired up to then go back to the pmm.
 */
void s2_flush_done(struct s2_table *t, uint64_t gen);
/* Table frames held: in use plus retired (vm.stats, tests). */
uint64_t s2_frames(struct s2_table *t);

/* The VMCS EPT pointer: WB walks, 4 levels (SDM 3C 25.6.11). */
#define S2_EPTP_AD (1ull << 6) /* OR in to enable accessed/dirty flags */
uint64_t s2_ept_eptp(const struct s2_table *t);
/* The VMCB nCR3: the root, walked write-back (APM vol. 2 15.25). */
uint64_t s2_npt_ncr3(const struct s2_table *t);

#endif
