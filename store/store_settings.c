// SPDX-License-Identifier: MIT
/*
 * Typed accessors for the host's settings (docs/store.md "API"): first-
 * boot flag, host name, management network, root password, TLS identity,
 * lockdown and the endpoint's port. Each validates its input before it
 * takes the store lock, so a bad value returns -EINVAL with nothing
 * written; each write is one transaction (store_wr_begin/end) unless the
 * caller bracketed several with store_begin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/store_pw.h"

/* A DER blob larger than this is not a key or certificate of ours. */
#define STORE_TLS_MAX (64 * 1024)

/* ---- Validators ---------------------------------------------------------- */

static bool store_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 1123 section 2.1 (RFC 952 relaxed): dot-separated labels of 1-63
 * letters, digits and hyphens, not starting or ending with a hyphen;
 * at most 253 characters in all. */
int store_valid_hostname(const char *name)
{
	size_t n, label = 0;

	if (!name)
		return -EINVAL;
	n = strnlen(name, 254);
	if (n == 0 || n > 253)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return -EINVAL;
			label = 0;
			continue;
		}
		if (!store_is_alnum(c) && c != '-')
			return -EINVAL;
		if (c == '-' && label == 0)
			return -EINVAL;
		if (++label > 63)
			return -EINVAL;
	}
	if (label == 0 || name[n - 1] == '-')
		return -EINVAL;
	return 0;
}

static bool store_ip4_zero(const uint8_t a[4])
{
	return !(a[0] | a[1] | a[2] | a[3]);
}

int store_valid_net(const struct net_config *c)
{
	if (!c)
		return -EINVAL;
	if (c->ip4_mode != NETCFG_IP4_DHCP && c->ip4_mode != NETCFG_IP4_STATIC)
		return -EINVAL;
	if (c->vlan > NETCFG_VLAN_MAX || c->ndns > NETCFG_MAX_DNS)
		return -EINVAL;
	if (c->ip4_mode == NETCFG_IP4_STATIC &&
	    (c->prefix < 1 || c->prefix > 32 || store_ip4_zero(c->addr)))
		return -EINVAL;
	return 0;
}

/* ---- Small typed cells of the host row
 * --------------------------------------- */

static int store_set_host_int(const char *sql, int64_t v)
{
	sqlite3_stmt *st;
	int rc = store_wr_begin();

	if (rc)
		return rc;
	st = store_prep(sql);
	if (st)
		sqlite3_bind_int64(st, 1, v);
	return store_wr_end(store_step_done(st));
}

/* The integer @sql selects, or @dflt when there is no store or no row. */
static int64_t store_get_host_int(const char *sql, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (store_rd_begin())
		return dflt;
	st = store_prep(sql);
	if (st && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	store_rd_end();
	return v;
}

bool store_configured(void)
{
	return store_get_host_int("SELECT configured FROM host WHERE id = 1",
				  0) != 0;
}

int store_set_configured(bool done)
{
	return store_set_host_int(
	    "UPDATE host SET configured = ?1 WHERE id = 1", done);
}

bool store_lockdown(void)
{
	return store_get_host_int("SELECT lockdown FROM host WHERE id = 1",
				  0) != 0;
}

int store_set_lockdown(bool on)
{
	return store_set_host_int("UPDATE host SET lockdown = ?1 WHERE id = 1",
				  on);
}

uint16_t store_mgmt_port(void)
{
	int64_t p =
	    store_get_host_int("SELECT mgmt_port FROM host WHERE id = 1", 443);

	return p >= 1 && p <= 65535 ? (uint16_t)p : 443;
}

int store_set_mgmt_port(uint16_t port)
{
	if (port == 0)
		return -EINVAL;
	return store_set_host_int("UPDATE host SET mgmt_port = ?1 WHERE id = 1",
				  port);
}

/* ---- Text cells ------------------------------------------------------------
 */

static int store_set_host_text(const char *sql, const char *v)
{
	sqlite3_stmt *st;
	int rc = store_wr_begin();

	if (rc)
		return rc;
	st = store_prep(sql);
	if (st)
		sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
	return store_wr_end(store_step_done(st));
}

static int store_get_host_text(const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc = store_rd_begin();

	if (rc)
		return rc;
	st = store_prep(sql);
	rc = -EIO;
	if (st) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_ROW	 ? store_col_text(st, 0, buf, len)
		     : rc == SQLITE_DONE ? -ENOENT
					 : -EIO;
	}
	sqlite3_finalize(st);
	store_rd_end();
	return rc;
}

