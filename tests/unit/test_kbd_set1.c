// SPDX-License-Identifier: MIT
/*
 * PS/2 set-1 decoding for the setup screen: letters, shift, caps lock,
 * the keys the console uses (Enter, Esc, Backspace, arrows, F2, F12).
 * UNIT_SRCS: drivers/kbd_set1.c
 */
#include "drivers/kbd_set1.h"
#include "unit.h"

static int feed(struct kbd_set1 *k, const uint8_t *codes, int n, int *keys)
{
	int got = 0;

	for (int i = 0; i < n; i++) {
		int key = kbd_set1_feed(k, codes[i]);
		if (key != KEY_NONE)
			keys[got++] = key;
	}
	return got;
}

UNIT_TEST(kbd_letters_and_release)
{
	struct kbd_set1 k = { 0 };
	const uint8_t c[] = { 0x25, 0xa5, 0x12, 0x92, 0x12, 0x92, 0x26, 0xa6 };
	int keys[8];

	UNIT_CHECK(feed(&k, c, 8, keys) == 4);
	UNIT_CHECK(keys[0] == 'k' && keys[1] == 'e' && keys[2] == 'e' &&
		   keys[3] == 'l');
}

UNIT_TEST(kbd_shift_and_caps)
{
	struct kbd_set1 k = { 0 };
	/* Shift-k, release shift, 1, shift-1, caps lock, a, shift-a */
	const uint8_t c[] = { 0x2a, 0x25, 0xa5, 0xaa, 0x02, 0x36, 0x02,
			      0xb6, 0x3a, 0xba, 0x1e, 0x2a, 0x1e, 0xaa };
	int keys[8];

	UNIT_CHECK(feed(&k, c, sizeof(c), keys) == 5);
	UNIT_CHECK(keys[0] == 'K');
	UNIT_CHECK(keys[1] == '1' && keys[2] == '!');
	UNIT_CHECK(keys[3] == 'A' && keys[4] == 'a');
}

UNIT_TEST(kbd_console_keys)
{
	struct kbd_set1 k = { 0 };
	const uint8_t c[] = { 0x1c, 0x01, 0x0e, 0x0f, 0x3c, 0x58,
			      0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0x4b,
			      0xe0, 0x4d, 0xe0, 0x53, 0xe0, 0x1c };
	int keys[16];

	UNIT_CHECK(feed(&k, c, sizeof(c), keys) == 12);
	UNIT_CHECK(keys[0] == KEY_ENTER && keys[1] == KEY_ESC &&
		   keys[2] == KEY_BACKSPACE && keys[3] == KEY_TAB);
	UNIT_CHECK(keys[4] == KEY_F2 && keys[5] == KEY_F12);
	UNIT_CHECK(keys[6] == KEY_UP && keys[7] == KEY_DOWN &&
		   keys[8] == KEY_LEFT && keys[9] == KEY_RIGHT);
	UNIT_CHECK(keys[10] == KEY_DELETE && keys[11] == KEY_ENTER);
}

UNIT_TEST(kbd_fake_shift_and_pause_ignored)
{
	struct kbd_set1 k = { 0 };
	/* E0 2A E0 37 (Print Screen), Pause (E1 1D 45 E1 9D C5), then 'a' */
	const uint8_t c[] = { 0xe0, 0x2a, 0xe0, 0x37, 0xe1, 0x1d, 0x45,
			      0xe1, 0x9d, 0xc5, 0x1e };
	int keys[4];

	UNIT_CHECK(feed(&k, c, sizeof(c), keys) == 1);
	UNIT_CHECK(keys[0] == 'a'); /* no stuck shift from the fake one */
}

UNIT_TEST(kbd_ctrl_letters_and_junk)
{
	struct kbd_set1 k = { 0 };
	const uint8_t c[] = { 0x1d, 0x2e, 0x9d, 0x7f, 0x5b, 0xff, 0x2e };
	int keys[4];

	UNIT_CHECK(feed(&k, c, sizeof(c), keys) == 2);
	UNIT_CHECK(keys[0] == 0x03); /* Ctrl-C */
	UNIT_CHECK(keys[1] == 'c');
}
