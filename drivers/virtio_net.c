// SPDX-License-Identifier: MIT
/*
 * virtio-net (virtio 1.1 section 5.1) as a struct nic: queue 0 receives,
 * queue 1 transmits, queue 2 is the control queue when the device has
 * one (5.1.2). No offloads are negotiated, so every frame is whole and
 * checksummed by lwIP; each frame travels with the 12-byte
 * virtio_net_hdr in front (5.1.6: with VIRTIO_F_VERSION_1 the header
 * always has num_buffers, merged buffers or not).
 *
 * Receive buffers are 2 KiB, more than header + MTU + VLAN, so a frame
 * never needs merged buffers; with VIRTIO_NET_F_MRG_RXBUF a device may
 * still split one (num_buffers > 1): those are dropped and counted.
 * Transmit copies each frame into its own buffer; sent buffers come back
 * from the used ring in xmit and poll (no TX interrupt is asked for).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/virtio_net.h"
#include "drivers/virtio_pci.h"

/* Feature bits (5.1.3). */
#define VNET_F_MAC 5
#define VNET_F_MRG_RXBUF 15
#define VNET_F_STATUS 16
#define VNET_F_CTRL_VQ 17
#define VNET_F_CTRL_RX 18
#define VNET_F_SPEED_DUPLEX 63

/* struct virtio_net_config (5.1.4) */
#define VNET_CFG_MAC 0
#define VNET_CFG_STATUS 6
#define VNET_CFG_SPEED 12
#define VNET_CFG_DUPLEX 16
#define VNET_S_LINK_UP 1

/* Control queue (5.1.6.5). */
#define VNET_CTRL_RX 0
#define VNET_CTRL_RX_PROMISC 0
#define VNET_CTRL_RX_ALLMULTI 1
#define VNET_CTRL_MAC 1
#define VNET_CTRL_MAC_TABLE_SET 0
#define VNET_OK 0
#define VNET_CTRL_TIMEOUT_NS (1 * NSEC_PER_SEC)

#define VNET_QSIZE 128
#define VNET_BUF 2048
#define VNET_MAX_NICS 4
#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_CTRLQ 2

struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct vnet_hdr) == 12, "virtio 1.1 5.1.6");

struct vnet {
	struct nic nic;
	char name[8];
	char qname[3][16];
	struct virtio_pci vp;
	struct virtq rxq, txq, ctrlq;
	bool has_ctrl;
	bool dead;
	uint8_t *rxbuf, *txbuf, *ctrl;
	uint64_t rxbuf_phys, txbuf_phys, ctrl_phys;
	uint16_t tx_free[VNET_QSIZE];
	uint16_t tx_nfree;
	struct spinlock ctrl_lock;
	char model[48];
};

static struct vnet *vnet_nics[VNET_MAX_NICS];
static unsigned int vnet_count;

struct nic *vnet_get(unsigned int i)
{
	return i < vnet_count ? &vnet_nics[i]->nic : NULL;
}

/* Cookies must be non-NULL: buffer index + 1. */
static void *vnet_cookie(uint16_t i)
{
	return (void *)(uintptr_t)(i + 1u);
}
static uint16_t vnet_index(void *cookie)
{
	return (uint16_t)((uintptr_t)cookie - 1);
}

static void vnet_irq(struct trap_frame *f, void *arg)
{
	nic_notify(&((struct vnet *)arg)->nic);
}

static int vnet_post_rx(struct vnet *v, uint16_t i)
{
	struct virtq_buf b = { v->rxbuf_phys + (uint64_t)i * VNET_BUF,
			       VNET_BUF };

	return virtq_add(&v->rxq, &b, 0, 1, vnet_cookie(i));
}

