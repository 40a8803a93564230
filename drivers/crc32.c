// SPDX-License-Identifier: MIT
/*
 * Table-driven CRC-32 (IEEE 802.3, reflected), one table lookup per byte.
 * The table is computed on first use rather than written out, so there are
 * no 256 magic constants to get wrong; two CPUs racing to fill it write
 * identical values, and the ready flag is only published after the table.
 */
#include <stdbool.h>

#include "drivers/crc32.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u

static uint32_t crc32_table[256];
static bool crc32_ready;

static void crc32_init_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32_POLY_REFLECTED : c >> 1;
		crc32_table[i] = c;
	}
	__atomic_store_n(&crc32_ready, true, __ATOMIC_RELEASE);
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!__atomic_load_n(&crc32_ready, __ATOMIC_ACQUIRE))
		crc32_init_table();
	crc = ~crc;
	while (len--)
		crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
