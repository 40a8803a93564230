// SPDX-License-Identifier: MIT
/*
 * The boot-device finder (docs/blk.md "Keel's own disk"). blk_register
 * calls blk_boot_scan for each whole disk in the registering driver's
 * thread: AHCI and NVMe at PCI probe (INIT_LIBS), USB mass storage and
 * others whenever they appear. So nothing here assumes the disk exists at
 * any given init level; the config store asks blk_config_partition, which
 * waits.
 *
 * Rule for several candidates: multiboot2 does not say which disk GRUB
 * read the kernel from, so the first disk to register with a KEEL-BOOT
 * ESP and a KEEL-CONFIG partition wins and every later one is warned
 * about (two dd-ed Keel sticks in one host: see docs/image.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/init.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "drivers/blk_boot.h"
#include "drivers/gpt.h"
#ifndef KEEL_HOST_TEST
#include "core/thread.h"
#include "core/time.h"
#endif

static struct spinlock bb_lock = SPINLOCK_INIT;
static struct blk_dev *bb_config, *bb_disk, *bb_esp;
#ifndef KEEL_HOST_TEST
static struct waitq bb_wq = WAITQ_INIT;
#endif

static void blk_boot_found(struct blk_dev *disk, struct blk_dev *config,
			   struct blk_dev *esp)
{
	struct blk_dev *prev;

	spin_lock(&bb_lock);
	prev = bb_disk;
	if (!bb_config) {
		/* esp before config (release): blk_boot_esp tests config. */
		bb_esp = esp;
		__atomic_store_n(&bb_config, config, __ATOMIC_RELEASE);
		bb_disk = disk;
	}
	spin_unlock(&bb_lock);
	if (prev) {
		log_warn("blk: %s also holds KEEL-BOOT and KEEL-CONFIG; "
			 "ignored, the boot device is %s (the first found)",
			 disk->name, prev->name);
		return;
	}
	log_info("blk: boot device %s, config partition %s (%llu MiB)",
		 disk->name, config->name,
		 (unsigned long long)(config->sectors * config->sector_size >>
				      20));
#ifndef KEEL_HOST_TEST
	waitq_wake_all(&bb_wq);
#endif
}

/* Register each partition of @g on @disk; returns the array (kept for
 * the life of the disk) or NULL. */
static struct blk_dev *blk_boot_register_parts(struct blk_dev *disk,
					       const struct gpt *g)
{
	struct blk_dev *parts = calloc(g->nparts ? g->nparts : 1,
				       sizeof(*parts));

	if (!parts) {
		log_err("blk: %s: out of memory for %u partitions", disk->name,
			g->nparts);
		return NULL;
	}
	for (uint32_t i = 0; i < g->nparts; i++) {
		int rc = gpt_part_dev(disk, &g->parts[i], &parts[i]);

		if (!rc)
			rc = blk_register(&parts[i]);
		if (rc) {
			log_warn("blk: %s: partition %u not registered (%d)",
				 disk->name, g->parts[i].index, rc);
			parts[i].name = NULL;
		}
	}
	return parts;
}

/* One line per disk, so the boot log shows what each disk carries. */
static void blk_boot_log_parts(struct blk_dev *disk, const struct gpt *g)
{
	char line[160];
	int off = snprintf(line, sizeof(line), "blk: %s: GPT, %u partition(s):",
			   disk->name, g->nparts);

	for (uint32_t i = 0; i < g->nparts && off < (int)sizeof(line); i++)
		off += snprintf(line + off, sizeof(line) - off, " %s",
				g->parts[i].name[0] ? g->parts[i].name : "-");
	log_info("%s", line);
}

static struct blk_dev *blk_boot_part_by_index(struct blk_dev *parts,
					      const struct gpt *g,
					      uint32_t index)
{
	for (uint32_t i = 0; i < g->nparts; i++)
		if (g->parts[i].index == index && parts[i].name)
			return &parts[i];
	return NULL;
}

void blk_boot_scan(struct blk_dev *disk)
{
	struct gpt *g = malloc(sizeof(*g));
	struct gpt_part boot, cfg;
	struct blk_dev *parts, *cdev;
	int rc;

	if (!g) {
		log_err("blk: %s: out of memory for its GPT", disk->name);
		return;
	}
	rc = gpt_read(disk, g);
	if (rc) {
		/* gpt_read logged the reason; say what that means here. */
		if (rc != -ENOENT)
			log_warn("blk: %s: partition table refused (%d); no "
				 "partitions registered, carrying on",
				 disk->name, rc);
		free(g);
		return;
	}
	blk_boot_log_parts(disk, g);
	parts = blk_boot_register_parts(disk, g);
	if (!parts)
		goto out;
	rc = gpt_find(g, gpt_type_keel_config, NULL, &cfg);
	if (rc)
		goto out;
	if (gpt_find(g, gpt_type_efi_system, "KEEL-BOOT", &boot)) {
		log_warn("blk: %s has a KEEL-CONFIG partition but no "
			 "KEEL-BOOT ESP; not Keel's boot device",
			 disk->name);
		goto out;
	}
	cdev = blk_boot_part_by_index(parts, g, cfg.index);
	if (cdev && cdev->sectors * cdev->sector_size <= BLK_SCRATCH_BYTES) {
		log_warn("blk: %s: KEEL-CONFIG is too small (%llu bytes)",
			 disk->name,
			 (unsigned long long)(cdev->sectors *
					      cdev->sector_size));
		cdev = NULL;
	}
	if (cdev)
		blk_boot_found(disk, cdev,
			       blk_boot_part_by_index(parts, g, boot.index));
out:
	free(g);
}

struct blk_dev *blk_boot_config(void)
{
	return __atomic_load_n(&bb_config, __ATOMIC_ACQUIRE);
}

struct blk_dev *blk_boot_esp(void)
{
	return blk_boot_config() ? __atomic_load_n(&bb_esp, __ATOMIC_ACQUIRE) :
				   NULL;
}

struct blk_dev *blk_boot_disk(void)
{
	return __atomic_load_n(&bb_disk, __ATOMIC_ACQUIRE);
}

void blk_boot_reset(void)
{
	spin_lock(&bb_lock);
	bb_config = bb_disk = bb_esp = NULL;
	spin_unlock(&bb_lock);
}

void blk_boot_install(void)
{
	blk_set_disk_hook(blk_boot_scan);
}

#ifndef KEEL_HOST_TEST
static bool blk_boot_have_config(void *arg)
{
	(void)arg;
	return blk_boot_config() != NULL;
}

struct blk_dev *blk_config_partition(uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;

	while (!blk_boot_config()) {
		uint64_t now = time_ns();

		if (now >= deadline)
			break;
		waitq_wait_timeout(&bb_wq, blk_boot_have_config, NULL,
				   deadline - now);
	}
	return blk_boot_config();
}

/* Before INIT_LIBS, where the PCI disk controllers probe. */
KEEL_INIT(INIT_PLATFORM, blk_boot_install);
#endif
