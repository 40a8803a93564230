/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap behind newlib's malloc: _sbrk grows a virtual region
 * (VA_HEAP) and backs each new page with a frame from the page-frame
 * allocator, so the heap needs no contiguous physical memory.
 */
#ifndef KEEL_CORE_HEAP_H
#define KEEL_CORE_HEAP_H

#include <stdint.h>

/* newlib's _sbrk: returns the old break, or (void *)-1 when out of memory. */
void *heap_sbrk(intptr_t incr);
/* Bytes of heap mapped now (it never shrinks). */
uint64_t heap_size(void);
/* Bytes malloc has handed out and not had back (newlib's mallinfo). */
uint64_t heap_used(void);

#endif
