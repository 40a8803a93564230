// SPDX-License-Identifier: MIT
/*
 * Text console on a linear RGB framebuffer, for UEFI boots where there is
 * no VGA text mode (Multiboot2 framebuffer tag, type 1). 8x16 glyphs from
 * the Terminus console font, converted at build time (tools/psf2c.py).
 * In screen mode (drivers/console.h) the console's 80x25 grid is drawn
 * centred on the framebuffer, with a drawn underline for a cursor.
 */
#include <stdint.h>
#include <string.h>

#include "core/bootinfo.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mm.h"
#include "drivers/console.h"
#include "drivers/console_colour.h"
#include "drivers/font.h"

static struct {
	uint8_t *base;
	uint32_t pitch, bytespp;
	uint32_t cols, rows, row;
	uint32_t fg[16]; /* palette converted to the framebuffer's format */
	uint32_t ox, oy; /* where the console's 80x25 grid starts */
} fbt;

static uint32_t fbt_pack(const struct boot_fb *fb, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return (r >> (8 - fb->red_size)) << fb->red_pos |
	       (g >> (8 - fb->green_size)) << fb->green_pos |
	       (b >> (8 - fb->blue_size)) << fb->blue_pos;
}

static void fbt_pixel(uint8_t *p, uint32_t v)
{
	switch (fbt.bytespp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		p[0] = v;
		p[1] = v >> 8;
		p[2] = v >> 16;
		break;
	default:
		*(volatile uint16_t *)p = v;
		break;
	}
}

static void fbt_glyph(uint32_t col, uint32_t row, uint8_t ch, uint32_t fg,
		      uint32_t bg)
{
	const uint8_t *g = font8x16[ch];
	uint8_t *line = fbt.base + (uint64_t)row * FONT_H * fbt.pitch +
			col * FONT_W * fbt.bytespp;

	for (int y = 0; y < FONT_H; y++, line += fbt.pitch)
		for (int x = 0; x < FONT_W; x++)
			fbt_pixel(line + x * fbt.bytespp,
				  g[y] & (0x80 >> x) ? fg : bg);
}

static void fbt_scroll(void)
{
	size_t text_row = (size_t)fbt.pitch * FONT_H;

	memmove(fbt.base, fbt.base + text_row, text_row * (fbt.rows - 1));
	memset(fbt.base + text_row * (fbt.rows - 1), 0, text_row);
}

/* A log line at the log position, scrolling; under the console lock. */
static void fbt_log_line(enum log_level level, const char *s, size_t n)
{
	uint32_t fg = fbt.fg[console_vga_attr(level) & 0xf];

	do {
		if (fbt.row == fbt.rows) {
			fbt_scroll();
			fbt.row = fbt.rows - 1;
		}
		for (uint32_t c = 0; c < fbt.cols; c++)
			fbt_glyph(c, fbt.row, c < n ? (uint8_t)s[c] : ' ', fg,
				  0);
		fbt.row++;
		s += n > fbt.cols ? fbt.cols : n;
		n -= n > fbt.cols ? fbt.cols : n;
	} while (n);
}

static void fbt_write_line(enum log_level level, const char *s, size_t n)
{
	uint64_t flags;

	if (con_sink_begin(CON_OUT_SCREEN, &flags))
		fbt_log_line(level, s, n);
	con_sink_end(flags);
}

static void fbt_put(int row, int col, uint8_t ch, uint8_t attr)
{
	uint32_t c = fbt.ox + col, r = fbt.oy + row;

	if (c < fbt.cols && r < fbt.rows)
		fbt_glyph(c, r, ch, fbt.fg[attr & 0xf], fbt.fg[attr >> 4]);
}

/* No hardware cursor here: an underline over the cell's last two lines. */
static void fbt_cursor(int row, int col, bool visible)
{
	uint32_t c = fbt.ox + col, r = fbt.oy + row;

	if (!visible || c >= fbt.cols || r >= fbt.rows)
		return;
	uint8_t *line = fbt.base +
			((uint64_t)r * FONT_H + FONT_H - 2) * fbt.pitch +
			c * FONT_W * fbt.bytespp;
	for (int y = 0; y < 2; y++, line += fbt.pitch)
		for (int x = 0; x < FONT_W; x++)
			fbt_pixel(line + x * fbt.bytespp,
				  fbt.fg[CON_LIGHT_GREY]);
}

static void fbt_mode(bool screen)
{
	/* Entering, the grid is repainted cell by cell; clear the margins. */
	memset(fbt.base, 0, (size_t)fbt.pitch * fbt.rows * FONT_H);
	if (!screen)
		fbt.row = 0;
}

static const struct con_screen fbt_con = {
	.name = "framebuffer",
	.put = fbt_put,
	.cursor = fbt_cursor,
	.mode = fbt_mode,
	.log_line = fbt_log_line,
};

static struct log_sink fbt_sink = {
	.name = "framebuffer",
	.write_line = fbt_write_line,
};

static void fbt_init(void)
{
	const struct boot_fb *fb = &boot_info.fb;

	if (fb->type != BOOT_FB_RGB)
		return;
	uint64_t size = (uint64_t)fb->pitch * fb->height;
	if (fb->red_size > 8 || fb->green_size > 8 || fb->blue_size > 8 ||
	    size > (256u << 20) || !(fbt.base = mm_map_mmio(fb->addr, size))) {
		log_warn("fb: %ux%u framebuffer at %#llx not usable",
			 fb->width, fb->height, (unsigned long long)fb->addr);
		return;
	}
	fbt.pitch = fb->pitch;
	fbt.bytespp = (fb->bpp + 7) / 8;
	fbt.cols = fb->width / FONT_W;
	fbt.rows = fb->height / FONT_H;
	for (int i = 0; i < 16; i++)
		fbt.fg[i] = fbt_pack(fb, console_palette[i]);
	fbt.ox = fbt.cols > CON_COLS ? (fbt.cols - CON_COLS) / 2 : 0;
	fbt.oy = fbt.rows > CON_ROWS ? (fbt.rows - CON_ROWS) / 2 : 0;
	memset(fbt.base, 0, size);
	con_register_screen(&fbt_con);
	log_add_sink(&fbt_sink);
	log_info("console: framebuffer %ux%ux%u, %ux%u text", fb->width,
		 fb->height, fb->bpp, fbt.cols, fbt.rows);
}
KEEL_INIT(INIT_CONSOLE, fbt_init);
