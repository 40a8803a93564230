/* SPDX-License-Identifier: MIT */
/*
 * Kernel virtual memory: the direct map of all physical RAM and uncached
 * mappings for device registers.
 */
#ifndef KEEL_CORE_MM_H
#define KEEL_CORE_MM_H

#include <stddef.h>
#include <stdint.h>

#include "core/bootinfo.h"

/* Virtual address of physical @phys in the direct map. */
void *mm_phys_to_virt(uint64_t phys);
/* Physical address behind a direct-map or kernel-image address. */
uint64_t mm_virt_to_phys(const void *virt);
/*
 * Map device registers [phys, phys+len) uncached (PCD|PWT), never
 * executable. Returns the virtual address, or NULL when out of room.
 */
void *mm_map_mmio(uint64_t phys, size_t len);

/*
 * A kernel stack of @size bytes (rounded to pages) over an unmapped guard
 * page. Returns its top (the initial stack pointer), or NULL.
 */
void *mm_alloc_stack(size_t size);

/*
 * Page-frame allocator from the boot map, then the kernel's page tables
 * (direct map of RAM, image W^X, guard pages) replace the boot identity map.
 */
void mm_init(const struct boot_info *bi);

#endif
