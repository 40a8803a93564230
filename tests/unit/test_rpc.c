// SPDX-License-Identifier: MIT
/*
 * JSON-RPC 2.0 dispatch (mgmt/rpc.c) as a client sees it: the examples of
 * the specification's section 7 give exactly the answers it lists, and
 * malformed bodies, batch mixes, the batch limit, the param helpers, the
 * session gate and the audit trail each give the error a person can act
 * on, never a malformed response.
 * UNIT_SRCS: mgmt/rpc.c mgmt/json.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/rpc.h"
#include "store/store.h"
#include "unit.h"

/* ---- store_audit fake: the last events, in order ------------------- */

static char audit_who[8][96], audit_what[8][160];
static int audit_n;

int store_audit(const char *who, const char *what)
{
	if (audit_n < 8) {
		snprintf(audit_who[audit_n], sizeof(audit_who[0]), "%s", who);
		snprintf(audit_what[audit_n], sizeof(audit_what[0]), "%s",
			 what);
	}
	audit_n++;
	return 0;
}

/* ---- Test methods ---------------------------------------------------- */

static int calls;

/* The spec's subtract: positional [a, b] or named minuend/subtrahend. */
static int t_subtract(struct rpc_ctx *c)
{
	int64_t a, b;

	calls++;
	if (c->params && c->params->type == JSON_ARRAY) {
		const struct json *x = json_at(c->params, 0),
				  *y = json_at(c->params, 1);
		if (!x || !y || !x->is_int || !y->is_int || c->params->len != 2)
			return rpc_fail(c, RPC_INVALID_PARAMS,
					"params: expected [a, b]");
		a = x->i;
		b = y->i;
	} else {
		static const char *const known[] = { "minuend", "subtrahend",
						     NULL };
		int rc;
		if ((rc = rpc_param_only(c, known)) ||
		    (rc = rpc_param_int(c, "minuend", true, INT32_MIN,
					INT32_MAX, &a)) ||
		    (rc = rpc_param_int(c, "subtrahend", true, INT32_MIN,
					INT32_MAX, &b)))
			return rc;
	}
	jw_int(c->out, a - b);
	return 0;
}

static int t_sum(struct rpc_ctx *c)
{
	int64_t s = 0;

	calls++;
	for (size_t i = 0; json_at(c->params, i); i++)
		s += json_at(c->params, i)->i;
	jw_int(c->out, s);
	return 0;
}

static int t_count(struct rpc_ctx *c)
{
	calls++;
	jw_null(c->out);
	return 0;
}

static int t_get_data(struct rpc_ctx *c)
{
	jw_arr_begin(c->out);
	jw_str(c->out, "hello");
	jw_int(c->out, 5);
	jw_arr_end(c->out);
	return 0;
}

/* Methods that misbehave: the dispatcher must still answer well-formed. */
static int t_silent_fail(struct rpc_ctx *c)
{
	return -EIO; /* no rpc_fail */
}

static int t_no_result(struct rpc_ctx *c)
{
	return 0;
}

static int t_half_result(struct rpc_ctx *c)
{
	jw_obj_begin(c->out);
	jw_kint(c->out, "a", 1);
	return 0; /* object left open */
}

static int t_fail_after_writing(struct rpc_ctx *c)
{
	jw_obj_begin(c->out);
	jw_kint(c->out, "a", 1);
	return rpc_fail(c, RPC_ERR_BAD_STATE, "web1 is running: stop it first");
}

static int t_big(struct rpc_ctx *c)
{
	jw_arr_begin(c->out);
	for (int i = 0; i < 200; i++)
		jw_str(c->out, "0123456789abcdef0123456789abcdef");
	jw_arr_end(c->out);
	return 0;
}

/* Audited: "vm.start web1: ok" or ": <message>". */
static int t_vm_start(struct rpc_ctx *c)
{
	const char *name;
	int rc = rpc_param_str(c, "name", true, 31, &name);

	if (rc)
		return rc;
	snprintf(c->audit, sizeof(c->audit), "%s", name);
	if (!strcmp(name, "ghost"))
		return rpc_fail_errno(c, -ENOENT, "vm.start ghost");
	jw_obj_begin(c->out);
	jw_kstr(c->out, "state", "running");
	jw_obj_end(c->out);
	return 0;
}

