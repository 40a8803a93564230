/* SPDX-License-Identifier: MIT */
/*
 * Test guest for the virtual local APIC and I/O APIC (two vCPUs, run by
 * guest_apic in runner.c with vdev/vlapic.c and vdev/vioapic.c attached).
 * Long mode; interrupt handlers count their vector in COUNT and EOI.
 *   1: xAPIC ID 0, software enable through SVR
 *   2: one-shot timer fires once, current count ends at 0, ISR clear
 *   3: periodic timer (5 ms) fires again and again (5 times), then stops
 *   4: TSC-deadline timer fires after its deadline, the MSR reads 0
 *   5: a TSC deadline in the past fires at once
 *   6: self-IPI (ICR shorthand "self")
 *   7: INIT/SIPI starts vCPU 1, which turns on x2APIC and says ready
 *   8: IPI to vCPU 1, whose handler IPIs back (x2APIC ICR MSR)
 *   9: I/O APIC level pin: delivered once, Remote IRR until the EOI
 *  10: x2APIC mode on the BSP: ID MSR, LDR, SELF_IPI MSR, EOI MSR
 *  11: x2APIC MSR in xAPIC mode / bad APIC base transition is #GP
 *  12: INIT to the running vCPU 1 and a new SIPI restart it
 * Then figures: ticks per EOI round trip, per TSC-deadline re-arm.
 * Port 0xf7 (runner): write pin | level << 8 to drive an I/O APIC pin.
 */
#define APIC 0xfee00000
#define IOAPIC 0xfec00000
#define IDT 0x16000
#define COUNT 0x700	/* one word per vector 0x40-0x4f */
#define X2 0x780	/* 1 once the BSP's APIC is in x2APIC mode */
#define GPS 0x784	/* #GP count */
#define ARRIVED 0x788
#define AP_COUNT 0x78c

	.include "boot64.inc"

/* Each step says its number on the log (a line per step), then runs. */
.macro STEP n
	movw $\n, %bp
	movb $('a' - 1 + \n), %al
	outb %al, $0xe9
	movb $10, %al
	outb %al, $0xe9
.endm

	.code64
main64:
	xorl %eax, %eax
	movl $COUNT, %edi
	movl $0x100 / 4, %ecx
	rep stosl
	/* IDT: 0x40-0x4f count and EOI; #GP skips a 2-byte RDMSR/WRMSR. */
	movl $0x40, %ebx
1:	movq %rbx, %rdi
	leaq handlers(%rip), %rsi
	leaq -0x40(%rbx), %rax
	shlq $4, %rax
	addq %rax, %rsi
	call set_gate
	incl %ebx
	cmpl $0x50, %ebx
	jb 1b
	movq $13, %rdi
	leaq gp_handler(%rip), %rsi
	call set_gate
	lidt idt_desc(%rip)
	movl $APIC, %esi

	/* 1: ID 0; enable through SVR */
	STEP 1
	movl 0x20(%rsi), %eax
	testl %eax, %eax
	jnz fail
	movl $0x1ff, 0xf0(%rsi)
	cmpl $0x1ff, 0xf0(%rsi)
	jne fail

	/* 2: one-shot, 128 ms at divide-by-128 (25 MHz), vector 0x40:
	 * long enough that a busy emulator host stalling the vCPU between
	 * the write and the read (1 ms did, about 1 run in 20 on a loaded
	 * CI machine) does not see it run out already */
	STEP 2
	movl $0xa, 0x3e0(%rsi)
	movl $0x40, 0x320(%rsi)
	movl $25000, 0x380(%rsi)
	cmpl $0, 0x390(%rsi)
	je fail				/* counting down */
	movl $0x40, %edi
	movl $1, %edx
	call wait_count
	cmpl $0, 0x390(%rsi)
	jne fail
	testl $1, 0x120(%rsi)		/* ISR bit 0x40: EOI'd */
	jnz fail
	rdtsc				/* no second interrupt: wait 10M TSC */
	movl %eax, %ecx			/* ticks, over 1 ms below 10 GHz */
