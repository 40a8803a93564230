// SPDX-License-Identifier: MIT
/*
 * NVMe 1.4 driver: controller reset and enable (7.6.1), the admin queue,
 * IDENTIFY controller and namespaces, one I/O queue pair, and READ, WRITE
 * and FLUSH with PRP lists (4.3). Each active namespace becomes a blk_dev
 * "nvme<C>n<NSID>" with the namespace's LBA size.
 *
 * One command in flight per controller: Keel's disk traffic is small and
 * a single outstanding command keeps timeout handling simple (a late
 * completion is recognised by its command id and dropped). Completions
 * arrive by MSI-X (else MSI) and the issuer also polls the phase bit
 * every 10 ms, so a lost interrupt never hangs. docs/nvme.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dma.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/paging.h"
#include "core/time.h"
#include "drivers/lapic.h"
#include "drivers/nvme.h"
#include "drivers/pci.h"

#define NVME_ADM_CREATE_SQ 0x01
#define NVME_ADM_CREATE_CQ 0x05
#define NVME_ADM_IDENTIFY 0x06
#define NVME_ADM_SET_FEATURES 0x09
#define NVME_CMD_FLUSH 0x00
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ 0x02

#define NVME_ADMIN_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define NVME_IO_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define NVME_FLUSH_TIMEOUT_NS (30 * NSEC_PER_SEC)
#define NVME_POLL_NS (10 * NSEC_PER_MSEC)

static unsigned int nvme_nctrls;

static uint32_t nvme_rd(struct nvme_ctrl *c, unsigned int off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

static void nvme_wr(struct nvme_ctrl *c, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

static void nvme_wr64(struct nvme_ctrl *c, unsigned int off, uint64_t v)
{
	nvme_wr(c, off, (uint32_t)v);
	nvme_wr(c, off + 4, (uint32_t)(v >> 32));
}

static bool nvme_wait_rdy(struct nvme_ctrl *c, bool rdy)
{
	uint64_t deadline = time_ns() + c->timeout_ns;

	for (;;) {
		uint32_t csts = nvme_rd(c, NVME_REG_CSTS);

		if (csts != 0xffffffffu && !!(csts & NVME_CSTS_RDY) == rdy)
			return true;
		if (rdy && csts != 0xffffffffu && (csts & NVME_CSTS_CFS))
			return false;
		if (time_ns() > deadline)
			return false;
		thread_sleep_ns(NSEC_PER_MSEC);
	}
}

/* Status field (4.6.1.2) to errno. */
static int nvme_status_errno(uint16_t sf)
{
	unsigned int sc = sf & 0xff, sct = (sf >> 8) & 7;

	if (!sc && !sct)
		return 0;
	if (sct == 0) {
		switch (sc) {
		case 0x02: /* invalid field */
		case 0x01: /* invalid opcode */
			return -EINVAL;
		case 0x0b: /* invalid namespace or format */
			return -ENODEV;
		case 0x20: /* namespace is write protected */
			return -EROFS;
		case 0x80: /* LBA out of range */
			return -ERANGE;
		case 0x81: /* capacity exceeded */
			return -ENOSPC;
		}
	}
	return -EIO;
}

static bool nvme_cq_ready(void *arg)
{
	struct nvme_queue *q = arg;
	uint16_t st = __atomic_load_n(&q->cq[q->head].status, __ATOMIC_ACQUIRE);

	return (st & 1) == q->phase;
}

/*
 * Submit @e on @q and wait for its completion (caller holds busy). Other
 * entries found on the way (completions of commands that timed out
 * earlier) are consumed and dropped. 0, -errno from the status,
 * -ETIMEDOUT, -EBUSY (queue full of lost commands).
 */
static int nvme_exec(struct nvme_ctrl *c, struct nvme_queue *q,
		     struct nvme_sqe *e, uint64_t timeout_ns, uint32_t *dw0)
{
	uint16_t next = (q->tail + 1) % NVME_QDEPTH;
	uint64_t deadline;

	if (next == q->head_sq) {
		log_err("nvme%u: queue %u full of unanswered commands",
			c->index, q->qid);
		return -EBUSY;
	}
	e->cid = ++c->next_cid;
	q->sq[q->tail] = *e;
	q->tail = next;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->sq_db = q->tail;

