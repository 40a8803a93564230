/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC 2.0 dispatch (https://www.jsonrpc.org/specification) for the
 * management endpoint: one request body in, one response body out. The
 * transport (mgmt/server.c: TLS, HTTP/1.1, the session token) fills a
 * struct rpc_caller; methods register themselves with RPC_METHOD and
 * read their params through the rpc_param_* helpers, which answer a
 * wrong or missing field with -32602 naming the field.
 *
 * Error codes are stable and documented in docs/api.md. The spec's own
 * are -32700..-32600; Keel's live in the spec's "server error" range.
 */
#ifndef KEEL_MGMT_RPC_H
#define KEEL_MGMT_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/json.h"

/* JSON-RPC 2.0 section 5.1. */
#define RPC_PARSE_ERROR -32700
#define RPC_INVALID_REQUEST -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS -32602
#define RPC_INTERNAL_ERROR -32603

/* Keel's codes (docs/api.md "Errors"). Never renumber. */
#define RPC_ERR_AUTH_REQUIRED -32001 /* no session, or it expired/ended */
#define RPC_ERR_LOGIN_FAILED -32002  /* wrong user or password */
#define RPC_ERR_LOCKED_OUT -32003    /* too many failures from this address */
#define RPC_ERR_LOCKDOWN -32004	     /* lockdown mode is on (console) */
#define RPC_ERR_NOT_FOUND -32010     /* no such VM, file, disk */
#define RPC_ERR_EXISTS -32011	     /* the name is taken */
#define RPC_ERR_BAD_STATE -32012     /* e.g. vm.start of a running VM */
#define RPC_ERR_LIMIT -32013	     /* beyond a host limit (memory, vCPUs, space) */
#define RPC_ERR_IO -32014	     /* the disk or the store failed */
#define RPC_ERR_CHECKSUM -32015	     /* an upload's SHA-256 did not match */
#define RPC_ERR_NO_DATASTORE -32016  /* no datastore mounted: datastore.format */
#define RPC_ERR_BUSY -32017	     /* try again (e.g. an upload in progress) */
#define RPC_ERR_UNSUPPORTED -32018   /* a kernel format, a setting Keel lacks */

/* Who is calling; filled by the transport for every request. */
struct rpc_caller {
	char addr[48];	 /* the peer's IP address, text */
	char user[32];	 /* the session's user ("root"), "" when none */
	char who[96];	 /* for the audit log: "root@10.0.2.2" or "10.0.2.2" */
	char token[72];	 /* the bearer token presented, "" when none */
	/* 0: a valid session; else why not (RPC_ERR_AUTH_REQUIRED or
	 * RPC_ERR_LOCKDOWN) with a message a person can act on. */
	int auth_code;
	const char *auth_msg;
};

struct rpc_ctx {
	const struct rpc_caller *caller;
	const char *method;
	const struct json *params; /* an object, an array, or NULL */
	struct jw *out;		   /* the method writes exactly one value */
	/* Set by rpc_fail(); the dispatcher turns it into the error object. */
	int code;
	char message[200];
	/* RPC_AUDIT methods: what to log besides the method name, e.g. the
	 * VM's name ("vm.start web1: ok"). */
	char audit[128];
};

/* Method flags. */
#define RPC_PUBLIC 0x1 /* callable without a session (session.login) */
#define RPC_AUDIT 0x2  /* changes state: audited with its outcome */

struct rpc_method {
	const char *name;
	int (*fn)(struct rpc_ctx *c); /* 0, or the negative code of rpc_fail */
	unsigned int flags;
};

#define RPC_METHOD(id, mname, mfn, mflags)                                  \
	static const struct rpc_method rpc_method_##id                      \
		__attribute__((used, aligned(8),                            \
			       section("rpc_methods"))) = { mname, mfn,     \
							    mflags }

/*
 * Handle one HTTP body: a single request or a batch (section 6). The
 * response goes to @out (reset first); an empty @out means nothing to
 * send (only notifications): the transport answers 204. Always 0: every
 * failure becomes a JSON-RPC error object.
 */
int rpc_handle(const char *body, size_t len, const struct rpc_caller *caller,
	       struct jw *out);

/* Record an error for the method's answer; returns @code for `return`. */
int rpc_fail(struct rpc_ctx *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A -errno from a lower layer as an RPC error: -ENOENT -> NOT_FOUND,
 * -EEXIST -> EXISTS, -ENOSPC/-E2BIG -> LIMIT, -EBUSY -> BUSY, -EIO ->
 * IO, -EINVAL -> INVALID_PARAMS ...; @what leads the message
 * ("vm.start web1: no such VM"). */
int rpc_fail_errno(struct rpc_ctx *c, int err, const char *what);

/*
 * Named params (an object). Each returns 0, or -ENOENT when the member
 * is absent and not @required, or fails the call with RPC_INVALID_PARAMS
 * naming the member ("params.memory_mb: expected an integer
 * 16..65536") and returns that code. Strings longer than @max bytes
 * are refused.
 */
int rpc_param_str(struct rpc_ctx *c, const char *key, bool required,
		  size_t max, const char **out);
int rpc_param_int(struct rpc_ctx *c, const char *key, bool required,
		  int64_t min, int64_t max, int64_t *out);
int rpc_param_bool(struct rpc_ctx *c, const char *key, bool required,
		   bool *out);
/* Refuse members other than @known (NULL-terminated): a typo in a field
 * name is an error, not a silent default. */
int rpc_param_only(struct rpc_ctx *c, const char *const *known);

/* The registered methods, for docs/api.md's completeness test. */
const struct rpc_method *rpc_method_find(const char *name);
size_t rpc_method_count(void);
const struct rpc_method *rpc_method_at(size_t i);

#endif
