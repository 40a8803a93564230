// SPDX-License-Identifier: MIT
/*
 * Kernel virtual memory on top of core/paging.c: the direct map's extent,
 * uncached device mappings, and stacks with guard pages.
 */
#include "core/mm.h"

#include <errno.h>
#include <stdbool.h>

#include "core/log.h"
#include "core/paging.h"
#include "core/panic.h"
#include "core/pmm.h"
#include "core/spinlock.h"

/* RAM the direct map covers, from the boot memory map (sorted). */
static struct pmm_range mm_direct[BOOT_MMAP_MAX + 1];
static unsigned int mm_ndirect;
static bool mm_live;

static struct spinlock mm_lock = SPINLOCK_INIT;
static uint64_t mm_mmio_next = VA_MMIO;
static uint64_t mm_stack_next = VA_STACKS;

static bool mm_maps_ram(uint32_t type)
{
	/* Not "reserved": it may hold device registers, and a cacheable
	 * alias of an uncached MMIO mapping is undefined (SDM 3A 11.12.4). */
	return type == BOOT_MEM_AVAILABLE ||
	       type == BOOT_MEM_ACPI_RECLAIMABLE || type == BOOT_MEM_NVS;
}

static void mm_direct_add(uint64_t base, uint64_t end)
{
	base &= ~(PMM_PAGE - 1);
	end = (end + PMM_PAGE - 1) & ~(PMM_PAGE - 1);
	if (end <= base || base >= (64ull << 40)) /* 64 TiB direct map */
		return;
	if (paging_map(VA_DIRECT + base, base, end - base,
		       PTE_PS | PTE_W | PTE_NX | PTE_G) < 0) {
		log_err("mm: cannot direct-map %#llx-%#llx",
			(unsigned long long)base, (unsigned long long)end);
		return;
	}
	mm_direct[mm_ndirect++] = (struct pmm_range){ base, end - base };
}

static void mm_direct_map_ranges(const struct boot_info *bi)
{
	uint64_t cur_base = 0, cur_end = 0x100000;

	/*
	 * The first MiB always: the BIOS data area, EBDA and ROM hold the
	 * legacy RSDP and MP tables. Then every RAM-like range, merging
	 * overlaps so no page is mapped twice.
	 */
	for (unsigned int i = 0; i <= bi->mmap_count; i++) {
		uint64_t b = 0, e = 0;
		if (i < bi->mmap_count) {
			const struct boot_mem_range *r = &bi->mmap[i];
			if (!mm_maps_ram(r->type) || !r->len ||
			    r->base + r->len < r->base)
				continue;
			b = r->base;
			e = r->base + r->len;
		}
		/* Touching within a page counts as touching: pages are mapped. */
		if (i < bi->mmap_count &&
		    b <= ((cur_end + PMM_PAGE - 1) & ~(PMM_PAGE - 1))) {
			if (e > cur_end)
				cur_end = e;
			continue;
		}
		mm_direct_add(cur_base, cur_end);
		cur_base = b;
		cur_end = e;
	}
}

void *mm_phys_to_virt(uint64_t phys)
{
	if (!mm_live)
		return phys < (1ull << 32) ? (void *)(uintptr_t)phys : NULL;
	for (unsigned int i = 0; i < mm_ndirect; i++)
		if (phys - mm_direct[i].base < mm_direct[i].len)
			return (void *)(VA_DIRECT + phys);
	return NULL;
}

uint64_t mm_virt_to_phys(const void *virt)
{
	uint64_t v = (uint64_t)virt;

	if (v >= VA_KERNEL)
		return v - VA_KERNEL;
	if (v >= VA_DIRECT && v < VA_DIRECT + (64ull << 40))
		return v - VA_DIRECT;
	return paging_lookup(v);
}

