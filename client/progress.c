// SPDX-License-Identifier: MIT
/* The transfer progress bar (client/progress.h). */
#include "client/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client/out.h"
#include "client/util.h"

void kc_fmt_eta(uint64_t s, bool known, char *out, size_t n)
{
	if (!known || s >= 100 * 3600)
		snprintf(out, n, "--:--");
	else if (s >= 3600)
		snprintf(out, n, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, n, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

uint64_t kc_prog_rate(uint64_t bytes, uint64_t ns)
{
	/* Under 100 ms the figure is noise. */
	if (ns < 100000000ull)
		return 0;
	/* bytes * 1e9 / ns without overflow for any real transfer. */
	if (bytes < UINT64_MAX / 1000)
		return bytes * 1000 / (ns / 1000000);
	return bytes / (ns / 1000000000ull);
}

void kc_prog_format(char *out, size_t n, const char *label, uint64_t done,
		    uint64_t total, uint64_t rate, int cols)
{
	char d[24], t[24], r[32], eta[16], tail[128];
	unsigned pct =
	    total ? (unsigned)(done >= total ? 100 : done * 100 / total) : 100;
	int bar, fill, len;

	kc_fmt_bytes(done, d, sizeof(d));
	kc_fmt_bytes(total, t, sizeof(t));
	if (rate) {
		kc_fmt_bytes(rate, r, sizeof(r));
		strcat(r, "/s");
	} else {
		snprintf(r, sizeof(r), "--/s");
	}
	kc_fmt_eta(rate && total > done ? (total - done + rate - 1) / rate : 0,
		   rate || done >= total, eta, sizeof(eta));
	snprintf(tail, sizeof(tail), "%s/%s  %s  ETA %s", d, t, r, eta);
	/* label, " NNN% [", bar, "] ", tail */
	bar = cols - (int)strlen(label) - 8 - 2 - (int)strlen(tail);
	if (bar > 40)
		bar = 40;
	if (bar < 10) { /* a narrow terminal: no bar */
		snprintf(out, n, "%s %3u%% %s", label, pct, tail);
		return;
	}
	fill = (int)(pct * (unsigned)bar / 100);
	len = snprintf(out, n, "%s %3u%% [", label, pct);
	for (int i = 0; i < bar && (size_t)len + 1 < n; i++)
		out[len++] = i < fill ? '#' : ' ';
	snprintf(out + len, n - len, "] %s", tail);
}

static int kc_prog_cols(void)
{
	struct winsize ws;

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 20)
		return ws.ws_col - 1;
	return 79;
}

static void kc_prog_draw(struct kc_prog *p, uint64_t done, uint64_t now)
{
	char line[512];

	kc_prog_format(
	    line, sizeof(line), p->label, done, p->total,
	    kc_prog_rate(done > p->first_done ? done - p->first_done : 0,
			 now - p->t0_ns),
	    kc_prog_cols());
	/* CR, the line, clear to its end (ECMA-48 EL). */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last_ns = now;
	p->drawn = true;
}

void kc_prog_start(struct kc_prog *p, const char *label, uint64_t done,
		   uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->first_done = done;
	p->t0_ns = kc_now_ns();
	p->tty = isatty(STDERR_FILENO);
	if (p->tty)
		kc_prog_draw(p, done, p->t0_ns);
}

void kc_prog_update(struct kc_prog *p, uint64_t done)
{
	uint64_t now;

	if (!p->tty)
		return;
	now = kc_now_ns();
	if (done < p->total && now - p->last_ns < 100000000ull)
		return;
	kc_prog_draw(p, done, now);
}

void kc_prog_end(struct kc_prog *p)
{
	if (p->tty && p->drawn)
		fputc('\n', stderr);
	p->drawn = false;
}
