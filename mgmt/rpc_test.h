/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the in-image RPC self-tests (rpc_selftest.c, rpc_ds_selftest.c): call
 * rpc_handle() as a given caller and check the answers. Failures are
 * logged with the test's @tag ("rpc_selftest: ...").
 */
#ifndef KEEL_MGMT_RPC_TEST_H
#define KEEL_MGMT_RPC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/rpc.h"

/* rpc_handle(@body) parsed (answers up to @limit bytes); NULL, logged,
 * when the answer is not JSON. Free with json_free(). */
struct json *rpct_call(const struct rpc_caller *who, const char *body,
		       size_t len, size_t limit, const char *tag);
/* The result of a single call, or NULL (logged) for an error. */
const struct json *rpct_result(const struct json *r, const char *tag,
			       const char *what);
/* 0 when @r is an error with @code whose message holds @frag; else
 * -EINVAL, logged. */
int rpct_error(const struct json *r, int code, const char *frag,
	       const char *tag, const char *what);
/* Member @key as an integer (-1 when absent) or a boolean (false). */
int64_t rpct_int(const struct json *obj, const char *key);
bool rpct_bool(const struct json *obj, const char *key);

#endif
