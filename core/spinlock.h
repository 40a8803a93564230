/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks: FIFO, so no CPU starves under contention (the exit
 * path of many vCPUs will take some of these). The _irqsave variants also
 * mask interrupts on this CPU, for data an interrupt handler touches.
 */
#ifndef KEEL_CORE_SPINLOCK_H
#define KEEL_CORE_SPINLOCK_H

#include <stdint.h>

#include "core/irq.h"

struct spinlock {
	uint16_t next; /* ticket handed to the next arrival */
	uint16_t owner; /* ticket now being served */
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		asm volatile("pause");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

#endif
