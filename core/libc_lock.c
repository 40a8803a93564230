// SPDX-License-Identifier: MIT
/*
 * newlib's retargetable locks (configured with
 * --enable-newlib-retargetable-locking): without these, its malloc and
 * stdio have no locking at all and corrupt themselves as soon as two CPUs
 * allocate. Defining every function and static lock keeps newlib's dummy
 * libc/misc/lock.o out of the link.
 *
 * Locks are recursive ticket spinlocks held with interrupts off: a holder
 * is never preempted, so a waiter on the same CPU cannot deadlock on it.
 * Interrupt handlers must not call malloc (core/fpu.h says the same of
 * library code in general).
 */
#include <stdlib.h>
#include <sys/lock.h>

#include "core/percpu.h"
#include "core/spinlock.h"

struct __lock {
	struct spinlock sl;
	const void *owner; /* the thread, or the CPU before threads exist */
	unsigned int depth;
	uint64_t flags; /* RFLAGS at the outermost acquire */
};

struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

static const void *libc_lock_me(void)
{
	struct percpu *c = this_cpu();

	return c->current ? (const void *)c->current : (const void *)c;
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(**lock));
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	uint64_t flags = irq_save();
	const void *me = libc_lock_me();

	if (!lock) /* init ran out of memory: nothing to lock */
		return;
	if (lock->depth && lock->owner == me) {
		lock->depth++;
		return;
	}
	spin_lock(&lock->sl);
	lock->owner = me;
	lock->depth = 1;
	lock->flags = flags;
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	__retarget_lock_acquire_recursive(lock);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	uint64_t flags = irq_save();
	const void *me = libc_lock_me();

	if (!lock)
		return 1;
	if (lock->depth && lock->owner == me) {
		lock->depth++;
		return 1;
	}
	uint16_t owner = __atomic_load_n(&lock->sl.owner, __ATOMIC_RELAXED);
	if (!__atomic_compare_exchange_n(&lock->sl.next, &owner, owner + 1,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED)) {
		irq_restore(flags);
		return 0;
	}
	lock->owner = me;
	lock->depth = 1;
	lock->flags = flags;
	return 1;
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return __retarget_lock_try_acquire_recursive(lock);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (!lock)
		return;
	if (--lock->depth)
		return; /* still held: interrupts stay off */
	uint64_t flags = lock->flags;
	lock->owner = NULL;
	spin_unlock(&lock->sl);
	irq_restore(flags);
}

void __retarget_lock_release(_LOCK_T lock)
{
	__retarget_lock_release_recursive(lock);
}
