// SPDX-License-Identifier: MIT
/*
 * keelctl: the remote management client for Keel hosts (keelctl(1),
 * docs/keelctl.md). Finds the command, prints help, sets up the
 * connection and runs it; exit codes in client/exitcode.h.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/exitcode.h"

#ifndef KEEL_VERSION
#include "version.h" /* $(BUILD)/gen, made by the Makefile */
#endif

const char *kc_cmd_path = "keelctl";
const struct kc_cmd *kc_cmd_current;

static const struct kc_group *const kc_groups[] = {
	&kc_host_group,
	&kc_ds_group,
	&kc_vm_group,
};
#define KC_NGROUPS (sizeof(kc_groups) / sizeof(kc_groups[0]))

static void kc_help_main(FILE *f)
{
	fprintf(f, "Usage: keelctl [OPTIONS] COMMAND [ARGS]\n"
		   "Manage a Keel host over its HTTPS JSON-RPC endpoint.\n"
		   "\n"
		   "Commands:\n");
	for (const struct kc_cmd *c = kc_session_cmds; c->name; c++)
		fprintf(f, "  %-34s %s\n", c->name, c->summary);
	for (size_t g = 0; g < KC_NGROUPS; g++)
		for (const struct kc_cmd *c = kc_groups[g]->cmds; c->name;
		     c++) {
			char head[64];

			snprintf(head, sizeof(head), "%s %s %s",
				 kc_groups[g]->name, c->name, c->usage);
			if (strlen(head) > 34)
				snprintf(head, sizeof(head), "%s %s ...",
					 kc_groups[g]->name, c->name);
			fprintf(f, "  %-34s %s\n", head, c->summary);
		}
	fprintf(
	    f,
	    "\n"
	    "Options (anywhere before \"--\"):\n"
	    "  --host HOST[:PORT]   the Keel host (or KEELCTL_HOST)\n"
	    "  --port PORT          HTTPS port, default 443 (or KEELCTL_PORT)\n"
	    "  --user USER          default root (or KEELCTL_USER)\n"
	    "  --password-file F    read the password from F's first line\n"
	    "                       (else KEELCTL_PASSWORD, else a prompt)\n"
	    "  --thumbprint SHA256  trust only this certificate "
	    "(AA:BB:..., 32 pairs)\n"
	    "  --insecure           do not check the certificate at all\n"
	    "  --known-hosts FILE   default ~/.keelctl/known_hosts\n"
	    "  --json               print the server's result as JSON\n"
	    "  --timeout SECONDS    per network operation, default 30\n"
	    "  -h, --help           help (also after a command)\n"
	    "  --version            print keelctl's version\n"
	    "\n"
	    "Exit codes: 0 ok, 1 usage, 2 connection, 3 authentication, 4 "
	    "not found,\n5 other server error, 6 thumbprint mismatch, 7 "
	    "host not trusted, 8 local file.\n"
	    "See keelctl(1).\n");
}

static void kc_help_group(const struct kc_group *g, FILE *f)
{
	fprintf(f,
		"Usage: keelctl [OPTIONS] %s COMMAND [ARGS]\n%s\n\n"
		"Commands:\n",
		g->name, g->summary);
	for (const struct kc_cmd *c = g->cmds; c->name; c++) {
		char head[80];

		snprintf(head, sizeof(head), "%s %s", c->name, c->usage);
		if (strlen(head) > 30)
			snprintf(head, sizeof(head), "%s ...", c->name);
		fprintf(f, "  %-30s %s\n", head, c->summary);
	}
	fprintf(f, "\nRun `keelctl %s COMMAND --help` for its options.\n",
		g->name);
}

static void kc_help_cmd(const struct kc_cmd *c, FILE *f)
{
	fprintf(f, "Usage: %s %s\n%s\n", kc_cmd_path, c->usage, c->summary);
	if (c->help && *c->help)
		fprintf(f, "\n%s", c->help);
	fprintf(f, "\nGlobal options: see `keelctl --help`.\n");
}

int kc_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "keelctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (kc_cmd_current)
		fprintf(stderr, "Usage: %s %s\n", kc_cmd_path,
			kc_cmd_current->usage);
	fprintf(stderr, "Try `%s --help`.\n", kc_cmd_path);
	return KC_EXIT_USAGE;
}

