// SPDX-License-Identifier: MIT
/*
 * keel.selftest checks of the core kernel (issue 3): allocator stress,
 * thread ping-pong across CPUs, sleep accuracy, preemption, SIMD state
 * preserved across context switches, cross-CPU call round trip. Each also
 * logs a figure the benchmarks read (bench/core.py).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/selftest.h"
#include "core/smp.h"
#include "core/thread.h"
#include "core/time.h"

#define STRESS_FRAMES 2048

static uint64_t selftest_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Frames never handed out twice, contents intact, totals restored. */
static int selftest_pmm_stress(void)
{
	static uint64_t frames[STRESS_FRAMES];
	struct pmm_stats before, after;
	uint64_t seed = 42, n = 0, t0, t_alloc = 0, t_free = 0;
	int rc = 0;

	pmm_get_stats(&before);
	/* At most a quarter of the large frames: 128 MiB hosts run this too. */
	uint64_t big_left = before.free_large / 4 / PMM_LARGE;
	for (int round = 0; round < 4; round++) {
		for (; n < STRESS_FRAMES; n++) {
			bool big = selftest_rand(&seed) % 16 == 0 && big_left;
			big_left -= big;
			t0 = cpu_rdtsc();
			uint64_t f = big ? pmm_alloc_2m() : pmm_alloc_4k();
			t_alloc += cpu_rdtsc() - t0;
			if (!f) {
				log_err("selftest: out of frames at %llu",
					(unsigned long long)n);
				rc = -ENOMEM;
				break;
			}
			frames[n] = f | big;
			*(uint64_t *)mm_phys_to_virt(f) = f ^ 0x5a5a5a5a;
		}
		/* Check and free a random half, then refill. */
		for (uint64_t i = 0; i < n;) {
			uint64_t f = frames[i] & ~1ull;
			if (*(uint64_t *)mm_phys_to_virt(f) != (f ^ 0x5a5a5a5a)) {
				log_err("selftest: frame %#llx overwritten",
					(unsigned long long)f);
				rc = -EIO;
			}
			if (selftest_rand(&seed) % 2 && rc == 0) {
				i++;
				continue;
			}
			t0 = cpu_rdtsc();
			big_left += frames[i] & 1;
			if (frames[i] & 1)
				pmm_free_2m(f);
			else
				pmm_free_4k(f);
			t_free += cpu_rdtsc() - t0;
			frames[i] = frames[--n];
		}
		if (rc)
			break;
	}
	while (n) {
		uint64_t f = frames[--n];
		if (f & 1)
			pmm_free_2m(f & ~1ull);
		else
			pmm_free_4k(f);
	}
	pmm_get_stats(&after);
	if (after.free != before.free || after.free_large != before.free_large) {
		log_err("selftest: pmm totals changed: %llu -> %llu free",
			(unsigned long long)before.free,
			(unsigned long long)after.free);
		rc = rc ? rc : -EIO;
	}
	log_info("bench: pmm %llu ticks per alloc, %llu per free",
		 (unsigned long long)(t_alloc / (4 * STRESS_FRAMES)),
		 (unsigned long long)(t_free / (4 * STRESS_FRAMES)));
	return rc;
}
KEEL_SELFTEST(pmm_stress, selftest_pmm_stress);

static int selftest_heap_stress(void)
{
	static void *blocks[512];
	uint64_t seed = 7;

	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < 512; i++) {
			size_t len = 2 + selftest_rand(&seed) % 9000;
			blocks[i] = malloc(len);
			if (!blocks[i])
				return -ENOMEM;
			memset(blocks[i], i & 0xff, len);
			((uint8_t *)blocks[i])[len - 1] = 0xee;
		}
		for (int i = 0; i < 512; i++) {
			if (((uint8_t *)blocks[i])[0] != (i & 0xff)) {
				log_err("selftest: heap block %d overwritten", i);
				return -EIO;
			}
			free(blocks[i]);
		}
	}
	return 0;
}
KEEL_SELFTEST(heap_stress, selftest_heap_stress);

/* --- Threads ------------------------------------------------------------ */

#define PINGPONG_ROUNDS 2000
#define PINGPONG_STALL_NS 20000000000ull

/*
 * Two threads on two CPUs hand a turn back and forth through wait queues,
 * each waking the other right after the other may already have seen its
 * turn: the late wake-ups land on the next wait, which must not end early
 * (waitq_wait in core/sched.c). A wait that returns out of turn is
 * counted; a lost wake-up stalls the game, and the waiter gives up after
 * PINGPONG_STALL_NS and says where everyone is.
 */
static struct {
	struct waitq wq[2];
	volatile int turn; /* whose move: 0 or 1 */
	volatile int moves[2];
	volatile int out_of_turn[2];
	volatile int done;
	int cpu_seen[2];
} pp;
/* Not in `pp`: see share_wq below. */
static struct waitq pp_finished_wq = WAITQ_INIT;

