// SPDX-License-Identifier: MIT
#include "core/gdt.h"

#include <stdint.h>

#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"

#define IST_STACK_SIZE (16 * 1024)

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* One GDT and TSS per CPU: LTR marks a TSS busy, so CPUs cannot share. */
static struct tss gdt_tss_cpu[PERCPU_MAX] __attribute__((aligned(16)));
static uint64_t gdt_table_cpu[PERCPU_MAX][5] __attribute__((aligned(16)));

void gdt_init(unsigned int cpu)
{
	struct tss *gdt_tss_p = &gdt_tss_cpu[cpu];
	uint64_t *gdt_table = gdt_table_cpu[cpu];
	uint64_t tss = (uint64_t)gdt_tss_p;
	uint64_t limit = sizeof(*gdt_tss_p) - 1;

	gdt_table[0] = 0;
	gdt_table[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	gdt_table[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	/* 16-byte TSS descriptor, type 9 (available 64-bit TSS), present. */
	gdt_table[3] = (limit & 0xffff) | (tss & 0xffffff) << 16 |
		       0x89ull << 40 | ((limit >> 16) & 0xf) << 48 |
		       ((tss >> 24) & 0xff) << 56;
	gdt_table[4] = tss >> 32;
	gdt_tss_p->iomap_base = sizeof(*gdt_tss_p); /* no I/O bitmap */

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt_table_cpu[0]) - 1,
					   (uint64_t)gdt_table };
	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "ltr %w3"
		     :
		     : "m"(gdtr), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS),
		       "r"((uint16_t)GDT_TSS)
		     : "rax", "memory");
}

bool gdt_init_ist_cpu(unsigned int cpu)
{
	for (int i = IST_NMI; i <= IST_MACHINE_CHECK; i++) {
		void *top = mm_alloc_stack(IST_STACK_SIZE);
		if (!top)
			return false;
		gdt_tss_cpu[cpu].ist[i - 1] = (uint64_t)top;
	}
	return true;
}
