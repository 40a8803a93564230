/* SPDX-License-Identifier: MIT */
/*
 * Test guest: real mode -> protected mode -> PAE paging -> long mode with
 * 4-level paging, 2 MiB and 4 KiB pages, then inside long mode: a #UD and
 * a #PF taken by the guest's own IDT, SSE registers that must survive
 * a few hundred exits, the TSC offset, XSETBV/XCR0, and the guest-owned
 * system-call MSRs (SWAPGS, SYSCALL, FS.base). Same port protocol as
 * g_basic.S. Guest-physical
 * layout: code at 0x8000, stack below 0x7000, tables at 0x10000-0x16fff.
 */
#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define PAE_PDPT 0x13000
#define PD_HI 0x14000
#define PT_HI 0x15000
#define IDT 0x16000
#define FLAGS 0x17000	/* exception counters written by the handlers */

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
	movw $1, %bp
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $pm32

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $0x7000, %esp
	movb $'P', %al
	outb %al, $0xe9

	/* Page tables: zero them, then a 1 GiB identity map of 2 MiB pages. */
	movl $PML4, %edi
	movl $(0x8000 / 4), %ecx	/* 0x10000-0x17fff */
	xorl %eax, %eax
	rep stosl
	movl $PD, %edi
	movl $0x83, %eax		/* P, W, PS */
	movl $512, %ecx
1:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	/* 2: PAE paging (32-bit), identity through the same directory. */
	movw $2, %bp
	movl $(PD | 1), PAE_PDPT	/* PAE PDPTEs: P only */
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $PAE_PDPT, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80000000, %eax		/* PG */
	movl %eax, %cr0
	/* 4 MiB: RAM nobody touched yet, so a stage-2 fault backs it. */
	movl $0x400000, %ebx
	movl $0xcafef00d, (%ebx)
	cmpl $0xcafef00d, (%ebx)
	jne fail32

	/* 3: long mode: paging off, LME, 4-level tables, paging on. */
	movw $3, %bp
	movl %cr0, %eax
	andl $0x7fffffff, %eax
	movl %eax, %cr0
	movl $(PDPT | 3), PML4
	movl $(PD | 3), PDPT
	movl $(PD_HI | 3), PDPT + 8	/* 1 GiB: one 4 KiB page */
	movl $(PT_HI | 3), PD_HI
	movl $(0x200000 | 3), PT_HI	/* VA 0x40000000 -> PA 0x200000 */
	movl $PML4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	ljmp $0x18, $lm64

fail32:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

	.code64
lm64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $0x7000, %rsp
	movb $'L', %al
	outb %al, $0xe9

	/* 4: EFER.LMA is set now */
	movw $4, %bp
	movl $0xc0000080, %ecx
	rdmsr
	btl $10, %eax
	jnc fail

	/* 5: a 4 KiB page maps VA 0x40000000 onto PA 0x200000 */
	movw $5, %bp
	movabsq $0x1122334455667788, %rax
	movq %rax, 0x40000000
	cmpq %rax, 0x200000
	jne fail

	/* 6: a 2 MiB page at 6 MiB, backed on demand */
	movw $6, %bp
	movq $0x600000, %rbx
	movq %rax, 0x1ff8(%rbx)
	cmpq %rax, 0x1ff8(%rbx)
	jne fail

	/* IDT: #UD (6) and #PF (14) handlers, 64-bit interrupt gates. */
	movq $6, %rdi
	leaq ud_handler(%rip), %rsi
	call set_gate
	movq $14, %rdi
	leaq pf_handler(%rip), %rsi
	call set_gate
	lidt idt_desc(%rip)

	/* 7: #UD inside the guest reaches the guest's handler */
	movw $7, %bp
	ud2
	cmpl $1, FLAGS
	jne fail

	/* 8: #PF on an unmapped guest-virtual address, with CR2 */
	movw $8, %bp
	movl $0x80000000, %eax
	movq (%rax), %rbx		/* 3 bytes: 48 8b 18 */
	cmpl $1, FLAGS + 4
	jne fail
	movl $0x80000000, %eax
	cmpq %rax, FLAGS + 8
	jne fail

	/* 9: SSE registers survive a few hundred exits */
	movw $9, %bp
	movq %cr0, %rax
	andq $~(1 << 2), %rax		/* EM off */
	orq $(1 << 1), %rax		/* MP */
	movq %rax, %cr0
	movq %cr4, %rax
	orq $((1 << 9) | (1 << 10)), %rax /* OSFXSR, OSXMMEXCPT */
	movq %rax, %cr4
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movq $(0x5a00 + \i), %rax
	movq %rax, %xmm\i
	pinsrq $1, %rax, %xmm\i
	.endr
	movl $200, %r12d
