// SPDX-License-Identifier: MIT
/*
 * keel.contest: a small fixed screen drawn through the console layer
 * (drivers/console.h) that echoes each key, so an operator (and the
 * system tests) can check that the VGA/framebuffer screen and a serial
 * terminal show the same thing, before the setup screen relies on it.
 * F10 leaves screen mode and the log scrolls again.
 */
#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/console.h"
#include "drivers/keys.h"

CMDLINE_OPTION(contest, "keel.contest",
	       "draw a console test screen that echoes each key");

static void contest_draw(const char *last, unsigned int count)
{
	con_colour(CON_WHITE, CON_BLUE);
	con_hline(0, 0, CON_COLS, ' ');
	con_move(0, 1);
	con_puts("Keel console test");
	con_move(0, CON_COLS - 8);
	con_printf("%dx%d", CON_COLS, CON_ROWS);

	con_colour(CON_YELLOW, CON_BLACK);
	con_move(2, 2);
	con_puts("Type on the keyboard or the serial line.");

	con_colour(CON_LIGHT_GREY, CON_BLACK);
	con_box(4, 10, 7, 60);
	con_colour(CON_WHITE, CON_BLACK);
	con_move(6, 14);
	con_printf("Last key: %-12s", last);
	con_move(8, 14);
	con_printf("Keys so far: %-6u", count);

	con_colour(CON_BLACK, CON_LIGHT_GREY);
	con_hline(CON_ROWS - 1, 0, CON_COLS, ' ');
	con_move(CON_ROWS - 1, 1);
	con_puts("<F10> Leave screen mode   <Ctrl-L> Repaint (serial)");
	/* The cursor after the key name, as an input field would have it. */
	con_move(6, 24);
	con_flush();
}

static void contest_thread(void *arg)
{
	unsigned int count = 0;
	char buf[8];
	int key;

	(void)arg;
	/* Let the boot thread print "boot complete" before the takeover. */
	thread_sleep_ns(200 * NSEC_PER_MSEC);
	if (con_enter() < 0) {
		log_err("contest: console already in screen mode");
		return;
	}
	log_info("contest: screen mode");
	contest_draw("(none)", 0);
	for (;;) {
		key = keys_get(NSEC_PER_SEC);
		if (key == KEY_NONE)
			continue;
		count++;
		log_info("contest: key %s", keys_name(key, buf));
		if (key == KEY_F10)
			break;
		contest_draw(keys_name(key, buf), count);
	}
	con_leave();
	log_info("contest: left screen mode after %u keys", count);
}

static void contest_init(void)
{
	char v[4];

	if (cmdline_get("keel.contest", v, sizeof(v)) < 0)
		return;
	if (!thread_create("contest", contest_thread, NULL, NULL))
		log_err("contest: no thread");
}
KEEL_INIT(INIT_LATE, contest_init);
