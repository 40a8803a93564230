// SPDX-License-Identifier: MIT
/*
 * SQLite's OS layer for Keel (SQLITE_OS_OTHER, see store/sqlite_config.h).
 * This first VFS has no files: in-memory databases work, opening a file
 * fails with SQLITE_CANTOPEN. The config-store issue adds the block-device
 * VFS on the config partition.
 */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "core/cpu.h"
#include "core/time.h"

static int keel_vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
			 int flags, int *out_flags)
{
	(void)vfs, (void)name, (void)flags, (void)out_flags;
	f->pMethods = NULL; /* tells SQLite there is nothing to close */
	return SQLITE_CANTOPEN;
}

static int keel_vfs_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs, (void)name, (void)sync;
	return SQLITE_IOERR_DELETE;
}

static int keel_vfs_access(sqlite3_vfs *vfs, const char *name, int flags,
			   int *res)
{
	(void)vfs, (void)name, (void)flags;
	*res = 0;
	return SQLITE_OK;
}

static int keel_vfs_fullpath(sqlite3_vfs *vfs, const char *name, int n,
			     char *out)
{
	(void)vfs;
	if ((int)strlen(name) >= n)
		return SQLITE_CANTOPEN;
	strcpy(out, name);
	return SQLITE_OK;
}

/*
 * Only seeds SQLite's own PRNG (temporary names, random rowids), never
 * keys; RDRAND when present, else TSC jitter.
 */
static int keel_vfs_random(sqlite3_vfs *vfs, int n, char *out)
{
	bool rdrand = cpu_has_rdrand();

	(void)vfs;
	for (int i = 0; i < n; i++) {
		uint64_t v = cpu_rdtsc(), r;
		if (rdrand && cpu_rdrand64(&r))
			v ^= r;
		out[i] = (char)(v ^ (v >> 8) ^ (v >> 16));
	}
	return n;
}

static int keel_vfs_sleep(sqlite3_vfs *vfs, int us)
{
	uint64_t end = time_ns() + (uint64_t)us * 1000;

	(void)vfs;
	while (time_ns() < end)
		cpu_pause();
	return us;
}

/* Julian day number in milliseconds; no RTC yet, so the epoch is boot. */
static int keel_vfs_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	*out = 210866760000000ll + (sqlite3_int64)(time_ns() / 1000000);
	return SQLITE_OK;
}

static int keel_vfs_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs, (void)out;
	return SQLITE_ERROR; /* SQLite uses xCurrentTimeInt64 (iVersion 2) */
}

static int keel_vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	if (n > 0)
		out[0] = '\0';
	return 0;
}

static sqlite3_vfs keel_vfs = {
	.iVersion = 2,
	.szOsFile = sizeof(sqlite3_file),
	.mxPathname = 256,
	.zName = "keel",
	.xOpen = keel_vfs_open,
	.xDelete = keel_vfs_delete,
	.xAccess = keel_vfs_access,
	.xFullPathname = keel_vfs_fullpath,
	.xRandomness = keel_vfs_random,
	.xSleep = keel_vfs_sleep,
	.xCurrentTime = keel_vfs_time,
	.xGetLastError = keel_vfs_last_error,
	.xCurrentTimeInt64 = keel_vfs_time64,
};

int sqlite3_os_init(void)
{
	return sqlite3_vfs_register(&keel_vfs, 1);
}

int sqlite3_os_end(void)
{
	return SQLITE_OK;
}
