/* SPDX-License-Identifier: MIT */
/*
 * JSON (RFC 8259) for the management endpoint and keelctl: a tree parser
 * with hard limits and a streaming writer. Pure C with no kernel
 * dependency, so client/ builds the same file (docs/api.md, "Design").
 *
 * Numbers: the kernel has no floating point (-mgeneral-regs-only), so a
 * number is kept as an int64 when its text is an integer that fits;
 * any other number parses (the grammar is checked) but has is_int false
 * and callers refuse it as the wrong type.
 */
#ifndef KEEL_MGMT_JSON_H
#define KEEL_MGMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool b;	      /* BOOL */
	bool is_int;  /* NUMBER: i holds the exact value */
	int64_t i;
	/* STRING: decoded UTF-8, NUL-terminated; NUMBER: the literal. */
	const char *s;
	size_t len;    /* STRING/NUMBER: bytes; ARRAY/OBJECT: members */
	const char *key;     /* a member of an OBJECT: its name, else NULL */
	struct json *child;  /* ARRAY/OBJECT: first member */
	struct json *next;   /* the next member of the parent */
};

struct json_error {
	size_t offset;	 /* byte offset into the text */
	char msg[64];	 /* "expected ':' after object key" */
};

/*
 * Parse @len bytes of @text (need not be NUL-terminated). Strings are
 * checked as UTF-8 and \u escapes decoded (surrogate pairs joined, lone
 * surrogates and \u0000 refused). Duplicate object keys are refused
 * (RFC 8259 section 4 leaves them undefined; refusing is the safe
 * reading). Depth is limited to JSON_MAX_DEPTH and the node count to
 * @max_nodes (0: no limit beyond memory). Returns the root, freed with
 * json_free(), or NULL with @err filled.
 */
struct json *json_parse(const char *text, size_t len, size_t max_nodes,
			struct json_error *err);
void json_free(struct json *root);

/* Member @key of object @obj, or NULL (also when @obj is not an object). */
const struct json *json_get(const struct json *obj, const char *key);
/* Element @i of array @arr, or NULL. */
const struct json *json_at(const struct json *arr, size_t i);
/* Convenience typed reads; false when absent or of another type. */
bool json_get_str(const struct json *obj, const char *key, const char **out);
bool json_get_int(const struct json *obj, const char *key, int64_t *out);
bool json_get_bool(const struct json *obj, const char *key, bool *out);
const char *json_type_name(enum json_type t); /* "string", "object" ... */
/* Length of the valid UTF-8 sequence starting at @s (at most @n bytes
 * available), or 0 when it is not one (RFC 3629 section 4). */
size_t json_utf8_len(const unsigned char *s, size_t n);

/*
 * The writer appends to a growing buffer; commas and nesting are tracked
 * for the caller. Once it runs out of memory or passes @limit bytes it
 * stops and jw_ok() turns false; the caller answers with an error.
 */
struct jw {
	char *buf; /* NUL-terminated while ok */
	size_t len, cap, limit;
	bool failed;
	int depth;
	bool first[JSON_MAX_DEPTH + 1]; /* no member yet at this depth */
	bool after_key;
};

void jw_init(struct jw *w, size_t limit);
void jw_free(struct jw *w);
/* Empty the buffer for reuse (keeps the memory). */
void jw_reset(struct jw *w);
bool jw_ok(const struct jw *w);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A value that is already JSON text (e.g. a request's id, echoed). */
void jw_raw(struct jw *w, const char *json, size_t n);
/* Re-emit a parsed value. */
void jw_value(struct jw *w, const struct json *v);
/* printf into a string value. */
void jw_strf(struct jw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Shorthands for "key": value members. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kuint(struct jw *w, const char *key, uint64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

#endif
