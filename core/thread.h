/* SPDX-License-Identifier: MIT */
/*
 * Kernel threads and the scheduler. vCPUs will be threads too, so the
 * scheduler gives fair shares of CPU time by weight within a class, keeps
 * threads on the CPUs their affinity allows, and accounts run time.
 *
 * Classes run strictly in order (a runnable HIGH thread always runs before
 * NORMAL ones); within a class the thread with the least virtual run time
 * (run time scaled by 1024/weight) runs next, as in Linux's CFS.
 */
#ifndef KEEL_CORE_THREAD_H
#define KEEL_CORE_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

enum thread_class { THREAD_HIGH, THREAD_NORMAL, THREAD_IDLE };
enum thread_state {
	THREAD_RUNNABLE, /* on a run queue */
	THREAD_RUNNING,	 /* on a CPU */
	THREAD_BLOCKED,	 /* waiting: sleep or wait queue */
	THREAD_DEAD,
};

#define THREAD_WEIGHT_DEFAULT 1024
#define THREAD_ANY_CPU (-1)
#define THREAD_STACK_SIZE (32 * 1024)

struct thread {
	uint64_t rsp; /* saved by sched_switch(); keep first (switch.S) */
	void *fpu;    /* XSAVE area (core/fpu.h) */
	char name[24];
	uint32_t id;
	enum thread_class cls;
	uint32_t weight;
	int pinned_cpu; /* THREAD_ANY_CPU or a CPU number */

	/* Scheduler fields, under the run queue lock of ->cpu. */
	volatile int state; /* enum thread_state */
	int cpu;	    /* the run queue it is on, or last ran on */
	int on_cpu;	    /* its stack is in use until the switch finishes */
	uint64_t vruntime;
	uint64_t runtime_ns; /* accounting: total time on a CPU */
	uint64_t run_start;  /* time_ns() when it last got the CPU */
	struct thread *rq_next;
	uint64_t wake_at; /* sleeping: time_ns() deadline */
	struct thread *timer_next;
	struct thread *wq_next; /* wait queue link */
	/* sched_arm_local(): a clock interrupt wanted while it runs. */
	uint64_t clock_wish_ns;
	/* For sched_log_state: every thread, and where a blocked one waits. */
	struct thread *all_next;
	const void *wait_on; /* the wait queue of its last wait */
	uint64_t wait_ip;    /* who called waitq_wait* */

	void (*fn)(void *);
	void *arg;
	void *stack_top;
};

struct thread_attr {
	enum thread_class cls;
	uint32_t weight; /* 0: THREAD_WEIGHT_DEFAULT */
	int cpu;	 /* THREAD_ANY_CPU or the CPU to pin to */
};

/* Start @fn(@arg) in a new thread; NULL attr means NORMAL, any CPU. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     const struct thread_attr *attr);
__attribute__((noreturn)) void thread_exit(void);
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
struct thread *thread_current(void);
/*
 * Pin @t to @cpu, or let it run anywhere (THREAD_ANY_CPU): idle CPUs then
 * pull it from busy ones. Returns 0 or -EINVAL (offline CPU).
 */
int thread_set_affinity(struct thread *t, int cpu);
/*
 * Interrupt the CPU @t is running on, if another: a vCPU thread in guest
 * mode leaves the guest (the host interrupt exits it) and sees new work.
 */
void thread_kick(struct thread *t);
/* Make a blocked thread runnable (wait queues and timers use this). */
void thread_wake(struct thread *t);

/* Wait queues: block until a condition holds. */
struct waitq {
	struct spinlock lock;
	struct thread *head;
};
#define WAITQ_INIT { SPINLOCK_INIT, 0 }

/*
 * Block on @wq until @cond(@arg) holds; returns at once if it already
 * does. Checking and queueing happen under the queue's lock, so a wake-up
 * between them is never lost, and the condition is checked again after
 * every wake-up, so a late one does not end the wait. @cond may be NULL:
 * then any wake-up ends it.
 */
void waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg);
/*
 * As waitq_wait, but give up after @timeout_ns. Returns true when @cond
 * held (with NULL @cond: when woken), false on timeout; timeout_ns 0 only
 * tests @cond.
 */
bool waitq_wait_timeout(struct waitq *wq, bool (*cond)(void *), void *arg,
			uint64_t timeout_ns);
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/*
 * Hold off preemption on this CPU (nests): interrupt exit does not switch
 * threads, so the scheduler neither runs another thread nor re-arms the
 * CPU's timer until sched_preempt_enable(). For code that must own the
 * CPU's timer for a while (the LAPIC timer self-test); the caller stays
 * on this CPU and does not block meanwhile.
 */
void sched_preempt_disable(void);
void sched_preempt_enable(void);

/*
 * Nanoseconds CPU @cpu has spent in its idle thread since it came up (0
 * for an offline CPU): busy time is the rest (host.stats).
 */
uint64_t sched_cpu_idle_ns(unsigned int cpu);

/* Log every CPU's current thread, run queue, sleepers and clock (for a
 * hang: the self-test watchdog). Best effort: a run-queue lock that stays
 * held is reported as such, its lists are not walked. */
void sched_log_state(void);
/* Boot CPU: turn the running boot code into a thread and start an idle one. */
void sched_init(void);
/* An AP: the code running now becomes its idle thread; interrupts off. */
void sched_init_cpu(void);
/* Pick the next thread and switch to it (interrupts may be on or off). */
void schedule(void);
/* On interrupt exit: schedule if a wake-up or the tick asked for it. */
void sched_irq_exit(void);
/* Never returns: this CPU's idle loop. */
__attribute__((noreturn)) void sched_idle_loop(void);

#endif
