/* SPDX-License-Identifier: MIT */
/*
 * The setup console's widgets (docs/firstboot.md "Console"), drawn with
 * drivers/console.h and driven by drivers/keys.h: a framed screen with a
 * title bar and a key-hint footer, menus, forms of text and choice
 * fields (masked passwords, a reason under each refused field), confirm
 * and message dialogs and a scrollable pager. One thread (the console
 * thread, fb_main.c) calls these; each waits for keys itself.
 */
#ifndef KEEL_FIRSTBOOT_FB_UI_H
#define KEEL_FIRSTBOOT_FB_UI_H
#include "drivers/console.h"
#include "firstboot/fb_validate.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Colours: ESXi's direct console, yellow and grey. */
#define FB_UI_TITLE_FG CON_BLACK
#define FB_UI_TITLE_BG CON_YELLOW
#define FB_UI_BODY_FG CON_BLACK
#define FB_UI_BODY_BG CON_LIGHT_GREY
#define FB_UI_ERR_FG CON_RED

/* Wait for a key up to @timeout_ns; KEY_NONE when none came. */
int fb_ui_key(uint64_t timeout_ns);
/* Drop keys typed ahead (after a wrong password, before a dialog). */
void fb_ui_drain(void);

/* Clear to the body colours, title bar on row 0, hints on the last row. */
void fb_ui_frame(const char *title, const char *hints);
/* Text at @row/@col in body colours (or @fg), clipped. */
void fb_ui_text(int row, int col, enum con_colour fg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * A vertical menu under @title: Up/Down/Home/End move, Enter picks,
 * Esc leaves. @sel is the item to start on and gets the one picked.
 * Returns the index or -1 (Esc).
 */
int fb_ui_menu(const char *title, const char *intro, const char *const *items,
	       int n, int *sel);

enum fb_field_kind { FB_FIELD_TEXT, FB_FIELD_SECRET, FB_FIELD_CHOICE };
struct fb_field {
	enum fb_field_kind kind;
	const char *label;
	char *buf; /* TEXT/SECRET: the value, edited in place */
	size_t len;
	const char *const *choices; /* CHOICE: Space/Left/Right cycle */
	int nchoices;
	int choice;
	bool disabled;	      /* shown, skipped (static fields under DHCP) */
	char err[FB_WHY_LEN]; /* set by the validator: shown under it */
};
/*
 * A form: Up/Down/Tab move between fields, typing edits, Backspace
 * deletes, Enter on the last field (or F10 anywhere) submits. @check is
 * called on submit and when a choice changes (@submit false: only update
 * disabled flags); it fills the err of each bad field and returns 0 when
 * everything is fine. Returns 0 (accepted) or -1 (Esc).
 */
typedef int (*fb_form_check)(struct fb_field *f, int n, bool submit, void *arg);
int fb_ui_form(const char *title, const char *intro, struct fb_field *f, int n,
	       fb_form_check check, void *arg);

/* A question with "<Y> Yes  <N/Esc> No"; true for yes. */
bool fb_ui_confirm(const char *title, const char *text);
/* Lines of text (separated by \n) and "<Enter> OK". */
void fb_ui_message(const char *title, const char *text);
/* Draw a message without waiting (progress while a key is generated). */
void fb_ui_progress(const char *title, const char *text);

/*
 * A read-only pager over @count lines that @line renders on demand
 * (index 0 is the oldest); starts at the end (newest at the bottom).
 * Up/Down, PgUp/PgDn, Home/End scroll, Left/Right pan; Esc leaves.
 */
typedef void (*fb_pager_line)(void *arg, long idx, char *buf, size_t len);
void fb_ui_pager(const char *title, long count, fb_pager_line line, void *arg);
#endif