/* Steps 4-8 of 3.1.1 after virtio_pci_init; again after a reset. */
static int vnet_start(struct vnet *v)
{
	static irq_fn const fns[2] = { vnet_irq, vnet_irq };
	int rc;

	rc = virtio_pci_features(
	    &v->vp, VIRTIO_BIT(VNET_F_MAC) | VIRTIO_BIT(VNET_F_MRG_RXBUF) |
			VIRTIO_BIT(VNET_F_STATUS) | VIRTIO_BIT(VNET_F_CTRL_VQ) |
			VIRTIO_BIT(VNET_F_CTRL_RX) |
			VIRTIO_BIT(VNET_F_SPEED_DUPLEX));
	if (rc)
		return rc;
	rc = virtio_pci_irqs(&v->vp, 2, fns, v);
	if (rc && rc != -ENODEV)
		return rc;
	rc = virtio_pci_queue(&v->vp, &v->rxq, VNET_RXQ, VNET_QSIZE, 1,
			      v->qname[0]);
	if (!rc)
		rc = virtio_pci_queue(&v->vp, &v->txq, VNET_TXQ, VNET_QSIZE,
				      VIRTIO_MSI_NO_VECTOR, v->qname[1]);
	if (rc) {
		log_err("%s: queue setup failed (%d)", v->name, rc);
		return rc;
	}
	v->has_ctrl = virtio_has(&v->vp, VNET_F_CTRL_VQ) &&
		      !virtio_pci_queue(&v->vp, &v->ctrlq, VNET_CTRLQ, 16,
					VIRTIO_MSI_NO_VECTOR, v->qname[2]);
	v->tx_nfree = 0;
	for (uint16_t i = 0; i < v->txq.num; i++)
		v->tx_free[v->tx_nfree++] = i;
	for (uint16_t i = 0; i < v->rxq.num; i++)
		vnet_post_rx(v, i);
	/* Buffers may be made available before DRIVER_OK (3.1.1 note). */
	virtio_pci_driver_ok(&v->vp);
	virtq_kick(&v->rxq);
	return 0;
}

static void vnet_update_link(struct vnet *v)
{
	bool up = true;
	uint32_t speed = 0;
	bool full = true;

	if (virtio_has(&v->vp, VNET_F_STATUS))
		up = virtio_pci_cfg16(&v->vp, VNET_CFG_STATUS) & VNET_S_LINK_UP;
	if (virtio_has(&v->vp, VNET_F_SPEED_DUPLEX)) {
		uint32_t s = virtio_pci_cfg32(&v->vp, VNET_CFG_SPEED);
		uint8_t d = 0;

		virtio_pci_cfg_read(&v->vp, VNET_CFG_DUPLEX, &d, 1);
		speed = s == 0xffffffff ? 0 : s; /* unknown: 0 */
		full = d != 0; /* 0 half, 1 full, 0xff unknown */
	}
	nic_set_link(&v->nic, up && !v->dead, speed, full);
}

/*
 * NEEDS_RESET or a queue that went broken: reset, throw away what was
 * in flight (the device no longer touches it), start again. Under
 * tx_lock, so xmit never sees a half-built ring.
 */
static void vnet_restart(struct vnet *v, const char *why)
{
	uint64_t flags;

	log_warn("%s: %s: resetting the device", v->name, why);
	flags = spin_lock_irqsave(&v->nic.tx_lock);
	if (virtio_pci_reinit(&v->vp)) {
		v->dead = true;
	} else {
		virtq_drain(&v->rxq, NULL, NULL);
		virtq_drain(&v->txq, NULL, NULL);
		if (v->has_ctrl)
			virtq_drain(&v->ctrlq, NULL, NULL);
		v->dead = vnet_start(v) != 0;
	}
	spin_unlock_irqrestore(&v->nic.tx_lock, flags);
	if (v->dead)
		virtio_pci_fail(&v->vp, "reset did not bring it back");
	vnet_update_link(v);
}

/* Sent buffers back to the free stack. Under tx_lock. */
static void vnet_reclaim_tx(struct vnet *v)
{
	void *c;

	while ((c = virtq_get_used(&v->txq, NULL)))
		v->tx_free[v->tx_nfree++] = vnet_index(c);
}

static int vnet_xmit(struct nic *n, const struct nic_seg *seg,
		     unsigned int nseg, size_t len)
{
	struct vnet *v = n->priv;
	struct virtq_buf b;
	uint8_t *p;
	uint16_t i;

	if (v->dead || len + sizeof(struct vnet_hdr) > VNET_BUF)
		return -EINVAL;
	vnet_reclaim_tx(v);
	if (!v->tx_nfree)
		return -EAGAIN;
	i = v->tx_free[--v->tx_nfree];
	p = v->txbuf + (size_t)i * VNET_BUF;
	memset(p, 0, sizeof(struct vnet_hdr)); /* no offload, no GSO */
	p += sizeof(struct vnet_hdr);
	for (unsigned int k = 0; k < nseg; k++) {
		memcpy(p, seg[k].data, seg[k].len);
		p += seg[k].len;
	}
	b.phys = v->txbuf_phys + (uint64_t)i * VNET_BUF;
	b.len = sizeof(struct vnet_hdr) + len;
	if (virtq_add(&v->txq, &b, 1, 0, vnet_cookie(i))) {
		v->tx_free[v->tx_nfree++] = i;
		return -EAGAIN;
	}
	virtq_kick(&v->txq);
	return 0;
}

