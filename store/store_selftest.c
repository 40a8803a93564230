// SPDX-License-Identifier: MIT
/*
 * SQLite comes alive: an in-memory database is created, written through a
 * prepared statement inside a transaction, and queried back.
 */
#include <sqlite3.h>

#include "core/init.h"
#include "core/log.h"

static int store_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		log_err("sqlite: \"%s\" failed: %s", sql, err ? err : "?");
		sqlite3_free(err);
	}
	return rc;
}

static void store_selftest(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long sum = -1, count = -1;
	int rc;

	rc = sqlite3_open(":memory:", &db);
	if (rc != SQLITE_OK) {
		log_err("sqlite: cannot open an in-memory database: %s",
			sqlite3_errstr(rc));
		goto out;
	}
	if (store_exec(db, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)") ||
	    store_exec(db, "BEGIN"))
		goto out;
	rc = sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES (?1)", -1, &st,
				NULL);
	for (int i = 1; rc == SQLITE_OK && i <= 3; i++) {
		sqlite3_bind_text(st, 1, "keel", -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK || store_exec(db, "COMMIT")) {
		log_err("sqlite: insert failed: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = sqlite3_prepare_v2(db,
				"SELECT count(*), sum(k) FROM t WHERE v = 'keel'",
				-1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		count = sqlite3_column_int64(st, 0);
		sum = sqlite3_column_int64(st, 1);
	}
	if (count != 3 || sum != 6) {
		log_err("sqlite: read back count %lld sum %lld, expected 3 and 6",
			count, sum);
		goto out;
	}
	log_info("sqlite: %s in-memory database: 3 rows written and read back",
		 sqlite3_libversion());
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
}
KEEL_INIT(INIT_LIBS, store_selftest);
