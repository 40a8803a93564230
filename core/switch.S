/* SPDX-License-Identifier: MIT */
/*
 * struct thread *sched_switch(struct thread *prev, struct thread *next)
 *
 * Saves the callee-saved registers and RFLAGS (so a thread switched out
 * with interrupts off comes back with them off) on prev's stack, stores
 * RSP in prev->rsp, loads next->rsp and returns on next's stack, with prev
 * in RAX so the new side can finish the switch (core/sched.c).
 */
	.text
	.globl sched_switch
sched_switch:
	pushfq
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)		/* prev->rsp */
	movq (%rsi), %rsp		/* next->rsp */
	movq %rdi, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	popfq
	ret

/*
 * First return of a new thread: sched_switch "returns" here with prev in
 * RAX; thread_start(prev) finishes the switch and calls the thread's code.
 */
	.globl sched_thread_entry
sched_thread_entry:
	movq %rax, %rdi
	xorl %ebp, %ebp			/* ends backtraces */
	andq $-16, %rsp			/* SysV ABI: aligned at the call (libraries use SSE) */
	call thread_start
	ud2

	.section .note.GNU-stack, "", @progbits
