/* SPDX-License-Identifier: MIT */
/*
 * AHCI 1.3.1 SATA host bus adapters (PCI class 01:06 prog-if 01): register
 * layout, the structures the HBA reads by DMA, and the per-port state.
 * drivers/ahci.c drives them; docs/ahci.md says what and why.
 */
#ifndef KEEL_DRIVERS_AHCI_H
#define KEEL_DRIVERS_AHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mutex.h"
#include "core/thread.h"
#include "drivers/blk.h"

/* Generic host control (AHCI 1.3.1 section 3.1). */
#define AHCI_CAP 0x00
#define AHCI_GHC 0x04
#define AHCI_IS 0x08
#define AHCI_PI 0x0c
#define AHCI_VS 0x10
#define AHCI_CAP2 0x24
#define AHCI_BOHC 0x28

#define AHCI_CAP_S64A (1u << 31)
#define AHCI_CAP_SSS (1u << 27)
#define AHCI_GHC_HR (1u << 0)
#define AHCI_GHC_IE (1u << 1)
#define AHCI_GHC_AE (1u << 31)
#define AHCI_CAP2_BOH (1u << 0)
#define AHCI_BOHC_BOS (1u << 0)
#define AHCI_BOHC_OOS (1u << 1)
#define AHCI_BOHC_BB (1u << 4)

/* Port registers (3.3), at 0x100 + port * 0x80. */
#define AHCI_PORT(n) (0x100 + (n) * 0x80)
#define AHCI_PxCLB 0x00
#define AHCI_PxCLBU 0x04
#define AHCI_PxFB 0x08
#define AHCI_PxFBU 0x0c
#define AHCI_PxIS 0x10
#define AHCI_PxIE 0x14
#define AHCI_PxCMD 0x18
#define AHCI_PxTFD 0x20
#define AHCI_PxSIG 0x24
#define AHCI_PxSSTS 0x28
#define AHCI_PxSCTL 0x2c
#define AHCI_PxSERR 0x30
#define AHCI_PxCI 0x38

#define AHCI_CMD_ST (1u << 0)
#define AHCI_CMD_SUD (1u << 1)
#define AHCI_CMD_POD (1u << 2)
#define AHCI_CMD_CLO (1u << 3)
#define AHCI_CMD_FRE (1u << 4)
#define AHCI_CMD_FR (1u << 14)
#define AHCI_CMD_CR (1u << 15)

#define AHCI_PxIS_DHRS (1u << 0)
#define AHCI_PxIS_PSS (1u << 1)
#define AHCI_PxIS_SDBS (1u << 3)
#define AHCI_PxIS_TFES (1u << 30)
#define AHCI_PxIS_ERRORS 0x7d800010u /* TFES HBFS HBDS IFS OFS IPMS + UFS */

#define AHCI_TFD_BSY 0x80
#define AHCI_TFD_DRQ 0x08
#define AHCI_TFD_ERR 0x01

#define AHCI_SIG_ATA 0x00000101u
#define AHCI_SIG_ATAPI 0xeb140101u

/* Command header (4.2.2): one of 32 in the command list. */
struct ahci_cmd_hdr {
	uint32_t dw0; /* CFL 4:0, A 5, W 6, P 7, C 10, PRDTL 31:16 */
	uint32_t prdbc;
	uint32_t ctba, ctbau;
	uint32_t rsvd[4];
};

/* Physical region descriptor (4.2.3.3). */
struct ahci_prd {
	uint32_t dba, dbau, rsvd;
	uint32_t dbc; /* byte count - 1 (21:0, bit 0 set: even), I 31 */
};

#define AHCI_PRDS 72 /* a 256 KiB chunk needs at most 65 */
#define AHCI_MAX_CHUNK (256 * 1024)

/* Command table (4.2.3): 128-byte aligned. */
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t rsvd[48];
	struct ahci_prd prdt[AHCI_PRDS];
};

struct ahci_hba;

struct ahci_port {
	struct ahci_hba *hba;
	unsigned int num;
	volatile uint8_t *regs;
	struct ahci_cmd_hdr *clist;
	uint64_t clist_phys;
	uint8_t *fis;
	uint64_t fis_phys;
	struct ahci_cmd_table *ct;
	uint64_t ct_phys;
	uint8_t *bounce; /* for buffers not word aligned, and IDENTIFY */
	uint64_t bounce_phys;

	/* One command at a time: slot 0, owned by whoever holds lock. */
	struct mutex lock;
	struct waitq done_wq;  /* the interrupt wakes the issuer */

	struct blk_dev dev;
	char name[16];
	char model[41], serial[21];
	uint32_t is_seen; /* PxIS bits the interrupt handler cleared */
	uint64_t errors, timeouts;
};

struct ahci_hba {
	volatile uint8_t *regs;
	uint32_t cap;
	bool s64a;
	unsigned int index;	   /* for the disk names */
	struct ahci_port *ports[32];
};

#endif
