// SPDX-License-Identifier: MIT
/*
 * `keelctl vm create|ls|info|start|stop|reset|destroy|stats|autostart`
 * (docs/api.md); `vm console` is client/console.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/console.h"
#include "client/exitcode.h"

#define KC_VM_DISKS_MAX 4 /* store/store.h STORE_VM_DISKS_MAX */

static const struct kc_col kc_vm_cols[] = {
	{ "name", "NAME", KC_F_TEXT, false },
	{ "state", "STATE", KC_F_TEXT, false },
	{ "vcpus", "VCPUS", KC_F_TEXT, true },
	{ "memory_mb", "MEMORY", KC_F_MIB, true },
	{ "autostart", "AUTOSTART", KC_F_TEXT, false },
	{ "run_ms", "RUN TIME", KC_F_MS, true },
	{ 0 },
};

static const struct kc_col kc_vm_info_cols[] = {
	{ "name", "Name", KC_F_TEXT, false },
	{ "state", "State", KC_F_TEXT, false },
	{ "vcpus", "vCPUs", KC_F_TEXT, false },
	{ "memory_mb", "Memory", KC_F_MIB, false },
	{ "kernel", "Kernel", KC_F_TEXT, false },
	{ "initrd", "Initrd", KC_F_TEXT, false },
	{ "cmdline", "Command line", KC_F_TEXT, false },
	{ "disks", "Disks", KC_F_TEXT, false },
	{ "autostart", "Autostart", KC_F_TEXT, false },
	{ "run_ms", "Run time", KC_F_MS, false },
	{ "cpu_ms", "CPU time", KC_F_MS, false },
	{ "starts", "Starts", KC_F_TEXT, false },
	{ "resets", "Guest resets", KC_F_TEXT, false },
	{ "stop_reason", "Stop reason", KC_F_TEXT, false },
	{ "exits_total", "Exits", KC_F_TEXT, false },
	{ "exits", "Exits by reason", KC_F_TEXT, false },
	{ "memory", "Memory use", KC_F_TEXT, false },
	{ 0 },
};

static void kc_vm_ls_show(const struct json *r)
{
	const struct json *vms = r->type == JSON_ARRAY ? r : json_get(r, "vms");

	kc_out_list(vms, kc_vm_cols, "No VMs.", stdout);
}

static void kc_vm_info_show(const struct json *r)
{
	kc_out_object(r, kc_vm_info_cols, stdout);
}

static int kc_cmd_vm_ls(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	if (rc || (rc = kc_call(c, "vm.list", NULL, &r, NULL)))
		return rc;
	kc_cmd_print(c, r.result, kc_vm_ls_show);
	kc_reply_free(&r);
	return 0;
}

/* A method taking just {"name"} whose answer is shown by @show, or
 * confirmed with "VM NAME @done." when @show is NULL. */
static int kc_vm_simple(struct kc_client *c, int argc, char **argv,
			const char *method, void (*show)(const struct json *),
			const char *done)
{
	struct kc_reply r;
	char *pos[1], what[200];
	int rc = kc_cmd_args(c, NULL, argc, argv, pos, 1, 1);

	if (rc)
		return rc;
	snprintf(what, sizeof(what), "%s %s", method, pos[0]);
	rc = kc_call(c, method, kc_params_name(pos[0]), &r, what);
	if (rc)
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else if (show)
		show(r.result);
	else
		printf("VM %s %s.\n", pos[0], done);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_vm_info(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.info", kc_vm_info_show, NULL);
}

static void kc_vm_stats_show(const struct json *r)
{
	kc_out_object(r, kc_vm_info_cols, stdout);
}

static int kc_cmd_vm_stats(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.stats", kc_vm_stats_show, NULL);
}

static int kc_cmd_vm_start(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.start", NULL, "started");
}

static int kc_cmd_vm_stop(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.stop", NULL, "stopped");
}

static int kc_cmd_vm_reset(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.reset", NULL, "reset");
}

static int kc_cmd_vm_destroy(struct kc_client *c, int argc, char **argv)
{
	return kc_vm_simple(c, argc, argv, "vm.destroy", NULL, "destroyed");
}

/* The repeatable --disk NAME (or --disk=NAME) taken out of @argv into
 * @disks; the other words go to @rest. The count left, or -1 (too many,
 * or --disk without a name). Before "--" only. */
static int kc_vm_take_disks(int argc, char **argv, char **rest,
			    const char **disks, int *ndisks)
{
	int n = 0;
	bool opts = true;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *name = NULL;

		if (opts && !strcmp(a, "--"))
			opts = false;
		if (opts && !strcmp(a, "--disk")) {
			if (i + 1 >= argc)
				return -1;
			name = argv[++i];
		} else if (opts && !strncmp(a, "--disk=", 7)) {
			name = a + 7;
		}
		if (!name) {
			rest[n++] = argv[i];
			continue;
		}
		if (!name[0] || *ndisks == KC_VM_DISKS_MAX)
			return -1;
		disks[(*ndisks)++] = name;
	}
	rest[n] = NULL;
	return n;
}

