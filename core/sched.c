// SPDX-License-Identifier: MIT
/*
 * Per-CPU run queues, fair share by weight within a class, sleep timers
 * and wait queues. Locking: each CPU's run queue, sleep timers and the
 * state of the threads on them are under that CPU's rq_lock, taken with
 * interrupts off. A thread stays on the CPU it last ran on unless it is
 * pinned elsewhere; placement happens when it is created.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/fpu.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/thread.h"
#include "core/time.h"

#define SCHED_SLICE_NS (4 * 1000000ull)

extern struct thread *sched_switch(struct thread *prev, struct thread *next);
extern char sched_thread_entry[];

static uint32_t sched_next_id;
static void (*sched_clock_arm)(uint64_t deadline_ns);
static void (*sched_ipi)(unsigned int cpu, unsigned int vector);

/* Every live thread, for sched_log_state (taken with interrupts off). */
static struct spinlock sched_all_lock = SPINLOCK_INIT;
static struct thread *sched_all;

/* Stacks of dead threads, reused: their virtual space is never freed. */
static struct spinlock sched_stack_lock = SPINLOCK_INIT;
static void *sched_free_stacks[64];
static unsigned int sched_nfree_stacks;

void sched_set_clock(void (*arm)(uint64_t deadline_ns))
{
	sched_clock_arm = arm;
}

void sched_set_ipi(void (*send)(unsigned int cpu, unsigned int vector))
{
	sched_ipi = send;
}

/* Run-queue order: class first, then virtual run time. */
static bool sched_before(const struct thread *a, const struct thread *b)
{
	return a->cls != b->cls ? a->cls < b->cls : a->vruntime < b->vruntime;
}

static void rq_insert(struct percpu *c, struct thread *t)
{
	struct thread **p = &c->rq_head;

	/* A thread back from a long sleep must not hog the CPU to catch up. */
	if (t->vruntime < c->min_vruntime)
		t->vruntime = c->min_vruntime;
	while (*p && !sched_before(t, *p))
		p = &(*p)->rq_next;
	t->rq_next = *p;
	*p = t;
	t->state = THREAD_RUNNABLE;
	t->cpu = c->id;
	c->rq_len++;
}

static struct thread *rq_pop(struct percpu *c)
{
	struct thread *t = c->rq_head;

	if (t) {
		c->rq_head = t->rq_next;
		c->rq_len--;
	}
	return t;
}

static void sched_account(struct percpu *c, struct thread *t, uint64_t now)
{
	uint64_t ran = now > t->run_start ? now - t->run_start : 0;

	t->runtime_ns += ran;
	t->vruntime += ran * THREAD_WEIGHT_DEFAULT / t->weight;
	t->run_start = now;
	if (t != c->idle && (!c->rq_head || t->vruntime < c->rq_head->vruntime))
		c->min_vruntime = t->vruntime > c->min_vruntime ? t->vruntime
								: c->min_vruntime;
}

/* Wake sleepers whose time has come; under rq_lock. */
static void sched_expire_timers(struct percpu *c, uint64_t now)
{
	while (c->timers && c->timers->wake_at <= now) {
		struct thread *t = c->timers;
		c->timers = t->timer_next;
		if (t->state == THREAD_BLOCKED)
			rq_insert(c, t);
	}
}

/* Program the clock for the next sleeper, the end of the slice or the
 * sched_arm_local() wish of @run (the thread about to run), whichever
 * comes first. The wish follows the thread, so a vCPU thread preempted
 * between asking and entering its guest still gets its interrupt. */
static void sched_rearm(struct percpu *c, uint64_t now, struct thread *run)
{
	uint64_t next = 0;

	if (!sched_clock_arm)
		return;
	if (c->rq_len)
		next = c->slice_end_ns;
	if (c->timers && (!next || c->timers->wake_at < next))
		next = c->timers->wake_at;
	uint64_t wish = run ? run->clock_wish_ns : 0;
	if (wish && wish <= now)
		run->clock_wish_ns = wish = 0; /* it came: this was it */
	if (wish && (!next || wish < next))
		next = wish;
	c->clock_at_ns = next;
	sched_clock_arm(next);
}

