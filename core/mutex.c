// SPDX-License-Identifier: MIT
#include "core/mutex.h"

static bool mutex_free(void *arg)
{
	return !__atomic_load_n(&((struct mutex *)arg)->held, __ATOMIC_ACQUIRE);
}

/*
 * Take it, or sleep until it is free and try again. No wake-up is lost:
 * waitq_wait looks at "free" under the queue's lock, and mutex_unlock
 * clears held before it takes that lock to wake a waiter.
 */
void mutex_lock(struct mutex *m)
{
	while (__atomic_exchange_n(&m->held, true, __ATOMIC_ACQUIRE))
		waitq_wait(&m->wq, mutex_free, m);
}

void mutex_unlock(struct mutex *m)
{
	__atomic_store_n(&m->held, false, __ATOMIC_RELEASE);
	waitq_wake_one(&m->wq);
}
