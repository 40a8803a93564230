/* SPDX-License-Identifier: MIT */
/*
 * A sleeping lock for thread context: one owner at a time, the others
 * sleep on a wait queue until it is released. For work that blocks while
 * it holds the lock (a disk command and its wait), where a spinlock would
 * hold a CPU with interrupts off. Not recursive; never from an interrupt.
 */
#ifndef KEEL_CORE_MUTEX_H
#define KEEL_CORE_MUTEX_H

#include <stdbool.h>

#include "core/thread.h"

struct mutex {
	bool held;
	struct waitq wq; /* threads waiting for held to clear */
};

#define MUTEX_INIT { false, WAITQ_INIT }

void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
