// SPDX-License-Identifier: MIT
/*
 * The virtio-pci transport, modern only (vdev/virtio_pci.h). Section
 * numbers are virtio v1.1's: 4.1.2 PCI IDs, 4.1.4 the capabilities,
 * 4.1.4.3 common configuration, 4.1.4.4 notification, 4.1.4.5 ISR,
 * 4.1.4.7 the PCI configuration access capability, 4.1.5.1.3 queue
 * setup, 3.1.1 driver initialization (FEATURES_OK), 2.1.2 NEEDS_RESET.
 *
 * Linux 6.1 (drivers/virtio/virtio_pci_modern_dev.c) is the first
 * customer: it wants vendor 0x1af4 with device 0x1040 + ID, the common,
 * notify and ISR capabilities (device cfg optional) each inside a
 * memory BAR long enough for it, reads notify_off_multiplier and
 * queue_notify_off, refuses a queue whose size reads 0 or that is
 * already enabled, reads queue_msix_vector back (NO_VECTOR = failed),
 * and after writing 0 to device_status polls until it reads 0.
 */
#include "vdev/virtio_pci.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/vm.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* 4.1.2.1: non-transitional */
#define PCI_CAP_VNDR 0x09
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x04

/* cfg_type of struct virtio_pci_cap (4.1.4). */
enum {
	VIRTIO_CAP_COMMON = 1,
	VIRTIO_CAP_NOTIFY = 2,
	VIRTIO_CAP_ISR = 3,
	VIRTIO_CAP_DEVICE = 4,
	VIRTIO_CAP_PCI_CFG = 5,
};

/* struct virtio_pci_cap without cap_vndr and cap_next (vpci adds those),
 * plus the notify multiplier or the pci_cfg_data window. */
struct virtio_cap_body {
	uint8_t cap_len, cfg_type, bar, id, pad[2];
	uint32_t offset, length;
	uint32_t extra;
} __attribute__((packed));

static void virtio_reset_state(struct virtio_dev *d)
{
	unsigned int i;

	d->status = 0;
	d->isr = 0;
	d->dfeat_sel = d->gfeat_sel = 0;
	d->guest_features = 0;
	d->msix_config = VIRTIO_NO_VECTOR;
	d->queue_sel = 0;
	d->broken_logged = false;
	for (i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		memset(&d->q[i], 0, sizeof(d->q[i]));
		d->q[i].size = VIRTQ_SIZE_MAX; /* 4.1.4.3: reset value = max */
		d->q[i].msix = VIRTIO_NO_VECTOR;
	}
}

void virtio_dev_kick(struct virtio_dev *d, unsigned int q)
{
	__atomic_fetch_or(&d->kicks, 1u << q, __ATOMIC_SEQ_CST);
	waitq_wake_all(&d->wq);
}

static void virtio_kick_all(struct virtio_dev *d)
{
	__atomic_fetch_or(&d->kicks, (1u << d->ops->nqueues) - 1,
			  __ATOMIC_SEQ_CST);
	waitq_wake_all(&d->wq);
}

/* ---- Common configuration (4.1.4.3) ------------------------------------ */

static struct virtio_queue *virtio_sel_queue(struct virtio_dev *d)
{
	return d->queue_sel < d->ops->nqueues ? &d->q[d->queue_sel] : NULL;
}

/* Field at @off (its start) read as a whole; lock held. */
static uint64_t virtio_common_get(struct virtio_dev *d, unsigned int off)
{
	struct virtio_queue *q = virtio_sel_queue(d);

	switch (off) {
	case 0x00:
		return d->dfeat_sel;
	case 0x04:
		return d->dfeat_sel < 2 ? (uint32_t)(d->offered >> (32 * d->dfeat_sel)) : 0;
	case 0x08:
		return d->gfeat_sel;
	case 0x0c:
		return d->gfeat_sel < 2 ? (uint32_t)(d->guest_features >> (32 * d->gfeat_sel)) : 0;
	case 0x10:
		return d->msix_config;
	case 0x12:
		return d->ops->nqueues;
	case 0x14:
		return d->status;
	case 0x15:
		return d->config_gen;
	case 0x16:
		return d->queue_sel;
	}
	if (!q)
		return 0; /* 4.1.4.3.2: a queue that does not exist has size 0 */
	switch (off) {
	case 0x18:
		return q->size;
	case 0x1a:
		return q->msix;
	case 0x1c:
		return q->enabled;
	case 0x1e:
		return d->queue_sel; /* queue_notify_off */
	case 0x20:
		return q->desc;
	case 0x28:
		return q->driver;
	case 0x30:
		return q->device;
	}
	return 0;
}

