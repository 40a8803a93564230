/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_CPUINFO_H
#define KEEL_CORE_CPUINFO_H

/* Log vendor, brand string, family/model/stepping of the boot CPU. */
void cpuinfo_log(void);
/* Control-register set-up every CPU needs before library code (SSE). */
void core_cpu_setup(void);

#endif