	deadline = time_ns() + timeout_ns;
	for (;;) {
		while (nvme_cq_ready(q)) {
			struct nvme_cqe ce = q->cq[q->head];

			if (++q->head == NVME_QDEPTH) {
				q->head = 0;
				q->phase ^= 1;
			}
			*q->cq_db = q->head;
			q->head_sq = ce.sqhd % NVME_QDEPTH;
			if (ce.cid != e->cid) {
				log_warn("nvme%u: late completion of command "
					 "%u dropped",
					 c->index, ce.cid);
				continue;
			}
			if (dw0)
				*dw0 = ce.dw0;
			int rc = nvme_status_errno(ce.status >> 1);
			if (rc)
				log_err("nvme%u: opcode %#x (queue %u) "
					"failed: status type %u code %#x",
					c->index, e->opc, q->qid,
					(ce.status >> 9) & 7,
					(ce.status >> 1) & 0xff);
			return rc;
		}
		uint64_t now = time_ns();
		if (now >= deadline)
			break;
		waitq_wait_timeout(&c->done_wq, nvme_cq_ready, q,
				   NVME_POLL_NS);
	}
	log_err("nvme%u: opcode %#x (queue %u) timed out after %llu ms%s",
		c->index, e->opc, q->qid,
		(unsigned long long)(timeout_ns / NSEC_PER_MSEC),
		(nvme_rd(c, NVME_REG_CSTS) & NVME_CSTS_CFS)
			? "; controller fatal status set"
			: "");
	return -ETIMEDOUT;
}

/*
 * PRP1/PRP2 for [va, va + len) (4.3): PRP1 the first byte, PRP2 the
 * second page or a list of every page after the first. va dword aligned.
 */
static int nvme_prps(struct nvme_ctrl *c, const void *va, uint32_t len,
		     struct nvme_sqe *e)
{
	uintptr_t v = (uintptr_t)va;
	uint32_t first = 4096 - (v & 4095);
	unsigned int n = 0;

	e->prp1 = paging_lookup(v);
	if (!e->prp1)
		return -EFAULT;
	if (len <= first)
		return 0;
	for (uintptr_t p = (v & ~4095ull) + 4096; p < v + len; p += 4096) {
		uint64_t pa = paging_lookup(p);

		if (!pa || n == 512)
			return -EFAULT;
		c->prp_list[n++] = pa;
	}
	e->prp2 = n == 1 ? c->prp_list[0] : c->prp_list_phys;
	return 0;
}

static int nvme_xfer(struct blk_dev *dev, uint64_t lba, uint32_t n,
		     void *io, bool write)
{
	struct nvme_ns *ns = dev->priv;
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_sqe e = {
		.opc = write ? NVME_CMD_WRITE : NVME_CMD_READ,
		.nsid = ns->nsid,
		.cdw10 = (uint32_t)lba,
		.cdw11 = (uint32_t)(lba >> 32),
		.cdw12 = n - 1,
	};
	int rc = nvme_prps(c, io, n * dev->sector_size, &e);

	return rc ? rc : nvme_exec(c, &c->io, &e, NVME_IO_TIMEOUT_NS, NULL);
}

static int nvme_rw(struct blk_dev *dev, uint64_t lba, uint32_t count,
		   void *buf, bool write)
{
	struct nvme_ns *ns = dev->priv;
	struct nvme_ctrl *c = ns->ctrl;
	int rc;

	mutex_lock(&c->lock);
	/* PRP entries must be dword aligned (NVMe 1.4 4.3). */
	rc = blk_xfer_split(dev, lba, count, buf, write, c->max_xfer,
			    (uintptr_t)buf & 3 ? c->bounce : NULL, nvme_xfer);
	mutex_unlock(&c->lock);
	return rc;
}

/* Without a volatile write cache (VWC bit clear) a completed write is
 * already durable and flush has nothing to do (NVMe 1.4 6.8). */
static int nvme_flush(struct blk_dev *dev)
{
	struct nvme_ns *ns = dev->priv;
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_sqe e = { .opc = NVME_CMD_FLUSH, .nsid = ns->nsid };
	int rc;

	if (!c->vwc)
		return 0;
	mutex_lock(&c->lock);
	rc = nvme_exec(c, &c->io, &e, NVME_FLUSH_TIMEOUT_NS, NULL);
	mutex_unlock(&c->lock);
	return rc;
}

static const struct blk_ops nvme_ops = {
	.rw = nvme_rw,
	.flush = nvme_flush,
};

static int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *dw0)
{
	return nvme_exec(c, &c->admin, e, NVME_ADMIN_TIMEOUT_NS, dw0);
}

static int nvme_identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe e = { .opc = NVME_ADM_IDENTIFY, .nsid = nsid,
			      .prp1 = c->bounce_phys, .cdw10 = cns };

	memset(c->bounce, 0, 4096);
	return nvme_admin(c, &e, NULL);
}

