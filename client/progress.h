/* SPDX-License-Identifier: MIT */
/*
 * The transfer progress bar for datastore upload/download, drawn on
 * stderr only when it is a terminal (never in a script's output):
 *
 *   vmlinuz  45% [#########           ] 12.0 MiB/27.0 MiB  4.1 MiB/s  ETA 0:04
 *
 * The rate counts only bytes moved by this run (a resumed upload does
 * not look fast) over the time since the first byte.
 */
#ifndef KEEL_CLIENT_PROGRESS_H
#define KEEL_CLIENT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "0:04", "12:30", "1:02:03"; "--:--" when unknown (rate 0). */
void kc_fmt_eta(uint64_t secs, bool known, char *out, size_t n);

/* Bytes per second for @bytes in @ns, 0 when too soon to tell. */
uint64_t kc_prog_rate(uint64_t bytes, uint64_t ns);

/* One bar line (no CR/newline) at most @cols columns wide. */
void kc_prog_format(char *out, size_t n, const char *label, uint64_t done,
		    uint64_t total, uint64_t rate, int cols);

struct kc_prog {
	const char *label;
	uint64_t total;
	uint64_t first_done; /* where this run started (resume) */
	uint64_t t0_ns, last_ns;
	bool tty; /* draw at all */
	bool drawn;
};

/* Start at @done of @total; draws only if stderr is a terminal. */
void kc_prog_start(struct kc_prog *p, const char *label, uint64_t done,
		   uint64_t total);
/* At most ten redraws a second, and always the last one. */
void kc_prog_update(struct kc_prog *p, uint64_t done);
/* End the bar's line (after the last update). */
void kc_prog_end(struct kc_prog *p);

#endif
