// SPDX-License-Identifier: MIT
/*
 * JSON parser and writer (mgmt/json.h), RFC 8259. Shared with client/,
 * so only the C library is used here.
 *
 * The parser is recursive descent with an explicit depth limit; the tree
 * and the decoded strings live in one arena (a list of chunks) that
 * json_free() releases at once. Strings are validated as UTF-8 (RFC 3629
 * section 4: no overlong forms, no surrogates, nothing above U+10FFFF).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/json.h"

#define JSON_CHUNK 16384

struct json_chunk {
	struct json_chunk *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

struct json_parser {
	const char *p, *end, *start;
	struct json_chunk *head, *cur;
	size_t nodes, max_nodes;
	struct json_error *err;
	bool failed;
};

static void json_fail(struct json_parser *ps, const char *msg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	if (ps->err) {
		ps->err->offset = (size_t)(ps->p - ps->start);
		snprintf(ps->err->msg, sizeof(ps->err->msg), "%s", msg);
	}
}

static void *json_alloc(struct json_parser *ps, size_t n)
{
	struct json_chunk *c = ps->cur;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > JSON_CHUNK ? n : JSON_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c) {
			json_fail(ps, "out of memory");
			return NULL;
		}
		c->next = NULL;
		c->used = 0;
		c->cap = cap;
		/* The head stays first: json_free finds it from the root. */
		if (!ps->head) {
			ps->head = c;
		} else {
			c->next = ps->head->next;
			ps->head->next = c;
		}
		/* A chunk made for one big string is not worth filling. */
		if (cap == JSON_CHUNK || !ps->cur)
			ps->cur = c;
	}
	void *r = c->data + c->used;
	c->used += n;
	return r;
}

static struct json *json_node(struct json_parser *ps, enum json_type t)
{
	struct json *n;

	if (ps->max_nodes && ++ps->nodes > ps->max_nodes) {
		json_fail(ps, "too many values");
		return NULL;
	}
	n = json_alloc(ps, sizeof(*n));
	if (n) {
		memset(n, 0, sizeof(*n));
		n->type = t;
	}
	return n;
}

static void json_ws(struct json_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool json_lit(struct json_parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		json_fail(ps, "invalid literal");
		return false;
	}
	ps->p += n;
	return true;
}

static int json_hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t json_put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp, need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need + 1)
		return 0;
	for (unsigned int i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* ps->p is at the opening quote. Decoded into the arena. */
static const char *json_string(struct json_parser *ps, size_t *len)
{
	const char *s = ++ps->p, *q = s;
	char *out, *o;

	/* The decoded form is never longer than the source span. */
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end) {
		json_fail(ps, "unterminated string");
		return NULL;
	}
	out = json_alloc(ps, (size_t)(q - s) + 1);
	if (!out)
		return NULL;
	o = out;
	while (ps->p < q) {
		unsigned char c = (unsigned char)*ps->p;
		const char *run = ps->p;

		/* Plain printable ASCII in one copy: a 1 MiB base64 chunk is
		 * nothing else. */
		while (run < q && (unsigned char)*run >= 0x20 &&
		       (unsigned char)*run < 0x80 && *run != '\\')
			run++;
		if (run > ps->p) {
			memcpy(o, ps->p, (size_t)(run - ps->p));
			o += run - ps->p;
			ps->p = run;
			continue;
		}
		if (c < 0x20) {
			json_fail(ps, "control character in string");
			return NULL;
		}
		if (c != '\\') {
			size_t n = json_utf8_len((const unsigned char *)ps->p,
						 (size_t)(q - ps->p));
			if (!n) {
				json_fail(ps, "invalid UTF-8 in string");
				return NULL;
			}
			memcpy(o, ps->p, n);
			o += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int cp = q - ps->p >= 4 ? json_hex4(ps->p) : -1;

			if (cp < 0) {
				json_fail(ps, "bad \\u escape");
				return NULL;
			}
			ps->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo = q - ps->p >= 6 && ps->p[0] == '\\' &&
						 ps->p[1] == 'u'
					 ? json_hex4(ps->p + 2)
					 : -1;
				if (lo < 0xdc00 || lo > 0xdfff) {
					json_fail(ps, "lone surrogate in \\u escape");
					return NULL;
				}
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
				json_fail(ps, cp ? "lone surrogate in \\u escape"
						 : "\\u0000 in string");
				return NULL;
			}
			o += json_put_utf8(o, (unsigned int)cp);
			break;
		}
		default:
			json_fail(ps, "bad escape in string");
			return NULL;
		}
	}
	ps->p = q + 1;
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

