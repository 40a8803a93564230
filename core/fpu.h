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
 * Around a guest run, with interrupts held (host code, context switches
 * included, never runs with a guest's XCR0): enter loads @guest (0: the
 * vCPU has no XCR0 of its own) if it differs from the host's; leave loads
 * the host's back and stores in *@guest what the guest left there. The
 * XSETBV intercept is not honoured everywhere (QEMU's AMD-V lets the
 * guest write XCR0 itself), so the value is read back, never assumed.
 */
void fpu_xcr0_enter(uint64_t guest);
void fpu_xcr0_leave(uint64_t *guest);
/* Bracket for library code in interrupt context (not nestable). */
void fpu_begin(void);
void fpu_end(void);

#endif
