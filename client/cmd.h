/* SPDX-License-Identifier: MIT */
/*
 * keelctl's subcommands: each group (host, datastore, vm) is a table of
 * struct kc_cmd in its own file; client/main.c finds the command, prints
 * help, connects and calls it with the words after the command's name.
 */
#ifndef KEEL_CLIENT_CMD_H
#define KEEL_CLIENT_CMD_H

#include "client/opts.h"
#include "client/out.h"
#include "client/rpc.h"

struct kc_cmd {
	const char *name;
	const char *usage;   /* "NAME --vcpus N ..." after the command */
	const char *summary; /* one line for the command list */
	const char *help;    /* options and details for `CMD --help` */
	/* Returns keelctl's exit code. */
	int (*fn)(struct kc_client *c, int argc, char **argv);
};

struct kc_group {
	const char *name;
	const char *alias; /* "ds" for datastore, or NULL */
	const char *summary;
	const struct kc_cmd *cmds; /* ended by a NULL name */
};

extern const struct kc_cmd kc_session_cmds[]; /* login, logout */
extern const struct kc_group kc_host_group, kc_ds_group, kc_vm_group;

/*
 * Helpers for the commands (client/main.c).
 */
/* Parse a command's options and exactly @min..@max positional words into
 * @pos; prints the error and the usage line. 0 or KC_EXIT_USAGE. */
int kc_cmd_args(struct kc_client *c, const struct kc_arg *spec, int argc,
		char **argv, char **pos, int min, int max);
/* Print a result: --json as is, else by @show. 0. */
int kc_cmd_print(struct kc_client *c, const struct json *result,
		 void (*show)(const struct json *result));
/* Params {"name": @name} (static buffer, valid until the next call). */
const char *kc_params_name(const char *name);
/* A usage error for the running command: message, usage line, 1. */
int kc_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The running command's path and usage, for messages. */
extern const char *kc_cmd_path;
extern const struct kc_cmd *kc_cmd_current;

#endif
