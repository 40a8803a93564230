// SPDX-License-Identifier: MIT
/*
 * DMA memory (core/dma.h): small objects are carved from 4 KiB frames so
 * none straddles a page; objects over a page take whole frames from a 2 MiB
 * chunk, which is physically contiguous by construction. Drivers allocate
 * at probe time, so a bump allocator under one lock is all it takes.
 */
#include <errno.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/pmm.h"
#include "core/spinlock.h"

#define DMA_LOW_LIMIT (1ull << 32)

struct dma_arena {
	uint64_t base, used, size; /* physical; used: bytes handed out */
};

static struct spinlock dma_lock = SPINLOCK_INIT;
/* [low32]: page arenas for small objects, chunk arenas for large ones */
static struct dma_arena dma_page[2], dma_chunk[2];

static uint64_t dma_take(struct dma_arena *a, size_t size, size_t align)
{
	uint64_t off = (a->used + align - 1) & ~(uint64_t)(align - 1);

	if (!a->size || off + size > a->size)
		return 0;
	a->used = off + size;
	return a->base + off;
}

void *dma_alloc(size_t size, size_t align, bool low32, uint64_t *phys)
{
	uint64_t flags, pa = 0;

	if (!align)
		align = 64;
	if (!size || (align & (align - 1)) || align > PMM_PAGE ||
	    size > PMM_LARGE)
		return NULL;
	flags = spin_lock_irqsave(&dma_lock);
	if (size <= PMM_PAGE) {
		struct dma_arena *a = &dma_page[low32];
		pa = dma_take(a, size, align);
		if (!pa) {
			uint64_t f = low32 ? pmm_alloc_4k_below(DMA_LOW_LIMIT)
					   : pmm_alloc_4k();
			if (f) {
				*a = (struct dma_arena){ f, 0, PMM_PAGE };
				pa = dma_take(a, size, align);
			}
		}
	} else {
		struct dma_arena *a = &dma_chunk[low32];
		size = (size + PMM_PAGE - 1) & ~(PMM_PAGE - 1);
		pa = dma_take(a, size, PMM_PAGE);
		if (!pa) {
			uint64_t f = pmm_alloc_2m();
			if (f && low32 && f + PMM_LARGE > DMA_LOW_LIMIT) {
				/* No 2 MiB allocator below a limit: give up
				 * rather than hand a 32-bit device a high
				 * address. */
				pmm_free_2m(f);
				f = 0;
			}
			if (f) {
				*a = (struct dma_arena){ f, 0, PMM_LARGE };
				pa = dma_take(a, size, PMM_PAGE);
			}
		}
	}
	spin_unlock_irqrestore(&dma_lock, flags);
	if (!pa) {
		log_err("dma: out of memory for %zu bytes%s", size,
			low32 ? " below 4 GiB" : "");
		return NULL;
	}
	void *va = mm_phys_to_virt(pa);
	memset(va, 0, size);
	*phys = pa;
	return va;
}
