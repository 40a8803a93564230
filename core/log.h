/* SPDX-License-Identifier: MIT */
/*
 * The kernel log: every line goes into a ring of records (level, timestamp,
 * sequence number, text) and out to each registered console sink. A sink
 * registered late (the VGA console after the boot info is parsed) first
 * replays what the ring still holds, so no boot line is lost.
 */
#ifndef KEEL_CORE_LOG_H
#define KEEL_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct log_sink {
	const char *name;
	/* Called with one complete line, without the trailing newline. */
	void (*write_line)(enum log_level level, const char *s, size_t n);
	struct log_sink *next; /* owned by core/log.c */
};

void log_add_sink(struct log_sink *sink);
void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Raw bytes from newlib's stdout/stderr: split into lines and logged. */
void log_write_raw(enum log_level level, const char *s, size_t n);

#define log_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Ring access by sequence number, for the console log viewer and RPC. */
struct log_record {
	uint64_t seq;
	uint64_t time_ns;
	enum log_level level;
	char text[232];
};
uint64_t log_first_seq(void);
uint64_t log_next_seq(void);
int log_read(uint64_t seq, struct log_record *out);

#endif