static int kc_cmd_vm_create(struct kc_client *c, int argc, char **argv)
{
	const char *vcpus = NULL, *memory = NULL, *kernel = NULL,
		   *initrd = NULL, *cmdline = NULL;
	bool autostart = false;
	const char *disks[KC_VM_DISKS_MAX];
	int ndisks = 0;
	const struct kc_arg spec[] = {
		{ "vcpus", 0, true, &vcpus, NULL },
		{ "memory", 0, true, &memory, NULL },
		{ "kernel", 0, true, &kernel, NULL },
		{ "initrd", 0, true, &initrd, NULL },
		{ "cmdline", 0, true, &cmdline, NULL },
		{ "autostart", 0, false, NULL, &autostart },
		{ 0 },
	};
	long long nv = 1, mem;
	struct kc_reply r;
	char *pos[1], what[200];
	struct jw w;
	int rc;

	char **rest = malloc(sizeof(*rest) * (size_t)(argc + 1));

	if (!rest)
		return kc_usage("out of memory");
	argc = kc_vm_take_disks(argc, argv, rest, disks, &ndisks);
	rc = argc < 0 ? kc_usage("--disk: at most %d disks, each named",
				 KC_VM_DISKS_MAX)
		      : kc_cmd_args(c, spec, argc, rest, pos, 1, 1);
	free(rest);
	if (rc)
		return rc;
	/* The host checks its own limits; these are sanity checks. */
	if (vcpus && !kc_opts_int(vcpus, 1, 1024, &nv))
		return kc_usage("--vcpus: expected a number of vCPUs");
	if (!memory)
		return kc_usage("--memory MB is required");
	if (!kc_opts_int(memory, 1, 1ll << 30, &mem))
		return kc_usage("--memory: expected MiB, e.g. 256");
	if (!kernel)
		return kc_usage("--kernel DSFILE (a datastore file) is "
				"required");
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", pos[0]);
	jw_kint(&w, "vcpus", nv);
	jw_kint(&w, "memory_mb", mem);
	jw_kstr(&w, "kernel", kernel);
	if (initrd)
		jw_kstr(&w, "initrd", initrd);
	if (cmdline)
		jw_kstr(&w, "cmdline", cmdline);
	if (autostart)
		jw_kbool(&w, "autostart", true);
	if (ndisks) {
		jw_key(&w, "disks");
		jw_arr_begin(&w);
		for (int i = 0; i < ndisks; i++)
			jw_str(&w, disks[i]);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	snprintf(what, sizeof(what), "vm.create %s", pos[0]);
	rc = kc_call(c, "vm.create", w.buf, &r, what);
	jw_free(&w);
	if (rc)
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else
		printf("VM %s created.\n", pos[0]);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_vm_autostart(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	char *pos[2], what[200];
	bool on;
	struct jw w;
	int rc = kc_cmd_args(c, NULL, argc, argv, pos, 2, 2);

	if (rc)
		return rc;
	if (!strcmp(pos[1], "on") || !strcmp(pos[1], "yes"))
		on = true;
	else if (!strcmp(pos[1], "off") || !strcmp(pos[1], "no"))
		on = false;
	else
		return kc_usage("expected on or off, not '%s'", pos[1]);
	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", pos[0]);
	jw_kbool(&w, "enabled", on);
	jw_obj_end(&w);
	snprintf(what, sizeof(what), "vm.autostart %s", pos[0]);
	rc = kc_call(c, "vm.autostart", w.buf, &r, what);
	jw_free(&w);
	if (rc)
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else
		printf("VM %s: autostart %s.\n", pos[0], on ? "on" : "off");
	kc_reply_free(&r);
	return 0;
}

static const struct kc_cmd kc_vm_cmds[] = {
	{ "create",
	  "NAME --memory MB --kernel DSFILE [--vcpus N] [--initrd DSFILE] "
	  "[--cmdline S] [--disk DSDISK]... [--autostart]",
	  "define a VM that boots a kernel from the datastore",
	  "  --memory MB       guest memory in MiB (required)\n"
	  "  --kernel DSFILE   the kernel image, a datastore file (required)\n"
	  "  --vcpus N         virtual CPUs (default 1)\n"
	  "  --initrd DSFILE   an initial ramdisk from the datastore\n"
	  "  --cmdline S       the kernel command line (one argument: quote "
	  "it,\n"
	  "                    or --cmdline=S when it starts with '-')\n"
	  "  --disk DSDISK     a virtual disk from the datastore (datastore "
	  "mkdisk);\n"
	  "                    repeat for up to 4, seen in this order\n"
	  "  --autostart       start it whenever the host boots\n",
	  kc_cmd_vm_create },
	{ "ls", "", "list the VMs", "", kc_cmd_vm_ls },
	{ "info", "NAME", "a VM's configuration and state", "",
	  kc_cmd_vm_info },
	{ "start", "NAME", "power a VM on", "", kc_cmd_vm_start },
	{ "stop", "NAME", "power a VM off (hard, like pulling the plug)", "",
	  kc_cmd_vm_stop },
	{ "reset", "NAME", "reset a running VM (hard)", "", kc_cmd_vm_reset },
	{ "destroy", "NAME", "delete a stopped VM's definition", "",
	  kc_cmd_vm_destroy },
	{ "stats", "NAME", "a VM's run time, exits by reason, memory", "",
	  kc_cmd_vm_stats },
	{ "console", "NAME [--no-follow]", "the VM's serial console",
	  "Prints the guest's serial output and follows it. On a terminal,\n"
	  "keys go to the guest as typed (Ctrl-] quits); from a pipe, lines\n"
	  "of stdin are sent.\n"
	  "  --no-follow   print what the host has buffered and exit\n",
	  kc_cmd_vm_console },
	{ "autostart", "NAME on|off", "start a VM when the host boots, or not",
	  "", kc_cmd_vm_autostart },
	{ 0 },
};

const struct kc_group kc_vm_group = {
	"vm",
	NULL,
	"Virtual machines.",
	kc_vm_cmds,
};
