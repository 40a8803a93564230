// SPDX-License-Identifier: MIT
/* The option table the linker gathers (image/keel.ld, .rodata.cmdline_opt). */
#include "core/cmdline.h"

const struct cmdline_option *cmdline_options(size_t *n)
{
	extern const struct cmdline_option __cmdline_opt_start[],
		__cmdline_opt_end[];

	*n = __cmdline_opt_end - __cmdline_opt_start;
	return __cmdline_opt_start;
}
