// SPDX-License-Identifier: MIT
/* TEMP: lead deletes at merge. Weak stand-ins for functions of vdev/
 * that other helpers own (virtio, legacy), so mgmt/vmm_dev.c links
 * before their branches are merged. */
#include <errno.h>

#include "vdev/virtio.h"
#include "vdev/vplat.h"

/* TEMP: lead deletes at merge */
__attribute__((weak)) int virtio_blk_add(struct vm *vm,
					 const struct virtio_blk_backend *b)
{
	return -ENOSYS;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) struct virtio_con *
virtio_con_add(struct vm *vm,
	       void (*tx)(void *opaque, const uint8_t *buf, size_t len),
	       void *opaque)
{
	return NULL;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) int virtio_rng_add(struct vm *vm,
					 int (*fill)(void *opaque, void *buf,
						     size_t len),
					 void *opaque)
{
	return -ENOSYS;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vplat_isa_irq(struct vm *vm, unsigned int irq,
					 bool level)
{
}