/* One used receive buffer: hand the frame up (or count it), re-post. */
static void vnet_rx_one(struct vnet *v, uint16_t i, uint32_t len)
{
	uint8_t *p = v->rxbuf + (size_t)i * VNET_BUF;
	struct vnet_hdr *h = (struct vnet_hdr *)p;
	uint16_t extra = 0;

	if (virtio_has(&v->vp, VNET_F_MRG_RXBUF) && h->num_buffers > 1)
		extra = h->num_buffers - 1;
	if (len < sizeof(*h) || extra) {
		v->nic.stats.rx_errors++;
	} else {
		nic_rx(&v->nic, p + sizeof(*h), len - sizeof(*h));
	}
	vnet_post_rx(v, i);
	/* A frame spread over several buffers: drop the rest of it. */
	while (extra--) {
		void *c = virtq_get_used(&v->rxq, NULL);

		if (!c)
			break;
		vnet_post_rx(v, vnet_index(c));
	}
}

static void vnet_poll(struct nic *n)
{
	struct vnet *v = n->priv;
	uint32_t len;
	uint64_t flags;
	void *c;
	int budget = 4 * VNET_QSIZE; /* leave the thread now and then */

	if (v->dead)
		return;
	if (virtio_pci_needs_reset(&v->vp))
		vnet_restart(v, "device needs a reset");
	while (budget-- > 0 && (c = virtq_get_used(&v->rxq, &len)))
		vnet_rx_one(v, vnet_index(c), len);
	virtq_kick(&v->rxq);
	if (budget <= 0)
		nic_notify(n); /* more to do: come back soon */

	flags = spin_lock_irqsave(&n->tx_lock);
	vnet_reclaim_tx(v);
	bool broken = v->rxq.broken || v->txq.broken;
	spin_unlock_irqrestore(&n->tx_lock, flags);
	if (broken)
		vnet_restart(v, "a queue is broken");
	vnet_update_link(v);
}

/*
 * One control command (5.1.6.5): class and command, @len bytes of data,
 * an ack byte the device writes. Polled with a bounded wait: commands are
 * rare and the device answers them at once.
 */
static int vnet_ctrl(struct vnet *v, uint8_t cls, uint8_t cmd, const void *data,
		     uint32_t len)
{
	struct virtq_buf b[3];
	uint64_t flags, end;
	uint8_t *ack = v->ctrl + 4095;
	int rc;

	if (!v->has_ctrl || len > 4000)
		return -EOPNOTSUPP;
	flags = spin_lock_irqsave(&v->ctrl_lock);
	v->ctrl[0] = cls;
	v->ctrl[1] = cmd;
	memcpy(v->ctrl + 2, data, len);
	*ack = 0xff;
	b[0] = (struct virtq_buf){ v->ctrl_phys, 2 };
	b[1] = (struct virtq_buf){ v->ctrl_phys + 2, len };
	b[2] = (struct virtq_buf){ v->ctrl_phys + 4095, 1 };
	rc = virtq_add(&v->ctrlq, b, 2, 1, v);
	if (!rc) {
		virtq_kick(&v->ctrlq);
		end = time_ns() + VNET_CTRL_TIMEOUT_NS;
		while (!virtq_has_used(&v->ctrlq) && !v->ctrlq.broken &&
		       time_ns() < end)
			time_delay_ns(20 * NSEC_PER_USEC);
		if (virtq_get_used(&v->ctrlq, NULL) != v) {
			log_err("%s: control command %u.%u got no answer",
				v->name, cls, cmd);
			/* Still in flight: stop using the control queue. */
			v->has_ctrl = false;
			rc = -ETIMEDOUT;
		} else if (*(volatile uint8_t *)ack != VNET_OK) {
			rc = -EIO;
		}
	}
	spin_unlock_irqrestore(&v->ctrl_lock, flags);
	return rc;
}

