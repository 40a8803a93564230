/*
 * tools/linux_guest_tsc.c: `tsc` in Keel's Linux test guest
 * (tools/linux_guest.sh) prints the time-stamp counter in decimal.
 *
 * Under QEMU -icount shift=0 the guest TSC advances one tick per
 * instruction from power-on (docs/linux-guest.md), so /init's marker line
 * carries the instruction count at which the guest reached init. Static,
 * no libc: a raw rdtsc, two system calls.
 */
#include <stdint.h>

static long tsc_syscall3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	char buf[24], *p = buf + sizeof(buf);
	uint32_t lo, hi;
	uint64_t v;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	v = (uint64_t)hi << 32 | lo;
	*--p = '\n';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	tsc_syscall3(1, 1, (long)p, buf + sizeof(buf) - p); /* write(1, ...) */
	tsc_syscall3(60, 0, 0, 0);			    /* exit(0) */
	__builtin_unreachable();
}
