// SPDX-License-Identifier: MIT
/*
 * The JSON writer (mgmt/json.h). Output is always valid JSON: strings
 * that are not valid UTF-8 (a guest's console bytes, a log line) have
 * each bad byte replaced by U+FFFD, and control characters are escaped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/json.h"

void jw_init(struct jw *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
	w->first[0] = true;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	if (w->buf)
		w->buf[0] = '\0';
	w->failed = false;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
}

bool jw_ok(const struct jw *w)
{
	return !w->failed;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (w->limit && w->len + n > w->limit) {
		w->failed = true;
		return;
	}
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		char *b;

		while (cap < w->len + n + 1)
			cap *= 2;
		b = realloc(w->buf, cap);
		if (!b) {
			w->failed = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Comma before a value or key, unless it follows a key or opens a level. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		jw_put(w, ",", 1);
	w->first[w->depth] = false;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	jw_put(w, &c, 1);
	w->first[++w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	if (w->depth <= 0 || w->after_key) {
		w->failed = true;
		return;
	}
	w->depth--;
	jw_put(w, &c, 1);
}

void jw_obj_begin(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static void jw_quoted(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	jw_put(w, "\"", 1);
	while (p < end && !w->failed) {
		const unsigned char *run = p;

		/* Copy plain printable ASCII in one go. */
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		       *p != '\\')
			p++;
		jw_put(w, (const char *)run, (size_t)(p - run));
		if (p >= end)
			break;
		if (*p >= 0x80) {
			size_t n = json_utf8_len(p, (size_t)(end - p));

			if (n)
				jw_put(w, (const char *)p, n);
			else
				jw_put(w, "\xef\xbf\xbd", 3); /* U+FFFD */
			p += n ? n : 1;
			continue;
		}
		char esc[6] = { '\\', 0 };
		size_t elen = 2;
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			elen = 6;
		}
		jw_put(w, esc, elen);
		p++;
	}
	jw_put(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
	if (w->after_key || w->depth <= 0) {
		w->failed = true;
		return;
	}
	jw_sep(w);
	jw_quoted(w, key, strlen(key));
	jw_put(w, ":", 1);
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	jw_quoted(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

void jw_strf(struct jw *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	jw_strn(w, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	jw_sep(w);
	jw_put(w, json, n);
}

void jw_int(struct jw *w, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	jw_raw(w, buf, (size_t)n);
}

void jw_uint(struct jw *w, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);

	jw_raw(w, buf, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null", 4);
}

void jw_value(struct jw *w, const struct json *v)
{
	switch (v->type) {
	case JSON_NULL:
		jw_null(w);
		break;
	case JSON_BOOL:
		jw_bool(w, v->b);
		break;
	case JSON_NUMBER:
		jw_raw(w, v->s, v->len);
		break;
	case JSON_STRING:
		jw_strn(w, v->s, v->len);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		v->type == JSON_ARRAY ? jw_arr_begin(w) : jw_obj_begin(w);
		for (const struct json *m = v->child; m; m = m->next) {
			if (v->type == JSON_OBJECT)
				jw_key(w, m->key);
			jw_value(w, m);
		}
		v->type == JSON_ARRAY ? jw_arr_end(w) : jw_obj_end(w);
		break;
	}
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kuint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
