// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "unit.h"

static struct unit_test *unit_head, **unit_tail = &unit_head;
static int unit_failed_checks;

void unit_register(struct unit_test *t)
{
	*unit_tail = t; /* keep file order */
	unit_tail = &t->next;
}

void unit_fail(const char *file, int line, const char *what)
{
	printf("  %s:%d: check failed: %s\n", file, line, what);
	unit_failed_checks++;
}

int main(void)
{
	int failed = 0;

	for (struct unit_test *t = unit_head; t; t = t->next) {
		unit_failed_checks = 0;
		/* Print the name first so a crash still names the test. */
		printf("RUN  %s\n", t->name);
		fflush(stdout);
		t->fn();
		printf("%s %s\n", unit_failed_checks ? "FAIL" : "PASS", t->name);
		failed += unit_failed_checks != 0;
	}
	return failed ? 1 : 0;
}
