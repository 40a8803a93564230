// SPDX-License-Identifier: MIT
/*
 * The virtio 1.x modern PCI transport (virtio 1.1 section 4.1): the
 * capability walk of 4.1.4, the common configuration structure of
 * 4.1.4.3, queue notification of 4.1.4.4, and the device initialisation
 * sequence of 3.1.1. drivers/virtio_pci.h has the calling order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/time.h"
#include "drivers/virtio_pci.h"

#define PCI_CAP_ID_VNDR 0x09

/* struct virtio_pci_cap (4.1.4) */
#define VCAP_CFG_TYPE 3
#define VCAP_BAR 4
#define VCAP_OFFSET 8
#define VCAP_LENGTH 12
#define VCAP_NOTIFY_MULT 16 /* struct virtio_pci_notify_cap only */

enum {
	VCAP_COMMON = 1,
	VCAP_NOTIFY = 2,
	VCAP_ISR = 3,
	VCAP_DEVICE = 4,
};

/* struct virtio_pci_common_cfg (4.1.4.3) */
#define VCOM_DFSELECT 0
#define VCOM_DF 4
#define VCOM_GFSELECT 8
#define VCOM_GF 12
#define VCOM_MSIX_CONFIG 16
#define VCOM_NUM_QUEUES 18
#define VCOM_STATUS 20
#define VCOM_GENERATION 21
#define VCOM_Q_SELECT 22
#define VCOM_Q_SIZE 24
#define VCOM_Q_MSIX 26
#define VCOM_Q_ENABLE 28
#define VCOM_Q_NOFF 30
#define VCOM_Q_DESC 32
#define VCOM_Q_DRIVER 40
#define VCOM_Q_DEVICE 48
#define VCOM_SIZE 56

#define VIRTIO_RESET_TIMEOUT_NS (1 * NSEC_PER_SEC)

static uint8_t vc_r8(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile uint8_t *)(vp->common + off);
}
static uint16_t vc_r16(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile uint16_t *)(vp->common + off);
}
static uint32_t vc_r32(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile uint32_t *)(vp->common + off);
}
static void vc_w8(struct virtio_pci *vp, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)(vp->common + off) = v;
}
static void vc_w16(struct virtio_pci *vp, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(vp->common + off) = v;
}
static void vc_w32(struct virtio_pci *vp, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(vp->common + off) = v;
}
/* 64-bit fields as two 32-bit halves, low first (4.1.3.1). */
static void vc_w64(struct virtio_pci *vp, unsigned int off, uint64_t v)
{
	vc_w32(vp, off, (uint32_t)v);
	vc_w32(vp, off + 4, (uint32_t)(v >> 32));
}

/*
 * Map the structure one capability describes, after checking that it
 * lies inside a memory BAR. NULL (logged) otherwise.
 */
static volatile uint8_t *virtio_map_cap(struct virtio_pci *vp, uint8_t cap,
					uint32_t min_len, uint32_t *len_out)
{
	struct pci_dev *d = vp->pci;
	uint8_t bar = pci_read8(d, cap + VCAP_BAR);
	uint32_t off = pci_read32(d, cap + VCAP_OFFSET);
	uint32_t len = pci_read32(d, cap + VCAP_LENGTH);
	uint8_t *base;

	if (bar >= PCI_NUM_BARS || len < min_len ||
	    (uint64_t)off + len > d->bar[bar].size ||
	    !(base = pci_map_bar(d, bar))) {
		log_warn("%s: virtio capability at %#x (type %u) points "
			 "outside BAR%u (+%#x, %#x bytes): ignored",
			 vp->name, cap, pci_read8(d, cap + VCAP_CFG_TYPE), bar,
			 off, len);
		return NULL;
	}
	if (len_out)
		*len_out = len;
	return base + off;
}

uint8_t virtio_pci_status(struct virtio_pci *vp)
{
	return vc_r8(vp, VCOM_STATUS);
}

static void virtio_status_set(struct virtio_pci *vp, uint8_t bits)
{
	vc_w8(vp, VCOM_STATUS, vc_r8(vp, VCOM_STATUS) | bits);
}

int virtio_pci_reset(struct virtio_pci *vp)
{
	uint64_t end = time_ns() + VIRTIO_RESET_TIMEOUT_NS;

	vc_w8(vp, VCOM_STATUS, 0);
	while (vc_r8(vp, VCOM_STATUS)) {
		if (time_ns() > end) {
			log_err("%s: device does not finish its reset",
				vp->name);
			return -ETIMEDOUT;
		}
		time_delay_ns(10 * NSEC_PER_USEC);
	}
	return 0;
}

