// SPDX-License-Identifier: MIT
/*
 * Two boot modes that own the config partition (nothing else opens the
 * store when either is on the command line: store_powertest_active()).
 *
 * keel.storetest: the writer the power-loss system test kills at random
 * (tests/system/test_store.py, issue 6 "Config store" item 3). It opens
 * config.db through the block VFS (formatting a blank partition), checks
 * what the previous boot left, prints
 *   storetest: verify gen=G integrity=ok consistent=yes
 * (or "storetest: verify FAILED: why"), then commits forever: each
 * transaction sets all STORETEST_ROWS rows, with a pad large enough that
 * one commit spans dozens of pages, to the next generation and prints
 * "storetest: committed N" once COMMIT has returned, i.e. is durable.
 *
 * keel.storebench=N: on a freshly formatted store, N small transactions
 * (one row each), then per-commit latency in microseconds and TSC ticks
 * (instructions under -icount shift=0) and a power-off (bench/store.py).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/power.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk.h"
#include "drivers/blk_boot.h"
#include "store/store_powertest.h"
#include "store/store_vfs.h"

CMDLINE_OPTION(storetest, "keel.storetest",
	       "power-loss writer: verify then rewrite config.db forever");
CMDLINE_OPTION(storebench, "keel.storebench",
	       "N: time N commits on a re-formatted config store, power off");

#define STORETEST_ROWS 64
#define STORETEST_PAD 3000
#define STORETEST_WAIT (10 * NSEC_PER_SEC) /* USB disks come late */

bool store_powertest_active(void)
{
	char v[16];

	return cmdline_get("keel.storetest", v, sizeof(v)) != -ENOENT ||
	       cmdline_get("keel.storebench", v, sizeof(v)) != -ENOENT;
}

static int pt_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		log_err("storetest: \"%s\": %s", sql, err ? err : "?");
		sqlite3_free(err);
	}
	return rc;
}

/* Attach the VFS to the config partition and open config.db; NULL (and
 * a log line) when that is impossible. @fresh formats first. */
