// SPDX-License-Identifier: MIT
/*
 * The stage-2 engine on a simulated physical memory: both encoders' bits
 * against the SDM/APM tables, page-size choice, overlap, splitting on
 * unmap and protect, merge, walk, range checks, flush generations, and
 * every table frame back in the pmm afterwards.
 * UNIT_SRCS: ept/s2.c ept/s2_ept.c ept/s2_npt.c core/pmm.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/mm.h"
#include "core/pmm.h"
#include "ept/s2.h"
#include "unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

static uint8_t *phys_mem; /* host stand-in for physical memory */
static const uint64_t phys_size = 64 * MiB;

void *mm_phys_to_virt(uint64_t phys)
{
	return phys < phys_size ? phys_mem + phys : NULL;
}

/* A fresh 64 MiB machine: RAM from 1 MiB, every frame free. */
static void machine(void)
{
	static struct boot_info bi;

	if (!phys_mem)
		phys_mem =
		    mmap(NULL, phys_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	bi.mmap_count = 1;
	bi.mmap[0] = (struct boot_mem_range){ 1 * MiB, phys_size - 1 * MiB,
					      BOOT_MEM_AVAILABLE };
	pmm_init(&bi, NULL, 0, mm_phys_to_virt);
}

static uint64_t pmm_free_now(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.free;
}

static uint64_t *raw(uint64_t hpa)
{
	return mm_phys_to_virt(hpa);
}

/* Leaf level of @gpa, or -1 when unmapped. */
static int level_of(struct s2_table *t, uint64_t gpa)
{
	int level;

	return s2_walk(t, gpa, NULL, NULL, &level) ? -1 : level;
}

static uint64_t hpa_of(struct s2_table *t, uint64_t gpa)
{
	uint64_t hpa;

	return s2_walk(t, gpa, &hpa, NULL, NULL) ? ~0ull : hpa;
}

static unsigned int perms_of(struct s2_table *t, uint64_t gpa)
{
	unsigned int perms;

	return s2_walk(t, gpa, NULL, &perms, NULL) ? ~0u : perms;
}

static const struct s2_format *const formats[] = { &s2_ept, &s2_npt };

/* --- Encoders ------------------------------------------------------------ */

UNIT_TEST(s2_ept_entry_bits_follow_sdm_tables)
{
	const struct s2_format *f = &s2_ept;
	uint64_t hpa = 0x123456789000ull;

	/* Table 29-6 (PTE): R/W/X 2:0, memory type 5:3, ignore PAT 6. */
	UNIT_CHECK(f->leaf(hpa, S2_R | S2_W, 0, S2_MT_WB) ==
		   (hpa | 0x3 | (6 << 3) | (1 << 6)));
	UNIT_CHECK(f->leaf(hpa, S2_R | S2_X, 0, S2_MT_UC) == (hpa | 0x5));
	/* Tables 29-4 / 29-2: bit 7 maps a 2 MiB / 1 GiB page. */
	UNIT_CHECK(f->leaf(0x40000000, S2_RWX, 2, S2_MT_WB) ==
		   (0x40000000 | 0x7 | 0x30 | 0x40 | 0x80));
	UNIT_CHECK(f->leaf(0x200000, S2_R, 1, S2_MT_WT) ==
		   (0x200000 | 0x1 | (4 << 3) | 0x80));
	/* Tables 29-1/29-3/29-5: RWX, bits 7:3 zero. */
	UNIT_CHECK(f->table(hpa) == (hpa | 0x7));
	UNIT_CHECK(f->present(0x4) && !f->present(0x1000) && !f->present(0x78));
	UNIT_CHECK(f->is_leaf(0x80 | 7, 1) && !f->is_leaf(7, 1) &&
		   f->is_leaf(7, 0));
	UNIT_CHECK(f->addr(f->leaf(hpa, S2_R, 0, S2_MT_WB)) == hpa);
	UNIT_CHECK(f->perms(f->leaf(hpa, S2_R | S2_X, 0, S2_MT_WB)) ==
		   (S2_R | S2_X));
	UNIT_CHECK(f->memtype(f->leaf(hpa, S2_R, 1, S2_MT_WC), 1) == S2_MT_WC);
	UNIT_CHECK(f->memtype(f->leaf(hpa, S2_R, 0, S2_MT_WB), 0) == S2_MT_WB);
	UNIT_CHECK(!strcmp(f->name, "EPT"));
}

UNIT_TEST(s2_npt_entry_bits_follow_apm)
{
	const struct s2_format *f = &s2_npt;
	uint64_t hpa = 0x123456789000ull, nx = 1ull << 63;

	/* P, R/W, U (always, APM 15.25.5); NX when not executable. */
	UNIT_CHECK(f->leaf(hpa, S2_RWX, 0, S2_MT_WB) == (hpa | 0x7));
	UNIT_CHECK(f->leaf(hpa, S2_R | S2_X, 0, S2_MT_WB) == (hpa | 0x5));
	UNIT_CHECK(f->leaf(hpa, S2_R, 0, S2_MT_WB) == (hpa | 0x5 | nx));
	UNIT_CHECK(f->leaf(hpa, S2_R | S2_W, 0, S2_MT_WB) == (hpa | 0x7 | nx));
	/* PS for 2 MiB / 1 GiB; PCD|PWT = UC, PWT = WT (reset PAT). */
	UNIT_CHECK(f->leaf(0x200000, S2_RWX, 1, S2_MT_WB) == (0x200000 | 0x87));
	UNIT_CHECK(f->leaf(0x40000000, S2_RWX, 2, S2_MT_UC) ==
		   (0x40000000 | 0x87 | 0x18));
	UNIT_CHECK(f->leaf(hpa, S2_RWX, 0, S2_MT_WT) == (hpa | 0x7 | 0x8));
	UNIT_CHECK(f->leaf(hpa, S2_RWX, 0, S2_MT_WC) == (hpa | 0x7 | 0x18));
	UNIT_CHECK(f->table(hpa) == (hpa | 0x7));
	UNIT_CHECK(f->present(1) && !f->present(0x6) && !f->present(hpa));
	UNIT_CHECK(f->is_leaf(0x81, 1) && !f->is_leaf(0x7, 2) &&
		   f->is_leaf(0x7, 0));
	UNIT_CHECK(f->perms(f->leaf(hpa, S2_R, 0, S2_MT_WB)) == S2_R);
	UNIT_CHECK(f->perms(f->leaf(hpa, S2_RWX, 2, S2_MT_WB)) == S2_RWX);
	UNIT_CHECK(f->memtype(f->leaf(0x200000, S2_R, 1, S2_MT_WT), 1) ==
		   S2_MT_WT);
	/* A large page's address is aligned to its size (bit 12 is PAT). */
	UNIT_CHECK(f->leaf(hpa, S2_R, 1, S2_MT_WB) ==
		   ((hpa & ~0x1fffffull) | 0x85 | nx));
	UNIT_CHECK(f->memtype(f->leaf(hpa, S2_R, 1, S2_MT_UC), 1) == S2_MT_UC);
	UNIT_CHECK(f->addr(f->leaf(hpa, S2_R, 0, S2_MT_UC)) == hpa);
	UNIT_CHECK(!strcmp(f->name, "NPT"));
}

UNIT_TEST(s2_eptp_and_ncr3)
{
	struct s2_table t;

	machine();
	UNIT_CHECK(s2_init(&t, &s2_ept, true) == 0);
	/* WB walks (6), walk length 4 (3 in bits 5:3), no A/D (bit 6). */
	UNIT_CHECK(s2_ept_eptp(&t) == (t.root | 0x1e));
	UNIT_CHECK(t.root && !(t.root & 0xfff));
	s2_destroy(&t);
	UNIT_CHECK(s2_init(&t, &s2_npt, true) == 0);
	UNIT_CHECK(s2_npt_ncr3(&t) == t.root);
	s2_destroy(&t);
}

/* Every level of an NPT walk carries U; every EPT level carries R/W/X. */
UNIT_TEST(s2_all_levels_permissive_and_user)
{
	for (int i = 0; i < 2; i++) {
		const struct s2_format *f = formats[i];
		struct s2_table t;
		uint64_t gpa = 0x8040201000ull, tab;

		machine();
		s2_init(&t, f, true);
		UNIT_CHECK(s2_map(&t, gpa, 0x5000, 4 * KiB, S2_R, S2_MT_WB) ==
			   0);
		tab = t.root;
		for (int l = 3; l > 0; l--) {
			uint64_t e = raw(tab)[(gpa >> (12 + 9 * l)) & 511];

			UNIT_CHECK((e & 7) == 7); /* EPT RWX, NPT P|RW|U */
			UNIT_CHECK(!(e & (1ull << 63)) && !(e & 0x80));
			tab = e & 0x000ffffffffff000ull;
		}
		uint64_t leaf = raw(tab)[(gpa >> 12) & 511];
		UNIT_CHECK(leaf == f->leaf(0x5000, S2_R, 0, S2_MT_WB));
		if (f == &s2_npt)
			UNIT_CHECK(leaf & 4);
		s2_destroy(&t);
	}
}

/* --- Mapping ------------------------------------------------------------- */

UNIT_TEST(s2_map_picks_page_size_by_alignment)
{
	for (int i = 0; i < 2; i++) {
		struct s2_table t;
		uint64_t hbase = 0x100000000ull; /* never touched: fake */

		machine();
		s2_init(&t, formats[i], true);
		/* 4K + 2M + 4K: small pages only where they must be. */
		UNIT_CHECK(s2_map(&t, 4 * MiB - 4 * KiB,
				  hbase + 4 * MiB - 4 * KiB, 2 * MiB + 8 * KiB,
				  S2_RWX, S2_MT_WB) == 0);
		UNIT_CHECK(level_of(&t, 4 * MiB - 4 * KiB) == 0);
		UNIT_CHECK(level_of(&t, 4 * MiB) == 1);
		UNIT_CHECK(level_of(&t, 6 * MiB - 1) == 1);
		UNIT_CHECK(level_of(&t, 6 * MiB) == 0);
		UNIT_CHECK(level_of(&t, 6 * MiB + 4 * KiB) == -1);
		UNIT_CHECK(level_of(&t, 4 * MiB - 8 * KiB) == -1);
		UNIT_CHECK(hpa_of(&t, 5 * MiB + 123) == hbase + 5 * MiB + 123);
		/* root, PDPT, PD, two PTs */
		UNIT_CHECK(s2_frames(&t) == 5);
		/* 1 GiB where both sides are 1 GiB aligned. */
		UNIT_CHECK(s2_map(&t, 2 * GiB, 3 * GiB, 1 * GiB, S2_RWX,
				  S2_MT_UC) == 0);
		UNIT_CHECK(level_of(&t, 2 * GiB + 12345) == 2);
		UNIT_CHECK(hpa_of(&t, 2 * GiB + 12345) == 3 * GiB + 12345);
		/* Same GPA alignment, host only 4K aligned: all 4K. */
		UNIT_CHECK(
		    s2_map(&t, 8 * GiB, 0x7000, 4 * MiB, S2_R, S2_MT_WB) == 0);
		UNIT_CHECK(level_of(&t, 8 * GiB) == 0);
		UNIT_CHECK(level_of(&t, 8 * GiB + 3 * MiB) == 0);
		/* Host 2M aligned but not 1G: 2M pages. */
		UNIT_CHECK(s2_map(&t, 16 * GiB, 2 * MiB, 1 * GiB, S2_R,
				  S2_MT_WB) == 0);
		UNIT_CHECK(level_of(&t, 16 * GiB + 5 * MiB) == 1);
		s2_destroy(&t);

		/* Without 1 GiB support, a 1 GiB range is 512 2M pages. */
		s2_init(&t, formats[i], false);
		UNIT_CHECK(s2_map(&t, 1 * GiB, 1 * GiB, 1 * GiB, S2_RWX,
				  S2_MT_WB) == 0);
		UNIT_CHECK(level_of(&t, 1 * GiB) == 1);
		UNIT_CHECK(level_of(&t, 2 * GiB - 1) == 1);
		UNIT_CHECK(s2_frames(&t) == 3);
		UNIT_CHECK(s2_split(&t, 1 * GiB, 2) == -EINVAL);
		s2_destroy(&t);
	}
}

UNIT_TEST(s2_overlap_is_eexist_and_maps_nothing)
{
	struct s2_table t;
	uint64_t gen;

	machine();
	s2_init(&t, &s2_ept, true);
	UNIT_CHECK(s2_map(&t, 2 * MiB, 2 * MiB, 2 * MiB, S2_RWX, S2_MT_WB) ==
		   0);
	gen = s2_flush_gen(&t);
	UNIT_CHECK(gen == 0); /* mapping into nothing needs no flush */
	UNIT_CHECK(s2_map(&t, 3 * MiB, 9 * MiB, 4 * KiB, S2_R, S2_MT_WB) ==
		   -EEXIST);
	/* Straddles the end of the mapping: nothing of it appears. */
	UNIT_CHECK(s2_map(&t, 4 * MiB - 4 * KiB, 0x10000, 8 * KiB, S2_R,
			  S2_MT_WB) == -EEXIST);
	UNIT_CHECK(level_of(&t, 4 * MiB) == -1);
	UNIT_CHECK(s2_map(&t, 0, 0, 64 * MiB, S2_R, S2_MT_WB) == -EEXIST);
	UNIT_CHECK(level_of(&t, 0) == -1);
	UNIT_CHECK(hpa_of(&t, 3 * MiB) == 3 * MiB);
	/* Touching but not overlapping is fine. */
	UNIT_CHECK(s2_map(&t, 4 * MiB, 0x10000, 4 * KiB, S2_R, S2_MT_WB) == 0);
	UNIT_CHECK(s2_flush_gen(&t) == gen);
	s2_destroy(&t);
}

UNIT_TEST(s2_bad_arguments_rejected)
{
	struct s2_table t;

	machine();
	s2_init(&t, &s2_npt, true);
	/* gpa + size wraps, or reaches past 48 bits. */
	UNIT_CHECK(s2_map(&t, ~0ull - 4095, 0, 8192, S2_R, S2_MT_WB) ==
		   -ERANGE);
	UNIT_CHECK(s2_map(&t, S2_GPA_LIMIT, 0, 4096, S2_R, S2_MT_WB) ==
		   -ERANGE);
	UNIT_CHECK(s2_map(&t, S2_GPA_LIMIT - 4096, 0, 8192, S2_R, S2_MT_WB) ==
		   -ERANGE);
	UNIT_CHECK(s2_map(&t, 0, 0, 1ull << 63, S2_R, S2_MT_WB) == -ERANGE);
	UNIT_CHECK(s2_map(&t, 0, S2_HPA_LIMIT - 4096, 8192, S2_R, S2_MT_WB) ==
		   -ERANGE);
	UNIT_CHECK(s2_map(&t, 0, ~0ull & ~0xfffull, 8192, S2_R, S2_MT_WB) ==
		   -ERANGE);
	/* Alignment, emptiness, permissions and memory types. */
	UNIT_CHECK(s2_map(&t, 0x800, 0, 4096, S2_R, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0x800, 4096, S2_R, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 100, S2_R, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 0, S2_R, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, 0, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, S2_W, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, S2_X, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, 8 | S2_R, S2_MT_WB) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, S2_R, 2) == -EINVAL);
	UNIT_CHECK(s2_map(&t, 0, 0, 4096, S2_R, 7) == -EINVAL);
	UNIT_CHECK(s2_unmap(&t, ~0ull - 4095, 8192) == -ERANGE);
	UNIT_CHECK(s2_unmap(&t, 0, 0) == -EINVAL);
	UNIT_CHECK(s2_protect(&t, S2_GPA_LIMIT, 4096, S2_R) == -ERANGE);
	UNIT_CHECK(s2_protect(&t, 0, 4096, S2_W) == -EINVAL);
	UNIT_CHECK(s2_walk(&t, S2_GPA_LIMIT, NULL, NULL, NULL) == -ERANGE);
	UNIT_CHECK(s2_walk(&t, ~0ull, NULL, NULL, NULL) == -ERANGE);
	UNIT_CHECK(s2_split(&t, 4096, 1) == -EINVAL);
	UNIT_CHECK(s2_split(&t, 0, 0) == -EINVAL);
	UNIT_CHECK(s2_split(&t, 0, 3) == -EINVAL);
	UNIT_CHECK(s2_merge(&t, S2_GPA_LIMIT, 1) == -ERANGE);
	UNIT_CHECK(s2_frames(&t) == 1); /* nothing was built */
	/* The last page below the limit is fine. */
	UNIT_CHECK(
	    s2_map(&t, S2_GPA_LIMIT - 4096, 0x1000, 4096, S2_R, S2_MT_WB) == 0);
	UNIT_CHECK(hpa_of(&t, S2_GPA_LIMIT - 1) == 0x1fff);
	s2_destroy(&t);
}

