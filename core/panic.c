// SPDX-License-Identifier: MIT
#include "core/panic.h"

#include <stdarg.h>
#include <stddef.h>

#include "core/cpu.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/smp.h"

/*
 * Text symbols of the kernel itself, sorted by address, generated from the
 * first link by tools/ksyms.py (see the Makefile's two-pass link).
 */
extern const uint64_t ksyms_addr[];
extern const uint32_t ksyms_name_off[];
extern const char ksyms_names[];
extern const uint32_t ksyms_count;

const char *panic_symbol(uint64_t addr, char *buf, unsigned int size)
{
	extern char __text_start[], __text_end[];
	uint32_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end ||
	    !ksyms_count) {
		fmt_snprintf(buf, size, "?");
		return buf;
	}
	while (hi - lo > 1) { /* last symbol at or below addr */
		uint32_t mid = (lo + hi) / 2;
		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_addr[lo] > addr)
		fmt_snprintf(buf, size, "?");
	else
		fmt_snprintf(buf, size, "%s+%#llx", ksyms_names + ksyms_name_off[lo],
			     (unsigned long long)(addr - ksyms_addr[lo]));
	return buf;
}

void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	char sym[96];
	const uint64_t *fp = (const uint64_t *)rbp;

	log_err("  backtrace:");
	log_err("    %016llx %s", (unsigned long long)rip,
		panic_symbol(rip, sym, sizeof(sym)));
	/* Every C file keeps frame pointers; stop at anything implausible. */
	for (int i = 0; i < 32 && fp && ((uint64_t)fp & 7) == 0 &&
			(uint64_t)fp >= 0xffff800000000000ull;
	     i++) {
		uint64_t ret = fp[1];
		if (!ret)
			break;
		log_err("    %016llx %s", (unsigned long long)ret,
			panic_symbol(ret, sym, sizeof(sym)));
		if (fp[0] <= (uint64_t)fp) /* frames only go up the stack */
			break;
		fp = (const uint64_t *)fp[0];
	}
}

static int panic_active;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_active, __ATOMIC_ACQUIRE);
}

void panic_halt(void)
{
	__atomic_store_n(&panic_active, 1, __ATOMIC_RELEASE);
	smp_stop_others();
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	asm volatile("cli");
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("PANIC: %s", msg);
	panic_backtrace((uint64_t)__builtin_return_address(0),
			(uint64_t)__builtin_frame_address(0));
	log_err("PANIC: system halted");
	panic_halt();
}
