// SPDX-License-Identifier: MIT
/*
 * The console layer (drivers/console.c) against a fake screen and a fake
 * serial line: both show what was drawn, only changes are sent, log
 * lines are held from serial in screen mode and written exactly once on
 * leaving, keel.serial=log keeps the line a log.
 * UNIT_SRCS: drivers/console.c core/log.c core/fmt.c core/cmdline.c tests/unit/host_time.c
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "drivers/console.h"
#include "drivers/serial.h"
#include "unit.h"

const struct cmdline_option *cmdline_options(size_t *n)
{
	static const struct cmdline_option opts[] = { { "keel.serial", "" } };
	*n = 1;
	return opts;
}

bool panic_in_progress(void)
{
	return false;
}

/* ---- the fake serial line: raw bytes and log lines ---- */

static char ser_out[65536];
static size_t ser_n;

void serial_write(const char *s, size_t n)
{
	if (ser_n + n < sizeof(ser_out)) {
		memcpy(ser_out + ser_n, s, n);
		ser_n += n;
	}
}

void serial_log_line(enum log_level level, const char *s, size_t n)
{
	(void)level;
	serial_write(s, n);
	serial_write("\r\n", 2);
}

bool serial_present(void)
{
	return true;
}

/* The serial log sink, as drivers/serial.c has it. */
static void ser_sink_line(enum log_level level, const char *s, size_t n)
{
	uint64_t flags;

	if (con_sink_begin(CON_OUT_SERIAL, &flags))
		serial_log_line(level, s, n);
	con_sink_end(flags);
}

static struct log_sink ser_sink = { .name = "serial",
				    .write_line = ser_sink_line };

/* ---- the fake screen ---- */

static uint16_t scr[CON_ROWS][CON_COLS];
static unsigned int scr_puts, scr_log_lines;
static bool scr_cursor_on;

static void scr_put(int row, int col, uint8_t ch, uint8_t attr)
{
	scr[row][col] = (uint16_t)(attr << 8 | ch);
	scr_puts++;
}

static void scr_cursor(int row, int col, bool visible)
{
	(void)row;
	(void)col;
	scr_cursor_on = visible;
}

static void scr_mode(bool screen)
{
	(void)screen;
}

static void scr_log_line(enum log_level level, const char *s, size_t n)
{
	(void)level;
	(void)s;
	(void)n;
	scr_log_lines++;
}

static const struct con_screen fake_scr = {
	.name = "fake",
	.put = scr_put,
	.cursor = scr_cursor,
	.mode = scr_mode,
	.log_line = scr_log_line,
};

static void setup(const char *cmdline)
{
	static bool once;

	if (!once) {
		log_add_sink(&ser_sink);
		con_register_screen(&fake_scr);
		once = true;
	}
	cmdline_apply(cmdline);
	ser_n = 0;
	scr_puts = scr_log_lines = 0;
}

static bool contains(const char *needle)
{
	return memmem(ser_out, ser_n, needle, strlen(needle)) != NULL;
}

static void draw_demo(void)
{
	con_colour(CON_WHITE, CON_BLUE);
	con_hline(0, 0, CON_COLS, ' ');
	con_move(0, 1);
	con_puts("Title");
	con_colour(CON_LIGHT_GREY, CON_BLACK);
	con_box(4, 10, 5, 20);
	con_move(6, 12);
	con_printf("key %s", "a");
}

UNIT_TEST(console_screen_matches_grid)
{
	setup("");
	UNIT_CHECK(con_enter() == 0);
	UNIT_CHECK(con_enter() == -EBUSY);
	draw_demo();
	con_flush();
	for (int r = 0; r < CON_ROWS; r++)
		for (int c = 0; c < CON_COLS; c++)
			UNIT_CHECK(scr[r][c] == con_cell(r, c));
	UNIT_CHECK(con_cell(0, 1) == (0x1f00 | 'T'));
	UNIT_CHECK(con_cell(4, 10) == (0x0700 | '+'));
	UNIT_CHECK(con_cell(5, 29) == (0x0700 | '|'));
	UNIT_CHECK(con_cell(8, 20) == (0x0700 | '-'));
	/* Serial: cleared, white (97) on blue (44), positioned. */
	UNIT_CHECK(contains("\x1b[2J"));
	UNIT_CHECK(contains("\x1b[0;97;44m Title"));
	UNIT_CHECK(contains("\x1b[7;11H| key a"));
	UNIT_CHECK(contains("key a")); /* a short gap is sent, not skipped */
	UNIT_CHECK(contains("\x1b[?25l"));
	con_leave();
}

