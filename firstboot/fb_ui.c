// SPDX-License-Identifier: MIT
/*
 * The setup console's widgets (fb_ui.h). Everything is drawn into the
 * console grid and flushed once per key, so a serial terminal gets only
 * the cells that changed (docs/console.md). Layout: the title bar on row
 * 0, the body on rows 1-23, the key hints on row 24.
 */
#include "firstboot/fb_ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "drivers/keys.h"

#define FB_UI_BODY_TOP 2
#define FB_UI_BODY_ROWS (CON_ROWS - 4)

int fb_ui_key(uint64_t timeout_ns)
{
	int k;

	if (timeout_ns != UINT64_MAX)
		return keys_get(timeout_ns);
	/* "Forever" in bounded waits: a deadline of now + UINT64_MAX
	 * would wrap. */
	do
		k = keys_get(NSEC_PER_SEC);
	while (k == KEY_NONE);
	return k;
}

void fb_ui_drain(void)
{
	while (keys_get(0) != KEY_NONE)
		;
}

void fb_ui_frame(const char *title, const char *hints)
{
	con_cursor(false);
	con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
	con_clear();
	con_colour(FB_UI_TITLE_FG, FB_UI_TITLE_BG);
	con_hline(0, 0, CON_COLS, ' ');
	con_move(0, 1);
	con_puts(title);
	con_hline(CON_ROWS - 1, 0, CON_COLS, ' ');
	con_move(CON_ROWS - 1, 1);
	con_puts(hints);
	con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
}

static void fb_ui_vtext(int row, int col, enum con_colour fg,
			enum con_colour bg, const char *fmt, va_list ap)
{
	char buf[CON_COLS + 1];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	con_colour(fg, bg);
	con_move(row, col);
	con_puts(buf);
	con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
}

void fb_ui_text(int row, int col, enum con_colour fg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fb_ui_vtext(row, col, fg, FB_UI_BODY_BG, fmt, ap);
	va_end(ap);
}

/* Lines of @text (split at '\n') from @row, at most @max rows. */
static int fb_ui_lines(int row, int col, int max, const char *text)
{
	int n = 0;

	while (*text && n < max) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);

		con_move(row + n, col);
		con_printf("%.*s", len, text);
		n++;
		text += len + (nl ? 1 : 0);
	}
	return n;
}

int fb_ui_menu(const char *title, const char *intro, const char *const *items,
	       int n, int *sel)
{
	int cur = sel && *sel >= 0 && *sel < n ? *sel : 0;

	for (;;) {
		fb_ui_frame(title,
			    "<Up/Down> Select  <Enter> Open  <Esc> Back");
		for (int i = 0; i < n; i++) {
			if (i == cur)
				con_colour(CON_WHITE, CON_BLACK);
			con_hline(FB_UI_BODY_TOP + i, 2, 38, ' ');
			con_move(FB_UI_BODY_TOP + i, 3);
			con_puts(items[i]);
			con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
		}
		if (intro)
			fb_ui_lines(FB_UI_BODY_TOP, 42, FB_UI_BODY_ROWS, intro);
		con_flush();
		int k = fb_ui_key(UINT64_MAX);
		switch (k) {
		case KEY_UP:
			cur = cur > 0 ? cur - 1 : n - 1;
			break;
		case KEY_DOWN:
			cur = cur + 1 < n ? cur + 1 : 0;
			break;
		case KEY_HOME:
			cur = 0;
			break;
		case KEY_END:
			cur = n - 1;
			break;
		case KEY_ENTER:
			if (sel)
				*sel = cur;
			return cur;
		case KEY_ESC:
			return -1;
		}
	}
}

static bool fb_ui_focusable(const struct fb_field *f)
{
	return !f->disabled;
}

static int fb_ui_next(const struct fb_field *f, int n, int cur, int dir)
{
	for (int i = 1; i <= n; i++) {
		int j = ((cur + dir * i) % n + n) % n;
		if (fb_ui_focusable(&f[j]))
			return j;
	}
	return cur;
}

static void fb_ui_draw_form(const char *title, const char *intro,
			    struct fb_field *f, int n, int cur)
{
	int row = FB_UI_BODY_TOP, crow = 0, ccol = 0;

