// SPDX-License-Identifier: MIT
/*
 * JSON-RPC 2.0 dispatch (mgmt/rpc.h; https://www.jsonrpc.org/specification,
 * cited below as "spec N"). One body in, one body out: a single request
 * or a batch, each entry checked the same way, each call made with the
 * caller the transport filled in.
 *
 * A method writes its result into a writer of its own; the dispatcher
 * copies it into the response only once it is known to be one complete
 * value, so a method that fails half-way, forgets its error or writes
 * too much can never produce a malformed response (it becomes -32603 or
 * RPC_ERR_LIMIT with a log line). docs/api.md is the user's
 * side of the same rules.
 */
#include "mgmt/rpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "store/store.h"

/* Limits (docs/api.md "Limits"). */
#define RPC_MAX_NODES 4096	  /* JSON values in one body */
#define RPC_MAX_BATCH 32	  /* requests run from one batch */
#define RPC_RESULT_MAX (4u << 20) /* when the transport sets no limit */

/* The linker collects RPC_METHOD entries between these (image/keel.ld;
 * on the host, ld's __start_/__stop_ symbols). Weak: no methods at all
 * links as an empty table. */
extern const struct rpc_method __start_rpc_methods[] __attribute__((weak));
extern const struct rpc_method __stop_rpc_methods[] __attribute__((weak));

size_t rpc_method_count(void)
{
	if (!__start_rpc_methods || !__stop_rpc_methods)
		return 0;
	return (size_t)(__stop_rpc_methods - __start_rpc_methods);
}

const struct rpc_method *rpc_method_at(size_t i)
{
	return i < rpc_method_count() ? &__start_rpc_methods[i] : NULL;
}

const struct rpc_method *rpc_method_find(const char *name)
{
	size_t n = rpc_method_count();

	for (size_t i = 0; i < n; i++)
		if (__start_rpc_methods[i].name &&
		    !strcmp(__start_rpc_methods[i].name, name))
			return &__start_rpc_methods[i];
	return NULL;
}

/* ---- Errors --------------------------------------------------------- */

int rpc_fail(struct rpc_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	/* The first error is the cause; later ones are its consequences. */
	if (c->code)
		return c->code;
	c->code = code;
	va_start(ap, fmt);
	fmt_vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	return code;
}

struct rpc_errno_map {
	int err;
	int code;
	const char *text;
};

/* A table rather than a switch: some errno names share a value on one
 * libc and not on the other (EAGAIN/EWOULDBLOCK, ENOTSUP/EOPNOTSUPP). */
static const struct rpc_errno_map rpc_errno_table[] = {
	{ ENOENT, RPC_ERR_NOT_FOUND, "not found" },
	{ ESRCH, RPC_ERR_NOT_FOUND, "not found" },
	{ ENODEV, RPC_ERR_IO, "the device is not available" },
	{ ENXIO, RPC_ERR_IO, "the device is not available" },
	{ EEXIST, RPC_ERR_EXISTS, "already exists" },
	{ ENOSPC, RPC_ERR_LIMIT, "not enough space" },
	{ E2BIG, RPC_ERR_LIMIT, "too large" },
	{ EFBIG, RPC_ERR_LIMIT, "too large" },
	{ ERANGE, RPC_ERR_LIMIT, "out of range" },
	{ ENOMEM, RPC_ERR_LIMIT, "not enough host memory" },
	{ EMFILE, RPC_ERR_LIMIT, "too many open at once" },
	{ EBUSY, RPC_ERR_BUSY, "busy: try again" },
	{ EAGAIN, RPC_ERR_BUSY, "busy: try again" },
	{ ETIMEDOUT, RPC_ERR_BUSY, "timed out: try again" },
	{ EIO, RPC_ERR_IO, "I/O error" },
	{ EROFS, RPC_ERR_IO, "the device is read-only" },
	{ EBADMSG, RPC_ERR_CHECKSUM, "checksum mismatch" },
	{ EINVAL, RPC_INVALID_PARAMS, "invalid argument" },
	{ ENAMETOOLONG, RPC_INVALID_PARAMS, "name too long" },
	{ EALREADY, RPC_ERR_BAD_STATE, "already done" },
	{ EINPROGRESS, RPC_ERR_BAD_STATE, "already in progress" },
	{ ENOTEMPTY, RPC_ERR_BAD_STATE, "not empty" },
	{ EPERM, RPC_ERR_BAD_STATE, "not permitted now" },
	{ EACCES, RPC_ERR_BAD_STATE, "not permitted now" },
	{ ENOSYS, RPC_ERR_UNSUPPORTED, "not supported" },
	{ EOPNOTSUPP, RPC_ERR_UNSUPPORTED, "not supported" },
	{ ENOEXEC, RPC_ERR_UNSUPPORTED, "unsupported format" },
};

