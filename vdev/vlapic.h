/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC (Intel SDM vol. 3A chapter 11, "Advanced
 * Programmable Interrupt Controller"): xAPIC MMIO at 0xfee00000 and
 * x2APIC MSRs 0x800-0x8ff, IRR/ISR/TMR with TPR/PPR priority and EOI,
 * logical destinations, LVTs, the timer in one-shot, periodic and
 * TSC-deadline modes, IPIs between vCPUs, and LINT0 in ExtINT mode for
 * the vPIC. docs/vlapic.md says what is modelled and what is not.
 *
 * vdev/vlapic.c has the registers, delivery and the vm_irqchip hooks;
 * vdev/vlapic_timer.c the timer. Both see struct vlapic below; nothing
 * else should.
 */
#ifndef KEEL_VDEV_VLAPIC_H
#define KEEL_VDEV_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpuid_policy.h"
#include "core/spinlock.h"

#define VLAPIC_BASE 0xfee00000ull
/* The timer's input clock before the divider: CPUID leaves 0x15/0x16 and
 * 0x40000010 tell the guest this rate (core/cpuid_policy.h), and Linux
 * programs the timer from it without calibrating. One tick = 40 ns. */
#define VLAPIC_BUS_HZ CPUID_LAPIC_HZ
#define VLAPIC_NS_PER_TICK (1000000000u / VLAPIC_BUS_HZ)
_Static_assert(1000000000u % VLAPIC_BUS_HZ == 0,
	       "the LAPIC bus clock must be a whole number of ns per tick");

struct vm;
struct vcpu;

/*
 * Give every vCPU of @vm (created, not started) its local APIC, claim the
 * xAPIC page and install the VM's irqchip (vm->irqchip). 0 or -errno.
 */
int vlapic_attach(struct vm *vm);

/* ---- Shared by vlapic.c and vlapic_timer.c ------------------------------ */

/* LVT index (vlapic->lvt[]), in register order 0x320-0x370. */
enum {
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_LVT_COUNT
};

#define VLAPIC_LVT_MASKED (1u << 16)
#define VLAPIC_TIMER_MODE(lvt) (((lvt) >> 17) & 3)
#define VLAPIC_TIMER_ONESHOT 0
#define VLAPIC_TIMER_PERIODIC 1
#define VLAPIC_TIMER_TSCDL 2

/* ESR bits (SDM 3A 11.5.3). */
#define VLAPIC_ESR_SEND_ILLEGAL (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REG (1u << 7)

struct vlapic {
	struct spinlock lock; /* everything below; taken last (vplat.h) */
	struct vcpu *v;
	uint64_t apic_base; /* IA32_APIC_BASE */
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending; /* ESR reads the latched copy (11.5.3) */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_LVT_COUNT];
	/* Timer: divide configuration, initial count; when armed, the
	 * time_ns() it next fires and (periodic) its period. */
	uint32_t timer_dcr, timer_icr;
	uint64_t timer_start_ns, timer_due_ns, timer_period_ns;
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE in guest TSC units */
	bool nmi_pending;
	int extint_vector; /* taken from the vPIC, not yet injected; -1 */
	bool extint_io;	   /* the vIOAPIC sent an ExtINT message */
};

bool vlapic_x2apic(const struct vlapic *l);
bool vlapic_sw_enabled(const struct vlapic *l);
/* Under l->lock: make @vector pending (edge) as a local interrupt would. */
void vlapic_set_irr_locked(struct vlapic *l, uint32_t vector, bool level);
/* Under l->lock: latch an error in ESR, and signal the error LVT. */
void vlapic_error_locked(struct vlapic *l, uint32_t bit);

/* vlapic_timer.c, all under l->lock with @now = time_ns(). */
void vlapic_timer_write_lvt(struct vlapic *l, uint32_t val, uint64_t now);
void vlapic_timer_write_icr(struct vlapic *l, uint32_t val, uint64_t now);
void vlapic_timer_write_dcr(struct vlapic *l, uint32_t val, uint64_t now);
uint32_t vlapic_timer_ccr(const struct vlapic *l, uint64_t now);
/* Fire the timer if due; 0 or the time_ns() of the next expiry. */
uint64_t vlapic_timer_poll(struct vlapic *l, uint64_t now);
uint64_t vlapic_tsc_deadline_read(const struct vlapic *l);
void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now);
void vlapic_timer_reset(struct vlapic *l);

/* For unit tests and the run loop: the vm_irqchip this file installs. */
extern const struct vm_irqchip vlapic_irqchip;

#endif
