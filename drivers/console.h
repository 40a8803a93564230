/* SPDX-License-Identifier: MIT */
/*
 * The console layer for full-screen text UIs (the setup screen, issue 6):
 * one 80x25 grid of cells drawn on the local screen (VGA text or the UEFI
 * framebuffer text renderer) and on the serial line as VT100/ANSI
 * sequences at the same time. Both outputs are rendered from the same
 * shadow grid, so they cannot disagree. docs/console.md has the design.
 *
 * Outside "screen mode" the screens and the serial line show the kernel
 * log as before. con_enter() takes the screen over: log lines stop
 * scrolling over it (they stay in the log ring, core/log.h) until
 * con_leave(). Drawing calls go to the shadow grid; con_flush() sends the
 * changes to every output. One thread draws at a time (the caller
 * serializes); the console's own lock only orders drawing against the
 * log sinks.
 */
#ifndef KEEL_DRIVERS_CONSOLE_H
#define KEEL_DRIVERS_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"

#define CON_COLS 80
#define CON_ROWS 25

/* The 16 VGA colours, in VGA attribute order. */
enum con_colour {
	CON_BLACK,
	CON_BLUE,
	CON_GREEN,
	CON_CYAN,
	CON_RED,
	CON_MAGENTA,
	CON_BROWN,
	CON_LIGHT_GREY,
	CON_DARK_GREY,
	CON_LIGHT_BLUE,
	CON_LIGHT_GREEN,
	CON_LIGHT_CYAN,
	CON_LIGHT_RED,
	CON_LIGHT_MAGENTA,
	CON_YELLOW,
	CON_WHITE,
};

/* Enter screen mode: the grid is cleared (grey on black). 0 or -EBUSY. */
int con_enter(void);
/* Leave it: the screens show the log again, serial gets the held lines. */
void con_leave(void);
bool con_active(void);

/* Drawing (screen mode only; ignored otherwise). Rows/cols from 0. */
void con_size(int *cols, int *rows);
void con_colour(enum con_colour fg, enum con_colour bg);
/* Fill the grid with spaces in the current colours; cursor to 0,0. */
void con_clear(void);
void con_move(int row, int col);
/* Text at the cursor, clipped at the right edge; the cursor advances. */
void con_puts(const char *s);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* @w cells of @ch from row/col (clipped); the cursor is not moved. */
void con_hline(int row, int col, int w, char ch);
/* A rectangle of @ch in the current colours. */
void con_fill(int row, int col, int h, int w, char ch);
/* A frame of ASCII +-| (the same on every terminal and font). */
void con_box(int row, int col, int h, int w);
void con_cursor(bool visible);
/* Send everything drawn since the last flush to every output. */
void con_flush(void);
/* Repaint the serial terminal from scratch (one connected late: Ctrl-L). */
void con_redraw_serial(void);
/* A copy of the shadow grid cell (character, VGA attribute), for tests. */
uint16_t con_cell(int row, int col);

/*
 * Where output goes: the local screen backend (vga_text.c or fb_text.c)
 * registers itself here. All callbacks run under the console lock.
 */
struct con_screen {
	const char *name;
	/* One cell of the 80x25 grid; @attr is a VGA attribute byte. */
	void (*put)(int row, int col, uint8_t ch, uint8_t attr);
	/* Show the cursor at row/col, or hide it. */
	void (*cursor)(int row, int col, bool visible);
	/* Entering screen mode (true) or leaving it (false). */
	void (*mode)(bool screen);
	/* Leaving: the screen is cleared and shows these log lines. */
	void (*log_line)(enum log_level level, const char *s, size_t n);
};
void con_register_screen(const struct con_screen *s);

/*
 * For log sinks: bracket each line. Returns whether the line should be
 * written on @out now (false in screen mode, except where docs/console.md
 * says otherwise, and always true during a panic).
 */
enum con_out { CON_OUT_SCREEN, CON_OUT_SERIAL };
bool con_sink_begin(enum con_out out, uint64_t *flags);
void con_sink_end(uint64_t flags);

#endif
