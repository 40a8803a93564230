// SPDX-License-Identifier: MIT
/*
 * mgmt_cert_regenerate (mgmt/cert.h): a new TLS identity for the
 * host as it is now (stored host name, current management address),
 * stored and audited. Kept apart from mgmt/cert.c so that file stays pure
 * and host-testable; this one needs the store and lwIP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "core/entropy.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/time.h"
#include "mgmt/cert.h"
#include "net/net.h"
#include "store/store.h"

/*
 * The address a client reaches the host at now: what vmk0 has (a DHCP
 * lease included), else the configured static address when vmk0 is not
 * up yet. False when there is neither: the SAN then names the host only.
 */
static bool mgmt_cert_current_ip4(uint8_t out[4])
{
	struct net_addrs na;
	struct net_config c;

	net_addrs(&na);
	if (na.has_ip4) {
		memcpy(out, na.ip4, 4);
		return true;
	}
	net_get_config(&c);
	if (c.ip4_mode == NETCFG_IP4_STATIC) {
		memcpy(out, c.addr, 4);
		return true;
	}
	return false;
}

static volatile unsigned int mgmt_cert_gen;

unsigned int mgmt_cert_generation(void)
{
	return mgmt_cert_gen;
}

void mgmt_cert_changed(void)
{
	__atomic_add_fetch(&mgmt_cert_gen, 1, __ATOMIC_SEQ_CST);
}

int mgmt_cert_regenerate(const char *who)
{
	char host[MGMT_CERT_HOST_MAX], tp[MGMT_THUMBPRINT_LEN], what[160];
	uint8_t ip[4], *key = NULL, *crt = NULL;
	size_t klen = 0, clen = 0;
	bool have_ip;
	uint64_t t0;
	int rc;

	rc = store_get_hostname(host, sizeof(host));
	if (rc) {
		log_err("tls: cannot regenerate the certificate: no host name "
			"in the store (%d)",
			rc);
		return rc;
	}
	have_ip = mgmt_cert_current_ip4(ip);
	t0 = time_ns();
	rc = mgmt_cert_generate(host, have_ip ? ip : NULL, &key, &klen, &crt,
			      &clen);
	if (rc) {
		log_err("tls: key/certificate generation failed (%d)", rc);
		return rc;
	}
	rc = store_set_tls(key, klen, crt, clen);
	mbedtls_platform_zeroize(key, klen);
	free(key);
	mgmt_cert_thumbprint(crt, clen, tp);
	free(crt);
	if (rc) {
		log_err("tls: cannot store the new certificate (%d); the old "
			"one stays",
			rc);
		return rc;
	}
	if (have_ip)
		log_info("tls: new certificate for %s, %u.%u.%u.%u in %llu ms "
			 "(entropy %s)",
			 host, ip[0], ip[1], ip[2], ip[3],
			 (unsigned long long)((time_ns() - t0) / 1000000),
			 entropy_sources());
	else
		log_info("tls: new certificate for %s in %llu ms (entropy %s)",
			 host, (unsigned long long)((time_ns() - t0) / 1000000),
			 entropy_sources());
	log_info("tls: SHA-256 thumbprint %s", tp);
	mgmt_cert_changed();
	fmt_snprintf(what, sizeof(what),
		     "TLS certificate regenerated (SHA-256 %.23s...)", tp);
	store_audit(who, what);
	return 0;
}
