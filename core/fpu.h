/* SPDX-License-Identifier: MIT */
/*
 * Extended (x87/SSE/AVX...) state policy (ARCHITECTURE.md section 3).
 * Keel's own code never touches it (-mgeneral-regs-only), but the
 * libraries do (newlib, lwIP, SQLite, mbedTLS use SSE even for struct
 * copies) and so will guests. Every thread owns an XSAVE area, saved and
 * restored eagerly on each context switch, so threads may call library
 * code freely. Interrupt handlers run on the interrupted thread's state:
 * one that must call library code brackets it with fpu_begin()/fpu_end().
 */
#ifndef KEEL_CORE_FPU_H
#define KEEL_CORE_FPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Boot CPU: enable XSAVE (CR4.OSXSAVE, XCR0) and size the save area. */
void fpu_init(void);
/* Same settings on an application processor. */
void fpu_init_cpu(void);
/* Bytes of one save area (CPUID 0xD for the enabled XCR0 features). */
size_t fpu_area_size(void);
/* A save area holding the clean initial state; NULL when out of memory. */
void *fpu_area_alloc(void);
void fpu_area_free(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);
/*
 * Load a guest's XCR0 for its run (true if it differs from the host's and
 * was loaded) and the host's back after the exit. Only with interrupts
 * held: host code, context switches included, never runs with a guest's
 * XCR0, so no read of the current value is needed on this path.
 */
bool fpu_xcr0_enter(uint64_t guest);
void fpu_xcr0_exit(bool switched);
/*
 * After an exit where the guest may have written XCR0 without an exit
 * (QEMU's AMD-V does not intercept XSETBV): return the XCR0 the guest
 * left (0 without XSAVE) and load the host's if it differs.
 */
uint64_t fpu_xcr0_leave(void);
/* Bracket for library code in interrupt context (not nestable). */
void fpu_begin(void);
void fpu_end(void);

#endif