/* Take @size bytes of virtual space from a region, never to be reused. */
static uint64_t mm_take_va(uint64_t *next, uint64_t base, uint64_t max,
			   uint64_t size)
{
	uint64_t flags = spin_lock_irqsave(&mm_lock), va = 0;

	if (*next + size <= base + max) {
		va = *next;
		*next += size;
	}
	spin_unlock_irqrestore(&mm_lock, flags);
	return va;
}

void *mm_map_mmio(uint64_t phys, size_t len)
{
	uint64_t base = phys & ~(PMM_PAGE - 1);
	uint64_t size = ((phys + len + PMM_PAGE - 1) & ~(PMM_PAGE - 1)) - base;

	if (!mm_live) /* before paging_init: the boot identity map */
		return phys + len <= (1ull << 32) ? (void *)(uintptr_t)phys
						   : NULL;
	if (!len || phys + len < phys)
		return NULL;
	uint64_t va = mm_take_va(&mm_mmio_next, VA_MMIO, VA_MMIO_MAX, size);
	if (!va || paging_map(va, base, size, PTE_W | PTE_NX | PTE_PCD |
						   PTE_PWT | PTE_G) < 0) {
		log_warn("mm: cannot map MMIO %#llx+%#zx",
			 (unsigned long long)phys, len);
		return NULL;
	}
	return (void *)(va + (phys - base));
}

void *mm_alloc_stack(size_t size)
{
	size = (size + PMM_PAGE - 1) & ~(PMM_PAGE - 1);
	/* One unmapped guard page below every stack. */
	uint64_t va = mm_take_va(&mm_stack_next, VA_STACKS, VA_STACKS_MAX,
				 size + PMM_PAGE);

	if (!va)
		return NULL;
	for (uint64_t off = PMM_PAGE; off <= size; off += PMM_PAGE) {
		uint64_t frame = pmm_alloc_4k();
		if (!frame ||
		    paging_map(va + off, frame, PMM_PAGE,
			       PTE_W | PTE_NX | PTE_G) < 0) {
			if (frame)
				pmm_free_4k(frame);
			log_err("mm: out of memory for a %zu KiB stack",
				size >> 10);
			return NULL; /* the virtual range is simply not reused */
		}
	}
	return (void *)(va + PMM_PAGE + size);
}

void mm_init(const struct boot_info *bi)
{
	extern char __kernel_phys_start[], __kernel_phys_end[];
	struct pmm_range busy[2 + BOOT_MODULES_MAX];
	struct pmm_stats st;
	unsigned int n = 0;

	busy[n++] = (struct pmm_range){
		(uint64_t)__kernel_phys_start,
		(uint64_t)(__kernel_phys_end - __kernel_phys_start)
	};
	busy[n++] = (struct pmm_range){ bi->mbi_phys, bi->mbi_size };
	for (unsigned int i = 0; i < bi->module_count; i++)
		busy[n++] = (struct pmm_range){
			bi->modules[i].start,
			(uint64_t)bi->modules[i].end - bi->modules[i].start
		};
	/* The boot identity map covers 4 GiB: the allocator's bitmap must
	 * land there, which pmm_init's lowest-range-first choice ensures. */
	if (pmm_init(bi, busy, n, mm_phys_to_virt) < 0)
		panic("mm: no usable RAM in the boot memory map");
	pmm_get_stats(&st);
	log_info("pmm: %llu MiB RAM, %llu MiB managed, %llu MiB in 2 MiB "
		 "frames, %llu MiB reserved by firmware",
		 (unsigned long long)(st.total >> 20),
		 (unsigned long long)(st.managed >> 20),
		 (unsigned long long)(st.free_large >> 20),
		 (unsigned long long)(st.reserved >> 20));
	paging_init();
	mm_direct_map_ranges(bi);
	paging_activate();
	mm_live = true;
	pmm_remap(mm_phys_to_virt);
	log_info("paging: direct map of %u ranges at %#llx (%s pages), "
		 "kernel W^X, boot stack guard page",
		 mm_ndirect, (unsigned long long)VA_DIRECT,
		 paging_has_1g() ? "1G/2M/4K" : "2M/4K");
}
