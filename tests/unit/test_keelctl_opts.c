// SPDX-License-Identifier: MIT
/*
 * keelctl's command line as a user types it: global options anywhere,
 * environment defaults under the command line, host:port forms, and the
 * subcommands' own options.
 * UNIT_SRCS: client/opts.c
 */
#include <string.h>

#include "client/opts.h"
#include "unit.h"

/* A fake environment for each test. */
static const char *env_vals[16][2];

static const char *fake_env(const char *name)
{
	for (int i = 0; i < 16 && env_vals[i][0]; i++)
		if (!strcmp(env_vals[i][0], name))
			return env_vals[i][1];
	return NULL;
}

static void env_clear(void)
{
	memset(env_vals, 0, sizeof(env_vals));
}

static void env_set(int i, const char *k, const char *v)
{
	env_vals[i][0] = k;
	env_vals[i][1] = v;
}

#define PARSE(o, ...)                                                          \
	({                                                                     \
		char *argv_[] = { "keelctl", __VA_ARGS__ };                    \
		kc_opts_parse(o, sizeof(argv_) / sizeof(argv_[0]), argv_,      \
			      fake_env);                                       \
	})

UNIT_TEST(defaults)
{
	struct kc_opts o;

	env_clear();
	UNIT_CHECK(PARSE(&o, "vm", "ls") == 0);
	UNIT_CHECK(o.host == NULL);
	UNIT_CHECK(o.port == 443);
	UNIT_CHECK_STR(o.user, "root");
	UNIT_CHECK(!o.json && !o.insecure && !o.thumbprint);
	UNIT_CHECK(o.timeout == 30);
	UNIT_CHECK(o.argc == 2);
	UNIT_CHECK_STR(o.argv[0], "vm");
	UNIT_CHECK_STR(o.argv[1], "ls");
}

UNIT_TEST(global_options_anywhere)
{
	struct kc_opts o;

	env_clear();
	UNIT_CHECK(PARSE(&o, "vm", "--json", "info", "--host", "h1", "web1",
			 "--port=8443") == 0);
	UNIT_CHECK(o.json);
	UNIT_CHECK_STR(o.host, "h1");
	UNIT_CHECK(o.port == 8443);
	UNIT_CHECK(o.argc == 3);
	UNIT_CHECK_STR(o.argv[0], "vm");
	UNIT_CHECK_STR(o.argv[1], "info");
	UNIT_CHECK_STR(o.argv[2], "web1");
	/* After "--" nothing is a global option. */
	UNIT_CHECK(PARSE(&o, "vm", "create", "--", "--json") == 0);
	UNIT_CHECK(!o.json);
	UNIT_CHECK(o.argc == 4);
	UNIT_CHECK_STR(o.argv[3], "--json");
	/* Options of the subcommand are left in order for it. */
	UNIT_CHECK(PARSE(&o, "host", "logs", "-f", "-n", "5") == 0);
	UNIT_CHECK(o.argc == 5);
	UNIT_CHECK_STR(o.argv[2], "-f");
}

UNIT_TEST(environment_below_command_line)
{
	struct kc_opts o;

	env_clear();
	env_set(0, "KEELCTL_HOST", "envhost:9443");
	env_set(1, "KEELCTL_USER", "admin");
	env_set(2, "KEELCTL_THUMBPRINT", "AA");
	env_set(3, "KEELCTL_INSECURE", "1");
	UNIT_CHECK(PARSE(&o, "host", "info") == 0);
	UNIT_CHECK_STR(o.host, "envhost");
	UNIT_CHECK(o.port == 9443);
	UNIT_CHECK_STR(o.user, "admin");
	UNIT_CHECK_STR(o.thumbprint, "AA");
	UNIT_CHECK(o.insecure);
	UNIT_CHECK(
	    PARSE(&o, "--host", "cli", "--user", "bob", "host", "info") == 0);
	UNIT_CHECK_STR(o.host, "cli");
	UNIT_CHECK(o.port == 443); /* the env's port went with its host */
	UNIT_CHECK_STR(o.user, "bob");
	/* KEELCTL_PORT under --host's ":port", which is under --port. */
	env_clear();
	env_set(0, "KEELCTL_PORT", "1000");
	UNIT_CHECK(PARSE(&o, "--host", "h") == 0 && o.port == 1000);
	UNIT_CHECK(PARSE(&o, "--host", "h:2000") == 0 && o.port == 2000);
	UNIT_CHECK(PARSE(&o, "--host", "h:2000", "--port", "3000") == 0 &&
		   o.port == 3000);
	/* No password option exists: it is the subcommand's problem, which
	 * rejects it as unknown. */
	UNIT_CHECK(PARSE(&o, "login", "--password", "x") == 0);
	UNIT_CHECK(o.argc == 3);
}

