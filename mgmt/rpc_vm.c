// SPDX-License-Identifier: MIT
/*
 * The vm.* methods (docs/api.md): parameters in, mgmt/vmm.c does the
 * work, the answer out. State-changing methods are audited with the VM's
 * name. vm.console.write is not: it is the guest's keyboard, called per
 * keystroke by `keelctl vm console`, and each audit record is a durable
 * store transaction (the audit log keeps the last 1000 events; typing
 * would flush everything else out of it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "core/fmt.h"
#include "core/vm.h"
#include "mgmt/rpc.h"
#include "mgmt/vmm.h"
#include "mgmt/vmm_con.h"

#define RPC_VM_READ_DEFAULT 16384
#define RPC_VM_READ_MAX 65536
#define RPC_VM_WRITE_MAX 4096 /* the vUART's backlog */
#define NSEC_PER_MS 1000000ull

static int rpc_vm_err(struct rpc_ctx *c, const struct vmm_err *e)
{
	return rpc_fail(c, e->code ? e->code : RPC_INTERNAL_ERROR, "%s",
			e->msg[0] ? e->msg : "internal error");
}

/* Every method names its VM: {"name": ...}; @audit: note it. */
static int rpc_vm_name(struct rpc_ctx *c, const char *const *known,
		       const char **name, bool audit)
{
	int rc = rpc_param_only(c, known);

	if (!rc)
		rc = rpc_param_str(c, "name", true, VMM_NAME_MAX + 32, name);
	if (!rc && audit)
		fmt_snprintf(c->audit, sizeof(c->audit), "%s", *name);
	return rc;
}

static void rpc_vm_kstr_or_null(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s && *s)
		jw_str(w, s);
	else
		jw_null(w);
}

/* The members vm.list, vm.info and vm.stats share. */
static void rpc_vm_common(struct jw *w, const struct vmm_info *i)
{
	jw_kstr(w, "name", i->cfg.name);
	jw_kstr(w, "state", vmm_state_name(i->state));
	jw_kuint(w, "vcpus", i->cfg.vcpus);
	jw_kuint(w, "memory_mb", i->cfg.mem_mb);
	jw_kbool(w, "autostart", i->cfg.autostart);
	jw_kuint(w, "run_ms", i->run_ns / NSEC_PER_MS);
}

static void rpc_vm_info_obj(struct jw *w, const struct vmm_info *i)
{
	jw_obj_begin(w);
	rpc_vm_common(w, i);
	jw_kstr(w, "kernel", i->cfg.kernel);
	rpc_vm_kstr_or_null(w, "initrd", i->cfg.initrd);
	jw_kstr(w, "cmdline", i->cfg.cmdline);
	jw_key(w, "disks");
	jw_arr_begin(w);
	for (int k = 0; k < STORE_VM_DISKS_MAX && i->cfg.disks[k][0]; k++)
		jw_str(w, i->cfg.disks[k]);
	jw_arr_end(w);
	jw_kuint(w, "resets", i->resets);
	jw_kuint(w, "id", (uint64_t)i->cfg.id);
	jw_kuint(w, "starts", i->starts);
	rpc_vm_kstr_or_null(w, "stop_reason", i->stop_reason);
	jw_kuint(w, "cpu_ms", i->cpu_ns / NSEC_PER_MS);
	jw_kuint(w, "console_cursor", i->console_head);
	jw_obj_end(w);
}

/* params.disks: an array of up to STORE_VM_DISKS_MAX datastore names. */
static int rpc_vm_disks_param(struct rpc_ctx *c, struct vmm_create_req *r)
{
	const struct json *a = json_get(c->params, "disks"), *d;

	if (!a)
		return 0;
	if (a->type != JSON_ARRAY || a->len > STORE_VM_DISKS_MAX)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.disks: expected an array of at most "
				"%u datastore disk names",
				STORE_VM_DISKS_MAX);
	for (d = a->child; d; d = d->next) {
		if (d->type != JSON_STRING || d->len >= DS_NAME_MAX)
			return rpc_fail(c, RPC_INVALID_PARAMS,
					"params.disks[%u]: expected a "
					"datastore file name",
					r->ndisks);
		r->disks[r->ndisks++] = d->s;
	}
	return 0;
}

