// SPDX-License-Identifier: MIT
// clang-format off
/*
 * The config store on the host, in an in-memory database: settings read
 * back as written, bad values are refused with nothing written, a
 * transaction is all or nothing, the audit log keeps the last 1000
 * events, a v1 database is migrated with its data intact, and one from a
 * newer image is refused with a reason.
 * UNIT_SRCS: store/store.c store/store_schema.c store/store_settings.c store/store_vm.c store/store_pw.c net/netcfg.c store/store_vfs.c store/sqlite_os.c drivers/crc32.c drivers/blk.c core/log.c core/fmt.c tests/unit/host_time.c tests/unit/host_entropy.c
 * UNIT_LIBS: sqlite3 mbedcrypto
 */
// clang-format on
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/store_pw.h"
#include "unit.h"

static void fresh(void)
{
	store_pw_iterations = 1000; /* speed: the format carries the count */
	UNIT_CHECK(store_open_memory() == 0);
}

UNIT_TEST(store_empty_defaults)
{
	struct net_config c;
	char buf[64];
	const char *why;
	uint8_t *k, *cert;
	size_t kl, cl;

	fresh();
	UNIT_CHECK(store_state(&why) == STORE_MEMORY);
	UNIT_CHECK(strstr(why, "memory") != NULL);
	UNIT_CHECK(store_schema_version() == STORE_SCHEMA_LATEST);
	UNIT_CHECK(!store_configured());
	UNIT_CHECK(!store_lockdown());
	UNIT_CHECK(store_mgmt_port() == 443);
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == -ENOENT);
	UNIT_CHECK(store_get_net(&c) == -ENOENT);
	UNIT_CHECK(c.ip4_mode == NETCFG_IP4_DHCP && c.ip6); /* defaults */
	UNIT_CHECK(store_check_root_password("x") == -ENOENT);
	UNIT_CHECK(store_get_tls(&k, &kl, &cert, &cl) == -ENOENT);
	UNIT_CHECK(store_vm_count() == 0);
}

UNIT_TEST(store_hostname_rfc1123)
{
	static const char *const good[] = { "esx01", "a", "host-1.lab.example",
					    "0day", "A-b-C" };
	static const char *const bad[] = {
		"",   "-lead",	     "trail-", "a..b", ".a",
		"a.", "under_score", "sp ace", "x-.y", "caf\xc3\xa9"
	};
	char buf[300];

	fresh();
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		UNIT_CHECK(store_set_hostname(good[i]) == 0);
		UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0);
		UNIT_CHECK_STR(buf, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (store_set_hostname(bad[i]) != -EINVAL)
			unit_fail(__FILE__, __LINE__, bad[i]);
	}
	/* 63-character labels pass, 64 do not; 253 in all. */
	memset(buf, 'a', 64);
	buf[64] = 0;
	UNIT_CHECK(store_set_hostname(buf) == -EINVAL);
	buf[63] = 0;
	UNIT_CHECK(store_set_hostname(buf) == 0);
	for (int i = 0; i < 254; i++)
		buf[i] = i % 2 ? '.' : 'a';
	buf[253] = 0;
	UNIT_CHECK(store_set_hostname(buf) == 0);
	buf[253] = 'a';
	buf[254] = 0;
	UNIT_CHECK(store_set_hostname(buf) == -EINVAL);
	/* Nothing was written by the refusals; a short buffer is -ENOSPC. */
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0 &&
		   strlen(buf) == 253);
	UNIT_CHECK(store_get_hostname(buf, 10) == -ENOSPC);
}

UNIT_TEST(store_net_round_trip)
{
	struct net_config c, r;

	fresh();
	memset(&c, 0, sizeof(c));
	c.ip4_mode = NETCFG_IP4_STATIC;
	memcpy(c.addr, (uint8_t[]){ 192, 168, 7, 20 }, 4);
	c.prefix = 24;
	c.has_gw = true;
	memcpy(c.gw, (uint8_t[]){ 192, 168, 7, 1 }, 4);
	c.ndns = 2;
	memcpy(c.dns[0], (uint8_t[]){ 9, 9, 9, 9 }, 4);
	memcpy(c.dns[1], (uint8_t[]){ 1, 1, 1, 1 }, 4);
	c.vlan = 4094;
	c.ip6 = false;
	UNIT_CHECK(store_set_net(&c) == 0);
	UNIT_CHECK(store_get_net(&r) == 0);
	UNIT_CHECK(!memcmp(&c, &r, sizeof(c)));

	/* Refused, and the stored value is untouched. */
	r.vlan = 4095;
	UNIT_CHECK(store_set_net(&r) == -EINVAL);
	r.vlan = 5, r.prefix = 0;
	UNIT_CHECK(store_set_net(&r) == -EINVAL);
	r.prefix = 33;
	UNIT_CHECK(store_set_net(&r) == -EINVAL);
	r.prefix = 24, r.ndns = 3;
	UNIT_CHECK(store_set_net(&r) == -EINVAL);
	UNIT_CHECK(store_get_net(&r) == 0 && !memcmp(&c, &r, sizeof(c)));

	/* Back to DHCP with one DNS server of our own. */
	memset(&c, 0, sizeof(c));
	c.ip4_mode = NETCFG_IP4_DHCP;
	c.ndns = 1;
	memcpy(c.dns[0], (uint8_t[]){ 10, 0, 2, 3 }, 4);
	c.ip6 = true;
	UNIT_CHECK(store_set_net(&c) == 0);
	UNIT_CHECK(store_get_net(&r) == 0 && !memcmp(&c, &r, sizeof(c)));
}

