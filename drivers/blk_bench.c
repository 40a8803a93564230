// SPDX-License-Identifier: MIT
/*
 * keel.blkbench=DISK: measure a scratch disk from inside Keel (bench/blk.py
 * runs it under QEMU) and power off. Sequential write and read of
 * BENCH_BYTES in 256 KiB requests, then flush latency over BENCH_FLUSHES
 * one-sector write + flush pairs. Figures in microseconds and TSC ticks
 * (under -icount shift=0, instructions). It overwrites the disk: never
 * point it at one that matters. Integer arithmetic only (no FPU in the
 * kernel).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"
#include "core/power.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk.h"

CMDLINE_OPTION(blkbench, "keel.blkbench",
	       "DISK: benchmark (and overwrite) block device DISK, power off");

#define BENCH_BYTES (16u << 20)
#define BENCH_REQ (256u << 10)
#define BENCH_FLUSHES 20

static uint64_t blk_bench_mbps(uint64_t bytes, uint64_t ns)
{
	return ns ? bytes * 1000 / ns : 0; /* bytes/ns * 1000 = MB/s */
}

static int blk_bench_pass(struct blk_dev *d, uint8_t *buf, bool write)
{
	uint32_t per = BENCH_REQ / d->sector_size;
	uint64_t n = BENCH_BYTES / d->sector_size;
	uint64_t t0 = time_ns(), c0 = cpu_rdtsc(), ns;
	int rc = 0;

	if (n > d->sectors)
		n = d->sectors - d->sectors % per;
	for (uint64_t lba = 0; lba + per <= n && !rc; lba += per)
		rc = write ? blk_write(d, lba, per, buf)
			   : blk_read(d, lba, per, buf);
	if (!rc && write)
		rc = blk_flush(d);
	ns = time_ns() - t0;
	if (rc) {
		log_err("blkbench: %s: %s failed (%d)", d->name,
			write ? "write" : "read", rc);
		return rc;
	}
	log_info("blkbench: %s: sequential %s %llu KiB in %llu us = %llu MB/s "
		 "(%llu TSC ticks)",
		 d->name, write ? "write" : "read",
		 (unsigned long long)(n * d->sector_size / 1024),
		 (unsigned long long)(ns / 1000),
		 (unsigned long long)blk_bench_mbps(n * d->sector_size, ns),
		 (unsigned long long)(cpu_rdtsc() - c0));
	return 0;
}

static void blk_bench_flush(struct blk_dev *d, uint8_t *buf)
{
	uint64_t ns = 0, ticks = 0;

	for (int i = 0; i < BENCH_FLUSHES; i++) {
		uint64_t t0, c0;
		int rc = blk_write(d, i, 1, buf);

		t0 = time_ns();
		c0 = cpu_rdtsc();
		if (!rc)
			rc = blk_flush(d);
		ticks += cpu_rdtsc() - c0;
		ns += time_ns() - t0;
		if (rc) {
			log_err("blkbench: %s: flush failed (%d)", d->name, rc);
			return;
		}
	}
	log_info("blkbench: %s: flush after a 1-sector write: %llu us, %llu "
		 "TSC ticks on average over %d",
		 d->name, (unsigned long long)(ns / BENCH_FLUSHES / 1000),
		 (unsigned long long)(ticks / BENCH_FLUSHES), BENCH_FLUSHES);
}

static void blk_bench(void)
{
	char name[32];
	struct blk_dev *d = NULL;
	uint8_t *buf;

	if (cmdline_get("keel.blkbench", name, sizeof(name)) <= 0)
		return;
	/* USB disks register late: give them 5 s. */
	for (int i = 0; i < 50 && !(d = blk_find(name)); i++)
		thread_sleep_ns(100 * NSEC_PER_MSEC);
	buf = malloc(BENCH_REQ);
	if (!d || !buf) {
		log_err("blkbench: no block device %s", name);
	} else {
		for (uint32_t i = 0; i < BENCH_REQ; i++)
			buf[i] = (uint8_t)(i * 7 + 1);
		if (!blk_bench_pass(d, buf, true) &&
		    !blk_bench_pass(d, buf, false))
			blk_bench_flush(d, buf);
	}
	free(buf);
	log_info("blkbench: done");
	power_off();
}
KEEL_INIT(INIT_LATE, blk_bench);