static int rpc_vm_create(struct rpc_ctx *c)
{
	static const char *const known[] = { "name",	  "vcpus",  "memory_mb",
					     "kernel",	  "initrd", "cmdline",
					     "autostart", "disks",  NULL };
	struct vmm_create_req r = { .vcpus = 1 };
	struct vmm_err e = { 0 };
	int64_t vcpus = 1, mem = 0;
	int rc;

	if ((rc = rpc_vm_name(c, known, &r.name, true)))
		return rc;
	rc = rpc_param_int(c, "vcpus", false, 1, VM_MAX_VCPUS, &vcpus);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "memory_mb", true, VMM_MEM_MIN_MB, VMM_MEM_MAX_MB,
			   &mem);
	if (rc)
		return rc;
	if ((rc = rpc_param_str(c, "kernel", true, DS_NAME_MAX - 1, &r.kernel)))
		return rc;
	rc = rpc_param_str(c, "initrd", false, DS_NAME_MAX - 1, &r.initrd);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_str(c, "cmdline", false, VMM_CMDLINE_MAX, &r.cmdline);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_bool(c, "autostart", false, &r.autostart);
	if (rc && rc != -ENOENT)
		return rc;
	if ((rc = rpc_vm_disks_param(c, &r)))
		return rc;
	r.vcpus = (unsigned int)vcpus;
	r.memory_mb = (uint64_t)mem;
	if (vmm_create(&r, &e))
		return rpc_vm_err(c, &e);

	struct vmm_info *i = malloc(sizeof(*i));
	if (!i || vmm_info(r.name, i, &e)) {
		free(i);
		jw_obj_begin(c->out); /* destroyed meanwhile: still created */
		jw_kstr(c->out, "name", r.name);
		jw_obj_end(c->out);
		return 0;
	}
	rpc_vm_info_obj(c->out, i);
	free(i);
	return 0;
}

static int rpc_vm_list(struct rpc_ctx *c)
{
	static const char *const known[] = { NULL };
	struct vmm_err e = { 0 };
	struct vmm_info *all;
	int rc, n;

	if ((rc = rpc_param_only(c, known)))
		return rc;
	all = malloc(VMM_MAX_VMS * sizeof(*all));
	if (!all)
		return rpc_fail_errno(c, -ENOMEM, "vm.list");
	n = vmm_list(all, VMM_MAX_VMS, &e);
	jw_obj_begin(c->out);
	jw_key(c->out, "vms");
	jw_arr_begin(c->out);
	for (int k = 0; k < n; k++) {
		jw_obj_begin(c->out);
		rpc_vm_common(c->out, &all[k]);
		jw_kstr(c->out, "kernel", all[k].cfg.kernel);
		jw_obj_end(c->out);
	}
	jw_arr_end(c->out);
	jw_obj_end(c->out);
	free(all);
	return 0;
}

/*
 * vm.info, vm.stats: the named VM's snapshot (malloc'd: it carries the
 * exit counters), or NULL with the call failed and its code in *@rc.
 */
static struct vmm_info *rpc_vm_fetch(struct rpc_ctx *c, const char *what,
				     int *rc)
{
	static const char *const known[] = { "name", NULL };
	struct vmm_err e = { 0 };
	struct vmm_info *i;
	const char *name;

	if ((*rc = rpc_vm_name(c, known, &name, false)))
		return NULL;
	i = malloc(sizeof(*i));
	if (!i) {
		*rc = rpc_fail_errno(c, -ENOMEM, what);
		return NULL;
	}
	if (vmm_info(name, i, &e)) {
		free(i);
		*rc = rpc_vm_err(c, &e);
		return NULL;
	}
	return i;
}

static int rpc_vm_info(struct rpc_ctx *c)
{
	int rc;
	struct vmm_info *i = rpc_vm_fetch(c, "vm.info", &rc);

	if (!i)
		return rc;
	rpc_vm_info_obj(c->out, i);
	free(i);
	return 0;
}