void sched_arm_local(uint64_t deadline_ns)
{
	uint64_t flags = irq_save();
	struct percpu *c = this_cpu();
	struct thread *t = c->current;

	/* The common case on every guest entry: nothing changed. */
	if (t->clock_wish_ns == deadline_ns) {
		irq_restore(flags);
		return;
	}
	spin_lock(&c->rq_lock);
	t->clock_wish_ns = deadline_ns;
	/* Only an earlier time needs the clock now; a later one (or none)
	 * costs one early interrupt, after which sched_rearm decides. */
	if (deadline_ns && sched_clock_arm &&
	    (!c->clock_at_ns || deadline_ns < c->clock_at_ns)) {
		c->clock_at_ns = deadline_ns;
		sched_clock_arm(deadline_ns);
	}
	spin_unlock(&c->rq_lock);
	irq_restore(flags);
}

/* The new thread's side of a switch: release prev, reclaim the dead. */
static void sched_finish(struct thread *prev)
{
	bool dead = prev->state == THREAD_DEAD;

	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	if (!dead)
		return;
	spin_lock(&sched_all_lock);
	for (struct thread **p = &sched_all; *p; p = &(*p)->all_next)
		if (*p == prev) {
			*p = prev->all_next;
			break;
		}
	spin_unlock(&sched_all_lock);
	spin_lock(&sched_stack_lock);
	/* The boot thread's stack is in the image: not reusable. */
	if (prev->stack_top && sched_nfree_stacks < 64)
		sched_free_stacks[sched_nfree_stacks++] = prev->stack_top;
	spin_unlock(&sched_stack_lock);
	/*
	 * The new thread's SSE registers are already loaded, and newlib's
	 * free() uses XMM0 for its bin links: park them in the thread's own
	 * area around it, or the reaping would corrupt the thread it serves.
	 */
	struct thread *self = this_cpu()->current;
	fpu_save(self->fpu);
	fpu_area_free(prev->fpu);
	free(prev);
	fpu_restore(self->fpu);
}

