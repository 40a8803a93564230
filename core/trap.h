/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_TRAP_H
#define KEEL_CORE_TRAP_H

#include <stdint.h>

/* Stack layout built by core/trap_entry.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void trap_init(void);
void trap_init_ist(void);
void trap_load_idt(void);
void trap_dispatch(struct trap_frame *f);

#endif