UNIT_TEST(bad_values_are_usage_errors)
{
	struct kc_opts o;

	env_clear();
	UNIT_CHECK(PARSE(&o, "--port", "0") == -1);
	UNIT_CHECK(strstr(o.err, "bad port") != NULL);
	UNIT_CHECK(PARSE(&o, "--port", "70000") == -1);
	UNIT_CHECK(PARSE(&o, "--port", "44x") == -1);
	UNIT_CHECK(PARSE(&o, "--host") == -1);
	UNIT_CHECK(strstr(o.err, "needs a value") != NULL);
	UNIT_CHECK(PARSE(&o, "--host", "h:") == -1);
	UNIT_CHECK(PARSE(&o, "--timeout", "0") == -1);
	env_set(0, "KEELCTL_PORT", "nope");
	UNIT_CHECK(PARSE(&o, "vm", "ls") == -1);
}

UNIT_TEST(host_forms)
{
	char h[64];
	int port = 443;

	UNIT_CHECK(kc_opts_split_host("esx1.lab", h, sizeof(h), &port) == 0);
	UNIT_CHECK_STR(h, "esx1.lab");
	UNIT_CHECK(port == 443);
	UNIT_CHECK(kc_opts_split_host("10.0.0.5:8443", h, sizeof(h), &port) ==
		   0);
	UNIT_CHECK_STR(h, "10.0.0.5");
	UNIT_CHECK(port == 8443);
	port = 443;
	UNIT_CHECK(kc_opts_split_host("fe80::1", h, sizeof(h), &port) == 0);
	UNIT_CHECK_STR(h, "fe80::1");
	UNIT_CHECK(port == 443);
	UNIT_CHECK(kc_opts_split_host("[fe80::1]:444", h, sizeof(h), &port) ==
		   0);
	UNIT_CHECK_STR(h, "fe80::1");
	UNIT_CHECK(port == 444);
	UNIT_CHECK(kc_opts_split_host("[fe80::1", h, sizeof(h), &port) == -1);
	UNIT_CHECK(kc_opts_split_host("[]:1", h, sizeof(h), &port) == -1);
	UNIT_CHECK(kc_opts_split_host(":443", h, sizeof(h), &port) == -1);
	UNIT_CHECK(kc_opts_split_host("h:0", h, sizeof(h), &port) == -1);
	UNIT_CHECK(kc_opts_split_host("waytoolongname", h, 8, &port) == -1);
}

UNIT_TEST(subcommand_options)
{
	const char *mem = NULL, *cmdline = NULL, *n = NULL;
	bool autostart = false, follow = false;
	const struct kc_arg spec[] = {
		{ "memory", 0, true, &mem, NULL },
		{ "cmdline", 0, true, &cmdline, NULL },
		{ "autostart", 0, false, NULL, &autostart },
		{ "follow", 'f', false, NULL, &follow },
		{ "lines", 'n', true, &n, NULL },
		{ 0 },
	};
	char *pos[2], err[160];
	char *a1[] = { "web1",	      "--memory",
		       "256",	      "--cmdline=console=ttyS0 -x",
		       "--autostart", "-f",
		       "-n7" };

	UNIT_CHECK(kc_args_parse(spec, 7, a1, pos, 2, err) == 1);
	UNIT_CHECK_STR(pos[0], "web1");
	UNIT_CHECK_STR(mem, "256");
	UNIT_CHECK_STR(cmdline, "console=ttyS0 -x");
	UNIT_CHECK(autostart && follow);
	UNIT_CHECK_STR(n, "7");

	char *a2[] = { "--memroy", "1" };
	UNIT_CHECK(kc_args_parse(spec, 2, a2, pos, 2, err) == -1);
	UNIT_CHECK_STR(err, "unknown option '--memroy'");
	char *a3[] = { "a", "b", "c" };
	UNIT_CHECK(kc_args_parse(spec, 3, a3, pos, 2, err) == -1);
	UNIT_CHECK_STR(err, "unexpected argument 'c'");
	char *a4[] = { "--memory" };
	UNIT_CHECK(kc_args_parse(spec, 1, a4, pos, 2, err) == -1);
	char *a5[] = { "--autostart=yes" };
	UNIT_CHECK(kc_args_parse(spec, 1, a5, pos, 2, err) == -1);
	/* "--" makes the rest positional; "-" and negatives are words. */
	char *a6[] = { "--", "-f" };
	follow = false;
	UNIT_CHECK(kc_args_parse(spec, 2, a6, pos, 2, err) == 1);
	UNIT_CHECK(!follow);
	UNIT_CHECK_STR(pos[0], "-f");
	char *a7[] = { "-", "-5" };
	UNIT_CHECK(kc_args_parse(spec, 2, a7, pos, 2, err) == 2);
	/* Bundled short flags are refused, not misread. */
	char *a8[] = { "-fx" };
	UNIT_CHECK(kc_args_parse(spec, 1, a8, pos, 2, err) == -1);
}

UNIT_TEST(integers)
{
	long long v;

	UNIT_CHECK(kc_opts_int("42", 1, 100, &v) && v == 42);
	UNIT_CHECK(!kc_opts_int("", 1, 100, &v));
	UNIT_CHECK(!kc_opts_int(" 4", 1, 100, &v));
	UNIT_CHECK(!kc_opts_int("4k", 1, 100, &v));
	UNIT_CHECK(!kc_opts_int("101", 1, 100, &v));
	UNIT_CHECK(!kc_opts_int("99999999999999999999", 1, 100, &v));
}
