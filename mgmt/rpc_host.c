// SPDX-License-Identifier: MIT
/*
 * The host.* methods about the machine itself (docs/api.md):
 * host.info and host.stats read what the kernel already keeps;
 * host.reboot, host.shutdown and host.cert.regenerate change it and are
 * audited. The network and log methods live in rpc_host_net.c and
 * rpc_host_logs.c.
 *
 * A reboot or power-off cannot answer after the fact, so it answers
 * first and acts from a short-lived thread RPC_HOST_DELAY_NS later: time
 * for the transport to send the reply and for the dispatcher to write
 * the audit record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpuinfo.h"
#include "core/fmt.h"
#include "core/heap.h"
#include "core/hv.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/power.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "drivers/nic.h"
#include "mgmt/auth.h"
#include "mgmt/cert.h"
#include "mgmt/rpc.h"
#include "mgmt/rpc_host.h"
#include "mgmt/server.h"
#include "store/store.h"
#include "version.h"

static const char *const rpc_host_no_params[] = { NULL };

/* The stored certificate's thumbprint, or false when there is none. */
bool rpc_host_thumbprint(char out[MGMT_THUMBPRINT_LEN])
{
	uint8_t *key = NULL, *cert = NULL;
	size_t klen = 0, clen = 0;

	out[0] = '\0';
	if (store_get_tls(&key, &klen, &cert, &clen) < 0)
		return false;
	if (key) {
		memset(key, 0, klen);
		free(key);
	}
	if (cert)
		mgmt_cert_thumbprint(cert, clen, out);
	free(cert);
	return out[0] != '\0';
}

static const char *rpc_host_store_state(void)
{
	const char *why;

	switch (store_state(&why)) {
	case STORE_OK:
		return "ok";
	case STORE_MEMORY:
		return "memory";
	case STORE_CORRUPT:
		return "corrupt";
	case STORE_STARTING:
		return "starting";
	}
	return "unknown";
}

/* "vmx"/"svm": the backend's room, which is what scripts compare. */
static const char *rpc_host_backend(void)
{
	if (!hv)
		return NULL;
	if (!strcmp(hv->name, "VT-x"))
		return "vmx";
	if (!strcmp(hv->name, "AMD-V"))
		return "svm";
	return hv->name;
}

static void rpc_host_kstr_or_null(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s && *s)
		jw_str(w, s);
	else
		jw_null(w);
}