/* --- Unmap, protect, split, merge ------------------------------------ */

UNIT_TEST(s2_unmap_part_of_large_page_keeps_the_rest)
{
	for (int i = 0; i < 2; i++) {
		struct s2_table t;
		uint64_t h = 0x200000000ull;

		machine();
		s2_init(&t, formats[i], true);
		s2_map(&t, 2 * MiB, h, 2 * MiB, S2_RWX, S2_MT_WB);
		UNIT_CHECK(s2_unmap(&t, 2 * MiB + 8 * KiB, 4 * KiB) == 0);
		UNIT_CHECK(s2_flush_gen(&t) > 0);
		UNIT_CHECK(level_of(&t, 2 * MiB + 8 * KiB) == -1);
		UNIT_CHECK(level_of(&t, 2 * MiB) == 0);
		UNIT_CHECK(hpa_of(&t, 2 * MiB + 12 * KiB + 5) ==
			   h + 12 * KiB + 5);
		UNIT_CHECK(hpa_of(&t, 4 * MiB - 1) == h + 2 * MiB - 1);
		UNIT_CHECK(perms_of(&t, 2 * MiB + 4 * KiB) == S2_RWX);

		/* A 1 GiB page cut in its middle: 2M pages far off. */
		UNIT_CHECK(s2_map(&t, 1 * GiB, 1 * GiB, 1 * GiB, S2_R | S2_X,
				  S2_MT_UC) == 0);
		uint64_t before = s2_frames(&t);
		UNIT_CHECK(s2_unmap(&t, 1 * GiB + 3 * MiB, 8 * KiB) == 0);
		UNIT_CHECK(s2_frames(&t) == before + 2);
		UNIT_CHECK(level_of(&t, 1 * GiB) == 1);
		UNIT_CHECK(level_of(&t, 1 * GiB + 2 * MiB) == 0);
		UNIT_CHECK(level_of(&t, 1 * GiB + 3 * MiB + 4 * KiB) == -1);
		UNIT_CHECK(hpa_of(&t, 1 * GiB + 3 * MiB + 8 * KiB) ==
			   1 * GiB + 3 * MiB + 8 * KiB);
		UNIT_CHECK(perms_of(&t, 2 * GiB - 1) == (S2_R | S2_X));
		/* Unmapping a hole is fine and changes nothing. */
		UNIT_CHECK(s2_unmap(&t, 100 * GiB, 4 * GiB) == 0);
		/* Unmapping everything retires every table but the root. */
		UNIT_CHECK(s2_unmap(&t, 0, 4 * GiB) == 0);
		UNIT_CHECK(level_of(&t, 2 * MiB) == -1 &&
			   level_of(&t, 1 * GiB) == -1);
		s2_flush_done(&t, s2_flush_gen(&t));
		UNIT_CHECK(s2_frames(&t) == 1);
		s2_destroy(&t);
	}
}