UNIT_TEST(store_root_password)
{
	fresh();
	UNIT_CHECK(store_set_root_password("") == -EINVAL);
	UNIT_CHECK(store_set_root_password("Sw0rdfish!") == 0);
	UNIT_CHECK(store_check_root_password("Sw0rdfish!") == 0);
	UNIT_CHECK(store_check_root_password("sw0rdfish!") == -EACCES);
	/* keel.cfg's `rootpw --iscrypted` with an `openssl passwd -6`. */
	UNIT_CHECK(store_set_root_password_hash("$6$nope") == -EINVAL);
	UNIT_CHECK(store_check_root_password("Sw0rdfish!") == 0);
	UNIT_CHECK(store_set_root_password_hash(
		       "$6$Keel.Salt/"
		       "1$9kH1HZNgXOqfTo.CUyUKow0Dvn.J7WlHrrPBvtRweObXi."
		       "PU6tvIiIhVdOQyAmc6s3kae2FWSOKL/v4Q7GzU10") == 0);
	UNIT_CHECK(store_check_root_password("correct horse battery staple") ==
		   0);
	UNIT_CHECK(store_check_root_password("Sw0rdfish!") == -EACCES);
}

UNIT_TEST(store_flags_and_port)
{
	fresh();
	UNIT_CHECK(store_set_configured(true) == 0 && store_configured());
	UNIT_CHECK(store_set_lockdown(true) == 0 && store_lockdown());
	UNIT_CHECK(store_set_mgmt_port(8443) == 0 && store_mgmt_port() == 8443);
	UNIT_CHECK(store_set_mgmt_port(0) == -EINVAL);
	UNIT_CHECK(store_mgmt_port() == 8443);
	UNIT_CHECK(store_set_lockdown(false) == 0 && !store_lockdown());
}

UNIT_TEST(store_tls_round_trip)
{
	uint8_t key[300], cert[700], *k, *c;
	size_t kl, cl;

	fresh();
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7); /* zero bytes included */
	UNIT_CHECK(store_set_tls(key, 0, cert, sizeof(cert)) == -EINVAL);
	UNIT_CHECK(store_set_tls(key, sizeof(key), cert, sizeof(cert)) == 0);
	UNIT_CHECK(store_get_tls(&k, &kl, &c, &cl) == 0);
	UNIT_CHECK(kl == sizeof(key) && !memcmp(k, key, kl));
	UNIT_CHECK(cl == sizeof(cert) && !memcmp(c, cert, cl));
	free(k);
	free(c);
}

static struct store_vm mkvm(const char *name)
{
	struct store_vm v;

	memset(&v, 0, sizeof(v));
	strcpy(v.name, name);
	v.vcpus = 2;
	v.mem_mb = 512;
	strcpy(v.kernel, "/vms/linux/bzImage");
	strcpy(v.cmdline, "console=ttyS0");
	return v;
}

