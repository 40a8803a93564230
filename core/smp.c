// SPDX-License-Identifier: MIT
/*
 * AP start-up by INIT-SIPI-SIPI (Intel SDM vol. 3A 9.4.4.1, "Typical BSP
 * Initialization Sequence"): INIT, wait 10 ms, SIPI, wait 200 us, a second
 * SIPI if the AP has not checked in. One AP at a time, each with its own
 * stack (over a guard page) in the trampoline's parameter block.
 */
#include "core/smp.h"

#include <string.h>

#include "core/acpi.h"
#include "core/bootinfo.h"
#include "core/cpu.h"
#include "core/cpuinfo.h"
#include "core/fpu.h"
#include "core/gdt.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/paging.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/trap.h"

extern char smp_trampoline[], smp_trampoline_end[], smp_tramp_params[];
extern char smp_tramp_off_gdtr[], smp_tramp_off_gdt[], smp_tramp_off_pm32[],
	smp_tramp_off_pm32_code[], smp_tramp_off_lm64[],
	smp_tramp_off_lm64_code[];
#define SMP_OFF(sym) ((uint32_t)(uintptr_t)(sym))

struct smp_params {
	uint64_t cr3, efer, stack, entry, cpu;
};

static const struct smp_ops *smp_ops;
static volatile uint32_t smp_checked_in; /* logical id of the last AP up */

void smp_set_ops(const struct smp_ops *ops)
{
	smp_ops = ops;
}

/* A free page below 1 MiB for the trampoline (the SIPI vector is 8 bits). */
static uint64_t smp_trampoline_page(void)
{
	for (uint64_t p = 0x8000; p < 0x9f000; p += 0x1000)
		for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
			const struct boot_mem_range *r = &boot_info.mmap[i];
			if (r->type == BOOT_MEM_AVAILABLE && r->base <= p &&
			    r->base + r->len >= p + 0x1000)
				return p;
		}
	return 0;
}

/* First C code of an AP, on its own stack, with the kernel's tables. */
__attribute__((noreturn)) void smp_ap_entry(uint32_t cpu)
{
	core_cpu_setup();
	gdt_init(cpu);
	percpu_init_cpu(cpu, smp_ops->apic_id());
	trap_load_idt();
	fpu_init_cpu();
	smp_ops->init_cpu();
	sched_init_cpu();
	this_cpu()->online = true;
	__atomic_add_fetch(&percpu_online, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&smp_checked_in, cpu, __ATOMIC_RELEASE);
	sched_idle_loop();
}

static void smp_delay_us(uint64_t us)
{
	uint64_t end = time_ns() + us * 1000;

	while (time_ns() < end)
		cpu_pause();
}

static bool smp_start_one(uint8_t *tramp, uint64_t page, uint32_t cpu,
			  uint32_t apic_id)
{
	struct smp_params *p =
		(struct smp_params *)(tramp + (smp_tramp_params - smp_trampoline));
	void *stack = mm_alloc_stack(THREAD_STACK_SIZE);

	if (!stack || !gdt_init_ist_cpu(cpu)) {
		log_err("smp: no memory for CPU %u's stacks", cpu);
		return false;
	}
	p->stack = (uint64_t)stack;
	p->cpu = cpu;
	percpu_cpus[cpu].apic_id = apic_id;
	__atomic_store_n(&smp_checked_in, 0, __ATOMIC_RELEASE);

	smp_ops->send_init(apic_id);
	smp_delay_us(10000);
	for (int sipi = 0; sipi < 2; sipi++) {
		smp_ops->send_sipi(apic_id, page >> 12);
		/* 200 us per the SDM; a slow emulator gets a full second. */
		uint64_t deadline = time_ns() + (sipi ? 1000000000ull : 200000);
		while (time_ns() < deadline)
			if (__atomic_load_n(&smp_checked_in, __ATOMIC_ACQUIRE) ==
			    cpu)
				return true;
	}
	log_warn("smp: CPU %u (APIC %u) did not start", cpu, apic_id);
	return false;
}

