// SPDX-License-Identifier: MIT
/*
 * Operator and test hooks for USB disks, off unless asked for:
 *   keel.usbtest=usb1   write a known pattern to 256 sectors at LBA 2048,
 *                       flush, read back and compare (the system test then
 *                       checks the bytes in the disk file on the host)
 *   keel.usbbench=usb1  sequential write and read throughput and flush
 *                       latency (bench/blk_usb.py)
 * Both overwrite the disk they are given: meant for a scratch disk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk.h"

CMDLINE_OPTION(usbtest, "keel.usbtest",
	       "write/flush/read-back test on the named (scratch!) USB disk");
CMDLINE_OPTION(usbbench, "keel.usbbench",
	       "throughput and flush benchmark on the named (scratch!) USB disk");

#define UT_LBA 2048
#define UT_SECTORS 256
#define UB_BYTES (16u << 20)
#define UB_CHUNK (64u << 10)
#define UB_FLUSHES 20

/* Byte j of sector lba: the host side (tests/system/test_usb.py) agrees. */
static uint8_t usb_test_byte(uint64_t lba, unsigned int j)
{
	return (uint8_t)((lba * 7 + j) ^ 0xa5);
}

static void usb_test_run(struct blk_dev *d)
{
	uint32_t bs = d->sector_size, bytes = UT_SECTORS * bs;
	uint8_t *w = malloc(bytes), *r = malloc(bytes);
	int rc;

	if (!w || !r) {
		log_err("usbtest: out of memory");
		goto out;
	}
	for (unsigned int s = 0; s < UT_SECTORS; s++)
		for (unsigned int j = 0; j < bs; j++)
			w[s * bs + j] = usb_test_byte(UT_LBA + s, j);
	rc = blk_write(d, UT_LBA, UT_SECTORS, w);
	if (!rc)
		rc = blk_flush(d);
	if (!rc)
		rc = blk_read(d, UT_LBA, UT_SECTORS, r);
	if (rc)
		log_err("usbtest: %s: I/O error %d", d->name, rc);
	else if (memcmp(w, r, bytes))
		log_err("usbtest: %s: read-back differs", d->name);
	else
		log_info("usbtest: %s: %u sectors at LBA %u written, flushed, read back: match",
			 d->name, UT_SECTORS, UT_LBA);
out:
	free(w);
	free(r);
}

static uint64_t usb_kib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? bytes * (NSEC_PER_SEC / 1024) / ns : 0;
}

static void usb_bench_run(struct blk_dev *d)
{
	uint32_t per = UB_CHUNK / d->sector_size;
	uint64_t n = UB_BYTES / d->sector_size, t0, tw, tr, tf = 0;
	uint8_t *buf = malloc(UB_CHUNK);
	int rc = 0;

	if (!buf || n + UT_LBA > d->sectors) {
		log_err("usbbench: %s too small or no memory", d->name);
		free(buf);
		return;
	}
	memset(buf, 0x5a, UB_CHUNK);
	t0 = time_ns();
	for (uint64_t l = 0; l < n && !rc; l += per)
		rc = blk_write(d, l, per, buf);
	if (!rc)
		rc = blk_flush(d);
	tw = time_ns() - t0;
	t0 = time_ns();
	for (uint64_t l = 0; l < n && !rc; l += per)
		rc = blk_read(d, l, per, buf);
	tr = time_ns() - t0;
	for (int i = 0; i < UB_FLUSHES && !rc; i++) {
		rc = blk_write(d, i, 1, buf);
		t0 = time_ns();
		if (!rc)
			rc = blk_flush(d);
		tf += time_ns() - t0;
	}
	if (rc)
		log_err("usbbench: %s: I/O error %d", d->name, rc);
	else
		log_info("usbbench: %s: write %llu KiB/s, read %llu KiB/s, flush %llu us (%u MiB sequential, %u KiB requests)",
			 d->name, (unsigned long long)usb_kib_per_s(UB_BYTES, tw),
			 (unsigned long long)usb_kib_per_s(UB_BYTES, tr),
			 (unsigned long long)(tf / UB_FLUSHES / NSEC_PER_USEC),
			 UB_BYTES >> 20, UB_CHUNK >> 10);
	free(buf);
}

static void usb_test_thread(void *arg)
{
	char name[16];
	struct blk_dev *d;

	if (cmdline_get("keel.usbtest", name, sizeof(name)) > 0) {
		d = blk_find(name);
		if (d)
			usb_test_run(d);
		else
			log_err("usbtest: no disk %s", name);
	}
	if (cmdline_get("keel.usbbench", name, sizeof(name)) > 0) {
		d = blk_find(name);
		if (d)
			usb_bench_run(d);
		else
			log_err("usbbench: no disk %s", name);
	}
	thread_exit();
}

static void usb_test_init(void)
{
	char v[16];

	if (cmdline_get("keel.usbtest", v, sizeof(v)) <= 0 &&
	    cmdline_get("keel.usbbench", v, sizeof(v)) <= 0)
		return;
	if (!thread_create("usbtest", usb_test_thread, NULL, NULL))
		log_err("usbtest: no thread");
}
KEEL_INIT(INIT_LATE, usb_test_init);
