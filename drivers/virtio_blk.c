// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio 1.1 section 5.2): one request queue, one request in
 * flight at a time, each a three-descriptor chain (5.2.6: the 16-byte
 * header the device reads, the data, the status byte it writes). Data
 * goes through a DMA bounce buffer, so callers may pass any kernel
 * memory; a request larger than the bounce buffer or the device's
 * size_max is split. Completion is interrupt-driven (MSI-X) with a
 * bounded wait: a device that stops answering gives -ETIMEDOUT and is
 * reset and set up again, never a hung caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/mutex.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/virtio_blk.h"
#include "drivers/virtio_pci.h"

/* Feature bits (5.2.3). */
#define VBLK_F_SIZE_MAX 1
#define VBLK_F_SEG_MAX 2
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9

/* struct virtio_blk_config (5.2.4) */
#define VBLK_CFG_CAPACITY 0 /* 512-byte sectors, whatever blk_size is */
#define VBLK_CFG_SIZE_MAX 8
#define VBLK_CFG_BLK_SIZE 20

/* Request types and status values (5.2.6). */
#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2

#define VBLK_QUEUE_MAX 64 /* one request in flight: a few descriptors */
#define VBLK_BOUNCE (256 * 1024)
#define VBLK_TIMEOUT_NS (10 * NSEC_PER_SEC)
#define VBLK_SLICE_NS (10 * NSEC_PER_MSEC) /* re-check without an irq */
#define VBLK_MAX_DISKS 8

struct vblk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct blk_dev dev;
	char name[8];
	char qname[12];
	struct virtio_pci vp;
	struct virtq vq;
	struct waitq done_wq;	  /* woken by the queue interrupt */
	struct mutex lock;	  /* one request at a time */
	bool dead;		  /* reset failed: every request -EIO */
	struct vblk_req_hdr *hdr; /* then the status byte, same DMA block */
	uint8_t *status;
	uint64_t hdr_phys;
	uint8_t *bounce;
	uint64_t bounce_phys;
	uint32_t max_bytes; /* per request: bounce and size_max */
	struct vblk_stats stats;
};

static struct vblk *vblk_disks[VBLK_MAX_DISKS];
static unsigned int vblk_count;

int vblk_stats(struct blk_dev *dev, struct vblk_stats *out)
{
	for (unsigned int i = 0; i < vblk_count; i++)
		if (&vblk_disks[i]->dev == dev) {
			*out = vblk_disks[i]->stats;
			return 0;
		}
	return -ENODEV;
}

static void vblk_irq(struct trap_frame *f, void *arg)
{
	waitq_wake_all(&((struct vblk *)arg)->done_wq);
}

static void vblk_config_irq(struct trap_frame *f, void *arg)
{
	/* Capacity changes and NEEDS_RESET are looked at per request. */
}

/*
 * Steps 4-8 of 3.1.1 after virtio_pci_init: features, interrupts, the
 * queue, DRIVER_OK. Also the way back after a reset.
 */
static int vblk_start(struct vblk *b)
{
	static irq_fn const fns[2] = { vblk_config_irq, vblk_irq };
	int rc;

	rc = virtio_pci_features(
	    &b->vp, VIRTIO_BIT(VBLK_F_SIZE_MAX) | VIRTIO_BIT(VBLK_F_RO) |
			VIRTIO_BIT(VBLK_F_BLK_SIZE) | VIRTIO_BIT(VBLK_F_FLUSH));
	if (rc)
		return rc;
	rc = virtio_pci_irqs(&b->vp, 2, fns, b);
	if (rc && rc != -ENODEV)
		return rc;
	rc = virtio_pci_queue(&b->vp, &b->vq, 0, VBLK_QUEUE_MAX, 1, b->qname);
	if (rc) {
		log_err("%s: request queue setup failed (%d)", b->name, rc);
		return rc;
	}
	virtio_pci_driver_ok(&b->vp);
	return 0;
}

/* After a timeout, a broken ring or NEEDS_RESET (2.1.2): start over. */
static void vblk_restart(struct vblk *b, const char *why)
{
	log_warn("%s: %s: resetting the device", b->name, why);
	b->stats.resets++;
	/* The reset stops the device touching our buffers before reuse. */
	if (virtio_pci_reinit(&b->vp)) {
		b->dead = true;
	} else {
		virtq_drain(&b->vq, NULL, NULL);
		b->dead = vblk_start(b) != 0;
	}
	if (b->dead)
		virtio_pci_fail(&b->vp, "reset did not bring it back");
}

