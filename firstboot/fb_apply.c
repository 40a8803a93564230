// SPDX-License-Identifier: MIT
/*
 * fb_apply_setup(): what the wizard and keel.cfg both end with. The TLS
 * identity is generated first (the slow part, and the one that needs
 * entropy), then everything is stored in one transaction, so a power
 * loss leaves either a configured host or an unconfigured one, never a
 * host with a password but no certificate. The network is applied last,
 * after the commit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/time.h"
#include "firstboot/firstboot.h"
#include "mgmt/cert.h"
#include "net/net.h"
#include "store/store.h"

static int fb_apply_store(const struct fb_setup *s, const char *who,
			  const uint8_t *key, size_t klen, const uint8_t *cert,
			  size_t clen)
{
	char net[160], what[160];
	int rc;

	rc = store_begin();
	if (rc < 0)
		return rc;
	if (s->password[0])
		rc = store_set_root_password(s->password);
	else
		rc = store_set_root_password_hash(s->password_hash);
	if (rc == 0)
		rc = store_set_hostname(s->hostname);
	if (rc == 0)
		rc = store_set_net(&s->net);
	if (rc == 0)
		rc = store_set_tls(key, klen, cert, clen);
	if (rc == 0)
		rc = store_set_configured(true);
	if (rc == 0) {
		netcfg_format(&s->net, net, sizeof(net));
		snprintf(what, sizeof(what),
			 "first-boot setup: hostname %.60s, network %.80s",
			 s->hostname, net);
		rc = store_audit(who, what);
	}
	if (rc < 0) {
		store_rollback();
		return rc;
	}
	return store_commit();
}

int fb_apply_setup(const struct fb_setup *s, const char *who)
{
	uint8_t *key = NULL, *cert = NULL;
	size_t klen = 0, clen = 0;
	uint64_t t0 = time_ns();
	int rc;

	if (!s->password[0] == !s->password_hash[0])
		return -EINVAL;
	rc = mgmt_cert_generate(s->hostname,
				s->net.ip4_mode == NETCFG_IP4_STATIC ? s->net.addr
								     : NULL,
				&key, &klen, &cert, &clen);
	if (rc < 0) {
		log_err("firstboot: TLS key generation failed: %d", rc);
		return rc;
	}
	log_info("firstboot: TLS key and certificate generated in %llu ms",
		 (unsigned long long)((time_ns() - t0) / 1000000));
	rc = fb_apply_store(s, who, key, klen, cert, clen);
	memset(key, 0, klen);
	free(key);
	free(cert);
	if (rc < 0) {
		log_err("firstboot: storing the setup failed: %d", rc);
		return rc;
	}
	mgmt_cert_changed();
	log_info("firstboot: host configured by %s", who);
	rc = net_apply(&s->net);
	if (rc < 0 && rc != -ENODEV)
		log_warn("firstboot: applying the network failed: %d", rc);
	return 0;
}

/*
 * Every boot of a configured host: the stored management network
 * replaces keel.ip= (which only serves hosts without a store,
 * ARCHITECTURE.md section 8). Runs whether or not the setup console
 * does (keel.dcui=off).
 */
void fb_apply_stored(void)
{
	struct net_config c;
	char desc[160];
	int rc;

	if (!store_configured())
		return;
	rc = store_get_net(&c);
	if (rc < 0) {
		log_err("firstboot: stored network unreadable (%d); keeping "
			"the boot settings",
			rc);
		return;
	}
	netcfg_format(&c, desc, sizeof(desc));
	log_info("firstboot: stored management network: %s", desc);
	rc = net_apply(&c);
	if (rc < 0 && rc != -ENODEV)
		log_warn("firstboot: applying the stored network failed: %d",
			 rc);
}
