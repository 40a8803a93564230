/* SPDX-License-Identifier: MIT */
/*
 * keelctl's command line: the global options (anywhere before "--", so
 * `keelctl vm ls --json` and `keelctl --json vm ls` mean the same), their
 * environment defaults, and a small option parser the subcommands use for
 * their own options. Pure functions of argv and the environment, so the
 * unit tests drive them directly (tests/unit/test_keelctl_opts.c).
 */
#ifndef KEEL_CLIENT_OPTS_H
#define KEEL_CLIENT_OPTS_H

#include <stdbool.h>

#define KC_DEFAULT_PORT 443
#define KC_DEFAULT_USER "root"
#define KC_DEFAULT_TIMEOUT 30 /* seconds per network operation */
#define KC_ARGS_MAX 64

struct kc_opts {
	const char *host;	   /* --host, KEELCTL_HOST */
	int port;		   /* --port, KEELCTL_PORT, ":port" in --host */
	const char *user;	   /* --user, KEELCTL_USER, "root" */
	const char *thumbprint;	   /* --thumbprint, KEELCTL_THUMBPRINT */
	bool insecure;		   /* --insecure, KEELCTL_INSECURE=1 */
	const char *known_hosts;   /* --known-hosts, else DIR/known_hosts */
	const char *password_file; /* --password-file */
	const char *dir;	   /* KEELCTL_DIR, else ~/.keelctl */
	bool json;		   /* --json */
	int timeout;		   /* --timeout seconds */
	bool help, version;
	/* What is left for the subcommand, in order (not NUL-terminated). */
	int argc;
	char *argv[KC_ARGS_MAX];
	char hostbuf[256]; /* --host with its ":port" split off */
	char err[160];	   /* why parsing failed */
};

/* Parse argv[1..argc-1] with @env (getenv, or a test's lookup) for the
 * defaults. 0, or -1 with @o->err set (a usage error). */
int kc_opts_parse(struct kc_opts *o, int argc, char **argv,
		  const char *(*env)(const char *name));

/* "host[:port]" or "[v6addr][:port]" into @host (size @n) and @port
 * (left alone without a port). 0 or -1. */
int kc_opts_split_host(const char *s, char *host, int n, int *port);

/* A decimal integer in [min, max]; false otherwise. */
bool kc_opts_int(const char *s, long long min, long long max, long long *out);

/* Options of one subcommand: a table ended by a NULL name. */
struct kc_arg {
	const char *name; /* long name without "--" */
	char shrt;	  /* short letter or 0 */
	bool has_value;
	const char **value; /* has_value: set to the value */
	bool *flag;	    /* !has_value: set true */
};

/*
 * Parse a subcommand's @argc/@argv (the words after the command name):
 * options from @spec ("--name v", "--name=v", "-x v", "-xv", "-x"),
 * the rest positional into @pos (at most @max), "--" ends options.
 * Returns the number of positional words, or -1 with @err (size 160).
 */
int kc_args_parse(const struct kc_arg *spec, int argc, char **argv, char **pos,
		  int max, char *err);

#endif
