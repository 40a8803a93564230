// SPDX-License-Identifier: MIT
/* `keelctl host info|stats|logs|reboot|shutdown` (docs/api.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/cmd.h"
#include "client/exitcode.h"

/* A member of a member: "cpu.model". */
static const struct json *kc_path_get(const struct json *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		o = json_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *kc_str_at(const struct json *o, const char *path)
{
	const struct json *v = kc_path_get(o, path);

	return v && v->type == JSON_STRING ? v->s : NULL;
}

static bool kc_int_at(const struct json *o, const char *path, uint64_t *out)
{
	const struct json *v = kc_path_get(o, path);

	if (!v || v->type != JSON_NUMBER || !v->is_int || v->i < 0)
		return false;
	*out = (uint64_t)v->i;
	return true;
}

static void kc_host_info_show(const struct json *r)
{
	const char *s, *s2;
	char a[32], b[32];
	uint64_t x, y;
	bool lock;

	s = kc_str_at(r, "hostname");
	printf("Host:        %s\n", s ? s : "(not set up)");
	s = kc_str_at(r, "product");
	s2 = kc_str_at(r, "version");
	printf("Version:     %s %s\n", s ? s : "Keel", s2 ? s2 : "?");
	s = kc_str_at(r, "cpu.model");
	if (s) {
		printf("CPU:         %s", s);
		if (kc_int_at(r, "cpu.cores", &x))
			printf(", %" PRIu64 " core%s", x, x == 1 ? "" : "s");
		printf("\n");
	}
	s = kc_str_at(r, "cpu.backend_name");
	if (!s)
		s = kc_str_at(r, "cpu.backend");
	s2 = kc_str_at(r, "cpu.stage2");
	if (s)
		printf("Backend:     %s%s%s\n", s, s2 ? " with " : "",
		       s2 ? s2 : "");
	else if (kc_path_get(r, "cpu"))
		printf(
		    "Backend:     none (no VT-x or AMD-V: VMs cannot run)\n");
	if (kc_int_at(r, "memory.total_bytes", &x)) {
		kc_fmt_bytes(x, a, sizeof(a));
		if (kc_int_at(r, "memory.free_bytes", &y)) {
			kc_fmt_bytes(y, b, sizeof(b));
			printf("Memory:      %s, %s free\n", a, b);
		} else {
			printf("Memory:      %s\n", a);
		}
	}
	if (kc_int_at(r, "uptime_ms", &x)) {
		kc_fmt_duration(x / 1000, a, sizeof(a));
		printf("Uptime:      %s\n", a);
	}
	s = kc_str_at(r, "store.state");
	if (s) {
		s2 = kc_str_at(r, "store.reason");
		printf("Store:       %s%s%s\n", s, s2 && *s2 ? ": " : "",
		       s2 ? s2 : "");
	}
	if (json_get_bool(r, "lockdown", &lock))
		printf("Lockdown:    %s\n", lock ? "on" : "off");
	s = kc_str_at(r, "thumbprint");
	printf("Thumbprint:  %s\n", s ? s : "-");
}

static int kc_cmd_host_info(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	if (rc || (rc = kc_call(c, "host.info", NULL, &r, NULL)))
		return rc;
	kc_cmd_print(c, r.result, kc_host_info_show);
	kc_reply_free(&r);
	return 0;
}

static void kc_host_stats_show(const struct json *r)
{
	kc_out_object(r, NULL, stdout);
}

static int kc_cmd_host_stats(struct kc_client *c, int argc, char **argv)
{
	struct kc_reply r;
	int rc = kc_cmd_args(c, NULL, argc, argv, NULL, 0, 0);

	if (rc || (rc = kc_call(c, "host.stats", NULL, &r, NULL)))
		return rc;
	kc_cmd_print(c, r.result, kc_host_stats_show);
	kc_reply_free(&r);
	return 0;
}

/* "[   12.345678] warn: text", the kernel log's own look. */
static void kc_host_log_line(const struct json *l)
{
	const char *text = "", *level = "info";
	uint64_t us = 0;

	if (l->type == JSON_STRING) {
		printf("%s\n", l->s);
		return;
	}
	json_get_str(l, "text", &text);
	json_get_str(l, "level", &level);
	kc_int_at(l, "time_us", &us);
	printf("[%5" PRIu64 ".%06" PRIu64 "] %s%s%s\n", us / 1000000,
	       us % 1000000, strcmp(level, "info") ? level : "",
	       strcmp(level, "info") ? ": " : "", text);
}

static int kc_cmd_host_logs(struct kc_client *c, int argc, char **argv)
{
	const char *nstr = NULL;
	bool follow = false;
	const struct kc_arg spec[] = {
		{ "follow", 'f', false, NULL, &follow },
		{ "lines", 'n', true, &nstr, NULL },
		{ 0 },
	};
	long long n = 50;
	uint64_t cursor = 0, lost;
	bool have_cursor = false;
	int rc;

	rc = kc_cmd_args(c, spec, argc, argv, NULL, 0, 0);
	if (rc)
		return rc;
	if (nstr && !kc_opts_int(nstr, 1, 1000, &n))
		return kc_usage("-n: expected 1..1000 lines");
	/* A follow call waits on the host for new lines; it must answer
	 * well within our read timeout. */
	long long wait_ms = (long long)c->o->timeout * 1000 / 2;
	if (wait_ms > 10000)
		wait_ms = 10000;
	do {
		const struct json *lines;
		struct kc_reply r;
		struct jw w;

		jw_init(&w, 256);
		jw_obj_begin(&w);
		if (have_cursor) {
			jw_kuint(&w, "cursor", cursor);
			jw_kint(&w, "wait_ms", wait_ms);
		} else {
			jw_kint(&w, "max", n);
		}
		jw_obj_end(&w);
		rc = kc_call(c, "host.logs", w.buf, &r, NULL);
		jw_free(&w);
		if (rc)
			return rc;
		if (c->o->json) {
			kc_out_json(r.result, stdout);
		} else {
			if (kc_int_at(r.result, "lost", &lost) && lost)
				fprintf(stderr,
					"keelctl: %" PRIu64 " log lines were "
					"lost (the host's ring wrapped)\n",
					lost);
			lines = json_get(r.result, "lines");
			for (const struct json *l = lines ? lines->child : NULL;
			     l; l = l->next)
				kc_host_log_line(l);
		}
		fflush(stdout);
		have_cursor = kc_int_at(r.result, "cursor", &cursor);
		kc_reply_free(&r);
	} while (follow && have_cursor);
	return 0;
}

static int kc_host_power(struct kc_client *c, int argc, char **argv,
			 const char *method, const char *verb)
{
	bool force = false;
	const struct kc_arg spec[] = {
		{ "force", 0, false, NULL, &force },
		{ 0 },
	};
	struct kc_reply r;
	int rc;

	rc = kc_cmd_args(c, spec, argc, argv, NULL, 0, 0);
	if (rc)
		return rc;
	rc = kc_call(c, method, force ? "{\"force\":true}" : NULL, &r, NULL);
	if (rc)
		return rc;
	if (c->o->json)
		kc_out_json(r.result, stdout);
	else
		printf("%s is %s.\n", c->key, verb);
	kc_reply_free(&r);
	return 0;
}

static int kc_cmd_host_reboot(struct kc_client *c, int argc, char **argv)
{
	return kc_host_power(c, argc, argv, "host.reboot", "restarting");
}

static int kc_cmd_host_shutdown(struct kc_client *c, int argc, char **argv)
{
	return kc_host_power(c, argc, argv, "host.shutdown", "shutting down");
}

static const struct kc_cmd kc_host_cmds[] = {
	{ "info", "", "the host's version, CPU, memory, uptime, thumbprint", "",
	  kc_cmd_host_info },
	{ "stats", "", "the host's CPU, memory, NIC and VM counters", "",
	  kc_cmd_host_stats },
	{ "logs", "[-f] [-n N]", "the host's log (the last N lines)",
	  "  -n, --lines N   how many of the last lines (1..1000, default 50)\n"
	  "  -f, --follow    keep printing new lines until interrupted\n"
	  "With --json, each answer of host.logs is one line of JSON.\n",
	  kc_cmd_host_logs },
	{ "reboot", "[--force]", "restart the host",
	  "  --force   even with VMs running (they are powered off hard)\n",
	  kc_cmd_host_reboot },
	{ "shutdown", "[--force]", "power the host off",
	  "  --force   even with VMs running (they are powered off hard)\n",
	  kc_cmd_host_shutdown },
	{ 0 },
};

const struct kc_group kc_host_group = {
	"host",
	NULL,
	"The host: information, log, power.",
	kc_host_cmds,
};
