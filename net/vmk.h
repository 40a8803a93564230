/* SPDX-License-Identifier: MIT */
/*
 * vmk0, the management interface: an lwIP netif over one struct nic
 * (drivers/nic.h). Works for any NIC driver; frames are copied once each
 * way between the NIC's buffers and pbufs.
 */
#ifndef KEEL_NET_VMK_H
#define KEEL_NET_VMK_H

#include <stdbool.h>
#include <stdint.h>

#include <lwip/netif.h>

#include "drivers/nic.h"

struct vmk {
	struct netif netif; /* lwIP's; under the tcpip core lock */
	struct nic *nic;
	char name[8]; /* "vmk0" */
	/* The receive filter: IPv6 multicast groups (MLD) with use counts;
	 * under the tcpip core lock. */
	struct nic_rx_filter filter;
	unsigned int mcast_refs[NIC_MAX_MCAST];
	bool mcast_overflow;
	uint16_t vlan; /* 0: untagged; written under the core lock */
	uint64_t rx_nomem, tx_errors; /* frames lost to pbuf shortage */
};

/* The NIC vmk0 should use: the first with link up, else the first. */
struct nic *vmk_pick_nic(void);
/*
 * Create the netif on @nic (not yet up, no address), attach to the NIC.
 * Call with the tcpip core lock held. 0 or a negative errno.
 */
int vmk_create(struct vmk *v, struct nic *nic);
/* Tag frames with @vid (0: none) and accept only that VLAN. Core lock. */
void vmk_set_vlan(struct vmk *v, uint16_t vid);

#endif
