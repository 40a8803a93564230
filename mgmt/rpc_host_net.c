// SPDX-License-Identifier: MIT
/*
 * host.network.get / host.network.set (docs/api.md): the management
 * network and host name, as the console's "Configure Management Network"
 * keeps them (store_get_net/store_set_net, store_set_hostname).
 *
 * set merges the members given into the stored settings, so changing
 * only the DNS servers or only the host name is one member. The result
 * is checked by net/netcfg.c's keel.ip parser, the same rules the boot
 * command line and the console follow, then stored and audited, and the
 * answer goes out; the new settings are applied RPC_HOST_DELAY_NS later
 * from a thread, because applying them drops the connection the answer
 * would travel on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/thread.h"
#include "drivers/nic.h"
#include "mgmt/rpc.h"
#include "mgmt/rpc_host.h"
#include "net/net.h"
#include "store/store.h"

#define RPC_NET_HOST_MAX 253 /* RFC 1123, the store's limit */

static void rpc_net_ip(struct jw *w, const char *key, bool has,
		       const uint8_t a[4])
{
	jw_key(w, key);
	if (has)
		jw_strf(w, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else
		jw_null(w);
}

/* The settings as host.network.get shows them (and set takes them). */
static void rpc_net_write(struct jw *w, const struct net_config *nc,
			  const char *host)
{
	bool stat = nc->ip4_mode == NETCFG_IP4_STATIC;

	jw_key(w, "hostname");
	if (host[0])
		jw_str(w, host);
	else
		jw_null(w);
	jw_kstr(w, "mode", stat ? "static" : "dhcp");
	rpc_net_ip(w, "address", stat, nc->addr);
	jw_key(w, "prefix");
	if (stat)
		jw_uint(w, nc->prefix);
	else
		jw_null(w);
	rpc_net_ip(w, "gateway", stat && nc->has_gw, nc->gw);
	jw_key(w, "dns");
	jw_arr_begin(w);
	for (unsigned int i = 0; i < nc->ndns && i < NETCFG_MAX_DNS; i++)
		jw_strf(w, "%u.%u.%u.%u", nc->dns[i][0], nc->dns[i][1],
			nc->dns[i][2], nc->dns[i][3]);
	jw_arr_end(w);
	jw_kuint(w, "vlan", nc->vlan);
	jw_kbool(w, "ip6", nc->ip6);
}

/* The stored settings, else those in use (keel.ip= on a host that has
 * not been set up). True when they came from the store. */
static bool rpc_net_current(struct net_config *nc, char *host, size_t len)
{
	bool stored = store_get_net(nc) == 0;

	/* Without a NIC nothing was ever applied: the defaults hold. */
	if (!stored && net_nic())
		net_get_config(nc);
	else if (!stored)
		netcfg_default(nc);
	if (store_get_hostname(host, len) < 0)
		host[0] = '\0';
	return stored;
}

static int rpc_host_network_get(struct rpc_ctx *c)
{
	static const char *const none[] = { NULL };
	char host[RPC_NET_HOST_MAX + 1];
	struct net_config nc;
	struct net_addrs na;
	struct nic *nic = net_nic();
	struct jw *w = c->out;
	bool stored;
	int rc;

	if ((rc = rpc_param_only(c, none)))
		return rc;
	stored = rpc_net_current(&nc, host, sizeof(host));
	net_addrs(&na);

	jw_obj_begin(w);
	rpc_net_write(w, &nc, host);
	jw_kstr(w, "source", stored ? "store" : "boot");
	jw_key(w, "current");
	jw_obj_begin(w);
	jw_key(w, "nic");
	if (nic)
		jw_str(w, nic->name);
	else
		jw_null(w);
	jw_key(w, "mac");
	if (nic) {
		char mac[18];
		nic_mac_fmt(nic->mac, mac);
		jw_str(w, mac);
	} else {
		jw_null(w);
	}
	jw_kbool(w, "link_up", nic && nic->link_up);
	jw_kbool(w, "up", na.up);
	rpc_net_ip(w, "ip4", na.has_ip4, na.ip4);
	jw_key(w, "ip6");
	jw_arr_begin(w);
	for (unsigned int i = 0; i < na.n6 && i < NET_ADDRS_MAX6; i++)
		jw_str(w, na.ip6[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	return 0;
}

/* ---- host.network.set ------------------------------------------------ */

/* A dotted quad at params.@key; 0, -ENOENT when absent, or the error. */
static int rpc_net_ip_param(struct rpc_ctx *c, const char *key, uint8_t out[4])
{
	const char *s;
	int rc = rpc_param_str(c, key, false, 45, &s);

	if (rc)
		return rc;
	if (netcfg_parse_ip4(s, strlen(s), out))
		return rpc_fail(
		    c, RPC_INVALID_PARAMS,
		    "params.%s: '%.45s' is not an IPv4 address (like "
		    "10.0.2.15)",
		    key, s);
	return 0;
}

static int rpc_net_dns_param(struct rpc_ctx *c, struct net_config *nc)
{
	const struct json *v = json_get(c->params, "dns");
	unsigned int n = 0;

	if (!v)
		return 0;
	if (v->type != JSON_ARRAY || v->len > NETCFG_MAX_DNS)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.dns: expected an array of at most %d "
				"IPv4 addresses",
				NETCFG_MAX_DNS);
	for (const struct json *e = v->child; e; e = e->next, n++)
		if (e->type != JSON_STRING ||
		    netcfg_parse_ip4(e->s, e->len, nc->dns[n]))
			return rpc_fail(c, RPC_INVALID_PARAMS,
					"params.dns[%u]: expected an IPv4 "
					"address (like 10.0.2.3)",
					n);
	nc->ndns = n;
	return 0;
}

/* Needs mode static; @key names the member for the message. */
static int rpc_net_need_static(struct rpc_ctx *c, const struct net_config *nc,
			       const char *key)
{
	if (nc->ip4_mode == NETCFG_IP4_STATIC)
		return 0;
	return rpc_fail(c, RPC_INVALID_PARAMS,
			"params.%s: only with \"mode\": \"static\" (DHCP "
			"supplies it)",
			key);
}

/* Merge params into @nc (the current settings) and @host. */
static int rpc_net_merge(struct rpc_ctx *c, struct net_config *nc,
			 const char **host)
{
	const struct json *gw = json_get(c->params, "gateway");
	const char *mode;
	int64_t v;
	bool b;
	int rc;

	rc = rpc_param_str(c, "mode", false, 8, &mode);
	if (rc == 0) {
		if (!strcmp(mode, "dhcp")) {
			nc->ip4_mode = NETCFG_IP4_DHCP;
			memset(nc->addr, 0, 4);
			nc->prefix = 0;
			nc->has_gw = false;
		} else if (!strcmp(mode, "static")) {
			nc->ip4_mode = NETCFG_IP4_STATIC;
		} else {
			return rpc_fail(c, RPC_INVALID_PARAMS,
					"params.mode: expected \"dhcp\" or "
					"\"static\"");
		}
	} else if (rc != -ENOENT) {
		return rc;
	}
	if (json_get(c->params, "address") &&
	    (rc = rpc_net_need_static(c, nc, "address")))
		return rc;
	rc = rpc_net_ip_param(c, "address", nc->addr);
	if (rc && rc != -ENOENT)
		return rc;
	rc = rpc_param_int(c, "prefix", false, 1, 32, &v);
	if (rc == 0) {
		if ((rc = rpc_net_need_static(c, nc, "prefix")))
			return rc;
		nc->prefix = (uint8_t)v;
	} else if (rc != -ENOENT) {
		return rc;
	}
	if (gw && gw->type == JSON_NULL) {
		nc->has_gw = false;
	} else if (gw) {
		if ((rc = rpc_net_need_static(c, nc, "gateway")) ||
		    (rc = rpc_net_ip_param(c, "gateway", nc->gw)))
			return rc;
		nc->has_gw = true;
	}
	if ((rc = rpc_net_dns_param(c, nc)))
		return rc;
	rc = rpc_param_int(c, "vlan", false, 0, NETCFG_VLAN_MAX, &v);
	if (rc == 0)
		nc->vlan = (uint16_t)v;
	else if (rc != -ENOENT)
		return rc;
	rc = rpc_param_bool(c, "ip6", false, &b);
	if (rc == 0)
		nc->ip6 = b;
	else if (rc != -ENOENT)
		return rc;
	rc = rpc_param_str(c, "hostname", false, RPC_NET_HOST_MAX, host);
	if (rc && rc != -ENOENT)
		return rc;
	if (nc->ip4_mode == NETCFG_IP4_STATIC &&
	    (!nc->prefix || !memcmp(nc->addr, "\0\0\0\0", 4)))
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.address and params.prefix: both needed "
				"for \"mode\": \"static\"");
	return 0;
}

/*
 * The whole set checked by net/netcfg.c's rules (a host address on its
 * subnet, not the network or broadcast address, the gateway on the
 * subnet and not ourselves, usable DNS servers), through the keel.ip
 * text form, built only from parsed numbers.
 */
static int rpc_net_check(struct rpc_ctx *c, struct net_config *nc)
{
	char text[128], err[120];
	size_t n = 0;
	struct net_config out;

	if (nc->ip4_mode == NETCFG_IP4_STATIC)
		n = fmt_snprintf(text, sizeof(text), "%u.%u.%u.%u/%u",
				 nc->addr[0], nc->addr[1], nc->addr[2],
				 nc->addr[3], nc->prefix);
	else
		n = fmt_snprintf(text, sizeof(text), "dhcp");
	if (nc->ip4_mode == NETCFG_IP4_STATIC && nc->has_gw)
		n += fmt_snprintf(text + n, sizeof(text) - n, ",gw=%u.%u.%u.%u",
				  nc->gw[0], nc->gw[1], nc->gw[2], nc->gw[3]);
	for (unsigned int i = 0; i < nc->ndns; i++)
		n += fmt_snprintf(text + n, sizeof(text) - n,
				  ",dns=%u.%u.%u.%u", nc->dns[i][0],
				  nc->dns[i][1], nc->dns[i][2], nc->dns[i][3]);
	if (nc->vlan)
		n += fmt_snprintf(text + n, sizeof(text) - n, ",vlan=%u",
				  nc->vlan);
	out.ip6 = nc->ip6;
	if (netcfg_parse_ip(text, &out, err, sizeof(err)))
		return rpc_fail(c, RPC_INVALID_PARAMS, "params: %s", err);
	*nc = out;
	return 0;
}

/* Bumped by every stored change: an apply thread that finds a newer
 * change pending leaves the job to that change's thread. */
static unsigned int rpc_net_gen;

struct rpc_net_job {
	unsigned int gen;
	struct net_config nc;
};

static void rpc_net_apply_thread(void *arg)
{
	struct rpc_net_job *job = arg;
	char desc[160];
	int rc;

	thread_sleep_ns(RPC_HOST_DELAY_NS);
	if (job->gen == __atomic_load_n(&rpc_net_gen, __ATOMIC_SEQ_CST)) {
		netcfg_format(&job->nc, desc, sizeof(desc));
		log_info("rpc: applying the management network: %s", desc);
		rc = net_apply(&job->nc);
		if (rc < 0 && rc != -ENODEV)
			log_warn("rpc: applying the management network "
				 "failed: %d",
				 rc);
	}
	free(job);
}

static void rpc_net_schedule(const struct net_config *nc)
{
	struct rpc_net_job *job = malloc(sizeof(*job));

	if (job) {
		job->nc = *nc;
		job->gen =
		    __atomic_add_fetch(&rpc_net_gen, 1, __ATOMIC_SEQ_CST);
		if (thread_create("rpc-netapply", rpc_net_apply_thread, job,
				  NULL))
			return;
		free(job);
	}
	/* Stored but not applied is worse than a lost answer. */
	log_warn("rpc: no thread for the network change: applying it now");
	net_apply(nc);
}

static bool rpc_net_same(const struct net_config *a, const struct net_config *b)
{
	char x[160], y[160];

	netcfg_format(a, x, sizeof(x));
	netcfg_format(b, y, sizeof(y));
	return !strcmp(x, y) && a->ip6 == b->ip6;
}

static int rpc_net_store(struct rpc_ctx *c, const struct net_config *nc,
			 const char *host)
{
	const char *why;
	int rc = store_begin();

	if (rc == 0) {
		if ((rc = store_set_net(nc)) == 0 && host)
			rc = store_set_hostname(host);
		if (rc == 0)
			rc = store_commit();
		else
			store_rollback();
	}
	if (rc == 0)
		return 0;
	if (rc == -EINVAL && host)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params.hostname: '%.60s' is not a host name "
				"(labels of letters, digits and '-', 1-63 "
				"long, joined by '.'; 253 at most)",
				host);
	if (rc == -ENODEV) {
		store_state(&why);
		return rpc_fail(c, RPC_ERR_IO,
				"the config store is not usable: %.120s", why);
	}
	return rpc_fail_errno(c, rc, "storing the settings");
}

