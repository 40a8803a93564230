/* SPDX-License-Identifier: MIT */
/*
 * The Linux guest's first instructions (vdev/vlinux.h): vdev/vlinux_load.c
 * copies this blob to guest-physical VLINUX_TRAMP (0x8000), where vCPU 0
 * starts in real mode at 0000:8000 as on every Keel backend. It goes real
 * -> 32-bit protected mode -> long mode (SDM 3A 10.8.5) on the identity
 * map vlinux_page_tables() wrote at 0x9000, and jumps to the kernel's
 * startup_64 in the state boot.rst's "64-bit Boot Protocol" asks: 64-bit
 * mode, paging on, a GDT with __BOOT_CS (0x10, 64-bit code) and __BOOT_DS
 * (0x18, flat data), CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, interrupts
 * off, RSI = boot_params. Entry and boot_params come from the parameter
 * slots at VLINUX_TRAMP_ENTRY/_BP, filled by C. The addresses are fixed,
 * so each is written as VLINUX_TRAMP + its offset in the blob.
 */
#include "vdev/vlinux.h"

#define ABS(x) (VLINUX_TRAMP + ((x) - vlinux_tramp))

	.section .rodata
	.balign 16
	.globl vlinux_tramp, vlinux_tramp_end
	.code16
vlinux_tramp:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl ABS(tramp_gdtr)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tramp_pm32)

	.code32
tramp_pm32:
	movw $VLINUX_BOOT_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $VLINUX_PML4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax		/* PG: LMA follows */
	movl %eax, %cr0
	ljmpl $VLINUX_BOOT_CS, $ABS(tramp_lm)

	.code64
tramp_lm:
	movl $VLINUX_BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $(VLINUX_TRAMP + VLINUX_TRAMP_STACK), %esp
	movq (VLINUX_TRAMP + VLINUX_TRAMP_BP), %rsi
	movq (VLINUX_TRAMP + VLINUX_TRAMP_ENTRY), %rax
	/* As the 32-bit protocol asks; harmless for the 64-bit one. */
	xorl %ebx, %ebx
	xorl %ebp, %ebp
	xorl %edi, %edi
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0				/* null */
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, for the switch */
	.quad 0x00af9a000000ffff	/* 0x10: __BOOT_CS, 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: __BOOT_DS, flat data */
tramp_gdt_end:
tramp_gdtr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long ABS(tramp_gdt)
vlinux_tramp_end:

	.section .note.GNU-stack,"",@progbits
