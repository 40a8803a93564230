// SPDX-License-Identifier: MIT
/*
 * VT100/xterm input sequences (ECMA-48 CSI "ESC [ ... final", and SS3
 * "ESC O x" that xterm sends for F1-F4 and, in application mode, arrows).
 * Unknown or overlong sequences are dropped whole: a stray byte from the
 * line must not turn into a surprise keystroke on the setup screen.
 */
#include "drivers/vt100.h"

static void vt100_reset(struct vt100 *t)
{
	t->len = 0;
}

/* "ESC [ n ~" forms (VT220 editing keys and xterm function keys). */
static int vt100_tilde(unsigned int n)
{
	switch (n) {
	case 1: case 7: return KEY_HOME;
	case 2: return KEY_INSERT;
	case 3: return KEY_DELETE;
	case 4: case 8: return KEY_END;
	case 5: return KEY_PGUP;
	case 6: return KEY_PGDN;
	case 11: return KEY_F1;
	case 12: return KEY_F2;
	case 13: return KEY_F3;
	case 14: return KEY_F4;
	case 15: return KEY_F5;
	case 17: return KEY_F6;
	case 18: return KEY_F7;
	case 19: return KEY_F8;
	case 20: return KEY_F9;
	case 21: return KEY_F10;
	case 23: return KEY_F11;
	case 24: return KEY_F12;
	default: return KEY_NONE;
	}
}

static int vt100_final(uint8_t c)
{
	switch (c) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': return KEY_F1; /* SS3 P..S, and CSI P..S on some terminals */
	case 'Q': return KEY_F2;
	case 'R': return KEY_F3;
	case 'S': return KEY_F4;
	default: return KEY_NONE;
	}
}

/* A complete CSI sequence in t->buf ("ESC [" params final). */
static int vt100_csi(const struct vt100 *t)
{
	uint8_t final = t->buf[t->len - 1];
	unsigned int n = 0;
	bool digits = false;

	for (unsigned int i = 2; i < t->len - 1; i++) {
		uint8_t c = t->buf[i];
		if (c == ';')
			break; /* modifiers (";2" for shift...) are ignored */
		if (c < '0' || c > '9')
			return KEY_NONE;
		n = n * 10 + (c - '0');
		digits = true;
	}
	if (final == '~')
		return digits ? vt100_tilde(n) : KEY_NONE;
	return vt100_final(final);
}

/* One byte outside any sequence. */
static int vt100_plain(uint8_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return KEY_ENTER;
	case 0x7f:
	case 0x08:
		return KEY_BACKSPACE;
	case '\t':
		return KEY_TAB;
	default:
		return c >= 0x20 && c < 0x7f ? c : KEY_NONE;
	}
}

int vt100_feed(struct vt100 *t, uint8_t c, int keys[2])
{
	int n = 0, k;

	if (t->discard) { /* the rest of an overlong CSI, up to its end */
		if (c >= 0x40 && c <= 0x7e)
			t->discard = false;
		return 0;
	}
	if (t->len == 1 && c != '[' && c != 'O') {
		/* ESC, then an ordinary key: both are keys. */
		vt100_reset(t);
		keys[n++] = KEY_ESC;
	}
	if (t->len == 0) {
		if (c == 0x1b) {
			t->buf[t->len++] = c;
			return n;
		}
		k = vt100_plain(c);
		if (k != KEY_NONE)
			keys[n++] = k;
		return n;
	}
	if (t->len == sizeof(t->buf)) { /* overlong: drop the whole thing */
		vt100_reset(t);
		t->discard = !(c >= 0x40 && c <= 0x7e);
		return n;
	}
	t->buf[t->len++] = c;
	if (t->len == 2)
		return n; /* "ESC [" or "ESC O" */
	if (t->buf[1] == 'O') { /* SS3: exactly one final byte */
		k = vt100_final(c);
		vt100_reset(t);
	} else if (c >= 0x30 && c <= 0x3f) { /* CSI parameter bytes */
		return n;
	} else {
		k = c >= 0x40 && c <= 0x7e ? vt100_csi(t) : KEY_NONE;
		vt100_reset(t);
	}
	if (k != KEY_NONE)
		keys[n++] = k;
	return n;
}

int vt100_timeout(struct vt100 *t)
{
	bool lone_esc = t->len == 1;

	vt100_reset(t);
	t->discard = false;
	return lone_esc ? KEY_ESC : KEY_NONE;
}