static int t_login(struct rpc_ctx *c)
{
	jw_str(c->out, "token");
	return 0;
}

/* Every param helper, answering what it read. */
static int t_params(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "mem", "on", NULL };
	const char *name = "(none)";
	int64_t mem = -1;
	bool on = false;
	int rc;

	if ((rc = rpc_param_only(c, known)))
		return rc;
	rc = rpc_param_str(c, "name", false, 8, &name);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "mem", false, 16, 65536, &mem);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_bool(c, "on", false, &on);
	if (rc && rc != -ENOENT)
		return rc;
	jw_strf(c->out, "%s/%lld/%d", name, (long long)mem, on);
	return 0;
}

static int t_need_name(struct rpc_ctx *c)
{
	const char *name;
	int rc = rpc_param_str(c, "name", true, 8, &name);

	if (rc)
		return rc;
	jw_str(c->out, name);
	return 0;
}

static int t_no_params(struct rpc_ctx *c)
{
	static const char *const none[] = { NULL };
	int rc = rpc_param_only(c, none);

	if (rc)
		return rc;
	jw_bool(c->out, true);
	return 0;
}

static int t_errno(struct rpc_ctx *c)
{
	int64_t e;
	int rc = rpc_param_int(c, "errno", true, -200, 0, &e);

	if (rc)
		return rc;
	return rpc_fail_errno(c, (int)e, "thing web1");
}

RPC_METHOD(subtract, "subtract", t_subtract, 0);
RPC_METHOD(sum, "sum", t_sum, 0);
RPC_METHOD(update, "update", t_count, 0);
RPC_METHOD(notify_hello, "notify_hello", t_count, 0);
RPC_METHOD(get_data, "get_data", t_get_data, 0);
RPC_METHOD(silent_fail, "t.silent_fail", t_silent_fail, 0);
RPC_METHOD(no_result, "t.no_result", t_no_result, 0);
RPC_METHOD(half_result, "t.half_result", t_half_result, 0);
RPC_METHOD(fail_after, "t.fail_after_writing", t_fail_after_writing, 0);
RPC_METHOD(big, "t.big", t_big, 0);
RPC_METHOD(vm_start, "vm.start", t_vm_start, RPC_AUDIT);
RPC_METHOD(login, "session.login", t_login, RPC_PUBLIC);
RPC_METHOD(params, "t.params", t_params, 0);
RPC_METHOD(need_name, "t.need_name", t_need_name, 0);
RPC_METHOD(no_params, "t.no_params", t_no_params, 0);
RPC_METHOD(errno_m, "t.errno", t_errno, 0);

/* ---- Helpers --------------------------------------------------------- */

static struct rpc_caller root_caller = { .addr = "10.0.2.2",
					 .user = "root",
					 .who = "root@10.0.2.2" };

/* The response body for @body, "" for none (the caller frees). */
static char *call_as(const struct rpc_caller *who, const char *body,
		     size_t limit)
{
	struct jw out;
	char *s;

	jw_init(&out, limit);
	UNIT_CHECK(rpc_handle(body, strlen(body), who, &out) == 0);
	UNIT_CHECK(jw_ok(&out));
	s = strdup(out.len ? out.buf : "");
	jw_free(&out);
	return s;
}

static char *call(const char *body)
{
	return call_as(&root_caller, body, 1 << 20);
}

/* @body answers exactly @want (compact JSON, "" for no response). */
#define EXPECT(body, want)                                                  \
	do {                                                                \
		char *got_ = call(body);                                    \
		UNIT_CHECK_STR(got_, want);                                 \
		free(got_);                                                 \
	} while (0)

/* A single error answer: its code, the id's JSON text, and that the
 * message contains @frag. Also checks the response parses. */
