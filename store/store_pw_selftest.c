// SPDX-License-Identifier: MIT
/*
 * The root password hash in the image: a hash verifies, a wrong password
 * does not, and the cost of one login (one verification at the
 * configured iteration count) is logged, the figure docs/store.md
 * "Passwords" quotes. The round trip runs at a small iteration count
 * and the login cost is scaled from it (PBKDF2's cost is linear in the
 * count): three full-strength hashes would take minutes under Bochs, and
 * a self-test never fails on a time.
 */
#include <errno.h>

#include "core/log.h"
#include "core/selftest.h"
#include "core/time.h"
#include "store/store_pw.h"

#define STORE_PW_TEST_ITER 3000

static int store_pw_cost(void)
{
	char hash[STORE_PW_HASH_MAX];
	unsigned int full = store_pw_iterations;
	uint64_t t0, t1;
	int rc;

	store_pw_iterations = STORE_PW_TEST_ITER;
	rc = store_pw_hash("Keel-selftest-1", hash);
	store_pw_iterations = full;
	t0 = time_ns();
	if (!rc)
		rc = store_pw_verify("Keel-selftest-1", hash);
	t1 = time_ns();
	if (rc) {
		log_err("store: password hash round trip failed: %d", rc);
		return -EIO;
	}
	if (store_pw_verify("Keel-selftest-2", hash) != -EACCES) {
		log_err("store: a wrong password verified");
		return -EIO;
	}
	log_info("store: PBKDF2-HMAC-SHA256 x %u in %llu us; a login at "
		 "%u iterations costs about %llu ms",
		 STORE_PW_TEST_ITER, (unsigned long long)((t1 - t0) / 1000),
		 full,
		 (unsigned long long)((t1 - t0) * full / STORE_PW_TEST_ITER /
				      1000000));
	return 0;
}
KEEL_SELFTEST(store_pw_cost, store_pw_cost);
