// SPDX-License-Identifier: MIT
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "core/fmt.h"
#include "core/spinlock.h"
#include "core/time.h"

#define LOG_RING_LINES 1024 /* power of two; 256 KiB of boot history */

/*
 * One lock for the ring, the sinks and the partial line, so lines from
 * different CPUs never interleave on a console.
 */
static struct spinlock log_lock = SPINLOCK_INIT;
static struct log_record log_ring[LOG_RING_LINES];
static uint64_t log_seq; /* sequence number of the next record */
static struct log_sink *log_sinks;

static struct {
	char buf[sizeof(log_ring[0].text)];
	size_t len;
} log_partial; /* raw output waiting for its newline */

/* Under log_lock. */
static void log_emit_locked(enum log_level level, const char *text, size_t n)
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

/*
 * A CPU that faults while printing, or that is stopped by a panicking
 * CPU while holding the lock, must not silence the panic report: after
 * about a second of waiting the lock is taken over.
 */
static uint64_t log_lock_take(void)
{
	uint64_t flags = irq_save();

	for (uint64_t spins = 0;; spins++) {
		uint16_t owner = __atomic_load_n(&log_lock.owner, __ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(&log_lock.next, &owner,
						owner + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return flags;
		if (spins > 200000000u) {
			__atomic_store_n(&log_lock.next, owner + 1,
					 __ATOMIC_RELAXED);
			return flags;
		}
		asm volatile("pause");
	}
}

static void log_emit(enum log_level level, const char *text, size_t n)
{
	uint64_t flags = log_lock_take();

	log_emit_locked(level, text, n);
	spin_unlock_irqrestore(&log_lock, flags);
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
	uint64_t flags = log_lock_take();

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n' || log_partial.len == sizeof(log_partial.buf) - 1) {
			log_emit_locked(level, log_partial.buf, log_partial.len);
			log_partial.len = 0;
			if (c == '\n')
				continue;
		}
		if (c != '\r')
			log_partial.buf[log_partial.len++] = c;
	}
	spin_unlock_irqrestore(&log_lock, flags);
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
	uint64_t flags = log_lock_take();
	int rc = -ENOENT;

	if (seq >= log_first_seq() && seq < log_seq) {
		*out = log_ring[seq % LOG_RING_LINES];
		rc = 0;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return rc;
}

void log_add_sink(struct log_sink *sink)
{
	uint64_t flags = log_lock_take();

	for (uint64_t seq = log_first_seq(); seq < log_seq; seq++) {
		const struct log_record *r = &log_ring[seq % LOG_RING_LINES];
		sink->write_line(r->level, r->text, strlen(r->text));
	}
	sink->next = log_sinks;
	log_sinks = sink;
	spin_unlock_irqrestore(&log_lock, flags);
}