int rpc_fail_errno(struct rpc_ctx *c, int err, const char *what)
{
	int e = err < 0 ? -err : err;

	for (size_t i = 0;
	     i < sizeof(rpc_errno_table) / sizeof(rpc_errno_table[0]); i++)
		if (rpc_errno_table[i].err == e)
			return rpc_fail(c, rpc_errno_table[i].code, "%s: %s",
					what, rpc_errno_table[i].text);
	log_err("rpc: %s: %s failed with unexpected error %d", c->method, what,
		-e);
	return rpc_fail(c, RPC_INTERNAL_ERROR,
			"%s: internal error %d (see host.logs)", what, -e);
}

/* ---- Param helpers -------------------------------------------------- */

/*
 * The member @key of the call's params object, or NULL. Positional
 * params (an array) fail the call: every Keel method takes names.
 */
static int rpc_param_get(struct rpc_ctx *c, const char *key,
			 const struct json **out)
{
	*out = NULL;
	if (!c->params)
		return 0;
	if (c->params->type != JSON_OBJECT)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params: expected an object of named members, "
				"not an array");
	*out = json_get(c->params, key);
	return 0;
}

int rpc_param_str(struct rpc_ctx *c, const char *key, bool required, size_t max,
		  const char **out)
{
	const struct json *v;
	int rc = rpc_param_get(c, key, &v);

	if (rc)
		return rc;
	if (!v && !required)
		return -ENOENT;
	if (!v)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.%s: missing (a string of at most %zu "
				"bytes)",
				key, max);
	if (v->type != JSON_STRING)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.%s: expected a string of at most %zu "
				"bytes, not %s",
				key, max, json_type_name(v->type));
	if (v->len > max)
		return rpc_fail(
		    c, RPC_INVALID_PARAMS,
		    "params.%s: %zu bytes long; at most %zu allowed", key,
		    v->len, max);
	*out = v->s;
	return 0;
}

int rpc_param_int(struct rpc_ctx *c, const char *key, bool required,
		  int64_t min, int64_t max, int64_t *out)
{
	const struct json *v;
	int rc = rpc_param_get(c, key, &v);

	if (rc)
		return rc;
	if (!v && !required)
		return -ENOENT;
	if (!v || v->type != JSON_NUMBER || !v->is_int || v->i < min ||
	    v->i > max)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.%s: %s an integer %lld..%lld", key,
				v ? "expected" : "missing:", (long long)min,
				(long long)max);
	*out = v->i;
	return 0;
}

int rpc_param_bool(struct rpc_ctx *c, const char *key, bool required, bool *out)
{
	const struct json *v;
	int rc = rpc_param_get(c, key, &v);

	if (rc)
		return rc;
	if (!v && !required)
		return -ENOENT;
	if (!v || v->type != JSON_BOOL)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.%s: %s true or false", key,
				v ? "expected" : "missing:");
	*out = v->b;
	return 0;
}

int rpc_param_only(struct rpc_ctx *c, const char *const *known)
{
	const struct json *m;
	char list[120];
	size_t n = 0;

	if (!c->params)
		return 0;
	if (c->params->type != JSON_OBJECT)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params: expected an object of named members, "
				"not an array");
	for (m = c->params->child; m; m = m->next) {
		size_t i;
		for (i = 0; known[i]; i++)
			if (!strcmp(known[i], m->key))
				break;
		if (known[i])
			continue;
		list[0] = '\0';
		for (i = 0; known[i] && n < sizeof(list); i++)
			n += fmt_snprintf(list + n, sizeof(list) - n, "%s%s",
					  i ? ", " : "", known[i]);
		if (!known[0])
			return rpc_fail(
			    c, RPC_INVALID_PARAMS,
			    "params.%.60s: unknown member (%s takes "
			    "no params)",
			    m->key, c->method);
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.%.60s: unknown member (known: %s)",
				m->key, list);
	}
	return 0;
}

