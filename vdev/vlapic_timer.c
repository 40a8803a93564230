// SPDX-License-Identifier: MIT
/*
 * The local APIC timer (Intel SDM vol. 3A 11.5.4): one-shot, periodic and
 * TSC-deadline modes. There is no host timer per vLAPIC: the timer is a
 * due time in time_ns() that vlapic_timer_poll() checks on every guest
 * entry and register access, and that the run loop arms the host CPU's
 * own clock for (vm_irqchip.next_deadline). The counter runs at
 * VLAPIC_BUS_HZ (25 MHz, what CPUID tells the guest) before the
 * divider, so one tick of the divided clock is a whole number of ns.
 *
 * Everything here runs under the vLAPIC's lock with @now = time_ns().
 */
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vlapic.h"

/*
 * A periodic timer faster than this fires at this rate: a guest asking
 * for a 1 ns period would otherwise pin a host CPU on timer exits
 * (KVM clamps the same way). One-shot and TSC-deadline are not clamped:
 * they fire once.
 */
#define VLAPIC_MIN_PERIOD_NS 50000ull

/* Nanoseconds per tick of the divided clock: Divide Configuration
 * Register bits 0, 1 and 3 (SDM 3A figure 11-10) times the bus tick. */
static uint64_t vlapic_timer_div(const struct vlapic *l)
{
	uint32_t code = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);

	return (code == 7 ? 1 : 2ull << code) * VLAPIC_NS_PER_TICK;
}

static unsigned int vlapic_timer_mode(const struct vlapic *l)
{
	return VLAPIC_TIMER_MODE(l->lvt[VLAPIC_LVT_TIMER]);
}

static void vlapic_timer_stop(struct vlapic *l)
{
	l->timer_due_ns = 0;
	l->timer_period_ns = 0;
}

/* Start counting down @count ticks from @now (the ICR write, 11.5.4). */
static void vlapic_timer_start(struct vlapic *l, uint64_t count, uint64_t now)
{
	uint64_t period = count * vlapic_timer_div(l);

	if (!count) {
		vlapic_timer_stop(l);
		return;
	}
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_PERIODIC &&
	    period < VLAPIC_MIN_PERIOD_NS)
		period = VLAPIC_MIN_PERIOD_NS;
	l->timer_start_ns = now;
	l->timer_period_ns = period;
	l->timer_due_ns = now + period;
}

void vlapic_timer_reset(struct vlapic *l)
{
	vlapic_timer_stop(l);
	l->timer_icr = 0;
	l->timer_dcr = 0;
	l->tsc_deadline = 0;
}

void vlapic_timer_write_lvt(struct vlapic *l, uint32_t val, uint64_t now)
{
	unsigned int old = vlapic_timer_mode(l);

	/* Vector, mask, mode; delivery status is read-only (11.5.1). */
	val &= 0x000700ffu;
	if (!vlapic_sw_enabled(l))
		val |= VLAPIC_LVT_MASKED; /* 11.4.7.2: stays masked */
	l->lvt[VLAPIC_LVT_TIMER] = val;
	unsigned int mode = VLAPIC_TIMER_MODE(val);
	/* Entering or leaving TSC-deadline mode disarms the timer
	 * (11.5.4.1); one-shot <-> periodic keeps the count running. */
	if ((old == VLAPIC_TIMER_TSCDL) != (mode == VLAPIC_TIMER_TSCDL)) {
		vlapic_timer_stop(l);
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	}
	(void)now;
}

void vlapic_timer_write_icr(struct vlapic *l, uint32_t val, uint64_t now)
{
	/* In TSC-deadline mode writes to the initial count are ignored. */
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSCDL)
		return;
	l->timer_icr = val;
	vlapic_timer_start(l, val, now);
}

void vlapic_timer_write_dcr(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t left = vlapic_timer_ccr(l, now);

	l->timer_dcr = val & 0xb;
	/* A running count goes on at the new rate from where it is. */
	if (l->timer_due_ns && vlapic_timer_mode(l) != VLAPIC_TIMER_TSCDL) {
		uint64_t period = l->timer_period_ns;
		vlapic_timer_start(l, left, now);
		if (vlapic_timer_mode(l) == VLAPIC_TIMER_PERIODIC) {
			period = (uint64_t)l->timer_icr * vlapic_timer_div(l);
			if (period < VLAPIC_MIN_PERIOD_NS)
				period = VLAPIC_MIN_PERIOD_NS;
			l->timer_period_ns = period;
		}
	}
}

uint32_t vlapic_timer_ccr(const struct vlapic *l, uint64_t now)
{
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSCDL || !l->timer_due_ns ||
	    now >= l->timer_due_ns)
		return 0;
	uint64_t ticks = (l->timer_due_ns - now) / vlapic_timer_div(l);
	return ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks;
}

uint64_t vlapic_timer_poll(struct vlapic *l, uint64_t now)
{
	if (!l->timer_due_ns || now < l->timer_due_ns)
		return l->timer_due_ns;
	uint32_t lvt = l->lvt[VLAPIC_LVT_TIMER];
	/* A masked timer still counts; it just interrupts nobody. */
	if (!(lvt & VLAPIC_LVT_MASKED))
		vlapic_set_irr_locked(l, lvt & 0xff, false);
	switch (vlapic_timer_mode(l)) {
	case VLAPIC_TIMER_PERIODIC: {
		/* Periods missed while the vCPU was descheduled coalesce into
		 * this one interrupt, as IRR holds one bit per vector. */
		uint64_t p = l->timer_period_ns;
		uint64_t k = (now - l->timer_due_ns) / p + 1;
		l->timer_due_ns += k * p;
		l->timer_start_ns = l->timer_due_ns - p;
		break;
	}
	case VLAPIC_TIMER_TSCDL:
		/* It disarms and the MSR reads 0 afterwards (11.5.4.1). */
		l->tsc_deadline = 0;
		vlapic_timer_stop(l);
		break;
	default:
		vlapic_timer_stop(l);
	}
	return l->timer_due_ns;
}

uint64_t vlapic_tsc_deadline_read(const struct vlapic *l)
{
	return vlapic_timer_mode(l) == VLAPIC_TIMER_TSCDL ? l->tsc_deadline : 0;
}

/*
 * IA32_TSC_DEADLINE (MSR 0x6e0) holds a guest TSC value: guest TSC =
 * host TSC + vm->tsc_offset. 0 disarms; a value already passed fires at
 * once (11.5.4.1). Outside TSC-deadline mode the write is ignored.
 */
void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now)
{
	if (vlapic_timer_mode(l) != VLAPIC_TIMER_TSCDL)
		return;
	l->tsc_deadline = val;
	if (!val) {
		vlapic_timer_stop(l);
		return;
	}
	uint64_t gnow = time_ns_to_tsc_abs(now) + l->v->vm->tsc_offset;
	uint64_t due = now;
	if (val > gnow) { /* +1: never early by a rounding */
		uint64_t delta = time_tsc_to_ns(val - gnow) + 1;
		/* Centuries away is never: no wrap-around to "now". */
		due = delta < (1ull << 62) ? now + delta : now + (1ull << 62);
	}
	l->timer_period_ns = 0;
	l->timer_start_ns = now;
	l->timer_due_ns = due;
}
