// SPDX-License-Identifier: MIT
/*
 * virtio-rng, the entropy device (virtio v1.1 section 5.4): one queue of
 * device-writable buffers the worker fills with the backend's bytes (the
 * host DRBG). A request gets at most VRNG_MAX bytes (5.4.6.1 lets the
 * device write fewer than the buffer holds; used.len says how many).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/virtio.h"
#include "vdev/virtio_pci.h"

#define VRNG_CHUNK 256
#define VRNG_MAX 4096

struct vrng {
	struct virtio_dev *dev;
	struct virtio_dev_ops ops;
	int (*fill)(void *opaque, void *buf, size_t len);
	void *opaque;
	bool fill_logged;
	struct virtq_chain chain;
	uint8_t buf[VRNG_CHUNK];
};

static void vrng_cfg_read(struct virtio_dev *d, uint32_t off, void *buf,
			  unsigned int size)
{
	memset(buf, 0, size);
}

/* Fill @c's writable bytes; how many were written, or -EIO. */
static long vrng_fill(struct vrng *r, struct virtq_dev *vq)
{
	uint64_t want = r->chain.wlen < VRNG_MAX ? r->chain.wlen : VRNG_MAX;
	uint64_t done = 0, n;
	int rc;

	while (done < want) {
		n = want - done < VRNG_CHUNK ? want - done : VRNG_CHUNK;
		rc = r->fill(r->opaque, r->buf, n);
		if (rc) {
			if (!r->fill_logged)
				log_warn("vm %s: virtio-rng: host source failed (%d)",
					 r->dev->vm->name, rc);
			r->fill_logged = true;
			break; /* hand back what we have */
		}
		if (virtq_copy_to(vq, &r->chain, done, r->buf, n) != (long)n)
			return -EIO;
		done += n;
	}
	memset(r->buf, 0, sizeof(r->buf));
	return done;
}

static void vrng_work(struct virtio_dev *d, uint32_t kicked)
{
	struct vrng *r = d->priv;
	struct virtq_dev *vq = virtio_dev_queue(d, 0);
	long n;
	int rc;

	if (!vq)
		return;
	for (;;) {
		if (d->stop || __atomic_load_n(&d->reset_pending, __ATOMIC_ACQUIRE))
			return;
		rc = virtq_pop(vq, &r->chain);
		if (rc == 0) {
			rc = virtq_arm(vq);
			if (rc > 0)
				continue;
		}
		if (rc <= 0)
			break;
		n = vrng_fill(r, vq);
		if (n < 0 || virtq_push(vq, r->chain.head, n))
			break;
		virtio_dev_signal(d, 0);
	}
	if (vq->err)
		virtio_dev_broken(d, vq->err);
}

static void vrng_release(struct virtio_dev *d)
{
	free(d->priv);
}

int virtio_rng_add(struct vm *vm,
		   int (*fill)(void *opaque, void *buf, size_t len),
		   void *opaque)
{
	struct vrng *r;

	if (!fill)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fill = fill;
	r->opaque = opaque;
	r->ops = (struct virtio_dev_ops){
		.name = "virtio-rng",
		.id = 4,
		.class_code = 0x00ff00, /* unclassified (as QEMU) */
		.nqueues = 1,
		.cfg_read = vrng_cfg_read,
		.work = vrng_work,
		.release = vrng_release,
	};
	r->dev = virtio_dev_create(vm, &r->ops, r);
	if (!r->dev) {
		free(r);
		return -ENOMEM;
	}
	return 0;
}
