// SPDX-License-Identifier: MIT
/*
 * A block device over a buffer in RAM, for unit tests and the in-image
 * self-test: the same blk_dev contract as a real controller, with no
 * hardware behind it. Writes are immediately "durable"; flush only counts.
 */
#include <errno.h>
#include <string.h>

#include "drivers/blk.h"

static int blk_ram_read(struct blk_dev *dev, uint64_t lba, uint32_t count,
			void *buf)
{
	struct blk_ramdisk *rd = dev->priv;

	memcpy(buf, rd->mem + lba * dev->sector_size,
	       (size_t)count * dev->sector_size);
	return 0;
}

static int blk_ram_write(struct blk_dev *dev, uint64_t lba, uint32_t count,
			 const void *buf)
{
	struct blk_ramdisk *rd = dev->priv;

	memcpy(rd->mem + lba * dev->sector_size, buf,
	       (size_t)count * dev->sector_size);
	return 0;
}

static int blk_ram_flush(struct blk_dev *dev)
{
	struct blk_ramdisk *rd = dev->priv;

	rd->flushes++;
	return 0;
}

static const struct blk_ops blk_ram_ops = {
	.read = blk_ram_read,
	.write = blk_ram_write,
	.flush = blk_ram_flush,
};

int blk_ramdisk_init(struct blk_ramdisk *rd, const char *name, void *mem,
		     uint32_t sector_size, uint64_t sectors)
{
	if (!rd || !name || !mem)
		return -EINVAL;
	memset(rd, 0, sizeof(*rd));
	rd->mem = mem;
	rd->dev.name = name;
	rd->dev.sector_size = sector_size;
	rd->dev.sectors = sectors;
	rd->dev.ops = &blk_ram_ops;
	rd->dev.priv = rd;
	return 0;
}