static bool json_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void json_number(struct json_parser *ps, struct json *n)
{
	const char *p = ps->p;
	bool neg = false, is_int = true, overflow = false;
	uint64_t mag = 0;

	if (p < ps->end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= ps->end || !json_digit(*p)) {
		json_fail(ps, "invalid number");
		return;
	}
	if (*p == '0') {
		p++;
	} else {
		while (p < ps->end && json_digit(*p)) {
			unsigned int d = (unsigned int)(*p++ - '0');
			if (mag > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				mag = mag * 10 + d;
		}
	}
	if (p < ps->end && *p == '.') {
		is_int = false;
		if (++p >= ps->end || !json_digit(*p)) {
			json_fail(ps, "invalid number");
			return;
		}
		while (p < ps->end && json_digit(*p))
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		is_int = false;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || !json_digit(*p)) {
			json_fail(ps, "invalid number");
			return;
		}
		while (p < ps->end && json_digit(*p))
			p++;
	}
	/* Keep the literal: an id like 1.5 is echoed exactly (jw_value). */
	char *lit = json_alloc(ps, (size_t)(p - ps->p) + 1);
	if (!lit)
		return;
	memcpy(lit, ps->p, (size_t)(p - ps->p));
	lit[p - ps->p] = '\0';
	n->s = lit;
	n->len = (size_t)(p - ps->p);
	ps->p = p;
	if (!is_int || overflow || mag > (uint64_t)INT64_MAX + neg)
		return;
	n->is_int = true;
	n->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
}

static struct json *json_value(struct json_parser *ps, int depth);

static bool json_dup_key(const struct json *obj, const char *key)
{
	for (const struct json *m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return true;
	return false;
}

/* Array or object; ps->p at '[' or '{'. */
static struct json *json_container(struct json_parser *ps, int depth,
				   bool object)
{
	struct json *n = json_node(ps, object ? JSON_OBJECT : JSON_ARRAY);
	struct json **tail;
	char close = object ? '}' : ']';

	if (!n)
		return NULL;
	if (depth >= JSON_MAX_DEPTH) {
		json_fail(ps, "nested too deeply");
		return NULL;
	}
	tail = &n->child;
	ps->p++;
	json_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return n;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		struct json *v;

		json_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				json_fail(ps, "expected a string key");
				return NULL;
			}
			key = json_string(ps, &klen);
			if (!key)
				return NULL;
			if (strlen(key) != klen || json_dup_key(n, key)) {
				json_fail(ps, "duplicate or invalid object key");
				return NULL;
			}
			json_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				json_fail(ps, "expected ':' after object key");
				return NULL;
			}
			ps->p++;
		}
		v = json_value(ps, depth + 1);
		if (!v)
			return NULL;
		v->key = key;
		*tail = v;
		tail = &v->next;
		n->len++;
		json_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return n;
		}
		json_fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		return NULL;
	}
}

static struct json *json_value(struct json_parser *ps, int depth)
{
	struct json *n;

	json_ws(ps);
	if (ps->p >= ps->end) {
		json_fail(ps, "unexpected end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return json_container(ps, depth, true);
	case '[':
		return json_container(ps, depth, false);
	case '"':
		n = json_node(ps, JSON_STRING);
		if (n && !(n->s = json_string(ps, &n->len)))
			return NULL;
		return n;
	case 't':
	case 'f':
		n = json_node(ps, JSON_BOOL);
		if (!n)
			return NULL;
		n->b = *ps->p == 't';
		return json_lit(ps, n->b ? "true" : "false") ? n : NULL;
	case 'n':
		n = json_node(ps, JSON_NULL);
		if (n && !json_lit(ps, "null"))
			return NULL;
		return n;
	default:
		n = json_node(ps, JSON_NUMBER);
		if (n)
			json_number(ps, n);
		return ps->failed ? NULL : n;
	}
}

void json_free(struct json *root)
{
	struct json_chunk *c, *next;

	if (!root)
		return;
	c = (struct json_chunk *)((char *)root - offsetof(struct json_chunk, data));
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
}

struct json *json_parse(const char *text, size_t len, size_t max_nodes,
			struct json_error *err)
{
	struct json_parser ps = { .p = text, .end = text + len, .start = text,
				  .max_nodes = max_nodes, .err = err };
	struct json *root;

	if (err) {
		err->offset = 0;
		err->msg[0] = '\0';
	}
	/* The root must be the head chunk's first object (json_free). */
	ps.cur = NULL;
	root = json_value(&ps, 0);
	if (root) {
		json_ws(&ps);
		if (ps.p != ps.end)
			json_fail(&ps, "trailing characters after the value");
	}
	if (ps.failed || !root) {
		if (ps.head) {
			struct json_chunk *c = ps.head, *next;
			for (; c; c = next) {
				next = c->next;
				free(c);
			}
		}
		return NULL;
	}
	return root;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

const struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY)
		return NULL;
	for (const struct json *m = arr->child; m; m = m->next)
		if (!i--)
			return m;
	return NULL;
}

bool json_get_str(const struct json *obj, const char *key, const char **out)
{
	const struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_STRING)
		return false;
	*out = v->s;
	return true;
}

bool json_get_int(const struct json *obj, const char *key, int64_t *out)
{
	const struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_NUMBER || !v->is_int)
		return false;
	*out = v->i;
	return true;
}

bool json_get_bool(const struct json *obj, const char *key, bool *out)
{
	const struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_BOOL)
		return false;
	*out = v->b;
	return true;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",	  [JSON_BOOL] = "boolean",
		[JSON_NUMBER] = "number", [JSON_STRING] = "string",
		[JSON_ARRAY] = "array",	  [JSON_OBJECT] = "object",
	};
	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t]
								  : "?";
}
