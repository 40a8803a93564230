/* SPDX-License-Identifier: MIT */
/*
 * A minimal unit-test harness for host-built tests of kernel logic.
 * UNIT_TEST(name) { ... } registers a test; UNIT_CHECK(cond) records a
 * failure and goes on. Each test prints one line `PASS name` or
 * `FAIL name` after a line per failed check, which tests/run.py counts.
 */
#ifndef KEEL_TESTS_UNIT_H
#define KEEL_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *what);

#define UNIT_TEST(name)                                                     \
	static void unit_fn_##name(void);                                   \
	static struct unit_test unit_t_##name = { #name, unit_fn_##name,    \
						  NULL };                   \
	__attribute__((constructor)) static void unit_reg_##name(void)      \
	{                                                                   \
		unit_register(&unit_t_##name);                              \
	}                                                                   \
	static void unit_fn_##name(void)

#define UNIT_CHECK(cond)                                                    \
	do {                                                                \
		if (!(cond))                                                \
			unit_fail(__FILE__, __LINE__, #cond);               \
	} while (0)

#define UNIT_CHECK_STR(a, b)                                                \
	do {                                                                \
		const char *unit_a = (a), *unit_b = (b);                    \
		if (strcmp(unit_a, unit_b)) {                               \
			char unit_msg[4096];                                 \
			snprintf(unit_msg, sizeof(unit_msg), \
				 "%s == %s (\"%.1000s\" vs \"%.1000s\")", #a, #b, \
				 unit_a, unit_b);                           \
			unit_fail(__FILE__, __LINE__, unit_msg);            \
		}                                                           \
	} while (0)

#endif
