// SPDX-License-Identifier: MIT
/*
 * keel.selftest checks of the stage-2 engine and guest memory, on the
 * real allocator and direct map: for EPT and for NPT, a 64 MiB guest
 * written and read across page and 2 MiB boundaries through gmem, its
 * table split, protected and merged, a bare table mapped, cut and merged,
 * and afterwards the pmm totals exactly where they were. No guest runs:
 * this checks the tables, the backends check the hardware walks them.
 */
#include <errno.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/pmm.h"
#include "core/selftest.h"
#include "ept/gmem.h"
#include "ept/s2.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define ST_RAM (64 * MiB)

#define ST_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			log_err("selftest: %s: line %d: %s", fmt->name,        \
				__LINE__, #cond);                              \
			rc = -EIO;                                             \
		}                                                              \
	} while (0)

static int st_level(struct s2_table *t, uint64_t gpa)
{
	int level;

	return s2_walk(t, gpa, NULL, NULL, &level) ? -1 : level;
}

static int st_gmem(const struct s2_format *fmt)
{
	static uint8_t in[8192], out[8192];
	struct gmem *gm = gmem_create(fmt, ST_RAM, true);
	struct s2_table *t;
	unsigned int perms;
	uint64_t hpa, backed;
	int rc = 0;

	if (!gm)
		return -ENOMEM;
	t = gmem_s2(gm);
	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13 + i / 4096);

	/* Across two 4 KiB boundaries and the 2 MiB one at 2 MiB. */
	ST_CHECK(gmem_write(gm, 2 * MiB - 4196, in, sizeof(in)) == 0);
	ST_CHECK(gmem_read(gm, 2 * MiB - 4196, out, sizeof(out)) == 0);
	ST_CHECK(!memcmp(in, out, sizeof(in)));
	/* The guest would find it where the table points. */
	ST_CHECK(s2_walk(t, 2 * MiB, &hpa, &perms, NULL) == 0);
	ST_CHECK(perms == S2_RWX);
	ST_CHECK(!memcmp(mm_phys_to_virt(hpa), in + 4196, 100));
	ST_CHECK(st_level(t, 2 * MiB - 1) == S2_LEVEL_2M);

	/* The end of RAM, and past it. */
	ST_CHECK(gmem_write(gm, ST_RAM - 10, in, 10) == 0);
	ST_CHECK(gmem_write(gm, ST_RAM - 5, in, 10) == -EFAULT);
	ST_CHECK(gmem_fault(gm, ST_RAM, true) == -EFAULT);
	ST_CHECK(gmem_read(gm, ~0ull - 3, out, 8) == -EFAULT);

	/* Untouched RAM reads as zeros and stays unbacked. */
	backed = gmem_backed_bytes(gm);
	memset(out, 0xff, sizeof(out));
	ST_CHECK(gmem_read(gm, 32 * MiB + 5, out, sizeof(out)) == 0);
	for (unsigned int i = 0; i < sizeof(out); i++)
		if (out[i]) {
			ST_CHECK(out[i] == 0);
			break;
		}
	ST_CHECK(gmem_backed_bytes(gm) == backed);

	/* Populate, then split, protect and merge one of its pages. */
	ST_CHECK(gmem_populate(gm, 8 * MiB, 4 * MiB) == 0);
	ST_CHECK(gmem_backed_bytes(gm) == backed + 4 * MiB);
	ST_CHECK(s2_split(t, 8 * MiB, S2_LEVEL_2M) == 0);
	ST_CHECK(st_level(t, 9 * MiB) == S2_LEVEL_4K);
	ST_CHECK(s2_protect(t, 9 * MiB, 4096, S2_R) == 0);
	ST_CHECK(s2_walk(t, 9 * MiB, NULL, &perms, NULL) == 0 && perms == S2_R);
	ST_CHECK(s2_merge(t, 8 * MiB, S2_LEVEL_2M) == -EINVAL);
	ST_CHECK(s2_protect(t, 9 * MiB, 4096, S2_RWX) == 0);
	ST_CHECK(s2_merge(t, 8 * MiB, S2_LEVEL_2M) == 0);
	ST_CHECK(st_level(t, 9 * MiB) == S2_LEVEL_2M);
	ST_CHECK(gmem_read(gm, 2 * MiB - 4196, out, sizeof(out)) == 0);
	ST_CHECK(!memcmp(in, out, sizeof(in)));
	s2_flush_done(t, s2_flush_gen(t));
	gmem_destroy(gm);
	return rc;
}

