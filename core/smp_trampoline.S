/* SPDX-License-Identifier: MIT */
/*
 * Application-processor start-up code. core/smp.c copies this blob to a
 * page P below 1 MiB and sends a SIPI with vector P >> 12: the AP starts
 * in real mode at P:0 (Intel SDM vol. 3A 9.4.4 "MP Initialization").
 * It goes real -> 32-bit protected mode -> long mode (SDM 3A 10.8.5) on
 * the kernel's own page tables, in which P is identity-mapped while APs
 * start, then jumps to smp_ap_entry() on the stack in the parameters.
 * Everything is addressed relative to the blob's start, since P is chosen
 * at run time.
 */
#define REL(x) ((x) - smp_trampoline)

	.section .rodata
	.balign 16
	.globl smp_trampoline, smp_trampoline_end, smp_tramp_params
	.code16
smp_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx		/* EBX = P, kept through the switches */
	shll $4, %ebx
	lgdtl REL(tramp_gdtr)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl *REL(tramp_pm32_ptr)	/* far pointer patched with P */

	.code32
tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax /* PAE, PGE */
	movl %eax, %cr4
	movl REL(p_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: the boot CPU's LME/NXE */
	rdmsr
	orl REL(p_efer)(%ebx), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG, WP, PE */
	movl %eax, %cr0
	ljmpl *REL(tramp_lm64_ptr)(%ebx)

	.code64
tramp_lm64:
	movl %ebx, %ebx			/* upper halves are undefined here */
	movq REL(p_stack)(%rbx), %rsp
	movl REL(p_cpu)(%rbx), %edi
	xorl %ebp, %ebp
	jmpq *REL(p_entry)(%rbx)

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdtr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long 0				/* P + REL(tramp_gdt) */
	.balign 4
tramp_pm32_ptr:
	.long 0				/* P + REL(tramp_pm32) */
	.short 0x08
	.balign 4
tramp_lm64_ptr:
	.long 0				/* P + REL(tramp_lm64) */
	.short 0x18

	/* Parameters written by core/smp.c for each AP (struct smp_params). */
	.balign 8
smp_tramp_params:
p_cr3:	.quad 0
p_efer:	.quad 0
p_stack: .quad 0
p_entry: .quad 0
p_cpu:	.quad 0
smp_trampoline_end:

	.globl smp_tramp_off_gdtr, smp_tramp_off_pm32, smp_tramp_off_lm64
	.globl smp_tramp_off_gdt, smp_tramp_off_pm32_code, smp_tramp_off_lm64_code
	.set smp_tramp_off_gdtr, REL(tramp_gdtr)
	.set smp_tramp_off_gdt, REL(tramp_gdt)
	.set smp_tramp_off_pm32, REL(tramp_pm32_ptr)
	.set smp_tramp_off_pm32_code, REL(tramp_pm32)
	.set smp_tramp_off_lm64, REL(tramp_lm64_ptr)
	.set smp_tramp_off_lm64_code, REL(tramp_lm64)

	.section .note.GNU-stack, "", @progbits
