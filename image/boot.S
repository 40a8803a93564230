/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 header and the 32-bit entry point.
 *
 * GRUB enters here in 32-bit protected mode with paging off (Multiboot2 spec
 * 1.0, section 3.3 "I386 machine state": EAX = magic, EBX = physical address
 * of the information structure, no valid stack, GDT or IDT). We build early
 * page tables (identity map of the first 4 GiB plus the kernel's higher-half
 * window at -2 GiB, both with 2 MiB pages), enter long mode (Intel SDM vol. 3A
 * 10.8.5 "Initializing IA-32e Mode"), and jump to core_main() in the higher
 * half. The core-kernel issue replaces these tables with the direct map.
 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define KERNEL_VMA 0xffffffff80000000

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Information request (type 1), optional: ask for every tag we parse. */
	.balign 8
mb2_info_req:
	.short 1, 1
	.long mb2_info_req_end - mb2_info_req
	.long 1, 2, 3, 4, 6, 8, 12, 14, 15, 17, 21
mb2_info_req_end:

	/* Console flags (type 4): we can drive an EGA text console. */
	.balign 8
	.short 4, 1
	.long 12
	.long 2

	/* Framebuffer (type 5), optional, no preferred mode. */
	.balign 8
	.short 5, 1
	.long 20
	.long 0, 0, 0

	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, boot_magic
	movl %ebx, boot_mbi
	rdtsc				/* boot-time figures start here */
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4

	/* Long mode needs CPUID 0x80000001 EDX.LM (bit 29). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %ebp			/* EDX.NX (bit 20), used below */

	/* GRUB clears .bss, but the tables must be zero whoever loads us. */
	movl $boot_pt_start, %edi
	movl $(boot_pt_end - boot_pt_start) / 4, %ecx
	xorl %eax, %eax
	rep stosl

	/* Four page directories of 2 MiB pages: identity map of 0..4 GiB. */
	movl $boot_pd, %edi
	movl $0x83, %eax		/* present, writable, 2 MiB page */
	xorl %edx, %edx			/* bits 32..35 of the frame */
	movl $2048, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 1b

	/* PDPT for the low half: entries 0..3 point at the four directories. */
	movl $boot_pdpt_low, %edi
	movl $boot_pd + 0x003, %eax
	movl %eax, 0(%edi)
	addl $0x1000, %eax
	movl %eax, 8(%edi)
	addl $0x1000, %eax
	movl %eax, 16(%edi)
	addl $0x1000, %eax
	movl %eax, 24(%edi)

	/* PDPT for the top: entry 510 (-2 GiB) maps physical 0..1 GiB. */
	movl $boot_pdpt_high, %edi
	movl $boot_pd + 0x003, 510 * 8(%edi)

	movl $boot_pml4, %edi
	movl $boot_pdpt_low + 0x003, 0(%edi)
	movl $boot_pdpt_high + 0x003, 511 * 8(%edi)

	/* CR4.PAE, then CR3, then EFER.LME (and NXE if present), then CR0.PG. */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	btl $20, %ebp
	jnc 2f
	orl $(1 << 11), %eax		/* NXE */
2:	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_entry

	/*
	 * No long mode: say so on COM1 and the VGA text screen and stop. The
	 * UART is left as the firmware set it, which is good enough here.
	 */
no_long_mode:
	movl $no_lm_msg, %esi
	movl $0xb8000, %edi
3:	movb (%esi), %al
	testb %al, %al
	jz 5f
	movw $0x3fd, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movb (%esi), %al
	movw $0x3f8, %dx
	outb %al, %dx
	movb $0x4f, %ah			/* white on red */
	movw %ax, (%edi)
	addl $2, %edi
	incl %esi
	jmp 3b
5:	cli
	hlt
	jmp 5b

	.code64
long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_hi_top, %rsp
	xorl %ebp, %ebp			/* ends backtraces */
	movl boot_magic, %edi		/* zero-extends into RDI */
	movl boot_mbi, %esi		/* physical, identity mapped */
	movabsq $core_entry64, %rax
	call *%rax
6:	cli
	hlt
	jmp 6b

	.section .boot.rodata, "a"
no_lm_msg:
	.asciz "Keel: this CPU has no 64-bit long mode; Keel needs an x86-64 CPU with VT-x or AMD-V."

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .boot.data, "aw"
	.balign 8
	.globl boot_magic, boot_mbi, boot_tsc
boot_magic:	.long 0
boot_mbi:	.long 0
boot_tsc:	.quad 0

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pt_start:
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096
boot_pt_end:
	.skip 4096
boot_stack_top:

	/*
	 * The boot CPU's kernel stack in the higher half, with a page below it
	 * that core/paging.c leaves unmapped: an overflow faults instead of
	 * silently overwriting whatever the linker put there.
	 */
	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_hi_bottom
boot_stack_guard:
	.skip 4096
boot_stack_hi_bottom:
	.skip 65536
boot_stack_hi_top:

	.section .note.GNU-stack, "", @progbits
