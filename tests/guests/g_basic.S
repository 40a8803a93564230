/* SPDX-License-Identifier: MIT */
/*
 * Test guest: CPUID policy, port I/O (byte, word, dword, REP OUTS/INS),
 * MSRs, RAM on demand.
 * Loaded at 0x8000 and started in real mode at 0000:8000 (like an AP after
 * SIPI). Protocol (tests/guests/runner.c): bytes to port 0xe9 are a log
 * line; a dword to port 0xf5 is a figure; a dword to port 0xf4 ends the
 * test: 0 = pass, else the number of the failed check.
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

	/* 1: leaf 0x40000000 says KeelKeelKeel */
	movw $1, %bp
	movl $0x40000000, %eax
	cpuid
	cmpl $0x6c65654b, %ebx
	jne fail
	cmpl $0x6c65654b, %ecx
	jne fail
	cmpl $0x6c65654b, %edx
	jne fail

	/* 2: leaf 1 has the hypervisor bit and no VMX */
	movw $2, %bp
	movl $1, %eax
	cpuid
	btl $31, %ecx
	jnc fail
	btl $5, %ecx
	jc fail

	/* 3: leaf 0x80000001 hides SVM and shows long mode (EDX 29),
	 * which Linux's AP trampoline checks here, in real mode */
	movw $3, %bp
	movl $0x80000001, %eax
	cpuid
	btl $2, %ecx
	jc fail
	btl $29, %edx
	jnc fail

	/* 4: an unclaimed port reads all ones, in every size */
	movw $4, %bp
	movw $0x300, %dx
	inb %dx, %al
	cmpb $0xff, %al
	jne fail
	inw %dx, %ax
	cmpw $0xffff, %ax
	jne fail
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	jne fail

	/* 5: IA32_PAT reads its reset value, takes a new one, reads it back */
	movw $5, %bp
	movl $0x277, %ecx
	rdmsr
	cmpl $0x00070406, %eax
	jne fail
	cmpl $0x00070406, %edx
	jne fail
	movl $0x00010506, %eax
	wrmsr
	rdmsr
	cmpl $0x00010506, %eax
	jne fail

	/* 6: RAM away from the loaded code keeps what we write */
	movw $6, %bp
	movw $0x5000, %ax		/* segment 0x5000: linear 0x50000 */
	movw %ax, %es
	movl $0xdeadbeef, %es:0x10
	cmpl $0xdeadbeef, %es:0x10
	jne fail

	/* 7: say hello on the log port with REP OUTSB, then a newline */
	movw $7, %bp
	movw $hello, %si
	movw $hello_end - hello, %cx
	movw $0xe9, %dx
	cld
	rep outsb
	cmpw $hello_end, %si
	jne fail
	testw %cx, %cx
	jne fail
	movb $'\n', %al
	outb %al, $0xe9

	/* 8: REP INSW from an unclaimed port fills memory with ones */
	movw $8, %bp
	movw $0x6000, %di		/* ES = 0x5000 from check 6 */
	movw $4, %cx
	movw $0x300, %dx
	rep insw
	cmpl $0xffffffff, %es:0x6000
	jne fail
	cmpl $0xffffffff, %es:0x6004
	jne fail
	cmpw $0x6008, %di
	jne fail

	/* Figure: TSC ticks per CPUID round trip, over 256 of them. */
	rdtsc
	movl %eax, %edi
	movw $256, %cx
3:	pushw %cx
	xorl %eax, %eax
	cpuid
	popw %cx
	loop 3b
	rdtsc
	subl %edi, %eax
	shrl $8, %eax
	outl %eax, $0xf5

	/* Figure: ticks per port write round trip. */
	rdtsc
	movl %eax, %edi
	movw $256, %cx
4:	outb %al, $0xe8			/* unclaimed: dropped */
	loop 4b
	rdtsc
	subl %edi, %eax
	shrl $8, %eax
	outl %eax, $0xf5

	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

hello:
	.ascii "g_basic: real mode guest alive"
hello_end:
