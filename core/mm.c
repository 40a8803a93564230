// SPDX-License-Identifier: MIT
/*
 * Until the kernel page tables land, the early tables from image/boot.S
 * identity-map the first 4 GiB, which is where these point.
 */
#include "core/mm.h"

#include "core/log.h"

#define MM_EARLY_LIMIT (1ull << 32)
#define MM_KERNEL_VMA 0xffffffff80000000ull

void *mm_phys_to_virt(uint64_t phys)
{
	return phys < MM_EARLY_LIMIT ? (void *)(uintptr_t)phys : NULL;
}

uint64_t mm_virt_to_phys(const void *virt)
{
	uint64_t v = (uint64_t)virt;

	return v >= MM_KERNEL_VMA ? v - MM_KERNEL_VMA : v;
}

void *mm_map_mmio(uint64_t phys, size_t len)
{
	if (phys + len > MM_EARLY_LIMIT || phys + len < phys) {
		log_warn("mm: cannot map MMIO %#llx+%#zx yet",
			 (unsigned long long)phys, len);
		return NULL;
	}
	return (void *)(uintptr_t)phys;
}