/* 3.1.1 step 5: FEATURES_OK only for a subset of what we offered that
 * includes VERSION_1 (a modern device cannot work without it, 6.1). */
static bool virtio_features_ok(struct virtio_dev *d)
{
	uint64_t g = d->guest_features;

	return !(g & ~d->offered) && (g & (1ull << VIRTIO_F_VERSION_1));
}

static uint16_t virtio_vector(struct virtio_dev *d, uint16_t v)
{
	/* 4.1.5.1.2.1: an unmappable vector reads back as NO_VECTOR. */
	return v < d->pci.msix_vectors ? v : VIRTIO_NO_VECTOR;
}

/* Apply a write of the whole field at @off; lock held. Returns a reason
 * to break the device (NULL: fine); *kick: the worker should look. */
static const char *virtio_common_set(struct virtio_dev *d, unsigned int off,
				     uint64_t v, bool *kick)
{
	struct virtio_queue *q = virtio_sel_queue(d);
	bool locked = d->status & VIRTIO_S_FEATURES_OK;
	uint64_t mask;

	switch (off) {
	case 0x00:
		d->dfeat_sel = v;
		return NULL;
	case 0x08:
		d->gfeat_sel = v;
		return NULL;
	case 0x0c:
		/* 3.1.1: features are fixed once FEATURES_OK is set. */
		if (d->gfeat_sel < 2 && !locked) {
			mask = 0xffffffffull << (32 * d->gfeat_sel);
			d->guest_features = (d->guest_features & ~mask) |
					    ((v << (32 * d->gfeat_sel)) & mask);
		}
		return NULL;
	case 0x10:
		d->msix_config = virtio_vector(d, v);
		return NULL;
	case 0x14:
		/* Writing 0 (reset) is done by the caller. The driver only
		 * sets bits; NEEDS_RESET is the device's. */
		v = (v & ~VIRTIO_S_NEEDS_RESET) |
		    (d->status & VIRTIO_S_NEEDS_RESET);
		if ((v & VIRTIO_S_FEATURES_OK) && !locked &&
		    !virtio_features_ok(d))
			v &= ~VIRTIO_S_FEATURES_OK;
		if ((v & VIRTIO_S_DRIVER_OK) && !(d->status & VIRTIO_S_DRIVER_OK))
			*kick = true;
		d->status = v;
		return NULL;
	case 0x16:
		d->queue_sel = v;
		return NULL;
	}
	/* 4.1.4.3.2: the queue's setup is fixed once it is enabled. */
	if (!q || q->enabled)
		return NULL;
	switch (off) {
	case 0x18:
		q->size = v;
		break;
	case 0x1a:
		q->msix = virtio_vector(d, v);
		break;
	case 0x1c:
		if (v != 1) /* 4.1.4.3.2: the driver never writes 0 */
			break;
		q->enabled = true;
		if (virtq_dev_init(&q->vq, d->vm->mem, q->size, q->desc, q->driver,
			       q->device,
			       d->guest_features & (1ull << VIRTIO_F_RING_EVENT_IDX),
			       d->guest_features &
				       (1ull << VIRTIO_F_RING_INDIRECT_DESC)))
			return q->vq.err;
		*kick = true;
		break;
	case 0x20:
		q->desc = v;
		break;
	case 0x28:
		q->driver = v;
		break;
	case 0x30:
		q->device = v;
		break;
	}
	return NULL;
}

static const struct {
	uint8_t off, width;
} virtio_common_fields[] = {
	{ 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 },
	{ 0x12, 2 }, { 0x14, 1 }, { 0x15, 1 }, { 0x16, 2 }, { 0x18, 2 },
	{ 0x1a, 2 }, { 0x1c, 2 }, { 0x1e, 2 }, { 0x20, 8 }, { 0x28, 8 },
	{ 0x30, 8 },
};

/*
 * 4.1.3.1: fields are accessed with their own width; the 64-bit ones
 * may also be written as two 32-bit halves (Linux does). An access that
 * straddles fields reads 0 and is dropped.
 */