static int rpc_vm_stats(struct rpc_ctx *c)
{
	struct jw *w = c->out;
	int rc;
	struct vmm_info *i = rpc_vm_fetch(c, "vm.stats", &rc);

	if (!i)
		return rc;
	jw_obj_begin(w);
	rpc_vm_common(w, i);
	jw_kuint(w, "starts", i->starts);
	jw_kuint(w, "resets", i->resets);
	jw_kuint(w, "cpu_ms", i->cpu_ns / NSEC_PER_MS);
	jw_kuint(w, "exits_total", i->exits_total);
	jw_key(w, "exits");
	jw_obj_begin(w);
	for (unsigned int k = 0; k < VM_EXIT_COUNT; k++)
		if (hv_exit_name(k))
			jw_kuint(w, hv_exit_name(k), i->exits[k]);
	jw_obj_end(w);
	jw_key(w, "memory");
	jw_obj_begin(w);
	jw_kuint(w, "guest_bytes", i->ram_bytes);
	jw_kuint(w, "guest_backed_bytes", i->ram_backed);
	jw_kuint(w, "overhead_bytes", i->overhead);
	jw_obj_end(w);
	jw_key(w, "console");
	jw_obj_begin(w);
	jw_kuint(w, "cursor", i->console_head);
	jw_kuint(w, "tx_bytes", i->console_tx);
	jw_kuint(w, "rx_bytes", i->console_rx);
	jw_obj_end(w);
	jw_obj_end(w);
	free(i);
	return 0;
}

/* vm.start, vm.stop, vm.reset, vm.destroy: {"name"} -> {"name", "state"}. */
static int rpc_vm_simple(struct rpc_ctx *c,
			 int (*fn)(const char *, const char *,
				   struct vmm_err *))
{
	static const char *const known[] = { "name", NULL };
	struct vmm_err e = { 0 };
	struct vmm_info *i;
	const char *name;
	int rc;

	if ((rc = rpc_vm_name(c, known, &name, true)))
		return rc;
	if (fn(name, c->caller->who[0] ? c->caller->who : "rpc", &e))
		return rpc_vm_err(c, &e);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "name", name);
	i = malloc(sizeof(*i));
	if (i && !vmm_info(name, i, &e))
		jw_kstr(c->out, "state", vmm_state_name(i->state));
	else
		jw_kstr(c->out, "state", "destroyed");
	free(i);
	jw_obj_end(c->out);
	return 0;
}

static int rpc_vm_start(struct rpc_ctx *c)
{
	return rpc_vm_simple(c, vmm_start);
}

static int rpc_vm_stop(struct rpc_ctx *c)
{
	return rpc_vm_simple(c, vmm_stop);
}

static int rpc_vm_reset(struct rpc_ctx *c)
{
	return rpc_vm_simple(c, vmm_reset);
}

static int rpc_vm_destroy_fn(const char *name, const char *who,
			     struct vmm_err *e)
{
	return vmm_destroy(name, e);
}

static int rpc_vm_destroy(struct rpc_ctx *c)
{
	return rpc_vm_simple(c, rpc_vm_destroy_fn);
}

static int rpc_vm_autostart(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "enabled", NULL };
	struct vmm_err e = { 0 };
	const char *name;
	bool on;
	int rc;

	if ((rc = rpc_vm_name(c, known, &name, true)))
		return rc;
	if ((rc = rpc_param_bool(c, "enabled", true, &on)))
		return rc;
	fmt_snprintf(c->audit, sizeof(c->audit), "%s %s", name,
		     on ? "on" : "off");
	if (vmm_autostart(name, on, &e))
		return rpc_vm_err(c, &e);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "name", name);
	jw_kbool(c->out, "autostart", on);
	jw_obj_end(c->out);
	return 0;
}

/* "text" (the default) or "base64": *@b64 says which. */
static int rpc_vm_encoding(struct rpc_ctx *c, bool *b64)
{
	const char *enc;
	int rc = rpc_param_str(c, "encoding", false, 8, &enc);

	*b64 = false;
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (!strcmp(enc, "base64"))
		*b64 = true;
	else if (strcmp(enc, "text"))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.encoding: \"text\" or \"base64\"");
	return 0;
}

