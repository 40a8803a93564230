// SPDX-License-Identifier: MIT
/*
 * Choosing the early heap from the boot memory map: it must never overlap
 * the kernel, the boot information or a module, nor leave available RAM.
 * UNIT_SRCS: core/heap.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>

#include "core/heap.h"
#include "unit.h"

/* image/keel.ld defines these in the kernel; heap_init() is not tested. */
char __kernel_phys_start[1], __kernel_phys_end[1];

static struct boot_info bi;

static void add(uint64_t base, uint64_t len, uint32_t type)
{
	bi.mmap[bi.mmap_count++] =
		(struct boot_mem_range){ .base = base, .len = len, .type = type };
}

UNIT_TEST(heap_avoids_kernel_and_boot_data)
{
	struct heap_range out;
	const struct heap_range busy[] = {
		{ 0x200000, 0x800000 },	  /* kernel 2..10 MiB */
		{ 0x3000000, 0x1000 },	  /* boot info at 48 MiB */
	};

	bi.mmap_count = 0;
	add(0, 0x9fc00, BOOT_MEM_AVAILABLE);
	add(0x100000, 0x7ef00000, BOOT_MEM_AVAILABLE); /* 1 MiB .. ~2 GiB */
	add(0xfec00000, 0x1000, BOOT_MEM_RESERVED);
	UNIT_CHECK(heap_pick(&bi, busy, 2, &out) == 0);
	UNIT_CHECK(out.base == 0x3001000); /* the big piece above boot info */
	UNIT_CHECK(out.len == HEAP_MAX_BYTES);
	for (int i = 0; i < 2; i++)
		UNIT_CHECK(out.base >= busy[i].base + busy[i].len ||
			   out.base + out.len <= busy[i].base);
}

UNIT_TEST(heap_ignores_memory_above_4g_and_reserved)
{
	struct heap_range out;

	bi.mmap_count = 0;
	add(0x100000, 0x300000, BOOT_MEM_AVAILABLE);	 /* 3 MiB: too small */
	add(0x200000000ull, 1ull << 30, BOOT_MEM_AVAILABLE); /* above 4 GiB */
	add(0x400000, 0x10000000, BOOT_MEM_RESERVED);
	UNIT_CHECK(heap_pick(&bi, NULL, 0, &out) == -ENOMEM);

	add(0xfff00000ull, 0x2000000, BOOT_MEM_AVAILABLE); /* crosses 4 GiB */
	UNIT_CHECK(heap_pick(&bi, NULL, 0, &out) == -ENOMEM);
	bi.mmap_count = 0;
	add(0xff000000ull, 0x2000000, BOOT_MEM_AVAILABLE);
	UNIT_CHECK(heap_pick(&bi, NULL, 0, &out) == 0);
	UNIT_CHECK(out.base == 0xff000000ull && out.len == 0x1000000);
}

UNIT_TEST(heap_unaligned_ranges_shrink_to_pages)
{
	struct heap_range out;

	bi.mmap_count = 0;
	add(0x1000123, 0x800000, BOOT_MEM_AVAILABLE);
	UNIT_CHECK(heap_pick(&bi, NULL, 0, &out) == 0);
	UNIT_CHECK(out.base == 0x1001000);
	UNIT_CHECK((out.len & 0xfff) == 0);
	UNIT_CHECK(out.base + out.len <= 0x1800123);
}