2:	xorl %eax, %eax
	cpuid
	outb %al, $0xe8
	decl %r12d
	jnz 2b
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movq %xmm\i, %rax
	cmpq $(0x5a00 + \i), %rax
	jne fail
	pextrq $1, %xmm\i, %rax
	cmpq $(0x5a00 + \i), %rax
	jne fail
	.endr

	/* 10: the TSC through RDTSC and through the MSR agree (one offset) */
	movw $10, %bp
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, %r13
	movl $0x10, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rax, %rdx
	subq %r13, %rdx			/* MSR read after RDTSC: small, >= 0 */
	cmpq $0x10000000, %rdx
	jae fail

	/* 11: XSAVE: CR4.OSXSAVE shows in CPUID, XSETBV takes x87|SSE, a
	 * bad XCR0 is the guest's #GP (skipped where the CPU lacks XSAVE) */
	movw $11, %bp
	movl $1, %eax
	cpuid
	btl $26, %ecx
	jnc 12f
	movq $13, %rdi
	leaq gp_handler(%rip), %rsi
	call set_gate
	movq %cr4, %rax
	orq $(1 << 18), %rax
	movq %rax, %cr4
	movw $111, %bp			/* 111: OSXSAVE not reflected */
	movl $1, %eax
	cpuid
	btl $27, %ecx
	jnc fail
	movw $112, %bp			/* 112: XCR0 not what was set */
	xorl %ecx, %ecx
	xorl %edx, %edx
	movl $3, %eax
	xsetbv
	xorl %ecx, %ecx
	xgetbv
	cmpl $3, %eax
	jne fail
	movw $113, %bp			/* 113: bad XCR0 gave no #GP */
	xorl %ecx, %ecx
	xorl %edx, %edx
	movl $2, %eax			/* x87 clear: invalid */
	xsetbv
	cmpl $1, FLAGS + 16
	jne fail
12:
	/* 13: the guest's own system-call MSRs (not intercepted on either
	 * backend): they hold across exits, SWAPGS swaps GS.base with
	 * KERNEL_GS_BASE, SYSCALL goes to LSTAR with RFLAGS masked by
	 * SFMASK, FS.base addresses memory */
	movw $13, %bp
	movl $0xc0000080, %ecx		/* EFER.SCE */
	rdmsr
	orl $1, %eax
	wrmsr
	movl $0xc0000081, %ecx		/* STAR: SYSCALL CS 0x18, SS 0x20 */
	xorl %eax, %eax
	movl $0x18, %edx
	wrmsr
	leaq sys_entry(%rip), %rax	/* LSTAR */
	movq %rax, %rdx
	shrq $32, %rdx
	movl $0xc0000082, %ecx
	wrmsr
	movl $0xc0000084, %ecx		/* SFMASK: DF */
	movl $(1 << 10), %eax
	xorl %edx, %edx
	wrmsr
	movl $0xc0000100, %ecx		/* FS.base = 0x200000 */
	movl $0x200000, %eax
	wrmsr
	movl $0xc0000101, %ecx		/* GS.base */
	movl $0x11110000, %eax
	movl $0x1, %edx
	wrmsr
	movl $0xc0000102, %ecx		/* KERNEL_GS_BASE */
	movl $0x22220000, %eax
	movl $0x2, %edx
	wrmsr
	movl $0x175, %ecx		/* SYSENTER_ESP */
	movl $0x33330000, %eax
	movl $0x3, %edx
	wrmsr
	swapgs
	movl $50, %r12d
2:	xorl %eax, %eax
	cpuid
	outb %al, $0xe8
	decl %r12d
	jnz 2b
	movw $131, %bp			/* 131: SWAPGS or GS.base lost */
	movl $0xc0000101, %ecx
	rdmsr
	cmpl $0x22220000, %eax
	jne fail
	cmpl $2, %edx
	jne fail
	movl $0xc0000102, %ecx
	rdmsr
	cmpl $0x11110000, %eax
	jne fail
	cmpl $1, %edx
	jne fail
	movw $132, %bp			/* 132: SYSENTER_ESP lost */
	movl $0x175, %ecx
	rdmsr
	cmpl $0x33330000, %eax
	jne fail
	cmpl $3, %edx
	jne fail
	movw $133, %bp			/* 133: FS.base not used */
	movabsq $0x1122334455667788, %rax
	cmpq %fs:0, %rax
	jne fail
	movw $134, %bp			/* 134: SYSCALL went wrong */
	std
	syscall
sys_back:
	cld
	movw $0x10, %ax			/* SYSCALL loaded SS = 0x20 */
	movw %ax, %ss
	leaq sys_back(%rip), %rax
	cmpq %rax, %rcx			/* RCX: the return address */
	jne fail
	btq $10, %r11			/* R11: RFLAGS before, DF set */
	jnc fail
	btq $10, %r14			/* the entry ran with DF masked */
	jc fail
	movw %cs, %ax
	cmpw $0x18, %ax
	jne fail

	movb $'\n', %al
	outb %al, $0xe9
	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

/* set_gate(vector in RDI, handler in RSI): a present DPL0 interrupt gate. */
set_gate:
	shlq $4, %rdi
	addq $IDT, %rdi
	movw %si, (%rdi)
	movw $0x18, 2(%rdi)
	movw $0x8e00, 4(%rdi)
	movq %rsi, %rax
	shrq $16, %rax
	movw %ax, 6(%rdi)
	shrq $16, %rax
	movl %eax, 8(%rdi)
	movl $0, 12(%rdi)
	ret

/* LSTAR: note RFLAGS, back to RCX (CS is 0x18 already). */
sys_entry:
	pushfq
	popq %r14
	jmp *%rcx

ud_handler:
	incl FLAGS
	addq $2, (%rsp)			/* past the 2-byte UD2 */
	iretq

gp_handler:
	incl FLAGS + 16
	addq $8, %rsp			/* the error code */
	addq $3, (%rsp)			/* past XSETBV (0f 01 d1) */
	iretq

pf_handler:
	incl FLAGS + 4
	pushq %rax
	movq %cr2, %rax
	movq %rax, FLAGS + 8
	popq %rax
	addq $8, %rsp			/* the error code */
	addq $3, (%rsp)			/* past the 3-byte load */
	iretq

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
gdt_end:
gdt_desc:
	.short gdt_end - gdt - 1
	.long gdt
	.balign 8
idt_desc:
	.short 256 * 16 - 1
	.quad IDT