UNIT_TEST(s2_protect_splits_only_what_it_must)
{
	for (int i = 0; i < 2; i++) {
		struct s2_table t;
		uint64_t gen;

		machine();
		s2_init(&t, formats[i], true);
		s2_map(&t, 0, 64 * MiB, 4 * MiB, S2_RWX, S2_MT_WB);
		UNIT_CHECK(s2_protect(&t, 4 * KiB, 4 * KiB, S2_R) == 0);
		UNIT_CHECK(perms_of(&t, 4 * KiB) == S2_R);
		UNIT_CHECK(level_of(&t, 4 * KiB) == 0);
		UNIT_CHECK(perms_of(&t, 0) == S2_RWX);
		UNIT_CHECK(perms_of(&t, 8 * KiB) == S2_RWX);
		UNIT_CHECK(hpa_of(&t, 4 * KiB) == 64 * MiB + 4 * KiB);
		/* A whole large page changes in place. */
		UNIT_CHECK(s2_protect(&t, 2 * MiB, 2 * MiB, S2_R | S2_W) == 0);
		UNIT_CHECK(level_of(&t, 2 * MiB) == 1);
		UNIT_CHECK(perms_of(&t, 3 * MiB) == (S2_R | S2_W));
		/* Already so: no split, no flush. */
		gen = s2_flush_gen(&t);
		uint64_t frames = s2_frames(&t);
		UNIT_CHECK(s2_protect(&t, 3 * MiB, 4 * KiB, S2_R | S2_W) == 0);
		UNIT_CHECK(s2_frames(&t) == frames);
		UNIT_CHECK(s2_flush_gen(&t) == gen);
		/* Holes are skipped. */
		UNIT_CHECK(s2_protect(&t, 0, 1 * GiB, S2_R) == 0);
		UNIT_CHECK(perms_of(&t, 0) == S2_R &&
			   perms_of(&t, 3 * MiB) == S2_R);
		UNIT_CHECK(level_of(&t, 5 * MiB) == -1);
		UNIT_CHECK(s2_flush_gen(&t) > gen);
		s2_destroy(&t);
	}
}