	fb_ui_frame(title, "<Up/Down> Field  <Space> Change  <Enter> Next/OK"
			   "  <F10> OK  <Esc> Cancel");
	if (intro)
		row += fb_ui_lines(row, 2, 6, intro) + 1;
	for (int i = 0; i < n && row < CON_ROWS - 2; i++) {
		struct fb_field *x = &f[i];
		enum con_colour fg =
		    x->disabled ? CON_DARK_GREY : FB_UI_BODY_FG;

		fb_ui_text(row, 2, fg, "%s", x->label);
		con_colour(x->disabled ? CON_DARK_GREY : CON_WHITE,
			   x->disabled ? FB_UI_BODY_BG : CON_BLUE);
		con_hline(row, 24, 40, ' ');
		con_move(row, 24);
		if (x->kind == FB_FIELD_CHOICE) {
			con_printf("< %s >", x->choices[x->choice]);
			ccol = 26;
		} else if (x->kind == FB_FIELD_SECRET) {
			size_t l = strlen(x->buf);
			for (size_t j = 0; j < l && j < 40; j++)
				con_puts("*");
			ccol = 24 + (int)(l < 39 ? l : 39);
		} else {
			size_t l = strlen(x->buf);
			/* Long values (host names) show their end. */
			con_puts(l > 39 ? x->buf + l - 39 : x->buf);
			ccol = 24 + (int)(l < 39 ? l : 39);
		}
		con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
		if (i == cur) {
			crow = row;
			fb_ui_text(row, 65, CON_BLUE, "<");
		}
		row++;
		if (x->err[0])
			fb_ui_text(row++, 4, FB_UI_ERR_FG, "! %s", x->err);
		if (i == cur)
			ccol = x->kind == FB_FIELD_CHOICE ? 26 : ccol;
		if (i == cur && x->kind == FB_FIELD_CHOICE)
			crow = row - 1 - (x->err[0] ? 1 : 0);
	}
	con_move(crow, ccol);
	con_cursor(true);
	con_flush();
}

int fb_ui_form(const char *title, const char *intro, struct fb_field *f, int n,
	       fb_form_check check, void *arg)
{
	int cur = 0;

	if (check)
		check(f, n, false, arg);
	if (!fb_ui_focusable(&f[cur]))
		cur = fb_ui_next(f, n, cur, 1);
	for (;;) {
		struct fb_field *x = &f[cur];
		bool submit = false;

		fb_ui_draw_form(title, intro, f, n, cur);
		int k = fb_ui_key(UINT64_MAX);
		size_t l = x->kind != FB_FIELD_CHOICE ? strlen(x->buf) : 0;

		switch (k) {
		case KEY_ESC:
			con_cursor(false);
			return -1;
		case KEY_UP:
			cur = fb_ui_next(f, n, cur, -1);
			break;
		case KEY_DOWN:
		case KEY_TAB:
			cur = fb_ui_next(f, n, cur, 1);
			break;
		case KEY_F10:
			submit = true;
			break;
		case KEY_ENTER: {
			int nx = fb_ui_next(f, n, cur, 1);
			if (nx <= cur)
				submit = true;
			else
				cur = nx;
			break;
		}
		case KEY_BACKSPACE:
			if (l) {
				x->buf[l - 1] = '\0';
				x->err[0] = '\0';
			}
			break;
		case ' ':
		case KEY_LEFT:
		case KEY_RIGHT:
			if (x->kind == FB_FIELD_CHOICE) {
				int d = k == KEY_LEFT ? -1 : 1;
				x->choice =
				    (x->choice + d + x->nchoices) % x->nchoices;
				if (check)
					check(f, n, false, arg);
				break;
			}
			if (k != ' ')
				break;
			__attribute__((fallthrough)); /* a space in text */
		default:
			if (x->kind != FB_FIELD_CHOICE && k >= 0x20 &&
			    k < 0x7f && l + 1 < x->len) {
				x->buf[l] = (char)k;
				x->buf[l + 1] = '\0';
				x->err[0] = '\0';
			}
		}
		if (!submit)
			continue;
		for (int i = 0; i < n; i++)
			f[i].err[0] = '\0';
		if (!check || check(f, n, true, arg) == 0) {
			con_cursor(false);
			return 0;
		}
		/* Focus the first refused field. */
		for (int i = 0; i < n; i++)
			if (f[i].err[0] && fb_ui_focusable(&f[i])) {
				cur = i;
				break;
			}
	}
}