3:	rdtsc
	subl %ecx, %eax
	cmpl $10000000, %eax
	jb 3b
	cmpl $1, COUNT
	jne fail

	/* 3: periodic, 5 ms, vector 0x41: 5 interrupts, then stop (a
	 * shorter period livelocks the handler under Bochs, where one
	 * interrupt and EOI round trip takes most of a millisecond) */
	STEP 3
	movl $0xb, 0x3e0(%rsi)		/* divide by 1 */
	movl $0x20041, 0x320(%rsi)
	movl $125000, 0x380(%rsi)
	movl $0x41, %edi
	movl $5, %edx
	call wait_count
	movl $0, 0x380(%rsi)

	/* 4: TSC deadline, vector 0x42, 2M TSC ticks ahead */
	STEP 4
	movl $0x40042, 0x320(%rsi)
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	leaq 2000000(%rdx), %r12
	movq %r12, %rax
	movq %r12, %rdx
	shrq $32, %rdx
	movl $0x6e0, %ecx
	wrmsr
	movl $0x42, %edi
	movl $1, %edx
	call wait_count
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	cmpq %r12, %rdx
	jb fail				/* not before its deadline */
	movl $0x6e0, %ecx
	rdmsr
	orl %edx, %eax
	jnz fail			/* cleared when it fired */

	/* 5: a deadline in the past fires at once (right after WRMSR) */
	STEP 5
	sti
	movl $0x6e0, %ecx
	movl $1, %eax
	xorl %edx, %edx
	wrmsr
	nop
	cli
	cmpl $2, COUNT + 8
	jne fail

	/* 6: self-IPI, vector 0x43 */
	STEP 6
	sti
	movl $0x00040043, 0x300(%rsi)
	nop
	cli
	cmpl $1, COUNT + 12
	jne fail

	/* 7: start vCPU 1 at 0x9000 (INIT, SIPI 9), wait until it is ready */
	STEP 7
	movl $0, ARRIVED
	movl $0x01000000, 0x310(%rsi)
	movl $0x00004500, 0x300(%rsi)
	movl $0x00004609, 0x300(%rsi)
	movl $200000000, %ecx
1:	cmpl $1, ARRIVED
	je 2f
	pause
	decl %ecx
	jnz 1b
	jmp fail
2:
	/* 8: IPI 0x44 to vCPU 1; its handler sends 0x45 back */
	STEP 8
	movl $0x01000000, 0x310(%rsi)
	movl $0x44, 0x300(%rsi)
	movl $0x45, %edi
	movl $1, %edx
	call wait_count
	cmpl $1, AP_COUNT
	jne fail

	/* 12: INIT puts the running vCPU 1 back to wait-for-SIPI; a SIPI
	 * restarts it at 0x9000, and it answers IPIs again */
	STEP 12
	movl $0x01000000, 0x310(%rsi)
	movl $0x00004500, 0x300(%rsi)
	movl $0x00004609, 0x300(%rsi)
	movl $200000000, %ecx
1:	cmpl $2, ARRIVED
	je 2f
	pause
	decl %ecx
	jnz 1b
	jmp fail
2:	movl $0x44, 0x300(%rsi)
	movl $0x45, %edi
	movl $2, %edx
	call wait_count
	cmpl $2, AP_COUNT
	jne fail

	/* 9: I/O APIC pin 5, level, vector 0x47, to APIC 0 */
	STEP 9
	movl $IOAPIC, %ebx
	movl $0x11 + 10, (%rbx)
	movl $0, 0x10(%rbx)
	movl $0x10 + 10, (%rbx)
	movl $0x8047, 0x10(%rbx)
	movl $0x105, %eax		/* assert pin 5 */
	outl %eax, $0xf7
	movl $0x47, %edi
	movl $1, %edx
	call wait_count			/* the handler deasserts, then EOIs */
	movl $0x10 + 10, (%rbx)
	testl $0x4000, 0x10(%rbx)	/* Remote IRR cleared by the EOI */
	jnz fail
	cmpl $1, COUNT + 0x1c
	jne fail

	/* 11: x2APIC MSRs are #GP in xAPIC mode */
	STEP 11
	movl $0x802, %ecx
	rdmsr
	cmpl $1, GPS
	jne fail

	/* 10: x2APIC on the BSP */
	STEP 10
	movl $0x1b, %ecx
	rdmsr
	orl $0xc00, %eax
	wrmsr
	movl $1, X2
	movl $0x802, %ecx
	rdmsr
	testl %eax, %eax
	jnz fail
	movl $0x80d, %ecx		/* LDR: cluster 0, bit 0 */
	rdmsr
	cmpl $1, %eax
	jne fail
	sti
	movl $0x83f, %ecx		/* SELF_IPI 0x46 */
	movl $0x46, %eax
	xorl %edx, %edx
	wrmsr
	nop
	cli
	cmpl $1, COUNT + 0x18
	jne fail
	/* 11: x2APIC -> xAPIC directly is #GP */
	STEP 11
	movl $0x1b, %ecx
	rdmsr
	andl $~0x400, %eax
	wrmsr
	cmpl $2, GPS
	jne fail

	/* Figures: 1000 EOIs (ISR empty), 1000 TSC-deadline re-arms. */
	movl $0x80b, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr				/* warm up */
	rdtsc
	movl %eax, %r13d
	movl $1000, %ebx
