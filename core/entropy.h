/* SPDX-License-Identifier: MIT */
/*
 * Seed material for the host's DRBGs (TLS keys) and for salts: RDSEED,
 * else RDRAND, each health-checked (a source that fails to deliver or
 * repeats itself is dropped for the rest of the boot), always XORed with
 * timer jitter (the low bits of TSC deltas around cache-missing memory
 * reads). The output is raw seed material: the consumer conditions it
 * (mbedTLS CTR_DRBG's derivation function, NIST SP 800-90A section
 * 10.3.2), as SP 800-90C expects of a DRBG's seed source.
 */
#ifndef KEEL_CORE_ENTROPY_H
#define KEEL_CORE_ENTROPY_H
#include <stddef.h>
/* Fill @buf; always succeeds (jitter alone when no instruction works). */
void entropy_read(void *buf, size_t len);
/* "RDSEED+jitter", "RDRAND+jitter" or "jitter": for the log. */
const char *entropy_sources(void);
#endif