/* A box in the middle of the screen holding @text. */
static void fb_ui_dialog(const char *title, const char *text, const char *hint)
{
	int lines = 1, width = (int)strlen(title) + 4;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len + 4 > width)
			width = len + 4;
		if (!nl)
			break;
		lines++;
		p = nl + 1;
	}
	if ((int)strlen(hint) + 4 > width)
		width = (int)strlen(hint) + 4;
	if (width > CON_COLS - 4)
		width = CON_COLS - 4;
	if (lines > CON_ROWS - 8)
		lines = CON_ROWS - 8;
	int h = lines + 5, top = (CON_ROWS - h) / 2,
	    left = (CON_COLS - width) / 2;

	con_cursor(false);
	con_colour(CON_BLACK, CON_WHITE);
	con_fill(top, left, h, width, ' ');
	con_box(top, left, h, width);
	con_colour(CON_BLACK, CON_YELLOW);
	con_hline(top + 1, left + 1, width - 2, ' ');
	con_move(top + 1, left + 2);
	con_puts(title);
	con_colour(CON_BLACK, CON_WHITE);
	fb_ui_lines(top + 2, left + 2, lines, text);
	con_colour(CON_BLUE, CON_WHITE);
	con_move(top + h - 2, left + 2);
	con_puts(hint);
	con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
	con_flush();
}

bool fb_ui_confirm(const char *title, const char *text)
{
	fb_ui_drain();
	fb_ui_dialog(title, text, "<Y> Yes   <N> or <Esc> No");
	for (;;) {
		int k = fb_ui_key(UINT64_MAX);
		if (k == 'y' || k == 'Y')
			return true;
		if (k == 'n' || k == 'N' || k == KEY_ESC)
			return false;
	}
}

void fb_ui_message(const char *title, const char *text)
{
	fb_ui_dialog(title, text, "<Enter> OK");
	for (;;) {
		int k = fb_ui_key(UINT64_MAX);
		if (k == KEY_ENTER || k == KEY_ESC)
			return;
	}
}

void fb_ui_progress(const char *title, const char *text)
{
	fb_ui_dialog(title, text, "Please wait...");
}

void fb_ui_pager(const char *title, long count, fb_pager_line line, void *arg)
{
	const int rows = CON_ROWS - 3;
	long top = count > rows ? count - rows : 0;
	int pan = 0;
	char buf[256];

	for (;;) {
		long max_top = count > rows ? count - rows : 0;

		if (top > max_top)
			top = max_top;
		if (top < 0)
			top = 0;
		fb_ui_frame(title, "<Up/Down/PgUp/PgDn/Home/End> Scroll"
				   "  <Left/Right> Pan  <Esc> Back");
		con_colour(CON_LIGHT_GREY, CON_BLACK);
		con_fill(1, 0, rows + 1, CON_COLS, ' ');
		con_move(1, 1);
		con_printf("lines %ld-%ld of %ld", count ? top + 1 : 0,
			   top + rows < count ? top + rows : count, count);
		for (int r = 0; r < rows && top + r < count; r++) {
			line(arg, top + r, buf, sizeof(buf));
			size_t l = strlen(buf);
			con_move(2 + r, 0);
			con_puts((size_t)pan < l ? buf + pan : "");
		}
		con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
		con_flush();
		switch (fb_ui_key(UINT64_MAX)) {
		case KEY_ESC:
			return;
		case KEY_UP:
			top--;
			break;
		case KEY_DOWN:
			top++;
			break;
		case KEY_PGUP:
			top -= rows;
			break;
		case KEY_PGDN:
			top += rows;
			break;
		case KEY_HOME:
			top = 0;
			break;
		case KEY_END:
			top = max_top;
			break;
		case KEY_LEFT:
			pan = pan >= 40 ? pan - 40 : 0;
			break;
		case KEY_RIGHT:
			pan = pan + 40 < (int)sizeof(buf) - 40 ? pan + 40 : pan;
			break;
		}
	}
}
