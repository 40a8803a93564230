// SPDX-License-Identifier: MIT
/*
 * The block-device registry, the checked request wrappers and partition
 * devices. Bounds are checked here, once, in a form that cannot overflow
 * (count > sectors - lba, never lba + count > sectors), so a driver may
 * trust lba and count, and a partition can never reach outside itself:
 * its own request is checked against the partition, then the offset
 * request again against the parent.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "drivers/blk.h"

/* Registration is rare (boot, USB hot-plug); lookups copy nothing. */
static struct spinlock blk_lock = SPINLOCK_INIT;
static struct blk_dev *blk_head;
static void (*blk_disk_hook)(struct blk_dev *disk);

void blk_set_disk_hook(void (*fn)(struct blk_dev *disk))
{
	__atomic_store_n(&blk_disk_hook, fn, __ATOMIC_RELEASE);
}

static bool blk_sector_size_ok(uint32_t s)
{
	return s >= 512 && s <= 65536 && (s & (s - 1)) == 0;
}

void blk_ident_string(const void *src, unsigned int len, bool swap16, char *out)
{
	const uint8_t *b = src;
	unsigned int n = len;

	for (unsigned int i = 0; i < len; i++)
		out[i] = (char)b[swap16 ? i ^ 1 : i];
	while (n && (out[n - 1] == ' ' || !out[n - 1]))
		n--;
	out[n] = 0;
	for (unsigned int i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			out[i] = '?';
}

int blk_register(struct blk_dev *dev)
{
	struct blk_dev **pp;

	if (!dev || !dev->name || !dev->name[0] || !dev->ops ||
	    !(dev->ops->read || dev->ops->rw) ||
	    !blk_sector_size_ok(dev->sector_size))
		return -EINVAL;
	spin_lock(&blk_lock);
	for (pp = &blk_head; *pp; pp = &(*pp)->next) {
		if (*pp == dev || !strcmp((*pp)->name, dev->name)) {
			spin_unlock(&blk_lock);
			return -EEXIST;
		}
	}
	dev->next = NULL;
	*pp = dev;
	spin_unlock(&blk_lock);
	log_info("blk: %s: %llu sectors of %u bytes (%llu MiB)%s", dev->name,
		 (unsigned long long)dev->sectors, dev->sector_size,
		 (unsigned long long)(dev->sectors * dev->sector_size >> 20),
		 dev->read_only ? ", read-only" : "");
	if (!dev->parent) {
		void (*hook)(struct blk_dev *) =
			__atomic_load_n(&blk_disk_hook, __ATOMIC_ACQUIRE);
		if (hook)
			hook(dev);
	}
	return 0;
}

void blk_unregister(struct blk_dev *dev)
{
	spin_lock(&blk_lock);
	for (struct blk_dev **pp = &blk_head; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	dev->next = NULL;
	spin_unlock(&blk_lock);
}

struct blk_dev *blk_find(const char *name)
{
	struct blk_dev *d;

	spin_lock(&blk_lock);
	for (d = blk_head; d; d = d->next)
		if (!strcmp(d->name, name))
			break;
	spin_unlock(&blk_lock);
	return d;
}

struct blk_dev *blk_next(const struct blk_dev *prev)
{
	struct blk_dev *d;

	spin_lock(&blk_lock);
	d = prev ? prev->next : blk_head;
	spin_unlock(&blk_lock);
	return d;
}

static int blk_check(const struct blk_dev *dev, uint64_t lba, uint32_t count,
		     const void *buf)
{
	if (!dev || !buf)
		return -EINVAL;
	if (lba > dev->sectors || count > dev->sectors - lba)
		return -ERANGE;
	return 0;
}

int blk_read(struct blk_dev *dev, uint64_t lba, uint32_t count, void *buf)
{
	int rc = blk_check(dev, lba, count, buf);

	if (rc || !count)
		return rc;
	if (dev->ops->rw)
		return dev->ops->rw(dev, lba, count, buf, false);
	return dev->ops->read(dev, lba, count, buf);
}

int blk_write(struct blk_dev *dev, uint64_t lba, uint32_t count,
	      const void *buf)
{
	int rc = blk_check(dev, lba, count, buf);

	if (rc || !count)
		return rc;
	if (dev->read_only)
		return -EROFS;
	if (dev->ops->rw) /* the driver only reads from buf when writing */
		return dev->ops->rw(dev, lba, count, (void *)buf, true);
	if (!dev->ops->write)
		return -EOPNOTSUPP;
	return dev->ops->write(dev, lba, count, buf);
}

int blk_flush(struct blk_dev *dev)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->flush)
		return 0;
	return dev->ops->flush(dev);
}

/* Partition ops: the wrapper already bounded the request to the child. */
static int blk_part_read(struct blk_dev *p, uint64_t lba, uint32_t count,
			 void *buf)
{
	return blk_read(p->parent, p->start + lba, count, buf);
}

static int blk_part_write(struct blk_dev *p, uint64_t lba, uint32_t count,
			  const void *buf)
{
	return blk_write(p->parent, p->start + lba, count, buf);
}

static int blk_part_flush(struct blk_dev *p)
{
	return blk_flush(p->parent);
}

static const struct blk_ops blk_part_ops = {
	.read = blk_part_read,
	.write = blk_part_write,
	.flush = blk_part_flush,
};

int blk_part_init(struct blk_dev *part, struct blk_dev *parent,
		  uint64_t start, uint64_t sectors, unsigned int index)
{
	if (!part || !parent || part == parent)
		return -EINVAL;
	if (!sectors || start > parent->sectors ||
	    sectors > parent->sectors - start)
		return -ERANGE;
	memset(part, 0, sizeof(*part));
	fmt_snprintf(part->name_buf, sizeof(part->name_buf), "%sp%u",
		     parent->name, index);
	part->name = part->name_buf;
	part->sector_size = parent->sector_size;
	part->sectors = sectors;
	part->ops = &blk_part_ops;
	part->read_only = parent->read_only;
	part->parent = parent;
	part->start = start;
	return 0;
}

int blk_xfer_split(struct blk_dev *dev, uint64_t lba, uint32_t count,
		   void *buf, bool write, uint32_t max_bytes, void *bounce,
		   blk_xfer_fn xfer)
{
	uint32_t ss = dev->sector_size, per = max_bytes / ss;
	uint8_t *b = buf;
	int rc = 0;

	while (count && !rc) {
		uint32_t n = count < per ? count : per;
		size_t bytes = (size_t)n * ss;
		void *io = bounce ? bounce : b;

		if (bounce && write)
			memcpy(io, b, bytes);
		rc = xfer(dev, lba, n, io, write);
		if (!rc && bounce && !write)
			memcpy(b, io, bytes);
		lba += n;
		count -= n;
		b += bytes;
	}
	return rc;
}
