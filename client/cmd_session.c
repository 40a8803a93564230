// SPDX-License-Identifier: MIT
/*
 * `keelctl login` and `keelctl logout` (docs/keelctl.md "Credentials"):
 * a session token cached per host, so the commands after a login do not
 * need the password (and do not pay the host's slow password hash).
 */
#include <stdio.h>

#include "client/cmd.h"
#include "client/exitcode.h"
#include "client/out.h"

static int kc_cmd_login(struct kc_client *c, int argc, char **argv)
{
	int64_t exp = 0;
	char d[32];
	int rc;

	rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);
	if (rc)
		return rc;
	rc = kc_login(c, &exp);
	if (rc)
		return rc;
	if (c->o->json) {
		struct jw w;

		jw_init(&w, 4096);
		jw_obj_begin(&w);
		jw_kstr(&w, "host", c->key);
		jw_kstr(&w, "user", c->o->user);
		jw_kint(&w, "expires_in", exp);
		jw_obj_end(&w);
		printf("%s\n", jw_ok(&w) ? w.buf : "{}");
		jw_free(&w);
		return 0;
	}
	kc_fmt_duration((uint64_t)exp, d, sizeof(d));
	printf("Logged in to %s as %s; the session lasts %s.\n", c->key,
	       c->o->user, d);
	return 0;
}

static int kc_cmd_logout(struct kc_client *c, int argc, char **argv)
{
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	return rc ? rc : kc_logout(c);
}

const struct kc_cmd kc_session_cmds[] = {
	{ "login", "", "log in and cache a session token for the host",
	  "Asks for the password on a terminal (no echo), or takes it from\n"
	  "--password-file F or KEELCTL_PASSWORD. The token is kept in\n"
	  "~/.keelctl/sessions (mode 0600) until it expires; later commands\n"
	  "use it. The host's thumbprint is checked before the password is\n"
	  "asked for.\n",
	  kc_cmd_login },
	{ "logout", "", "end the cached session and forget its token", "",
	  kc_cmd_logout },
	{ 0 },
};