static bool vblk_done(void *arg)
{
	struct vblk *b = arg;

	return b->vq.broken || virtq_has_used(&b->vq);
}

/*
 * One request: @len bytes of the bounce buffer go out (write) or come in
 * (read); len 0 for a flush. Called with the lock held.
 */
static int vblk_submit(struct vblk *b, uint32_t type, uint64_t sector,
		       uint32_t len)
{
	struct virtq_buf bufs[3];
	unsigned int nout = 1, nin = 1, n = 0;
	uint64_t deadline;
	uint32_t used_len;
	void *cookie;
	int rc;

	if (b->dead)
		return -EIO;
	if (virtio_pci_needs_reset(&b->vp)) {
		vblk_restart(b, "device needs a reset");
		if (b->dead)
			return -EIO;
	}
	b->hdr->type = type;
	b->hdr->reserved = 0;
	b->hdr->sector = sector;
	*b->status = 0xff; /* a device that writes nothing is caught */
	bufs[n++] = (struct virtq_buf){ b->hdr_phys, sizeof(*b->hdr) };
	if (len) {
		bufs[n++] = (struct virtq_buf){ b->bounce_phys, len };
		if (type == VBLK_T_OUT)
			nout++;
		else
			nin++;
	}
	bufs[n++] = (struct virtq_buf){ b->hdr_phys + sizeof(*b->hdr), 1 };
	rc = virtq_add(&b->vq, bufs, nout, nin, b);
	if (rc)
		return rc == -EIO ? -EIO : -EBUSY;
	b->stats.requests++;
	virtq_kick(&b->vq);

	deadline = time_ns() + VBLK_TIMEOUT_NS;
	while (!vblk_done(b)) {
		if (time_ns() > deadline) {
			b->stats.timeouts++;
			log_err("%s: request (type %u, sector %llu) got no "
				"answer in %llu s",
				b->name, type, (unsigned long long)sector,
				VBLK_TIMEOUT_NS / NSEC_PER_SEC);
			vblk_restart(b, "device stopped answering");
			return -ETIMEDOUT;
		}
		/* Short slices: a lost interrupt costs 10 ms, not a hang. */
		waitq_wait_timeout(&b->done_wq, vblk_done, b, VBLK_SLICE_NS);
	}
	cookie = virtq_get_used(&b->vq, &used_len);
	if (cookie != b) {
		b->stats.errors++;
		vblk_restart(b, "request queue broken");
		return -EIO;
	}
	switch (*(volatile uint8_t *)b->status) {
	case VBLK_S_OK:
		return 0;
	case VBLK_S_UNSUPP:
		b->stats.errors++;
		return -EOPNOTSUPP;
	default:
		b->stats.errors++;
		log_err("%s: I/O error (type %u, sector %llu, status %#x)",
			b->name, type, (unsigned long long)sector, *b->status);
		return -EIO;
	}
}

/* Sectors of the blk_dev (blk_size bytes) to virtio's 512-byte units. */
static uint64_t vblk_sector(struct vblk *b, uint64_t lba)
{
	return lba * (b->dev.sector_size / 512);
}

/* The request's data descriptor always points at the bounce buffer. */
static int vblk_xfer(struct blk_dev *dev, uint64_t lba, uint32_t n, void *io,
		     bool write)
{
	struct vblk *b = dev->priv;

	return vblk_submit(b, write ? VBLK_T_OUT : VBLK_T_IN,
			   vblk_sector(b, lba), n * dev->sector_size);
}

static int vblk_rw(struct blk_dev *dev, uint64_t lba, uint32_t count, void *buf,
		   bool write)
{
	struct vblk *b = dev->priv;
	int rc;

	mutex_lock(&b->lock);
	rc = blk_xfer_split(dev, lba, count, buf, write, b->max_bytes,
			    b->bounce, vblk_xfer);
	mutex_unlock(&b->lock);
	return rc;
}