static int vnet_set_rx_filter(struct nic *n, const struct nic_rx_filter *f)
{
	struct vnet *v = n->priv;
	uint8_t on, table[8 + NIC_MAX_MCAST * 6];
	uint32_t nm = f->nmcast <= NIC_MAX_MCAST ? f->nmcast : 0;
	int rc;

	/* Without CTRL_RX the device receives everything; lwIP filters. */
	if (!v->has_ctrl || !virtio_has(&v->vp, VNET_F_CTRL_RX))
		return 0;
	on = f->promisc;
	rc = vnet_ctrl(v, VNET_CTRL_RX, VNET_CTRL_RX_PROMISC, &on, 1);
	on = f->all_multi || f->nmcast > NIC_MAX_MCAST;
	if (!rc)
		rc = vnet_ctrl(v, VNET_CTRL_RX, VNET_CTRL_RX_ALLMULTI, &on, 1);
	/* Two tables (5.1.6.5.2): no extra unicast, then the multicast. */
	memset(table, 0, 4);
	memcpy(table + 4, &nm, 4);
	memcpy(table + 8, f->mcast, nm * 6);
	if (!rc)
		rc = vnet_ctrl(v, VNET_CTRL_MAC, VNET_CTRL_MAC_TABLE_SET, table,
			       8 + nm * 6);
	if (rc)
		log_warn("%s: receive filter not set (%d)", v->name, rc);
	return rc;
}

static const struct nic_ops vnet_ops = {
	.xmit = vnet_xmit,
	.poll = vnet_poll,
	.set_rx_filter = vnet_set_rx_filter,
};

static int vnet_probe(struct pci_dev *d, const struct pci_match *m)
{
	struct vnet *v;
	int rc;

	if (vnet_count >= VNET_MAX_NICS)
		return -ENOSPC;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	snprintf(v->name, sizeof(v->name), "vnet%u", vnet_count);
	snprintf(v->qname[0], sizeof(v->qname[0]), "%s rx", v->name);
	snprintf(v->qname[1], sizeof(v->qname[1]), "%s tx", v->name);
	snprintf(v->qname[2], sizeof(v->qname[2]), "%s ctrl", v->name);
	v->ctrl_lock = (struct spinlock)SPINLOCK_INIT;
	rc = virtio_pci_init(&v->vp, d, v->name);
	if (rc) {
		free(v);
		return rc;
	}
	v->rxbuf =
	    dma_alloc(VNET_QSIZE * VNET_BUF, 4096, false, &v->rxbuf_phys);
	v->txbuf =
	    dma_alloc(VNET_QSIZE * VNET_BUF, 4096, false, &v->txbuf_phys);
	v->ctrl = dma_alloc(4096, 4096, false, &v->ctrl_phys);
	if (!v->rxbuf || !v->txbuf || !v->ctrl) {
		virtio_pci_fail(&v->vp, "no DMA memory");
		free(v);
		return -ENOMEM;
	}
	rc = vnet_start(v);
	if (rc) {
		/* Its interrupt vectors may point at v: keep it. */
		virtio_pci_fail(&v->vp, "setup failed");
		return rc;
	}
	if (virtio_has(&v->vp, VNET_F_MAC)) {
		virtio_pci_cfg_read(&v->vp, VNET_CFG_MAC, v->nic.mac, 6);
	} else {
		/* No MAC from the device: a locally administered one. */
		static const uint8_t local[6] = { 0x02, 'K', 'E', 'E', 'L', 0 };
		memcpy(v->nic.mac, local, 6);
		v->nic.mac[5] = vnet_count;
	}
	snprintf(v->model, sizeof(v->model), "virtio-net %04x:%04x (%s%s%s)",
		 d->vendor, d->device, v->vp.msix ? "MSI-X" : "polled",
		 virtio_has(&v->vp, VNET_F_MRG_RXBUF) ? ", mrg_rxbuf" : "",
		 v->has_ctrl ? ", ctrl" : "");
	v->nic.model = v->model;
	v->nic.ops = &vnet_ops;
	v->nic.priv = v;
	rc = nic_register(&v->nic);
	if (rc) {
		log_err("%s: nic_register failed (%d)", v->name, rc);
		virtio_pci_reset(&v->vp);
		return rc;
	}
	vnet_nics[vnet_count++] = v;
	d->driver_data = v;
	vnet_update_link(v);
	return 0;
}

static const struct pci_match vnet_ids[] = {
	PCI_ID(VIRTIO_PCI_VENDOR, 0x1041), /* modern */
	PCI_ID(VIRTIO_PCI_VENDOR, 0x1000), /* transitional, modern interface */
	PCI_MATCH_TABLE_END,
};
PCI_DRIVER(virtio_net, vnet_ids, vnet_probe);
