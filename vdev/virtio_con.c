// SPDX-License-Identifier: MIT
/*
 * virtio-console (virtio v1.1 section 5.3), one port without
 * VIRTIO_CONSOLE_F_MULTIPORT: queue 0 receiveq (host -> guest), queue 1
 * transmitq (guest -> host); Linux makes it hvc0. The worker thread
 * hands transmitted bytes to the tx callback and moves host input from
 * a small backlog into the receive buffers the driver posted; input
 * that finds the backlog full is refused (virtio_con_push returns less),
 * as a UART's FIFO overruns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/virtio.h"
#include "vdev/virtio_pci.h"

#define VCON_RXQ 0
#define VCON_TXQ 1
#define VCON_BACKLOG 4096
#define VCON_CHUNK 1024

/* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports,
 * emerg_wr; only meaningful with features we do not offer. */
#define VCON_CFG_SIZE 12

struct virtio_con {
	struct virtio_dev *dev;
	struct virtio_dev_ops ops;
	void (*tx)(void *opaque, const uint8_t *buf, size_t len);
	void *opaque;
	struct spinlock lock; /* the backlog */
	uint8_t backlog[VCON_BACKLOG];
	unsigned int head, count;
	struct virtq_chain chain;
	uint8_t buf[VCON_CHUNK];
};

static void vcon_cfg_read(struct virtio_dev *d, uint32_t off, void *buf,
			  unsigned int size)
{
	static const uint8_t cfg[VCON_CFG_SIZE] = { [4] = 1 }; /* 1 port */

	memcpy(buf, cfg + off, size);
}

/* Guest output: each chain's readable bytes go to tx (5.3.6.1). */
static int vcon_transmit(struct virtio_con *c, struct virtq_dev *vq)
{
	uint64_t off;
	long n;
	int rc;

	for (;;) {
		rc = virtq_pop(vq, &c->chain);
		if (rc == 0) {
			rc = virtq_arm(vq);
			if (rc > 0)
				continue;
		}
		if (rc <= 0)
			return rc;
		for (off = 0; off < c->chain.rlen; off += n) {
			n = virtq_copy_from(vq, &c->chain, off, c->buf,
					    sizeof(c->buf));
			if (n <= 0)
				return -EIO;
			if (c->tx)
				c->tx(c->opaque, c->buf, n);
		}
		if (virtq_push(vq, c->chain.head, 0))
			return -EIO;
		virtio_dev_signal(c->dev, VCON_TXQ);
	}
}

/* Take up to @max bytes off the backlog into c->buf. */
static unsigned int vcon_take(struct virtio_con *c, unsigned int max)
{
	unsigned int n, i;

	spin_lock(&c->lock);
	n = c->count < max ? c->count : max;
	for (i = 0; i < n; i++)
		c->buf[i] = c->backlog[(c->head + i) % VCON_BACKLOG];
	spin_unlock(&c->lock);
	return n;
}

static void vcon_drop(struct virtio_con *c, unsigned int n)
{
	spin_lock(&c->lock);
	c->head = (c->head + n) % VCON_BACKLOG;
	c->count -= n;
	spin_unlock(&c->lock);
}

/* Host input: fill posted receive buffers while there is some. */
static int vcon_receive(struct virtio_con *c, struct virtq_dev *vq)
{
	unsigned int n, max;
	int rc;

	while (__atomic_load_n(&c->count, __ATOMIC_ACQUIRE)) {
		rc = virtq_pop(vq, &c->chain);
		if (rc == 0) {
			/* No buffer: the driver's next notify brings us
			 * back (armed), the bytes wait in the backlog. */
			rc = virtq_arm(vq);
			if (rc > 0)
				continue;
		}
		if (rc <= 0)
			return rc;
		max = c->chain.wlen < sizeof(c->buf) ? c->chain.wlen : sizeof(c->buf);
		n = vcon_take(c, max);
		if (virtq_copy_to(vq, &c->chain, 0, c->buf, n) != (long)n ||
		    virtq_push(vq, c->chain.head, n))
			return -EIO;
		vcon_drop(c, n);
		virtio_dev_signal(c->dev, VCON_RXQ);
	}
	return 0;
}

static void vcon_work(struct virtio_dev *d, uint32_t kicked)
{
	struct virtio_con *c = d->priv;
	struct virtq_dev *vq;

	vq = virtio_dev_queue(d, VCON_TXQ);
	if (vq && vcon_transmit(c, vq) < 0)
		virtio_dev_broken(d, vq->err ? vq->err : "transmitq");
	vq = virtio_dev_queue(d, VCON_RXQ);
	if (vq && vcon_receive(c, vq) < 0)
		virtio_dev_broken(d, vq->err ? vq->err : "receiveq");
}

size_t virtio_con_push(struct virtio_con *c, const uint8_t *buf, size_t len)
{
	size_t n, i;

	if (!c)
		return 0;
	spin_lock(&c->lock);
	n = VCON_BACKLOG - c->count;
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		c->backlog[(c->head + c->count + i) % VCON_BACKLOG] = buf[i];
	c->count += n;
	spin_unlock(&c->lock);
	if (n)
		virtio_dev_kick(c->dev, VCON_RXQ);
	return n;
}

static void vcon_release(struct virtio_dev *d)
{
	free(d->priv);
}

struct virtio_con *virtio_con_add(struct vm *vm,
				  void (*tx)(void *opaque, const uint8_t *buf,
					     size_t len),
				  void *opaque)
{
	struct virtio_con *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tx = tx;
	c->opaque = opaque;
	c->lock = (struct spinlock)SPINLOCK_INIT;
	c->ops = (struct virtio_dev_ops){
		.name = "virtio-console",
		.id = 3,
		.class_code = 0x078000, /* simple communication, other */
		.nqueues = 2,
		.cfg_size = VCON_CFG_SIZE,
		.cfg_read = vcon_cfg_read,
		.work = vcon_work,
		.release = vcon_release,
	};
	c->dev = virtio_dev_create(vm, &c->ops, c);
	if (!c->dev) {
		free(c);
		return NULL;
	}
	return c;
}
