/* SPDX-License-Identifier: MIT */
/*
 * Test guest: external interrupts. Writing (ms << 8 | vector) to port
 * 0xf6 asks the runner to raise that vector on this vCPU after ms
 * milliseconds (0: at once, before the OUT completes). Real mode, so the
 * IVT at 0 dispatches it.
 *   1: HLT with interrupts on sleeps until the interrupt, which runs the
 *      handler before the instruction after HLT.
 *   2: with interrupts off, a raised interrupt waits; STI delivers it
 *      after the one-instruction shadow.
 *   3: two vectors raised together both arrive, higher first.
 */
#define COUNT 0x600	/* per-vector counters, 2 bytes each */
#define ORDER 0x620	/* vectors in arrival order */
#define NEXT 0x630

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7000, %sp
	movw $handler40, 0x40 * 4
	movw $0, 0x40 * 4 + 2
	movw $handler41, 0x41 * 4
	movw $0, 0x41 * 4 + 2
	movw $ORDER, NEXT

	/* 1 */
	movw $1, %bp
	movl $(5 << 8 | 0x40), %eax
	outl %eax, $0xf6
	sti
	hlt
	cli
	cmpw $1, COUNT
	jne fail

	/* 2 */
	movw $2, %bp
	movl $0x40, %eax		/* pending from now on */
	outl %eax, $0xf6
	outb %al, $0xe8			/* more exits: still not deliverable */
	cpuid
	cmpw $1, COUNT
	jne fail
	sti
	nop				/* the STI shadow */
	nop
	cli
	cmpw $2, COUNT
	jne fail

	/* 3 */
	movw $3, %bp
	movw $ORDER, NEXT
	movl $0x40, %eax
	outl %eax, $0xf6
	movl $0x41, %eax
	outl %eax, $0xf6
	sti
	nop
	nop
	nop
	cli
	cmpw $3, COUNT
	jne fail
	cmpw $1, COUNT + 2
	jne fail
	cmpb $0x41, ORDER
	jne fail
	cmpb $0x40, ORDER + 1
	jne fail

	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

handler40:
	incw COUNT
	pushw %bx
	movw NEXT, %bx
	movb $0x40, (%bx)
	incw NEXT
	popw %bx
	iret

handler41:
	incw COUNT + 2
	pushw %bx
	movw NEXT, %bx
	movb $0x41, (%bx)
	incw NEXT
	popw %bx
	iret
