/* SPDX-License-Identifier: MIT */
/*
 * For the SIMD-preservation self-test (core/selftest_core.c): Keel's C is
 * built without SSE, so filling and checking XMM registers takes assembly.
 *
 * void selftest_simd_fill(uint64_t seed): XMMi = {seed + i, ~(seed + i)}
 * uint64_t selftest_simd_check(uint64_t seed): bit i set if XMMi differs
 */
	.text
	.globl selftest_simd_fill, selftest_simd_check
selftest_simd_fill:
	subq $16, %rsp
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	leaq \i(%rdi), %rax
	movq %rax, (%rsp)
	notq %rax
	movq %rax, 8(%rsp)
	movdqu (%rsp), %xmm\i
	.endr
	addq $16, %rsp
	ret

selftest_simd_check:
	subq $16, %rsp
	xorl %ecx, %ecx			/* result */
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\i, (%rsp)
	leaq \i(%rdi), %rax
	cmpq %rax, (%rsp)
	jne 1f
	notq %rax
	cmpq %rax, 8(%rsp)
	je 2f
1:	btsq $\i, %rcx
2:
	.endr
	movq %rcx, %rax
	addq $16, %rsp
	ret

	.section .note.GNU-stack, "", @progbits