static void check_error(const char *resp, int code, const char *id_json,
			const char *frag, int line)
{
	struct json_error err;
	struct json *r = json_parse(resp, strlen(resp), 0, &err);
	const struct json *e = r ? json_get(r, "error") : NULL;
	const struct json *id = r ? json_get(r, "id") : NULL;
	const char *msg = "";
	int64_t got = 0;
	char m[600];

	if (e)
		json_get_str(e, "message", &msg);
	if (!r || !e || !json_get_int(e, "code", &got) || got != code ||
	    !strstr(msg, frag) || !id || json_get(r, "result")) {
		snprintf(m, sizeof(m), "want error %d '%s': got %.400s", code,
			 frag, resp);
		unit_fail(__FILE__, line, m);
	} else {
		struct jw w;
		jw_init(&w, 1024);
		jw_value(&w, id);
		if (strcmp(w.buf, id_json)) {
			snprintf(m, sizeof(m), "want id %s: got %.400s",
				 id_json, resp);
			unit_fail(__FILE__, line, m);
		}
		jw_free(&w);
	}
	json_free(r);
}

#define EXPECT_ERROR(body, code, id_json, frag)                             \
	do {                                                                \
		char *got_ = call(body);                                    \
		check_error(got_, code, id_json, frag, __LINE__);           \
		free(got_);                                                 \
	} while (0)

/* ---- Section 7 of the specification ------------------------------------ */

UNIT_TEST(rpc_spec_positional_and_named)
{
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": "
	       "[42, 23], \"id\": 1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}");
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": "
	       "[23, 42], \"id\": 2}",
	       "{\"jsonrpc\":\"2.0\",\"result\":-19,\"id\":2}");
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": "
	       "{\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}",
	       "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":3}");
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": "
	       "{\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}",
	       "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":4}");
}

UNIT_TEST(rpc_spec_notifications)
{
	calls = 0;
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": "
	       "[1,2,3,4,5]}",
	       "");
	UNIT_CHECK(calls == 1); /* it ran, unanswered */
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}", "");
}

UNIT_TEST(rpc_spec_errors)
{
	EXPECT("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
	       "\"Method not found: foobar\"},\"id\":\"1\"}");
	EXPECT_ERROR("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": "
		     "\"bar\", \"baz]",
		     -32700, "null", "Parse error at byte");
	EXPECT_ERROR("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": "
		     "\"bar\"}",
		     -32600, "null", "Invalid Request");
	/* Batch, invalid JSON: one parse error, not an array. */
	EXPECT_ERROR("[\n  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", "
		     "\"params\": [1,2,4], \"id\": \"1\"},\n  {\"jsonrpc\": "
		     "\"2.0\", \"method\"\n]",
		     -32700, "null", "Parse error");
	/* Empty batch: one Invalid Request, not an array. */
	EXPECT_ERROR("[]", -32600, "null", "empty batch");
}

UNIT_TEST(rpc_spec_invalid_batches)
{
	const char *one = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,"
			  "\"message\":\"Invalid Request: expected an object, "
			  "not number\"},\"id\":null}";
	char want[1024];

	snprintf(want, sizeof(want), "[%s]", one);
	EXPECT("[1]", want);
	snprintf(want, sizeof(want), "[%s,%s,%s]", one, one, one);
	EXPECT("[1,2,3]", want);
}

UNIT_TEST(rpc_spec_batch_mix)
{
	calls = 0;
	EXPECT("[\n"
	       "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": "
	       "[1,2,4], \"id\": \"1\"},\n"
	       "{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", "
	       "\"params\": [7]},\n"
	       "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": "
	       "[42,23], \"id\": \"2\"},\n"
	       "{\"foo\": \"boo\"},\n"
	       "{\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": "
	       "{\"name\": \"myself\"}, \"id\": \"5\"},\n"
	       "{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": "
	       "\"9\"}\n"
	       "]",
	       "[{\"jsonrpc\":\"2.0\",\"result\":7,\"id\":\"1\"},"
	       "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":\"2\"},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":"
	       "\"Invalid Request: unknown member \\\"foo\\\" (a request has "
	       "jsonrpc, method, params, id)\"},\"id\":null},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
	       "\"Method not found: foo.get\"},\"id\":\"5\"},"
	       "{\"jsonrpc\":\"2.0\",\"result\":[\"hello\",5],\"id\":\"9\"}]");
	UNIT_CHECK(calls == 3);
	/* All notifications: nothing at all (the transport sends 204). */
	EXPECT("[\n{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", "
	       "\"params\": [1,2,4]},\n{\"jsonrpc\": \"2.0\", \"method\": "
	       "\"notify_hello\", \"params\": [7]}\n]",
	       "");
}

