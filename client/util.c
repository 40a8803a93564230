// SPDX-License-Identifier: MIT
/* Small host helpers for keelctl (client/util.h). */
#include "client/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int kc_path(const char *dir, const char *name, char *out, size_t n)
{
	const char *home;
	int len;

	if (dir) {
		len = snprintf(out, n, "%s", dir);
	} else {
		home = getenv("HOME");
		if (!home || !*home)
			return -1;
		len = snprintf(out, n, "%s/.keelctl", home);
	}
	if (len < 0 || (size_t)len >= n)
		return -1;
	if (name) {
		len += snprintf(out + len, n - len, "/%s", name);
		if ((size_t)len >= n)
			return -1;
	}
	return 0;
}

int kc_mkdir_parent(const char *path, char *err, int errlen)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

uint64_t kc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t kc_unix_time(void)
{
	return (int64_t)time(NULL);
}

int kc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