/* ---- One request ---------------------------------------------------- */

static const char *rpc_auth_default(int code)
{
	if (code == RPC_ERR_LOCKDOWN)
		return "lockdown mode is on: turn it off at the host's console";
	return "not logged in: call session.login and send the token as "
	       "Authorization: Bearer";
}

/* Append {"jsonrpc":"2.0","error":{...},"id":id} to @w. */
static void rpc_write_error(struct jw *w, int code, const char *msg,
			    const struct json *id)
{
	jw_obj_begin(w);
	jw_kstr(w, "jsonrpc", "2.0");
	jw_key(w, "error");
	jw_obj_begin(w);
	jw_kint(w, "code", code);
	jw_kstr(w, "message", msg);
	jw_obj_end(w);
	jw_key(w, "id");
	if (id)
		jw_value(w, id);
	else
		jw_null(w);
	jw_obj_end(w);
}

static void rpc_write_result(struct jw *w, const struct jw *res,
			     const struct json *id)
{
	jw_obj_begin(w);
	jw_kstr(w, "jsonrpc", "2.0");
	jw_key(w, "result");
	jw_raw(w, res->buf, res->len);
	jw_key(w, "id");
	jw_value(w, id);
	jw_obj_end(w);
}

/*
 * Whether @res holds exactly one complete value. The writer keeps
 * nesting balanced and strings valid, but a second value at the top
 * level only costs it a comma ("1,2"): look for one outside strings.
 */
static bool rpc_result_ok(const struct jw *res)
{
	int depth = 0;
	bool in_str = false;

	if (!jw_ok(res) || !res->len || res->depth || res->after_key)
		return false;
	for (size_t i = 0; i < res->len; i++) {
		char ch = res->buf[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
		} else if (ch == ',' && depth == 0) {
			return false;
		}
	}
	return true;
}

static void rpc_audit(const struct rpc_caller *caller, const struct rpc_ctx *c)
{
	char head[sizeof(c->audit) + 64];
	char what[sizeof(((struct store_audit_rec *)0)->what)];
	const char *msg = c->code ? c->message : "ok";
	size_t n;

	n = fmt_snprintf(head, sizeof(head), "%s%s%s", c->method,
			 c->audit[0] ? " " : "", c->audit);
	/* rpc_fail_errno's messages lead with the same words. */
	if (n < sizeof(head) && !strncmp(msg, head, n) && msg[n] == ':' &&
	    msg[n + 1] == ' ')
		msg += n + 2;
	fmt_snprintf(what, sizeof(what), "%s: %s", head, msg);
	log_info("rpc: %s: %s", caller->who[0] ? caller->who : "-", what);
	store_audit(caller->who, what);
}

/*
 * Run @m and append its response object to @w (nothing for a
 * notification). @id is NULL for a notification.
 */
static void rpc_call(const struct rpc_method *m, const struct json *params,
		     const struct json *id, const struct rpc_caller *caller,
		     struct jw *w)
{
	struct rpc_ctx c;
	struct jw res;
	int rc;

	memset(&c, 0, sizeof(c));
	c.caller = caller;
	c.method = m->name;
	c.params = params;
	jw_init(&res, w->limit ? w->limit : RPC_RESULT_MAX);
	c.out = &res;
	rc = m->fn(&c);
	if (!c.code && rc) {
		log_err("rpc: %s failed (%d) without an error message", m->name,
			rc);
		rpc_fail(&c, RPC_INTERNAL_ERROR,
			 "%s failed: internal error (see host.logs)", m->name);
	} else if (!c.code && !rpc_result_ok(&res)) {
		/* The writer does not say why it stopped; a result that got
		 * past half the limit ran into it (the others are bugs). */
		if (!jw_ok(&res) && res.len > res.limit / 2) {
			log_warn("rpc: %s: result over the %zu-byte limit",
				 m->name, res.limit);
			rpc_fail(&c, RPC_ERR_LIMIT,
				 "%s: the result is larger than the %zu-byte "
				 "response limit: ask for less",
				 m->name, res.limit);
		} else {
			log_err("rpc: %s wrote no valid result (%zu bytes, "
				"depth %d%s)",
				m->name, res.len, res.depth,
				jw_ok(&res) ? "" : ", writer failed");
			rpc_fail(&c, RPC_INTERNAL_ERROR,
				 "%s failed: internal error (see host.logs)",
				 m->name);
		}
	}
	if (m->flags & RPC_AUDIT)
		rpc_audit(caller, &c);
	if (id) {
		if (c.code)
			rpc_write_error(w, c.code, c.message, id);
		else
			rpc_write_result(w, &res, id);
	}
	jw_free(&res);
}