static int rpc_vm_console_read(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "cursor", "max",
					     "encoding", NULL };
	struct vmm_err e = { 0 };
	int64_t cursor = -1, max = RPC_VM_READ_DEFAULT;
	uint64_t next, lost;
	const char *name;
	bool b64;
	size_t outlen;
	int rc;

	if ((rc = rpc_vm_name(c, known, &name, false)))
		return rc;
	rc = rpc_param_int(c, "cursor", false, 0, INT64_MAX, &cursor);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "max", false, 1, RPC_VM_READ_MAX, &max);
	if (rc && rc != -ENOENT)
		return rc;
	if ((rc = rpc_vm_encoding(c, &b64)))
		return rc;

	uint8_t *raw = malloc((size_t)max);
	/* Text grows to 3 bytes per byte (U+FFFD); base64 to 4 per 3. */
	char *out = malloc((size_t)max * 3 + 8);
	if (!raw || !out) {
		free(raw);
		free(out);
		return rpc_fail_errno(c, -ENOMEM, "vm.console.read");
	}
	long n = vmm_console_read(
	    name, cursor < 0 ? VMM_CURSOR_OLDEST : (uint64_t)cursor, raw,
	    (size_t)max, &next, &lost, &e);
	if (n < 0) {
		free(raw);
		free(out);
		return rpc_vm_err(c, &e);
	}
	if (b64) {
		mbedtls_base64_encode((unsigned char *)out, (size_t)max * 3 + 8,
				      &outlen, raw, (size_t)n);
	} else {
		size_t used;
		outlen = vmm_con_to_utf8(raw, (size_t)n, false, out, &used);
		/* Only a cut sequence: hand it over as it is, replaced. */
		if (!used && n)
			outlen =
			    vmm_con_to_utf8(raw, (size_t)n, true, out, &used);
		next -= (uint64_t)n - used; /* the cut bytes come next time */
	}
	jw_obj_begin(c->out);
	jw_key(c->out, "data");
	jw_strn(c->out, out, outlen);
	jw_kstr(c->out, "encoding", b64 ? "base64" : "text");
	jw_kuint(c->out, "cursor", next);
	jw_kuint(c->out, "lost", lost);
	jw_obj_end(c->out);
	free(raw);
	free(out);
	return 0;
}

static int rpc_vm_console_write(struct rpc_ctx *c)
{
	static const char *const known[] = { "name", "data", "encoding", NULL };
	struct vmm_err e = { 0 };
	const char *name, *data;
	uint8_t buf[RPC_VM_WRITE_MAX];
	size_t len;
	bool b64;
	int rc;

	if ((rc = rpc_vm_name(c, known, &name, false)))
		return rc;
	if ((rc = rpc_vm_encoding(c, &b64)))
		return rc;
	if ((rc = rpc_param_str(
		 c, "data", true,
		 b64 ? RPC_VM_WRITE_MAX / 3 * 4 + 4 : RPC_VM_WRITE_MAX, &data)))
		return rc;
	if (b64) {
		if (mbedtls_base64_decode(buf, sizeof(buf), &len,
					  (const unsigned char *)data,
					  strlen(data)))
			return rpc_fail(c, RPC_INVALID_PARAMS,
					"params.data: not valid base64 of at "
					"most %u bytes",
					RPC_VM_WRITE_MAX);
	} else {
		len = strlen(data);
		memcpy(buf, data, len);
	}
	long n = vmm_console_write(name, buf, len, &e);
	if (n < 0)
		return rpc_vm_err(c, &e);
	if (n == 0 && len)
		return rpc_fail(c, RPC_ERR_BUSY,
				"VM \"%s\" is not reading its console (%u "
				"bytes wait); try again later",
				name, RPC_VM_WRITE_MAX);
	jw_obj_begin(c->out);
	jw_kuint(c->out, "written", (uint64_t)n);
	jw_obj_end(c->out);
	return 0;
}

RPC_METHOD(vm_create, "vm.create", rpc_vm_create, RPC_AUDIT);
RPC_METHOD(vm_list, "vm.list", rpc_vm_list, 0);
RPC_METHOD(vm_info, "vm.info", rpc_vm_info, 0);
RPC_METHOD(vm_stats, "vm.stats", rpc_vm_stats, 0);
RPC_METHOD(vm_start, "vm.start", rpc_vm_start, RPC_AUDIT);
RPC_METHOD(vm_stop, "vm.stop", rpc_vm_stop, RPC_AUDIT);
RPC_METHOD(vm_reset, "vm.reset", rpc_vm_reset, RPC_AUDIT);
RPC_METHOD(vm_destroy, "vm.destroy", rpc_vm_destroy, RPC_AUDIT);
RPC_METHOD(vm_autostart, "vm.autostart", rpc_vm_autostart, RPC_AUDIT);
RPC_METHOD(vm_console_read, "vm.console.read", rpc_vm_console_read, 0);
RPC_METHOD(vm_console_write, "vm.console.write", rpc_vm_console_write, 0);