/* ---- Malformed requests ------------------------------------------------ */

UNIT_TEST(rpc_malformed_bodies)
{
	EXPECT_ERROR("", -32700, "null", "Parse error");
	EXPECT_ERROR("   ", -32700, "null", "Parse error");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":1} x",
		     -32700, "null", "Parse error");
	EXPECT_ERROR("\"hello\"", -32600, "null", "not string");
	EXPECT_ERROR("5", -32600, "null", "not number");
	EXPECT_ERROR("null", -32600, "null", "not null");
	/* A duplicate key is refused by the parser. */
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"method\":"
		     "\"x\",\"id\":1}",
		     -32700, "null", "Parse error");
	/* Too deep and too many values: parse errors, not crashes. */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	char *d = strndup(deep, 200);
	EXPECT_ERROR(d, -32700, "null", "Parse error");
	free(d);
	char *many = malloc(10010);
	size_t k = 0;
	many[k++] = '[';
	for (int i = 0; i < 5000; i++) {
		if (i)
			many[k++] = ',';
		many[k++] = '0';
	}
	many[k++] = ']';
	many[k] = 0;
	EXPECT_ERROR(many, -32700, "null", "Parse error");
	free(many);
}

UNIT_TEST(rpc_malformed_requests)
{
	EXPECT_ERROR("{\"jsonrpc\":\"1.0\",\"method\":\"sum\",\"id\":1}",
		     -32600, "1", "\\\"jsonrpc\\\": \\\"2.0\\\"");
	EXPECT_ERROR("{\"method\":\"sum\",\"id\":1}", -32600, "1", "2.0");
	EXPECT_ERROR("{\"jsonrpc\":2.0,\"method\":\"sum\",\"id\":1}", -32600,
		     "1", "2.0");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"id\":7}", -32600, "7",
		     "\\\"method\\\" must be a string");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":7}", -32600,
		     "7", "method");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":5,"
		     "\"id\":7}",
		     -32600, "7", "object or an array, not number");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":null,"
		     "\"id\":7}",
		     -32600, "7", "not null");
	/* An id that cannot be echoed: answered with null. */
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":{}}",
		     -32600, "null", "id must be");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":[1]}",
		     -32600, "null", "not array");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":true}",
		     -32600, "null", "not boolean");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"param\":[1],"
		     "\"id\":1}",
		     -32600, "1", "unknown member \\\"param\\\"");
	/* "rpc." names are reserved (spec 4): never found. */
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\","
		     "\"id\":1}",
		     -32601, "1", "rpc.discover");
}

UNIT_TEST(rpc_ids_echoed_exactly)
{
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1],"
	       "\"id\":null}",
	       "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":null}");
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1],"
	       "\"id\":-9007199254740993}",
	       "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":-9007199254740993}");
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1],"
	       "\"id\":\"a\\\"b\\\\c\\u00e9\"}",
	       "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":\"a\\\"b\\\\c\xc3\xa9\"}");
	EXPECT("{\"id\":0,\"method\":\"sum\",\"jsonrpc\":\"2.0\"}",
	       "{\"jsonrpc\":\"2.0\",\"result\":0,\"id\":0}");
}

/* ---- Batches ------------------------------------------------------------ */

/* A batch of @n sum calls with ids 0..n-1; every @notify-th without id. */
static char *make_batch(int n, int notify)
{
	char *b = malloc(64 * (size_t)n + 4);
	size_t len = 0;

	b[len++] = '[';
	for (int i = 0; i < n; i++) {
		if (notify && i % notify == notify - 1)
			len += sprintf(b + len,
				       "%s{\"jsonrpc\":\"2.0\",\"method\":"
				       "\"update\"}",
				       i ? "," : "");
		else
			len += sprintf(b + len,
				       "%s{\"jsonrpc\":\"2.0\",\"method\":\"sum\","
				       "\"params\":[%d],\"id\":%d}",
				       i ? "," : "", i, i);
	}
	b[len++] = ']';
	b[len] = 0;
	return b;
}

