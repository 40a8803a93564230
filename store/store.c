// SPDX-License-Identifier: MIT
/*
 * The config store's life cycle (docs/store.md "API"): finding the config
 * partition, opening the database on it (or in RAM), the store mutex and
 * transactions. The schema is store_schema.c, the typed accessors are
 * store_settings.c and store_vm.c.
 *
 * SQLite is built SQLITE_THREADSAFE=0, so every SQLite call in the kernel
 * happens under store_lock(): one recursive sleeping mutex. store_begin()
 * keeps it until store_commit()/store_rollback(), so the accessors the
 * same thread calls in between join that transaction while other threads
 * wait.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/store_powertest.h"
#include "store/store_vfs.h"

#ifndef KEEL_HOST_TEST
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk_boot.h"
#else
#define log_info(...) ((void)0)
#define log_warn(...) ((void)0)
#define log_err(...) ((void)0)
#endif

sqlite3 *store_db;
static enum store_state store_st = STORE_STARTING;
static char store_why[192] = "the store is still starting";
static bool store_txn_user; /* store_begin's transaction is open */

/* ---- The store mutex ---------------------------------------------------- */

#ifndef KEEL_HOST_TEST
static struct spinlock store_lock_sl = SPINLOCK_INIT;
static struct waitq store_lock_wq = WAITQ_INIT;
static struct thread *store_owner;
static unsigned int store_depth;

/* Unlocked peek: waitq_wait re-checks under the queue lock, and
 * store_lock loops, so a stale answer only costs a retry. */
static bool store_lock_free(void *arg)
{
	(void)arg;
	return __atomic_load_n(&store_owner, __ATOMIC_ACQUIRE) == NULL;
}

void store_lock(void)
{
	struct thread *me = thread_current();

	for (;;) {
		uint64_t flags = spin_lock_irqsave(&store_lock_sl);
		if (!store_owner || store_owner == me) {
			store_owner = me;
			store_depth++;
			spin_unlock_irqrestore(&store_lock_sl, flags);
			return;
		}
		spin_unlock_irqrestore(&store_lock_sl, flags);
		waitq_wait(&store_lock_wq, store_lock_free, NULL);
	}
}

void store_unlock(void)
{
	uint64_t flags = spin_lock_irqsave(&store_lock_sl);
	bool released = --store_depth == 0;

	if (released)
		__atomic_store_n(&store_owner, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&store_lock_sl, flags);
	if (released)
		waitq_wake_all(&store_lock_wq);
}

int64_t store_now_ms(void)
{
	return (int64_t)(time_ns() / 1000000);
}
#else
/* Host tests are single-threaded: the mutex only counts nesting. */
static unsigned int store_depth;
void store_lock(void)
{
	store_depth++;
}
void store_unlock(void)
{
	store_depth--;
}
int64_t store_now_ms(void)
{
	static int64_t t;
	return ++t; /* strictly increasing: tests see order */
}
#endif

/* ---- SQLite helpers --------------------------------------------------------
 */