static void virtio_common(struct virtio_dev *d, unsigned int off,
			  unsigned int size, bool write, uint64_t *data)
{
	const char *broken = NULL;
	bool kick = false, reset = false;
	unsigned int i, shift;
	uint64_t cur, mask;

	for (i = 0; i < sizeof(virtio_common_fields) / sizeof(virtio_common_fields[0]); i++)
		if (off >= virtio_common_fields[i].off &&
		    off + size <= virtio_common_fields[i].off +
					  virtio_common_fields[i].width)
			break;
	if (i == sizeof(virtio_common_fields) / sizeof(virtio_common_fields[0])) {
		if (!write)
			*data = 0;
		return;
	}
	shift = 8 * (off - virtio_common_fields[i].off);
	mask = size == 8 ? ~0ull : ((1ull << (8 * size)) - 1) << shift;
	off = virtio_common_fields[i].off;

	spin_lock(&d->lock);
	cur = virtio_common_get(d, off);
	if (!write) {
		*data = (cur & mask) >> shift;
	} else if (d->reset_pending) {
		/* 4.1.4.3.2: the driver waits for the reset to finish. */
	} else if (off == 0x14 && !(*data & 0xff)) {
		/* 2.4.1 reset: the worker finishes it once no request is
		 * in flight; until then device_status reads the old value. */
		d->reset_pending = true;
		reset = true;
	} else {
		cur = (cur & ~mask) | ((*data << shift) & mask);
		broken = virtio_common_set(d, off, cur, &kick);
	}
	spin_unlock(&d->lock);
	if (reset)
		waitq_wake_all(&d->wq);
	if (kick)
		virtio_kick_all(d);
	if (broken)
		virtio_dev_broken(d, broken);
}

/* ---- The BAR ------------------------------------------------------------ */

int virtio_dev_bar(struct vpci_dev *p, unsigned int bar, uint64_t off,
		   unsigned int size, bool write, uint64_t *data)
{
	struct virtio_dev *d = p->opaque;
	uint8_t buf[8] = { 0 };

	if (off < VIRTIO_ISR_OFF) {
		virtio_common(d, off, size, write, data);
		return 0;
	}
	if (off < VIRTIO_DEVCFG_OFF) {
		/* 4.1.4.5: reading the ISR status clears it. */
		if (!write) {
			spin_lock(&d->lock);
			*data = off == VIRTIO_ISR_OFF ? d->isr : 0;
			if (off == VIRTIO_ISR_OFF)
				d->isr = 0;
			spin_unlock(&d->lock);
		}
		return 0;
	}
	if (off < VIRTIO_NOTIFY_OFF) {
		off -= VIRTIO_DEVCFG_OFF;
		if (off + size > d->ops->cfg_size) {
			if (!write)
				*data = 0;
			return 0;
		}
		if (write) {
			memcpy(buf, data, size);
			if (d->ops->cfg_write)
				d->ops->cfg_write(d, off, buf, size);
		} else {
			d->ops->cfg_read(d, off, buf, size);
			*data = 0;
			memcpy(data, buf, size);
		}
		return 0;
	}
	if (off < VIRTIO_MSIX_OFF) {
		/* 4.1.4.4: queue n's doorbell is at n * multiplier; the
		 * value written (the queue index) adds nothing. */
		off -= VIRTIO_NOTIFY_OFF;
		if (write && off / VIRTIO_NOTIFY_MULT < d->ops->nqueues)
			virtio_dev_kick(d, off / VIRTIO_NOTIFY_MULT);
		else if (!write)
			*data = 0;
		return 0;
	}
	if (!write)
		*data = 0;
	return 0;
}

/*
 * Config space writes (vpci tells us after applying them): Bus Master
 * Enable turned on lets the worker retry what it left, and the
 * VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.7) forwards pci_cfg_data to the
 * BAR. vpci answers config reads from its copy, so the window's data is
 * refreshed when the driver points it somewhere (bar/offset/length),
 * i.e. read at that moment; firmware that uses it (to reach a BAR above
 * 4 GiB) writes the window and then reads the data, which works.
 */
static void virtio_cfg_write(struct vpci_dev *p, unsigned int off,
			     unsigned int size, uint32_t val)
{
	struct virtio_dev *d = p->opaque;
	unsigned int cap = d->pcicfg_cap, end = off + size;
	uint32_t boff, blen;
	uint64_t v = 0;

	if (off <= PCI_COMMAND && end > PCI_COMMAND &&
	    (p->cfg[PCI_COMMAND] & PCI_COMMAND_MASTER))
		virtio_kick_all(d);
	if (!cap || end <= cap + 4 || off >= cap + 20)
		return;
	memcpy(&boff, &p->cfg[cap + 8], 4);
	memcpy(&blen, &p->cfg[cap + 12], 4);
	/* 4.1.4.7.2: length 1, 2 or 4, offset aligned to it, BAR 4 only. */
	if (p->cfg[cap + 4] != VIRTIO_BAR || (blen != 1 && blen != 2 && blen != 4) ||
	    (boff & (blen - 1)) || boff + blen > VIRTIO_BAR_SIZE)
		return;
	if (end > cap + 16) {
		memcpy(&v, &p->cfg[cap + 16], blen);
		virtio_dev_bar(p, VIRTIO_BAR, boff, blen, true, &v);
	} else {
		virtio_dev_bar(p, VIRTIO_BAR, boff, blen, false, &v);
		memcpy(&p->cfg[cap + 16], &v, 4);
	}
}