int kc_cmd_args(struct kc_client *c, const struct kc_arg *spec, int argc,
		char **argv, char **pos, int min, int max)
{
	static const struct kc_arg none[] = { { 0 } };
	char err[160];
	int n;

	n = kc_args_parse(spec ? spec : none, argc, argv, pos, max, err);
	if (n < 0)
		return kc_usage("%s", err);
	if (n < min)
		return kc_usage("missing argument");
	for (int i = n; i < max; i++)
		pos[i] = NULL;
	return 0;
}

int kc_cmd_print(struct kc_client *c, const struct json *result,
		 void (*show)(const struct json *result))
{
	if (c->o->json)
		kc_out_json(result, stdout);
	else if (show)
		show(result);
	return 0;
}

const char *kc_params_name(const char *name)
{
	static char buf[1024];
	struct jw w;

	jw_init(&w, sizeof(buf) - 1);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", name);
	jw_obj_end(&w);
	snprintf(buf, sizeof(buf), "%s", jw_ok(&w) ? w.buf : "{}");
	jw_free(&w);
	return buf;
}

static const struct kc_cmd *kc_find(const struct kc_cmd *cmds, const char *n)
{
	for (; n && cmds->name; cmds++)
		if (!strcmp(cmds->name, n))
			return cmds;
	return NULL;
}

static const struct kc_group *kc_find_group(const char *n)
{
	for (size_t g = 0; n && g < KC_NGROUPS; g++)
		if (!strcmp(kc_groups[g]->name, n) ||
		    (kc_groups[g]->alias && !strcmp(kc_groups[g]->alias, n)))
			return kc_groups[g];
	return NULL;
}

static const char *kc_getenv(const char *name)
{
	return getenv(name);
}

int main(int argc, char **argv)
{
	static struct kc_opts o;
	static char path[128];
	const struct kc_group *g = NULL;
	const struct kc_cmd *cmd;
	struct kc_client c;
	int rc, skip = 1;

	/* A closed pipe (keelctl ... | head) ends us quietly via EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (kc_opts_parse(&o, argc, argv, kc_getenv)) {
		fprintf(stderr, "keelctl: %s\nTry `keelctl --help`.\n", o.err);
		return KC_EXIT_USAGE;
	}
	if (o.version) {
		printf("keelctl %s\n", KEEL_VERSION);
		return 0;
	}
	if (!o.argc || (o.help && !strcmp(o.argv[0], "help"))) {
		kc_help_main(o.help || o.argc ? stdout : stderr);
		return o.help || o.argc ? 0 : KC_EXIT_USAGE;
	}
	if (!strcmp(o.argv[0], "help")) {
		o.help = true; /* `keelctl help vm start` */
		memmove(o.argv, o.argv + 1, --o.argc * sizeof(o.argv[0]));
		if (!o.argc) {
			kc_help_main(stdout);
			return 0;
		}
	}
	cmd = kc_find(kc_session_cmds, o.argv[0]);
	if (!cmd) {
		g = kc_find_group(o.argv[0]);
		if (!g) {
			fprintf(stderr,
				"keelctl: unknown command '%s'\n"
				"Try `keelctl --help`.\n",
				o.argv[0]);
			return KC_EXIT_USAGE;
		}
		cmd = kc_find(g->cmds, o.argc > 1 ? o.argv[1] : NULL);
		if (!cmd) {
			if (o.help) {
				kc_help_group(g, stdout);
				return 0;
			}
			if (o.argc > 1)
				fprintf(stderr,
					"keelctl: unknown command "
					"'%s %s'\n",
					g->name, o.argv[1]);
			kc_help_group(g, stderr);
			return KC_EXIT_USAGE;
		}
		skip = 2;
	}
	snprintf(path, sizeof(path), "keelctl%s%s %s", g ? " " : "",
		 g ? g->name : "", cmd->name);
	kc_cmd_path = path;
	kc_cmd_current = cmd;
	if (o.help) {
		kc_help_cmd(cmd, stdout);
		return 0;
	}
	rc = kc_client_init(&c, &o);
	if (rc)
		return rc;
	rc = cmd->fn(&c, o.argc - skip, o.argv + skip);
	kc_client_done(&c);
	if (fflush(stdout) && !rc)
		rc = KC_EXIT_LOCAL;
	return rc;
}