static bool sched_trylock(struct spinlock *l)
{
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	return __atomic_compare_exchange_n(&l->next, &owner, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * An idle CPU pulls a runnable thread that may run anywhere from the
 * busiest other CPU. Try-lock only: we hold our own run-queue lock, and
 * two CPUs stealing from each other must not deadlock.
 */
static struct thread *sched_steal(struct percpu *c)
{
	struct percpu *victim = NULL;

	for (unsigned int i = 0; i < PERCPU_MAX; i++) {
		struct percpu *o = &percpu_cpus[i];
		if (o != c && o->online && o->rq_len &&
		    (!victim || o->rq_len > victim->rq_len))
			victim = o;
	}
	if (!victim)
		return NULL;
	if (!sched_trylock(&victim->rq_lock))
		return NULL;
	struct thread *t = NULL;
	for (struct thread **p = &victim->rq_head; *p; p = &(*p)->rq_next)
		if ((*p)->pinned_cpu == THREAD_ANY_CPU && (*p)->cls != THREAD_IDLE) {
			t = *p;
			*p = t->rq_next;
			victim->rq_len--;
			break;
		}
	spin_unlock(&victim->rq_lock);
	if (t) { /* keep its place relative to the others' progress */
		uint64_t lag = t->vruntime > victim->min_vruntime
				       ? t->vruntime - victim->min_vruntime
				       : 0;
		t->vruntime = c->min_vruntime + lag;
	}
	return t;
}

void schedule(void)
{
	uint64_t flags = irq_save();
	struct percpu *c = this_cpu();
	struct thread *prev = c->current, *next;
	uint64_t now = time_ns();

	spin_lock(&c->rq_lock);
	sched_account(c, prev, now);
	sched_expire_timers(c, now);
	c->need_resched = false;
	/*
	 * Requeue prev only if it is still ours. A thread that blocked is
	 * woken (RUNNABLE, queued) by another CPU between dropping its wait
	 * queue's lock and getting here; another CPU may even have dequeued
	 * it already (RUNNING there, ->cpu changed) and now waits for
	 * on_cpu with its run-queue lock held. Requeuing it here ran it on
	 * two CPUs' books and deadlocked the endpoint under load. The
	 * dequeuer publishes ->cpu before ->state (release below), so
	 * RUNNING with our id means we are the one running it.
	 */
	if (prev != c->idle &&
	    __atomic_load_n(&prev->state, __ATOMIC_ACQUIRE) == THREAD_RUNNING &&
	    __atomic_load_n(&prev->cpu, __ATOMIC_RELAXED) == (int)c->id)
		rq_insert(c, prev);
	next = rq_pop(c);
	if (!next)
		next = sched_steal(c);
	if (!next)
		next = c->idle;
	next->run_start = now;
	__atomic_store_n(&next->cpu, (int)c->id, __ATOMIC_RELAXED);
	__atomic_store_n(&next->state, THREAD_RUNNING, __ATOMIC_RELEASE);
	c->slice_end_ns = now + SCHED_SLICE_NS;
	sched_rearm(c, now, next);
	if (next == prev) {
		spin_unlock(&c->rq_lock);
		irq_restore(flags);
		return;
	}
	/* A thread woken here may still be switching out on its old CPU. */
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		cpu_pause();
	next->on_cpu = 1;
	c->current = next;
	c->switches++;
	spin_unlock(&c->rq_lock);

	fpu_save(prev->fpu);
	fpu_restore(next->fpu);
	prev = sched_switch(prev, next);
	sched_finish(prev);
	irq_restore(flags);
}

void sched_irq_exit(void)
{
	struct percpu *c = this_cpu();

	if (c->self == c && c->current && c->need_resched && !c->preempt_off)
		schedule();
}

void sched_preempt_disable(void)
{
	this_cpu()->preempt_off++;
}

void sched_preempt_enable(void)
{
	struct percpu *c = this_cpu();

	if (--c->preempt_off == 0 && c->need_resched)
		schedule();
}

static void sched_kick_idle(unsigned int busy);

/* The clock interrupt: wake sleepers, end the slice if others wait. */
void sched_tick(void)
{
	struct percpu *c = this_cpu();
	uint64_t now = time_ns();

	spin_lock(&c->rq_lock);
	sched_expire_timers(c, now);
	if (c->rq_head &&
	    (now >= c->slice_end_ns || c->current == c->idle ||
	     sched_before(c->rq_head, c->current)))
		c->need_resched = true;
	sched_rearm(c, now, c->current);
	spin_unlock(&c->rq_lock);
	sched_kick_idle(c->id);
}

/* Tell @cpu to look at its run queue (it may be idle in HLT). */
static void sched_kick(unsigned int cpu)
{
	if (cpu == this_cpu()->id)
		this_cpu()->need_resched = true;
	else if (sched_ipi)
		sched_ipi(cpu, IRQ_VECTOR_IPI_RESCHED);
}

/* More than one runnable thread on @busy: wake an idle CPU to steal one. */
static void sched_kick_idle(unsigned int busy)
{
	if (percpu_cpus[busy].rq_len < 2)
		return;
	for (unsigned int i = 0; i < PERCPU_MAX; i++) {
		struct percpu *o = &percpu_cpus[i];
		if (i != busy && o->online && o->current == o->idle &&
		    !o->rq_len) {
			sched_kick(i);
			return;
		}
	}
}

void thread_wake(struct thread *t)
{
	struct percpu *c = &percpu_cpus[t->cpu];
	int pin = __atomic_load_n(&t->pinned_cpu, __ATOMIC_ACQUIRE);
	struct percpu *dest = pin == THREAD_ANY_CPU ? c : &percpu_cpus[pin];
	uint64_t flags = spin_lock_irqsave(&c->rq_lock);
	bool woke = false;

	if (t->state == THREAD_BLOCKED) {
		/* Out of the sleep list if it was sleeping. */
		for (struct thread **p = &c->timers; *p; p = &(*p)->timer_next)
			if (*p == t) {
				*p = t->timer_next;
				break;
			}
		woke = true;
		if (dest == c) {
			rq_insert(c, t);
		} else {
			/* Claimed under the old lock, queued under the new one:
			 * a second waker sees it RUNNABLE and leaves it alone. */
			t->state = THREAD_RUNNABLE;
		}
	}
	spin_unlock(&c->rq_lock);
	if (woke && dest != c) {
		spin_lock(&dest->rq_lock);
		rq_insert(dest, t);
		spin_unlock(&dest->rq_lock);
	}
	irq_restore(flags);
	if (woke) {
		sched_kick(dest->id);
		sched_kick_idle(dest->id);
	}
}

void thread_yield(void)
{
	schedule();
}

/* Put the current thread on this CPU's sleep list until @deadline; under
 * rq_lock with interrupts off. The caller blocks it with schedule(). */
static void sched_timer_add(struct percpu *c, struct thread *t,
			    uint64_t deadline)
{
	t->wake_at = deadline;
	struct thread **p = &c->timers;
	while (*p && (*p)->wake_at <= t->wake_at)
		p = &(*p)->timer_next;
	t->timer_next = *p;
	*p = t;
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t deadline = time_ns() + ns;
	struct thread *self = this_cpu()->current;

	self->wait_on = NULL; /* a plain sleep */
	self->wait_ip = (uint64_t)__builtin_return_address(0);
	/* A stray wake-up (a waker that lost a race with a timed wait) ends
	 * the block early: sleep again until the deadline has really come. */
	while (time_ns() < deadline) {
		uint64_t flags = irq_save();
		struct percpu *c = this_cpu();

		spin_lock(&c->rq_lock);
		self->state = THREAD_BLOCKED;
		sched_timer_add(c, self, deadline);
		spin_unlock(&c->rq_lock);
		schedule();
		irq_restore(flags);
	}
}

void thread_kick(struct thread *t)
{
	int cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);

	if (t->state == THREAD_RUNNING && (unsigned int)cpu != this_cpu()->id &&
	    sched_ipi)
		sched_ipi(cpu, IRQ_VECTOR_IPI_RESCHED);
}

int thread_set_affinity(struct thread *t, int cpu)
{
	if (cpu != THREAD_ANY_CPU &&
	    (cpu < 0 || cpu >= PERCPU_MAX || !percpu_cpus[cpu].online))
		return -EINVAL;
	/* A new pin takes effect at the thread's next wake-up (thread_wake
	 * queues it there); unpinned, idle CPUs may pull it at once. */
	__atomic_store_n(&t->pinned_cpu, cpu, __ATOMIC_RELEASE);
	if (cpu == THREAD_ANY_CPU)
		sched_kick_idle(t->cpu);
	return 0;
}

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

void thread_exit(void)
{
	irq_disable();
	this_cpu()->current->state = THREAD_DEAD;
	schedule();
	panic("sched: a dead thread was scheduled");
}

/* First code a new thread runs (from sched_thread_entry in switch.S). */
__attribute__((noreturn)) void thread_start(struct thread *prev)
{
	struct thread *self = this_cpu()->current;

	sched_finish(prev);
	irq_enable();
	self->fn(self->arg);
	thread_exit();
}

/* A new thread's first switch "returns" into sched_thread_entry. */
static void sched_init_stack(struct thread *t, void *top, void (*fn)(void *),
			     void *arg)
{
	uint64_t *sp = top;

	t->stack_top = top;
	t->fn = fn;
	t->arg = arg;
	/* The frame sched_switch pops: r15..r12, rbx, rbp, rflags (IF=0). */
	*--sp = 0; /* keeps the entry's stack 16-byte aligned */
	*--sp = (uint64_t)sched_thread_entry;
	*--sp = 0x2; /* RFLAGS: interrupts enabled in thread_start */
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (uint64_t)sp;
}

/* The least loaded CPU that is online, for a thread free to go anywhere. */
static unsigned int sched_pick_cpu(void)
{
	unsigned int best = this_cpu()->id;

	for (unsigned int i = 0; i < PERCPU_MAX; i++)
		if (percpu_cpus[i].online &&
		    percpu_cpus[i].rq_len < percpu_cpus[best].rq_len)
			best = i;
	return best;
}

static struct thread *sched_new_thread(const char *name,
				       const struct thread_attr *attr)
{
	struct thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->id = __atomic_fetch_add(&sched_next_id, 1, __ATOMIC_RELAXED);
	t->cls = attr ? attr->cls : THREAD_NORMAL;
	t->weight = attr && attr->weight ? attr->weight : THREAD_WEIGHT_DEFAULT;
	t->pinned_cpu = attr ? attr->cpu : THREAD_ANY_CPU;
	t->fpu = fpu_area_alloc();
	if (!t->fpu) {
		free(t);
		return NULL;
	}
	return t;
}

/* On the list once it can run: thread_create's failure paths free it. */
static void sched_list_add(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&sched_all_lock);

	t->all_next = sched_all;
	sched_all = t;
	spin_unlock_irqrestore(&sched_all_lock, flags);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     const struct thread_attr *attr)
{
	struct thread *t = sched_new_thread(name, attr);
	void *top = NULL;

	if (!t)
		return NULL;
	if (t->pinned_cpu != THREAD_ANY_CPU &&
	    (t->pinned_cpu < 0 || t->pinned_cpu >= PERCPU_MAX ||
	     !percpu_cpus[t->pinned_cpu].online)) {
		log_warn("sched: %s pinned to offline CPU %d", name,
			 t->pinned_cpu);
		goto fail;
	}
	uint64_t sflags = spin_lock_irqsave(&sched_stack_lock);
	if (sched_nfree_stacks)
		top = sched_free_stacks[--sched_nfree_stacks];
	spin_unlock_irqrestore(&sched_stack_lock, sflags);
	if (!top && !(top = mm_alloc_stack(THREAD_STACK_SIZE)))
		goto fail;
	sched_init_stack(t, top, fn, arg);

	unsigned int cpu = t->pinned_cpu != THREAD_ANY_CPU ? (unsigned int)t->pinned_cpu
							   : sched_pick_cpu();
	struct percpu *c = &percpu_cpus[cpu];
	uint64_t flags = spin_lock_irqsave(&c->rq_lock);
	t->vruntime = c->min_vruntime;
	rq_insert(c, t);
	sched_list_add(t);
	spin_unlock_irqrestore(&c->rq_lock, flags);
	sched_kick(cpu);
	sched_kick_idle(cpu);
	return t;
fail:
	fpu_area_free(t->fpu);
	free(t);
	return NULL;
}

