/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_CPUINFO_H
#define KEEL_CORE_CPUINFO_H

#include <stddef.h>

/* Log vendor, brand string, family/model/stepping of the boot CPU. */
void cpuinfo_log(void);
/* The boot CPU's brand string (CPUID 0x80000002-4) without its leading
 * blanks, or its vendor when it has none; for host.info. */
void cpuinfo_model(char *buf, size_t len);
/* Control-register set-up every CPU needs before library code (SSE). */
void core_cpu_setup(void);

#endif