static int rpc_host_network_set(struct rpc_ctx *c)
{
	static const char *const known[] = { "hostname", "mode",    "address",
					     "prefix",	 "gateway", "dns",
					     "vlan",	 "ip6",	    NULL };
	char cur_host[RPC_NET_HOST_MAX + 1], desc[128];
	struct net_config cur, nc;
	const char *host = NULL;
	bool net_changed;
	int rc;

	if ((rc = rpc_param_only(c, known)))
		return rc;
	if (!c->params || !c->params->len)
		return rpc_fail(c, RPC_INVALID_PARAMS,
				"params: nothing to change: give one or more "
				"of hostname, mode, address, prefix, gateway, "
				"dns, vlan, ip6");
	rpc_net_current(&cur, cur_host, sizeof(cur_host));
	nc = cur;
	if ((rc = rpc_net_merge(c, &nc, &host)) || (rc = rpc_net_check(c, &nc)))
		return rc;
	if (host && !strcmp(host, cur_host))
		host = NULL;
	net_changed = !rpc_net_same(&cur, &nc);
	netcfg_format(&nc, desc, sizeof(desc));
	fmt_snprintf(c->audit, sizeof(c->audit), "%.90s%s%.30s", desc,
		     host ? ", hostname " : "", host ? host : "");
	if ((rc = rpc_net_store(c, &nc, host)))
		return rc;
	if (net_changed)
		rpc_net_schedule(&nc);

	jw_obj_begin(c->out);
	rpc_net_write(c->out, &nc, host ? host : cur_host);
	jw_kbool(c->out, "changed", net_changed || host);
	jw_key(c->out, "apply_in_ms");
	if (net_changed)
		jw_uint(c->out, RPC_HOST_DELAY_NS / NSEC_PER_MSEC);
	else
		jw_null(c->out);
	jw_obj_end(c->out);
	return 0;
}

RPC_METHOD(host_network_get, "host.network.get", rpc_host_network_get, 0);
RPC_METHOD(host_network_set, "host.network.set", rpc_host_network_set,
	   RPC_AUDIT);