/*
 * Check one request object (spec 4) and run it. Appends one response
 * object to @w, or nothing for a valid notification (spec 4.1: even a
 * failed notification is not answered).
 */
static void rpc_one(const struct json *req, const struct rpc_caller *caller,
		    struct jw *w)
{
	const struct json *id = NULL, *ver = NULL, *meth = NULL, *params = NULL;
	const char *unknown = NULL;
	const struct rpc_method *m;
	char msg[200];

	if (req->type != JSON_OBJECT) {
		fmt_snprintf(msg, sizeof(msg),
			     "Invalid Request: expected an object, not %s",
			     json_type_name(req->type));
		rpc_write_error(w, RPC_INVALID_REQUEST, msg, NULL);
		return;
	}
	for (const struct json *v = req->child; v; v = v->next) {
		if (!strcmp(v->key, "jsonrpc")) {
			ver = v;
		} else if (!strcmp(v->key, "method")) {
			meth = v;
		} else if (!strcmp(v->key, "params")) {
			params = v;
		} else if (!strcmp(v->key, "id")) {
			id = v;
		} else if (!unknown) {
			unknown = v->key;
		}
	}
	/* Spec 4: the id is a String, Number or Null; anything else cannot
	 * be echoed, so the answer carries null (spec 5). */
	if (id && id->type != JSON_STRING && id->type != JSON_NUMBER &&
	    id->type != JSON_NULL) {
		fmt_snprintf(msg, sizeof(msg),
			     "Invalid Request: id must be a string, a number "
			     "or null, not %s",
			     json_type_name(id->type));
		id = NULL;
		goto invalid;
	}
	if (unknown) {
		fmt_snprintf(msg, sizeof(msg),
			     "Invalid Request: unknown member \"%.40s\" (a "
			     "request has jsonrpc, method, params, id)",
			     unknown);
		goto invalid;
	}
	if (!ver || ver->type != JSON_STRING || strcmp(ver->s, "2.0")) {
		fmt_snprintf(
		    msg, sizeof(msg),
		    "Invalid Request: \"jsonrpc\": \"2.0\" is required");
		goto invalid;
	}
	if (!meth || meth->type != JSON_STRING) {
		fmt_snprintf(msg, sizeof(msg),
			     "Invalid Request: \"method\" must be a string");
		goto invalid;
	}
	if (params && params->type != JSON_OBJECT &&
	    params->type != JSON_ARRAY) {
		fmt_snprintf(msg, sizeof(msg),
			     "Invalid Request: \"params\" must be an object or "
			     "an array, not %s",
			     json_type_name(params->type));
		goto invalid;
	}
	m = rpc_method_find(meth->s);
	if (!m || !m->fn) {
		if (id) {
			fmt_snprintf(msg, sizeof(msg),
				     "Method not found: %.80s", meth->s);
			rpc_write_error(w, RPC_METHOD_NOT_FOUND, msg, id);
		}
		return;
	}
	if (!(m->flags & RPC_PUBLIC) && caller->auth_code) {
		if (id)
			rpc_write_error(
			    w, caller->auth_code,
			    caller->auth_msg
				? caller->auth_msg
				: rpc_auth_default(caller->auth_code),
			    id);
		return;
	}
	rpc_call(m, params, id, caller, w);
	return;
invalid:
	/* A request that is not valid is answered even without an id: it
	 * is not a notification (spec 7, "invalid Request object"). */
	rpc_write_error(w, RPC_INVALID_REQUEST, msg, id);
}

