/*
 * SQLite 3.40 compile options for Keel's config store.
 *
 * tools/deps.sh compiles the amalgamation with `-include store/sqlite_config.h`
 * so this file is seen before the first line of sqlite3.c. Nothing else
 * needs it: sqlite3.h is the same whatever the options. Editing this file
 * makes `./build.sh deps` rebuild libsqlite3.a.
 *
 * Only options that work on the prebuilt amalgamation belong here. Options
 * that change the SQL grammar (SQLITE_OMIT_VIEW, _TRIGGER, _ALTERTABLE, ...)
 * would also need the amalgamation regenerated with them; avoid them.
 *
 * Unlike the other library headers this one is force-included as C: it may
 * only contain #defines.
 */
#ifndef KEEL_SQLITE_CONFIG_H
#define KEEL_SQLITE_CONFIG_H

/* --- Platform: no OS underneath -------------------------------------------- */

/* No os_unix.c/os_win.c. The kernel provides sqlite3_os_init() and
 * sqlite3_os_end(), and sqlite3_os_init() registers store/'s block-device
 * VFS (files, locking, sync, randomness, current time). */
#define SQLITE_OS_OTHER 1

/* One thread uses the store for now: no mutexes, no pthreads. */
#define SQLITE_THREADSAFE 0

/* Never map the database file into memory: the VFS has no xFetch. */
#define SQLITE_MAX_MMAP_SIZE 0

/* No time zones in the hypervisor: keeps newlib's localtime()/TZ code out,
 * date functions work in UTC, the 'localtime'/'utc' modifiers are gone. */
#define SQLITE_OMIT_LOCALTIME 1

/* No dlopen(). */
#define SQLITE_OMIT_LOAD_EXTENSION 1

/* newlib has <stdint.h>/<inttypes.h>; lets sqlite use uintptr_t. */
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1

/* --- Durability on the config partition ------------------------------------ */

/* Rollback journal on our own block VFS: WAL needs shared memory and a
 * -wal file the VFS does not model. */
#define SQLITE_OMIT_WAL 1

/* Temporary tables and indices always live in RAM: there is no scratch
 * file system, only the config partition. */
#define SQLITE_TEMP_STORE 3

/* synchronous=FULL (the default, spelled out): a commit is durable once
 * sqlite3_step() returns, which is the store's power-failure promise. */
#define SQLITE_DEFAULT_SYNCHRONOUS 2

/* --- Behaviour ---------------------------------------------------------- */

/* The store holds secrets (password hashes, private keys): overwrite
 * deleted content with zeros instead of leaving it in free pages. */
#define SQLITE_SECURE_DELETE 1

/* The schema relies on FOREIGN KEY constraints; enforce them by default. */
#define SQLITE_DEFAULT_FOREIGN_KEYS 1

/* Double-quoted strings are identifiers only: a typo is an error, not a
 * silent string literal. */
#define SQLITE_DQS 0

/* --- Size and speed (SQLite's recommended options) ------------------------- */

/* No memory statistics: saves a lock/counter on every malloc. */
#define SQLITE_DEFAULT_MEMSTATUS 0

/* No expression-depth bookkeeping in the parser. */
#define SQLITE_MAX_EXPR_DEPTH 0

#define SQLITE_OMIT_DEPRECATED 1
#define SQLITE_OMIT_SHARED_CACHE 1
#define SQLITE_OMIT_TCL_VARIABLE 1

/* Deliberately NOT set:
 *  SQLITE_OMIT_AUTOINIT   - the first sqlite3_open() initializes the library
 *                           (and so calls sqlite3_os_init()).
 *  SQLITE_OMIT_RANDOMNESS - the VFS's xRandomness (kernel RNG) seeds the
 *                           PRNG used for temp names and rowids. */

#endif /* KEEL_SQLITE_CONFIG_H */
