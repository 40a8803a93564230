/* SPDX-License-Identifier: MIT */
/*
 * Seed material for the host's DRBGs (TLS keys, salts): RDSEED, else
 * RDRAND, each health-checked (a stuck or failing source is dropped),
 * always mixed with timer jitter (TSC deltas around memory accesses) and
 * conditioned with SHA-256 so each output byte carries full entropy as
 * far as the sources do (docs/core.md "Entropy").
 */
#ifndef KEEL_CORE_ENTROPY_H
#define KEEL_CORE_ENTROPY_H
#include <stddef.h>
/* Fill @buf; 0, or -EIO when no source passes its health check. */
int entropy_read(void *buf, size_t len);
/* "RDSEED+jitter", "RDRAND+jitter" or "jitter": for the log. */
const char *entropy_sources(void);
#endif