UNIT_TEST(s2_split_and_merge)
{
	for (int i = 0; i < 2; i++) {
		struct s2_table t;
		uint64_t h = 0x300000000ull, gen, free0;

		machine();
		free0 = pmm_free_now();
		s2_init(&t, formats[i], true);
		/* 512 contiguous 4K pages, mapped one by one. */
		for (int p = 0; p < 512; p++)
			UNIT_CHECK(s2_map(&t, 6 * MiB + p * 4 * KiB,
					  h + p * 4 * KiB, 4 * KiB, S2_R | S2_W,
					  S2_MT_WB) == 0);
		UNIT_CHECK(level_of(&t, 6 * MiB + 5 * KiB) == 0);
		UNIT_CHECK(s2_frames(&t) == 4);
		gen = s2_flush_gen(&t);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == 0);
		UNIT_CHECK(level_of(&t, 6 * MiB + 5 * KiB) == 1);
		UNIT_CHECK(hpa_of(&t, 6 * MiB + 5 * KiB) == h + 5 * KiB);
		UNIT_CHECK(perms_of(&t, 7 * MiB) == (S2_R | S2_W));
		UNIT_CHECK(s2_flush_gen(&t) > gen);
		/* The PT is retired, not freed, until a current flush. */
		UNIT_CHECK(s2_frames(&t) == 4);
		s2_flush_done(&t, gen);
		UNIT_CHECK(s2_frames(&t) == 4);
		s2_flush_done(&t, s2_flush_gen(&t));
		UNIT_CHECK(s2_frames(&t) == 3);
		UNIT_CHECK(pmm_free_now() == free0 - 3 * 4 * KiB);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == -ENOENT);

		/* Split gives the same translation in 512 pieces. */
		UNIT_CHECK(s2_split(&t, 6 * MiB, 1) == 0);
		UNIT_CHECK(level_of(&t, 6 * MiB + 5 * KiB) == 0);
		UNIT_CHECK(hpa_of(&t, 8 * MiB - 1) == h + 2 * MiB - 1);
		UNIT_CHECK(perms_of(&t, 8 * MiB - 1) == (S2_R | S2_W));
		UNIT_CHECK(s2_split(&t, 6 * MiB, 1) == -ENOENT);

		/* Not mergeable: a hole, other rights, a gap in the host. */
		s2_unmap(&t, 7 * MiB, 4 * KiB);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == -EINVAL);
		s2_map(&t, 7 * MiB, h + 1 * MiB, 4 * KiB, S2_R, S2_MT_WB);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == -EINVAL);
		s2_protect(&t, 7 * MiB, 4 * KiB, S2_R | S2_W);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == 0);
		s2_unmap(&t, 6 * MiB, 2 * MiB);
		s2_map(&t, 6 * MiB, h, 1 * MiB, S2_R, S2_MT_WB);
		s2_map(&t, 7 * MiB, h + 5 * MiB, 1 * MiB, S2_R, S2_MT_WB);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == -EINVAL);
		/* Contiguous but the host side is not 2M aligned. */
		s2_unmap(&t, 6 * MiB, 2 * MiB);
		s2_map(&t, 6 * MiB, h + 4 * KiB, 2 * MiB, S2_R, S2_MT_WB);
		UNIT_CHECK(level_of(&t, 6 * MiB) == 0);
		UNIT_CHECK(s2_merge(&t, 6 * MiB, 1) == -EINVAL);

		/* 1 GiB: split, then merge back. */
		s2_map(&t, 4 * GiB, 4 * GiB, 1 * GiB, S2_RWX, S2_MT_WB);
		UNIT_CHECK(s2_split(&t, 4 * GiB, 2) == 0);
		UNIT_CHECK(level_of(&t, 4 * GiB + 7 * MiB) == 1);
		UNIT_CHECK(s2_split(&t, 4 * GiB + 6 * MiB, 1) == 0);
		UNIT_CHECK(s2_merge(&t, 4 * GiB, 2) == -EINVAL);
		UNIT_CHECK(s2_merge(&t, 4 * GiB + 6 * MiB, 1) == 0);
		UNIT_CHECK(s2_merge(&t, 4 * GiB, 2) == 0);
		UNIT_CHECK(level_of(&t, 4 * GiB + 7 * MiB) == 2);
		UNIT_CHECK(hpa_of(&t, 5 * GiB - 1) == 5 * GiB - 1);
		s2_destroy(&t);
		UNIT_CHECK(pmm_free_now() == free0);
	}
}

