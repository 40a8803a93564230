// SPDX-License-Identifier: MIT
/*
 * The console layer (drivers/console.h, docs/console.md): a shadow grid
 * of 80x25 cells that full-screen UIs draw into, and two renderers that
 * bring their outputs up to date with it on con_flush(): the local screen
 * (a struct con_screen from vga_text.c or fb_text.c) and the serial line,
 * as ECMA-48/VT100 control sequences (CUP "CSI r;c H" to position, SGR
 * "CSI ...m" for colours, ED "CSI 2J" to clear, DECTCEM "CSI ?25h/l" for
 * the cursor, DECAWM "CSI ?7l" so the last column never wraps). Each
 * renderer remembers what its output shows and sends only the cells that
 * differ, so a key echo costs a few bytes on a 115200 line, not a screen.
 */
#include "drivers/console.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/fmt.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "drivers/serial.h"

CMDLINE_OPTION(serial, "keel.serial",
	       "log: the serial line stays a log in screen mode (no screen "
	       "drawing on it)");

#define CON_BLANK (0x0700 | ' ')
#define CON_UNKNOWN 0xffff /* never a real cell: forces a repaint */
#define CON_NO_SEQ UINT64_MAX

/*
 * Orders drawing against the log sinks (which run under core/log.c's
 * lock, so the order is always log lock, then this one; nothing here logs
 * while holding it). Taken with interrupts off, for at most one row of
 * serial output at a time.
 */
static struct spinlock con_lock = SPINLOCK_INIT;

static const struct con_screen *con_scr;

/* The drawing thread's state; read by the renderers under con_lock. */
static uint16_t con_grid[CON_ROWS][CON_COLS];
static int con_row, con_col;
static uint8_t con_attr = 0x07;
static bool con_cur_visible;
static volatile bool con_mode;

/* What the local screen shows. */
static uint16_t con_scr_shown[CON_ROWS][CON_COLS];
static int con_scr_cur_row = -1, con_scr_cur_col;

/* What the serial terminal shows, as far as we know. */
static bool con_ser_screen; /* the serial line carries the screen */
static uint16_t con_ser_shown[CON_ROWS][CON_COLS];
static int con_ser_row = -1, con_ser_col; /* terminal cursor; -1: unknown */
static int con_ser_attr = -1;
static int con_ser_cur = -1; /* cursor visibility sent: -1 unknown */

/*
 * Log lines on serial, by sequence number: a sink writes its line when
 * seq < con_ser_hold_from (logged before screen mode began) or seq >=
 * con_ser_resume_at (after con_leave() wrote the held ones). Both are
 * CON_NO_SEQ until the first con_enter(), so every line is written.
 */
static volatile uint64_t con_ser_hold_from = CON_NO_SEQ;
static volatile uint64_t con_ser_resume_at = CON_NO_SEQ;
static uint64_t con_enter_seq;

