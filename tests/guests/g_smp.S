/* SPDX-License-Identifier: MIT */
/*
 * Test guest with several vCPUs: the BSP starts the APs with INIT and
 * SIPI through its local APIC (SDM 3A 9.4.4), each AP checks in from real
 * mode at 0x9000, all wait for the BSP's "go" together (so they are alive
 * at the same time) and then make exits in parallel. Same port protocol.
 */
#define APIC 0xfee00000
#define ARRIVED 0x600	/* APs that started */
#define GO 0x604
#define DONE 0x608
#define SEEN 0x610	/* one word per APIC ID: 0xa5 when that AP ran */

	.include "boot64.inc"

	.code64
main64:
	movl $0, ARRIVED
	movl $0, GO
	movl $0, DONE

	/* 1: our own local APIC: ID 0, an integrated APIC's version */
	movw $1, %bp
	movl $APIC, %esi		/* above 2 GiB: no disp32 reaches it */
	movl 0x20(%rsi), %eax
	shrl $24, %eax
	cmpl $0, %eax
	jne fail
	movl 0x30(%rsi), %eax
	cmpb $0x14, %al
	jne fail

	/* 5: leaf 0BH says 4 cores, this one x2APIC ID 0 */
	movw $5, %bp
	movl $0xb, %eax
	movl $1, %ecx
	cpuid
	cmpl $4, %ebx
	jne fail
	testl %edx, %edx
	jne fail

	/* How many CPUs: CPUID.1:EBX[23:16]. */
	movl $1, %eax
	cpuid
	shrl $16, %ebx
	movzbl %bl, %r12d
	decl %r12d			/* APs */

	/* 2: INIT, then SIPI with vector 9 (0x9000), to all but ourselves */
	movw $2, %bp
	movl $0x000c4500, 0x300(%rsi)
	movl $0x000c4609, 0x300(%rsi)
	movl $200000000, %ecx
3:	cmpl %r12d, ARRIVED
	je 4f
	pause
	decl %ecx
	jnz 3b
	jmp fail
4:
	/* 3: every AP runs at once: release them, wait for all */
	movw $3, %bp
	movl $1, GO
	movl $200000000, %ecx
5:	cmpl %r12d, DONE
	je 6f
	pause
	decl %ecx
	jnz 5b
	jmp fail
6:
	/* 4: each AP saw its own APIC ID */
	movw $4, %bp
	movl $1, %edi
7:	cmpl %r12d, %edi
	ja 8f
	cmpl $0xa5, SEEN(,%rdi,4)
	jne fail
	incl %edi
	jmp 7b
8:
	movl %r12d, %eax
	outl %eax, $0xf5
	xorl %eax, %eax
	outl %eax, $0xf4
	hlt

fail:
	movzwl %bp, %eax
	outl %eax, $0xf4
	hlt

	/* The APs' start page: 0x9000, real mode, CS = 0x0900. */
	.org 0x1000
	.code16
ap_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lock incl ARRIVED
1:	cmpl $1, GO
	je 2f
	pause
	jmp 1b
2:	movl $1, %eax
	cpuid				/* an exit, and our initial APIC ID */
	shrl $24, %ebx
	shlw $2, %bx
	movl $0xa5, SEEN(%bx)
	movw $100, %cx
3:	pushw %cx
	xorl %eax, %eax
	cpuid
	popw %cx
	loop 3b
	lock incl DONE
	cli
	hlt
