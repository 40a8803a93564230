// SPDX-License-Identifier: MIT
/*
 * The IDT and the handler for CPU exceptions. Any exception in the
 * hypervisor itself is a bug: report everything a developer needs and stop
 * every CPU (core/panic.c). NMI, #DF and #MC run on IST stacks (core/gdt.c).
 */
#include "core/trap.h"

#include <stdint.h>

#include "core/cpu.h"
#include "core/gdt.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/thread.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate trap_idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_stubs[32];
extern const char irq_stubs[];

static const char *const trap_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD exception", "#VE virtualization exception",
	"#CP control protection",
};

void trap_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = v < 32 ? trap_stubs[v]
				    : (uint64_t)(irq_stubs + (v - 32) * 16);
		trap_idt[v] = (struct idt_gate){
			.off_lo = a & 0xffff,
			.sel = 0x08,
			.type = 0x8e,
			.off_mid = (a >> 16) & 0xffff,
			.off_hi = a >> 32,
		};
	}
	trap_load_idt();
}

/* Every CPU shares the one IDT. */
void trap_load_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(trap_idt) - 1,
					   (uint64_t)trap_idt };
	asm volatile("lidt %0" ::"m"(idtr));
}

/* NMI, #DF and #MC switch to their own stacks (core/gdt.c). */
void trap_init_ist(void)
{
	trap_idt[2].ist = IST_NMI;
	trap_idt[8].ist = IST_DOUBLE_FAULT;
	trap_idt[18].ist = IST_MACHINE_CHECK;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector >= 32) {
		irq_dispatch(f);
		return;
	}
	/*
	 * #GP while delivering an interrupt through an IDT entry past 255
	 * (error code: IDT flag, index >= 256): QEMU's TCG APIC sometimes
	 * signals an interrupt, then finds none and delivers "vector -1".
	 * Hardware cannot do this; the interrupted code never ran, so
	 * returning is exact. Logged once so the quirk stays visible.
	 */
	if (f->vector == 13 && (f->error & 2) &&
	    ((f->error >> 3) & 0x1fff) >= 256) {
		static int logged;
		if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
			log_warn("trap: spurious interrupt with vector %#llx "
				 "(emulator quirk), ignored",
				 (unsigned long long)(f->error >> 3));
		return;
	}
	/* Another CPU panicked and stopped us with an NMI. */
	if (f->vector == 2 && panic_in_progress())
		cpu_halt_forever();

	const char *name = f->vector < 32 && trap_names[f->vector]
				   ? trap_names[f->vector]
				   : "exception";

	log_err("PANIC: CPU exception %llu (%s) error %#llx",
		(unsigned long long)f->vector, name,
		(unsigned long long)f->error);
	log_err("  rip %016llx cs %04llx rflags %08llx cr2 %016llx",
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags,
		(unsigned long long)cpu_read_cr2());
	log_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	log_err("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->rsp);
	log_err("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx",
		(unsigned long long)f->r8, (unsigned long long)f->r9,
		(unsigned long long)f->r10, (unsigned long long)f->r11);
	log_err("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx",
		(unsigned long long)f->r12, (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	struct thread *cur = this_cpu()->self ? this_cpu()->current : NULL;
	if (cur)
		log_err("  CPU %u thread %u \"%s\" stack top %p", this_cpu()->id,
			cur->id, cur->name, cur->stack_top);
	panic_backtrace(f->rip, f->rbp);
	log_err("PANIC: system halted");
	panic_halt();
}
