/* SPDX-License-Identifier: MIT */
/*
 * Test guest: the VM's PCI bus (vdev/vpci.c) as a BIOS or an OS probes
 * it. tests/guests/runner_pci.c builds the bus with a scratch device at
 * 00:01.0 (a 4 KiB memory BAR that stores what is written). Checks:
 *  1 Linux's type 1 probe: 0x80000000 reads back from 0xcf8
 *  2 the host bridge's vendor/device through 0xcf8/0xcfc: 1b36:0008
 *  3 the same through ECAM at 0xe0000000, class 0x060000
 *  4 an absent device (00:02.0) reads all ones both ways
 *  5 the scratch device's BAR 0: inside the PCI window, sized 4 KiB
 *  6 memory decode off: the BAR reads all ones; on: stores and loads
 *  7 moved by 1 MiB: the old address is dead, the new one has the data
 */
#define ECAM 0xe0000000
#define WIN 0xc0000000

	.include "boot64.inc"

	.code64
main64:
	/* 1 */
	movw $1, %bp
	movb $0x01, %al
	movw $0xcfb, %dx
	outb %al, %dx
	movl $0x80000000, %eax
	movw $0xcf8, %dx
	outl %eax, %dx
	inl %dx, %eax
	cmpl $0x80000000, %eax
	jne fail

	/* 2 */
	movw $2, %bp
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $0x00081b36, %eax
	jne fail
	movw $0xcfe, %dx		/* a word on the upper lanes */
	inw %dx, %ax
	cmpw $0x0008, %ax
	jne fail

	/* 3 */
	movw $3, %bp
	movq $ECAM, %rbx
	movl (%rbx), %eax
	cmpl $0x00081b36, %eax
	jne fail
	movl 8(%rbx), %eax
	shrl $8, %eax
	cmpl $0x060000, %eax
	jne fail

	/* 4 */
	movw $4, %bp
	movl $0x80001000, %eax		/* device 2 */
	movw $0xcf8, %dx
	outl %eax, %dx
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	jne fail
	movl 0x10000(%rbx), %eax	/* ECAM device 2 */
	cmpl $0xffffffff, %eax
	jne fail

	/* 5: BAR 0 of 00:01.0 through ECAM */
	movw $5, %bp
	leaq 0x8000(%rbx), %rsi		/* device 1 */
	movl (%rsi), %eax
	cmpl $0x5ca71af4, %eax		/* the runner's scratch device */
	jne fail
	movl 0x10(%rsi), %r8d		/* BAR 0 as assigned */
	movl %r8d, %eax
	andl $0xfff, %eax		/* 4 KiB aligned, 32-bit memory */
	jnz fail
	cmpl $WIN, %r8d
	jb fail
	cmpl $0xe0000000, %r8d
	jae fail
	movl $0xffffffff, 0x10(%rsi)
	movl 0x10(%rsi), %eax
	cmpl $0xfffff000, %eax
	jne fail
	movl %r8d, 0x10(%rsi)
	cmpl %r8d, 0x10(%rsi)
	jne fail

	/* 6 */
	movw $6, %bp
	movl %r8d, %edi			/* zero-extends: the BAR's address */
	movl 0x20(%rdi), %eax
	cmpl $0xffffffff, %eax		/* command = 0: no decode */
	jne fail
	movw $0x0002, 4(%rsi)		/* memory space enable */
	movl $0x5ca7cafe, 0x20(%rdi)
	movl 0x20(%rdi), %eax
	cmpl $0x5ca7cafe, %eax
	jne fail

	/* 7 */
	movw $7, %bp
	leal 0x100000(%r8), %eax
	movl %eax, 0x10(%rsi)
	movl 0x20(%rdi), %ecx
	cmpl $0xffffffff, %ecx
	jne fail
	movl %eax, %edi
	movl 0x20(%rdi), %eax
	cmpl $0x5ca7cafe, %eax
	jne fail

	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt
