// SPDX-License-Identifier: MIT
#include "core/fpu.h"

#include <stdbool.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"

#define CR4_OSXSAVE (1ul << 18)
/* XCR0 bits Keel saves: x87, SSE, AVX, AVX-512 (opmask, ZMM hi). */
#define XCR0_WANTED 0xe7ull

static bool fpu_xsave;
static uint64_t fpu_xcr0;
static size_t fpu_size = 512; /* FXSAVE */
static void *fpu_clean;	      /* the state right after FNINIT */

void fpu_init_cpu(void)
{
	if (fpu_xsave) {
		cpu_write_cr4(cpu_read_cr4() | CR4_OSXSAVE);
		cpu_xsetbv(0, fpu_xcr0);
	}
}

void fpu_init(void)
{
	/* Intel SDM vol. 1, 13.2: CPUID.1:ECX.XSAVE, leaf 0xD sub-leaf 0. */
	fpu_xsave = cpu_cpuid(1, 0).ecx & (1u << 26);
	if (fpu_xsave) {
		fpu_xcr0 = cpu_cpuid(0xd, 0).eax & XCR0_WANTED;
		fpu_init_cpu();
		fpu_size = cpu_cpuid(0xd, 0).ebx; /* for XCR0 as now set */
	}
	fpu_clean = fpu_area_alloc();
	if (!fpu_clean)
		panic("fpu: no memory for the initial state");
	asm volatile("fninit");
	fpu_save(fpu_clean);
	log_info("fpu: %s, XCR0 %#llx, %zu-byte save area per thread",
		 fpu_xsave ? "XSAVE" : "FXSAVE", (unsigned long long)fpu_xcr0,
		 fpu_size);
}

size_t fpu_area_size(void)
{
	return fpu_size;
}

void *fpu_area_alloc(void)
{
	/* XSAVE needs 64-byte alignment (SDM vol. 1, 13.4). */
	void *a = memalign(64, fpu_size);

	if (a) {
		memset(a, 0, fpu_size);
		if (fpu_clean)
			memcpy(a, fpu_clean, fpu_size);
	}
	return a;
}

void fpu_area_free(void *area)
{
	free(area);
}

void fpu_save(void *area)
{
	if (fpu_xsave)
		asm volatile("xsave64 (%0)" ::"r"(area), "a"(-1), "d"(-1)
			     : "memory");
	else
		asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (fpu_xsave)
		asm volatile("xrstor64 (%0)" ::"r"(area), "a"(-1), "d"(-1)
			     : "memory");
	else
		asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* The area comes from sched_init_cpu(): no allocation in an interrupt. */
void fpu_begin(void)
{
	fpu_save(this_cpu()->fpu_irq_area);
}

void fpu_end(void)
{
	fpu_restore(this_cpu()->fpu_irq_area);
}

void fpu_xcr0_enter(uint64_t guest)
{
	if (fpu_xsave && guest && guest != fpu_xcr0)
		cpu_xsetbv(0, guest);
}

void fpu_xcr0_leave(uint64_t *guest)
{
	uint64_t live;

	if (!fpu_xsave)
		return;
	live = cpu_xgetbv(0);
	if (*guest)
		*guest = live;
	if (live != fpu_xcr0)
		cpu_xsetbv(0, fpu_xcr0);
}
