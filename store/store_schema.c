// SPDX-License-Identifier: MIT
/*
 * The store's schema and its forward migrations (docs/store.md "Schema").
 * The version lives in PRAGMA user_version (one integer in the database
 * header, written in the same transaction as the step) and is mirrored in
 * meta('schema') for a person reading the file with the sqlite3 shell.
 * Each step takes version N to N + 1 in its own transaction, so a power
 * loss mid-migration leaves the database at N and the next boot redoes
 * the step. A database newer than the image is refused, not downgraded:
 * the newer image may have moved data this one does not know about.
 */
#include <errno.h>
#include <stdio.h>

#include "store/store_int.h"

/*
 * v1: the first layout. Settings live in typed single-row tables (a
 * CHECK pins the row id to 1) so SQLite itself refuses a value of the
 * wrong kind; addresses are dotted-quad text, readable in a dump.
 */
static const char store_schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
    "CREATE TABLE host("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " configured INTEGER NOT NULL DEFAULT 0,"
    " hostname TEXT CHECK (length(hostname) <= 253),"
    " root_pw TEXT CHECK (length(root_pw) < 192));"
    "INSERT INTO host(id) VALUES (1);"
    "CREATE TABLE net("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " mode TEXT NOT NULL CHECK (mode IN ('dhcp', 'static')),"
    " addr TEXT, prefix INTEGER, gw TEXT, dns1 TEXT, dns2 TEXT,"
    " vlan INTEGER NOT NULL DEFAULT 0 CHECK (vlan BETWEEN 0 AND 4094),"
    " ip6 INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE tls("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " key BLOB NOT NULL, cert BLOB NOT NULL);"
    "CREATE TABLE vm("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " vcpus INTEGER NOT NULL, mem_mb INTEGER NOT NULL,"
    " kernel TEXT NOT NULL, initrd TEXT NOT NULL DEFAULT '',"
    " cmdline TEXT NOT NULL DEFAULT '',"
    " autostart INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time_ms INTEGER NOT NULL, who TEXT NOT NULL, what TEXT NOT NULL);";

/* v2: lockdown mode and the management endpoint's port. */
static const char store_schema_v2[] =
    "ALTER TABLE host ADD COLUMN lockdown INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE host ADD COLUMN mgmt_port INTEGER NOT NULL DEFAULT 443"
    " CHECK (mgmt_port BETWEEN 1 AND 65535);";

/* v3: a VM's virtual disks, datastore file names joined by '\n' (names
 * never hold one), in device order. */
static const char store_schema_v3[] =
    "ALTER TABLE vm ADD COLUMN disks TEXT NOT NULL DEFAULT '';";

/* store_schema_steps[i] takes a database from version i to i + 1. */
static const char *const store_schema_steps[] = {
	store_schema_v1,
	store_schema_v2,
	store_schema_v3,
};
_Static_assert(sizeof(store_schema_steps) / sizeof(store_schema_steps[0]) ==
		   STORE_SCHEMA_LATEST,
	       "one migration step per schema version");

int store_schema_get_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One step in one transaction: the DDL, the new user_version and the
 * meta mirror commit together or not at all. */
static int store_schema_step(sqlite3 *db, int to)
{
	char sql[128];

	if (store_exec(db, "BEGIN IMMEDIATE"))
		return -EIO;
	snprintf(
	    sql, sizeof(sql),
	    "PRAGMA user_version=%d;"
	    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', %d)",
	    to, to);
	if (store_exec(db, store_schema_steps[to - 1]) || store_exec(db, sql) ||
	    store_exec(db, "COMMIT")) {
		if (!sqlite3_get_autocommit(db))
			store_exec(db, "ROLLBACK");
		return -EIO;
	}
	return 0;
}

int store_schema_migrate(sqlite3 *db, int target, char *why, size_t whylen)
{
	int v = store_schema_get_version(db);

	if (v < 0) {
		snprintf(why, whylen, "the schema version cannot be read (%s)",
			 sqlite3_errmsg(db));
		return -EIO;
	}
	if (v > STORE_SCHEMA_LATEST) {
		snprintf(why, whylen,
			 "written by a newer Keel (schema v%d, this image "
			 "knows v%d)",
			 v, STORE_SCHEMA_LATEST);
		return -EIO;
	}
	if (target > STORE_SCHEMA_LATEST)
		target = STORE_SCHEMA_LATEST;
	while (v < target) {
		if (store_schema_step(db, v + 1)) {
			snprintf(why, whylen,
				 "the schema upgrade to v%d failed (%s)", v + 1,
				 sqlite3_errmsg(db));
			return -EIO;
		}
		v++;
	}
	return 0;
}
