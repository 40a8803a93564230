// SPDX-License-Identifier: MIT
/*
 * The root password hash in the image: a hash made with the configured
 * iteration count verifies, a wrong password does not, and the cost of
 * one login (one verification) is logged, which is the figure
 * docs/store.md "Passwords" quotes for QEMU TCG. A login slower than
 * STORE_PW_LOGIN_MAX_MS fails the test: the console would feel hung.
 */
#include <errno.h>

#include "core/log.h"
#include "core/selftest.h"
#include "core/time.h"
#include "store/store_pw.h"

#define STORE_PW_LOGIN_MAX_MS 4000

static int store_pw_cost(void)
{
	char hash[STORE_PW_HASH_MAX];
	uint64_t t0, t1, t2;
	int rc;

	t0 = time_ns();
	rc = store_pw_hash("Keel-selftest-1", hash);
	t1 = time_ns();
	if (!rc)
		rc = store_pw_verify("Keel-selftest-1", hash);
	t2 = time_ns();
	if (rc) {
		log_err("store: password hash round trip failed: %d", rc);
		return -EIO;
	}
	if (store_pw_verify("Keel-selftest-2", hash) != -EACCES) {
		log_err("store: a wrong password verified");
		return -EIO;
	}
	log_info("store: PBKDF2-HMAC-SHA256 x %u: hash %llu ms, verify %llu ms",
		 store_pw_iterations, (unsigned long long)((t1 - t0) / 1000000),
		 (unsigned long long)((t2 - t1) / 1000000));
	if ((t2 - t1) / 1000000 > STORE_PW_LOGIN_MAX_MS) {
		log_err("store: a login takes over %d ms",
			STORE_PW_LOGIN_MAX_MS);
		return -ETIMEDOUT;
	}
	return 0;
}
KEEL_SELFTEST(store_pw_cost, store_pw_cost);