UNIT_TEST(s2_walk_reports_translation)
{
	struct s2_table t;
	uint64_t hpa = 0;
	unsigned int perms = 0;
	int level = -1;

	machine();
	s2_init(&t, &s2_ept, true);
	UNIT_CHECK(s2_walk(&t, 0, &hpa, &perms, &level) == -ENOENT);
	s2_map(&t, 0xfee00000, 0xfee00000, 4 * KiB, S2_R | S2_W, S2_MT_UC);
	UNIT_CHECK(s2_walk(&t, 0xfee00030, &hpa, &perms, &level) == 0);
	UNIT_CHECK(hpa == 0xfee00030 && perms == (S2_R | S2_W) && level == 0);
	UNIT_CHECK(s2_walk(&t, 0xfee01000, &hpa, &perms, &level) == -ENOENT);
	UNIT_CHECK(s2_walk(&t, 0xfee00fff, NULL, NULL, NULL) == 0);
	s2_destroy(&t);
}

/* --- Frames ------------------------------------------------------------ */

UNIT_TEST(s2_destroy_returns_every_table_frame)
{
	for (int i = 0; i < 2; i++) {
		struct s2_table t;
		uint64_t free0;

		machine();
		free0 = pmm_free_now();
		s2_init(&t, formats[i], true);
		for (uint64_t g = 0; g < 256 * GiB; g += 3 * GiB + 40 * KiB)
			s2_map(&t, g, 0x1000, 12 * KiB, S2_R, S2_MT_WB);
		s2_map(&t, 300 * GiB, 0, 2 * GiB, S2_RWX, S2_MT_WB);
		s2_protect(&t, 300 * GiB + 5 * MiB, 4 * KiB, S2_R);
		s2_unmap(&t, 301 * GiB, 4 * MiB + 8 * KiB); /* retires none */
		s2_unmap(&t, 0, 6 * GiB + 80 * KiB);	    /* retires some */
		UNIT_CHECK(pmm_free_now() < free0 - 100 * 4 * KiB);
		UNIT_CHECK(pmm_free_now() == free0 - s2_frames(&t) * 4 * KiB);
		s2_destroy(&t);
		UNIT_CHECK(pmm_free_now() == free0);
	}
}

