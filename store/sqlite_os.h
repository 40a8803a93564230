/* SPDX-License-Identifier: MIT */
/*
 * The parts of SQLite's OS layer that are not about files (store/sqlite_os.c):
 * randomness, sleep and the clock. store/store_vfs.c puts them into the
 * sqlite3_vfs it registers next to its own file methods.
 */
#ifndef KEEL_STORE_SQLITE_OS_H
#define KEEL_STORE_SQLITE_OS_H
#include <sqlite3.h>

int sqlite_os_random(sqlite3_vfs *vfs, int n, char *out);
int sqlite_os_sleep(sqlite3_vfs *vfs, int us);
int sqlite_os_time(sqlite3_vfs *vfs, double *out);
int sqlite_os_time64(sqlite3_vfs *vfs, sqlite3_int64 *out);
int sqlite_os_last_error(sqlite3_vfs *vfs, int n, char *out);

#endif
