// SPDX-License-Identifier: MIT
#include "core/heap.h"

#include <errno.h>
#include <stddef.h>

#include "core/log.h"

static struct heap_range heap_region;
static uint64_t heap_used;

/* Largest piece of [lo, hi) left after cutting out every busy range. */
static void heap_best_piece(uint64_t lo, uint64_t hi,
			    const struct heap_range *busy, unsigned int n,
			    struct heap_range *best)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t b0 = busy[i].base, b1 = busy[i].base + busy[i].len;
		if (b1 <= lo || b0 >= hi)
			continue;
		/* Split around the busy range and search both sides. */
		if (b0 > lo)
			heap_best_piece(lo, b0, busy, n, best);
		if (b1 < hi)
			heap_best_piece(b1, hi, busy, n, best);
		return;
	}
	if (hi - lo > best->len)
		*best = (struct heap_range){ lo, hi - lo };
}

int heap_pick(const struct boot_info *bi, const struct heap_range *busy,
	      unsigned int n, struct heap_range *out)
{
	struct heap_range best = { 0, 0 };

	for (unsigned int i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *r = &bi->mmap[i];
		if (r->type != BOOT_MEM_AVAILABLE)
			continue;
		/* Page-align inwards; stay above the real-mode area. */
		uint64_t lo = (r->base + 0xfff) & ~0xfffull;
		uint64_t hi = (r->base + r->len) & ~0xfffull;
		if (lo < (1ull << 20))
			lo = 1ull << 20;
		if (hi > HEAP_LIMIT_PHYS)
			hi = HEAP_LIMIT_PHYS;
		if (hi > lo)
			heap_best_piece(lo, hi, busy, n, &best);
	}
	if (best.len < HEAP_MIN_BYTES)
		return -ENOMEM;
	if (best.len > HEAP_MAX_BYTES)
		best.len = HEAP_MAX_BYTES;
	*out = best;
	return 0;
}

void heap_init(const struct boot_info *bi)
{
	extern char __kernel_phys_start[], __kernel_phys_end[];
	struct heap_range busy[2 + BOOT_MODULES_MAX];
	unsigned int n = 0;

	busy[n++] = (struct heap_range){
		(uint64_t)__kernel_phys_start,
		(uint64_t)(__kernel_phys_end - __kernel_phys_start)
	};
	busy[n++] = (struct heap_range){ bi->mbi_phys, bi->mbi_size };
	for (unsigned int i = 0; i < bi->module_count; i++)
		busy[n++] = (struct heap_range){
			bi->modules[i].start,
			(uint64_t)bi->modules[i].end - bi->modules[i].start
		};
	if (heap_pick(bi, busy, n, &heap_region) < 0) {
		log_err("heap: no free memory range of %llu MiB below 4 GiB; "
			"malloc will fail",
			HEAP_MIN_BYTES >> 20);
		return;
	}
	log_info("heap: %llu MiB at %#llx",
		 (unsigned long long)(heap_region.len >> 20),
		 (unsigned long long)heap_region.base);
}

void *heap_sbrk(intptr_t incr)
{
	/* Negative increments shrink; newlib's malloc trims with them. */
	if ((incr > 0 && (uint64_t)incr > heap_region.len - heap_used) ||
	    (incr < 0 && (uint64_t)-incr > heap_used))
		return (void *)-1;
	void *old = (void *)(uintptr_t)(heap_region.base + heap_used);
	heap_used += incr;
	return old;
}
