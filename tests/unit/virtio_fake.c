// SPDX-License-Identifier: MIT
/* The fake machine of tests/unit/virtio_fake.h. */
#include "virtio_fake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/thread.h"
#include "ept/gmem.h"
#include "vdev/virtio_pci.h"

struct gmem fake_mem;
struct vm fake_vm;
bool fake_bus_master;
unsigned int fake_msix[8];
struct vpci_dev *fake_pci;

void fake_reset(void)
{
	free(fake_mem.ram);
	fake_mem.ram = calloc(1, FAKE_RAM);
	fake_mem.size = FAKE_RAM;
	memset(&fake_vm, 0, sizeof(fake_vm));
	strcpy(fake_vm.name, "test");
	fake_vm.mem = &fake_mem;
	fake_bus_master = true;
	memset(fake_msix, 0, sizeof(fake_msix));
	fake_pci = NULL;
}

uint8_t *fake_ptr(uint64_t gpa)
{
	return fake_mem.ram + gpa;
}

void fake_w16(uint64_t gpa, uint16_t v)
{
	memcpy(fake_ptr(gpa), &v, 2);
}

uint16_t fake_r16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, fake_ptr(gpa), 2);
	return v;
}

void fake_w32(uint64_t gpa, uint32_t v)
{
	memcpy(fake_ptr(gpa), &v, 4);
}

uint32_t fake_r32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, fake_ptr(gpa), 4);
	return v;
}

void fake_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
	       uint16_t flags, uint16_t next)
{
	uint8_t *p = fake_ptr(table + 16ull * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* ---- ept/gmem.h ---------------------------------------------------------- */

bool gmem_is_ram(struct gmem *gm, uint64_t gpa, uint64_t len)
{
	return gpa + len >= gpa && gpa + len <= gm->size;
}

int gmem_read(struct gmem *gm, uint64_t gpa, void *buf, size_t len)
{
	if (!gmem_is_ram(gm, gpa, len))
		return -EFAULT;
	memcpy(buf, gm->ram + gpa, len);
	return 0;
}

int gmem_write(struct gmem *gm, uint64_t gpa, const void *buf, size_t len)
{
	if (!gmem_is_ram(gm, gpa, len))
		return -EFAULT;
	memcpy(gm->ram + gpa, buf, len);
	return 0;
}

/* ---- vdev/vpci.h: capabilities laid out as vpci does ------------------------ */

int vpci_cap_add(struct vpci_dev *d, uint8_t id, const void *body,
		 const void *wmask, size_t len)
{
	unsigned int off = d->cap_next ? d->cap_next : 0x40, p = 0x34;

	if (off + 2 + len > 256)
		return -ENOSPC;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	memcpy(&d->cfg[off + 2], body, len);
	if (wmask)
		memcpy(&d->wmask[off + 2], wmask, len);
	while (d->cfg[p])
		p = d->cfg[p] + 1;
	d->cfg[p] = off;
	d->cap_next = (off + 2 + len + 3) & ~3u;
	return off;
}

int vpci_add(struct vm *vm, struct vpci_dev *d)
{
	d->vm = vm;
	fake_pci = d;
	return 0;
}

bool vpci_msix_notify(struct vpci_dev *d, unsigned int vector)
{
	if (vector < 8)
		fake_msix[vector]++;
	return true;
}

bool vpci_bus_master(struct vpci_dev *d)
{
	return fake_bus_master;
}

/* ---- core/thread.h: the worker never runs by itself; tests call
 * virtio_dev_run. ---------------------------------------------------------------- */

static struct thread fake_thread;

/* The worker never runs (tests call virtio_dev_run), so it is "done" for
 * virtio_dev_destroy from the start. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     const struct thread_attr *attr)
{
	((struct virtio_dev *)arg)->worker_done = true;
	return &fake_thread;
}

void thread_exit(void)
{
	abort();
}

void thread_sleep_ns(uint64_t ns)
{
}

bool waitq_wait_timeout(struct waitq *wq, bool (*cond)(void *), void *arg,
			uint64_t timeout_ns)
{
	return true;
}

void waitq_wake_all(struct waitq *wq)
{
}
