// SPDX-License-Identifier: MIT
/*
 * lwIP's operating-system layer (NO_SYS=0, lwIP doc/sys_arch.txt) on Keel's
 * threads: counting semaphores and bounded mailboxes over wait queues with
 * timeouts, mutexes as semaphores of one, sys_thread_new on thread_create,
 * and SYS_ARCH_PROTECT as one recursive spinlock with interrupts off so
 * pbuf/pool bookkeeping is safe across CPUs.
 *
 * Timeouts are milliseconds, 0 meaning "forever"; waits return the
 * milliseconds spent or SYS_ARCH_TIMEOUT. Wait-queue wake-ups may be
 * spurious, so every wait loops on its own condition.
 */
#include <errno.h>
#include <stdlib.h>

#include <lwip/err.h>
#include <lwip/sys.h>

#include "core/log.h"
#include "core/percpu.h"
#include "core/time.h"

#define NS_PER_MS 1000000ull

/* Wait for @cond(@arg) on @wq until the deadline (0: none). False on
 * timeout. */
static bool sys_arch_wait(struct waitq *wq, bool (*cond)(void *), void *arg,
			  uint64_t deadline)
{
	if (!deadline) {
		waitq_wait(wq, cond, arg);
		return true;
	}
	uint64_t now = time_ns();
	if (now >= deadline)
		return cond(arg);
	waitq_wait_timeout(wq, cond, arg, deadline - now);
	return true; /* the caller re-checks; a late deadline shows next round */
}

static uint64_t sys_arch_deadline(u32_t timeout_ms)
{
	return timeout_ms ? time_ns() + timeout_ms * NS_PER_MS : 0;
}

static u32_t sys_arch_elapsed(uint64_t start)
{
	uint64_t ms = (time_ns() - start) / NS_PER_MS;

	return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : (u32_t)ms;
}

/* --- Semaphores and mutexes ------------------------------------------- */

err_t sys_sem_new(sys_sem_t *s, u8_t count)
{
	s->count = count;
	s->wq = (struct waitq)WAITQ_INIT;
	__atomic_store_n(&s->valid, true, __ATOMIC_RELEASE);
	return ERR_OK;
}

static bool sys_sem_available(void *arg)
{
	return __atomic_load_n(&((sys_sem_t *)arg)->count, __ATOMIC_ACQUIRE) >
	       0;
}

static bool sys_sem_take(sys_sem_t *s)
{
	int c = __atomic_load_n(&s->count, __ATOMIC_ACQUIRE);

	while (c > 0)
		if (__atomic_compare_exchange_n(&s->count, &c, c - 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return true;
	return false;
}

u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout)
{
	uint64_t start = time_ns(), deadline = sys_arch_deadline(timeout);

	for (;;) {
		if (sys_sem_take(s))
			return sys_arch_elapsed(start);
		if (deadline && time_ns() >= deadline)
			return SYS_ARCH_TIMEOUT;
		sys_arch_wait(&s->wq, sys_sem_available, s, deadline);
	}
}

void sys_sem_signal(sys_sem_t *s)
{
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE);
	/* All, not one: a woken waiter may lose the count to a newcomer and
	 * go back to sleep, and then nobody would wake the next one. */
	waitq_wake_all(&s->wq);
}

void sys_sem_free(sys_sem_t *s)
{
	__atomic_store_n(&s->valid, false, __ATOMIC_RELEASE);
}

int sys_arch_sem_valid(const sys_sem_t *s)
{
	return s && __atomic_load_n(&s->valid, __ATOMIC_ACQUIRE);
}

void sys_arch_sem_set_invalid(sys_sem_t *s)
{
	__atomic_store_n(&s->valid, false, __ATOMIC_RELEASE);
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	return sys_sem_new(m, 1);
}

void sys_mutex_lock(sys_mutex_t *m)
{
	sys_arch_sem_wait(m, 0);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	sys_sem_signal(m);
}

void sys_mutex_free(sys_mutex_t *m)
{
	sys_sem_free(m);
}

/* --- Mailboxes ------------------------------------------------------------ */

err_t sys_mbox_new(sys_mbox_t *m, int size)
{
	if (size <= 0)
		size = 16;
	m->slot = calloc((size_t)size, sizeof(void *));
	if (!m->slot) {
		m->valid = false;
		return ERR_MEM;
	}
	m->lock = (struct spinlock)SPINLOCK_INIT;
	m->size = (unsigned int)size;
	m->head = m->count = 0;
	m->not_empty = (struct waitq)WAITQ_INIT;
	m->not_full = (struct waitq)WAITQ_INIT;
	__atomic_store_n(&m->valid, true, __ATOMIC_RELEASE);
	return ERR_OK;
}

