// SPDX-License-Identifier: MIT
/*
 * The console key queue (drivers/keys.h): a ring under a spinlock taken
 * with interrupts off, so the i8042 and serial interrupt handlers can push
 * while the console thread waits on the queue.
 */
#include <stddef.h>

#include "core/irq.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "drivers/keys.h"

#define KEYS_RING 64

static struct spinlock keys_lock = SPINLOCK_INIT;
static struct waitq keys_wq = WAITQ_INIT;
static int keys_ring[KEYS_RING];
static unsigned int keys_head, keys_tail; /* free-running: tail - head queued */

void keys_push(int key)
{
	uint64_t flags;

	if (key == KEY_NONE)
		return;
	flags = spin_lock_irqsave(&keys_lock);
	if (keys_tail - keys_head < KEYS_RING)
		keys_ring[keys_tail++ % KEYS_RING] = key;
	spin_unlock_irqrestore(&keys_lock, flags);
	waitq_wake_all(&keys_wq);
}

static bool keys_ready(void *arg)
{
	return __atomic_load_n(&keys_tail, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&keys_head, __ATOMIC_ACQUIRE);
}

int keys_get(uint64_t timeout_ns)
{
	uint64_t flags;
	int key = KEY_NONE;

	if (!keys_ready(NULL) && timeout_ns)
		waitq_wait_timeout(&keys_wq, keys_ready, NULL, timeout_ns);
	flags = spin_lock_irqsave(&keys_lock);
	if (keys_tail != keys_head)
		key = keys_ring[keys_head++ % KEYS_RING];
	spin_unlock_irqrestore(&keys_lock, flags);
	return key;
}
