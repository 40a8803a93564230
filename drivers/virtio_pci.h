/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x PCI transport (virtio 1.1 section 4.1), modern interface
 * only: the device's registers are found through vendor-specific PCI
 * capabilities (4.1.4) pointing into memory BARs. A legacy-only device
 * (no such capabilities, or no VIRTIO_F_VERSION_1) is refused with a log
 * line. Transitional devices (1af4:1000-103f) are driven through their
 * modern capabilities like the 1af4:1040+ ones.
 *
 * A driver (virtio_net.c, virtio_blk.c) goes through the initialisation
 * sequence of 3.1.1 with these calls, in order:
 *   virtio_pci_init       find and map the structures, reset, ACK|DRIVER
 *   virtio_pci_features   offer ours, require VERSION_1, FEATURES_OK
 *   virtio_pci_irqs       MSI-X: entry 0 config changes, 1.. the queues
 *   virtio_pci_queue      each virtqueue: size, ring addresses, vector
 *   virtio_pci_driver_ok
 * and virtio_pci_fail() when any step fails.
 */
#ifndef KEEL_DRIVERS_VIRTIO_PCI_H
#define KEEL_DRIVERS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/irq.h"
#include "drivers/pci.h"
#include "drivers/virtqueue.h"

#define VIRTIO_PCI_VENDOR 0x1af4

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Reserved feature bits (6). */
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_BIT(b) (1ull << (b))

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_PCI_MAX_IRQS 4 /* config + up to three queues */

struct virtio_pci {
	struct pci_dev *pci;
	const char *name;	  /* "vblk0" */
	volatile uint8_t *common; /* struct virtio_pci_common_cfg */
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint64_t notify_len;
	volatile uint8_t *isr;
	volatile uint8_t *device; /* device-specific config */
	uint32_t device_len;
	uint64_t features; /* negotiated */
	uint16_t num_queues;
	bool msix; /* vectors below are live */
	unsigned int nirqs;
	uint8_t vectors[VIRTIO_PCI_MAX_IRQS];
};

/* Find the capabilities, map them, reset, set ACKNOWLEDGE|DRIVER. */
int virtio_pci_init(struct virtio_pci *vp, struct pci_dev *d, const char *name);
/*
 * Accept the device's features that are in @wanted (VERSION_1 is always
 * asked for and required), then FEATURES_OK and read it back (3.1.1
 * steps 5-6). 0 or -ENODEV (legacy-only) / -EIO (feature set refused).
 */
int virtio_pci_features(struct virtio_pci *vp, uint64_t wanted);
static inline bool virtio_has(const struct virtio_pci *vp, unsigned int bit)
{
	return vp->features & VIRTIO_BIT(bit);
}
/*
 * MSI-X with @n entries: fns[i](frame, arg) on entry i (entry 0: config
 * change; entries 1..n-1 for the queues virtio_pci_queue names). -ENODEV
 * without MSI-X (the driver then polls); other errors are logged.
 */
int virtio_pci_irqs(struct virtio_pci *vp, unsigned int n, irq_fn const *fns,
		    void *arg);
/*
 * Set up queue @index with a ring of at most @max entries (fewer if the
 * device wants), DMA memory taken on the first call and kept: call again
 * after a reset with the same @vq. @msix_entry: VIRTIO_MSI_NO_VECTOR for
 * none. 0, -ENOENT (no such queue), -ENOMEM, -EIO.
 */
int virtio_pci_queue(struct virtio_pci *vp, struct virtq *vq, uint16_t index,
		     uint16_t max, uint16_t msix_entry, const char *qname);
void virtio_pci_driver_ok(struct virtio_pci *vp);
/* Write 0 to device_status and wait (bounded) for it to read 0 (4.1.4.3.2). */
int virtio_pci_reset(struct virtio_pci *vp);
/*
 * Back to the start of 3.1.1 after NEEDS_RESET, a broken ring or a
 * timeout: reset, ACKNOWLEDGE|DRIVER; the driver then repeats
 * virtio_pci_features, _irqs (vectors are kept), _queue, _driver_ok.
 */
int virtio_pci_reinit(struct virtio_pci *vp);
/* Set FAILED: the device gives up on us (3.1.1 step 8's opposite). */
void virtio_pci_fail(struct virtio_pci *vp, const char *why);
uint8_t virtio_pci_status(struct virtio_pci *vp);
/* DEVICE_NEEDS_RESET set (2.1.2)? Logged by the caller. */
bool virtio_pci_needs_reset(struct virtio_pci *vp);

/*
 * Device-specific configuration, read under config_generation (4.1.4.3.1:
 * re-read until the generation is stable) so multi-byte fields are not
 * torn. @off + @len must lie inside the structure, else zeros.
 */
void virtio_pci_cfg_read(struct virtio_pci *vp, uint32_t off, void *buf,
			 uint32_t len);
uint32_t virtio_pci_cfg32(struct virtio_pci *vp, uint32_t off);
uint16_t virtio_pci_cfg16(struct virtio_pci *vp, uint32_t off);
uint64_t virtio_pci_cfg64(struct virtio_pci *vp, uint32_t off);

#endif