int store_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		log_err("store: \"%.60s\" failed: %s", sql,
			err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

sqlite3_stmt *store_prep(const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(store_db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_err("store: cannot prepare \"%.60s\": %s", sql,
			sqlite3_errmsg(store_db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int store_step_done(sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	log_err("store: write failed: %s", sqlite3_errmsg(store_db));
	return -EIO;
}

int store_col_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	int type = sqlite3_column_type(st, col);
	const unsigned char *t;
	int n;

	if (type == SQLITE_NULL)
		return -ENOENT;
	if (type != SQLITE_TEXT || !len)
		return -EIO;
	t = sqlite3_column_text(st, col);
	n = sqlite3_column_bytes(st, col);
	/* Bounded: a value that does not fit is damage, not truncation. */
	if (!t || n < 0 || (size_t)n >= len || memchr(t, 0, (size_t)n))
		return -EIO;
	memcpy(buf, t, (size_t)n);
	buf[n] = '\0';
	return 0;
}

/* ---- Transactions ----------------------------------------------------------
 */

int store_wr_begin(void)
{
	store_lock();
	if (!store_db) {
		store_unlock();
		return -ENODEV;
	}
	if (store_txn_user)
		return 0;
	if (store_exec(store_db, "BEGIN IMMEDIATE")) {
		store_unlock();
		return -EIO;
	}
	return 0;
}

static int store_finish(int rc)
{
	if (rc == 0 && store_exec(store_db, "COMMIT"))
		rc = -EIO;
	if (!sqlite3_get_autocommit(store_db))
		store_exec(store_db, "ROLLBACK");
	return rc;
}

int store_wr_end(int rc)
{
	if (!store_txn_user)
		rc = store_finish(rc);
	store_unlock();
	return rc;
}

int store_rd_begin(void)
{
	store_lock();
	if (!store_db) {
		store_unlock();
		return -ENODEV;
	}
	return 0;
}

void store_rd_end(void)
{
	store_unlock();
}

int store_begin(void)
{
	store_lock();
	if (store_txn_user) { /* nested in the same thread */
		store_unlock();
		return -EBUSY;
	}
	if (!store_db) {
		store_unlock();
		return -ENODEV;
	}
	if (store_exec(store_db, "BEGIN IMMEDIATE")) {
		store_unlock();
		return -EIO;
	}
	store_txn_user = true;
	return 0; /* the lock stays held until commit/rollback */
}

int store_commit(void)
{
	int rc;

	if (!store_txn_user)
		return -EINVAL;
	store_txn_user = false;
	rc = store_db ? store_finish(0) : -ENODEV;
	store_unlock();
	return rc;
}

void store_rollback(void)
{
	if (!store_txn_user)
		return;
	store_txn_user = false;
	if (store_db)
		store_finish(-ECANCELED);
	store_unlock();
}

/* ---- Opening
 * ----------------------------------------------------------------- */

/* Runs under the lock. quick_check catches a damaged b-tree before the
 * first accessor trips over it (SQLite's "PRAGMA quick_check"). */
int store_attach_db(sqlite3 *db, char *why, size_t whylen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* journal_mode first: it reads the header, so a file that is not a
	 * database fails here with SQLITE_NOTADB. */
	if (store_exec(db, "PRAGMA locking_mode=EXCLUSIVE") ||
	    store_exec(db, "PRAGMA journal_mode=DELETE") ||
	    store_exec(db, "PRAGMA synchronous=FULL") ||
	    store_exec(db, "PRAGMA foreign_keys=ON")) {
		snprintf(why, whylen, "the database cannot be read (%s)",
			 sqlite3_errmsg(db));
		return -EIO;
	}
	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(why, whylen, "the database cannot be read (%s)",
			 sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -EIO;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_TEXT ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		snprintf(why, whylen, "the database is damaged (%.100s)",
			 sqlite3_column_type(st, 0) == SQLITE_TEXT
			     ? (const char *)sqlite3_column_text(st, 0)
			     : "quick_check failed");
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	if (store_schema_migrate(db, STORE_SCHEMA_LATEST, why, whylen))
		return -EIO;
	store_db = db;
	return 0;
}

void store_detach_db(const char *reason)
{
	if (store_db) {
		sqlite3_close(store_db);
		store_db = NULL;
	}
	store_st = STORE_CORRUPT;
	snprintf(store_why, sizeof(store_why), "%s", reason);
}

/* Open @name (the VFS's file or ":memory:") as the store's database.
 * Under the lock. 0, or -EIO with the state CORRUPT and a reason. */
static int store_open_name(const char *name, enum store_state ok_state)
{
	char why[160];
	sqlite3 *db = NULL;
	int rc;

	store_detach_db("the store is closed");
	rc = sqlite3_open_v2(name, &db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, sizeof(why), "the database cannot be opened (%s)",
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		store_detach_db(why);
		return -EIO;
	}
	if (store_attach_db(db, why, sizeof(why))) {
		sqlite3_close(db);
		store_detach_db(why);
		return -EIO;
	}
	store_st = ok_state;
	snprintf(store_why, sizeof(store_why), "%s",
		 ok_state == STORE_OK
		     ? "open on the config partition"
		     : "no config partition: settings are kept in memory only");
	return 0;
}

int store_open_memory(void)
{
	int rc;

	store_lock();
	rc = store_open_name(":memory:", STORE_MEMORY);
	store_unlock();
	return rc;
}

enum store_state store_state(const char **reason)
{
	if (reason)
		*reason = store_why;
	return store_st;
}

int store_schema_version(void)
{
	int v = STORE_SCHEMA_LATEST;

	if (store_rd_begin() == 0) {
		v = store_schema_get_version(store_db);
		store_rd_end();
	}
	return v;
}

#ifndef KEEL_HOST_TEST
/* ---- Boot ------------------------------------------------------------------
 */

static struct blk_dev *store_part;

static struct waitq store_ready_wq = WAITQ_INIT;
static volatile bool store_ready;

/* Attach the VFS to the partition and open the database on it; under the
 * lock. A blank partition is formatted first. */
static int store_open_part(bool format)
{
	uint64_t bytes = store_part->sectors * store_part->sector_size;
	const char *why = "?";
	enum store_vfs_state vs;
	char msg[160];

	store_detach_db("the store is closed");
	if (bytes <= BLK_SCRATCH_BYTES) {
		store_detach_db("the config partition is too small");
		return -EIO;
	}
	bytes -= BLK_SCRATCH_BYTES;
	vs = store_vfs_attach(store_part, bytes, &why);
	if (vs == STORE_VFS_CORRUPT && !format) {
		snprintf(msg, sizeof(msg), "%s", why ? why : "unreadable");
		store_detach_db(msg);
		return -EIO;
	}
	if (vs == STORE_VFS_BLANK || format) {
		int rc = store_vfs_format();
		if (rc) {
			snprintf(
			    msg, sizeof(msg),
			    "the config partition cannot be written (error %d)",
			    rc);
			store_detach_db(msg);
			return -EIO;
		}
		log_info("store: %s on %s formatted",
			 format ? "store area" : "blank store area",
			 store_part->name);
	}
	return store_open_name(STORE_DB_NAME, STORE_OK);
}

static void store_log_state(void)
{
	uint64_t kib;

	switch (store_st) {
	case STORE_OK:
		kib = (store_part->sectors * store_part->sector_size -
		       BLK_SCRATCH_BYTES) /
		      1024;
		log_info("store: open on %s (schema v%d, %llu KiB)",
			 store_part->name, STORE_SCHEMA_LATEST,
			 (unsigned long long)kib);
		break;
	case STORE_MEMORY:
		log_warn(
		    "store: no config partition; settings kept in memory only");
		break;
	default:
		log_err("store: config partition damaged: %s", store_why);
		break;
	}
}

void store_init(void)
{
	if (store_powertest_active()) {
		store_lock();
		store_detach_db("the store is left to the power-loss test "
				"(keel.storetest/keel.storebench)");
		store_unlock();
		log_info("store: keel.storetest: the config partition is left "
			 "to the test");
		return;
	}
	store_part = blk_config_partition(10ull * 1000000000);
	store_lock();
	if (store_part)
		store_open_part(false);
	else
		store_open_name(":memory:", STORE_MEMORY);
	store_unlock();
	store_log_state();
}

int store_recreate(void)
{
	int rc;

	store_lock();
	if (store_txn_user) {
		store_unlock();
		return -EBUSY;
	}
	if (store_part)
		rc = store_open_part(true);
	else
		rc = store_open_name(":memory:", STORE_MEMORY);
	store_unlock();
	log_info("store: re-created (%s)", rc ? store_why : "empty");
	if (rc)
		store_log_state();
	return rc;
}

static bool store_is_ready(void *arg)
{
	(void)arg;
	return store_ready;
}

void store_wait_ready(void)
{
	waitq_wait(&store_ready_wq, store_is_ready, NULL);
}

static void store_thread(void *arg)
{
	(void)arg;
	store_init();
	store_ready = true;
	waitq_wake_all(&store_ready_wq);
}

/* A thread: blk_config_partition waits up to 10 s for a USB stick, and
 * the initcalls after this one must not wait with it. */
static void store_boot(void)
{
	if (!thread_create("store", store_thread, NULL, NULL)) {
		log_err("store: cannot start the store thread");
		store_ready = true;
	}
}
KEEL_INIT(INIT_LATE, store_boot);
#else
int store_recreate(void)
{
	if (store_txn_user)
		return -EBUSY;
	return store_open_memory();
}

void store_wait_ready(void)
{
}
#endif
