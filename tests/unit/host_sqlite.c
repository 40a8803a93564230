// SPDX-License-Identifier: MIT
/*
 * SQLite's OS layer for host-built tests: the pinned host build is
 * SQLITE_OS_OTHER like the kernel's, so the test supplies
 * sqlite3_os_init/end and a VFS, here one that only serves in-memory
 * databases (opening a file fails with SQLITE_CANTOPEN).
 */
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static int host_vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
			 int flags, int *out_flags)
{
	f->pMethods = NULL;
	return SQLITE_CANTOPEN;
}

static int host_vfs_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return SQLITE_IOERR_DELETE;
}

static int host_vfs_access(sqlite3_vfs *vfs, const char *name, int flags,
			   int *res)
{
	*res = 0;
	return SQLITE_OK;
}

static int host_vfs_fullpath(sqlite3_vfs *vfs, const char *name, int n,
			     char *out)
{
	if ((int)strlen(name) >= n)
		return SQLITE_CANTOPEN;
	strcpy(out, name);
	return SQLITE_OK;
}

static int host_vfs_random(sqlite3_vfs *vfs, int n, char *out)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)(i * 37 + 11);
	return n;
}

static int host_vfs_sleep(sqlite3_vfs *vfs, int us)
{
	return us;
}

static int host_vfs_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	*out = 210866760000000ll + (sqlite3_int64)time(NULL) * 1000;
	return SQLITE_OK;
}

static int host_vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	if (n > 0)
		out[0] = '\0';
	return 0;
}

static sqlite3_vfs host_vfs = {
	.iVersion = 2,
	.szOsFile = sizeof(sqlite3_file),
	.mxPathname = 256,
	.zName = "host-memory",
	.xOpen = host_vfs_open,
	.xDelete = host_vfs_delete,
	.xAccess = host_vfs_access,
	.xFullPathname = host_vfs_fullpath,
	.xRandomness = host_vfs_random,
	.xSleep = host_vfs_sleep,
	.xGetLastError = host_vfs_last_error,
	.xCurrentTimeInt64 = host_vfs_time64,
};

int sqlite3_os_init(void)
{
	return sqlite3_vfs_register(&host_vfs, 1);
}

int sqlite3_os_end(void)
{
	return SQLITE_OK;
}
