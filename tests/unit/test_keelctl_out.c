// SPDX-License-Identifier: MIT
// clang-format off
/*
 * What keelctl prints: sizes and durations a person reads at a glance,
 * tables whose columns line up (numbers to the right, UTF-8 names
 * counted by characters), "key: value" blocks that still show fields a
 * newer server adds, --json exactly the result, and the progress bar's
 * percent, rate and ETA.
 * (clang-format is off here: the UNIT_SRCS line must stay one line.)
 * UNIT_SRCS: client/out.c client/progress.c client/util.c mgmt/json.c mgmt/json_write.c
 */
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/out.h"
#include "client/progress.h"
#include "unit.h"

static char *capture_buf;
static size_t capture_len;

static FILE *capture(void)
{
	free(capture_buf);
	capture_buf = NULL;
	return open_memstream(&capture_buf, &capture_len);
}

static struct json *parse(const char *s)
{
	struct json_error e;
	struct json *j = json_parse(s, strlen(s), 0, &e);

	if (!j)
		printf("  parse: %s at %zu\n", e.msg, e.offset);
	return j;
}

UNIT_TEST(bytes_and_durations)
{
	char b[32];

	kc_fmt_bytes(0, b, sizeof(b));
	UNIT_CHECK_STR(b, "0 B");
	kc_fmt_bytes(1023, b, sizeof(b));
	UNIT_CHECK_STR(b, "1023 B");
	kc_fmt_bytes(1536, b, sizeof(b));
	UNIT_CHECK_STR(b, "1.5 KiB");
	kc_fmt_bytes(1048575, b, sizeof(b));
	UNIT_CHECK_STR(b, "1.0 MiB"); /* rounds up into the next unit */
	kc_fmt_bytes(27u << 20, b, sizeof(b));
	UNIT_CHECK_STR(b, "27.0 MiB");
	kc_fmt_bytes(3435973837ull, b, sizeof(b));
	UNIT_CHECK_STR(b, "3.2 GiB");
	kc_fmt_bytes(UINT64_MAX, b, sizeof(b));
	UNIT_CHECK_STR(b, "16.0 EiB");
	kc_fmt_duration(45, b, sizeof(b));
	UNIT_CHECK_STR(b, "45s");
	kc_fmt_duration(303, b, sizeof(b));
	UNIT_CHECK_STR(b, "5m 03s");
	kc_fmt_duration(7620, b, sizeof(b));
	UNIT_CHECK_STR(b, "2h 07m");
	kc_fmt_duration(3 * 86400 + 4 * 3600 + 59, b, sizeof(b));
	UNIT_CHECK_STR(b, "3d 04h");
}

UNIT_TEST(table_columns_line_up)
{
	struct json *j = parse("[{\"name\":\"web1\",\"state\":\"running\","
			       "\"vcpus\":2,\"memory_mb\":512},"
			       "{\"name\":\"d\xc3\xa9j\xc3\xa0\",\"state\":"
			       "\"stopped\",\"vcpus\":16,\"memory_mb\":4096,"
			       "\"autostart\":true}]");
	const struct kc_col cols[] = {
		{ "name", "NAME", KC_F_TEXT, false },
		{ "state", "STATE", KC_F_TEXT, false },
		{ "vcpus", "VCPUS", KC_F_TEXT, true },
		{ "memory_mb", "MEMORY", KC_F_MIB, true },
		{ "autostart", "AUTOSTART", KC_F_TEXT, false },
		{ 0 },
	};
	FILE *f = capture();

	kc_out_list(j, cols, "No VMs.", f);
	fclose(f);
	UNIT_CHECK_STR(capture_buf,
		       "NAME  STATE    VCPUS     MEMORY  AUTOSTART\n"
		       "web1  running      2  512.0 MiB  -\n"
		       "d\xc3\xa9j\xc3\xa0  stopped     16    4.0 GiB  yes\n");
	json_free(j);
	j = parse("[]");
	f = capture();
	kc_out_list(j, cols, "No VMs.", f);
	fclose(f);
	UNIT_CHECK_STR(capture_buf, "No VMs.\n");
	json_free(j);
}

UNIT_TEST(table_cells_stay_on_one_line)
{
	struct kc_table t;
	const char *row[2] = { "a\nb", "x\ty" };
	FILE *f = capture();

	kc_table_init(&t);
	kc_table_col(&t, "A", false);
	kc_table_col(&t, "B", false);
	kc_table_row(&t, row);
	kc_table_print(&t, f);
	kc_table_free(&t);
	fclose(f);
	UNIT_CHECK_STR(capture_buf, "A    B\na b  x y\n");

	/* Empty trailing cells leave no spaces at the end of the line. */
	const char *r2[3] = { "x", "", "" };
	f = capture();
	kc_table_init(&t);
	kc_table_col(&t, "NAME", false);
	kc_table_col(&t, "N", true);
	kc_table_col(&t, "WHY", false);
	kc_table_row(&t, r2);
	kc_table_print(&t, f);
	kc_table_free(&t);
	fclose(f);
	UNIT_CHECK_STR(capture_buf, "NAME  N  WHY\nx\n");
}

