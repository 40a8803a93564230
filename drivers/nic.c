// SPDX-License-Identifier: MIT
/*
 * The NIC registry and each NIC's thread (drivers/nic.h). Length checks,
 * counters and locking live here once, so drivers only move frames
 * between rings and buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/irq.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/nic.h"

#define NIC_POLL_PERIOD_NS NSEC_PER_SEC /* link watch when no interrupt */

static struct spinlock nic_list_lock = SPINLOCK_INIT;
static struct nic *nic_head;
static unsigned int nic_count;

static size_t nic_max_frame(const struct nic *n)
{
	return n->mtu + NIC_ETH_HLEN + NIC_VLAN_HLEN;
}

void nic_mac_fmt(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

static bool nic_has_work(void *arg)
{
	return __atomic_load_n(&((struct nic *)arg)->pending, __ATOMIC_ACQUIRE);
}

static void nic_thread(void *arg)
{
	struct nic *n = arg;

	for (;;) {
		waitq_wait_timeout(&n->wq, nic_has_work, n, NIC_POLL_PERIOD_NS);
		__atomic_store_n(&n->pending, 0, __ATOMIC_RELEASE);
		n->ops->poll(n);
	}
}

int nic_register(struct nic *n)
{
	char mac[18];
	uint64_t flags;

	if (!n->ops || !n->ops->xmit || !n->ops->poll)
		return -EINVAL;
	if (!n->mtu)
		n->mtu = NIC_MTU;
	n->wq = (struct waitq)WAITQ_INIT;
	n->tx_lock = (struct spinlock)SPINLOCK_INIT;
	flags = spin_lock_irqsave(&nic_list_lock);
	snprintf(n->name, sizeof(n->name), "vmnic%u", nic_count++);
	struct nic **p = &nic_head;
	while (*p)
		p = &(*p)->next;
	n->next = NULL;
	*p = n;
	spin_unlock_irqrestore(&nic_list_lock, flags);

	nic_mac_fmt(n->mac, mac);
	log_info("%s: %s, MAC %s, MTU %u", n->name, n->model ? n->model : "?",
		 mac, n->mtu);
	n->thread = thread_create(n->name, nic_thread, n, NULL);
	if (!n->thread) {
		log_err("%s: no thread to run it", n->name);
		return -ENOMEM;
	}
	return 0;
}

void nic_notify(struct nic *n)
{
	n->stats.irqs++;
	__atomic_store_n(&n->pending, 1, __ATOMIC_RELEASE);
	waitq_wake_one(&n->wq);
}

void nic_rx(struct nic *n, const void *frame, size_t len)
{
	if (len < NIC_MIN_FRAME || len > nic_max_frame(n) || !n->rx) {
		n->stats.rx_dropped++;
		return;
	}
	n->stats.rx_packets++;
	n->stats.rx_bytes += len;
	if (((const uint8_t *)frame)[0] & 1)
		n->stats.rx_multicast++;
	n->rx(n, frame, len, n->ctx);
}

void nic_set_link(struct nic *n, bool up, uint32_t speed_mbps,
		  bool full_duplex)
{
	bool changed = up != n->link_up;

	n->link_up = up;
	n->speed_mbps = speed_mbps;
	n->full_duplex = full_duplex;
	if (!changed)
		return;
	if (up)
		log_info("%s: link up, %u Mb/s %s duplex", n->name, speed_mbps,
			 full_duplex ? "full" : "half");
	else
		log_warn("%s: link down", n->name);
	if (n->link_changed)
		n->link_changed(n, n->ctx);
}

void nic_attach(struct nic *n,
		void (*rx)(struct nic *, const void *, size_t, void *),
		void (*link_changed)(struct nic *, void *), void *ctx)
{
	n->ctx = ctx;
	n->link_changed = link_changed;
	__atomic_store_n(&n->rx, rx, __ATOMIC_RELEASE);
}

int nic_xmit(struct nic *n, const struct nic_seg *seg, unsigned int nseg)
{
	size_t len = 0;
	int err;

	for (unsigned int i = 0; i < nseg; i++)
		len += seg[i].len;
	uint64_t flags = spin_lock_irqsave(&n->tx_lock);
	if (len < NIC_MIN_FRAME || len > nic_max_frame(n)) {
		err = -EINVAL;
	} else if (!n->link_up) {
		err = -ENETDOWN;
	} else {
		err = n->ops->xmit(n, seg, nseg, len);
	}
	if (err) {
		n->stats.tx_dropped++;
	} else {
		n->stats.tx_packets++;
		n->stats.tx_bytes += len;
	}
	spin_unlock_irqrestore(&n->tx_lock, flags);
	return err;
}

int nic_set_rx_filter(struct nic *n, const struct nic_rx_filter *f)
{
	return n->ops->set_rx_filter ? n->ops->set_rx_filter(n, f) : 0;
}

struct nic *nic_next(const struct nic *prev)
{
	return prev ? prev->next : nic_head;
}

struct nic *nic_find(const char *name)
{
	for (struct nic *n = nic_head; n; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}
