// SPDX-License-Identifier: MIT
/*
 * Kernel command-line parsing (ARCHITECTURE.md section 8).
 * UNIT_SRCS: core/cmdline.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "unit.h"

/* In the kernel, the linker builds this table from CMDLINE_OPTION. */
const struct cmdline_option *cmdline_options(size_t *n)
{
	static const struct cmdline_option opts[] = { { "keel.ip", "" },
						       { "keel.selftest", "" } };
	*n = 2;
	return opts;
}

UNIT_TEST(cmdline_values_and_flags)
{
	const char *cl = "  keel.ip=10.0.2.15/24,gw=10.0.2.2 keel.selftest\tquiet";
	char v[64];

	UNIT_CHECK(cmdline_find(cl, "keel.ip", v, sizeof(v)) == 24);
	UNIT_CHECK_STR(v, "10.0.2.15/24,gw=10.0.2.2");
	UNIT_CHECK(cmdline_find(cl, "keel.selftest", v, sizeof(v)) == 0);
	UNIT_CHECK_STR(v, "");
	UNIT_CHECK(cmdline_find(cl, "quiet", v, sizeof(v)) == 0);
	UNIT_CHECK(cmdline_find(cl, "keel", v, sizeof(v)) == -ENOENT);
	UNIT_CHECK(cmdline_find(cl, "keel.i", v, sizeof(v)) == -ENOENT);
	UNIT_CHECK(cmdline_find("", "keel.ip", v, sizeof(v)) == -ENOENT);
}

UNIT_TEST(cmdline_last_wins_and_overflow)
{
	char v[8];

	UNIT_CHECK(cmdline_find("a=1 a=22", "a", v, sizeof(v)) == 2);
	UNIT_CHECK_STR(v, "22");
	UNIT_CHECK(cmdline_find("a=123456789", "a", v, sizeof(v)) == -ENOSPC);
}

static int warned;
static char last[256];
static void sink_fn(enum log_level l, const char *s, size_t n)
{
	if (l == LOG_WARN) {
		warned++;
		snprintf(last, sizeof(last), "%.*s", (int)n, s);
	}
}
static struct log_sink sink = { .name = "t", .write_line = sink_fn };

UNIT_TEST(cmdline_unknown_keel_options_logged)
{
	char v[16];

	log_add_sink(&sink);
	cmdline_apply("keel.ip=dhcp keel.bogus=1 other.thing keel.selftest");
	UNIT_CHECK(warned == 1);
	UNIT_CHECK_STR(last, "cmdline: unknown option \"keel.bogus=1\" ignored");
	UNIT_CHECK(cmdline_get("keel.ip", v, sizeof(v)) == 4);
	UNIT_CHECK_STR(v, "dhcp");
}
