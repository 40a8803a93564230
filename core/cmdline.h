/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line (ARCHITECTURE.md section 8): words separated by
 * spaces, `key` or `key=value`. A room that understands a `keel.*` option
 * declares it with CMDLINE_OPTION so that unknown ones can be logged.
 */
#ifndef KEEL_CORE_CMDLINE_H
#define KEEL_CORE_CMDLINE_H

#include <stddef.h>

struct cmdline_option {
	const char *key;
	const char *help;
};

#ifdef KEEL_HOST_TEST
/* Host unit tests are PIE: a table of pointers would not be read-only
 * there, and they supply cmdline_options() themselves. */
#define CMDLINE_OPTION(ident, key, help)                                    \
	static const struct cmdline_option __cmdline_opt_##ident            \
		__attribute__((unused)) = { key, help }
#else
#define CMDLINE_OPTION(ident, key, help)                                    \
	static const struct cmdline_option __cmdline_opt_##ident            \
		__attribute__((used, section(".rodata.cmdline_opt"),          \
			       aligned(8))) = { key, help }
#endif

/* Remember the command line and log each unknown keel.* option. */
void cmdline_apply(const char *cmdline);
/*
 * Copy the value of @key into @buf: "" for a bare flag. Returns the value
 * length, or -ENOENT when @key is absent, -ENOSPC when @buf is too small.
 */
int cmdline_get(const char *key, char *buf, size_t size);

/* The table CMDLINE_OPTION builds (core/cmdline_opts.c). */
const struct cmdline_option *cmdline_options(size_t *n);

/* Pure helpers, unit-tested on the host. */
int cmdline_find(const char *cmdline, const char *key, char *buf, size_t size);
const char *cmdline_next_word(const char *p, const char **start, size_t *len);

#endif
