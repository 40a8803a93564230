// SPDX-License-Identifier: MIT
/* Human and JSON output for keelctl (client/out.h). */
#include "client/out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void kc_fmt_bytes(uint64_t v, char *out, size_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB" };
	uint64_t div = 1024;
	int u = 0;

	if (v < 1024) {
		snprintf(out, n, "%" PRIu64 " B", v);
		return;
	}
	while (u < 5 && v / div >= 1024) {
		div *= 1024;
		u++;
	}
	/* One decimal, rounded, without floating point. */
	uint64_t tenths = (v * 10 + div / 2) / div;
	if (v > UINT64_MAX / 10)
		tenths = v / (div / 10);
	if (tenths >= 10240 && u < 5) { /* rounded up to the next unit */
		tenths = 10;
		u++;
	}
	snprintf(out, n, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10,
		 unit[u]);
}

void kc_fmt_duration(uint64_t s, char *out, size_t n)
{
	if (s < 60)
		snprintf(out, n, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(out, n, "%" PRIu64 "m %02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, n, "%" PRIu64 "h %02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(out, n, "%" PRIu64 "d %02" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}

static void kc_fmt_scalar(const struct json *v, char *out, size_t n)
{
	switch (v->type) {
	case JSON_NULL:
		snprintf(out, n, "-");
		break;
	case JSON_BOOL:
		snprintf(out, n, "%s", v->b ? "yes" : "no");
		break;
	case JSON_NUMBER:
		if (v->is_int)
			snprintf(out, n, "%" PRId64, v->i);
		else
			snprintf(out, n, "(number)");
		break;
	case JSON_STRING:
		snprintf(out, n, "%s", v->s);
		break;
	default: {
		struct jw w;

		jw_init(&w, n);
		jw_value(&w, v);
		snprintf(out, n, "%s", jw_ok(&w) ? w.buf : "...");
		jw_free(&w);
	}
	}
}

void kc_fmt_value(const struct json *v, enum kc_fmt f, char *out, size_t n)
{
	if (!v || v->type == JSON_NULL) {
		snprintf(out, n, "-");
		return;
	}
	if (v->type == JSON_ARRAY) {
		size_t len = 0;

		out[0] = 0;
		for (const struct json *e = v->child; e && len + 1 < n;
		     e = e->next) {
			if (e != v->child)
				len += snprintf(out + len, n - len, ",");
			if (len + 1 < n)
				kc_fmt_value(e, f, out + len, n - len);
			len = strlen(out);
		}
		if (!v->child)
			snprintf(out, n, "-");
		return;
	}
	if (v->type == JSON_NUMBER && v->is_int && v->i >= 0) {
		uint64_t x = (uint64_t)v->i;

		switch (f) {
		case KC_F_BYTES:
			kc_fmt_bytes(x, out, n);
			return;
		case KC_F_MIB:
			if (x <= UINT64_MAX >> 20) {
				kc_fmt_bytes(x << 20, out, n);
				return;
			}
			break;
		case KC_F_SECONDS:
			kc_fmt_duration(x, out, n);
			return;
		case KC_F_MS:
			kc_fmt_duration(x / 1000, out, n);
			return;
		default:
			break;
		}
	}
	if (v->type == JSON_STRING && f == KC_F_SHA_SHORT && v->len > 12) {
		snprintf(out, n, "%.12s", v->s);
		return;
	}
	kc_fmt_scalar(v, out, n);
}

void kc_table_init(struct kc_table *t)
{
	memset(t, 0, sizeof(*t));
}

int kc_table_col(struct kc_table *t, const char *head, bool right)
{
	if (t->ncols == KC_TABLE_COLS)
		abort(); /* a programming error: tables are fixed */
	t->head[t->ncols] = head;
	t->right[t->ncols] = right;
	return t->ncols++;
}

void kc_table_row(struct kc_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells =
		    realloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
		if (!t->cells)
			abort();
	}
	for (int c = 0; c < t->ncols; c++) {
		char *s = strdup(cells[c] ? cells[c] : "-");

		if (!s)
			abort();
		/* A cell is one line: a newline would break the columns. */
		for (char *p = s; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		t->cells[t->nrows * t->ncols + c] = s;
	}
	t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static int kc_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* One line; padding is never left at its end. */
static void kc_table_line(const struct kc_table *t, const char *const *cells,
			  const int *width, FILE *f)
{
	int owed = 0; /* spaces to print before the next non-empty text */

	for (int c = 0; c < t->ncols; c++) {
		int pad = width[c] - kc_width(cells[c]);

		if (t->right[c]) {
			owed += pad;
			pad = 0;
		}
		if (cells[c][0]) {
			fprintf(f, "%*s%s", owed, "", cells[c]);
			owed = 0;
		}
		owed += pad + 2;
	}
	fputc('\n', f);
}

void kc_table_print(const struct kc_table *t, FILE *f)
{
	int width[KC_TABLE_COLS];

	for (int c = 0; c < t->ncols; c++) {
		width[c] = kc_width(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			int w = kc_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	kc_table_line(t, t->head, width, f);
	for (size_t r = 0; r < t->nrows; r++)
		kc_table_line(t, (const char *const *)&t->cells[r * t->ncols],
			      width, f);
}

void kc_table_free(struct kc_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void kc_out_list(const struct json *arr, const struct kc_col *cols,
		 const char *empty, FILE *f)
{
	struct kc_table t;
	char cell[KC_TABLE_COLS][256];
	const char *row[KC_TABLE_COLS];
	int n = 0;

	if (!arr || arr->type != JSON_ARRAY || !arr->child) {
		fprintf(f, "%s\n", empty);
		return;
	}
	kc_table_init(&t);
	for (; cols[n].key && n < KC_TABLE_COLS; n++)
		kc_table_col(&t, cols[n].head, cols[n].right);
	for (const struct json *e = arr->child; e; e = e->next) {
		for (int c = 0; c < n; c++) {
			kc_fmt_value(json_get(e, cols[c].key), cols[c].fmt,
				     cell[c], sizeof(cell[c]));
			row[c] = cell[c];
		}
		kc_table_row(&t, row);
	}
	kc_table_print(&t, f);
	kc_table_free(&t);
}

static const struct kc_col *kc_col_find(const struct kc_col *cols,
					const char *key)
{
	for (; cols && cols->key; cols++)
		if (!strcmp(cols->key, key))
			return cols;
	return NULL;
}

/* Words of member names that read better in their usual spelling. */
static const char *const kc_words[][2] = {
	{ "vm", "VM" },		  { "vms", "VMs" },   { "cpu", "CPU" },
	{ "cpus", "CPUs" },	  { "nic", "NIC" },   { "nics", "NICs" },
	{ "mac", "MAC" },	  { "id", "ID" },     { "ip4", "IPv4" },
	{ "ip6", "IPv6" },	  { "dns", "DNS" },   { "tsc", "TSC" },
	{ "hz", "Hz" },		  { "mbps", "Mb/s" }, { "tx", "TX" },
	{ "rx", "RX" },		  { "vlan", "VLAN" }, { "sha256", "SHA-256" },
	{ "mgmt", "management" }, { "io", "I/O" },    { "cpuid", "CPUID" },
	{ "msr", "MSR" },	  { "hlt", "HLT" },   { "xsetbv", "XSETBV" },
	{ "uuid", "UUID" },
};

/* "memory_total" -> "Memory total", "tx_bytes" -> "TX bytes" for
 * members without a label. */
static void kc_label(const char *key, char *out, size_t n)
{
	size_t len = 0;

	out[0] = 0;
	while (*key && len + 1 < n) {
		size_t w = strcspn(key, "_");
		const char *word = NULL;

		for (size_t i = 0; i < sizeof(kc_words) / sizeof(kc_words[0]);
		     i++)
			if (strlen(kc_words[i][0]) == w &&
			    !strncmp(kc_words[i][0], key, w))
				word = kc_words[i][1];
		len += snprintf(out + len, n - len, "%s%.*s", len ? " " : "",
				word ? (int)strlen(word) : (int)w,
				word ? word : key);
		if (len >= n)
			len = n - 1;
		key += w + (key[w] == '_');
	}
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

void kc_fmt_guess(const char *key, enum kc_fmt *f, char *label, size_t n)
{
	static const struct {
		const char *suffix;
		enum kc_fmt fmt;
	} sfx[] = {
		{ "_bytes", KC_F_BYTES },  { "_mb", KC_F_MIB },
		{ "_mib", KC_F_MIB },	   { "_ms", KC_F_MS },
		{ "_secs", KC_F_SECONDS }, { "_seconds", KC_F_SECONDS },
		{ "_s", KC_F_SECONDS },
	};
	size_t len = strlen(key);
	char stem[64];

	*f = KC_F_TEXT;
	kc_label(key, label, n);
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t sl = strlen(sfx[i].suffix);

		if (len > sl && len - sl < sizeof(stem) &&
		    !strcmp(key + len - sl, sfx[i].suffix)) {
			*f = sfx[i].fmt;
			memcpy(stem, key, len - sl);
			stem[len - sl] = 0;
			kc_label(stem, label, n);
			return;
		}
	}
}

static bool kc_is_table(const struct json *v)
{
	return v->type == JSON_ARRAY && v->child &&
	       v->child->type == JSON_OBJECT;
}

static void kc_out_obj_indent(const struct json *obj, const struct kc_col *cols,
			      int indent, FILE *f);

/* An array of objects under an object: a table of the first element's
 * scalar members, indented. */
static void kc_out_subtable(const struct json *arr, int indent, FILE *f)
{
	struct kc_col cols[KC_TABLE_COLS + 1];
	char heads[KC_TABLE_COLS][64];
	int n = 0;

	for (const struct json *m = arr->child->child; m && n < KC_TABLE_COLS;
	     m = m->next) {
		if (m->type == JSON_OBJECT || kc_is_table(m))
			continue;
		enum kc_fmt fmt;

		kc_fmt_guess(m->key, &fmt, heads[n], sizeof(heads[n]));
		cols[n] = (struct kc_col){ m->key, heads[n], fmt,
					   m->type == JSON_NUMBER };
		n++;
	}
	cols[n].key = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	kc_out_list(arr, cols, "(none)", m);
	fclose(m);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(f, "%*s%s\n", indent, "", line);
	free(buf);
}

static void kc_out_member(const char *label, const struct json *v,
			  enum kc_fmt fmt, int width, int indent, FILE *f)
{
	char val[1024];

	if (v->type == JSON_OBJECT) {
		fprintf(f, "%*s%s:\n", indent, "", label);
		kc_out_obj_indent(v, NULL, indent + 2, f);
		return;
	}
	if (kc_is_table(v)) {
		fprintf(f, "%*s%s:\n", indent, "", label);
		kc_out_subtable(v, indent + 2, f);
		return;
	}
	kc_fmt_value(v, fmt, val, sizeof(val));
	fprintf(f, "%*s%s:%*s %s\n", indent, "", label, width - kc_width(label),
		"", val);
}

static void kc_out_obj_indent(const struct json *obj, const struct kc_col *cols,
			      int indent, FILE *f)
{
	char label[64];
	int width = 0;

	if (!obj || obj->type != JSON_OBJECT) {
		if (obj)
			kc_out_json(obj, f);
		return;
	}
	for (const struct json *m = obj->child; m; m = m->next) {
		const struct kc_col *c = kc_col_find(cols, m->key);

		enum kc_fmt f;

		if (c)
			snprintf(label, sizeof(label), "%s", c->head);
		else
			kc_fmt_guess(m->key, &f, label, sizeof(label));
		if (kc_width(label) > width)
			width = kc_width(label);
	}
	for (const struct kc_col *c = cols; c && c->key; c++) {
		const struct json *v = json_get(obj, c->key);

		if (v)
			kc_out_member(c->head, v, c->fmt, width, indent, f);
	}
	for (const struct json *m = obj->child; m; m = m->next) {
		enum kc_fmt fmt;

		if (kc_col_find(cols, m->key))
			continue;
		kc_fmt_guess(m->key, &fmt, label, sizeof(label));
		kc_out_member(label, m, fmt, width, indent, f);
	}
}

void kc_out_object(const struct json *obj, const struct kc_col *cols, FILE *f)
{
	kc_out_obj_indent(obj, cols, 0, f);
}

void kc_out_json(const struct json *v, FILE *f)
{
	struct jw w;

	jw_init(&w, (size_t)64 << 20);
	if (v)
		jw_value(&w, v);
	else
		jw_null(&w);
	if (jw_ok(&w))
		fprintf(f, "%s\n", w.buf);
	jw_free(&w);
}
