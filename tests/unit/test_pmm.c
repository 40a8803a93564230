// SPDX-License-Identifier: MIT
/*
 * The page-frame allocator on a simulated physical memory: maps with holes,
 * overlaps and junk entries; 4 KiB and 2 MiB frames; never a frame twice,
 * never a frame outside available RAM or inside the kernel.
 * UNIT_SRCS: core/pmm.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "core/pmm.h"
#include "unit.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

static uint8_t *phys_mem; /* host stand-in for physical memory */
static uint64_t phys_size;

static void *p2v(uint64_t phys)
{
	return phys < phys_size ? phys_mem + phys : NULL;
}

static void mem_init(uint64_t size)
{
	if (phys_mem)
		munmap(phys_mem, phys_size);
	phys_size = size;
	phys_mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

static struct boot_info bi;

static void map(uint64_t base, uint64_t len, uint32_t type)
{
	bi.mmap[bi.mmap_count++] =
		(struct boot_mem_range){ .base = base, .len = len, .type = type };
}

/* A QEMU-like 512 MiB map with the kernel at 2 MiB. */
static const struct pmm_range kernel[] = { { 2 * MiB, 6 * MiB } };
static void qemu_map(void)
{
	mem_init(512 * MiB);
	bi.mmap_count = 0;
	map(0, 0x9fc00, BOOT_MEM_AVAILABLE);
	map(0x9fc00, 0x400, BOOT_MEM_RESERVED);
	map(0xf0000, 0x10000, BOOT_MEM_RESERVED);
	map(1 * MiB, 511 * MiB - 0x20000, BOOT_MEM_AVAILABLE);
	map(512 * MiB - 0x20000, 0x20000, BOOT_MEM_RESERVED);
	map(0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
}

UNIT_TEST(pmm_totals_exclude_kernel_low_memory_and_holes)
{
	struct pmm_stats st;

	qemu_map();
	UNIT_CHECK(pmm_init(&bi, kernel, 1, p2v) == 0);
	pmm_get_stats(&st);
	UNIT_CHECK(st.total == 0x9fc00 + 511 * MiB - 0x20000);
	/* 1 MiB..~512 MiB minus the 6 MiB kernel and the allocator's bitmap */
	UNIT_CHECK(st.managed < 505 * MiB && st.managed > 500 * MiB);
	UNIT_CHECK(st.free == st.managed);
	UNIT_CHECK(!pmm_is_free(0x1000));	   /* real-mode area */
	UNIT_CHECK(!pmm_is_free(4 * MiB));	   /* kernel */
	UNIT_CHECK(!pmm_is_free(512 * MiB - 0x1000)); /* reserved tail */
	UNIT_CHECK(pmm_is_free(100 * MiB));
	UNIT_CHECK(pmm_phys_limit() == 0x100000000ull);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

UNIT_TEST(pmm_frames_are_unique_aligned_and_inside_ram)
{
	static uint64_t got[4096];
	struct pmm_stats st;

	qemu_map();
	pmm_init(&bi, kernel, 1, p2v);
	for (int i = 0; i < 4096; i++) {
		got[i] = pmm_alloc_4k();
		UNIT_CHECK(got[i] && got[i] % 4096 == 0);
		UNIT_CHECK(got[i] >= 8 * MiB || got[i] < 2 * MiB);
		UNIT_CHECK(got[i] >= 1 * MiB && got[i] < 512 * MiB - 0x20000);
		UNIT_CHECK(!pmm_is_free(got[i]));
	}
	qsort(got, 4096, sizeof(got[0]), cmp_u64);
	for (int i = 1; i < 4096; i++)
		UNIT_CHECK(got[i] != got[i - 1]);
	pmm_get_stats(&st);
	UNIT_CHECK(st.free == st.managed - 4096 * 4096);
	for (int i = 0; i < 4096; i++)
		pmm_free_4k(got[i]);
	pmm_get_stats(&st);
	UNIT_CHECK(st.free == st.managed);
}

UNIT_TEST(pmm_small_frames_do_not_break_large_ones)
{
	struct pmm_stats before, after;

	qemu_map();
	pmm_init(&bi, kernel, 1, p2v);
	pmm_get_stats(&before);
	uint64_t a = pmm_alloc_4k();
	uint64_t b = pmm_alloc_4k();
	pmm_get_stats(&after);
	/* The second frame comes from the chunk the first one broke. */
	UNIT_CHECK(a / (2 * MiB) == b / (2 * MiB));
	UNIT_CHECK(before.free_large - after.free_large <= 2 * MiB);
	uint64_t big = pmm_alloc_2m();
	UNIT_CHECK(big && big % (2 * MiB) == 0);
	UNIT_CHECK(big / (2 * MiB) != a / (2 * MiB));
	pmm_free_2m(big);
	pmm_free_4k(a);
	pmm_free_4k(b);
	pmm_get_stats(&after);
	UNIT_CHECK(after.free == before.free &&
		   after.free_large == before.free_large);
}

UNIT_TEST(pmm_exhaustion_returns_zero_and_recovers)
{
	struct pmm_stats st;
	uint64_t bytes = 0, p;

	mem_init(64 * MiB);
	bi.mmap_count = 0;
	map(1 * MiB, 63 * MiB, BOOT_MEM_AVAILABLE);
	UNIT_CHECK(pmm_init(&bi, NULL, 0, p2v) == 0);
	pmm_get_stats(&st);
	while ((p = pmm_alloc_2m()))
		bytes += 2 * MiB;
	UNIT_CHECK(bytes == 31 * 2 * MiB); /* chunk 0 starts at 1 MiB */
	while ((p = pmm_alloc_4k()))
		bytes += 4096;
	UNIT_CHECK(bytes == st.managed); /* every managed byte handed out */
	UNIT_CHECK(pmm_alloc_4k() == 0 && pmm_alloc_2m() == 0);
	pmm_get_stats(&st);
	UNIT_CHECK(st.free == 0 && st.free_large == 0);
	pmm_free_4k(40 * MiB);
	UNIT_CHECK(pmm_alloc_4k() == 40 * MiB);
}

UNIT_TEST(pmm_overlapping_and_junk_entries)
{
	struct pmm_stats st;

	mem_init(256 * MiB);
	bi.mmap_count = 0;
	map(1 * MiB, 100 * MiB, BOOT_MEM_AVAILABLE);
	map(50 * MiB, 100 * MiB, BOOT_MEM_AVAILABLE); /* overlaps the first */
	map(60 * MiB, 4 * MiB, BOOT_MEM_RESERVED);    /* hole inside both */
	map(200 * MiB, 0, BOOT_MEM_AVAILABLE);	      /* zero length */
	map(UINT64_MAX - 4095, 1 * MiB, BOOT_MEM_AVAILABLE); /* wraps */
	map(20 * MiB, 1 * MiB, 99);		      /* unknown type */
	UNIT_CHECK(pmm_init(&bi, NULL, 0, p2v) == 0);
	pmm_get_stats(&st);
	UNIT_CHECK(!pmm_is_free(62 * MiB));
	UNIT_CHECK(!pmm_is_free(20 * MiB + 4096));
	UNIT_CHECK(pmm_is_free(120 * MiB));
	/* The overlap is counted once: at most 149 MiB of RAM below 150 MiB. */
	UNIT_CHECK(st.managed <= 149 * MiB - 5 * MiB);
	UNIT_CHECK(st.managed > 140 * MiB - 5 * MiB);
}

UNIT_TEST(pmm_low_frames_and_bad_frees)
{
	struct pmm_stats st;

	qemu_map();
	pmm_init(&bi, kernel, 1, p2v);
	uint64_t low = pmm_alloc_4k_below(16 * MiB);
	UNIT_CHECK(low && low < 16 * MiB);
	UNIT_CHECK(pmm_alloc_4k_below(1 * MiB) == 0); /* all firmware's */
	pmm_free_4k(low);
	pmm_get_stats(&st);
	pmm_free_4k(low);	 /* double free: refused */
	pmm_free_4k(low + 1);	 /* misaligned: refused */
	pmm_free_2m(4 * GiB);	 /* outside RAM: refused */
	struct pmm_stats st2;
	pmm_get_stats(&st2);
	UNIT_CHECK(st.free == st2.free);
}

UNIT_TEST(pmm_six_gib_with_pci_hole)
{
	struct pmm_stats st;

	mem_init(7 * GiB);
	bi.mmap_count = 0;
	map(0, 0x9fc00, BOOT_MEM_AVAILABLE);
	map(1 * MiB, 3 * GiB - 1 * MiB, BOOT_MEM_AVAILABLE);
	map(4 * GiB, 3 * GiB, BOOT_MEM_AVAILABLE);
	UNIT_CHECK(pmm_init(&bi, kernel, 1, p2v) == 0);
	pmm_get_stats(&st);
	UNIT_CHECK(st.total == 6 * GiB - 1 * MiB + 0x9fc00);
	UNIT_CHECK(!pmm_is_free(3 * GiB + 4096));
	UNIT_CHECK(pmm_is_free(6 * GiB));
	UNIT_CHECK(st.free_large > 5 * GiB);
}
