/*
 * lwIP 2.1 OS types for Keel (NO_SYS=0; lwIP's doc/sys_arch.txt). The
 * objects are defined in net/sys_arch.c on Keel's threads and wait
 * queues; lwIP embeds them by value in its own structures.
 */
#ifndef KEEL_LWIP_ARCH_SYS_ARCH_H
#define KEEL_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/thread.h"

/* A counting semaphore: @count is only changed atomically. */
struct sys_arch_sem {
	int count;
	bool valid;
	struct waitq wq;
};

/* A bounded FIFO of pointers; both directions block with timeouts. */
struct sys_arch_mbox {
	struct spinlock lock;
	void **slot;
	unsigned int size, head, count;
	bool valid;
	struct waitq not_empty, not_full;
};

typedef struct sys_arch_sem sys_sem_t;
typedef struct sys_arch_sem sys_mutex_t; /* a semaphore of one */
typedef struct sys_arch_mbox sys_mbox_t;
typedef struct thread *sys_thread_t;

int sys_arch_sem_valid(const sys_sem_t *s);
void sys_arch_sem_set_invalid(sys_sem_t *s);
int sys_arch_mbox_valid(const sys_mbox_t *m);
void sys_arch_mbox_set_invalid(sys_mbox_t *m);

#define sys_sem_valid(s) sys_arch_sem_valid(s)
#define sys_sem_set_invalid(s) sys_arch_sem_set_invalid(s)
#define sys_mutex_valid(m) sys_arch_sem_valid(m)
#define sys_mutex_set_invalid(m) sys_arch_sem_set_invalid(m)
#define sys_mbox_valid(m) sys_arch_mbox_valid(m)
#define sys_mbox_set_invalid(m) sys_arch_mbox_set_invalid(m)

#endif /* KEEL_LWIP_ARCH_SYS_ARCH_H */
