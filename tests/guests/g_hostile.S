/* SPDX-License-Identifier: MIT */
/*
 * Test guest that misbehaves on purpose (issue 4, isolation). The runner
 * writes the variant to byte 0x500 before start:
 *   1 write RAM that does not exist (far above the VM's memory)
 *   2 triple fault (empty IDT, then an interrupt)
 *   3 paging with CR3 outside guest RAM
 *   4 flood an unclaimed port, then report success (it must not disturb
 *     any other VM)
 *   5 write protected MSRs: each must raise #GP in the guest (counted by
 *     its own handler), then report success
 * Variants 1-3 must be stopped by Keel alone; 4 and 5 report 0.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7000, %sp
	movb 0x500, %al
	cmpb $2, %al
	je triple
	cmpb $4, %al
	je flood
	cmpb $5, %al
	je msrs
	/* 1 and 3 need 32-bit addresses: flat protected mode. */
	lgdtl gdt_desc
	movl %cr0, %ebx
	orl $1, %ebx
	movl %ebx, %cr0
	ljmpl $0x08, $pm32

triple:
	lidtl idt_empty
	int $3
	hlt

flood:
	movl $20000, %ecx
1:	outb %al, $0xe8
	loop 1b
	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

/* Real-mode #GP handler (IVT entry 13): count, skip the 2-byte WRMSR. */
gp_handler:
	incw 0x510
	pushw %bp
	movw %sp, %bp
	addw $2, 2(%bp)			/* the saved IP */
	popw %bp
	iret

msrs:
	movw $gp_handler, 0x34		/* IVT[13] = 0000:gp_handler */
	movw $0, 0x36
	movw $0, 0x510
	xorl %eax, %eax
	xorl %edx, %edx
	movl $0x480, %ecx		/* IA32_VMX_BASIC: the host's */
	wrmsr
	movl $0xc0010114, %ecx		/* VM_CR: the host's SVM control */
	wrmsr
	movl $0xc0010117, %ecx		/* VM_HSAVE_PA: the host's own */
	wrmsr
	movzwl 0x510, %eax
	subl $3, %eax			/* 0 when all three faulted */
	outl %eax, $0xf4
	hlt

	.code32
pm32:
	movw $0x10, %bx
	movw %bx, %ds
	movw %bx, %ss
	cmpb $3, %al
	je badcr3
	movl $0x7f000000, %ebx		/* far above a 16 MiB guest */
	movl $1, (%ebx)
	hlt
badcr3:
	movl %cr4, %ebx
	orl $(1 << 4), %ebx		/* PSE: one table level is enough */
	movl %ebx, %cr4
	movl $0x7ff00000, %ebx
	movl %ebx, %cr3
	movl %cr0, %ebx
	orl $0x80000000, %ebx
	movl %ebx, %cr0			/* the next fetch walks that CR3 */
	hlt

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
gdt_end:
gdt_desc:
	.short gdt_end - gdt - 1
	.long gdt
idt_empty:
	.short 0
	.long 0
