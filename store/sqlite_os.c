// SPDX-License-Identifier: MIT
/*
 * SQLite's OS layer for Keel (SQLITE_OS_OTHER, see store/sqlite_config.h):
 * sqlite3_os_init registers the block-device VFS of store/store_vfs.c as
 * the default. This file supplies what is not about files: randomness,
 * sleep and the clock. In-memory databases need no file at all, so they
 * work whether or not a config partition is attached.
 */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "core/cpu.h"
#include "core/time.h"
#include "store/sqlite_os.h"
#include "store/store_vfs.h"

/*
 * Only seeds SQLite's own PRNG (temporary names, random rowids, the
 * journal nonce), never keys; RDRAND when present, else TSC jitter.
 */
int sqlite_os_random(sqlite3_vfs *vfs, int n, char *out)
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

int sqlite_os_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
#ifndef KEEL_HOST_TEST /* the host tests' clock stands still */
	uint64_t end = time_ns() + (uint64_t)us * 1000;

	while (time_ns() < end)
		cpu_pause();
#endif
	return us;
}

/* Julian day number in milliseconds; no RTC yet, so the epoch is boot. */
int sqlite_os_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	*out = 210866760000000ll + (sqlite3_int64)(time_ns() / 1000000);
	return SQLITE_OK;
}

int sqlite_os_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs, (void)out;
	return SQLITE_ERROR; /* SQLite uses xCurrentTimeInt64 (iVersion 2) */
}

int sqlite_os_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	if (n > 0)
		out[0] = '\0';
	return 0;
}

int sqlite3_os_init(void)
{
	return store_vfs_register();
}

int sqlite3_os_end(void)
{
	return SQLITE_OK;
}