/* ---- Worker side ----------------------------------------------------------- */

struct virtq_dev *virtio_dev_queue(struct virtio_dev *d, unsigned int q)
{
	struct virtq_dev *vq = NULL;

	if (q >= d->ops->nqueues)
		return NULL;
	spin_lock(&d->lock);
	if ((d->status & (VIRTIO_S_DRIVER_OK | VIRTIO_S_NEEDS_RESET)) ==
		    VIRTIO_S_DRIVER_OK &&
	    !d->reset_pending && d->q[q].enabled && !d->q[q].vq.err)
		vq = &d->q[q].vq;
	spin_unlock(&d->lock);
	/* A device only masters the bus while the driver lets it. */
	if (vq && !vpci_bus_master(&d->pci))
		return NULL;
	return vq;
}

static void virtio_interrupt(struct virtio_dev *d, uint8_t isr, uint16_t vec)
{
	spin_lock(&d->lock);
	d->isr |= isr;
	spin_unlock(&d->lock);
	if (vec != VIRTIO_NO_VECTOR)
		vpci_msix_notify(&d->pci, vec);
}

void virtio_dev_signal(struct virtio_dev *d, unsigned int q)
{
	if (virtq_need_signal(&d->q[q].vq))
		virtio_interrupt(d, 1, d->q[q].msix);
}

void virtio_dev_broken(struct virtio_dev *d, const char *why)
{
	bool first;
	uint16_t vec;

	spin_lock(&d->lock);
	first = !(d->status & VIRTIO_S_NEEDS_RESET);
	d->status |= VIRTIO_S_NEEDS_RESET;
	vec = d->msix_config;
	spin_unlock(&d->lock);
	if (!first)
		return;
	log_warn("vm %s: %s: %s; device needs reset", d->vm->name,
		 d->ops->name, why);
	/* 2.1.2: with DRIVER_OK set, NEEDS_RESET comes with a
	 * configuration change notification (ISR bit 1, 4.1.4.5). */
	virtio_interrupt(d, 2, vec);
}

void virtio_dev_run(struct virtio_dev *d)
{
	uint32_t kicked;

	if (__atomic_load_n(&d->reset_pending, __ATOMIC_ACQUIRE)) {
		if (d->ops->reset)
			d->ops->reset(d);
		spin_lock(&d->lock);
		virtio_reset_state(d);
		d->config_gen++;
		d->reset_pending = false;
		spin_unlock(&d->lock);
		__atomic_store_n(&d->kicks, 0, __ATOMIC_SEQ_CST);
	}
	kicked = __atomic_exchange_n(&d->kicks, 0, __ATOMIC_SEQ_CST);
	if (kicked)
		d->ops->work(d, kicked);
}

static bool virtio_has_work(void *arg)
{
	struct virtio_dev *d = arg;

	return d->stop || __atomic_load_n(&d->kicks, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&d->reset_pending, __ATOMIC_SEQ_CST);
}

static void virtio_worker(void *arg)
{
	struct virtio_dev *d = arg;

	while (!d->stop) {
		waitq_wait_timeout(&d->wq, virtio_has_work, d, 1000000000ull);
		if (!d->stop)
			virtio_dev_run(d);
	}
	/* The last touch of @d: virtio_dev_destroy frees it after this. */
	__atomic_store_n(&d->worker_done, true, __ATOMIC_RELEASE);
	thread_exit();
}

/* ---- Creation --------------------------------------------------------------- */

