/* SPDX-License-Identifier: MIT */
/*
 * The host's own 4-level page tables (Intel SDM vol. 3A, 4.5). Guest
 * stage-2 tables are ept/'s business, not this file's.
 */
#ifndef KEEL_CORE_PAGING_H
#define KEEL_CORE_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7) /* 2 MiB / 1 GiB page in a PDE / PDPTE */
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Kernel virtual layout (one PML4 slot or more each). */
#define VA_DIRECT 0xffff800000000000ull /* all RAM, NX, 1G/2M/4K pages */
#define VA_HEAP 0xffffc00000000000ull	/* newlib's malloc, grown by sbrk */
#define VA_HEAP_MAX (64ull << 30)
#define VA_MMIO 0xffffc80000000000ull	/* device registers, uncached */
#define VA_MMIO_MAX (64ull << 30)
#define VA_STACKS 0xffffd00000000000ull /* stacks, each over a guard page */
#define VA_STACKS_MAX (64ull << 30)
#define VA_KERNEL 0xffffffff80000000ull /* the image, as linked */

/*
 * Map [virt, virt+size) to [phys, ...) with @flags (PTE_W, PTE_NX, PTE_PCD,
 * ...), using 1 GiB and 2 MiB pages where alignment and size allow and
 * @flags has PTE_PS. Returns 0 or -ENOMEM (page-table frames), -EEXIST.
 */
int paging_map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t flags);
/* Unmap 4 KiB pages; returns the physical address of the first, or 0. */
uint64_t paging_unmap_4k(uint64_t virt);
/* Physical address behind @virt, or 0 when unmapped. */
uint64_t paging_lookup(uint64_t virt);
/*
 * Build the kernel's tables with the image mapped W^X (text RX, rodata R,
 * data RW NX) and the boot stack's guard page left out. Page-table frames
 * come from the page-frame allocator. Other mappings (the direct map) are
 * added with paging_map() before paging_activate() switches CR3 to them.
 */
void paging_init(void);
void paging_activate(void);
bool paging_has_1g(void);

#endif
