/* SPDX-License-Identifier: MIT */
/* One colour scheme for the VGA text and framebuffer consoles. */
#ifndef KEEL_DRIVERS_CONSOLE_COLOUR_H
#define KEEL_DRIVERS_CONSOLE_COLOUR_H

#include <stdint.h>

#include "core/log.h"

/* VGA attribute byte: background in bits 4-7, foreground in bits 0-3. */
static inline uint8_t console_vga_attr(enum log_level level)
{
	switch (level) {
	case LOG_ERR:
		return 0x0c; /* light red on black */
	case LOG_WARN:
		return 0x0e; /* yellow */
	default:
		return 0x07; /* light grey */
	}
}

/* The 16 VGA colours as 0xRRGGBB, for the framebuffer console. */
static const uint32_t console_palette[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa,
	0xaa5500, 0xaaaaaa, 0x555555, 0x5555ff, 0x55ff55, 0x55ffff,
	0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

#endif
