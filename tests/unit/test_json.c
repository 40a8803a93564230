// SPDX-License-Identifier: MIT
/*
 * JSON parser and writer (mgmt/json.c, mgmt/json_write.c): RFC 8259
 * grammar, UTF-8 validation, limits, and that everything the writer
 * produces parses back to the same values.
 * UNIT_SRCS: mgmt/json.c mgmt/json_write.c
 */
#include <stdint.h>
#include <stdlib.h>

#include "mgmt/json.h"
#include "unit.h"

static struct json *parse(const char *s)
{
	struct json_error err;

	return json_parse(s, strlen(s), 0, &err);
}

static bool refused(const char *s)
{
	struct json_error err;
	struct json *j = json_parse(s, strlen(s), 0, &err);

	if (j) {
		json_free(j);
		return false;
	}
	return err.msg[0] != '\0';
}

UNIT_TEST(json_scalars)
{
	struct json *j = parse(" 42 ");
	UNIT_CHECK(j && j->type == JSON_NUMBER && j->is_int && j->i == 42);
	json_free(j);
	j = parse("-9223372036854775808");
	UNIT_CHECK(j && j->is_int && j->i == INT64_MIN);
	json_free(j);
	j = parse("9223372036854775808"); /* one past INT64_MAX */
	UNIT_CHECK(j && j->type == JSON_NUMBER && !j->is_int);
	json_free(j);
	j = parse("1.5e3");
	UNIT_CHECK(j && !j->is_int && !strcmp(j->s, "1.5e3"));
	json_free(j);
	j = parse("true");
	UNIT_CHECK(j && j->type == JSON_BOOL && j->b);
	json_free(j);
	j = parse("false");
	UNIT_CHECK(j && j->type == JSON_BOOL && !j->b);
	json_free(j);
	j = parse("null");
	UNIT_CHECK(j && j->type == JSON_NULL);
	json_free(j);
}

UNIT_TEST(json_strings_and_escapes)
{
	struct json *j = parse("\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\"");
	UNIT_CHECK(j && j->type == JSON_STRING);
	UNIT_CHECK(j && !strcmp(j->s, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80"));
	UNIT_CHECK(j && j->len == strlen(j->s));
	json_free(j);
	j = parse("\"caf\xc3\xa9\"");
	UNIT_CHECK(j && !strcmp(j->s, "caf\xc3\xa9"));
	json_free(j);
}

UNIT_TEST(json_objects_arrays)
{
	struct json *j = parse("{\"a\": [1, 2, {\"b\": null}], \"c\": \"x\"}");
	const char *s;
	int64_t v;

	UNIT_CHECK(j && j->type == JSON_OBJECT && j->len == 2);
	const struct json *a = json_get(j, "a");
	UNIT_CHECK(a && a->type == JSON_ARRAY && a->len == 3);
	UNIT_CHECK(json_at(a, 1) && json_at(a, 1)->i == 2);
	UNIT_CHECK(json_at(a, 3) == NULL);
	UNIT_CHECK(json_get(json_at(a, 2), "b")->type == JSON_NULL);
	UNIT_CHECK(json_get_str(j, "c", &s) && !strcmp(s, "x"));
	UNIT_CHECK(!json_get_int(j, "c", &v));
	UNIT_CHECK(!json_get(j, "zz"));
	json_free(j);
	j = parse("[]");
	UNIT_CHECK(j && j->type == JSON_ARRAY && j->len == 0);
	json_free(j);
	j = parse("{}");
	UNIT_CHECK(j && j->type == JSON_OBJECT && !j->child);
	json_free(j);
}

UNIT_TEST(json_refuses_bad_text)
{
	static const char *const bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}",
		"{1:2}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
		"\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"",
		"\"\\u0000\"", "\"a\tb\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"", "{\"a\":1,\"a\":2}",
		"1 2", "[1]]", "NaN", "Infinity",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!refused(bad[i]))
			printf("accepted: %s\n", bad[i]);
		UNIT_CHECK(refused(bad[i]));
	}
}

