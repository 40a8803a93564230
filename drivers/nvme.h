/* SPDX-License-Identifier: MIT */
/*
 * NVMe 1.4 controllers (PCI class 01:08:02): registers (NVMe 1.4 section
 * 3.1), queue entries (4.2, 4.6) and the driver's state. drivers/nvme.c;
 * docs/nvme.md.
 */
#ifndef KEEL_DRIVERS_NVME_H
#define KEEL_DRIVERS_NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mutex.h"
#include "core/thread.h"
#include "drivers/blk.h"

#define NVME_REG_CAP 0x00 /* 64-bit */
#define NVME_REG_VS 0x08
#define NVME_REG_INTMS 0x0c
#define NVME_REG_CC 0x14
#define NVME_REG_CSTS 0x1c
#define NVME_REG_AQA 0x24
#define NVME_REG_ASQ 0x28 /* 64-bit */
#define NVME_REG_ACQ 0x30 /* 64-bit */
#define NVME_REG_DBS 0x1000

#define NVME_CC_EN (1u << 0)
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)

/* Submission queue entry (4.2). */
struct nvme_sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* Completion queue entry (4.6). */
struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid;
	uint16_t cid;
	uint16_t status; /* phase bit 0, status field 15:1 */
};

#define NVME_QDEPTH 16
#define NVME_MAX_NS 8
#define NVME_MAX_CHUNK (256 * 1024) /* one PRP list page is enough */

struct nvme_queue {
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint64_t sq_phys, cq_phys;
	uint16_t qid, tail, head;
	uint16_t head_sq; /* the controller's SQ head, from completions */
	uint8_t phase;
	volatile uint32_t *sq_db, *cq_db;
};

struct nvme_ctrl;

struct nvme_ns {
	struct nvme_ctrl *ctrl;
	uint32_t nsid;
	struct blk_dev dev;
	char name[16];
};

struct nvme_ctrl {
	volatile uint8_t *regs;
	unsigned int index;
	uint64_t cap;
	uint32_t dstrd; /* doorbell stride in bytes */
	uint64_t timeout_ns; /* CAP.TO */
	bool vwc;	     /* volatile write cache present */
	uint32_t max_xfer;   /* bytes per command (MDTS, our chunk) */
	struct nvme_queue admin, io;
	uint16_t next_cid;

	/* One command at a time per controller; the owner holds lock. */
	struct mutex lock;
	struct waitq done_wq;

	uint64_t *prp_list; /* one page */
	uint64_t prp_list_phys;
	uint8_t *bounce;    /* for buffers not dword aligned, identify */
	uint64_t bounce_phys;
	char model[41], serial[21];
	struct nvme_ns ns[NVME_MAX_NS];
	unsigned int nns;
};

#endif
