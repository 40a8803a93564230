/* SPDX-License-Identifier: MIT */
/*
 * The early heap behind newlib's malloc (via _sbrk): one contiguous range
 * of available RAM picked from the boot memory map, clear of the kernel
 * image, the Multiboot2 structure and modules. The core-kernel issue puts
 * it on top of the page-frame allocator instead.
 */
#ifndef KEEL_CORE_HEAP_H
#define KEEL_CORE_HEAP_H

#include <stdint.h>

#include "core/bootinfo.h"

#define HEAP_MAX_BYTES (256ull << 20)
#define HEAP_MIN_BYTES (4ull << 20)
/* Identity-mapped physical memory the early page tables cover. */
#define HEAP_LIMIT_PHYS (1ull << 32)

struct heap_range {
	uint64_t base, len;
};

/*
 * Pick the largest piece of available memory in [1 MiB, HEAP_LIMIT_PHYS)
 * that avoids every range in @busy (n of them), capped to HEAP_MAX_BYTES.
 * Returns 0 and fills @out, or -ENOMEM. Pure: unit-tested on the host.
 */
int heap_pick(const struct boot_info *bi, const struct heap_range *busy,
	      unsigned int n, struct heap_range *out);

void heap_init(const struct boot_info *bi);
/* newlib's _sbrk. */
void *heap_sbrk(intptr_t incr);

#endif
