/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own formatter. Logging must work from exception context and
 * before the heap exists, so it cannot go through newlib's printf (which may
 * allocate and uses SSE for %f). Integer and string conversions only.
 */
#ifndef KEEL_CORE_FMT_H
#define KEEL_CORE_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
