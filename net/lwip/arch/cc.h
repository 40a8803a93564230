/*
 * lwIP 2.1 compiler/platform glue for Keel (x86_64, gcc, newlib).
 *
 * Included by lwip/arch.h; found through -I net/lwip, which every file that
 * includes an lwIP header must use (tools/deps.sh builds liblwip.a with it).
 * net/lwip_port.c defines the functions declared here, plus sys_now(),
 * sys_arch_protect()/sys_arch_unprotect() and the VLAN hooks named in
 * lwipopts.h.
 */
#ifndef KEEL_LWIP_ARCH_CC_H
#define KEEL_LWIP_ARCH_CC_H

/*
 * lwip/arch.h defines LITTLE_ENDIAN/BIG_ENDIAN as bare numbers before it
 * includes us, and newlib's <machine/endian.h> defines them again in its
 * own spelling; drop lwIP's so the two never disagree (no "redefined"
 * warnings, whichever header a file includes first).
 */
#undef LITTLE_ENDIAN
#undef BIG_ENDIAN
#include <machine/endian.h>
#ifndef LITTLE_ENDIAN /* strict ISO mode hides newlib's BSD names */
#define LITTLE_ENDIAN _LITTLE_ENDIAN
#define BIG_ENDIAN _BIG_ENDIAN
#endif
#ifndef BYTE_ORDER
#define BYTE_ORDER _BYTE_ORDER /* x86_64: little endian */
#endif

#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>     /* printf for LWIP_PLATFORM_DIAG */
#include <sys/types.h> /* ssize_t */

/*
 * newlib 3.3.0's <limits.h> has no SSIZE_MAX; lwIP would then typedef its
 * own ssize_t as int and clash with newlib's (long).
 */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* Use newlib's errno and E* values rather than lwIP's private copy. */
#define LWIP_ERRNO_STDINCLUDE 1

/* newlib provides all of these headers. */
#define LWIP_NO_STDDEF_H 0
#define LWIP_NO_STDINT_H 0
#define LWIP_NO_INTTYPES_H 0
#define LWIP_NO_LIMITS_H 0
#define LWIP_NO_CTYPE_H 0

/* Saved interrupt state for SYS_ARCH_PROTECT (RFLAGS, or a lock cookie). */
typedef unsigned long sys_prot_t;

/* A failed LWIP_ASSERT: the kernel logs it and decides (panic or not). */
void lwip_port_assert(const char *msg, const char *file, int line);

/* Random numbers for IP IDs, ports, TCP ISNs, DHCP xids, DNS ids and IPv6
 * interface ids: must come from the kernel's RNG, never rand(). This is
 * lwIP's u32_t (u32_t is typedef'd only after this file). */
uint32_t lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x) \
	do {                      \
		printf x;             \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif /* KEEL_LWIP_ARCH_CC_H */
