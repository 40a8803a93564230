// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio v1.1 section 5.2) on the virtio-pci transport. One
 * request queue; requests run one after another on the device's worker
 * thread (vdev/virtio_pci.h), so the backend may block on the host's
 * disk and a flush covers every write completed before it. Data moves
 * through a bounce buffer between guest RAM (gmem, via the chain's
 * checked segments) and the backend.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/virtio.h"
#include "vdev/virtio_pci.h"

/* 5.2.3 feature bits */
#define VBLK_F_SIZE_MAX 1
#define VBLK_F_SEG_MAX 2
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9
#define VBLK_F_DISCARD 13

/* 5.2.6 request types and status */
#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_T_GET_ID 8
#define VBLK_T_DISCARD 11
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2

#define VBLK_SECTOR 512
#define VBLK_ID_BYTES 20
#define VBLK_BOUNCE (64 * 1024)
#define VBLK_SIZE_MAX (1u << 20)
#define VBLK_DISCARD_SEG_MAX 32
#define VBLK_DISCARD_SECTORS_MAX 0x3fffffu

/* struct virtio_blk_config (5.2.4) up to discard_sector_alignment. */
struct vblk_config {
	uint64_t capacity;
	uint32_t size_max, seg_max;
	uint8_t geometry[4];
	uint32_t blk_size;
	uint8_t topology[8];
	uint8_t writeback, unused0[3];
	uint32_t max_discard_sectors, max_discard_seg, discard_sector_alignment;
	uint32_t max_write_zeroes_sectors, max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap, unused1[3];
} __attribute__((packed));

struct vblk_req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vblk_discard {
	uint64_t sector;
	uint32_t num_sectors, flags;
};

struct vblk {
	struct virtio_dev *dev;
	struct virtio_blk_backend b;
	struct virtio_dev_ops ops;
	struct vblk_config cfg;
	uint64_t sectors;
	struct virtq_chain chain;
	uint8_t bounce[VBLK_BOUNCE];
};

static void vblk_cfg_read(struct virtio_dev *d, uint32_t off, void *buf,
			  unsigned int size)
{
	struct vblk *vb = d->priv;

	memcpy(buf, (const uint8_t *)&vb->cfg + off, size);
}

static bool vblk_negotiated(struct virtio_dev *d, unsigned int bit)
{
	return d->guest_features & (1ull << bit);
}

/* [sector, +bytes) inside the disk, without overflow. */
static bool vblk_range_ok(struct vblk *vb, uint64_t sector, uint64_t bytes)
{
	return !(bytes % VBLK_SECTOR) && sector <= vb->sectors &&
	       bytes / VBLK_SECTOR <= vb->sectors - sector;
}

/* IN: backend -> the writable data bytes (all but the status byte). */
static int vblk_in(struct vblk *vb, struct virtq_dev *vq, uint64_t sector,
		   uint64_t len)
{
	uint64_t done = 0, n;

	if (!vblk_range_ok(vb, sector, len))
		return VBLK_S_IOERR;
	while (done < len) {
		n = len - done < VBLK_BOUNCE ? len - done : VBLK_BOUNCE;
		if (vb->b.read(vb->b.opaque, sector * VBLK_SECTOR + done,
			       vb->bounce, n))
			return VBLK_S_IOERR;
		if (virtq_copy_to(vq, &vb->chain, done, vb->bounce, n) != (long)n)
			return -EIO;
		done += n;
	}
	return VBLK_S_OK;
}

/* OUT: the readable bytes after the header -> backend. */
static int vblk_out(struct vblk *vb, struct virtq_dev *vq, uint64_t sector,
		    uint64_t len)
{
	uint64_t done = 0, n;

	if (vb->b.read_only || !vblk_range_ok(vb, sector, len))
		return VBLK_S_IOERR; /* 5.2.6.2: a write to an RO disk */
	while (done < len) {
		n = len - done < VBLK_BOUNCE ? len - done : VBLK_BOUNCE;
		if (virtq_copy_from(vq, &vb->chain, sizeof(struct vblk_req_hdr) + done,
				    vb->bounce, n) != (long)n)
			return -EIO;
		if (vb->b.write(vb->b.opaque, sector * VBLK_SECTOR + done,
				vb->bounce, n))
			return VBLK_S_IOERR;
		done += n;
	}
	return VBLK_S_OK;
}

/* DISCARD: struct virtio_blk_discard_write_zeroes segments (5.2.6). */
static int vblk_discard(struct vblk *vb, struct virtq_dev *vq, uint64_t len)
{
	struct vblk_discard seg;
	uint64_t i;

	if (!vb->b.discard || !vblk_negotiated(vb->dev, VBLK_F_DISCARD))
		return VBLK_S_UNSUPP;
	if (!len || len % sizeof(seg) ||
	    len / sizeof(seg) > VBLK_DISCARD_SEG_MAX)
		return VBLK_S_IOERR;
	for (i = 0; i < len / sizeof(seg); i++) {
		if (virtq_copy_from(vq, &vb->chain,
				    sizeof(struct vblk_req_hdr) + i * sizeof(seg),
				    &seg, sizeof(seg)) != sizeof(seg))
			return -EIO;
		/* 5.2.6.2: only the unmap bit is defined. */
		if (seg.flags & ~1u)
			return VBLK_S_UNSUPP;
		if (seg.num_sectors > VBLK_DISCARD_SECTORS_MAX ||
		    !vblk_range_ok(vb, seg.sector,
				   (uint64_t)seg.num_sectors * VBLK_SECTOR))
			return VBLK_S_IOERR;
		if (vb->b.discard(vb->b.opaque, seg.sector * VBLK_SECTOR,
				  (uint64_t)seg.num_sectors * VBLK_SECTOR))
			return VBLK_S_IOERR;
	}
	return VBLK_S_OK;
}