static int vblk_flush(struct blk_dev *dev)
{
	struct vblk *b = dev->priv;
	int rc;

	/* Without VIRTIO_BLK_F_FLUSH the device is write-through (5.2.6.2). */
	if (!virtio_has(&b->vp, VBLK_F_FLUSH))
		return 0;
	mutex_lock(&b->lock);
	rc = vblk_submit(b, VBLK_T_FLUSH, 0, 0);
	mutex_unlock(&b->lock);
	return rc;
}

static const struct blk_ops vblk_ops = {
	.rw = vblk_rw,
	.flush = vblk_flush,
};

static void vblk_geometry(struct vblk *b)
{
	uint64_t cap = virtio_pci_cfg64(&b->vp, VBLK_CFG_CAPACITY);
	uint32_t bs = 512, size_max;

	if (virtio_has(&b->vp, VBLK_F_BLK_SIZE)) {
		uint32_t v = virtio_pci_cfg32(&b->vp, VBLK_CFG_BLK_SIZE);

		if (v >= 512 && v <= 65536 && !(v & (v - 1)))
			bs = v;
		else
			log_warn("%s: nonsense block size %u: using 512",
				 b->name, v);
	}
	b->dev.sector_size = bs;
	b->dev.sectors = cap / (bs / 512);
	b->dev.read_only = virtio_has(&b->vp, VBLK_F_RO);
	b->max_bytes = VBLK_BOUNCE;
	if (virtio_has(&b->vp, VBLK_F_SIZE_MAX)) {
		size_max = virtio_pci_cfg32(&b->vp, VBLK_CFG_SIZE_MAX);
		if (size_max >= bs && size_max < b->max_bytes)
			b->max_bytes = size_max & ~(bs - 1);
	}
}

static int vblk_probe(struct pci_dev *d, const struct pci_match *m)
{
	struct vblk *b;
	uint8_t *dma;
	int rc;

	if (vblk_count >= VBLK_MAX_DISKS)
		return -ENOSPC;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	snprintf(b->name, sizeof(b->name), "vblk%u", vblk_count);
	snprintf(b->qname, sizeof(b->qname), "%s rq", b->name);
	b->done_wq = (struct waitq)WAITQ_INIT;
	b->lock = (struct mutex)MUTEX_INIT;
	rc = virtio_pci_init(&b->vp, d, b->name);
	if (rc)
		goto fail;
	dma = dma_alloc(64, 64, false, &b->hdr_phys);
	b->bounce = dma_alloc(VBLK_BOUNCE, 4096, false, &b->bounce_phys);
	if (!dma || !b->bounce) {
		rc = -ENOMEM;
		virtio_pci_fail(&b->vp, "no DMA memory");
		goto fail;
	}
	b->hdr = (struct vblk_req_hdr *)dma;
	b->status = dma + sizeof(*b->hdr);
	rc = vblk_start(b);
	if (rc) {
		/* Its interrupt vectors may point at b: keep it. */
		virtio_pci_fail(&b->vp, "setup failed");
		return rc;
	}
	vblk_geometry(b);
	b->dev.name = b->name;
	b->dev.ops = &vblk_ops;
	b->dev.priv = b;
	log_info(
	    "%s: virtio-blk %04x:%04x, %llu MiB, %u-byte blocks%s%s, "
	    "queue %u, %s",
	    b->name, d->vendor, d->device,
	    (unsigned long long)(b->dev.sectors * b->dev.sector_size >> 20),
	    b->dev.sector_size,
	    virtio_has(&b->vp, VBLK_F_FLUSH) ? ", write cache (flush)" : "",
	    b->dev.read_only ? ", read-only" : "", b->vq.num,
	    b->vp.msix ? "MSI-X" : "polled (no MSI-X)");
	rc = blk_register(&b->dev);
	if (rc) {
		log_err("%s: blk_register failed (%d)", b->name, rc);
		virtio_pci_reset(&b->vp);
		return rc;
	}
	vblk_disks[vblk_count++] = b;
	d->driver_data = b;
	return 0;
fail:
	/* DMA memory is never freed (core/dma.h); the rest is. */
	free(b);
	return rc;
}

static const struct pci_match vblk_ids[] = {
	PCI_ID(VIRTIO_PCI_VENDOR, 0x1042), /* modern */
	PCI_ID(VIRTIO_PCI_VENDOR, 0x1001), /* transitional, modern interface */
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(virtio_blk, vblk_ids, vblk_probe);
