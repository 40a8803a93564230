/* SPDX-License-Identifier: MIT */
/*
 * Test guest: MMIO through Keel's instruction emulator. The runner maps a
 * 4 KiB scratch device at guest-physical 0x30000000 (outside RAM, so every
 * access exits): it stores what is written and returns it when read. Each
 * numbered check uses one instruction form a compiler emits for device
 * registers, with every operand size and several addressing modes, and
 * compares the result (and flags) with what the CPU would have done.
 */
#define DEV 0x30000000

	.include "boot64.inc"

	.code64
main64:
	movq $DEV, %rbx			/* base register for the device */
	movabsq $0x8877665544332211, %r12

	/* 1: MOV stores and loads of 1, 2, 4, 8 bytes, reg <-> mem */
	movw $1, %bp
	movq %r12, (%rbx)
	movq (%rbx), %rax
	cmpq %r12, %rax
	jne fail
	movb $0x5a, %al
	movb %al, 8(%rbx)
	movb 8(%rbx), %cl
	cmpb $0x5a, %cl
	jne fail
	movw $0x1234, %ax
	movw %ax, 10(%rbx)
	movw 10(%rbx), %dx
	cmpw $0x1234, %dx
	jne fail
	movl $0xdeadbeef, %eax
	movl %eax, 12(%rbx)
	movq $-1, %rsi
	movl 12(%rbx), %esi		/* a 32-bit load zero-extends */
	movl $0xdeadbeef, %eax
	cmpq %rax, %rsi
	jne fail
	movb 9(%rbx), %ah		/* AH: the legacy high byte */
	cmpb $0, %ah
	jne fail

	/* 2: MOV immediates: C6, C7, C7 with REX.W (sign-extended) */
	movw $2, %bp
	movb $0x7f, 16(%rbx)
	movl $0x01020304, 20(%rbx)
	movq $-2, 24(%rbx)
	cmpb $0x7f, 16(%rbx)
	jne fail
	cmpl $0x01020304, 20(%rbx)
	jne fail
	cmpq $-2, 24(%rbx)
	jne fail

	/* 3: addressing: base+index*scale+disp32, disp8, RIP-relative, moffs */
	movw $3, %bp
	movq $4, %rdi
	movl $0xabcdef01, 0x100(%rbx,%rdi,8)
	movl DEV + 0x120, %eax		/* absolute disp32 */
	cmpl $0xabcdef01, %eax
	jne fail
	movl %eax, dev_rip(%rip)
	movl dev_rip(%rip), %ecx
	cmpl %eax, %ecx
	jne fail
	movabsq %rax, DEV + 0x130	/* A3: moffs64 */
	movabsq DEV + 0x130, %rax	/* A1 */
	cmpl $0xabcdef01, %eax
	jne fail

	/* 4: MOVZX, MOVSX, MOVSXD */
	movw $4, %bp
	movq $0x80, %rax
	movb %al, 0x40(%rbx)
	movw $0x8001, 0x42(%rbx)
	movl $0x80000001, 0x44(%rbx)
	movzbl 0x40(%rbx), %ecx
	cmpl $0x80, %ecx
	jne fail
	movsbq 0x40(%rbx), %rcx
	cmpq $-128, %rcx
	jne fail
	movzwq 0x42(%rbx), %rcx
	cmpq $0x8001, %rcx
	jne fail
	movswl 0x42(%rbx), %ecx
	cmpl $0xffff8001, %ecx
	jne fail
	movslq 0x44(%rbx), %rcx
	movq $0xffffffff80000001, %rdx
	cmpq %rdx, %rcx
	jne fail

	/* 5: ALU on memory, both directions, and the flags */
	movw $5, %bp
	movl $0xf0f0f0f0, 0x50(%rbx)
	movl $0x0ff00ff0, %eax
	andl %eax, 0x50(%rbx)		/* mem &= reg */
	cmpl $0x00f000f0, 0x50(%rbx)
	jne fail
	orl $0x0f000000, 0x50(%rbx)	/* 81 /1 */
	cmpl $0x0ff000f0, 0x50(%rbx)
	jne fail
	xorb $0xff, 0x50(%rbx)		/* 80 /6 */
	cmpb $0x0f, 0x50(%rbx)
	jne fail
	movq $5, 0x58(%rbx)
	subq $6, 0x58(%rbx)		/* 83 /5: borrow */
	jnc fail
	jns fail
	addq $1, 0x58(%rbx)		/* back to zero, with carry */
	jnz fail
	jnc fail
	movl $7, %ecx
	addl 0x58(%rbx), %ecx		/* reg += mem */
	cmpl $7, %ecx
	jne fail
	movw $0x7fff, 0x60(%rbx)
	addw $1, 0x60(%rbx)		/* signed overflow */
	jno fail
	cmpw $0x8000, 0x60(%rbx)
	jne fail

	/* 6: TEST and CMP against memory */
	movw $6, %bp
	movb $0x81, 0x68(%rbx)
	testb $0x80, 0x68(%rbx)
	jz fail
	testb $0x02, 0x68(%rbx)
	jnz fail
	movl $0x81, %eax
	cmpb %al, 0x68(%rbx)
	jne fail
	cmpl $0x100, 0x50(%rbx)		/* 0x0ff000f0 > 0x100: no borrow */
	jb fail

	/* 7: XCHG with memory */
	movw $7, %bp
	movq $0x1111, 0x70(%rbx)
	movq $0x2222, %rax
	xchgq %rax, 0x70(%rbx)
	cmpq $0x1111, %rax
	jne fail
	cmpq $0x2222, 0x70(%rbx)
	jne fail

	/* 8: REP STOS into the device, REP MOVS both ways */
	movw $8, %bp
	cld
	leaq 0x200(%rbx), %rdi
	movq $0x6b6b6b6b6b6b6b6b, %rax
	movl $16, %ecx
	rep stosq
	cmpq %rax, 0x278(%rbx)
	jne fail
	leaq pattern(%rip), %rsi	/* RAM -> device */
	leaq 0x300(%rbx), %rdi
	movl $16, %ecx
	rep movsb
	leaq 0x300(%rbx), %rsi		/* device -> RAM */
	movq $0x9000, %rdi
	movl $16, %ecx
	rep movsb
	movq pattern(%rip), %rax
	cmpq %rax, 0x9000
	jne fail
	movq pattern + 8(%rip), %rax
	cmpq %rax, 0x9008
	jne fail

	/* 9: 16-bit operands with the 66 prefix, and a byte store of AH */
	movw $9, %bp
	movw $0xbeef, %ax
	movw %ax, 0x80(%rbx)
	movb %ah, 0x82(%rbx)
	cmpw $0xbeef, 0x80(%rbx)
	jne fail
	cmpb $0xbe, 0x82(%rbx)
	jne fail

	/* Figure: ticks per MMIO write round trip through the emulator. */
	rdtsc
	movl %eax, %edi
	movl $256, %ecx
10:	movl %ecx, 0x400(%rbx)
	loop 10b
	rdtsc
	subl %edi, %eax
	shrl $8, %eax
	outl %eax, $0xf5

	/* Figure: one stage-2 fault that backs a fresh 2 MiB of RAM (8 MiB). */
	rdtsc
	movl %eax, %edi
	movq $1, 0x800000
	rdtsc
	subl %edi, %eax
	outl %eax, $0xf5

	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

pattern:
	.ascii "Keel MMIO test!!"

	.set dev_rip, DEV + 0x140