UNIT_TEST(object_block)
{
	struct json *j = parse("{\"name\":\"web1\",\"memory_mb\":256,"
			       "\"run_time_ms\":65000,\"new_field\":\"x\","
			       "\"exits\":{\"io\":10,\"cpuid\":3},"
			       "\"kernel\":null}");
	const struct kc_col cols[] = {
		{ "name", "Name", KC_F_TEXT, false },
		{ "memory_mb", "Memory", KC_F_MIB, false },
		{ 0 },
	};
	FILE *f = capture();

	kc_out_object(j, cols, f);
	fclose(f);
	UNIT_CHECK_STR(capture_buf, "Name:      web1\n"
				    "Memory:    256.0 MiB\n"
				    "Run time:  1m 05s\n"
				    "New field: x\n"
				    "Exits:\n"
				    "  I/O:   10\n"
				    "  CPUID: 3\n"
				    "Kernel:    -\n");
	json_free(j);
}

UNIT_TEST(json_output_is_the_result)
{
	const char *in = "{\"b\":[1,true,null,\"\\u00e9\\n\"],\"a\":-5}";
	struct json *j = parse(in);
	FILE *f = capture();

	kc_out_json(j, f);
	fclose(f);
	/* Compact, one line, members in the server's order. */
	UNIT_CHECK_STR(capture_buf,
		       "{\"b\":[1,true,null,\"\xc3\xa9\\n\"],\"a\":-5}\n");
	json_free(j);
}

UNIT_TEST(eta_and_rate)
{
	char b[32];

	kc_fmt_eta(4, true, b, sizeof(b));
	UNIT_CHECK_STR(b, "0:04");
	kc_fmt_eta(750, true, b, sizeof(b));
	UNIT_CHECK_STR(b, "12:30");
	kc_fmt_eta(3723, true, b, sizeof(b));
	UNIT_CHECK_STR(b, "1:02:03");
	kc_fmt_eta(5, false, b, sizeof(b));
	UNIT_CHECK_STR(b, "--:--");
	kc_fmt_eta(1000 * 3600, true, b, sizeof(b));
	UNIT_CHECK_STR(b, "--:--");
	UNIT_CHECK(kc_prog_rate(1 << 20, 50000000ull) == 0); /* too soon */
	UNIT_CHECK(kc_prog_rate(4 << 20, 2000000000ull) == 2 << 20);
	UNIT_CHECK(kc_prog_rate(UINT64_MAX / 2, 1000000000ull) ==
		   UINT64_MAX / 2);
}

UNIT_TEST(progress_line)
{
	char line[256];

	/* 12 of 27 MiB at 4 MiB/s: 44%, 15 MiB left: ETA 4 s. */
	kc_prog_format(line, sizeof(line), "vmlinuz", 12u << 20, 27u << 20,
		       4u << 20, 79);
	UNIT_CHECK_STR(line, "vmlinuz  44% [##########              ] "
			     "12.0 MiB/27.0 MiB  4.0 MiB/s  ETA 0:04");
	UNIT_CHECK(strlen(line) <= 79);
	/* Done; unknown rate; a narrow terminal drops the bar. */
	kc_prog_format(line, sizeof(line), "f", 10, 10, 0, 79);
	UNIT_CHECK(strstr(line, "100% [########") != NULL);
	UNIT_CHECK(strstr(line, "--/s  ETA 0:00") != NULL);
	kc_prog_format(line, sizeof(line), "f", 0, 10, 0, 30);
	UNIT_CHECK_STR(line, "f   0% 0 B/10 B  --/s  ETA --:--");
	/* An empty file is complete. */
	kc_prog_format(line, sizeof(line), "f", 0, 0, 0, 30);
	UNIT_CHECK(strstr(line, "100%") != NULL);
}

UNIT_TEST(labels_from_member_names)
{
	char label[64];
	enum kc_fmt f;

	kc_fmt_guess("memory_total_mb", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "Memory total");
	UNIT_CHECK(f == KC_F_MIB);
	kc_fmt_guess("tx_bytes", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "TX");
	UNIT_CHECK(f == KC_F_BYTES);
	kc_fmt_guess("sha256_bytes", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "SHA-256");
	kc_fmt_guess("vms", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "VMs");
	UNIT_CHECK(f == KC_F_TEXT);
	kc_fmt_guess("speed_mbps", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "Speed Mb/s");
	kc_fmt_guess("uptime_ms", &f, label, sizeof(label));
	UNIT_CHECK_STR(label, "Uptime");
	UNIT_CHECK(f == KC_F_MS);
	kc_fmt_guess("a_very_long_member_name_that_goes_on", &f, label, 12);
	UNIT_CHECK(strlen(label) == 11);
}
