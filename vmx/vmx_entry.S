/* SPDX-License-Identifier: MIT */
/*
 * int vmx_enter(struct vcpu_gprs *g, bool launched)
 *
 * Called with interrupts off and this vCPU's VMCS current. Loads the
 * guest's general registers from *g (RSP and RIP live in the VMCS),
 * records this stack in HOST_RSP and enters with VMLAUNCH or VMRESUME
 * (SDM vol. 3C 31.3). A VM exit lands at vmx_exit_stub (HOST_RIP) with
 * RSP as recorded and every general register still the guest's
 * (27.5: only RSP, RIP and the state in the VMCS are loaded); the stub
 * saves them back to *g and returns 0. If the instruction fails instead,
 * it falls through with CF (VMfailInvalid: return 1) or ZF (VMfailValid,
 * reason in VMCS_INSN_ERROR: return 2) set.
 */
#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RSP 32
#define G_RBP 40
#define G_RSI 48
#define G_RDI 56
#define G_R8 64
#define G_R9 72
#define G_R10 80
#define G_R11 88
#define G_R12 96
#define G_R13 104
#define G_R14 112
#define G_R15 120

#define VMCS_HOST_RSP 0x6c14

	.text
	.globl vmx_enter
	.type vmx_enter, @function
vmx_enter:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* the gprs block, found again at exit */

	movl $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jna 3f				/* no current VMCS: fail as VMLAUNCH would */

	testb %sil, %sil		/* flags survive the MOVs below */
	movq G_RAX(%rdi), %rax
	movq G_RCX(%rdi), %rcx
	movq G_RDX(%rdi), %rdx
	movq G_RBX(%rdi), %rbx
	movq G_RBP(%rdi), %rbp
	movq G_RSI(%rdi), %rsi
	movq G_R8(%rdi), %r8
	movq G_R9(%rdi), %r9
	movq G_R10(%rdi), %r10
	movq G_R11(%rdi), %r11
	movq G_R12(%rdi), %r12
	movq G_R13(%rdi), %r13
	movq G_R14(%rdi), %r14
	movq G_R15(%rdi), %r15
	movq G_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 3f
1:	vmresume
3:	/* VM entry failed: CF or ZF says which; guest values in registers. */
	movl $2, %eax
	movl $1, %ecx
	cmovcl %ecx, %eax
	jmp 4f

	.globl vmx_exit_stub
	.type vmx_exit_stub, @function
vmx_exit_stub:
	/* RSP is what vmx_enter recorded: (%rsp) is the gprs block. */
	pushq %rax
	movq 8(%rsp), %rax
	movq %rcx, G_RCX(%rax)
	movq %rdx, G_RDX(%rax)
	movq %rbx, G_RBX(%rax)
	movq %rbp, G_RBP(%rax)
	movq %rsi, G_RSI(%rax)
	movq %rdi, G_RDI(%rax)
	movq %r8, G_R8(%rax)
	movq %r9, G_R9(%rax)
	movq %r10, G_R10(%rax)
	movq %r11, G_R11(%rax)
	movq %r12, G_R12(%rax)
	movq %r13, G_R13(%rax)
	movq %r14, G_R14(%rax)
	movq %r15, G_R15(%rax)
	popq G_RAX(%rax)
	xorl %eax, %eax
4:
	/* No guest value survives in a register the caller may read. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	addq $8, %rsp			/* the gprs block pointer */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size vmx_enter, . - vmx_enter
	.section .note.GNU-stack, "", @progbits