UNIT_TEST(rpc_batch_limit)
{
	struct json_error err;
	char *body = make_batch(40, 0), *resp;
	struct json *r;

	calls = 0;
	resp = call(body);
	r = json_parse(resp, strlen(resp), 0, &err);
	UNIT_CHECK(r && r->type == JSON_ARRAY && r->len == 40);
	for (size_t i = 0; r && i < 40; i++) {
		const struct json *e = json_at(r, i), *er = json_get(e, "error");
		int64_t id = -1, v = -1, code = 0;
		UNIT_CHECK(json_get_int(e, "id", &id) && id == (int64_t)i);
		if (i < 32) {
			UNIT_CHECK(json_get_int(e, "result", &v) &&
				   v == (int64_t)i);
		} else {
			UNIT_CHECK(er && json_get_int(er, "code", &code) &&
				   code == RPC_ERR_LIMIT);
		}
	}
	UNIT_CHECK(calls == 32); /* the excess did not run */
	json_free(r);
	free(resp);
	free(body);

	/* Notifications past the limit are dropped, never answered. */
	body = make_batch(40, 4);
	calls = 0;
	resp = call(body);
	r = json_parse(resp, strlen(resp), 0, &err);
	UNIT_CHECK(r && r->type == JSON_ARRAY && r->len == 30);
	UNIT_CHECK(calls == 32);
	json_free(r);
	free(resp);
	free(body);
}

/* ---- Methods that misbehave ------------------------------------------- */

UNIT_TEST(rpc_method_misbehaviour)
{
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.silent_fail\","
		     "\"id\":1}",
		     -32603, "1", "internal error");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.no_result\","
		     "\"id\":2}",
		     -32603, "2", "t.no_result failed");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.half_result\","
		     "\"id\":3}",
		     -32603, "3", "internal error");
	/* What was written before rpc_fail is dropped. */
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"t.fail_after_writing\","
	       "\"id\":4}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32012,\"message\":"
	       "\"web1 is running: stop it first\"},\"id\":4}");
	/* In a batch, each keeps its own answer. */
	char *resp = call("[{\"jsonrpc\":\"2.0\",\"method\":\"t.no_result\","
			  "\"id\":1},{\"jsonrpc\":\"2.0\",\"method\":\"sum\","
			  "\"params\":[2],\"id\":2}]");
	UNIT_CHECK(strstr(resp, "-32603") &&
		   strstr(resp, "\"result\":2,\"id\":2}]"));
	free(resp);
}

UNIT_TEST(rpc_response_limit)
{
	/* t.big writes ~7 KB; a 2 KB response limit refuses it alone. */
	char *resp = call_as(&root_caller,
			     "{\"jsonrpc\":\"2.0\",\"method\":\"t.big\","
			     "\"id\":1}",
			     2048);
	check_error(resp, RPC_ERR_LIMIT, "1", "2048-byte", __LINE__);
	free(resp);
	resp = call_as(&root_caller,
		       "[{\"jsonrpc\":\"2.0\",\"method\":\"t.big\",\"id\":1},"
		       "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[3],"
		       "\"id\":2}]",
		       2048);
	UNIT_CHECK(strstr(resp, "-32013") &&
		   strstr(resp, "\"result\":3,\"id\":2}]"));
	free(resp);
}

/* ---- Param helpers ----------------------------------------------------- */

#define P(params)                                                           \
	"{\"jsonrpc\":\"2.0\",\"method\":\"t.params\",\"params\":" params   \
	",\"id\":1}"