UNIT_TEST(store_vm_inventory)
{
	struct store_vm a = mkvm("web-1"), b = mkvm("db.2"), r, list[4];

	fresh();
	UNIT_CHECK(store_vm_put(&a) == 0 && a.id > 0);
	UNIT_CHECK(store_vm_put(&b) == 0 && b.id > a.id);
	UNIT_CHECK(store_vm_get(a.id, &r) == 0 && !memcmp(&r, &a, sizeof(r)));
	/* Replace by id, keep the name unique. */
	a.mem_mb = 4096, a.autostart = true;
	UNIT_CHECK(store_vm_put(&a) == 0);
	UNIT_CHECK(store_vm_get(a.id, &r) == 0 && r.mem_mb == 4096 &&
		   r.autostart);
	r = mkvm("db.2");
	UNIT_CHECK(store_vm_put(&r) == -EEXIST);
	a.id = a.id, strcpy(a.name, "db.2");
	UNIT_CHECK(store_vm_put(&a) == -EEXIST);
	UNIT_CHECK(store_vm_count() == 2);
	/* Invalid fields. */
	r = mkvm("-bad");
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("sp ace");
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("ok"), r.vcpus = 0;
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("ok"), r.mem_mb = 0;
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("ok"), r.kernel[0] = 0;
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("ok"), memset(r.cmdline, 'x', sizeof(r.cmdline));
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	/* Disks (schema v3): kept in order; no gaps, no newlines. */
	strcpy(a.name, "web-1");
	strcpy(a.disks[0], "web/root.img");
	strcpy(a.disks[1], "web/data.img");
	UNIT_CHECK(store_vm_put(&a) == 0);
	UNIT_CHECK(store_vm_get(a.id, &r) == 0 && !memcmp(&r, &a, sizeof(r)));
	r = mkvm("ok"), strcpy(r.disks[1], "gap");
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	r = mkvm("ok"), strcpy(r.disks[0], "two\nlines");
	UNIT_CHECK(store_vm_put(&r) == -EINVAL);
	UNIT_CHECK(store_vm_count() == 2);
	/* List in id order, bounded by max. */
	UNIT_CHECK(store_vm_list(list, 4) == 2);
	UNIT_CHECK(!strcmp(list[0].name, "web-1") &&
		   !strcmp(list[1].name, "db.2"));
	UNIT_CHECK(store_vm_list(list, 1) == 1);
	UNIT_CHECK(store_vm_delete(list[0].id) == 0);
	UNIT_CHECK(store_vm_delete(list[0].id) == -ENOENT);
	UNIT_CHECK(store_vm_get(list[0].id, &r) == -ENOENT);
	UNIT_CHECK(store_vm_count() == 1);
}

UNIT_TEST(store_audit_keeps_last_1000)
{
	struct store_audit_rec r[4];
	char what[200];
	int n;

	fresh();
	for (int i = 1; i <= 1005; i++) {
		snprintf(what, sizeof(what), "event %d", i);
		UNIT_CHECK(store_audit("console", what) == 0);
	}
	/* Oldest first: event 6 is the first one kept. */
	UNIT_CHECK(store_audit_read(0, r, 2) == 2);
	UNIT_CHECK_STR(r[0].what, "event 6");
	UNIT_CHECK_STR(r[0].who, "console");
	UNIT_CHECK(r[1].id > r[0].id && r[1].time_ms >= r[0].time_ms);
	n = store_audit_read(r[0].id + 997, r, 4);
	UNIT_CHECK(n == 2);
	UNIT_CHECK_STR(r[1].what, "event 1005");
	/* Long texts are cut to the record, not refused. */
	memset(what, 'w', sizeof(what) - 1);
	what[sizeof(what) - 1] = 0;
	UNIT_CHECK(store_audit("root@10.0.2.2", what) == 0);
	UNIT_CHECK(store_audit_read(r[1].id, r, 4) == 1);
	UNIT_CHECK(strlen(r[0].what) == sizeof(r[0].what) - 1);
	UNIT_CHECK(store_audit("", "x") == -EINVAL);
}

UNIT_TEST(store_transaction_all_or_nothing)
{
	char buf[64];

	fresh();
	UNIT_CHECK(store_set_hostname("before") == 0);
	UNIT_CHECK(store_begin() == 0);
	UNIT_CHECK(store_begin() == -EBUSY);
	UNIT_CHECK(store_set_hostname("during") == 0);
	UNIT_CHECK(store_set_configured(true) == 0);
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0);
	UNIT_CHECK_STR(buf, "during"); /* the transaction sees itself */
	store_rollback();
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0);
	UNIT_CHECK_STR(buf, "before");
	UNIT_CHECK(!store_configured());

	UNIT_CHECK(store_begin() == 0);
	UNIT_CHECK(store_set_hostname("after") == 0);
	UNIT_CHECK(store_set_hostname("bad_name") == -EINVAL);
	UNIT_CHECK(store_set_configured(true) == 0);
	UNIT_CHECK(store_commit() == 0);
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0);
	UNIT_CHECK_STR(buf, "after");
	UNIT_CHECK(store_configured());
	UNIT_CHECK(store_commit() == -EINVAL); /* nothing open */
}

UNIT_TEST(store_recreate_back_to_first_boot)
{
	char buf[64];

	fresh();
	UNIT_CHECK(store_set_hostname("gone") == 0);
	UNIT_CHECK(store_set_configured(true) == 0);
	UNIT_CHECK(store_recreate() == 0);
	UNIT_CHECK(!store_configured());
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == -ENOENT);
}