/* Mark @self blocked and queue it last on @wq; under wq->lock. */
static void waitq_block(struct waitq *wq, struct thread *self)
{
	struct thread **p = &wq->head;

	self->state = THREAD_BLOCKED;
	self->wq_next = NULL;
	while (*p)
		p = &(*p)->wq_next;
	*p = self;
}

/*
 * A wake-up means "look again", not "your condition holds": the waker may
 * be late. Thread A sets B's condition and goes to wake B; B sees the
 * condition before queueing, returns at once, moves on and waits for the
 * next event; A's wake-up then lands on that new wait. So both waits
 * re-check @cond after every wake-up and block again while it is false
 * (the thread_pingpong self-test hung on exactly this: the stale wake let
 * both threads run at once and one waited for good).
 *
 * Both waits come here: until @cond holds, or (a @deadline other than 0)
 * until time_ns() reaches it. @ip names the caller for sched_log_state.
 */
static bool waitq_wait_until(struct waitq *wq, bool (*cond)(void *), void *arg,
			     uint64_t deadline, uint64_t ip)
{
	uint64_t flags = irq_save();
	struct thread *self = this_cpu()->current;
	bool ok;

	self->wait_on = wq;
	self->wait_ip = ip;
	for (;;) {
		spin_lock(&wq->lock);
		if (cond && cond(arg)) {
			spin_unlock(&wq->lock);
			ok = true;
			break;
		}
		if (deadline && time_ns() >= deadline) {
			spin_unlock(&wq->lock);
			ok = false;
			break;
		}
		waitq_block(wq, self);
		/*
		 * A timed wait is on the wait queue and on the sleep list at
		 * once: whichever fires first makes it runnable. thread_wake()
		 * takes a woken thread off the sleep list; a timed-out one
		 * takes itself off the wait queue below. Lock order wq->lock,
		 * then rq_lock, as waitq_wake -> thread_wake.
		 */
		if (deadline) {
			struct percpu *c = this_cpu();
			spin_lock(&c->rq_lock);
			sched_timer_add(c, self, deadline);
			spin_unlock(&c->rq_lock);
		}
		spin_unlock(&wq->lock);
		schedule();

		/* Only waitq_wake wakes an untimed wait, and it unqueues. */
		bool queued = false;
		if (deadline) {
			spin_lock(&wq->lock);
			for (struct thread **p = &wq->head; *p;
			     p = &(*p)->wq_next)
				if (*p == self) {
					*p = self->wq_next;
					queued = true;
					break;
				}
			spin_unlock(&wq->lock);
		}
		if (!cond) { /* still queued: the timer woke us */
			ok = !queued;
			break;
		}
	}
	irq_restore(flags);
	return ok;
}

void waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg)
{
	waitq_wait_until(wq, cond, arg, 0,
			 (uint64_t)__builtin_return_address(0));
}

bool waitq_wait_timeout(struct waitq *wq, bool (*cond)(void *), void *arg,
			uint64_t timeout_ns)
{
	uint64_t now = time_ns(), deadline = now + timeout_ns;

	if (deadline < now)
		deadline = UINT64_MAX; /* "forever" */
	/* 0 means no deadline to waitq_wait_until: "now" is in the past. */
	return waitq_wait_until(wq, cond, arg, deadline ? deadline : 1,
				(uint64_t)__builtin_return_address(0));
}

/*
 * Wake under the queue's lock (lock order wq->lock, then rq_lock). Once a
 * thread is off the list and the lock is dropped, its timer may wake it,
 * it may run and wait on another queue, rewriting wq_next: walking a
 * detached list after the unlock followed that link into the other
 * queue, woke threads still linked there, and a later wait linked them
 * twice (a cycle: the endpoint hung under load with one CPU spinning).
 */
static void waitq_wake(struct waitq *wq, bool all)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	while (wq->head) {
		struct thread *t = wq->head;

		wq->head = t->wq_next;
		t->wq_next = NULL;
		thread_wake(t);
		if (!all)
			break;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_wake_one(struct waitq *wq)
{
	waitq_wake(wq, false);
}

void waitq_wake_all(struct waitq *wq)
{
	waitq_wake(wq, true);
}

uint64_t sched_cpu_idle_ns(unsigned int cpu)
{
	struct percpu *c;
	uint64_t flags, ns, now;

	if (cpu >= PERCPU_MAX || !percpu_cpus[cpu].online ||
	    !percpu_cpus[cpu].idle)
		return 0;
	c = &percpu_cpus[cpu];
	flags = spin_lock_irqsave(&c->rq_lock);
	ns = c->idle->runtime_ns;
	/* Accounting happens at switches: add the idle stretch under way. */
	now = time_ns();
	if (c->current == c->idle && now > c->idle->run_start)
		ns += now - c->idle->run_start;
	spin_unlock_irqrestore(&c->rq_lock, flags);
	return ns;
}

static const char *const sched_state_names[] = {"runnable", "running",
						"blocked", "dead"};

static void sched_log_thread(const char *what, const struct thread *t,
			     uint64_t now)
{
	bool sleeper = what[0] == 's';

	log_warn("sched:   %s \"%s\" (%u) %s cpu %d pin %d on_cpu %d, %s %lld us",
		 what, t->name, t->id,
		 t->state >= 0 && t->state <= THREAD_DEAD
			 ? sched_state_names[t->state]
			 : "?",
		 t->cpu, t->pinned_cpu, t->on_cpu, sleeper ? "wakes in" : "ran",
		 sleeper ? (long long)(t->wake_at - now) / 1000
			 : (long long)t->runtime_ns / 1000);
}

/* A lock held for 10 ms is itself the answer: do not wait for it. */
static bool sched_trylock_10ms(struct spinlock *l)
{
	for (uint64_t until = time_ns() + 10000000; time_ns() < until;)
		if (sched_trylock(l))
			return true;
	return false;
}

/* Blocked threads are on no CPU's lists: say where each one waits. */
static void sched_log_blocked(void)
{
	uint64_t flags = irq_save();
	char sym[64];

	if (!sched_trylock_10ms(&sched_all_lock)) {
		log_warn("sched: thread list lock held (not walked)");
		irq_restore(flags);
		return;
	}
	for (struct thread *t = sched_all; t; t = t->all_next)
		if (t->state == THREAD_BLOCKED)
			log_warn("sched:   blocked \"%s\" (%u) cpu %d pin %d "
				 "on_cpu %d, waits in %s on %p",
				 t->name, t->id, t->cpu, t->pinned_cpu,
				 t->on_cpu,
				 panic_symbol(t->wait_ip, sym, sizeof(sym)),
				 t->wait_on);
	spin_unlock(&sched_all_lock);
	irq_restore(flags);
}

void sched_log_state(void)
{
	uint64_t now = time_ns();

	for (unsigned int i = 0; i < PERCPU_MAX; i++) {
		struct percpu *c = &percpu_cpus[i];
		uint64_t flags = irq_save();

		if (!c->online) {
			irq_restore(flags);
			continue;
		}
		bool locked = sched_trylock_10ms(&c->rq_lock);
		log_warn("sched: CPU %u: %u runnable, need_resched %d, clock %lld "
			 "us ahead, %llu switches%s",
			 c->id, c->rq_len, c->need_resched,
			 c->clock_at_ns ? (long long)(c->clock_at_ns - now) / 1000
					: -1ll,
			 (unsigned long long)c->switches,
			 locked ? "" : ", run-queue lock held (not walked)");
		if (locked) {
			sched_log_thread("current", c->current, now);
			for (struct thread *t = c->rq_head; t; t = t->rq_next)
				sched_log_thread("queued ", t, now);
			for (struct thread *t = c->timers; t; t = t->timer_next)
				sched_log_thread("sleeps ", t, now);
			spin_unlock(&c->rq_lock);
		}
		irq_restore(flags);
	}
	sched_log_blocked();
}

void sched_idle_loop(void)
{
	for (;;) {
		irq_disable();
		if (this_cpu()->rq_len || this_cpu()->need_resched) {
			schedule();
			continue;
		}
		/* STI's one-instruction shadow: no wake-up slips before HLT. */
		asm volatile("sti; hlt" ::: "memory");
	}
}

static void sched_idle_fn(void *arg)
{
	(void)arg;
	sched_idle_loop();
}

/* This CPU's idle thread; @adopt: it is the code running now (an AP). */
static void sched_make_idle(bool adopt)
{
	struct percpu *c = this_cpu();
	struct thread_attr idle = { THREAD_IDLE, 1, (int)c->id };
	struct thread *t = sched_new_thread("idle", &idle);
	void *top = adopt ? NULL : mm_alloc_stack(THREAD_STACK_SIZE);

	c->fpu_irq_area = fpu_area_alloc();
	if (!t || (!adopt && !top) || !c->fpu_irq_area)
		panic("sched: no memory for CPU %u's idle thread", c->id);
	t->cpu = c->id;
	c->idle = t;
	sched_list_add(t);
	if (adopt) {
		t->state = THREAD_RUNNING;
		t->on_cpu = 1;
		t->run_start = time_ns();
		c->current = t;
		return;
	}
	sched_init_stack(t, top, sched_idle_fn, NULL);
	t->state = THREAD_RUNNABLE;
}

void sched_init_cpu(void)
{
	sched_make_idle(true);
}

static void sched_resched_ipi(struct trap_frame *f, void *arg)
{
	(void)f, (void)arg;
	this_cpu()->need_resched = true; /* acted on in sched_irq_exit() */
}

void sched_init(void)
{
	struct percpu *c = this_cpu();
	struct thread_attr boot = { THREAD_NORMAL, 0, 0 };
	struct thread *t = sched_new_thread("boot", &boot);

	if (!t)
		panic("sched: no memory for the boot thread");
	t->state = THREAD_RUNNING;
	t->on_cpu = 1;
	t->cpu = c->id;
	t->run_start = time_ns();
	c->current = t;
	sched_list_add(t);
	irq_register(IRQ_VECTOR_IPI_RESCHED, sched_resched_ipi, NULL);
	sched_make_idle(false);
	c->online = true;
	log_info("sched: boot thread and idle thread on CPU %u, %llu ms slices",
		 c->id, (unsigned long long)(SCHED_SLICE_NS / 1000000));
}
