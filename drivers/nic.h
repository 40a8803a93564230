/* SPDX-License-Identifier: MIT */
/*
 * One interface for every host network adapter (e1000, e1000e, virtio-net).
 * A driver fills a struct nic and calls nic_register(); the consumer (net/:
 * the lwIP management netif, later the virtual switch) attaches with
 * nic_attach() and sends with nic_xmit(). Drivers know nothing of lwIP and
 * the consumer knows nothing of rings: frames cross this boundary as
 * plain bytes (Ethernet header on, FCS off), copied once each way.
 *
 * Each NIC gets a thread ("vmnic0"): the interrupt handler only calls
 * nic_notify(), and the thread runs ops->poll, which reaps the rings,
 * hands each received frame to nic_rx() and reports link changes with
 * nic_set_link(). So no driver code but the interrupt acknowledge runs in
 * interrupt context, and the consumer's rx callback may block.
 */
#ifndef KEEL_DRIVERS_NIC_H
#define KEEL_DRIVERS_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/thread.h"

#define NIC_ETH_HLEN 14
#define NIC_VLAN_HLEN 4
#define NIC_MTU 1500
#define NIC_MIN_FRAME 14   /* shorter: not even a header (a runt) */
#define NIC_MAX_MCAST 16   /* exact multicast filter entries */

struct nic;

/* A piece of a frame to send (lwIP hands over pbuf chains). */
struct nic_seg {
	const void *data;
	size_t len;
};

/* What the adapter should accept besides its own unicast and broadcast. */
struct nic_rx_filter {
	bool promisc;
	bool all_multi; /* every multicast (also used when the list overflows) */
	unsigned int nmcast;
	uint8_t mcast[NIC_MAX_MCAST][6];
};

struct nic_stats {
	uint64_t rx_packets, rx_bytes, rx_multicast;
	uint64_t rx_dropped; /* no buffer, no consumer, runt or oversized */
	uint64_t rx_errors;  /* the adapter reported CRC/length errors */
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_dropped; /* ring full, link down, bad length */
	uint64_t tx_errors;
	uint64_t irqs;
};

struct nic_ops {
	/*
	 * Queue one frame, the concatenation of @seg[0..nseg), whose length
	 * nic_xmit already checked (NIC_MIN_FRAME..mtu + headers). Called
	 * under nic->tx_lock with interrupts off. 0 or -EAGAIN (ring full).
	 */
	int (*xmit)(struct nic *n, const struct nic_seg *seg, unsigned int nseg,
		    size_t len);
	/*
	 * In the NIC's thread, after nic_notify() and once a second: hand
	 * received frames to nic_rx(), reclaim sent buffers (take tx_lock for
	 * state xmit shares), re-arm interrupts, nic_set_link() on changes.
	 */
	void (*poll)(struct nic *n);
	/* Program the receive filter; may be NULL (then: all multicast). */
	int (*set_rx_filter)(struct nic *n, const struct nic_rx_filter *f);
};

struct nic {
	/* Set by the driver before nic_register, constant afterwards. */
	const char *model; /* "Intel 82540EM (e1000)" */
	uint8_t mac[6];
	uint16_t mtu;	   /* 0: NIC_MTU */
	const struct nic_ops *ops;
	void *priv;

	/* Link state: written by nic_set_link() from the NIC thread. */
	bool link_up;
	uint32_t speed_mbps;
	bool full_duplex;

	struct nic_stats stats; /* rx side: NIC thread; tx side: tx_lock */
	struct spinlock tx_lock;

	/* The consumer, set by nic_attach(). */
	void (*rx)(struct nic *n, const void *frame, size_t len, void *ctx);
	void (*link_changed)(struct nic *n, void *ctx);
	void *ctx;

	/* Owned by drivers/nic.c. */
	char name[12];	      /* "vmnic0", in registration order */
	struct thread *thread;
	struct waitq wq;
	int pending;	      /* nic_notify() since the last poll */
	struct nic *next;
};

/*
 * Name the NIC (vmnicN), log it, start its thread and add it to the list.
 * -EINVAL without ops->xmit/poll; -ENOMEM if no thread could start.
 */
int nic_register(struct nic *n);
/* From the driver's interrupt handler: run ops->poll soon. */
void nic_notify(struct nic *n);
/*
 * From ops->poll: one received frame (Ethernet header on, FCS off). Runts
 * and frames over mtu + headers are counted as dropped, not delivered.
 */
void nic_rx(struct nic *n, const void *frame, size_t len);
/* From ops->poll (or probe): the link state now; logs and tells the
 * consumer when it changed. */
void nic_set_link(struct nic *n, bool up, uint32_t speed_mbps,
		  bool full_duplex);

/* The consumer's side. */
void nic_attach(struct nic *n,
		void (*rx)(struct nic *, const void *, size_t, void *),
		void (*link_changed)(struct nic *, void *), void *ctx);
/*
 * Send one frame. 0, -EINVAL (length out of range), -ENETDOWN (link down),
 * -EAGAIN (ring full; counted as dropped). Safe from any thread.
 */
int nic_xmit(struct nic *n, const struct nic_seg *seg, unsigned int nseg);
int nic_set_rx_filter(struct nic *n, const struct nic_rx_filter *f);
struct nic *nic_next(const struct nic *prev); /* NULL: the first */
struct nic *nic_find(const char *name);
/* "52:54:00:12:34:56" into @buf (18 bytes). */
void nic_mac_fmt(const uint8_t mac[6], char buf[18]);

#endif
