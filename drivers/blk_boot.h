/* SPDX-License-Identifier: MIT */
/*
 * Keel's own disk, whichever controller it sits behind (docs/blk.md):
 * every whole disk that registers is GPT-scanned, its partitions are
 * registered as "<disk>p<N>", and the first disk carrying both a
 * KEEL-BOOT EFI System Partition and a KEEL-CONFIG partition (type
 * 17D6148D-1D67-4857-9FFF-E6932EA1331B, docs/image.md) becomes the boot
 * device. Later candidates are logged and ignored.
 */
#ifndef KEEL_DRIVERS_BLK_BOOT_H
#define KEEL_DRIVERS_BLK_BOOT_H

#include <stdint.h>

#include "drivers/blk.h"

/*
 * The scratch area reserved for diagnostics: the last 64 KiB of
 * KEEL-CONFIG. The config store (issue 6) must keep out of it.
 */
#define BLK_SCRATCH_BYTES (64 * 1024)

/*
 * The scratch area's layout (docs/blk.md): a 64-byte header (magic
 * "KEELSCR1", boot counter, payload CRC32, header CRC32) then a pattern
 * derived from the counter. fill writes the area for @counter; check
 * returns 0 and the counter, -ENOENT (no magic: never written) or
 * -EBADMSG (header or pattern damaged). Pure: unit-tested on the host.
 */
void blk_scratch_fill(uint8_t *area, uint64_t counter);
int blk_scratch_check(const uint8_t *area, uint64_t *counter);
/*
 * The round trip: read and check the previous boot's pattern, write the
 * next one (counter + 1), flush, read back and compare. Logs each step.
 * 0, -EBADMSG when the previous pattern was damaged, or an I/O error.
 */
int blk_scratch_roundtrip(struct blk_dev *config);

/* The GPT scan blk_register runs for each whole disk (installed at boot;
 * unit tests call blk_boot_install themselves). */
void blk_boot_scan(struct blk_dev *disk);
void blk_boot_install(void);
/* Forget the chosen disk (unit tests only). */
void blk_boot_reset(void);

/* The config partition and the disk it is on, or NULL while none found. */
struct blk_dev *blk_boot_config(void);
struct blk_dev *blk_boot_disk(void);
/* The KEEL-BOOT ESP of that disk (keel.cfg lives there: firstboot/
 * ks_boot.c), or NULL while no boot device is found. Wait for it with
 * blk_config_partition(), which finds both at once. */
struct blk_dev *blk_boot_esp(void);

/*
 * Wait until the config partition is found (USB disks appear seconds
 * after boot) or @timeout_ns passes. The partition, or NULL. Kernel only.
 */
struct blk_dev *blk_config_partition(uint64_t timeout_ns);

#endif