static bool sys_mbox_has_room(void *arg)
{
	sys_mbox_t *m = arg;

	return __atomic_load_n(&m->count, __ATOMIC_ACQUIRE) < m->size;
}

static bool sys_mbox_has_mail(void *arg)
{
	return __atomic_load_n(&((sys_mbox_t *)arg)->count, __ATOMIC_ACQUIRE);
}

/* Append under the lock; false when full. */
static bool sys_mbox_put(sys_mbox_t *m, void *msg)
{
	uint64_t flags = spin_lock_irqsave(&m->lock);
	bool ok = m->count < m->size;

	if (ok) {
		m->slot[(m->head + m->count) % m->size] = msg;
		__atomic_store_n(&m->count, m->count + 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (ok)
		waitq_wake_all(&m->not_empty);
	return ok;
}

static bool sys_mbox_get(sys_mbox_t *m, void **msg)
{
	uint64_t flags = spin_lock_irqsave(&m->lock);
	bool ok = m->count > 0;

	if (ok) {
		void *v = m->slot[m->head];
		if (msg)
			*msg = v;
		m->head = (m->head + 1) % m->size;
		__atomic_store_n(&m->count, m->count - 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (ok)
		waitq_wake_all(&m->not_full);
	return ok;
}

void sys_mbox_post(sys_mbox_t *m, void *msg)
{
	while (!sys_mbox_put(m, msg))
		waitq_wait(&m->not_full, sys_mbox_has_room, m);
}

err_t sys_mbox_trypost(sys_mbox_t *m, void *msg)
{
	return sys_mbox_put(m, msg) ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *m, void *msg)
{
	return sys_mbox_trypost(m, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *m, void **msg, u32_t timeout)
{
	uint64_t start = time_ns(), deadline = sys_arch_deadline(timeout);

	for (;;) {
		if (sys_mbox_get(m, msg))
			return sys_arch_elapsed(start);
		if (deadline && time_ns() >= deadline)
			return SYS_ARCH_TIMEOUT;
		sys_arch_wait(&m->not_empty, sys_mbox_has_mail, m, deadline);
	}
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *m, void **msg)
{
	return sys_mbox_get(m, msg) ? 0 : SYS_MBOX_EMPTY;
}

void sys_mbox_free(sys_mbox_t *m)
{
	if (m->count)
		log_warn("lwip: mailbox freed with %u messages", m->count);
	__atomic_store_n(&m->valid, false, __ATOMIC_RELEASE);
	free(m->slot);
	m->slot = NULL;
}

int sys_arch_mbox_valid(const sys_mbox_t *m)
{
	return m && __atomic_load_n(&m->valid, __ATOMIC_ACQUIRE);
}

void sys_arch_mbox_set_invalid(sys_mbox_t *m)
{
	__atomic_store_n(&m->valid, false, __ATOMIC_RELEASE);
}

/* --- Threads -------------------------------------------------------------- */

/* Stack sizes and priorities are ignored: every Keel thread has
 * THREAD_STACK_SIZE and runs in the NORMAL class. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	struct thread *t = thread_create(name, fn, arg, NULL);

	if (!t)
		log_err("lwip: cannot start thread %s", name);
	return t;
}

void sys_init(void)
{
}

/* --- SYS_ARCH_PROTECT ----------------------------------------------------- */

/*
 * One lock for all of lwIP's short critical sections (pool allocation,
 * pbuf reference counts). lwIP may nest them, so the lock is recursive
 * per CPU; interrupts stay off while it is held so the holder can neither
 * be preempted nor migrate. The token is the RFLAGS from before.
 */
static struct spinlock sys_prot_lock = SPINLOCK_INIT;
static struct percpu *sys_prot_owner;
static unsigned int sys_prot_depth;

sys_prot_t sys_arch_protect(void)
{
	sys_prot_t flags = (sys_prot_t)irq_save();
	struct percpu *me = this_cpu();

	if (__atomic_load_n(&sys_prot_owner, __ATOMIC_RELAXED) != me) {
		spin_lock(&sys_prot_lock);
		__atomic_store_n(&sys_prot_owner, me, __ATOMIC_RELAXED);
	}
	sys_prot_depth++;
	return flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
	if (--sys_prot_depth == 0) {
		__atomic_store_n(&sys_prot_owner, NULL, __ATOMIC_RELAXED);
		spin_unlock(&sys_prot_lock);
	}
	irq_restore(flags);
}