static int virtio_cap(struct virtio_dev *d, uint8_t type, uint32_t off,
		      uint32_t len, uint32_t extra, bool window)
{
	struct virtio_cap_body b = { 0 }, wm = { 0 };

	b.cap_len = window || type == VIRTIO_CAP_NOTIFY ? 20 : 16;
	b.cfg_type = type;
	b.bar = VIRTIO_BAR;
	b.offset = off;
	b.length = len;
	b.extra = extra;
	if (window) {
		/* bar, offset, length and pci_cfg_data are the driver's. */
		b.bar = 0;
		wm.bar = 0xff;
		wm.offset = wm.length = wm.extra = 0xffffffff;
	}
	return vpci_cap_add(&d->pci, PCI_CAP_VNDR, &b, window ? &wm : NULL,
			    b.cap_len - 2);
}

static void virtio_stop_worker(struct virtio_dev *d);

static void virtio_pci_release(struct vpci_dev *p)
{
	virtio_dev_destroy(p->opaque);
}

struct virtio_dev *virtio_dev_create(struct vm *vm,
				     const struct virtio_dev_ops *ops,
				     void *priv)
{
	struct virtio_dev *d = calloc(1, sizeof(*d));
	struct vpci_dev *p;
	int pos;

	if (!d)
		return NULL;
	d->ops = ops;
	d->priv = priv;
	d->vm = vm;
	d->lock = (struct spinlock)SPINLOCK_INIT;
	d->wq = (struct waitq)WAITQ_INIT;
	d->offered = ops->features | (1ull << VIRTIO_F_VERSION_1) |
		     (1ull << VIRTIO_F_RING_INDIRECT_DESC) |
		     (1ull << VIRTIO_F_RING_EVENT_IDX);
	virtio_reset_state(d);

	p = &d->pci;
	p->name = ops->name;
	p->vendor = VIRTIO_VENDOR;
	p->device = VIRTIO_PCI_DEVICE_BASE + ops->id;
	p->subsys_vendor = VIRTIO_VENDOR;
	p->subsys_id = ops->id;
	p->revision = 1; /* 4.1.2.2: non-transitional devices have >= 1 */
	p->class_code = ops->class_code;
	p->bar[VIRTIO_BAR].size = VIRTIO_BAR_SIZE;
	p->bar[VIRTIO_BAR].is64 = true;
	p->bar[VIRTIO_BAR].fn = virtio_dev_bar;
	p->msix_vectors = ops->nqueues + 1; /* one per queue + config */
	p->msix_bar = VIRTIO_BAR;
	p->msix_off = VIRTIO_MSIX_OFF;
	p->cfg_write = virtio_cfg_write;
	p->release = virtio_pci_release;
	p->opaque = d;

	if (virtio_cap(d, VIRTIO_CAP_COMMON, VIRTIO_COMMON_OFF,
		       VIRTIO_COMMON_LEN, 0, false) < 0 ||
	    virtio_cap(d, VIRTIO_CAP_NOTIFY, VIRTIO_NOTIFY_OFF,
		       VIRTIO_NOTIFY_MULT * ops->nqueues, VIRTIO_NOTIFY_MULT,
		       false) < 0 ||
	    virtio_cap(d, VIRTIO_CAP_ISR, VIRTIO_ISR_OFF, 1, 0, false) < 0 ||
	    (ops->cfg_size && virtio_cap(d, VIRTIO_CAP_DEVICE, VIRTIO_DEVCFG_OFF,
					 ops->cfg_size, 0, false) < 0))
		goto fail;
	/* 4.1.4.7: the PCI configuration access capability is a MUST. */
	pos = virtio_cap(d, VIRTIO_CAP_PCI_CFG, 0, 0, 0, true);
	if (pos < 0)
		goto fail;
	d->pcicfg_cap = pos;

	d->worker = thread_create(ops->name, virtio_worker, d, NULL);
	if (!d->worker)
		goto fail;
	if (vpci_add(vm, p)) {
		virtio_stop_worker(d);
		goto fail;
	}
	return d;
fail:
	log_err("vm %s: %s: cannot create the device", vm->name, ops->name);
	free(d);
	return NULL;
}

static void virtio_stop_worker(struct virtio_dev *d)
{
	uint64_t t = 0;

	d->stop = true;
	waitq_wake_all(&d->wq);
	/* A backend call in flight has its own timeouts; wait it out. */
	while (!__atomic_load_n(&d->worker_done, __ATOMIC_ACQUIRE)) {
		thread_sleep_ns(1000000);
		if (++t % 5000 == 0)
			log_warn("vm %s: %s: worker still busy", d->vm->name,
				 d->ops->name);
	}
}

void virtio_dev_destroy(struct virtio_dev *d)
{
	virtio_stop_worker(d);
	if (d->ops->release)
		d->ops->release(d);
	free(d);
}