/*
 * rpc_one into a writer of its own, then into @out if it fits; else a
 * short error in its place, so one large answer in a batch does not cost
 * the others theirs. In a batch (@open non-NULL) the array opens with
 * the first answer, so a batch of notifications gives an empty body
 * (spec 6).
 */
static void rpc_entry(const struct json *req, const struct rpc_caller *caller,
		      struct jw *out, bool *open)
{
	struct jw e;

	jw_init(&e, out->limit ? out->limit : RPC_RESULT_MAX);
	rpc_one(req, caller, &e);
	if (e.len || !jw_ok(&e)) {
		if (open && !*open) {
			jw_arr_begin(out);
			*open = true;
		}
		if (jw_ok(&e) &&
		    (!out->limit || out->len + e.len + 2 <= out->limit)) {
			jw_raw(out, e.buf, e.len);
		} else {
			const struct json *id = json_get(req, "id");
			char msg[120];

			if (id && id->type != JSON_STRING &&
			    id->type != JSON_NUMBER)
				id = NULL;
			fmt_snprintf(msg, sizeof(msg),
				     "the response is larger than the "
				     "%zu-byte limit: ask for less",
				     out->limit);
			log_warn("rpc: %s", msg);
			rpc_write_error(out, RPC_ERR_LIMIT, msg, id);
		}
	}
	jw_free(&e);
}

/* Spec 6 plus the batch limit: entries past RPC_MAX_BATCH are not run;
 * each that expects an answer gets RPC_ERR_LIMIT. */
static void rpc_batch(const struct json *root, const struct rpc_caller *caller,
		      struct jw *out)
{
	size_t i = 0, skipped = 0;
	bool open = false;

	for (const struct json *r = root->child; r; r = r->next, i++) {
		const struct json *id = json_get(r, "id");
		char msg[120];

		if (i < RPC_MAX_BATCH) {
			rpc_entry(r, caller, out, &open);
			continue;
		}
		if (r->type == JSON_OBJECT && !id) {
			skipped++; /* a notification: never answered */
			continue;
		}
		if (id && id->type != JSON_STRING && id->type != JSON_NUMBER &&
		    id->type != JSON_NULL)
			id = NULL;
		if (!open)
			jw_arr_begin(out);
		open = true;
		fmt_snprintf(msg, sizeof(msg),
			     "batch limit: only the first %d requests of a "
			     "batch run; this one did not",
			     RPC_MAX_BATCH);
		rpc_write_error(out, RPC_ERR_LIMIT, msg, id);
	}
	if (open)
		jw_arr_end(out);
	if (i > RPC_MAX_BATCH)
		log_warn("rpc: batch of %zu requests: %zu over the limit of %d "
			 "not run (%zu of them notifications)",
			 i, i - RPC_MAX_BATCH, RPC_MAX_BATCH, skipped);
}

int rpc_handle(const char *body, size_t len, const struct rpc_caller *caller,
	       struct jw *out)
{
	struct json_error err;
	struct json *root;
	char msg[160];

	jw_reset(out);
	memset(&err, 0, sizeof(err));
	root = json_parse(body, len, RPC_MAX_NODES, &err);
	if (!root) {
		/* Spec 5.1: -32700, id null. */
		fmt_snprintf(msg, sizeof(msg), "Parse error at byte %zu: %s",
			     err.offset, err.msg);
		rpc_write_error(out, RPC_PARSE_ERROR, msg, NULL);
		return 0;
	}
	if (root->type != JSON_ARRAY)
		rpc_entry(root, caller, out, NULL);
	else if (!root->child)
		/* Spec 6: an empty batch is one Invalid Request, not []. */
		rpc_write_error(out, RPC_INVALID_REQUEST,
				"Invalid Request: empty batch", NULL);
	else
		rpc_batch(root, caller, out);
	json_free(root);
	if (!jw_ok(out)) {
		log_err("rpc: response could not be written (%zu bytes)",
			out->len);
		jw_reset(out);
		rpc_write_error(out, RPC_INTERNAL_ERROR,
				"Internal error: the response could not be "
				"written",
				NULL);
	}
	return 0;
}