1:	movl $0x80b, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	decl %ebx
	jnz 1b
	rdtsc
	subl %r13d, %eax
	xorl %edx, %edx
	movl $1000, %ecx
	divl %ecx
	outl %eax, $0xf5
	movl $0x832, %ecx		/* LVT timer: TSC deadline, masked */
	movl $0x50042, %eax
	xorl %edx, %edx
	wrmsr
	rdtsc
	movl %eax, %r13d
	movl $1000, %ebx
1:	movl $0x6e0, %ecx		/* far ahead: the model's work and */
	movl $0xfffff000, %eax		/* sched_arm_local's check, but no */
	movl $0x7fffffff, %edx		/* host timer write (the host's own */
	addl %ebx, %eax			/* next event comes sooner) */
	wrmsr
	decl %ebx
	jnz 1b
	rdtsc
	subl %r13d, %eax
	xorl %edx, %edx
	movl $1000, %ecx
	divl %ecx
	outl %eax, $0xf5

	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

/* Wait (HLT with interrupts on) until COUNT[%edi - 0x40] >= %edx. */
wait_count:
	leaq COUNT - 0x100(,%rdi,4), %r8
1:	cli
	cmpl %edx, (%r8)
	jae 2f
	sti
	hlt
	jmp 1b
2:	ret

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

gp_handler:
	incl GPS
	addq $8, %rsp			/* error code */
	addq $2, (%rsp)			/* past RDMSR / WRMSR */
	iretq

	/* 16 handlers of 16 bytes each: vector 0x40 + n at handlers + 16n */
	.balign 16
handlers:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.balign 16
	pushq %rax
	movl $\n, %eax
	jmp handler_common
	.endr

handler_common:
	pushq %rcx
	pushq %rdx
	incl COUNT(,%rax,4)
	cmpl $7, %eax			/* 0x47: the I/O APIC pin: deassert */
	jne 1f
	movl $0x005, %eax
	outl %eax, $0xf7
1:	cmpl $0, X2
	jne 2f
	movl $APIC, %eax
	movl $0, 0xb0(%rax)
	jmp 3f
2:	movl $0x80b, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
3:	popq %rdx
	popq %rcx
	popq %rax
	iretq

	.balign 8
idt_desc:
	.short 256 * 16 - 1
	.quad IDT

	/* vCPU 1 starts here: 0x9000, real mode, CS = 0x0900. */
	.org 0x1000
	.code16
ap_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x6000, %sp
	movw $(ap_handler - ap_start), 0x44 * 4
	movw $0x0900, 0x44 * 4 + 2
	movl $0x1b, %ecx		/* x2APIC on */
	rdmsr
	orl $0xc00, %eax
	wrmsr
	movl $0x80f, %ecx		/* SVR: enabled */
	movl $0x1ff, %eax
	xorl %edx, %edx
	wrmsr
	lock incl ARRIVED
1:	sti
	hlt
	jmp 1b

ap_handler:
	pushal
	lock incl AP_COUNT
	movl $0x80b, %ecx		/* EOI */
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	movl $0x830, %ecx		/* IPI 0x45 to APIC 0 */
	movl $0x45, %eax
	xorl %edx, %edx
	wrmsr
	popal
	iret
