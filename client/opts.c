// SPDX-License-Identifier: MIT
/*
 * keelctl's global options and the subcommand option parser
 * (client/opts.h). Precedence, highest first: the command line, the
 * environment (KEELCTL_*), the built-in default. The password has no
 * command-line option at all (client/cred.c).
 */
#include "client/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kc_opts_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int kc_opts_split_host(const char *s, char *host, int n, int *port)
{
	const char *colon, *end;
	long long p;

	if (!s || !*s)
		return -1;
	if (s[0] == '[') { /* [v6]:port, RFC 3986 section 3.2.2 */
		end = strchr(s, ']');
		if (!end || end == s + 1 || end - s - 1 >= n)
			return -1;
		memcpy(host, s + 1, end - s - 1);
		host[end - s - 1] = 0;
		if (!end[1])
			return 0;
		if (end[1] != ':' || !kc_opts_int(end + 2, 1, 65535, &p))
			return -1;
		*port = (int)p;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))
		colon = NULL; /* a bare IPv6 address has no port */
	end = colon ? colon : s + strlen(s);
	if (end == s || end - s >= n)
		return -1;
	memcpy(host, s, end - s);
	host[end - s] = 0;
	if (colon) {
		if (!kc_opts_int(colon + 1, 1, 65535, &p))
			return -1;
		*port = (int)p;
	}
	return 0;
}

/* The global options that take a value. */
enum { G_HOST, G_PORT, G_USER, G_THUMB, G_KH, G_PWFILE, G_TIMEOUT, G_N };
static const char *const kc_opts_valued[G_N] = {
	[G_HOST] = "host",	 [G_PORT] = "port",
	[G_USER] = "user",	 [G_THUMB] = "thumbprint",
	[G_KH] = "known-hosts",	 [G_PWFILE] = "password-file",
	[G_TIMEOUT] = "timeout",
};

static int kc_opts_fail(struct kc_opts *o, const char *fmt, const char *arg)
{
	snprintf(o->err, sizeof(o->err), fmt, arg);
	return -1;
}

/* "--name" or "--name=value" against @name; *val gets "value" or NULL. */
static bool kc_opts_match(const char *arg, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(arg, "--", 2) || strncmp(arg + 2, name, n))
		return false;
	if (arg[2 + n] == 0) {
		*val = NULL;
		return true;
	}
	if (arg[2 + n] == '=') {
		*val = arg + 3 + n;
		return true;
	}
	return false;
}

int kc_opts_parse(struct kc_opts *o, int argc, char **argv,
		  const char *(*env)(const char *name))
{
	const char *v[G_N] = { 0 };
	const char *s;
	bool rest = false;
	long long n;
	int i, k;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (rest || a[0] != '-' || !a[1])
			goto keep;
		if (!strcmp(a, "--")) {
			rest = true;
			goto keep;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
			continue;
		}
		if (!strcmp(a, "--version")) {
			o->version = true;
			continue;
		}
		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (!strcmp(a, "--insecure")) {
			o->insecure = true;
			continue;
		}
		for (k = 0; k < G_N; k++)
			if (kc_opts_match(a, kc_opts_valued[k], &val))
				break;
		if (k == G_N)
			goto keep; /* the subcommand's option, or a typo it
				      reports */
		if (!val) {
			if (i + 1 >= argc)
				return kc_opts_fail(
				    o, "option %s needs a value", a);
			val = argv[++i];
		}
		v[k] = val;
		continue;
	keep:
		if (o->argc == KC_ARGS_MAX)
			return kc_opts_fail(o, "too many arguments%s", "");
		o->argv[o->argc++] = argv[i];
	}

	o->port = KC_DEFAULT_PORT;
	s = v[G_PORT] ? v[G_PORT] : env("KEELCTL_PORT");
	if (s && *s) {
		if (!kc_opts_int(s, 1, 65535, &n))
			return kc_opts_fail(o, "bad port '%s' (1..65535)", s);
		o->port = (int)n;
	}
	s = v[G_HOST] ? v[G_HOST] : env("KEELCTL_HOST");
	if (s && *s) {
		int port = o->port;

		if (kc_opts_split_host(s, o->hostbuf, sizeof(o->hostbuf),
				       &port))
			return kc_opts_fail(o, "bad host '%s'", s);
		/* An explicit --port wins over a ":port" in the host. */
		if (!v[G_PORT])
			o->port = port;
		o->host = o->hostbuf;
	}
	o->user = v[G_USER] ? v[G_USER] : env("KEELCTL_USER");
	if (!o->user || !*o->user)
		o->user = KC_DEFAULT_USER;
	o->thumbprint = v[G_THUMB] ? v[G_THUMB] : env("KEELCTL_THUMBPRINT");
	if (o->thumbprint && !*o->thumbprint)
		o->thumbprint = NULL;
	s = env("KEELCTL_INSECURE");
	if (s && (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "true")))
		o->insecure = true;
	o->known_hosts = v[G_KH];
	o->password_file = v[G_PWFILE];
	o->dir = env("KEELCTL_DIR");
	if (o->dir && !*o->dir)
		o->dir = NULL;
	o->timeout = KC_DEFAULT_TIMEOUT;
	if (v[G_TIMEOUT]) {
		if (!kc_opts_int(v[G_TIMEOUT], 1, 3600, &n))
			return kc_opts_fail(o, "bad timeout '%s' (1..3600 s)",
					    v[G_TIMEOUT]);
		o->timeout = (int)n;
	}
	return 0;
}

static const struct kc_arg *kc_args_long(const struct kc_arg *spec,
					 const char *name, size_t n)
{
	for (; spec->name; spec++)
		if (strlen(spec->name) == n && !strncmp(spec->name, name, n))
			return spec;
	return NULL;
}

static const struct kc_arg *kc_args_short(const struct kc_arg *spec, char c)
{
	for (; spec->name; spec++)
		if (spec->shrt && spec->shrt == c)
			return spec;
	return NULL;
}

int kc_args_parse(const struct kc_arg *spec, int argc, char **argv, char **pos,
		  int max, char *err)
{
	bool rest = false;
	int npos = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct kc_arg *s;

		if (rest || a[0] != '-' || !a[1] ||
		    (a[1] >= '0' && a[1] <= '9')) {
			if (npos == max) {
				snprintf(err, 160, "unexpected argument '%s'",
					 a);
				return -1;
			}
			pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			rest = true;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			s = kc_args_long(spec, a + 2, n);
			if (eq)
				val = eq + 1;
		} else {
			s = kc_args_short(spec, a[1]);
			if (s && a[2]) {
				if (!s->has_value)
					s = NULL; /* no bundled flags */
				else
					val = a + 2;
			}
		}
		if (!s) {
			snprintf(err, 160, "unknown option '%s'", a);
			return -1;
		}
		if (!s->has_value) {
			if (val) {
				snprintf(err, 160, "option --%s takes no value",
					 s->name);
				return -1;
			}
			*s->flag = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				snprintf(err, 160, "option %s needs a value",
					 a);
				return -1;
			}
			val = argv[++i];
		}
		*s->value = val;
	}
	return npos;
}
