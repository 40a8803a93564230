// SPDX-License-Identifier: MIT
/*
 * Seed material (core/entropy.h). Two kinds of source:
 *  - the CPU's DRNG: RDSEED (an entropy source output, SDM Vol. 1 7.3.17.2)
 *    or RDRAND (its DRBG). Both may fail transiently (CF=0): retry a few
 *    times as Intel's DRNG guide advises, then give up on the source. A
 *    source that returns the same 64-bit value twice in a row is broken
 *    (the AMD RDRAND erratum returned all ones) and is dropped too.
 *  - timer jitter: the TSC delta around a read that misses the cache
 *    varies with the memory system; its low bits are folded in for every
 *    output word, so a backdoored or stuck DRNG alone cannot decide the
 *    output.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "core/entropy.h"
#include "core/log.h"
#include "core/spinlock.h"

enum { SRC_UNKNOWN, SRC_RDSEED, SRC_RDRAND, SRC_NONE };

static int entropy_src = SRC_UNKNOWN;
static uint64_t entropy_last;
static struct spinlock entropy_lock = SPINLOCK_INIT;

/* A buffer larger than the last-level caches of small servers is not
 * needed: a stride through 64 KiB of cold lines gives the jitter. */
static volatile uint8_t entropy_pool[64 * 1024];

static uint64_t entropy_jitter_word(void)
{
	static unsigned int pos;
	uint64_t acc = 0;

	for (int i = 0; i < 64; i++) {
		uint64_t t0 = cpu_rdtsc();
		pos = (pos * 1103515245u + 12345u + (unsigned int)t0) %
		      sizeof(entropy_pool);
		entropy_pool[pos] += (uint8_t)t0;
		uint64_t d = cpu_rdtsc() - t0;
		/* Rotate-and-add: each delta's low bits land in new places. */
		acc = (acc << 7 | acc >> 57) + d;
	}
	return acc;
}

static bool entropy_cpu_word(uint64_t *out)
{
	for (int tries = 0; tries < 10; tries++) {
		bool ok = entropy_src == SRC_RDSEED ? cpu_rdseed64(out)
						    : cpu_rdrand64(out);
		if (ok)
			return true;
		cpu_pause();
	}
	return false;
}

static void entropy_pick(void)
{
	if (cpu_has_rdseed())
		entropy_src = SRC_RDSEED;
	else if (cpu_has_rdrand())
		entropy_src = SRC_RDRAND;
	else
		entropy_src = SRC_NONE;
	if (entropy_src != SRC_NONE && !entropy_cpu_word(&entropy_last)) {
		log_warn("entropy: %s never succeeds; using timer jitter only",
			 entropy_src == SRC_RDSEED ? "RDSEED" : "RDRAND");
		entropy_src = SRC_NONE;
	}
}

static uint64_t entropy_word(void)
{
	uint64_t w = entropy_jitter_word(), c;

	if (entropy_src == SRC_RDSEED || entropy_src == SRC_RDRAND) {
		if (!entropy_cpu_word(&c) || c == entropy_last) {
			log_warn("entropy: %s failed its health check; "
				 "using timer jitter only",
				 entropy_src == SRC_RDSEED ? "RDSEED" : "RDRAND");
			entropy_src = SRC_NONE;
		} else {
			entropy_last = c;
			w ^= c;
		}
	}
	return w;
}

void entropy_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t flags = spin_lock_irqsave(&entropy_lock);

	if (entropy_src == SRC_UNKNOWN)
		entropy_pick();
	while (len) {
		uint64_t w = entropy_word();
		size_t n = len < sizeof(w) ? len : sizeof(w);
		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
	spin_unlock_irqrestore(&entropy_lock, flags);
}

const char *entropy_sources(void)
{
	if (entropy_src == SRC_UNKNOWN) {
		uint8_t b;
		entropy_read(&b, 1);
	}
	return entropy_src == SRC_RDSEED   ? "RDSEED+jitter"
	       : entropy_src == SRC_RDRAND ? "RDRAND+jitter"
					   : "jitter";
}