UNIT_TEST(rpc_param_helpers)
{
	EXPECT(P("{\"name\":\"web1\",\"mem\":512,\"on\":true}"),
	       "{\"jsonrpc\":\"2.0\",\"result\":\"web1/512/1\",\"id\":1}");
	EXPECT(P("{}"),
	       "{\"jsonrpc\":\"2.0\",\"result\":\"(none)/-1/0\",\"id\":1}");
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"t.params\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":\"(none)/-1/0\",\"id\":1}");
	EXPECT(P("{\"mem\":16}"),
	       "{\"jsonrpc\":\"2.0\",\"result\":\"(none)/16/0\",\"id\":1}");
	EXPECT(P("{\"mem\":65536}"),
	       "{\"jsonrpc\":\"2.0\",\"result\":\"(none)/65536/0\",\"id\":1}");
	EXPECT(P("{\"name\":\"12345678\"}"),
	       "{\"jsonrpc\":\"2.0\",\"result\":\"12345678/-1/0\",\"id\":1}");

	EXPECT_ERROR(P("{\"mem\":15}"), -32602, "1",
		     "params.mem: expected an integer 16..65536");
	EXPECT_ERROR(P("{\"mem\":65537}"), -32602, "1", "16..65536");
	EXPECT_ERROR(P("{\"mem\":\"512\"}"), -32602, "1", "params.mem");
	EXPECT_ERROR(P("{\"mem\":1.5}"), -32602, "1", "an integer");
	EXPECT_ERROR(P("{\"mem\":1e3}"), -32602, "1", "an integer");
	EXPECT_ERROR(P("{\"mem\":null}"), -32602, "1", "params.mem");
	EXPECT_ERROR(P("{\"name\":\"123456789\"}"), -32602, "1",
		     "params.name: 9 bytes long; at most 8");
	EXPECT_ERROR(P("{\"name\":5}"), -32602, "1",
		     "params.name: expected a string of at most 8 bytes, not "
		     "number");
	EXPECT_ERROR(P("{\"on\":1}"), -32602, "1",
		     "params.on: expected true or false");
	EXPECT_ERROR(P("{\"nmae\":\"web1\"}"), -32602, "1",
		     "params.nmae: unknown member (known: name, mem, on)");
	EXPECT_ERROR(P("[\"web1\"]"), -32602, "1", "named members");

	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.need_name\","
		     "\"id\":1}",
		     -32602, "1", "params.name: missing");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.need_name\","
		     "\"params\":[],\"id\":1}",
		     -32602, "1", "named members");
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"t.no_params\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":true,\"id\":1}");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"t.no_params\","
		     "\"params\":{\"x\":1},\"id\":1}",
		     -32602, "1", "t.no_params takes no params");
}

UNIT_TEST(rpc_fail_errno_codes)
{
	static const struct {
		int err, code;
		const char *frag;
	} cases[] = {
		{ -ENOENT, RPC_ERR_NOT_FOUND, "thing web1: not found" },
		{ -EEXIST, RPC_ERR_EXISTS, "already exists" },
		{ -ENOSPC, RPC_ERR_LIMIT, "space" },
		{ -E2BIG, RPC_ERR_LIMIT, "too large" },
		{ -ENOMEM, RPC_ERR_LIMIT, "memory" },
		{ -EBUSY, RPC_ERR_BUSY, "try again" },
		{ -EIO, RPC_ERR_IO, "I/O error" },
		{ -EINVAL, RPC_INVALID_PARAMS, "invalid" },
		{ -EBADMSG, RPC_ERR_CHECKSUM, "checksum" },
		{ -ENOSYS, RPC_ERR_UNSUPPORTED, "not supported" },
		{ -EALREADY, RPC_ERR_BAD_STATE, "already" },
		{ -EDOM, RPC_INTERNAL_ERROR, "internal error" },
	};
	char body[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"t.errno\","
			 "\"params\":{\"errno\":%d},\"id\":1}",
			 cases[i].err);
		char *resp = call(body);
		check_error(resp, cases[i].code, "1", cases[i].frag, __LINE__);
		free(resp);
	}
}

/* ---- Session gate and audit --------------------------------------------- */

