// SPDX-License-Identifier: MIT
#include <malloc.h>
#include <stdbool.h>

#include "core/heap.h"

#include "core/log.h"
#include "core/paging.h"
#include "core/pmm.h"
#include "core/spinlock.h"

static struct spinlock heap_lock = SPINLOCK_INIT;
static uint64_t heap_brk = VA_HEAP;    /* what malloc was given */
static uint64_t heap_mapped = VA_HEAP; /* page-aligned end of the mapping */

static bool heap_grow(uint64_t new_end)
{
	while (heap_mapped < new_end) {
		uint64_t frame = pmm_alloc_4k();
		if (!frame)
			return false;
		if (paging_map(heap_mapped, frame, PMM_PAGE,
			       PTE_W | PTE_NX | PTE_G) < 0) {
			pmm_free_4k(frame);
			return false;
		}
		heap_mapped += PMM_PAGE;
	}
	return true;
}

void *heap_sbrk(intptr_t incr)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	uint64_t old = heap_brk, end = heap_brk + incr;
	void *ret = (void *)-1;

	if (incr >= 0 ? end - VA_HEAP <= VA_HEAP_MAX && end >= old
		      : end >= VA_HEAP) {
		if (incr > 0 && !heap_grow(end)) {
			log_warn("heap: out of memory growing by %ld bytes",
				 (long)incr);
		} else {
			/*
			 * A shrink keeps its pages: unmapping them would need
			 * a TLB shootdown while newlib holds its malloc lock
			 * with interrupts off, and the next growth reuses them.
			 */
			heap_brk = end;
			ret = (void *)old;
		}
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	return ret;
}

uint64_t heap_size(void)
{
	return heap_mapped - VA_HEAP;
}

uint64_t heap_used(void)
{
	return (uint64_t)mallinfo().uordblks;
}