UNIT_TEST(console_sends_only_changes)
{
	setup("");
	con_enter();
	draw_demo();
	con_flush();
	size_t full = ser_n;
	ser_n = 0;
	scr_puts = 0;
	con_flush(); /* nothing changed */
	UNIT_CHECK(ser_n == 0);
	UNIT_CHECK(scr_puts == 0);
	con_move(6, 16);
	con_puts("b");
	con_flush();
	UNIT_CHECK(scr_puts == 1);
	UNIT_CHECK(ser_n > 0 && ser_n < 32);
	UNIT_CHECK(contains("\x1b[7;17Hb"));
	/* Ctrl-L: the whole screen again, from a cleared terminal. */
	ser_n = 0;
	con_redraw_serial();
	UNIT_CHECK(contains("\x1b[2J"));
	UNIT_CHECK(contains("\x1b[0;97;44m Title"));
	UNIT_CHECK(contains("\x1b[25;1H"));
	UNIT_CHECK(ser_n > CON_ROWS * CON_COLS && ser_n < full);
	con_leave();
}

UNIT_TEST(console_clips_and_sanitizes)
{
	setup("");
	con_enter();
	con_move(3, CON_COLS - 2);
	con_puts("abcdef");
	con_move(4, 0);
	con_puts("\x1b[2J\xe9");
	con_fill(CON_ROWS - 1, CON_COLS - 1, 5, 5, '#');
	con_box(-3, -3, 2, 2);
	con_flush();
	UNIT_CHECK((con_cell(3, CON_COLS - 2) & 0xff) == 'a');
	UNIT_CHECK((con_cell(3, CON_COLS - 1) & 0xff) == 'b');
	UNIT_CHECK((con_cell(4, 0) & 0xff) == '?'); /* no ESC on the line */
	UNIT_CHECK((con_cell(4, 4) & 0xff) == '?'); /* no Latin-1 either */
	UNIT_CHECK((con_cell(CON_ROWS - 1, CON_COLS - 1) & 0xff) == '#');
	UNIT_CHECK(con_cell(CON_ROWS, 0) == 0);
	UNIT_CHECK(!contains("\x1b[2J\x1b[2J"));
	con_leave();
}

UNIT_TEST(console_holds_log_lines_from_serial)
{
	setup("");
	log_info("before");
	UNIT_CHECK(contains("before\r\n"));
	con_enter();
	ser_n = 0;
	log_info("held one");
	log_info("held two");
	UNIT_CHECK(!contains("held"));
	con_leave();
	const char *one = memmem(ser_out, ser_n, "held one\r\n", 10);
	const char *two = memmem(ser_out, ser_n, "held two\r\n", 10);
	UNIT_CHECK(one && two && one < two);
	UNIT_CHECK(scr_log_lines > 0); /* the screen shows the log again */
	size_t n = ser_n;
	log_info("after");
	UNIT_CHECK(contains("after\r\n"));
	/* Exactly once: no held line written again. */
	UNIT_CHECK(memmem(two + 10, ser_out + ser_n - (two + 10), "held", 4) ==
		   NULL);
	UNIT_CHECK(ser_n == n + strlen("after\r\n"));
}

UNIT_TEST(console_serial_log_mode)
{
	setup("keel.serial=log");
	con_enter();
	ser_n = 0;
	draw_demo();
	con_flush();
	log_info("live line");
	UNIT_CHECK(ser_n == strlen("live line\r\n"));
	UNIT_CHECK(contains("live line\r\n"));
	UNIT_CHECK((scr[0][1] & 0xff) == 'T'); /* the screen still drawn */
	con_leave();
	cmdline_apply("");
}
