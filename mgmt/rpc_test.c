// SPDX-License-Identifier: MIT
/* In-image RPC self-test helpers (mgmt/rpc_test.h). */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "mgmt/rpc_test.h"

struct json *rpct_call(const struct rpc_caller *who, const char *body,
		       size_t len, size_t limit, const char *tag)
{
	struct json_error err;
	struct json *r;
	struct jw out;

	jw_init(&out, limit);
	rpc_handle(body, len, who, &out);
	r = json_parse(out.buf ? out.buf : "", out.len, 0, &err);
	if (!r)
		log_err("%s: unparsable answer '%.80s' to '%.60s': %s", tag,
			out.buf ? out.buf : "", body, err.msg);
	jw_free(&out);
	return r;
}

const struct json *rpct_result(const struct json *r, const char *tag,
			       const char *what)
{
	const struct json *res = json_get(r, "result");
	const char *msg = "?";

	if (res)
		return res;
	json_get_str(json_get(r, "error"), "message", &msg);
	log_err("%s: %s failed: %s", tag, what, msg);
	return NULL;
}

int rpct_error(const struct json *r, int code, const char *frag,
	       const char *tag, const char *what)
{
	const struct json *e = json_get(r, "error");
	const char *msg = "";
	int64_t got = 0;

	json_get_str(e, "message", &msg);
	if (e && json_get_int(e, "code", &got) && got == code &&
	    strstr(msg, frag))
		return 0;
	log_err("%s: %s: want error %d '%s', got %lld '%s'", tag, what, code,
		frag, (long long)got, msg);
	return -EINVAL;
}

int64_t rpct_int(const struct json *obj, const char *key)
{
	int64_t v = -1;

	json_get_int(obj, key, &v);
	return v;
}

bool rpct_bool(const struct json *obj, const char *key)
{
	bool b = false;

	json_get_bool(obj, key, &b);
	return b;
}