static int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q,
			    uint16_t qid)
{
	q->sq = dma_alloc(NVME_QDEPTH * sizeof(struct nvme_sqe), 4096, false,
			  &q->sq_phys);
	q->cq = dma_alloc(NVME_QDEPTH * sizeof(struct nvme_cqe), 4096, false,
			  &q->cq_phys);
	if (!q->sq || !q->cq)
		return -ENOMEM;
	q->qid = qid;
	q->tail = q->head = q->head_sq = 0;
	q->phase = 1;
	q->sq_db = (volatile uint32_t *)(c->regs + NVME_REG_DBS +
					 2 * qid * c->dstrd);
	q->cq_db = (volatile uint32_t *)(c->regs + NVME_REG_DBS +
					 (2 * qid + 1) * c->dstrd);
	return 0;
}

static void nvme_irq(struct trap_frame *f, void *arg)
{
	(void)f;
	waitq_wake_all(&((struct nvme_ctrl *)arg)->done_wq);
}

/* 7.6.1: disable, program the admin queue, enable, wait for ready. */
static int nvme_enable(struct nvme_ctrl *c)
{
	uint32_t cc = nvme_rd(c, NVME_REG_CC);

	if (cc & NVME_CC_EN)
		nvme_wr(c, NVME_REG_CC, cc & ~NVME_CC_EN);
	if (!nvme_wait_rdy(c, false)) {
		log_err("nvme%u: controller did not stop (CSTS %#x)",
			c->index, nvme_rd(c, NVME_REG_CSTS));
		return -ETIMEDOUT;
	}
	nvme_wr(c, NVME_REG_AQA, (NVME_QDEPTH - 1) | (NVME_QDEPTH - 1) << 16);
	nvme_wr64(c, NVME_REG_ASQ, c->admin.sq_phys);
	nvme_wr64(c, NVME_REG_ACQ, c->admin.cq_phys);
	/* IOCQES 4 (16 bytes), IOSQES 6 (64), MPS 0 (4 KiB), NVM set. */
	nvme_wr(c, NVME_REG_CC, NVME_CC_EN | 6u << 16 | 4u << 20);
	if (!nvme_wait_rdy(c, true)) {
		log_err("nvme%u: controller not ready (CSTS %#x)", c->index,
			nvme_rd(c, NVME_REG_CSTS));
		return -ETIMEDOUT;
	}
	return 0;
}

static int nvme_setup_io(struct nvme_ctrl *c)
{
	struct nvme_sqe e;
	int rc;

	/* Set Features, Number of Queues (5.21.1.7): one pair. */
	e = (struct nvme_sqe){ .opc = NVME_ADM_SET_FEATURES, .cdw10 = 0x07 };
	rc = nvme_admin(c, &e, NULL);
	if (rc)
		return rc;
	rc = nvme_queue_alloc(c, &c->io, 1);
	if (rc)
		return rc;
	/* Create I/O CQ (5.3): physically contiguous, interrupts on, IV 0. */
	e = (struct nvme_sqe){ .opc = NVME_ADM_CREATE_CQ,
			       .prp1 = c->io.cq_phys,
			       .cdw10 = (NVME_QDEPTH - 1) << 16 | 1,
			       .cdw11 = 1u << 1 | 1u };
	rc = nvme_admin(c, &e, NULL);
	if (rc)
		return rc;
	e = (struct nvme_sqe){ .opc = NVME_ADM_CREATE_SQ,
			       .prp1 = c->io.sq_phys,
			       .cdw10 = (NVME_QDEPTH - 1) << 16 | 1,
			       .cdw11 = 1u << 16 | 1u };
	return nvme_admin(c, &e, NULL);
}

static void nvme_add_ns(struct nvme_ctrl *c, uint32_t nsid)
{
	struct nvme_ns *ns = &c->ns[c->nns];
	const uint8_t *id = c->bounce;
	uint64_t nsze;
	uint32_t lbaf;
	unsigned int fmt, lbads;

	if (nvme_identify(c, 0, nsid))
		return;
	memcpy(&nsze, id, 8);
	fmt = id[26] & 0xf;
	memcpy(&lbaf, id + 128 + 4 * fmt, 4);
	lbads = (lbaf >> 16) & 0xff;
	if (!nsze || lbads < 9 || lbads > 16 || (lbaf & 0xffff)) {
		log_warn("nvme%u: namespace %u: %llu blocks, LBA format %u "
			 "(2^%u bytes, %u metadata bytes) unusable; skipped",
			 c->index, nsid, (unsigned long long)nsze, fmt, lbads,
			 lbaf & 0xffff);
		return;
	}
	ns->ctrl = c;
	ns->nsid = nsid;
	snprintf(ns->name, sizeof(ns->name), "nvme%un%u", c->index, nsid);
	ns->dev.name = ns->name;
	ns->dev.sector_size = 1u << lbads;
	ns->dev.sectors = nsze;
	ns->dev.ops = &nvme_ops;
	ns->dev.priv = ns;
	c->nns++;
	log_info("nvme: %s: %llu MiB, %u-byte blocks", ns->name,
		 (unsigned long long)(nsze << lbads >> 20), 1u << lbads);
	if (blk_register(&ns->dev))
		log_err("nvme: %s: blk_register failed", ns->name);
}