static bool pp_my_turn(void *arg)
{
	return __atomic_load_n(&pp.turn, __ATOMIC_ACQUIRE) ==
	       (int)(uintptr_t)arg;
}

static void pp_thread(void *arg)
{
	int me = (int)(uintptr_t)arg;

	pp.cpu_seen[me] = this_cpu()->id;
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		waitq_wait(&pp.wq[me], pp_my_turn, arg);
		if (!pp_my_turn(arg))
			pp.out_of_turn[me]++;
		pp.moves[me]++;
		__atomic_store_n(&pp.turn, !me, __ATOMIC_RELEASE);
		waitq_wake_one(&pp.wq[!me]);
	}
	__atomic_add_fetch(&pp.done, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&pp_finished_wq);
}

static bool pp_finished(void *arg)
{
	(void)arg;
	return __atomic_load_n(&pp.done, __ATOMIC_ACQUIRE) == 2;
}

static int selftest_thread_pingpong(void)
{
	int other = percpu_online > 1 ? 1 : 0;
	struct thread_attr a0 = { THREAD_NORMAL, 0, 0 };
	struct thread_attr a1 = { THREAD_NORMAL, 0, other };

	memset(&pp, 0, sizeof(pp));
	uint64_t t0 = time_ns();
	if (!thread_create("ping", pp_thread, (void *)0, &a0) ||
	    !thread_create("pong", pp_thread, (void *)1, &a1))
		return -ENOMEM;
	bool over = waitq_wait_timeout(&pp_finished_wq, pp_finished, NULL,
				       PINGPONG_STALL_NS);
	uint64_t ns = time_ns() - t0;
	if (!over || pp.out_of_turn[0] || pp.out_of_turn[1] ||
	    pp.cpu_seen[1] != other) {
		/* A stalled game leaves its threads blocked: they leak. */
		log_err("selftest: ping-pong %s after %llu ms: moves %d+%d "
			"(want %d each), turn %d, out of turn %d+%d, pong on "
			"CPU %d (want %d)",
			over ? "over" : "stalled",
			(unsigned long long)(ns / 1000000), pp.moves[0],
			pp.moves[1], PINGPONG_ROUNDS, pp.turn,
			pp.out_of_turn[0], pp.out_of_turn[1], pp.cpu_seen[1],
			other);
		if (!over)
			sched_log_state();
		return -EIO;
	}
	log_info("bench: thread ping-pong CPU 0 <-> CPU %d: %llu ns per round "
		 "trip",
		 other, (unsigned long long)(ns / PINGPONG_ROUNDS));
	return 0;
}
KEEL_SELFTEST(thread_pingpong, selftest_thread_pingpong);

static int selftest_sleep(void)
{
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = time_ns();
		thread_sleep_ns(10000000);
		uint64_t slept = time_ns() - t0;
		/* Never early; late by at most what an emulator may add. */
		if (slept < 10000000 || slept > 60000000) {
			log_err("selftest: slept %llu ns for 10 ms",
				(unsigned long long)slept);
			return -ETIME;
		}
	}
	return 0;
}
KEEL_SELFTEST(sleep_accuracy, selftest_sleep);

/* A timed wait ends at its deadline when nobody wakes it, and at once
 * (returning true) when another CPU does; ping-pong again after each so a
 * stale timer or queue link would show. */
static struct waitq tw_wq = WAITQ_INIT;
static volatile int tw_flag;

static bool tw_set(void *arg)
{
	(void)arg;
	return tw_flag;
}

static void tw_waker(void *arg)
{
	(void)arg;
	thread_sleep_ns(5000000);
	tw_flag = 1;
	waitq_wake_all(&tw_wq);
	thread_exit();
}

static int selftest_wait_timeout(void)
{
	int other = percpu_online > 1 ? 1 : 0;
	struct thread_attr a = { THREAD_NORMAL, 0, other };

	for (int i = 0; i < 3; i++) {
		uint64_t t0 = time_ns();
		tw_flag = 0;
		bool woke = waitq_wait_timeout(&tw_wq, tw_set, NULL, 10000000);
		uint64_t waited = time_ns() - t0;
		if (woke || waited < 10000000 || waited > 60000000) {
			log_err("selftest: timed wait returned %d after %llu ns",
				woke, (unsigned long long)waited);
			return -ETIME;
		}
		if (!thread_create("tw-waker", tw_waker, NULL, &a))
			return -ENOMEM;
		t0 = time_ns();
		while (!tw_flag)
			if (!waitq_wait_timeout(&tw_wq, tw_set, NULL,
						1000000000ull))
				break;
		waited = time_ns() - t0;
		if (!tw_flag || waited > 500000000ull) {
			log_err("selftest: woken wait took %llu ns (flag %d)",
				(unsigned long long)waited, tw_flag);
			return -ETIME;
		}
		thread_sleep_ns(1000000);
	}
	return 0;
}
KEEL_SELFTEST(wait_timeout, selftest_wait_timeout);

