/* SPDX-License-Identifier: MIT */
/*
 * void svm_enter(uint64_t vmcb_pa, struct vcpu_gprs *g, uint64_t host_pa)
 *
 * Called with GIF=0 and host RFLAGS.IF=1 (so a physical interrupt ends
 * the guest's run: with the INTR intercept and V_INTR_MASKING, the host
 * IF decides, APM vol. 2 15.21.1). VMRUN saves and restores only part of
 * the host state; VMSAVE/VMLOAD swap the rest (FS, GS, TR, LDTR, the
 * syscall MSRs, KernelGSBase: Keel's per-CPU GS base), as KVM does:
 * vmsave host; vmload guest; vmrun; vmsave guest; vmload host.
 * RAX and RSP of the guest live in the VMCB; the others in *g.
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

	.text
	.globl svm_enter
svm_enter:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* host save area PA */
	pushq %rsi			/* the gprs block */
	pushq %rdi			/* VMCB PA */

	movq %rdx, %rax
	vmsave %rax			/* host FS/GS/TR/LDTR/MSRs */

	movq G_RCX(%rsi), %rcx
	movq G_RDX(%rsi), %rdx
	movq G_RBX(%rsi), %rbx
	movq G_RBP(%rsi), %rbp
	movq G_RDI(%rsi), %rdi
	movq G_R8(%rsi), %r8
	movq G_R9(%rsi), %r9
	movq G_R10(%rsi), %r10
	movq G_R11(%rsi), %r11
	movq G_R12(%rsi), %r12
	movq G_R13(%rsi), %r13
	movq G_R14(%rsi), %r14
	movq G_R15(%rsi), %r15
	movq G_RSI(%rsi), %rsi

	movq (%rsp), %rax		/* VMCB PA */
	vmload %rax
	vmrun %rax
	vmsave %rax

	/* Guest registers are live: free RAX by parking guest RSI. */
	pushq %rsi
	movq 16(%rsp), %rsi		/* the gprs block */
	movq %rcx, G_RCX(%rsi)
	movq %rdx, G_RDX(%rsi)
	movq %rbx, G_RBX(%rsi)
	movq %rbp, G_RBP(%rsi)
	movq %rdi, G_RDI(%rsi)
	movq %r8, G_R8(%rsi)
	movq %r9, G_R9(%rsi)
	movq %r10, G_R10(%rsi)
	movq %r11, G_R11(%rsi)
	movq %r12, G_R12(%rsi)
	movq %r13, G_R13(%rsi)
	movq %r14, G_R14(%rsi)
	movq %r15, G_R15(%rsi)
	popq %rax
	movq %rax, G_RSI(%rsi)

	addq $16, %rsp			/* VMCB PA, gprs */
	popq %rax			/* host save area PA */
	vmload %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
