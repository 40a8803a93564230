/* SPDX-License-Identifier: MIT */
/*
 * The virtio-pci transport (virtio v1.1 section 4.1), private to the
 * devices in vdev/virtio_*.c. A device fills a struct virtio_dev_ops and
 * calls virtio_dev_create; the transport owns the PCI function, the
 * common configuration, and one worker thread per device that does all
 * guest-memory work (so a backend may block, and a reset can wait until
 * no request is in flight).
 *
 * BAR 4 (64-bit memory, 32 KiB): common cfg at 0x0, ISR at 0x1000,
 * device cfg at 0x2000, notify at 0x3000 (notify_off_multiplier 4, queue
 * n at 0x3000 + 4n), the MSI-X table at 0x4000 and its PBA after it.
 */
#ifndef KEEL_VDEV_VIRTIO_PCI_H
#define KEEL_VDEV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/thread.h"
#include "vdev/virtq.h"
#include "vdev/vpci.h"

struct vm;
struct virtio_dev;

#define VIRTIO_QUEUES_MAX 4
#define VIRTIO_NO_VECTOR 0xffff

/* Feature bits the transport owns (section 6). */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* device_status (2.1) */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 64
#define VIRTIO_S_FAILED 128

/* The BAR 4 map. */
#define VIRTIO_BAR 4
#define VIRTIO_BAR_SIZE 0x8000
#define VIRTIO_COMMON_OFF 0x0000
#define VIRTIO_COMMON_LEN 0x38
#define VIRTIO_ISR_OFF 0x1000
#define VIRTIO_DEVCFG_OFF 0x2000
#define VIRTIO_NOTIFY_OFF 0x3000
#define VIRTIO_NOTIFY_MULT 4
#define VIRTIO_MSIX_OFF 0x4000

struct virtio_dev_ops {
	const char *name;
	uint16_t id;	     /* virtio device ID (section 5) */
	uint32_t class_code; /* PCI class */
	uint64_t features;   /* device-type bits offered */
	unsigned int nqueues;
	uint32_t cfg_size; /* bytes of device configuration */
	/* Device configuration read / write (@off + @size <= cfg_size;
	 * write may be NULL: read-only). vCPU thread. */
	void (*cfg_read)(struct virtio_dev *d, uint32_t off, void *buf,
			 unsigned int size);
	void (*cfg_write)(struct virtio_dev *d, uint32_t off, const void *buf,
			  unsigned int size);
	/* Worker thread: queues in @kicked (bit n: queue n) were notified,
	 * or the device kicked itself. virtio_dev_queue says which queues
	 * may be used now. */
	void (*work)(struct virtio_dev *d, uint32_t kicked);
	/* Worker thread: the driver reset the device; drop device state
	 * tied to the rings (no request is in flight). May be NULL. */
	void (*reset)(struct virtio_dev *d);
	/* The device goes away (worker stopped): release backends. */
	void (*release)(struct virtio_dev *d);
};

struct virtio_queue {
	struct virtq_dev vq;
	uint16_t size; /* queue_size as the driver set it */
	uint16_t msix; /* queue_msix_vector */
	bool enabled;
	uint64_t desc, driver, device;
};

struct virtio_dev {
	struct vpci_dev pci; /* first: vpci hands us this pointer */
	const struct virtio_dev_ops *ops;
	void *priv; /* the device type's state */
	struct vm *vm;
	struct spinlock lock; /* everything below but the rings' contents */
	uint8_t status;
	uint8_t isr;
	uint8_t config_gen;
	bool reset_pending; /* the driver wrote 0; the worker finishes it */
	bool broken_logged;
	uint32_t dfeat_sel, gfeat_sel;
	uint64_t offered, guest_features;
	uint16_t msix_config;
	uint16_t queue_sel;
	unsigned int pcicfg_cap; /* offset of the PCI_CFG capability */
	struct virtio_queue q[VIRTIO_QUEUES_MAX];
	/* The worker. */
	uint32_t kicks; /* atomic: queues notified since the worker looked */
	volatile bool stop, worker_done;
	struct waitq wq, done_wq;
	struct thread *worker;
};

/* Create and add @ops's device to @vm's PCI bus; NULL on failure
 * (ops->release is not called then). */
struct virtio_dev *virtio_dev_create(struct vm *vm,
				     const struct virtio_dev_ops *ops,
				     void *priv);
/* Stop the worker, release the device (vpci's release hook). */
void virtio_dev_destroy(struct virtio_dev *d);

/* Worker side. The queue @q if the device may touch it now (DRIVER_OK,
 * enabled, not broken, bus mastering on), else NULL. */
struct virtq_dev *virtio_dev_queue(struct virtio_dev *d, unsigned int q);
/* After pushes on @q: interrupt the driver if it wants one. */
void virtio_dev_signal(struct virtio_dev *d, unsigned int q);
/* The ring or the driver did something malformed: NEEDS_RESET and a
 * configuration interrupt (2.1.2, 4.1.4.5); logged once. */
void virtio_dev_broken(struct virtio_dev *d, const char *why);
/* Ask the worker to run ops->work with bit @q (any thread). */
void virtio_dev_kick(struct virtio_dev *d, unsigned int q);
/* One round of the worker: a pending reset, then ops->work. The thread
 * loops on this; host tests call it directly. */
void virtio_dev_run(struct virtio_dev *d);
/* The BAR 4 handler (host tests drive it directly). */
int virtio_dev_bar(struct vpci_dev *p, unsigned int bar, uint64_t off,
		   unsigned int size, bool write, uint64_t *data);

#endif
