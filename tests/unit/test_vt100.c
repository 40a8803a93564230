// SPDX-License-Identifier: MIT
/*
 * Serial-console key decoding: what xterm, PuTTY, screen and BMC serial
 * consoles send for the keys the setup screen uses.
 * UNIT_SRCS: drivers/vt100.c
 */
#include "drivers/vt100.h"
#include "unit.h"

/* Feed a whole string; return the keys produced, KEY_NONE-terminated. */
static void feed(const char *s, int *keys, int max)
{
	struct vt100 t = { 0 };
	int n = 0;

	for (; *s && n < max - 2; s++) {
		int got[2], c = vt100_feed(&t, (uint8_t)*s, got);
		for (int i = 0; i < c; i++)
			keys[n++] = got[i];
	}
	int k = vt100_timeout(&t);
	if (k != KEY_NONE && n < max - 1)
		keys[n++] = k;
	keys[n] = KEY_NONE;
}

#define EXPECT(str, ...)                                                    \
	do {                                                                \
		int got[16], want[] = { __VA_ARGS__, KEY_NONE };            \
		feed(str, got, 16);                                         \
		for (unsigned int i = 0; i < sizeof(want) / sizeof(int); i++)\
			UNIT_CHECK(got[i] == want[i]);                      \
	} while (0)

UNIT_TEST(vt100_plain_keys)
{
	EXPECT("ab1 ", 'a', 'b', '1', ' ');
	EXPECT("\r", KEY_ENTER);
	EXPECT("\n", KEY_ENTER);
	EXPECT("\x7f\x08", KEY_BACKSPACE, KEY_BACKSPACE);
	EXPECT("\t", KEY_TAB);
}

UNIT_TEST(vt100_arrows_csi_and_ss3)
{
	EXPECT("\x1b[A\x1b[B\x1b[C\x1b[D", KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT);
	EXPECT("\x1bOA\x1bOD", KEY_UP, KEY_LEFT); /* application cursor mode */
	EXPECT("\x1b[1;5A", KEY_UP);		   /* Ctrl modifier ignored */
}

UNIT_TEST(vt100_function_keys)
{
	EXPECT("\x1bOP\x1bOQ\x1bOR\x1bOS", KEY_F1, KEY_F2, KEY_F3, KEY_F4);
	EXPECT("\x1b[11~\x1b[12~", KEY_F1, KEY_F2); /* PuTTY/rxvt */
	EXPECT("\x1b[15~\x1b[17~\x1b[18~\x1b[19~", KEY_F5, KEY_F6, KEY_F7, KEY_F8);
	EXPECT("\x1b[20~\x1b[21~\x1b[23~\x1b[24~", KEY_F9, KEY_F10, KEY_F11,
	       KEY_F12);
}

UNIT_TEST(vt100_editing_keys)
{
	EXPECT("\x1b[H\x1b[F\x1b[2~\x1b[3~\x1b[5~\x1b[6~", KEY_HOME, KEY_END,
	       KEY_INSERT, KEY_DELETE, KEY_PGUP, KEY_PGDN);
	EXPECT("\x1b[1~\x1b[4~", KEY_HOME, KEY_END);
}

UNIT_TEST(vt100_lone_escape_and_escape_then_key)
{
	EXPECT("\x1b", KEY_ESC);
	EXPECT("\x1bx", KEY_ESC, 'x');
	EXPECT("\x1b\r", KEY_ESC, KEY_ENTER);
}

UNIT_TEST(vt100_garbage_is_dropped_not_typed)
{
	EXPECT("\x1b[99~z", 'z');	    /* unknown tilde code */
	EXPECT("\x1b[1234567890Az", 'z');   /* overlong sequence */
	EXPECT("\x1b[\x01z", 'z');	    /* control byte inside CSI */
	EXPECT("\x01\x02\x80\xffq", 'q');   /* control and 8-bit bytes */
	EXPECT("\x1bOZq", 'q');		    /* unknown SS3 final */
}