/* A bare table over host addresses it never touches. */
static int st_engine(const struct s2_format *fmt)
{
	const uint64_t h = 64 * GiB;
	struct s2_table t;
	uint64_t hpa, t0, ticks;
	int rc = 0;

	if (s2_init(&t, fmt, true))
		return -ENOMEM;
	ST_CHECK(s2_map(&t, 1 * GiB, h, 1 * GiB, S2_RWX, S2_MT_WB) == 0);
	ST_CHECK(st_level(&t, 1 * GiB + 5) == S2_LEVEL_1G);
	ST_CHECK(s2_map(&t, 1 * GiB + 4 * MiB, 0, 4096, S2_R, S2_MT_WB) ==
		 -EEXIST);
	ST_CHECK(s2_unmap(&t, 1 * GiB + 3 * MiB, 4096) == 0);
	ST_CHECK(st_level(&t, 1 * GiB + 3 * MiB) == -1);
	ST_CHECK(st_level(&t, 1 * GiB + 3 * MiB + 4096) == S2_LEVEL_4K);
	ST_CHECK(st_level(&t, 1 * GiB + 5 * MiB) == S2_LEVEL_2M);
	ST_CHECK(s2_walk(&t, 2 * GiB - 1, &hpa, NULL, NULL) == 0 &&
		 hpa == h + 1 * GiB - 1);

	/* 512 single pages, contiguous on the host side: one large page. */
	t0 = cpu_rdtsc();
	for (uint64_t p = 0; p < 512; p++)
		ST_CHECK(s2_map(&t, 4 * GiB + p * 4096, h + p * 4096, 4096,
				S2_R | S2_X, S2_MT_UC) == 0);
	ticks = (cpu_rdtsc() - t0) / 512;
	ST_CHECK(s2_merge(&t, 4 * GiB, S2_LEVEL_2M) == 0);
	ST_CHECK(st_level(&t, 4 * GiB + 12345) == S2_LEVEL_2M);
	ST_CHECK(s2_split(&t, 4 * GiB, S2_LEVEL_2M) == 0);
	t0 = cpu_rdtsc();
	for (uint64_t p = 0; p < 512; p++)
		ST_CHECK(s2_walk(&t, 4 * GiB + p * 4096, &hpa, NULL, NULL) ==
			     0 &&
			 hpa == h + p * 4096);
	log_info("bench: %s map %llu ticks per 4K page, walk %llu", fmt->name,
		 (unsigned long long)ticks,
		 (unsigned long long)((cpu_rdtsc() - t0) / 512));
	ST_CHECK(s2_walk(&t, S2_GPA_LIMIT, NULL, NULL, NULL) == -ERANGE);
	ST_CHECK(s2_map(&t, S2_GPA_LIMIT - 4096, 0, 8192, S2_R, S2_MT_WB) ==
		 -ERANGE);
	s2_destroy(&t);
	return rc;
}

static int s2_selftest(void)
{
	static const struct s2_format *const fmts[] = { &s2_ept, &s2_npt };
	struct pmm_stats before, after;
	int rc = 0;

	/*
	 * gmem keeps its bookkeeping on the heap, which never shrinks: a
	 * first VM leaves newlib a free block the measured ones reuse.
	 */
	gmem_destroy(gmem_create(&s2_ept, ST_RAM, true));
	pmm_get_stats(&before);
	for (int i = 0; i < 2; i++) {
		int r = st_gmem(fmts[i]);

		rc = rc ? rc : r;
		r = st_engine(fmts[i]);
		rc = rc ? rc : r;
	}
	pmm_get_stats(&after);
	if (after.free != before.free ||
	    after.free_large != before.free_large) {
		log_err(
		    "selftest: s2: pmm free %llu -> %llu, large %llu -> %llu",
		    (unsigned long long)before.free,
		    (unsigned long long)after.free,
		    (unsigned long long)before.free_large,
		    (unsigned long long)after.free_large);
		rc = rc ? rc : -EIO;
	}
	return rc;
}
KEEL_SELFTEST(stage2, s2_selftest);