static int rpc_host_info(struct rpc_ctx *c)
{
	char model[64], host[MGMT_CERT_HOST_MAX], tp[MGMT_THUMBPRINT_LEN];
	const char *why;
	struct pmm_stats ps;
	struct jw *w = c->out;
	int rc;

	if ((rc = rpc_param_only(c, rpc_host_no_params)))
		return rc;
	cpuinfo_model(model, sizeof(model));
	pmm_get_stats(&ps);
	if (store_get_hostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	rpc_host_thumbprint(tp);
	store_state(&why);

	jw_obj_begin(w);
	jw_kstr(w, "product", "Keel");
	jw_kstr(w, "version", KEEL_VERSION);
	rpc_host_kstr_or_null(w, "hostname", host);
	jw_key(w, "cpu");
	jw_obj_begin(w);
	jw_kstr(w, "model", model);
	jw_kuint(w, "cores", percpu_online);
	rpc_host_kstr_or_null(w, "backend", rpc_host_backend());
	rpc_host_kstr_or_null(w, "backend_name", hv ? hv->name : NULL);
	rpc_host_kstr_or_null(w, "stage2", hv ? hv->s2_name : NULL);
	jw_kuint(w, "tsc_hz", time_tsc_hz());
	jw_obj_end(w);
	jw_key(w, "memory");
	jw_obj_begin(w);
	jw_kuint(w, "total_bytes", ps.total);
	jw_kuint(w, "free_bytes", ps.free);
	jw_obj_end(w);
	jw_kuint(w, "uptime_ms", time_ns() / NSEC_PER_MSEC);
	rpc_host_kstr_or_null(w, "thumbprint", tp);
	jw_key(w, "store");
	jw_obj_begin(w);
	jw_kstr(w, "state", rpc_host_store_state());
	jw_kstr(w, "reason", why);
	jw_obj_end(w);
	jw_kbool(w, "configured", store_configured());
	jw_kbool(w, "lockdown", store_lockdown());
	jw_kuint(w, "mgmt_port", store_mgmt_port());
	jw_obj_end(w);
	return 0;
}

static void rpc_host_stats_cpus(struct jw *w, uint64_t now)
{
	uint64_t busy_sum = 0, idle_sum = 0;

	jw_key(w, "cpus");
	jw_arr_begin(w);
	for (unsigned int i = 0; i < PERCPU_MAX; i++) {
		if (!percpu_cpus[i].online)
			continue;
		uint64_t idle = sched_cpu_idle_ns(i);
		/* APs came up a few ms after time zero: counted as busy. */
		uint64_t busy = now > idle ? now - idle : 0;
		busy_sum += busy;
		idle_sum += idle;
		jw_obj_begin(w);
		jw_kuint(w, "id", i);
		jw_kuint(w, "busy_ms", busy / NSEC_PER_MSEC);
		jw_kuint(w, "idle_ms", idle / NSEC_PER_MSEC);
		jw_kuint(w, "switches", percpu_cpus[i].switches);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kuint(w, "busy_ms", busy_sum / NSEC_PER_MSEC);
	jw_kuint(w, "idle_ms", idle_sum / NSEC_PER_MSEC);
}

static void rpc_host_stats_nics(struct jw *w)
{
	char mac[18];

	jw_key(w, "nics");
	jw_arr_begin(w);
	for (struct nic *n = nic_next(NULL); n; n = nic_next(n)) {
		/* Read without the NIC's locks: each counter is one aligned
		 * 64-bit load, and a snapshot a packet old is fine. */
		const struct nic_stats *s = &n->stats;
		nic_mac_fmt(n->mac, mac);
		jw_obj_begin(w);
		jw_kstr(w, "name", n->name);
		jw_kstr(w, "model", n->model ? n->model : "");
		jw_kstr(w, "mac", mac);
		jw_kbool(w, "link_up", n->link_up);
		jw_kuint(w, "speed_mbps", n->link_up ? n->speed_mbps : 0);
		jw_kuint(w, "rx_packets", s->rx_packets);
		jw_kuint(w, "rx_bytes", s->rx_bytes);
		jw_kuint(w, "rx_dropped", s->rx_dropped);
		jw_kuint(w, "rx_errors", s->rx_errors);
		jw_kuint(w, "tx_packets", s->tx_packets);
		jw_kuint(w, "tx_bytes", s->tx_bytes);
		jw_kuint(w, "tx_dropped", s->tx_dropped);
		jw_kuint(w, "tx_errors", s->tx_errors);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* The management endpoint itself (mgmt/server.h, mgmt/auth.h). */
static void rpc_host_stats_endpoint(struct jw *w)
{
	struct mgmt_server_stats s;

	mgmt_server_stats(&s);
	jw_key(w, "endpoint");
	jw_obj_begin(w);
	jw_kbool(w, "listening", s.listening);
	jw_kuint(w, "port", s.port);
	jw_kuint(w, "connections", s.conns_now);
	jw_kuint(w, "connections_total", s.conns_total);
	jw_kuint(w, "requests", s.requests);
	jw_kuint(w, "handshakes", s.handshakes);
	jw_kuint(w, "resumed", s.resumed);
	jw_kuint(w, "tls_failures", s.tls_failures);
	jw_kuint(w, "http_errors", s.http_errors);
	jw_kuint(w, "timeouts", s.timeouts);
	jw_kuint(w, "evicted", s.evicted);
	jw_kuint(w, "refused", s.refused);
	jw_kuint(w, "sessions", auth_session_count());
	jw_obj_end(w);
}

static int rpc_host_stats(struct rpc_ctx *c)
{
	struct pmm_stats ps;
	struct jw *w = c->out;
	uint64_t now = time_ns();
	int rc, vms;

	if ((rc = rpc_param_only(c, rpc_host_no_params)))
		return rc;
	pmm_get_stats(&ps);
	vms = store_vm_count();

	jw_obj_begin(w);
	jw_kuint(w, "uptime_ms", now / NSEC_PER_MSEC);
	jw_key(w, "memory");
	jw_obj_begin(w);
	jw_kuint(w, "total_bytes", ps.total);
	jw_kuint(w, "managed_bytes", ps.managed);
	jw_kuint(w, "free_bytes", ps.free);
	jw_kuint(w, "free_2m_bytes", ps.free_large);
	jw_kuint(w, "heap_bytes", heap_size());
	jw_kuint(w, "heap_used_bytes", heap_used());
	jw_obj_end(w);
	jw_key(w, "vms");
	jw_obj_begin(w);
	jw_kuint(w, "running", vm_count_running());
	jw_key(w, "registered");
	if (vms < 0)
		jw_null(w);
	else
		jw_int(w, vms);
	jw_obj_end(w);
	jw_key(w, "cpu");
	jw_obj_begin(w);
	rpc_host_stats_cpus(w, now);
	jw_obj_end(w);
	rpc_host_stats_nics(w);
	rpc_host_stats_endpoint(w);
	jw_obj_end(w);
	return 0;
}

/* ---- Power ------------------------------------------------------------ */

enum { RPC_POWER_NONE, RPC_POWER_REBOOT, RPC_POWER_OFF };
static int rpc_host_power_pending = RPC_POWER_NONE;

static void rpc_host_power_thread(void *arg)
{
	int what = (int)(uintptr_t)arg;

	thread_sleep_ns(RPC_HOST_DELAY_NS);
	/* The store lock is taken by every write: once we hold it, the
	 * audit record of this call (written after it answered) is on
	 * the disk. */
	if (store_begin() == 0)
		store_rollback();
	log_info("host: %s as asked over the management endpoint",
		 what == RPC_POWER_OFF ? "powering off" : "restarting");
	if (what == RPC_POWER_OFF)
		power_off();
	power_reboot();
}

static int rpc_host_power(struct rpc_ctx *c, int what)
{
	static const char *const known[] = { "force", NULL };
	const char *verb = what == RPC_POWER_OFF ? "shut down" : "restart";
	bool force = false;
	unsigned int running = vm_count_running();
	int rc, none = RPC_POWER_NONE;

	if ((rc = rpc_param_only(c, known)))
		return rc;
	rc = rpc_param_bool(c, "force", false, &force);
	if (rc && rc != -ENOENT)
		return rc;
	if (force)
		strcpy(c->audit, "force");
	if (running && !force)
		return rpc_fail(c, RPC_ERR_BAD_STATE,
				"%u VM%s running: stop %s first, or pass "
				"{\"force\": true} to %s anyway (they are "
				"powered off hard)",
				running, running == 1 ? " is" : "s are",
				running == 1 ? "it" : "them", verb);
	if (!__atomic_compare_exchange_n(&rpc_host_power_pending, &none, what,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return rpc_fail(c, RPC_ERR_BAD_STATE, "the host is already %s",
				none == RPC_POWER_OFF ? "shutting down"
						      : "restarting");
	if (!thread_create(
		what == RPC_POWER_OFF ? "rpc-poweroff" : "rpc-reboot",
		rpc_host_power_thread, (void *)(uintptr_t)what, NULL)) {
		__atomic_store_n(&rpc_host_power_pending, RPC_POWER_NONE,
				 __ATOMIC_SEQ_CST);
		return rpc_fail_errno(c, -ENOMEM, verb);
	}
	log_info("host: %s requested by %s%s, in %llu ms", verb, c->caller->who,
		 force && running ? " (force: VMs running)" : "",
		 (unsigned long long)(RPC_HOST_DELAY_NS / NSEC_PER_MSEC));
	jw_obj_begin(c->out);
	jw_kuint(c->out, "in_ms", RPC_HOST_DELAY_NS / NSEC_PER_MSEC);
	jw_kuint(c->out, "vms_running", running);
	jw_obj_end(c->out);
	return 0;
}

static int rpc_host_reboot(struct rpc_ctx *c)
{
	return rpc_host_power(c, RPC_POWER_REBOOT);
}

static int rpc_host_shutdown(struct rpc_ctx *c)
{
	return rpc_host_power(c, RPC_POWER_OFF);
}

/* ---- Certificate -------------------------------------------------------- */

static int rpc_host_cert_regenerate(struct rpc_ctx *c)
{
	char tp[MGMT_THUMBPRINT_LEN];
	int rc;

	if ((rc = rpc_param_only(c, rpc_host_no_params)))
		return rc;
	rc = mgmt_cert_regenerate(c->caller->who);
	if (rc == -ENOENT)
		return rpc_fail(c, RPC_ERR_BAD_STATE,
				"the host has no host name yet: finish the "
				"first-boot setup at the console");
	if (rc)
		return rpc_fail_errno(c, rc, "host.cert.regenerate");
	if (!rpc_host_thumbprint(tp))
		return rpc_fail(c, RPC_ERR_IO,
				"the new certificate could not be read back "
				"from the store");
	fmt_snprintf(c->audit, sizeof(c->audit), "SHA-256 %s", tp);
	jw_obj_begin(c->out);
	jw_kstr(c->out, "thumbprint", tp);
	jw_obj_end(c->out);
	return 0;
}

RPC_METHOD(host_info, "host.info", rpc_host_info, 0);
RPC_METHOD(host_stats, "host.stats", rpc_host_stats, 0);
RPC_METHOD(host_reboot, "host.reboot", rpc_host_reboot, RPC_AUDIT);
RPC_METHOD(host_shutdown, "host.shutdown", rpc_host_shutdown, RPC_AUDIT);
RPC_METHOD(host_cert_regen, "host.cert.regenerate", rpc_host_cert_regenerate,
	   RPC_AUDIT);