int store_get_hostname(char *buf, size_t len)
{
	char name[254];
	int rc = store_get_host_text("SELECT hostname FROM host WHERE id = 1",
				     name, sizeof(name));

	if (rc)
		return rc;
	if (strlen(name) >= len)
		return -ENOSPC;
	memcpy(buf, name, strlen(name) + 1);
	return 0;
}

int store_set_hostname(const char *name)
{
	if (store_valid_hostname(name))
		return -EINVAL;
	return store_set_host_text("UPDATE host SET hostname = ?1 WHERE id = 1",
				   name);
}

/* ---- Root password ------------------------------------------------------- */

int store_set_root_password_hash(const char *hash)
{
	if (!hash || store_pw_valid_hash(hash))
		return -EINVAL;
	return store_set_host_text("UPDATE host SET root_pw = ?1 WHERE id = 1",
				   hash);
}

/* Hashing takes a second or two: it runs before the lock is taken so
 * other threads are not held up. */
int store_set_root_password(const char *plain)
{
	char hash[STORE_PW_HASH_MAX];
	int rc;

	if (!plain || !*plain)
		return -EINVAL;
	rc = store_pw_hash(plain, hash);
	if (rc)
		return rc;
	rc = store_set_root_password_hash(hash);
	memset(hash, 0, sizeof(hash));
	return rc;
}

int store_check_root_password(const char *plain)
{
	char hash[STORE_PW_HASH_MAX];
	int rc;

	if (!plain)
		return -EACCES;
	rc = store_get_host_text("SELECT root_pw FROM host WHERE id = 1", hash,
				 sizeof(hash));
	if (rc)
		return rc;
	rc = store_pw_verify(plain, hash);
	memset(hash, 0, sizeof(hash));
	return rc == -EINVAL ? -EIO : rc; /* a stored hash we cannot read */
}

/* ---- Management network ----------------------------------------------------
 */