static volatile int spin_stop;

static void spinner(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		cpu_pause(); /* never yields: only the tick can take the CPU */
}

/* A thread that never yields must not keep others off its CPU. */
static int selftest_preemption(void)
{
	struct thread_attr here = { THREAD_NORMAL, 0, (int)this_cpu()->id };

	spin_stop = 0;
	if (!thread_create("spinner", spinner, NULL, &here))
		return -ENOMEM;
	thread_yield();
	uint64_t t0 = time_ns();
	thread_sleep_ns(20000000);
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	log_info("bench: woke from 20 ms beside a spinning thread after %llu us",
		 (unsigned long long)((time_ns() - t0) / 1000));
	return 0;
}
KEEL_SELFTEST(preemption, selftest_preemption);

/* --- SIMD state across context switches ---------------------------------- */

extern void selftest_simd_fill(uint64_t seed);
extern uint64_t selftest_simd_check(uint64_t seed);

static volatile int simd_bad, simd_done;
static struct waitq simd_wq = WAITQ_INIT;

static void simd_thread(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;

	for (int i = 0; i < 200; i++) {
		selftest_simd_fill(seed + i);
		thread_yield(); /* the other SIMD thread runs in between */
		uint64_t bad = selftest_simd_check(seed + i);
		if (bad) {
			uint64_t x0;
			/* XMM0's low half names the culprit (an address) */
			asm volatile("movq %%xmm0, %0" : "=r"(x0));
			log_err("selftest: thread %s lost XMM mask %#llx in "
				"round %d on CPU %u (xmm0 %#llx)",
				thread_current()->name, (unsigned long long)bad,
				i, this_cpu()->id, (unsigned long long)x0);
			__atomic_add_fetch(&simd_bad, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	__atomic_add_fetch(&simd_done, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&simd_wq);
}

static bool simd_finished(void *arg)
{
	return __atomic_load_n(&simd_done, __ATOMIC_ACQUIRE) == 4;
}

static int selftest_simd(void)
{
	struct thread_attr cpu0 = { THREAD_NORMAL, 0, 0 };
	struct thread_attr cpu1 = { THREAD_NORMAL, 0, percpu_online > 1 };

	simd_bad = simd_done = 0;
	/* Two pairs sharing a CPU each: every yield is a real switch. */
	if (!thread_create("simd-a", simd_thread, (void *)0x1000, &cpu0) ||
	    !thread_create("simd-b", simd_thread, (void *)0x2000, &cpu0) ||
	    !thread_create("simd-c", simd_thread, (void *)0x3000, &cpu1) ||
	    !thread_create("simd-d", simd_thread, (void *)0x4000, &cpu1))
		return -ENOMEM;
	waitq_wait(&simd_wq, simd_finished, NULL);
	return simd_bad ? -EIO : 0;
}
KEEL_SELFTEST(simd_preserved, selftest_simd);

/* --- Cross-CPU calls ------------------------------------------------------ */

static volatile uint32_t ipi_hits;

static void ipi_hit(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&ipi_hits, 1, __ATOMIC_RELAXED);
}

static int selftest_ipi_call(void)
{
	ipi_hits = 0;
	uint64_t t0 = cpu_rdtsc();
	for (int i = 0; i < 100; i++)
		smp_call_others(ipi_hit, NULL);
	uint64_t ticks = cpu_rdtsc() - t0;
	if (ipi_hits != 100 * (percpu_online - 1)) {
		log_err("selftest: %u calls ran, want %u", ipi_hits,
			100 * (percpu_online - 1));
		return -EIO;
	}
	log_info("bench: cross-CPU call to %u CPUs: %llu ticks", percpu_online - 1,
		 (unsigned long long)(ticks / 100));
	return 0;
}
KEEL_SELFTEST(ipi_call_all, selftest_ipi_call);

/* Every CPU runs with its caches on: core_cpu_setup clears the CR0.CD
 * and NW that INIT (SDM 3A 9.1.1) or the firmware left set. */
static volatile uint64_t cache_off_cpus;

static void cache_check(void *arg)
{
	(void)arg;
	if (cpu_read_cr0() & (CR0_CD | CR0_NW))
		__atomic_or_fetch(&cache_off_cpus,
				  1ull << (this_cpu()->id & 63),
				  __ATOMIC_RELAXED);
}

static int selftest_caches_on(void)
{
	cache_off_cpus = 0;
	cache_check(NULL);
	smp_call_others(cache_check, NULL);
	if (cache_off_cpus) {
		log_err("selftest: CR0.CD/NW set on CPUs %#llx",
			(unsigned long long)cache_off_cpus);
		return -EIO;
	}
	return 0;
}
KEEL_SELFTEST(caches_on, selftest_caches_on);

/* --- Fair share and migration --------------------------------------------- */

static struct {
	volatile int stop;
	volatile int done;
	uint64_t runtime[4];
	uint64_t cpus_seen[4]; /* bit per CPU (the first 64) */
} share;
/*
 * Not in `share`, which each test clears: the last spinner may still be
 * inside waitq_wake_all() (holding the queue's lock) after the waiter has
 * seen `done` and moved on; clearing the lock under it left a ticket that
 * never came up, and the next test hung.
 */
static struct waitq share_wq = WAITQ_INIT;

static void share_spinner(void *arg)
{
	int me = (int)(uintptr_t)arg;

	while (!__atomic_load_n(&share.stop, __ATOMIC_ACQUIRE)) {
		share.cpus_seen[me] |= 1ull << (this_cpu()->id & 63);
		cpu_pause();
	}
	struct thread *self = thread_current();
	share.runtime[me] = self->runtime_ns + (time_ns() - self->run_start);
	__atomic_add_fetch(&share.done, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&share_wq);
}

static bool share_finished(void *arg)
{
	return __atomic_load_n(&share.done, __ATOMIC_ACQUIRE) ==
	       (int)(uintptr_t)arg;
}

static void share_wait(int n)
{
	__atomic_store_n(&share.stop, 1, __ATOMIC_RELEASE);
	waitq_wait(&share_wq, share_finished, (void *)(uintptr_t)n);
}

/* Two CPU-bound threads on one CPU share it in proportion to weight. */
static int selftest_fair_share_once(int cpu)
{
	struct thread_attr light = { THREAD_NORMAL, 1024, cpu };
	struct thread_attr heavy = { THREAD_NORMAL, 3072, cpu };

	memset(&share, 0, sizeof(share));
	if (!thread_create("light", share_spinner, (void *)0, &light) ||
	    !thread_create("heavy", share_spinner, (void *)1, &heavy))
		return -ENOMEM;
	thread_sleep_ns(300000000);
	share_wait(2);
	uint64_t ratio100 = share.runtime[1] * 100 / (share.runtime[0] + 1);
	log_info("bench: weights 3072:1024 on CPU %d got %llu.%02llu:1 of the "
		 "CPU (%llu and %llu ms)",
		 cpu, (unsigned long long)(ratio100 / 100),
		 (unsigned long long)(ratio100 % 100),
		 (unsigned long long)(share.runtime[1] / 1000000),
		 (unsigned long long)(share.runtime[0] / 1000000));
	/*
	 * 3:1 expected. Under emulation a host stall is charged to whichever
	 * thread was on the CPU, mostly the heavy one, so allow up to 6:1;
	 * weights being ignored shows as about 1:1.
	 */
	return ratio100 >= 200 && ratio100 <= 600 ? 0 : -EIO;
}

/*
 * A loaded host can stall an emulated CPU for longer than a whole run;
 * a second run separates that noise from weights being ignored, which
 * fails every time.
 */
static int selftest_fair_share(void)
{
	int cpu = (int)percpu_online - 1;
	int rc = selftest_fair_share_once(cpu);

	if (rc == -EIO) {
		log_warn("selftest: fair share off on the first run, measuring "
			 "again");
		rc = selftest_fair_share_once(cpu);
	}
	return rc;
}
KEEL_SELFTEST(fair_share, selftest_fair_share);

/* Threads let go of their pin spread to idle CPUs. */
static int selftest_migration(void)
{
	struct thread_attr cpu0 = { THREAD_NORMAL, 0, 0 };
	struct thread *t[3];

	if (percpu_online < 2) {
		log_info("selftest: migration needs 2 CPUs, this host has 1");
		return 0;
	}
	memset(&share, 0, sizeof(share));
	for (int i = 0; i < 3; i++)
		if (!(t[i] = thread_create("wanderer", share_spinner,
					   (void *)(uintptr_t)i, &cpu0)))
			return -ENOMEM;
	thread_sleep_ns(20000000);
	for (int i = 0; i < 3; i++)
		thread_set_affinity(t[i], THREAD_ANY_CPU);
	thread_sleep_ns(100000000);
	share_wait(3);
	uint64_t seen = share.cpus_seen[0] | share.cpus_seen[1] |
			share.cpus_seen[2];
	log_info("bench: 3 threads released from CPU 0 ran on CPUs %#llx",
		 (unsigned long long)seen);
	return seen & ~1ull ? 0 : -EIO;
}
KEEL_SELFTEST(migration, selftest_migration);
