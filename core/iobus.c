// SPDX-License-Identifier: MIT
#include "core/iobus.h"

#include <errno.h>

#include "core/log.h"
#include "core/vm.h"

static int iobus_add(struct vm *vm, struct iobus_range *tab, unsigned int *n,
		     uint64_t base, uint64_t len, iobus_fn fn, void *opaque)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	int rc = 0;

	if (vm->state != VM_CREATED) {
		rc = -EBUSY; /* the exit path reads the tables without a lock */
		goto out;
	}
	for (unsigned int i = 0; i < *n; i++)
		if (base < tab[i].base + tab[i].len &&
		    tab[i].base < base + len) {
			rc = -EEXIST;
			goto out;
		}
	if (*n == IOBUS_MAX) {
		rc = -ENOSPC;
		goto out;
	}
	tab[(*n)++] = (struct iobus_range){ base, len, fn, opaque };
out:
	spin_unlock_irqrestore(&vm->lock, flags);
	return rc;
}

int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque)
{
	if (!count || !fn || (uint32_t)base + count > 0x10000)
		return -EINVAL;
	return iobus_add(vm, vm->bus.pio, &vm->bus.npio, base, count, fn,
			 opaque);
}

int iobus_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len,
			iobus_fn fn, void *opaque)
{
	if (!len || !fn || gpa + len < gpa || gpa + len > (1ull << 48))
		return -EINVAL;
	return iobus_add(vm, vm->bus.mmio, &vm->bus.nmmio, gpa, len, fn,
			 opaque);
}

/*
 * The range holding @addr. An MMIO access must lie wholly inside it; a
 * port access belongs to the device at its first port, as on an ISA bus
 * where a 32-bit OUT to a byte-wide device reaches that device.
 */
static const struct iobus_range *iobus_find(const struct iobus_range *tab,
					    unsigned int n, uint64_t addr,
					    unsigned int whole)
{
	for (unsigned int i = 0; i < n; i++)
		if (addr - tab[i].base < tab[i].len &&
		    whole <= tab[i].len - (addr - tab[i].base))
			return &tab[i];
	return NULL;
}

static int iobus_dispatch(struct vcpu *v, const struct iobus_range *r,
			  uint64_t addr, unsigned int size, bool write,
			  uint64_t *data, bool *logged, const char *what)
{
	uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;

	if (r) {
		if (write)
			*data &= mask;
		int rc = r->fn(v, addr, size, write, data, r->opaque);
		*data &= mask;
		return rc;
	}
	*data = mask;
	if (!*logged) {
		*logged = true;
		log_warn("vm %u: unclaimed %s %#llx (further ones not logged)",
			 v->vm->id, what, (unsigned long long)addr);
	}
	return 0;
}

int iobus_pio(struct vcpu *v, uint16_t port, unsigned int size, bool write,
	      uint64_t *data)
{
	struct iobus *b = &v->vm->bus;

	return iobus_dispatch(v, iobus_find(b->pio, b->npio, port, 1), port,
			      size, write, data, &b->pio_logged, "I/O port");
}

int iobus_mmio(struct vcpu *v, uint64_t gpa, unsigned int size, bool write,
	       uint64_t *data)
{
	struct iobus *b = &v->vm->bus;

	return iobus_dispatch(v, iobus_find(b->mmio, b->nmmio, gpa, size), gpa,
			      size, write, data, &b->mmio_logged,
			      "MMIO address");
}

bool iobus_mmio_claimed(struct vm *vm, uint64_t gpa)
{
	return iobus_find(vm->bus.mmio, vm->bus.nmmio, gpa, 1) != NULL;
}