static void store_bind_ip4(sqlite3_stmt *st, int col, bool set,
			   const uint8_t a[4])
{
	char s[16];

	if (!set) {
		sqlite3_bind_null(st, col);
		return;
	}
	snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

/* Column @col into @out: 1 when set, 0 when NULL, -EIO when damaged. */
static int store_col_ip4(sqlite3_stmt *st, int col, uint8_t out[4])
{
	char s[16];
	int rc = store_col_text(st, col, s, sizeof(s));

	if (rc == -ENOENT)
		return 0;
	if (rc || netcfg_parse_ip4(s, strlen(s), out))
		return -EIO;
	return 1;
}

int store_set_net(const struct net_config *c)
{
	sqlite3_stmt *st;
	bool stat;
	int rc;

	if (store_valid_net(c))
		return -EINVAL;
	rc = store_wr_begin();
	if (rc)
		return rc;
	stat = c->ip4_mode == NETCFG_IP4_STATIC;
	st = store_prep("INSERT OR REPLACE INTO net(id, mode, addr, prefix, gw,"
			" dns1, dns2, vlan, ip6)"
			" VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (st) {
		sqlite3_bind_text(st, 1, stat ? "static" : "dhcp", -1,
				  SQLITE_STATIC);
		store_bind_ip4(st, 2, stat, c->addr);
		if (stat)
			sqlite3_bind_int(st, 3, c->prefix);
		store_bind_ip4(st, 4, c->has_gw, c->gw);
		store_bind_ip4(st, 5, c->ndns > 0, c->dns[0]);
		store_bind_ip4(st, 6, c->ndns > 1, c->dns[1]);
		sqlite3_bind_int(st, 7, c->vlan);
		sqlite3_bind_int(st, 8, c->ip6);
	}
	return store_wr_end(store_step_done(st));
}

static int store_row_net(sqlite3_stmt *st, struct net_config *c)
{
	char mode[8];
	int64_t prefix = sqlite3_column_int64(st, 2);
	int64_t vlan = sqlite3_column_int64(st, 6);
	int r;

	if (store_col_text(st, 0, mode, sizeof(mode)))
		return -EIO;
	if (!strcmp(mode, "static")) {
		c->ip4_mode = NETCFG_IP4_STATIC;
		if (store_col_ip4(st, 1, c->addr) != 1 || prefix < 1 ||
		    prefix > 32)
			return -EIO;
		c->prefix = (uint8_t)prefix;
	} else if (strcmp(mode, "dhcp")) {
		return -EIO;
	}
	r = store_col_ip4(st, 3, c->gw);
	if (r < 0)
		return -EIO;
	c->has_gw = r;
	for (int i = 0; i < NETCFG_MAX_DNS; i++) {
		r = store_col_ip4(st, 4 + i, c->dns[c->ndns]);
		if (r < 0)
			return -EIO;
		c->ndns += (unsigned int)r;
	}
	if (vlan < 0 || vlan > NETCFG_VLAN_MAX)
		return -EIO;
	c->vlan = (uint16_t)vlan;
	c->ip6 = sqlite3_column_int(st, 7) != 0;
	return 0;
}

int store_get_net(struct net_config *c)
{
	struct net_config tmp;
	sqlite3_stmt *st;
	int rc;

	netcfg_default(c);
	rc = store_rd_begin();
	if (rc)
		return rc;
	st = store_prep("SELECT mode, addr, prefix, gw, dns1, dns2, vlan, ip6"
			" FROM net WHERE id = 1");
	rc = -EIO;
	if (st) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			memset(&tmp, 0, sizeof(tmp));
			tmp.ip4_mode = NETCFG_IP4_DHCP;
			rc = store_row_net(st, &tmp);
			if (!rc)
				*c = tmp;
		} else {
			rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
		}
	}
	sqlite3_finalize(st);
	store_rd_end();
	return rc;
}

/* ---- TLS identity
 * ------------------------------------------------------------ */

int store_set_tls(const uint8_t *key_der, size_t key_len,
		  const uint8_t *cert_der, size_t cert_len)
{
	sqlite3_stmt *st;
	int rc;

	if (!key_der || !cert_der || !key_len || !cert_len ||
	    key_len > STORE_TLS_MAX || cert_len > STORE_TLS_MAX)
		return -EINVAL;
	rc = store_wr_begin();
	if (rc)
		return rc;
	st = store_prep("INSERT OR REPLACE INTO tls(id, key, cert)"
			" VALUES (1, ?1, ?2)");
	if (st) {
		sqlite3_bind_blob(st, 1, key_der, (int)key_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, cert_der, (int)cert_len,
				  SQLITE_STATIC);
	}
	return store_wr_end(store_step_done(st));
}

/* A malloc'd copy of blob column @col, bounded by STORE_TLS_MAX. */
static int store_col_blob(sqlite3_stmt *st, int col, uint8_t **out, size_t *len)
{
	const void *p = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);

	if (!p || n <= 0 || n > STORE_TLS_MAX)
		return -EIO;
	*out = malloc((size_t)n);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	return 0;
}

int store_get_tls(uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		  size_t *cert_len)
{
	sqlite3_stmt *st;
	int rc;

	*key_der = *cert_der = NULL;
	*key_len = *cert_len = 0;
	rc = store_rd_begin();
	if (rc)
		return rc;
	st = store_prep("SELECT key, cert FROM tls WHERE id = 1");
	rc = -EIO;
	if (st) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			rc = store_col_blob(st, 0, key_der, key_len);
			if (!rc)
				rc = store_col_blob(st, 1, cert_der, cert_len);
		} else {
			rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
		}
	}
	sqlite3_finalize(st);
	store_rd_end();
	if (rc) {
		if (*key_der)
			memset(*key_der, 0, *key_len);
		free(*key_der);
		*key_der = NULL;
		*key_len = 0;
	}
	return rc;
}
