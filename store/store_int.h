/* SPDX-License-Identifier: MIT */
/*
 * Inside the config store: what store.c (open, lock, transactions) shares
 * with the schema and the accessor files. Not for other rooms: they use
 * store/store.h.
 */
#ifndef KEEL_STORE_STORE_INT_H
#define KEEL_STORE_STORE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "net/netcfg.h"

/* The schema version this image writes (store_schema.c). */
#define STORE_SCHEMA_LATEST 3

/*
 * The open database (NULL unless store_state() is OK or MEMORY). Only
 * touched between store_lock() and store_unlock().
 */
extern sqlite3 *store_db;

/* The store mutex: recursive for its owner thread, sleeping for others. */
void store_lock(void);
void store_unlock(void);

/*
 * An accessor's write: store_wr_begin takes the lock and, unless the
 * caller's store_begin transaction is open, starts one; store_wr_end
 * commits it (rc == 0) or rolls it back, drops the lock and returns rc
 * (-EIO when the commit fails). -ENODEV when no database is open.
 */
int store_wr_begin(void);
int store_wr_end(int rc);
/* A read: the lock, and -ENODEV when no database is open. */
int store_rd_begin(void);
void store_rd_end(void);

/* Prepare @sql; NULL (logged) on failure. */
sqlite3_stmt *store_prep(const char *sql);
/* Step a statement that returns no rows, finalize it: 0, -EEXIST on a
 * UNIQUE conflict, else -EIO. */
int store_step_done(sqlite3_stmt *st);
/* Run SQL without parameters (schema, pragmas): 0 or -EIO (logged). */
int store_exec(sqlite3 *db, const char *sql);
/* Copy column @col as text into @buf (at most @len - 1 bytes): 0,
 * -ENOENT for NULL, -EIO when it does not fit or is not text. */
int store_col_text(sqlite3_stmt *st, int col, char *buf, size_t len);

/*
 * Bring @db to STORE_SCHEMA_LATEST: each step in its own transaction.
 * 0, or -EIO with a reason a person can act on in @why (a database from
 * a newer image, a failed step).
 */
int store_schema_migrate(sqlite3 *db, int target, char *why, size_t whylen);
/* PRAGMA user_version of @db, or -EIO. */
int store_schema_get_version(sqlite3 *db);

/* Set up a freshly opened handle (pragmas, quick_check, migrations) and
 * make it the store's database. 0 or -EIO with @why filled. */
int store_attach_db(sqlite3 *db, char *why, size_t whylen);
/* Close the store's database (state becomes CORRUPT with @reason until a
 * new attach). */
void store_detach_db(const char *reason);

/* Open a fresh in-memory database with the schema (STORE_MEMORY): the
 * kernel's fallback without a partition, and the host tests' store. */
int store_open_memory(void);

/* Milliseconds since boot, for audit records. */
int64_t store_now_ms(void);

/* Validators shared by the accessors: 0 or -EINVAL. */
int store_valid_hostname(const char *name);
int store_valid_net(const struct net_config *c);
#endif
