// SPDX-License-Identifier: MIT
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "core/fmt.h"
#include "core/time.h"

#define LOG_RING_LINES 1024 /* power of two; 256 KiB of boot history */

/*
 * Single CPU with interrupts off until the core-kernel issue brings SMP;
 * then the ring and sink list take a spinlock.
 */
static struct log_record log_ring[LOG_RING_LINES];
static uint64_t log_seq; /* sequence number of the next record */
static struct log_sink *log_sinks;

static struct {
	char buf[sizeof(log_ring[0].text)];
	size_t len;
} log_partial; /* raw output waiting for its newline */

static void log_emit(enum log_level level, const char *text, size_t n)
{
	struct log_record *r = &log_ring[log_seq % LOG_RING_LINES];

	if (n >= sizeof(r->text))
		n = sizeof(r->text) - 1;
	r->seq = log_seq++;
	r->time_ns = time_ns();
	r->level = level;
	memcpy(r->text, text, n);
	r->text[n] = '\0';
	for (struct log_sink *s = log_sinks; s; s = s->next)
		s->write_line(level, r->text, n);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	char line[sizeof(log_ring[0].text)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	/* Callers may end with '\n' out of habit; a record is one line. */
	while (n > 0 && line[n - 1] == '\n')
		n--;
	log_emit(level, line, n);
}

void log_write_raw(enum log_level level, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n' || log_partial.len == sizeof(log_partial.buf) - 1) {
			log_emit(level, log_partial.buf, log_partial.len);
			log_partial.len = 0;
			if (c == '\n')
				continue;
		}
		if (c != '\r')
			log_partial.buf[log_partial.len++] = c;
	}
}

uint64_t log_first_seq(void)
{
	return log_seq > LOG_RING_LINES ? log_seq - LOG_RING_LINES : 0;
}

uint64_t log_next_seq(void)
{
	return log_seq;
}

int log_read(uint64_t seq, struct log_record *out)
{
	if (seq < log_first_seq() || seq >= log_seq)
		return -ENOENT;
	*out = log_ring[seq % LOG_RING_LINES];
	return 0;
}

void log_add_sink(struct log_sink *sink)
{
	for (uint64_t seq = log_first_seq(); seq < log_seq; seq++) {
		const struct log_record *r = &log_ring[seq % LOG_RING_LINES];
		sink->write_line(r->level, r->text, strlen(r->text));
	}
	sink->next = log_sinks;
	log_sinks = sink;
}
