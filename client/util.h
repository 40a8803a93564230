/* SPDX-License-Identifier: MIT */
/* Small host helpers shared by keelctl's files: paths, time, files. */
#ifndef KEEL_CLIENT_UTIL_H
#define KEEL_CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* keelctl's directory: @dir (KEELCTL_DIR) or $HOME/.keelctl, then
 * "/@name" when @name is non-NULL. 0 or -1 (no HOME, too long). */
int kc_path(const char *dir, const char *name, char *out, size_t n);

/* Create @path's parent directory (mode 0700) if missing. 0 or -1. */
int kc_mkdir_parent(const char *path, char *err, int errlen);

/* Monotonic and wall-clock time. */
uint64_t kc_now_ns(void);
int64_t kc_unix_time(void);

/* Write @len bytes to @fd, retrying short writes. 0 or -1 (errno). */
int kc_write_all(int fd, const void *buf, size_t len);

#endif
