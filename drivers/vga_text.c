// SPDX-License-Identifier: MIT
/*
 * VGA text console: 80x25 (or whatever the EGA text framebuffer tag says)
 * at 0xb8000, used when booted by BIOS. Errors are drawn red, warnings
 * yellow, like ESXi's console log. In screen mode (drivers/console.h)
 * the console layer draws cells here and log lines stop scrolling.
 */
#include <stdint.h>
#include <string.h>

#include "core/bootinfo.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mm.h"
#include "drivers/console.h"
#include "drivers/console_colour.h"

static volatile uint16_t *vga_mem;
static uint32_t vga_cols, vga_rows, vga_row;

static void vga_scroll(void)
{
	for (uint32_t r = 1; r < vga_rows; r++)
		for (uint32_t c = 0; c < vga_cols; c++)
			vga_mem[(r - 1) * vga_cols + c] = vga_mem[r * vga_cols + c];
	for (uint32_t c = 0; c < vga_cols; c++)
		vga_mem[(vga_rows - 1) * vga_cols + c] = 0x0720;
}

static void vga_cursor(uint32_t pos)
{
	cpu_outb(0x3d4, 0x0f);
	cpu_outb(0x3d5, pos & 0xff);
	cpu_outb(0x3d4, 0x0e);
	cpu_outb(0x3d5, (pos >> 8) & 0xff);
}

/* A log line at the log position, scrolling; under the console lock. */
static void vga_log_line(enum log_level level, const char *s, size_t n)
{
	uint16_t attr = (uint16_t)console_vga_attr(level) << 8;

	/* Long lines wrap onto following rows. */
	do {
		if (vga_row == vga_rows) {
			vga_scroll();
			vga_row = vga_rows - 1;
		}
		for (uint32_t c = 0; c < vga_cols; c++)
			vga_mem[vga_row * vga_cols + c] =
				attr | (c < n ? (uint8_t)s[c] : ' ');
		vga_row++;
		s += n > vga_cols ? vga_cols : n;
		n -= n > vga_cols ? vga_cols : n;
	} while (n);
	vga_cursor(vga_row * vga_cols);
}

static void vga_write_line(enum log_level level, const char *s, size_t n)
{
	uint64_t flags;

	if (con_sink_begin(CON_OUT_SCREEN, &flags))
		vga_log_line(level, s, n);
	con_sink_end(flags);
}

static void vga_put(int row, int col, uint8_t ch, uint8_t attr)
{
	if ((uint32_t)row < vga_rows && (uint32_t)col < vga_cols)
		vga_mem[row * vga_cols + col] = (uint16_t)attr << 8 | ch;
}

/* Cursor start register as firmware left it (the cursor's shape). */
static uint8_t vga_cursor_start = 0x0d;

/* CRTC cursor start register (index 0x0a): bit 5 turns the cursor off. */
static void vga_show_cursor(int row, int col, bool visible)
{
	cpu_outb(0x3d4, 0x0a);
	cpu_outb(0x3d5, visible ? vga_cursor_start & 0x1f : 0x20);
	if (visible)
		vga_cursor(row * vga_cols + col);
}

static void vga_mode(bool screen)
{
	if (screen) {
		cpu_outb(0x3d4, 0x0a);
		uint8_t cs = cpu_inb(0x3d5);
		vga_cursor_start = cs & 0x20 ? 0x0d : cs;
		/*
		 * Attribute mode control (index 0x10) bit 3 off: attribute
		 * bit 7 selects the bright backgrounds instead of blinking.
		 * Reading 0x3da resets the 0x3c0 index/data flip-flop; bit 5
		 * of the index keeps the screen on.
		 */
		(void)cpu_inb(0x3da);
		cpu_outb(0x3c0, 0x30);
		uint8_t v = cpu_inb(0x3c1);
		cpu_outb(0x3c0, v & ~0x08);
		return;
	}
	for (uint32_t i = 0; i < vga_cols * vga_rows; i++)
		vga_mem[i] = 0x0720;
	vga_row = 0;
	vga_show_cursor(0, 0, true);
}

static const struct con_screen vga_con = {
	.name = "vga",
	.put = vga_put,
	.cursor = vga_show_cursor,
	.mode = vga_mode,
	.log_line = vga_log_line,
};

static struct log_sink vga_sink = {
	.name = "vga",
	.write_line = vga_write_line,
};

static void vga_init(void)
{
	const struct boot_fb *fb = &boot_info.fb;

	uint64_t addr;

	if (fb->type == BOOT_FB_EGA_TEXT) {
		addr = fb->addr;
		vga_cols = fb->width;
		vga_rows = fb->height;
	} else if (fb->type == BOOT_FB_NONE && !boot_info.efi_systab) {
		/* BIOS boot without a framebuffer tag: the standard mode 3. */
		addr = 0xb8000;
		vga_cols = 80;
		vga_rows = 25;
	} else {
		return;
	}
	if (vga_cols > 256 || vga_rows > 128 ||
	    !(vga_mem = mm_map_mmio(addr, vga_cols * vga_rows * 2))) {
		log_warn("vga: text mode %ux%u at %#llx not usable", vga_cols,
			 vga_rows, (unsigned long long)addr);
		return;
	}
	for (uint32_t i = 0; i < vga_cols * vga_rows; i++)
		vga_mem[i] = 0x0720;
	vga_row = 0;
	con_register_screen(&vga_con);
	log_add_sink(&vga_sink);
	log_info("console: VGA text %ux%u", vga_cols, vga_rows);
}
KEEL_INIT(INIT_CONSOLE, vga_init);