static sqlite3 *pt_open(const char *who, bool fresh)
{
	struct blk_dev *part = blk_config_partition(STORETEST_WAIT);
	const char *why = "?";
	enum store_vfs_state st;
	sqlite3 *db = NULL;

	if (!part) {
		log_err("%s: no config partition", who);
		return NULL;
	}
	st = store_vfs_attach(part, part->sectors * part->sector_size -
					    BLK_SCRATCH_BYTES,
			      &why);
	log_info("%s: %s: %s", who, part->name, why);
	if (st == STORE_VFS_CORRUPT && !fresh) {
		log_err("%s: verify FAILED: store refused: %s", who, why);
		return NULL;
	}
	if (st != STORE_VFS_OK || fresh) {
		int rc = store_vfs_format();
		if (rc) {
			log_err("%s: format failed (%d)", who, rc);
			return NULL;
		}
		log_info("%s: formatted %s", who, part->name);
	}
	if (sqlite3_open_v2(STORE_DB_NAME, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK ||
	    pt_exec(db, "PRAGMA journal_mode=DELETE") ||
	    pt_exec(db, "PRAGMA synchronous=FULL") ||
	    pt_exec(db, "PRAGMA locking_mode=EXCLUSIVE")) {
		log_err("%s: verify FAILED: cannot open %s: %s", who,
			STORE_DB_NAME, db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* One transaction: every row to generation @gen (0 also creates). */
static int pt_commit(sqlite3 *db, long long gen, uint8_t *pad)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(pad, (int)(gen & 0xff), STORETEST_PAD);
	rc = pt_exec(db, "BEGIN");
	if (!rc && gen == 0)
		rc = pt_exec(db, "CREATE TABLE IF NOT EXISTS powertest("
				 "k INTEGER PRIMARY KEY, gen INTEGER, pad BLOB)");
	if (!rc)
		rc = sqlite3_prepare_v2(db,
					"INSERT OR REPLACE INTO powertest(k, "
					"gen, pad) VALUES (?1, ?2, ?3)",
					-1, &st, NULL);
	for (int k = 0; !rc && k < STORETEST_ROWS; k++) {
		sqlite3_bind_int(st, 1, k);
		sqlite3_bind_int64(st, 2, gen);
		sqlite3_bind_blob(st, 3, pad, STORETEST_PAD, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = pt_exec(db, "COMMIT");
	if (rc) {
		log_err("storetest: commit %lld failed: %s", gen,
			sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

/*
 * What the previous boot left: integrity_check "ok" and all rows of one
 * generation whose pads match it. The generation, or -1 (logged).
 */
static long long pt_verify(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	const char *integrity = "?";
	char ibuf[64] = "?";
	long long gen = -1, n = 0, lo = 0, hi = 0, padok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		integrity = (const char *)sqlite3_column_text(st, 0);
		strncpy(ibuf, integrity ? integrity : "?", sizeof(ibuf) - 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*), min(gen), max(gen), "
			       "sum(length(pad) = ?1 AND substr(hex(pad), 1, "
			       "2) = printf('%02X', gen % 256) AND "
			       "substr(hex(pad), -2, 2) = printf('%02X', gen % "
			       "256)) FROM powertest",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, STORETEST_PAD);
		if (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
			lo = sqlite3_column_int64(st, 1);
			hi = sqlite3_column_int64(st, 2);
			padok = sqlite3_column_int64(st, 3);
		}
	} else {
		log_err("storetest: verify FAILED: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_finalize(st);
	if (strcmp(ibuf, "ok")) {
		log_err("storetest: verify FAILED: integrity_check says %s",
			ibuf);
	} else if (n != STORETEST_ROWS || lo != hi || padok != n) {
		log_err("storetest: verify FAILED: consistent=no (%lld rows, "
			"gen %lld..%lld, %lld pads match)",
			n, lo, hi, padok);
	} else {
		gen = lo;
		log_info("storetest: verify gen=%lld integrity=ok "
			 "consistent=yes",
			 gen);
	}
	return gen;
}

static bool pt_has_table(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	bool has = false;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_schema WHERE name = "
			       "'powertest'",
			       -1, &st, NULL) == SQLITE_OK)
		has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

static void pt_storetest(void *arg)
{
	uint8_t *pad = malloc(STORETEST_PAD);
	sqlite3 *db = pad ? pt_open("storetest", false) : NULL;
	long long gen;

	(void)arg;
	if (!db)
		goto out;
	/* A first boot (or a cut before the first commit ever landed)
	 * creates the table with generation 0 in one transaction. */
	if (!pt_has_table(db)) {
		log_info("storetest: no table yet: creating generation 0");
		if (pt_commit(db, 0, pad))
			goto out;
	}
	gen = pt_verify(db);
	while (gen >= 0) {
		gen++;
		if (pt_commit(db, gen, pad))
			break;
		log_info("storetest: committed %lld", gen);
	}
out:
	log_err("storetest: stopped");
	sqlite3_close(db);
	free(pad);
	thread_exit();
}

static void pt_storebench(void *arg)
{
	char v[16];
	long n = 0;
	uint64_t ns = 0, ticks = 0, max_ns = 0, min_ns = ~0ull;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long i;

	(void)arg;
	if (cmdline_get("keel.storebench", v, sizeof(v)) > 0)
		n = strtol(v, NULL, 10);
	if (n <= 0)
		n = 100;
	db = pt_open("storebench", true);
	if (!db || pt_exec(db, "CREATE TABLE kv(k INTEGER PRIMARY KEY, v "
			       "TEXT)") ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv VALUES (?1, ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		uint64_t t0 = time_ns(), c0 = cpu_rdtsc(), d;

		/* autocommit: each statement is one durable transaction */
		sqlite3_bind_int(st, 1, (int)(i % 16));
		sqlite3_bind_text(st, 2, "a setting of modest length", -1,
				  SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			log_err("storebench: commit %ld failed: %s", i,
				sqlite3_errmsg(db));
			break;
		}
		sqlite3_reset(st);
		ticks += cpu_rdtsc() - c0;
		d = time_ns() - t0;
		ns += d;
		max_ns = d > max_ns ? d : max_ns;
		min_ns = d < min_ns ? d : min_ns;
	}
	if (i == n)
		log_info("storebench: %ld commits: %llu us average (min %llu, "
			 "max %llu), %llu TSC ticks average",
			 n, (unsigned long long)(ns / n / 1000),
			 (unsigned long long)(min_ns / 1000),
			 (unsigned long long)(max_ns / 1000),
			 (unsigned long long)(ticks / n));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	log_info("storebench: done");
	power_off();
}

static void store_powertest_start(void)
{
	char v[16];
	bool test = cmdline_get("keel.storetest", v, sizeof(v)) != -ENOENT;
	bool bench = cmdline_get("keel.storebench", v, sizeof(v)) != -ENOENT;

	if ((test || bench) &&
	    !thread_create(test ? "storetest" : "storebench",
			   test ? pt_storetest : pt_storebench, NULL, NULL))
		log_err("storetest: cannot start its thread");
}
KEEL_INIT(INIT_LATE, store_powertest_start);
