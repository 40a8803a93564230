/* SPDX-License-Identifier: MIT */
/*
 * The guest of vmx/vmx_selftest.c: real-mode code loaded at GPA 0x8000 and
 * entered at 0000:8000 in a 64 KiB VM. Every labelled instruction is an
 * exit the self-test expects, in this order; the labels give it the RIP
 * each exit must report.
 */
#define BENCH_ROUNDS 1000
#define SPIN_ROUNDS 100000

	.section .rodata.vmx_st_guest, "a"
	.code16
	.globl vmx_st_guest, vmx_st_guest_end, vmx_st_out1, vmx_st_cpuid
	.globl vmx_st_fault, vmx_st_fault_end, vmx_st_window, vmx_st_isr
	.globl vmx_st_out2, vmx_st_out3, vmx_st_cr0, vmx_st_out4, vmx_st_out5, vmx_st_out6
	.globl vmx_st_hlt
	.globl vmx_st_bench_rounds
vmx_st_guest:
	movb $0x4b, %al
vmx_st_out1:
	outb %al, $0xe9			/* I/O: port 0xe9, 1 byte, out, 0x4b */
	xorl %eax, %eax
	xorl %ecx, %ecx
vmx_st_cpuid:
	cpuid				/* CPUID leaf 0 */
	movw $0x2000, %ax
	movw %ax, %fs
vmx_st_fault:
	movb %al, %fs:0			/* stage-2 fault: write 0x20000, no RAM */
vmx_st_fault_end:
	sti
	nop				/* the STI shadow */
vmx_st_window:
	nop				/* interrupt window; vector 0x20 comes */
	movb $0x4f, %al
vmx_st_out3:
	outb %al, $0xe9			/* back from the handler */

	/* Spins with no exits of their own: host interrupts must get out. */
	movl $SPIN_ROUNDS, %ecx
2:	decl %ecx
	jnz 2b
	movb $0x49, %al
vmx_st_out5:
	outb %al, $0xe9			/* after a spin with IF=1 */
	cli
	movl %cr0, %eax
	orb $0x20, %al
vmx_st_cr0:
	movl %eax, %cr0			/* CR0.NE is host-owned: emulated */
	movl %cr0, %eax
vmx_st_out4:
	outb %al, $0xe9			/* 0x30: ET | NE as the guest sees it */
	movl $SPIN_ROUNDS, %ecx
3:	decl %ecx
	jnz 3b
	movb $0x55, %al
vmx_st_out6:
	outb %al, $0xe9			/* after a spin with IF=0 */

	/* CPUID round trips, timed with the TSC (instructions under Bochs). */
	rdtsc
	movl %eax, %esi
	movl %edx, %edi
	movw $BENCH_ROUNDS, %bp
1:	xorl %eax, %eax
	cpuid
	decw %bp
	jnz 1b
	rdtsc
	subl %esi, %eax
	sbbl %edi, %edx
vmx_st_hlt:
	hlt				/* EDX:EAX = ticks for all rounds */

vmx_st_isr:				/* IVT entry 0x20 */
	movb $0x21, %al
vmx_st_out2:
	outb %al, $0xe9
	iret
vmx_st_guest_end:
	.code64
	.balign 4
vmx_st_bench_rounds:
	.long BENCH_ROUNDS
	.section .note.GNU-stack, "", @progbits