static int nvme_probe(struct pci_dev *d, const struct pci_match *m)
{
	struct nvme_ctrl *c;
	uint32_t nsids[NVME_MAX_NS];
	uint64_t phys;
	uint8_t mdts;
	int vec, rc;

	(void)m;
	if (d->prog_if != 0x02)
		return -ENODEV;
	c = dma_alloc(sizeof(*c), 64, false, &phys);
	if (!c)
		return -ENOMEM;
	c->regs = pci_map_bar(d, 0);
	if (!c->regs) {
		log_warn("nvme: %02x:%02x.%x: BAR0 unusable", d->bus, d->dev,
			 d->fn);
		return -EIO;
	}
	pci_enable(d, true, false, true);
	c->index = nvme_nctrls;
	c->lock = (struct mutex)MUTEX_INIT;
	c->done_wq = (struct waitq)WAITQ_INIT;
	c->cap = nvme_rd(c, NVME_REG_CAP) |
		 (uint64_t)nvme_rd(c, NVME_REG_CAP + 4) << 32;
	c->dstrd = 4u << ((c->cap >> 32) & 0xf);
	c->timeout_ns = (((c->cap >> 24) & 0xff) + 1) * 500 * NSEC_PER_MSEC;
	if ((c->cap >> 48) & 0xf) {
		log_warn("nvme: controller needs pages larger than 4 KiB "
			 "(MPSMIN %u); ignored",
			 (unsigned int)((c->cap >> 48) & 0xf));
		return -EOPNOTSUPP;
	}
	if ((c->cap & 0xffff) + 1 < NVME_QDEPTH) {
		log_warn("nvme: queues of %u entries too small; ignored",
			 (unsigned int)(c->cap & 0xffff) + 1);
		return -EOPNOTSUPP;
	}
	c->prp_list = dma_alloc(4096, 4096, false, &c->prp_list_phys);
	c->bounce = dma_alloc(NVME_MAX_CHUNK, 4096, false, &c->bounce_phys);
	if (!c->prp_list || !c->bounce ||
	    nvme_queue_alloc(c, &c->admin, 0))
		return -ENOMEM;
	rc = nvme_enable(c);
	if (rc)
		return rc;
	nvme_nctrls++;

	vec = irq_alloc(nvme_irq, c);
	if (vec < 0 ||
	    (pci_msix_enable(d, 1, &(uint8_t){ vec }, lapic_id()) &&
	     pci_msi_enable(d, vec, lapic_id())))
		log_warn("nvme%u: no MSI-X or MSI; completions are polled "
			 "every 10 ms",
			 c->index);

	rc = nvme_identify(c, 1, 0);
	if (rc)
		return rc;
	blk_ident_string(c->bounce + 24, 40, false, c->model);
	blk_ident_string(c->bounce + 4, 20, false, c->serial);
	mdts = c->bounce[77];
	c->vwc = c->bounce[525] & 1;
	c->max_xfer = NVME_MAX_CHUNK;
	if (mdts && mdts < 16 && (4096u << mdts) < c->max_xfer)
		c->max_xfer = 4096u << mdts;
	{
		uint32_t vs = nvme_rd(c, NVME_REG_VS);
		log_info("nvme%u: NVMe %u.%u.%u \"%s\" serial \"%s\", max "
			 "transfer %u KiB, %svolatile write cache",
			 c->index, vs >> 16, (vs >> 8) & 0xff, vs & 0xff,
			 c->model, c->serial, c->max_xfer / 1024,
			 c->vwc ? "" : "no ");
	}
	rc = nvme_setup_io(c);
	if (rc) {
		log_err("nvme%u: I/O queues not created (%d)", c->index, rc);
		return rc;
	}
	/* Active namespace list (CNS 02h), first NVME_MAX_NS of them. */
	rc = nvme_identify(c, 2, 0);
	if (rc)
		return rc;
	memcpy(nsids, c->bounce, sizeof(nsids));
	for (unsigned int i = 0; i < NVME_MAX_NS && nsids[i]; i++)
		nvme_add_ns(c, nsids[i]);
	d->driver_data = c;
	return 0;
}

static const struct pci_match nvme_ids[] = {
	PCI_CLASS(0x01, 0x08),
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(nvme, nvme_ids, nvme_probe);