UNIT_TEST(rpc_auth_gate)
{
	struct rpc_caller anon = { .addr = "10.0.2.2", .who = "10.0.2.2",
				   .auth_code = RPC_ERR_AUTH_REQUIRED,
				   .auth_msg = "session expired: log in again" };
	struct rpc_caller locked = { .addr = "10.0.2.2", .who = "10.0.2.2",
				     .auth_code = RPC_ERR_LOCKDOWN };
	char *resp;

	calls = 0;
	audit_n = 0;
	resp = call_as(&anon,
		       "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1],"
		       "\"id\":1}",
		       4096);
	UNIT_CHECK_STR(resp, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,"
			     "\"message\":\"session expired: log in again\"},"
			     "\"id\":1}");
	free(resp);
	/* Refused before the method runs: nothing audited. */
	resp = call_as(&anon,
		       "{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\","
		       "\"params\":{\"name\":\"web1\"},\"id\":2}",
		       4096);
	check_error(resp, RPC_ERR_AUTH_REQUIRED, "2", "log in again", __LINE__);
	free(resp);
	UNIT_CHECK(calls == 0 && audit_n == 0);
	/* Public methods pass. */
	resp = call_as(&anon,
		       "{\"jsonrpc\":\"2.0\",\"method\":\"session.login\","
		       "\"id\":3}",
		       4096);
	UNIT_CHECK_STR(resp, "{\"jsonrpc\":\"2.0\",\"result\":\"token\","
			     "\"id\":3}");
	free(resp);
	/* Without a message of the transport's: a default one. */
	resp = call_as(&locked,
		       "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":4}",
		       4096);
	check_error(resp, RPC_ERR_LOCKDOWN, "4", "lockdown mode is on",
		    __LINE__);
	free(resp);
	/* A refused notification stays unanswered. */
	resp = call_as(&anon, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\"}", 4096);
	UNIT_CHECK_STR(resp, "");
	free(resp);
	/* Unknown methods are "not found" with or without a session. */
	resp = call_as(&anon,
		       "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":5}",
		       4096);
	check_error(resp, RPC_METHOD_NOT_FOUND, "5", "nope", __LINE__);
	free(resp);
}

UNIT_TEST(rpc_audit_trail)
{
	audit_n = 0;
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\",\"params\":"
	       "{\"name\":\"web1\"},\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"state\":\"running\"},"
	       "\"id\":1}");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\",\"params\":"
		     "{\"name\":\"ghost\"},\"id\":2}",
		     RPC_ERR_NOT_FOUND, "2", "vm.start ghost: not found");
	EXPECT_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\",\"params\":"
		     "{},\"id\":3}",
		     RPC_INVALID_PARAMS, "3", "params.name: missing");
	/* A notification runs and is audited too. */
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\",\"params\":"
	       "{\"name\":\"web2\"}}",
	       "");
	/* Methods without RPC_AUDIT are not. */
	EXPECT("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":4}",
	       "{\"jsonrpc\":\"2.0\",\"result\":0,\"id\":4}");
	UNIT_CHECK(audit_n == 4);
	UNIT_CHECK_STR(audit_who[0], "root@10.0.2.2");
	UNIT_CHECK_STR(audit_what[0], "vm.start web1: ok");
	UNIT_CHECK_STR(audit_what[1], "vm.start ghost: not found");
	UNIT_CHECK_STR(audit_what[2],
		       "vm.start: params.name: missing (a string of at most 31 "
		       "bytes)");
	UNIT_CHECK_STR(audit_what[3], "vm.start web2: ok");
}

UNIT_TEST(rpc_registry)
{
	const struct rpc_method *m = rpc_method_find("vm.start");

	UNIT_CHECK(rpc_method_count() == 16);
	UNIT_CHECK(m && m->fn == t_vm_start && m->flags == RPC_AUDIT);
	UNIT_CHECK(rpc_method_find("vm.sta") == NULL);
	UNIT_CHECK(rpc_method_find("") == NULL);
	for (size_t i = 0; i < rpc_method_count(); i++)
		UNIT_CHECK(rpc_method_find(rpc_method_at(i)->name) ==
			   rpc_method_at(i));
	UNIT_CHECK(rpc_method_at(rpc_method_count()) == NULL);
}