UNIT_TEST(json_limits)
{
	char deep[200];
	struct json_error err;
	size_t n = 0;

	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		deep[n++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		deep[n++] = ']';
	UNIT_CHECK(!json_parse(deep, n, 0, &err));
	UNIT_CHECK(strstr(err.msg, "deep") != NULL);
	/* One level less parses. */
	struct json *ok = json_parse(deep + 1, n - 2, 0, &err);
	UNIT_CHECK(ok != NULL);
	json_free(ok);
	UNIT_CHECK(!json_parse("[1,2,3,4]", 9, 4, &err));
	struct json *j = json_parse("[1,2,3]", 7, 4, &err);
	UNIT_CHECK(j != NULL);
	json_free(j);
	/* Not NUL-terminated: the length rules. */
	j = json_parse("[1]garbage", 3, 0, &err);
	UNIT_CHECK(j && j->len == 1);
	json_free(j);
	/* Error offset points at the problem. */
	UNIT_CHECK(!json_parse("[1, x]", 6, 0, &err) && err.offset == 4);
}

UNIT_TEST(json_big_string)
{
	size_t n = 3 << 20;
	char *s = malloc(n + 2);

	memset(s + 1, 'A', n);
	s[0] = s[n + 1] = '"';
	struct json_error err;
	struct json *j = json_parse(s, n + 2, 0, &err);
	UNIT_CHECK(j && j->len == n && j->s[n - 1] == 'A' && !j->s[n]);
	json_free(j);
	free(s);
}

UNIT_TEST(json_writer_roundtrip)
{
	struct jw w;

	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", "web \"1\"\n");
	jw_kint(&w, "neg", -5);
	jw_kuint(&w, "big", UINT64_MAX);
	jw_kbool(&w, "on", true);
	jw_key(&w, "list");
	jw_arr_begin(&w);
	jw_int(&w, 1);
	jw_null(&w);
	jw_strf(&w, "%d-%s", 7, "x");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "ctl");
	jw_strn(&w, "a\x01\x7f", 3);
	jw_obj_end(&w);
	UNIT_CHECK(jw_ok(&w));
	UNIT_CHECK_STR(w.buf, "{\"name\":\"web \\\"1\\\"\\n\",\"neg\":-5,"
			      "\"big\":18446744073709551615,\"on\":true,"
			      "\"list\":[1,null,\"7-x\",[]],"
			      "\"ctl\":\"a\\u0001\x7f\"}");
	struct json *j = parse(w.buf);
	UNIT_CHECK(j && !strcmp(json_get(j, "name")->s, "web \"1\"\n"));
	/* Re-emitting the tree gives the same text. */
	struct jw w2;
	jw_init(&w2, 0);
	jw_value(&w2, j);
	UNIT_CHECK_STR(w2.buf, w.buf);
	jw_free(&w2);
	json_free(j);
	jw_free(&w);
}

UNIT_TEST(json_writer_bad_utf8_and_limits)
{
	struct jw w;

	jw_init(&w, 0);
	jw_strn(&w, "ok\xff\xc3\xa9\xe2\x82", 7);
	UNIT_CHECK_STR(w.buf, "\"ok\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\"");
	struct json *j = parse(w.buf);
	UNIT_CHECK(j != NULL);
	json_free(j);
	jw_free(&w);

	jw_init(&w, 16);
	jw_str(&w, "this is longer than sixteen bytes");
	UNIT_CHECK(!jw_ok(&w));
	jw_reset(&w);
	jw_str(&w, "short");
	UNIT_CHECK(jw_ok(&w) && !strcmp(w.buf, "\"short\""));
	jw_free(&w);

	/* Misuse is caught, not emitted. */
	jw_init(&w, 0);
	jw_obj_end(&w);
	UNIT_CHECK(!jw_ok(&w));
	jw_free(&w);
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_obj_end(&w);
	UNIT_CHECK(!jw_ok(&w));
	jw_free(&w);
	/* The id echo keeps a non-integer literal exactly. */
	j = parse("[1.50,-0,2e10]");
	jw_init(&w, 0);
	jw_value(&w, j);
	UNIT_CHECK_STR(w.buf, "[1.50,-0,2e10]");
	jw_free(&w);
	json_free(j);
}
