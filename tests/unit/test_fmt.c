// SPDX-License-Identifier: MIT
/*
 * The kernel formatter must agree with the C library's snprintf on every
 * conversion the kernel uses, and never write past the buffer.
 * UNIT_SRCS: core/fmt.c
 */
#include <stdint.h>
#include <stdio.h>

#include "core/fmt.h"
#include "unit.h"

#define SAME(...)                                                           \
	do {                                                                \
		char a[128], b[128];                                        \
		int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);           \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);               \
		UNIT_CHECK_STR(a, b);                                       \
		UNIT_CHECK(na == nb);                                       \
	} while (0)

UNIT_TEST(fmt_integers_match_libc)
{
	SAME("%d %i %u", -42, 7, 4000000000u);
	SAME("%ld %lu %lld %llu", -1L, ~0UL, (long long)INT64_MIN, ~0ULL);
	SAME("%x %X %#x %#X %o %#o", 0xbeef, 0xbeef, 255, 255, 8, 8);
	SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, -42, 42, 42);
	SAME("%.3d|%8.3d|%-8.3x|%#010x", 7, 7, 0xa, 0x1234);
	SAME("%hhu %hd %zu %zd", 300, 70000, (size_t)123, (ssize_t)-5);
	SAME("%.0d|%.0x|%#.0o", 0, 0, 0);
	SAME("%#018llx", 0xffffffff80200000ull);
	SAME("%*d|%-*d|%.*d", 6, 1, 6, 2, 4, 3);
}

UNIT_TEST(fmt_strings_and_chars_match_libc)
{
	SAME("%s|%10s|%-10s|%.2s|%.*s", "keel", "keel", "keel", "keel", 3,
	     "keel");
	SAME("%c%c%c %%", 'K', 'e', 'l');
	SAME("%p", (void *)0x1234);
}

UNIT_TEST(fmt_truncates_and_reports_full_length)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	UNIT_CHECK(fmt_snprintf(buf, 5, "hello world") == 11);
	UNIT_CHECK_STR(buf, "hell");
	UNIT_CHECK(buf[5] == 'Z'); /* nothing past the size given */
	UNIT_CHECK(fmt_snprintf(NULL, 0, "%d", 12345) == 5);
}

/* Deliberately malformed formats: the compiler would reject them. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
UNIT_TEST(fmt_null_string_and_bad_conversions)
{
	char buf[32];

	fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	UNIT_CHECK_STR(buf, "(null)");
	fmt_snprintf(buf, sizeof(buf), "a%qb");
	UNIT_CHECK_STR(buf, "a%qb");
	fmt_snprintf(buf, sizeof(buf), "end%");
	UNIT_CHECK_STR(buf, "end");
}
