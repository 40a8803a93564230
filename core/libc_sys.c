// SPDX-License-Identifier: MIT
/*
 * The system-call layer newlib expects when built with
 * --disable-newlib-supplied-syscalls. There is no file system: stdout and
 * stderr go to the kernel log, everything else fails with a clear errno.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include "core/cpu.h"
#include "core/heap.h"
#include "core/log.h"
#include "core/time.h"

#undef errno
extern int errno;

void *_sbrk(intptr_t incr)
{
	void *p = heap_sbrk(incr);

	if (p == (void *)-1)
		errno = ENOMEM;
	return p;
}

int _write(int fd, const char *buf, int len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	log_write_raw(fd == 2 ? LOG_ERR : LOG_INFO, buf, len);
	return len;
}

int _read(int fd, char *buf, int len)
{
	(void)fd, (void)buf, (void)len;
	errno = EBADF;
	return -1;
}

int _open(const char *path, int flags, int mode)
{
	(void)path, (void)flags, (void)mode;
	errno = ENOENT;
	return -1;
}

int _close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int _lseek(int fd, int off, int whence)
{
	(void)fd, (void)off, (void)whence;
	errno = ESPIPE;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	return 0;
}

int _isatty(int fd)
{
	return fd >= 0 && fd <= 2;
}

int _getpid(void)
{
	return 1;
}

int _kill(int pid, int sig)
{
	(void)pid, (void)sig;
	errno = EINVAL;
	return -1;
}

/* abort() and exit() in library code are bugs of ours: stop loudly. */
__attribute__((noreturn)) void _exit(int status)
{
	log_err("PANIC: library code called exit(%d)", status);
	cpu_halt_forever();
}

int _gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	/* No RTC driver yet: time since boot. */
	uint64_t ns = time_ns();
	tv->tv_sec = ns / 1000000000ull;
	tv->tv_usec = ns / 1000 % 1000000;
	return 0;
}

clock_t _times(struct tms *t)
{
	(void)t;
	errno = ENOSYS;
	return (clock_t)-1;
}

int _unlink(const char *path)
{
	(void)path;
	errno = ENOENT;
	return -1;
}

int _link(const char *a, const char *b)
{
	(void)a, (void)b;
	errno = EMLINK;
	return -1;
}

int _stat(const char *path, struct stat *st)
{
	(void)path, (void)st;
	errno = ENOENT;
	return -1;
}