/* As log_lock_take(): a CPU stopped while holding it must not block a panic. */
static uint64_t con_lock_take(void)
{
	uint64_t flags = irq_save();

	for (uint64_t spins = 0;; spins++) {
		uint16_t owner =
		    __atomic_load_n(&con_lock.owner, __ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(
			&con_lock.next, &owner, owner + 1, false,
			__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return flags;
		if (spins > 200000000u) {
			__atomic_store_n(&con_lock.next, owner + 1,
					 __ATOMIC_RELAXED);
			return flags;
		}
		cpu_pause();
	}
}

void con_register_screen(const struct con_screen *s)
{
	uint64_t flags = con_lock_take();

	con_scr = s;
	spin_unlock_irqrestore(&con_lock, flags);
}

bool con_sink_begin(enum con_out out, uint64_t *flags)
{
	/* Sinks run under the log lock, right after their record was added. */
	uint64_t seq = log_next_seq() - 1;

	*flags = con_lock_take();
	if (panic_in_progress())
		return true;
	if (out == CON_OUT_SCREEN)
		return !con_mode;
	return seq < con_ser_hold_from || seq >= con_ser_resume_at;
}

void con_sink_end(uint64_t flags)
{
	spin_unlock_irqrestore(&con_lock, flags);
}

bool con_active(void)
{
	return con_mode;
}

void con_size(int *cols, int *rows)
{
	*cols = CON_COLS;
	*rows = CON_ROWS;
}

/* ---- drawing into the grid (the drawing thread only) ---- */

void con_colour(enum con_colour fg, enum con_colour bg)
{
	con_attr = (uint8_t)((bg & 0xf) << 4 | (fg & 0xf));
}

static void con_set(int row, int col, char ch)
{
	uint8_t c = (uint8_t)ch;

	if (row < 0 || row >= CON_ROWS || col < 0 || col >= CON_COLS)
		return;
	/* ASCII only: VGA (CP437), the font (Latin-1) and terminals agree. */
	if (c < 0x20 || c > 0x7e)
		c = '?';
	con_grid[row][col] = (uint16_t)(con_attr << 8 | c);
}

void con_clear(void)
{
	for (int r = 0; r < CON_ROWS; r++)
		for (int c = 0; c < CON_COLS; c++)
			con_grid[r][c] = (uint16_t)(con_attr << 8 | ' ');
	con_row = con_col = 0;
}

void con_move(int row, int col)
{
	con_row = row;
	con_col = col;
}

void con_puts(const char *s)
{
	for (; *s; s++) {
		con_set(con_row, con_col, *s);
		if (con_col < CON_COLS)
			con_col++;
	}
}

void con_printf(const char *fmt, ...)
{
	char buf[CON_COLS + 1];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	con_puts(buf);
}

void con_hline(int row, int col, int w, char ch)
{
	for (int i = 0; i < w; i++)
		con_set(row, col + i, ch);
}

void con_fill(int row, int col, int h, int w, char ch)
{
	for (int r = 0; r < h; r++)
		con_hline(row + r, col, w, ch);
}

void con_box(int row, int col, int h, int w)
{
	if (h < 2 || w < 2)
		return;
	con_hline(row, col + 1, w - 2, '-');
	con_hline(row + h - 1, col + 1, w - 2, '-');
	for (int r = row + 1; r < row + h - 1; r++) {
		con_set(r, col, '|');
		con_set(r, col + w - 1, '|');
	}
	con_set(row, col, '+');
	con_set(row, col + w - 1, '+');
	con_set(row + h - 1, col, '+');
	con_set(row + h - 1, col + w - 1, '+');
}

void con_cursor(bool visible)
{
	con_cur_visible = visible;
}

uint16_t con_cell(int row, int col)
{
	if (row < 0 || row >= CON_ROWS || col < 0 || col >= CON_COLS)
		return 0;
	return con_grid[row][col];
}

/* ---- the local screen ---- */

static void con_scr_flush_locked(void)
{
	int cr = con_row < CON_ROWS ? con_row : CON_ROWS - 1;
	int cc = con_col < CON_COLS ? con_col : CON_COLS - 1;

	if (!con_scr)
		return;
	for (int r = 0; r < CON_ROWS; r++)
		for (int c = 0; c < CON_COLS; c++)
			if (con_grid[r][c] != con_scr_shown[r][c]) {
				con_scr_shown[r][c] = con_grid[r][c];
				con_scr->put(r, c, con_grid[r][c] & 0xff,
					     con_grid[r][c] >> 8);
			}
	/* A drawn cursor (framebuffer) is erased by repainting its cell. */
	if (con_scr_cur_row >= 0) {
		uint16_t v = con_grid[con_scr_cur_row][con_scr_cur_col];
		con_scr->put(con_scr_cur_row, con_scr_cur_col, v & 0xff,
			     v >> 8);
	}
	con_scr->cursor(cr, cc, con_cur_visible);
	con_scr_cur_row = con_cur_visible ? cr : -1;
	con_scr_cur_col = cc;
}

/* ---- the serial terminal ---- */

struct con_out_buf {
	char b[CON_COLS * 24 + 64];
	size_t n;
};

static void con_emit(struct con_out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(o->b + o->n, sizeof(o->b) - o->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->n += (size_t)n < sizeof(o->b) - o->n
			    ? (size_t)n
			    : sizeof(o->b) - o->n - 1;
}

/* VGA colour number to the ANSI one (VGA is BGR-ordered, ANSI RGB). */
static const uint8_t con_vga2ansi[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

static void con_emit_sgr(struct con_out_buf *o, uint8_t attr)
{
	unsigned int fg = attr & 0xf, bg = (attr >> 4) & 0xf;

	/* 90-97/100-107 (bright) are understood by every current terminal. */
	con_emit(o, "\x1b[0;%u;%um", (fg < 8 ? 30 : 90) + con_vga2ansi[fg & 7],
		 (bg < 8 ? 40 : 100) + con_vga2ansi[bg & 7]);
}

/*
 * Whether cells [c, c + 7) hold a change after a run of unchanged cells
 * in the terminal's current colours: sending those few again is shorter
 * than a CUP to jump over them.
 */
static bool con_ser_bridge(int r, int c)
{
	for (int j = c; j < CON_COLS && j < c + 7; j++) {
		if (con_grid[r][j] != con_ser_shown[r][j])
			return true;
		if (con_grid[r][j] >> 8 != con_ser_attr)
			return false;
	}
	return false;
}

static void con_ser_row_locked(int r, struct con_out_buf *o)
{
	for (int c = 0; c < CON_COLS; c++) {
		uint16_t v = con_grid[r][c];
		if (v == con_ser_shown[r][c] &&
		    !(con_ser_row == r && con_ser_col == c &&
		      con_ser_bridge(r, c)))
			continue;
		if (con_ser_row != r || con_ser_col != c)
			con_emit(o, "\x1b[%d;%dH", r + 1, c + 1);
		if (con_ser_attr != v >> 8) {
			con_emit_sgr(o, v >> 8);
			con_ser_attr = v >> 8;
		}
		o->b[o->n++] = (char)(v & 0xff);
		con_ser_shown[r][c] = v;
		con_ser_row = r;
		/* At the last column the terminal's cursor state varies. */
		con_ser_col = c + 1 < CON_COLS ? c + 1 : -1;
	}
}

/*
 * Forget what the terminal shows and clear it: default colours, no
 * autowrap, home, ED. In the same lock hold as the forgetting, so a row
 * another thread's flush sends next is never wiped by this ED.
 */
static void con_ser_reset_locked(void)
{
	static const char reset[] = "\x1b[0m\x1b[?7l\x1b[H\x1b[2J";

	memset(con_ser_shown, 0xff, sizeof(con_ser_shown));
	con_ser_attr = -1;
	con_ser_row = 0;
	con_ser_col = 0;
	con_ser_cur = -1;
	if (con_ser_screen)
		serial_write(reset, sizeof(reset) - 1);
}

static void con_ser_flush(void)
{
	struct con_out_buf o;
	uint64_t flags;

	if (!con_ser_screen)
		return;
	/* One row per lock hold: at 115200 baud a row takes ~10 ms. */
	for (int r = 0; r < CON_ROWS; r++) {
		o.n = 0;
		flags = con_lock_take();
		con_ser_row_locked(r, &o);
		if (r == CON_ROWS - 1) {
			int cr = con_row < CON_ROWS ? con_row : CON_ROWS - 1;
			int cc = con_col < CON_COLS ? con_col : CON_COLS - 1;
			if (con_cur_visible &&
			    (con_ser_row != cr || con_ser_col != cc)) {
				con_emit(&o, "\x1b[%d;%dH", cr + 1, cc + 1);
				con_ser_row = cr;
				con_ser_col = cc;
			}
			if (con_ser_cur != con_cur_visible) {
				con_emit(&o, con_cur_visible ? "\x1b[?25h"
							     : "\x1b[?25l");
				con_ser_cur = con_cur_visible;
			}
		}
		if (con_mode)
			serial_write(o.b, o.n);
		spin_unlock_irqrestore(&con_lock, flags);
	}
}

void con_flush(void)
{
	uint64_t flags;

	if (!con_mode)
		return;
	flags = con_lock_take();
	con_scr_flush_locked();
	spin_unlock_irqrestore(&con_lock, flags);
	con_ser_flush();
}

void con_redraw_serial(void)
{
	uint64_t flags;

	if (!con_mode || !con_ser_screen)
		return;
	flags = con_lock_take();
	con_ser_reset_locked();
	spin_unlock_irqrestore(&con_lock, flags);
	con_ser_flush();
}

/* ---- entering and leaving screen mode ---- */

int con_enter(void)
{
	char v[8];
	uint64_t flags;

	if (con_mode)
		return -EBUSY;
	con_ser_screen = !(cmdline_get("keel.serial", v, sizeof(v)) >= 0 &&
			   !strcmp(v, "log"));
	con_attr = 0x07;
	con_clear();
	con_cur_visible = false;

	flags = con_lock_take();
	con_enter_seq = log_next_seq();
	/* A line logged before, its sink still waiting, is written. */
	con_ser_hold_from = con_ser_screen ? con_enter_seq : CON_NO_SEQ;
	con_ser_resume_at = CON_NO_SEQ;
	memset(con_scr_shown, 0xff, sizeof(con_scr_shown));
	con_scr_cur_row = -1;
	con_ser_reset_locked();
	con_mode = true;
	if (con_scr && con_scr->mode)
		con_scr->mode(true);
	spin_unlock_irqrestore(&con_lock, flags);
	con_flush();
	return 0;
}

/* The log lines a screen shows again on leaving: the ring's last rows. */
static struct log_record con_tail[CON_ROWS];

void con_leave(void)
{
	uint64_t flags, seq, next, first;
	unsigned int n = 0;
	struct log_record rec;

	if (!con_mode)
		return;
	/* Read outside the console lock: log_read takes the log lock. */
	next = log_next_seq();
	first = log_first_seq();
	for (seq = next > CON_ROWS ? next - CON_ROWS : 0; seq < next; seq++)
		if (seq >= first && log_read(seq, &con_tail[n]) == 0)
			n++;

	flags = con_lock_take();
	con_mode = false;
	if (con_scr) {
		con_scr->cursor(0, 0, false);
		if (con_scr->mode)
			con_scr->mode(false); /* clears, and shows the cursor */
		for (unsigned int i = 0; i < n; i++)
			con_scr->log_line(con_tail[i].level, con_tail[i].text,
					  strlen(con_tail[i].text));
	}
	if (con_ser_screen)
		serial_write("\x1b[0m\x1b[?7h\x1b[?25h\x1b[H\x1b[2J", 22);
	spin_unlock_irqrestore(&con_lock, flags);

	if (!con_ser_screen)
		return;
	/*
	 * The lines held back from serial, in order, then hand over to the
	 * sink at the first one not yet written: under the lock, so a line
	 * logged meanwhile is written exactly once, by us or by the sink.
	 */
	for (seq = con_enter_seq;;) {
		next = log_next_seq();
		for (; seq < next; seq++) {
			if (log_read(seq, &rec) < 0)
				continue; /* overwritten in the ring */
			flags = con_lock_take();
			serial_log_line(rec.level, rec.text, strlen(rec.text));
			spin_unlock_irqrestore(&con_lock, flags);
		}
		flags = con_lock_take();
		if (log_next_seq() == seq) {
			con_ser_resume_at = seq;
			spin_unlock_irqrestore(&con_lock, flags);
			return;
		}
		spin_unlock_irqrestore(&con_lock, flags);
	}
}