/* Leave exactly @n free 4 KiB frames; returns what was taken. */
static uint64_t *hog(int n, int *count)
{
	static uint64_t taken[16384];
	int k = 0;
	uint64_t f;

	while ((f = pmm_alloc_4k()))
		taken[k++] = f;
	while (n-- > 0 && k > 0)
		pmm_free_4k(taken[--k]);
	*count = k;
	return taken;
}

UNIT_TEST(s2_out_of_frames_changes_nothing)
{
	struct s2_table t;
	uint64_t free0, gen;
	uint64_t *taken;
	int n;

	machine();
	free0 = pmm_free_now();
	s2_init(&t, &s2_npt, true);
	s2_map(&t, 0, 0, 2 * MiB, S2_RWX, S2_MT_WB);
	taken = hog(2, &n);
	/* Needs PDPT + PD + PT + PT: two are free. */
	UNIT_CHECK(s2_map(&t, 512 * GiB - 4 * KiB, 0, 8 * KiB, S2_R,
			  S2_MT_WB) == -ENOMEM);
	UNIT_CHECK(level_of(&t, 512 * GiB - 4 * KiB) == -1);
	s2_flush_done(&t, s2_flush_gen(&t));
	UNIT_CHECK(pmm_free_now() == 2 * 4 * KiB);
	/* A split with no frame: -ENOMEM, the large page intact. */
	pmm_alloc_4k();
	pmm_alloc_4k();
	gen = s2_flush_gen(&t);
	UNIT_CHECK(s2_unmap(&t, 4 * KiB, 4 * KiB) == -ENOMEM);
	UNIT_CHECK(s2_protect(&t, 4 * KiB, 4 * KiB, S2_R) == -ENOMEM);
	UNIT_CHECK(s2_split(&t, 0, 1) == -ENOMEM);
	UNIT_CHECK(level_of(&t, 4 * KiB) == 1 &&
		   perms_of(&t, 4 * KiB) == S2_RWX);
	UNIT_CHECK(s2_flush_gen(&t) == gen);
	machine(); /* give everything back */
	(void)taken;
	(void)free0;
}
