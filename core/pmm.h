/* SPDX-License-Identifier: MIT */
/*
 * Physical page-frame allocator. Built once from the boot memory map (BIOS
 * E820 or EFI map, via core/bootinfo.h); hands out 4 KiB and 2 MiB frames.
 *
 * One bit per 4 KiB frame (1 = free) plus a free count per 2 MiB chunk:
 * 2 MiB frames are whole free chunks, and 4 KiB frames come from chunks
 * already broken into first, so large frames stay available for guest
 * memory (ept/ maps guests with 2 MiB pages where it can).
 */
#ifndef KEEL_CORE_PMM_H
#define KEEL_CORE_PMM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bootinfo.h"

#define PMM_PAGE 4096ull
#define PMM_LARGE (2ull << 20)
#define PMM_MAX_RANGES 512

struct pmm_range {
	uint64_t base, len;
};

struct pmm_stats {
	uint64_t total;	   /* bytes of RAM the map calls available */
	uint64_t managed;  /* bytes the allocator hands out (after holes) */
	uint64_t free;	   /* bytes free now */
	uint64_t free_large; /* whole free 2 MiB chunks, in bytes */
	uint64_t reserved; /* bytes the map calls anything but available */
};

/*
 * Build the allocator from @bi's map, leaving out every range in @busy
 * (kernel image, boot information, modules). Overlapping and zero-length
 * map entries are tolerated: an overlap of available and reserved is
 * reserved. @p2v gives access to physical memory for the allocator's own
 * bitmap, which it places in the first free range large enough.
 * Returns 0 or -ENOMEM when nothing usable is left.
 */
int pmm_init(const struct boot_info *bi, const struct pmm_range *busy,
	     unsigned int nbusy, void *(*p2v)(uint64_t phys));

/* Reach the allocator's own data through a new mapping (after paging). */
void pmm_remap(void *(*p2v)(uint64_t phys));

/* Physical address of a free frame, or 0 when none is left. */
uint64_t pmm_alloc_4k(void);
uint64_t pmm_alloc_2m(void);
/* A 4 KiB frame below @limit (real-mode trampolines, 32-bit DMA). */
uint64_t pmm_alloc_4k_below(uint64_t limit);
void pmm_free_4k(uint64_t phys);
void pmm_free_2m(uint64_t phys);
bool pmm_is_free(uint64_t phys);

void pmm_get_stats(struct pmm_stats *out);
/* Highest physical address of any map entry (for the direct map). */
uint64_t pmm_phys_limit(void);

#endif