UNIT_TEST(store_closed_store_is_enodev)
{
	char buf[8];
	const char *why;

	fresh();
	store_detach_db("test: closed");
	UNIT_CHECK(store_state(&why) == STORE_CORRUPT);
	UNIT_CHECK_STR(why, "test: closed");
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == -ENODEV);
	UNIT_CHECK(store_set_hostname("x") == -ENODEV);
	UNIT_CHECK(store_begin() == -ENODEV);
	UNIT_CHECK(!store_configured() && store_mgmt_port() == 443);
	UNIT_CHECK(store_recreate() == 0);
	UNIT_CHECK(store_state(NULL) == STORE_MEMORY);
}

static sqlite3 *raw_db(void)
{
	sqlite3 *db = NULL;

	UNIT_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	return db;
}

/* A database as the v1 image left it, then opened by this image. */
UNIT_TEST(store_migrates_v1_with_data)
{
	char why[160] = "", buf[64];
	struct net_config c;
	struct store_vm vm;
	sqlite3 *db = raw_db();

	store_detach_db("test");
	UNIT_CHECK(store_schema_migrate(db, 1, why, sizeof(why)) == 0);
	UNIT_CHECK(store_schema_get_version(db) == 1);
	UNIT_CHECK(
	    store_exec(
		db, "UPDATE host SET configured = 1, hostname = 'oldhost';"
		    "INSERT INTO net(id, mode, addr, prefix, gw, vlan, ip6)"
		    " VALUES (1, 'static', '10.1.2.3', 16, '10.1.0.1', 7, 0);"
		    "INSERT INTO vm(name, vcpus, mem_mb, kernel)"
		    " VALUES ('legacy', 1, 256, '/k');"
		    "INSERT INTO audit(time_ms, who, what)"
		    " VALUES (5, 'console', 'v1 event')") == 0);
	/* v1 has no lockdown column yet. */
	UNIT_CHECK(store_exec(db, "UPDATE host SET lockdown = 1") == -EIO);

	UNIT_CHECK(store_attach_db(db, why, sizeof(why)) == 0);
	UNIT_CHECK(store_schema_version() == STORE_SCHEMA_LATEST);
	UNIT_CHECK(store_configured());
	UNIT_CHECK(store_get_hostname(buf, sizeof(buf)) == 0);
	UNIT_CHECK_STR(buf, "oldhost");
	UNIT_CHECK(store_get_net(&c) == 0 && c.ip4_mode == NETCFG_IP4_STATIC &&
		   c.addr[3] == 3 && c.prefix == 16 && c.has_gw &&
		   c.vlan == 7 && !c.ip6 && c.ndns == 0);
	UNIT_CHECK(store_vm_count() == 1);
	UNIT_CHECK(store_vm_list(&vm, 1) == 1 && !strcmp(vm.name, "legacy"));
	UNIT_CHECK(!vm.disks[0][0]); /* v3: no disks */
	/* The v2 columns exist with their defaults and work. */
	UNIT_CHECK(!store_lockdown() && store_mgmt_port() == 443);
	UNIT_CHECK(store_set_lockdown(true) == 0 && store_lockdown());
	/* Attaching again is a no-op: already at v2. */
	store_db = NULL;
	UNIT_CHECK(store_attach_db(db, why, sizeof(why)) == 0);
	UNIT_CHECK(store_lockdown());
	store_detach_db("test");
}

UNIT_TEST(store_refuses_newer_schema)
{
	char why[160] = "";
	sqlite3 *db = raw_db();

	store_detach_db("test");
	UNIT_CHECK(store_exec(db, "PRAGMA user_version = 9") == 0);
	UNIT_CHECK(store_attach_db(db, why, sizeof(why)) == -EIO);
	UNIT_CHECK(strstr(why, "written by a newer Keel (schema v9") != NULL);
	UNIT_CHECK(store_db == NULL);
	sqlite3_close(db);
}

UNIT_TEST(store_refuses_foreign_database)
{
	char why[160] = "";
	sqlite3 *db = raw_db();

	/* Someone else's tables at version 0: the v1 step fails, reported. */
	store_detach_db("test");
	UNIT_CHECK(store_exec(db, "CREATE TABLE meta(x)") == 0);
	UNIT_CHECK(store_attach_db(db, why, sizeof(why)) == -EIO);
	UNIT_CHECK(strstr(why, "upgrade to v1 failed") != NULL);
	UNIT_CHECK(store_schema_get_version(db) == 0); /* rolled back */
	sqlite3_close(db);
}
