/* SPDX-License-Identifier: MIT */
/*
 * The GDT and TSS. Long mode uses segments only for the code/data
 * selectors and for the TSS, whose interrupt stack table (IST) gives NMI,
 * #DF and #MC their own known-good stacks (Intel SDM vol. 3A 7.7, 6.14.5).
 */
#ifndef KEEL_CORE_GDT_H
#define KEEL_CORE_GDT_H

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18

#define IST_NMI 1
#define IST_DOUBLE_FAULT 2
#define IST_MACHINE_CHECK 3

#include <stdbool.h>

/* Load CPU @cpu's GDT and TSS (no IST stacks yet: they need memory). */
void gdt_init(unsigned int cpu);
/*
 * Give CPU @cpu's NMI, #DF and #MC their own stacks (with guard pages).
 * Before that CPU loads its TSS; false when out of memory.
 */
bool gdt_init_ist_cpu(unsigned int cpu);

#endif
