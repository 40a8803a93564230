/* SPDX-License-Identifier: MIT */
/* Console font generated at build time from Debian's console-setup fonts. */
#ifndef KEEL_DRIVERS_FONT_H
#define KEEL_DRIVERS_FONT_H

#include <stdint.h>

#define FONT_W 8
#define FONT_H 16

/* Glyphs for Latin-1 code points 0-255; '?' where the font has none. */
extern const uint8_t font8x16[256][FONT_H];

#endif
