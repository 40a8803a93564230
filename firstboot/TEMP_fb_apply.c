// SPDX-License-Identifier: MIT
/*
 * TEMP (branch ks only; the lead drops this file at merge): stand-ins for
 * what other branches implement, so this branch links and keel.cfg can be
 * tried at boot: store_configured() (store/, always "not configured"),
 * store_pw_valid_hash() (store/store_pw.c: only the prefix is checked),
 * fb_apply_setup() (firstboot/, the console helper: logs and succeeds),
 * and the boot-time call of ks_boot() that the console's first-boot flow
 * makes after the merge.
 */
#include <errno.h>
#include <string.h>

#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "firstboot/firstboot.h"
#include "firstboot/ks.h"
#include "store/store.h"
#include "store/store_pw.h"

bool store_configured(void)
{
	return false;
}

int store_pw_valid_hash(const char *hash)
{
	return strncmp(hash, "$6$", 3) && strncmp(hash, "$pbkdf2-sha256$", 15)
		   ? -EINVAL
		   : 0;
}

int fb_apply_setup(const struct fb_setup *s, const char *who)
{
	log_warn("TEMP fb_apply_setup(%s): host name %s, not stored", who,
		 s->hostname);
	return 0;
}

static void temp_ks_thread(void *arg)
{
	struct ks_error err;
	int rc = ks_boot(&err);

	(void)arg;
	log_info("TEMP ks_boot: %d", rc);
	thread_exit();
}

static void temp_ks_init(void)
{
	thread_create("ks", temp_ks_thread, NULL, NULL);
}
KEEL_INIT(INIT_LATE, temp_ks_init);
