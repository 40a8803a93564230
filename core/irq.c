// SPDX-License-Identifier: MIT
#include "core/irq.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/log.h"
#include "core/thread.h"

static struct {
	irq_fn fn;
	void *arg;
} irq_table[256];
static void (*irq_eoi)(void);

int irq_register(unsigned int vector, irq_fn fn, void *arg)
{
	if (vector < 32 || vector > 255 || !fn)
		return -EINVAL;
	/* Compare-and-swap: two CPUs may register at once. */
	if (!__atomic_compare_exchange_n(&irq_table[vector].fn, &(irq_fn){ NULL },
					 fn, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return -EBUSY;
	irq_table[vector].arg = arg;
	return 0;
}

int irq_alloc(irq_fn fn, void *arg)
{
	for (unsigned int v = IRQ_VECTOR_FIRST_DYNAMIC;
	     v <= IRQ_VECTOR_LAST_DYNAMIC; v++)
		if (irq_register(v, fn, arg) == 0)
			return v;
	return -ENOSPC;
}

void irq_free(unsigned int vector)
{
	if (vector < 256)
		__atomic_store_n(&irq_table[vector].fn, NULL, __ATOMIC_RELEASE);
}

void irq_set_eoi(void (*eoi)(void))
{
	irq_eoi = eoi;
}

void irq_dispatch(struct trap_frame *f)
{
	unsigned int v = f->vector;
	irq_fn fn = __atomic_load_n(&irq_table[v].fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn(f, irq_table[v].arg);
	else if (v != IRQ_VECTOR_SPURIOUS)
		log_warn("irq: unexpected interrupt on vector %u", v);
	if (v != IRQ_VECTOR_SPURIOUS && irq_eoi)
		irq_eoi();
	/* After the EOI: the next thread may run a long while. */
	sched_irq_exit();
}