/*
 * One request (5.2.6): a 16-byte readable header, data, and the status
 * byte as the last writable byte. Returns the status, or -EIO when the
 * ring itself is malformed. *written: bytes written for used.len.
 */
static int vblk_request(struct vblk *vb, struct virtq_dev *vq,
			uint32_t *written)
{
	struct virtq_chain *c = &vb->chain;
	struct vblk_req_hdr h;
	uint64_t wdata = c->wlen - 1, rdata = c->rlen - sizeof(h);
	int st;

	*written = 0;
	if (virtq_copy_from(vq, c, 0, &h, sizeof(h)) != sizeof(h))
		return -EIO;
	switch (h.type) {
	case VBLK_T_IN:
		st = vblk_in(vb, vq, h.sector, wdata);
		if (st == VBLK_S_OK)
			*written = wdata;
		return st;
	case VBLK_T_OUT:
		return vblk_out(vb, vq, h.sector, rdata);
	case VBLK_T_FLUSH:
		/* Every earlier write has returned (one request at a time);
		 * the backend's flush makes them durable (5.2.6.2). */
		return vb->b.flush && vb->b.flush(vb->b.opaque) ? VBLK_S_IOERR
								: VBLK_S_OK;
	case VBLK_T_GET_ID:
		/* 5.2.6: 20 bytes, not NUL-terminated when all are used. */
		if (wdata > VBLK_ID_BYTES)
			wdata = VBLK_ID_BYTES;
		if (virtq_copy_to(vq, c, 0, vb->b.serial, wdata) != (long)wdata)
			return -EIO;
		*written = wdata;
		return VBLK_S_OK;
	case VBLK_T_DISCARD:
		return vblk_discard(vb, vq, rdata);
	}
	return VBLK_S_UNSUPP;
}

static void vblk_work(struct virtio_dev *d, uint32_t kicked)
{
	struct vblk *vb = d->priv;
	struct virtq_dev *vq = virtio_dev_queue(d, 0);
	uint32_t written;
	uint8_t status;
	int rc;

	if (!vq)
		return;
	for (;;) {
		if (d->stop || __atomic_load_n(&d->reset_pending, __ATOMIC_ACQUIRE))
			return; /* the worker comes back for the reset */
		rc = virtq_pop(vq, &vb->chain);
		if (rc == 0) {
			rc = virtq_arm(vq);
			if (rc > 0)
				continue;
		}
		if (rc <= 0)
			break;
		/* 5.2.6.1: at least the header and the status byte. */
		if (vb->chain.rlen < sizeof(struct vblk_req_hdr) ||
		    vb->chain.wlen < 1) {
			vq->err = "virtio-blk request without header or status";
			break;
		}
		rc = vblk_request(vb, vq, &written);
		if (rc < 0)
			break;
		status = rc;
		if (virtq_copy_to(vq, &vb->chain, vb->chain.wlen - 1, &status, 1) != 1 ||
		    virtq_push(vq, vb->chain.head, written + 1))
			break;
		virtio_dev_signal(d, 0);
	}
	if (vq->err)
		virtio_dev_broken(d, vq->err);
}

static void vblk_release(struct virtio_dev *d)
{
	struct vblk *vb = d->priv;

	if (vb->b.release)
		vb->b.release(vb->b.opaque);
	free(vb);
}

int virtio_blk_add(struct vm *vm, const struct virtio_blk_backend *b)
{
	struct vblk *vb;

	if (!b || !b->read || !b->write || b->size % VBLK_SECTOR)
		return -EINVAL;
	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	vb->b = *b;
	vb->sectors = b->size / VBLK_SECTOR;
	vb->cfg.capacity = vb->sectors;
	vb->cfg.size_max = VBLK_SIZE_MAX;
	/* Two descriptors of a direct chain go to header and status. */
	vb->cfg.seg_max = VIRTQ_SIZE_MAX - 2;
	vb->cfg.blk_size = VBLK_SECTOR;
	vb->ops = (struct virtio_dev_ops){
		.name = "virtio-blk",
		.id = 2,
		.class_code = 0x010000, /* mass storage, SCSI (as QEMU) */
		.features = (1ull << VBLK_F_SIZE_MAX) | (1ull << VBLK_F_SEG_MAX) |
			    (1ull << VBLK_F_BLK_SIZE) | (1ull << VBLK_F_FLUSH),
		.nqueues = 1,
		.cfg_size = sizeof(vb->cfg),
		.cfg_read = vblk_cfg_read,
		.work = vblk_work,
		.release = vblk_release,
	};
	if (b->read_only)
		vb->ops.features |= 1ull << VBLK_F_RO;
	if (b->discard) {
		vb->ops.features |= 1ull << VBLK_F_DISCARD;
		vb->cfg.max_discard_sectors = VBLK_DISCARD_SECTORS_MAX;
		vb->cfg.max_discard_seg = VBLK_DISCARD_SEG_MAX;
		vb->cfg.discard_sector_alignment = 1;
	}
	vb->dev = virtio_dev_create(vm, &vb->ops, vb);
	if (!vb->dev) {
		free(vb);
		return -ENOMEM;
	}
	log_info("vm %s: virtio-blk %llu MiB%s serial '%.20s'", vm->name,
		 (unsigned long long)(b->size >> 20), b->read_only ? " (ro)" : "",
		 b->serial);
	return 0;
}
