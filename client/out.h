/* SPDX-License-Identifier: MIT */
/*
 * keelctl's output: human tables and "key: value" blocks by default,
 * the server's result as one line of JSON with --json (stable for
 * scripts: exactly what the method returned, compact, newline-ended).
 */
#ifndef KEEL_CLIENT_OUT_H
#define KEEL_CLIENT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mgmt/json.h"

/* "0 B", "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB" (binary units). */
void kc_fmt_bytes(uint64_t v, char *out, size_t n);
/* "45s", "5m 03s", "2h 07m", "3d 04h". */
void kc_fmt_duration(uint64_t secs, char *out, size_t n);

/* How a column's value is shown. */
enum kc_fmt {
	KC_F_TEXT,     /* as is: strings, numbers, yes/no */
	KC_F_BYTES,    /* an integer of bytes, human */
	KC_F_MIB,      /* an integer of MiB, human */
	KC_F_SECONDS,  /* an integer of seconds, human */
	KC_F_MS,       /* an integer of milliseconds, human */
	KC_F_SHA_SHORT /* a hex digest: its first 12 digits */
};

/* A scalar (or an array of scalars, comma-joined) as text; "-" for null
 * or absent. */
void kc_fmt_value(const struct json *v, enum kc_fmt f, char *out, size_t n);

/* For a member with no column: its label and format from its name
 * ("memory_total_mb" -> "Memory total", KC_F_MIB; "_bytes", "_ms",
 * "_s" likewise). */
void kc_fmt_guess(const char *key, enum kc_fmt *f, char *label, size_t n);

#define KC_TABLE_COLS 12

struct kc_table {
	int ncols;
	const char *head[KC_TABLE_COLS];
	bool right[KC_TABLE_COLS]; /* right-aligned (numbers) */
	size_t nrows, cap;
	char **cells; /* nrows * ncols strdup'd strings */
};

void kc_table_init(struct kc_table *t);
/* A column; returns its index. */
int kc_table_col(struct kc_table *t, const char *head, bool right);
/* A row of ncols strings (copied). */
void kc_table_row(struct kc_table *t, const char *const *cells);
/* Header line, then rows; columns separated by two spaces, the last one
 * not padded. */
void kc_table_print(const struct kc_table *t, FILE *f);
void kc_table_free(struct kc_table *t);

/* One column of kc_out_list: @key of each element, shown per @fmt. */
struct kc_col {
	const char *key;
	const char *head;
	enum kc_fmt fmt;
	bool right;
};

/* An array of objects as a table of @cols (ended by a NULL key); an
 * empty array prints @empty instead. */
void kc_out_list(const struct json *arr, const struct kc_col *cols,
		 const char *empty, FILE *f);
/*
 * An object as aligned "Label: value" lines: first @cols in their order
 * (those present), then every other scalar member under its own name
 * (so a field a newer server adds still shows). Nested objects print
 * as indented blocks.
 */
void kc_out_object(const struct json *obj, const struct kc_col *cols, FILE *f);
/* @v as compact JSON and a newline (--json). */
void kc_out_json(const struct json *v, FILE *f);

#endif