void smp_boot_aps(void)
{
	uint32_t self = smp_ops ? smp_ops->apic_id() : 0;
	uint64_t page = smp_trampoline_page();
	unsigned int next_id = 1;

	percpu_cpus[0].apic_id = self;
	percpu_online = 1;
	if (!smp_ops || !acpi_info.have_madt || acpi_info.ncpus <= 1 || !page) {
		log_info("smp: 1 CPUs online (%llu TSC ticks since entry)%s",
			 (unsigned long long)(cpu_rdtsc() - time_boot_tsc),
			 !page ? ", no low page for the AP trampoline" : "");
		return;
	}
	/* The trampoline turns paging on while running at P: identity-map it. */
	if (paging_map(page, page, 0x1000, PTE_W) < 0)
		panic("smp: cannot map the trampoline page");
	uint8_t *tramp = mm_phys_to_virt(page);
	memcpy(tramp, smp_trampoline, smp_trampoline_end - smp_trampoline);
	*(uint32_t *)(tramp + SMP_OFF(smp_tramp_off_gdtr) + 2) =
		page + SMP_OFF(smp_tramp_off_gdt);
	*(uint32_t *)(tramp + SMP_OFF(smp_tramp_off_pm32)) =
		page + SMP_OFF(smp_tramp_off_pm32_code);
	*(uint32_t *)(tramp + SMP_OFF(smp_tramp_off_lm64)) =
		page + SMP_OFF(smp_tramp_off_lm64_code);
	struct smp_params *p =
		(struct smp_params *)(tramp + (smp_tramp_params - smp_trampoline));
	p->cr3 = cpu_read_cr3();
	p->efer = cpu_rdmsr(MSR_EFER) & ((1u << 8) | (1u << 11)); /* LME NXE */
	p->entry = (uint64_t)smp_ap_entry;

	for (unsigned int i = 0; i < acpi_info.ncpus; i++) {
		uint32_t apic = acpi_info.cpus[i].apic_id;
		if (apic == self)
			continue;
		if (next_id >= PERCPU_MAX)
			break;
		if (smp_start_one(tramp, page, next_id, apic))
			next_id++;
	}
	paging_unmap_4k(page);
	log_info("smp: %u CPUs online (%llu TSC ticks since entry)",
		 percpu_online,
		 (unsigned long long)(cpu_rdtsc() - time_boot_tsc));
}

/* --- Cross-CPU calls --------------------------------------------------- */

static struct spinlock smp_call_lock = SPINLOCK_INIT;
static struct {
	void (*fn)(void *);
	void *arg;
	uint32_t pending;
	uint64_t gen;
} smp_call;

/* Run the current call once per CPU: the IPI and polling may both see it. */
static void smp_call_irq(struct trap_frame *f, void *arg)
{
	(void)f, (void)arg;
	struct percpu *me = this_cpu();
	void (*fn)(void *) = __atomic_load_n(&smp_call.fn, __ATOMIC_ACQUIRE);
	uint64_t gen = __atomic_load_n(&smp_call.gen, __ATOMIC_ACQUIRE);

	if (fn && me->call_gen != gen) {
		me->call_gen = gen;
		fn(smp_call.arg);
		__atomic_sub_fetch(&smp_call.pending, 1, __ATOMIC_RELEASE);
	}
}

void smp_call_others(void (*fn)(void *), void *arg)
{
	unsigned int n = 0;
	uint64_t flags = irq_save();
	struct percpu *me = this_cpu();

	if (percpu_online <= 1 || !smp_ops) {
		irq_restore(flags);
		return;
	}
	/*
	 * Two CPUs calling at once must not wait on each other with
	 * interrupts off: while the lock is taken, keep answering calls.
	 */
	while (!__atomic_compare_exchange_n(&smp_call_lock.next,
					    &(uint16_t){ smp_call_lock.owner },
					    smp_call_lock.owner + 1, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		smp_call_irq(NULL, NULL);
		cpu_pause();
	}
	for (unsigned int i = 0; i < PERCPU_MAX; i++)
		if (percpu_cpus[i].online && &percpu_cpus[i] != me)
			n++;
	smp_call.arg = arg;
	smp_call.pending = n;
	__atomic_add_fetch(&smp_call.gen, 1, __ATOMIC_RELEASE);
	me->call_gen = smp_call.gen; /* the caller does not run it */
	__atomic_store_n(&smp_call.fn, fn, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < PERCPU_MAX; i++)
		if (percpu_cpus[i].online && &percpu_cpus[i] != me)
			smp_ops->send_ipi(percpu_cpus[i].apic_id,
					  IRQ_VECTOR_IPI_CALL);
	while (__atomic_load_n(&smp_call.pending, __ATOMIC_ACQUIRE))
		cpu_pause();
	__atomic_store_n(&smp_call.fn, NULL, __ATOMIC_RELEASE);
	spin_unlock(&smp_call_lock);
	irq_restore(flags);
}

static void smp_invlpg(void *arg)
{
	asm volatile("invlpg (%0)" ::"r"(arg) : "memory");
}

void smp_tlb_shootdown(uint64_t virt)
{
	smp_call_others(smp_invlpg, (void *)virt);
}

void smp_stop_others(void)
{
	if (smp_ops && percpu_online > 1)
		smp_ops->send_nmi_all_but_self();
}

static void smp_init(void)
{
	irq_register(IRQ_VECTOR_IPI_CALL, smp_call_irq, NULL);
	smp_boot_aps();
}
KEEL_INIT(INIT_SMP, smp_init);