int virtio_pci_reinit(struct virtio_pci *vp)
{
	if (virtio_pci_reset(vp))
		return -EIO;
	virtio_status_set(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_status_set(vp, VIRTIO_STATUS_DRIVER);
	return 0;
}

void virtio_pci_fail(struct virtio_pci *vp, const char *why)
{
	log_err("%s: %s: giving the device up", vp->name, why);
	if (vp->common)
		virtio_status_set(vp, VIRTIO_STATUS_FAILED);
}

bool virtio_pci_needs_reset(struct virtio_pci *vp)
{
	uint8_t s = vc_r8(vp, VCOM_STATUS);

	/* All ones: the function is gone (surprise removal); same remedy. */
	return s == 0xff || (s & VIRTIO_STATUS_NEEDS_RESET);
}

int virtio_pci_init(struct virtio_pci *vp, struct pci_dev *d, const char *name)
{
	uint8_t caps[5] = { 0 };

	memset(vp, 0, sizeof(*vp));
	vp->pci = d;
	vp->name = name;
	/* The first capability of each type is the one to use (4.1.4). */
	for (unsigned int i = 0; i < d->ncaps; i++) {
		uint8_t off = d->caps[i].off;
		uint8_t type;

		if (d->caps[i].id != PCI_CAP_ID_VNDR)
			continue;
		type = pci_read8(d, off + VCAP_CFG_TYPE);
		if (type >= VCAP_COMMON && type <= VCAP_DEVICE && !caps[type])
			caps[type] = off;
	}
	if (!caps[VCAP_COMMON] || !caps[VCAP_NOTIFY] || !caps[VCAP_ISR]) {
		log_err("%s: %04x:%04x is a legacy-only virtio device (no "
			"virtio 1.x capabilities): not supported, start it "
			"with disable-legacy=on or as a modern device",
			name, d->vendor, d->device);
		return -ENODEV;
	}
	pci_enable(d, true, false, true);
	vp->common = virtio_map_cap(vp, caps[VCAP_COMMON], VCOM_SIZE, NULL);
	vp->isr = virtio_map_cap(vp, caps[VCAP_ISR], 1, NULL);
	uint32_t nlen = 0;
	vp->notify_base = virtio_map_cap(vp, caps[VCAP_NOTIFY], 2, &nlen);
	vp->notify_len = nlen;
	vp->notify_mult = pci_read32(d, caps[VCAP_NOTIFY] + VCAP_NOTIFY_MULT);
	if (caps[VCAP_DEVICE])
		vp->device =
		    virtio_map_cap(vp, caps[VCAP_DEVICE], 1, &vp->device_len);
	if (!vp->common || !vp->isr || !vp->notify_base)
		return -EIO;

	/* 3.1.1 steps 1-3. */
	if (virtio_pci_reset(vp))
		return -EIO;
	virtio_status_set(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_status_set(vp, VIRTIO_STATUS_DRIVER);
	vp->num_queues = vc_r16(vp, VCOM_NUM_QUEUES);
	return 0;
}

int virtio_pci_features(struct virtio_pci *vp, uint64_t wanted)
{
	uint64_t offered;

	vc_w32(vp, VCOM_DFSELECT, 0);
	offered = vc_r32(vp, VCOM_DF);
	vc_w32(vp, VCOM_DFSELECT, 1);
	offered |= (uint64_t)vc_r32(vp, VCOM_DF) << 32;
	if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		log_err("%s: device does not offer VIRTIO_F_VERSION_1 "
			"(legacy-only): not supported",
			vp->name);
		return -ENODEV;
	}
	/*
	 * ACCESS_PLATFORM (an IOMMU between device and memory) is never
	 * accepted: our bus addresses are physical addresses.
	 */
	vp->features = offered & (wanted | VIRTIO_BIT(VIRTIO_F_VERSION_1)) &
		       ~VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
	vc_w32(vp, VCOM_GFSELECT, 0);
	vc_w32(vp, VCOM_GF, (uint32_t)vp->features);
	vc_w32(vp, VCOM_GFSELECT, 1);
	vc_w32(vp, VCOM_GF, (uint32_t)(vp->features >> 32));
	virtio_status_set(vp, VIRTIO_STATUS_FEATURES_OK);
	/* 3.1.1 step 6: the device clears FEATURES_OK if it refuses them. */
	if (!(vc_r8(vp, VCOM_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		log_err("%s: device refused features %#llx", vp->name,
			(unsigned long long)vp->features);
		return -EIO;
	}
	return 0;
}

int virtio_pci_irqs(struct virtio_pci *vp, unsigned int n, irq_fn const *fns,
		    void *arg)
{
	int rc;

	if (!vp->pci->msix_cap)
		return -ENODEV;
	if (n > VIRTIO_PCI_MAX_IRQS)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (vp->nirqs > i)
			continue; /* kept from before a reset */
		rc = irq_alloc(fns[i], arg);
		if (rc < 0) {
			log_err("%s: no interrupt vector free", vp->name);
			return rc;
		}
		vp->vectors[i] = rc;
		vp->nirqs = i + 1;
	}
	rc = pci_msix_enable(vp->pci, n, vp->vectors, this_cpu()->apic_id);
	if (rc) {
		log_err("%s: MSI-X enable failed (%d)", vp->name, rc);
		return rc;
	}
	vp->msix = true;
	/* Config changes on entry 0; the device answers NO_VECTOR if it
	 * could not take it (4.1.5.1.2). */
	vc_w16(vp, VCOM_MSIX_CONFIG, 0);
	if (vc_r16(vp, VCOM_MSIX_CONFIG) != 0)
		log_warn("%s: device refused the config-change vector",
			 vp->name);
	return 0;
}

static void virtio_pci_notify(struct virtq *vq)
{
	*(volatile uint16_t *)vq->notify_arg = vq->index;
}

int virtio_pci_queue(struct virtio_pci *vp, struct virtq *vq, uint16_t index,
		     uint16_t max, uint16_t msix_entry, const char *qname)
{
	uint16_t size, noff;
	uint64_t phys, noff_bytes;
	void *mem = vq->desc, *meta = vq->cookie;

	if (index >= vp->num_queues)
		return -ENOENT;
	vc_w16(vp, VCOM_Q_SELECT, index);
	size = vc_r16(vp, VCOM_Q_SIZE);
	if (!size)
		return -ENOENT;
	if (size > max)
		size = max;
	while (size & (size - 1)) /* our rings are powers of two */
		size &= size - 1;
	if (mem && size != vq->num)
		return -EIO; /* a reset device must not shrink its queue */
	if (!mem) {
		mem = dma_alloc(virtq_mem_size(size), 4096, false, &phys);
		meta = calloc(1, virtq_meta_size(size));
		if (!mem || !meta) {
			log_err("%s: no memory for queue %u", vp->name, index);
			free(meta);
			return -ENOMEM;
		}
	} else {
		phys = vq->desc_phys;
	}
	virtq_init(vq, qname, index, size, mem, phys, meta);

	/* The doorbell: notify_base + queue_notify_off * multiplier (4.1.4.4).
	 */
	noff = vc_r16(vp, VCOM_Q_NOFF);
	noff_bytes = (uint64_t)noff * vp->notify_mult;
	if (noff_bytes + 2 > vp->notify_len) {
		log_err("%s: queue %u doorbell outside the notify area",
			vp->name, index);
		return -EIO;
	}
	vq->notify = virtio_pci_notify;
	vq->notify_arg = (void *)(vp->notify_base + noff_bytes);

	vc_w16(vp, VCOM_Q_SIZE, size);
	vc_w64(vp, VCOM_Q_DESC, vq->desc_phys);
	vc_w64(vp, VCOM_Q_DRIVER, vq->avail_phys);
	vc_w64(vp, VCOM_Q_DEVICE, vq->used_phys);
	if (vp->msix) {
		vc_w16(vp, VCOM_Q_MSIX, msix_entry);
		if (vc_r16(vp, VCOM_Q_MSIX) != msix_entry)
			log_warn("%s: queue %u: device refused MSI-X entry %u",
				 vp->name, index, msix_entry);
	}
	vc_w16(vp, VCOM_Q_ENABLE, 1);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
	virtio_status_set(vp, VIRTIO_STATUS_DRIVER_OK);
}

/*
 * Each field with its natural width (4.1.3.1): 16- and 32-bit fields as
 * such, 64-bit ones as two 32-bit halves, byte arrays byte by byte.
 */
static void virtio_cfg_copy(struct virtio_pci *vp, uint32_t off, uint8_t *out,
			    uint32_t len)
{
	volatile uint8_t *p = vp->device + off;

	if (len == 2 && !(off & 1)) {
		uint16_t v = *(volatile uint16_t *)p;
		memcpy(out, &v, 2);
	} else if ((len == 4 || len == 8) && !(off & 3)) {
		for (uint32_t i = 0; i < len; i += 4) {
			uint32_t v = *(volatile uint32_t *)(p + i);
			memcpy(out + i, &v, 4);
		}
	} else {
		for (uint32_t i = 0; i < len; i++)
			out[i] = p[i];
	}
}

void virtio_pci_cfg_read(struct virtio_pci *vp, uint32_t off, void *buf,
			 uint32_t len)
{
	uint8_t gen, *out = buf;

	memset(buf, 0, len);
	if (!vp->device || (uint64_t)off + len > vp->device_len)
		return;
	/* Bounded: a device that keeps changing gets its last snapshot. */
	for (int tries = 0; tries < 100; tries++) {
		gen = vc_r8(vp, VCOM_GENERATION);
		virtio_cfg_copy(vp, off, out, len);
		if (vc_r8(vp, VCOM_GENERATION) == gen)
			break;
	}
}

uint16_t virtio_pci_cfg16(struct virtio_pci *vp, uint32_t off)
{
	uint16_t v;

	virtio_pci_cfg_read(vp, off, &v, 2);
	return v;
}

uint32_t virtio_pci_cfg32(struct virtio_pci *vp, uint32_t off)
{
	uint32_t v;

	virtio_pci_cfg_read(vp, off, &v, 4);
	return v;
}

uint64_t virtio_pci_cfg64(struct virtio_pci *vp, uint32_t off)
{
	uint64_t v;

	virtio_pci_cfg_read(vp, off, &v, 8);
	return v;
}
