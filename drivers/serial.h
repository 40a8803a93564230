/* SPDX-License-Identifier: MIT */
/*
 * COM1: the log sink and console output (drivers/serial.c), and keyboard
 * input from a terminal on the line, decoded by drivers/vt100.c.
 */
#ifndef KEEL_DRIVERS_SERIAL_H
#define KEEL_DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/log.h"

/* Raw bytes out (console.c; callers serialize, under the console lock). */
void serial_write(const char *s, size_t n);
/* One log line as the log sink writes it (text, CR, LF). */
void serial_log_line(enum log_level level, const char *s, size_t n);
bool serial_present(void);

#endif
