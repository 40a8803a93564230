// SPDX-License-Identifier: MIT
/*
 * Host page tables. Built once at boot to replace image/boot.S's identity
 * map: a direct map of RAM, the kernel image with W^X (text RX, rodata R,
 * data RW NX), guard pages that stay unmapped, and regions for the heap,
 * MMIO and stacks that core/mm.c fills on demand.
 */
#include "core/paging.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/bootinfo.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/pmm.h"
#include "core/smp.h"
#include "core/spinlock.h"

static uint64_t paging_root; /* physical address of the PML4 */
static bool paging_live;     /* our tables are in CR3: use the direct map */
static bool paging_1g;	     /* CPUID 0x80000001 EDX.Page1GB */
static struct spinlock paging_lock = SPINLOCK_INIT;

/* Page-table frames are read through the identity map until the switch. */
static uint64_t *paging_table(uint64_t phys)
{
	return paging_live ? (uint64_t *)(VA_DIRECT + phys)
			   : (uint64_t *)(uintptr_t)phys;
}

static uint64_t paging_new_table(void)
{
	uint64_t phys = paging_live ? pmm_alloc_4k()
				    : pmm_alloc_4k_below(1ull << 32);

	if (phys)
		memset(paging_table(phys), 0, PMM_PAGE);
	return phys;
}

/* Entry for @virt at @level (3 = PML4 ... 0 = PT), creating tables. */
static uint64_t *paging_walk(uint64_t virt, int level, bool create)
{
	uint64_t *table = paging_table(paging_root);

	for (int l = 3; l > level; l--) {
		uint64_t *e = &table[(virt >> (12 + 9 * l)) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t t = paging_new_table();
			if (!t)
				return NULL;
			/* Upper levels allow all; the leaf decides. */
			*e = t | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL; /* inside a large page */
		}
		table = paging_table(*e & PTE_ADDR);
	}
	return &table[(virt >> (12 + 9 * level)) & 511];
}

int paging_map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t flags)
{
	bool large = flags & PTE_PS;
	uint64_t f = (flags & ~PTE_PS) | PTE_P;
	uint64_t flags_saved = spin_lock_irqsave(&paging_lock);
	int rc = 0;

	while (size) {
		int level = 0;
		if (large && paging_1g && !((virt | phys) & ((1ull << 30) - 1)) &&
		    size >= (1ull << 30))
			level = 2;
		else if (large && !((virt | phys) & (PMM_LARGE - 1)) &&
			 size >= PMM_LARGE)
			level = 1;
		uint64_t *e = paging_walk(virt, level, true);
		if (!e) {
			rc = -ENOMEM;
			break;
		}
		if (*e & PTE_P) {
			rc = -EEXIST;
			break;
		}
		*e = phys | f | (level ? PTE_PS : 0);
		uint64_t step = 1ull << (12 + 9 * level);
		virt += step;
		phys += step;
		size -= step < size ? step : size;
	}
	spin_unlock_irqrestore(&paging_lock, flags_saved);
	return rc;
}

uint64_t paging_unmap_4k(uint64_t virt)
{
	uint64_t flags = spin_lock_irqsave(&paging_lock), phys = 0;
	uint64_t *e = paging_walk(virt, 0, false);

	if (e && (*e & PTE_P)) {
		phys = *e & PTE_ADDR;
		*e = 0;
		asm volatile("invlpg (%0)" ::"r"(virt) : "memory");
	}
	spin_unlock_irqrestore(&paging_lock, flags);
	/* After the lock: the other CPUs may be waiting for it. */
	if (phys)
		smp_tlb_shootdown(virt);
	return phys;
}

uint64_t paging_lookup(uint64_t virt)
{
	uint64_t *table = paging_table(paging_root);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = table[(virt >> (12 + 9 * l)) & 511];
		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS)) {
			uint64_t mask = (1ull << (12 + 9 * l)) - 1;
			return (e & PTE_ADDR & ~mask) | (virt & mask);
		}
		table = paging_table(e & PTE_ADDR);
	}
	return 0;
}

/* Map one part of the kernel image at its linked address. */
static void paging_map_image(const char *start, const char *end,
			     uint64_t flags, const char *what)
{
	uint64_t v = (uint64_t)start & ~(PMM_PAGE - 1);
	uint64_t e = ((uint64_t)end + PMM_PAGE - 1) & ~(PMM_PAGE - 1);

	if (paging_map(v, v - VA_KERNEL, e - v, flags) < 0)
		panic("paging: cannot map the kernel's %s", what);
}

void paging_init(void)
{
	extern char __text_start[], __text_end[], __rodata_start[],
		__rodata_end[], __data_start[], __kernel_end[];
	extern char boot_stack_guard[];

	paging_1g = cpu_cpuid(0x80000001, 0).edx & (1u << 26);
	paging_root = paging_new_table();
	if (!paging_root)
		panic("paging: no memory for the page tables");
	paging_map_image(__text_start, __text_end, PTE_G, "text");
	paging_map_image(__rodata_start, __rodata_end, PTE_G | PTE_NX, "rodata");
	paging_map_image(__data_start, boot_stack_guard,
			 PTE_G | PTE_W | PTE_NX, "data");
	/* boot_stack_guard's page stays unmapped. */
	paging_map_image(boot_stack_guard + PMM_PAGE, __kernel_end,
			 PTE_G | PTE_W | PTE_NX, "stack and bss");
}

void paging_activate(void)
{
	/* CR4.PGE makes the global kernel mappings survive CR3 reloads. */
	cpu_write_cr4(cpu_read_cr4() | (1ul << 7));
	asm volatile("mov %0, %%cr3" ::"r"(paging_root) : "memory");
	paging_live = true;
}

bool paging_has_1g(void)
{
	return paging_1g;
}
