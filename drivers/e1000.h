/* SPDX-License-Identifier: MIT */
/*
 * Intel 8254x (82540EM, "e1000") and 82574L ("e1000e") register layout,
 * the subset drivers/e1000.c uses: legacy descriptors, which both families
 * support (PCI/PCI-X Family of Gigabit Ethernet Controllers SDM rev 4.0,
 * "8254x SDM", and 82574 GbE Controller Datasheet rev 3.4, "82574").
 */
#ifndef KEEL_DRIVERS_E1000_H
#define KEEL_DRIVERS_E1000_H

#include <stdint.h>

/* Registers (8254x SDM 13.4, 82574 10.2). */
#define E1000_CTRL 0x0000
#define E1000_STATUS 0x0008
#define E1000_EERD 0x0014
#define E1000_CTRL_EXT 0x0018
#define E1000_ICR 0x00c0
#define E1000_ITR 0x00c4
#define E1000_IMS 0x00d0
#define E1000_IMC 0x00d8
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_TIPG 0x0410
#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_RDTR 0x2820
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_MTA 0x5200 /* 128 x 32 bits */
#define E1000_RAL0 0x5400
#define E1000_RAH0 0x5404
/* Statistics, clear on read (8254x SDM 13.7). */
#define E1000_CRCERRS 0x4000
#define E1000_ALGNERRC 0x4004
#define E1000_RXERRC 0x400c
#define E1000_MPC 0x4010
#define E1000_RUC 0x40a4
#define E1000_ROC 0x40ac

#define E1000_CTRL_FD (1u << 0)
#define E1000_CTRL_LRST (1u << 3)
#define E1000_CTRL_ASDE (1u << 5)
#define E1000_CTRL_SLU (1u << 6)
#define E1000_CTRL_ILOS (1u << 7)
#define E1000_CTRL_RST (1u << 26)
#define E1000_CTRL_PHY_RST (1u << 31)

#define E1000_STATUS_FD (1u << 0)
#define E1000_STATUS_LU (1u << 1)
#define E1000_STATUS_SPEED_SHIFT 6

/* EERD differs: 8254x 5.3.1 vs 82574 10.2.2.4. */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE_8254X (1u << 4)
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_82574 (1u << 1)
#define E1000_EERD_ADDR_SHIFT_82574 2

#define E1000_ICR_TXDW (1u << 0)
#define E1000_ICR_LSC (1u << 2)
#define E1000_ICR_RXDMT0 (1u << 4)
#define E1000_ICR_RXO (1u << 6)
#define E1000_ICR_RXT0 (1u << 7)

#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_UPE (1u << 3)
#define E1000_RCTL_MPE (1u << 4)
#define E1000_RCTL_LPE (1u << 5)
#define E1000_RCTL_BAM (1u << 15)
#define E1000_RCTL_SECRC (1u << 26) /* strip the FCS */
/* BSIZE 00 with BSEX 0: 2048-byte buffers. */

#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3) /* pad short packets to 64 bytes */
#define E1000_TCTL_CT(x) ((uint32_t)(x) << 4)
#define E1000_TCTL_COLD(x) ((uint32_t)(x) << 12)

#define E1000_RAH_AV (1u << 31)

/* Legacy receive descriptor (8254x SDM 3.2.3). */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
} __attribute__((packed));

#define E1000_RXD_STAT_DD (1u << 0)
#define E1000_RXD_STAT_EOP (1u << 1)
/* CE, SE, SEQ, CXE, RXE: the frame itself is bad. */
#define E1000_RXD_ERR_FRAME 0x97

/* Legacy transmit descriptor (8254x SDM 3.3.3). */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
} __attribute__((packed));

#define E1000_TXD_CMD_EOP (1u << 0)
#define E1000_TXD_CMD_IFCS (1u << 1)
#define E1000_TXD_CMD_RS (1u << 3)
#define E1000_TXD_STAT_DD (1u << 0)

/* Multicast table array index for @mac with RCTL.MO = 00: bits 47:36 of
 * the address (8254x SDM 13.5.1). Returns 0..4095. */
static inline unsigned int e1000_mta_hash(const uint8_t mac[6])
{
	return ((mac[4] >> 4) | ((unsigned int)mac[5] << 4)) & 0xfff;
}

#endif
