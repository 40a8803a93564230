// SPDX-License-Identifier: MIT
/* core/entropy.h for host-built tests: a counter (salts must differ, not
 * be secret, in a test). */
#include "core/entropy.h"

void entropy_read(void *buf, size_t len)
{
	static unsigned char ctr;
	unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(ctr++ * 151 + 7);
}

const char *entropy_sources(void)
{
	return "test";
}
