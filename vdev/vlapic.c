// SPDX-License-Identifier: MIT
/*
 * The virtual local APIC: registers (xAPIC MMIO and x2APIC MSRs), the
 * IRR/ISR/TMR priority machinery, and the vm_irqchip hooks core's run
 * loop calls. Interrupt delivery between APICs is in vdev/vlapic_ipi.c,
 * the timer in vdev/vlapic_timer.c. Intel SDM vol. 3A chapter 11.
 *
 * Locking: each vLAPIC has its own spinlock, taken last (vdev/vplat.h).
 * Nothing calls out of this file with it held: an EOI that must reach
 * the vIOAPIC and an IPI that must reach another vLAPIC are done after
 * it is dropped.
 */
#include "vdev/vlapic.h"

#include <errno.h>
#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vlapic_ipi.h"
#include "vdev/vplat.h"

/* Register offsets (SDM 3A table 11-1); x2APIC MSR = 0x800 + off / 16. */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_APR 0x090
#define LAPIC_PPR 0x0a0
#define LAPIC_EOI 0x0b0
#define LAPIC_RRD 0x0c0
#define LAPIC_LDR 0x0d0
#define LAPIC_DFR 0x0e0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR 0x100
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define LAPIC_SELF_IPI 0x3f0

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
/* Version 0x14, max LVT entry 5 (no CMCI), no EOI-broadcast suppression. */
#define LAPIC_VERSION_VALUE 0x00050014u

/* Bits an LVT entry keeps (SDM 3A figure 11-8), beyond the mask. */
static const uint32_t vlapic_lvt_bits[VLAPIC_LVT_COUNT] = {
	[VLAPIC_LVT_TIMER] = 0x000700ffu, [VLAPIC_LVT_THERMAL] = 0x000107ffu,
	[VLAPIC_LVT_PERF] = 0x000107ffu,  [VLAPIC_LVT_LINT0] = 0x0001a7ffu,
	[VLAPIC_LVT_LINT1] = 0x0001a7ffu, [VLAPIC_LVT_ERROR] = 0x000100ffu,
};

bool vlapic_x2apic(const struct vlapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}

static bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return l->svr & 0x100;
}

/* Highest set bit of a 256-bit register, or -1. */
static int vlapic_highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = __atomic_load_n(&r[i], __ATOMIC_RELAXED);
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static void vlapic_bit(uint32_t *r, unsigned int vector, bool on)
{
	if (on)
		r[vector / 32] |= 1u << (vector % 32);
	else
		r[vector / 32] &= ~(1u << (vector % 32));
}

static bool vlapic_test(const uint32_t *r, unsigned int vector)
{
	return r[vector / 32] & (1u << (vector % 32));
}

/* PPR (SDM 3A 11.8.3.1): TPR, or the in-service class if that is higher. */
static uint32_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = vlapic_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* x2APIC logical ID: cluster ID[19:4], one bit for ID[3:0] (11.12.10.2). */
static uint32_t vlapic_x2apic_ldr(unsigned int id)
{
	return (id >> 4) << 16 | 1u << (id & 0xf);
}

void vlapic_error_locked(struct vlapic *l, uint32_t bit)
{
	l->esr_pending |= bit;
	uint32_t lvt = l->lvt[VLAPIC_LVT_ERROR];
	/* The error LVT's own illegal vector would loop: drop it. */
	if (!(lvt & VLAPIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vlapic_set_irr_locked(l, lvt & 0xff, false);
}

void vlapic_set_irr_locked(struct vlapic *l, uint32_t vector, bool level)
{
	vector &= 0xff;
	/* Vectors 0-15 are illegal for interrupts (11.5.2). */
	if (vector < 16) {
		vlapic_error_locked(l, VLAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	vlapic_bit(l->irr, vector, true);
	vlapic_bit(l->tmr, vector, level);
}

/* The state after power-up or INIT (SDM 3A 11.4.7.1/11.4.7.3); the APIC
 * base and the x2APIC mode survive INIT (11.12.5.1). */
static void vlapic_reset_locked(struct vlapic *l)
{
	for (int i = 0; i < 8; i++)
		l->irr[i] = l->isr[i] = l->tmr[i] = 0;
	l->tpr = 0;
	l->ldr = vlapic_x2apic(l) ? vlapic_x2apic_ldr(l->v->id) : 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < VLAPIC_LVT_COUNT; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	vlapic_timer_reset(l);
	l->nmi_pending = false;
	l->extint_vector = -1;
	l->extint_io = false;
}

/*
 * What a firmware leaves behind (SeaBIOS does the same): vCPU 0's APIC
 * software-enabled in virtual wire mode, LINT0 ExtINT (the vPIC) and
 * LINT1 NMI, so the PIC's interrupts arrive before the OS sets up its
 * APIC (MP spec 3.6.2.2). The APs are as after INIT.
 */
static void vlapic_power_on(struct vlapic *l)
{
	l->apic_base =
	    VLAPIC_BASE | APIC_BASE_EN | (l->v->id == 0 ? APIC_BASE_BSP : 0);
	vlapic_reset_locked(l);
	if (l->v->id == 0) {
		l->svr = 0x1ff;
		l->lvt[VLAPIC_LVT_LINT0] = 0x700;
		l->lvt[VLAPIC_LVT_LINT1] = 0x400;
	}
}

/* Work to do once the lock is dropped. */
struct vlapic_after {
	int eoi_vector; /* level-triggered EOI for the vIOAPIC */
	bool ipi;	/* send the ICR */
	uint32_t icr_lo, icr_hi;
};

static void vlapic_do_eoi(struct vlapic *l, struct vlapic_after *a)
{
	int vec = vlapic_highest(l->isr);

	if (vec < 0)
		return;
	vlapic_bit(l->isr, vec, false);
	if (vlapic_test(l->tmr, vec))
		a->eoi_vector = vec;
}

static void vlapic_after(struct vlapic *l, const struct vlapic_after *a)
{
	if (a->eoi_vector >= 0)
		vioapic_eoi(l->v->vm, (uint8_t)a->eoi_vector);
	if (a->ipi)
		vlapic_ipi_send(l, a->icr_lo, a->icr_hi);
}

/*
 * Read register @off (an xAPIC offset). 0, or -EINVAL when the register
 * does not exist in the current mode (an x2APIC read of it is #GP).
 */
static int vlapic_read_locked(struct vlapic *l, unsigned int off, uint64_t *val,
			      uint64_t now)
{
	bool x2 = vlapic_x2apic(l);

	vlapic_timer_poll(l, now);
	switch (off) {
	case LAPIC_ID:
		*val = x2 ? l->v->id : l->v->id << 24;
		return 0;
	case LAPIC_VERSION:
		*val = LAPIC_VERSION_VALUE;
		return 0;
	case LAPIC_TPR:
		*val = l->tpr;
		return 0;
	case LAPIC_APR:
		if (x2)
			return -EINVAL;
		*val = vlapic_ppr(l) & 0xf0; /* arbitration: no bus here */
		return 0;
	case LAPIC_PPR:
		*val = vlapic_ppr(l);
		return 0;
	case LAPIC_LDR:
		*val = l->ldr;
		return 0;
	case LAPIC_DFR:
		if (x2)
			return -EINVAL;
		*val = l->dfr;
		return 0;
	case LAPIC_SVR:
		*val = l->svr;
		return 0;
	case LAPIC_ESR:
		*val = l->esr;
		return 0;
	case LAPIC_ICR_LO:
		/* Delivery is instant: the status bit (12) always reads idle.
		 */
		*val = x2 ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
		return 0;
	case LAPIC_ICR_HI:
		if (x2)
			return -EINVAL;
		*val = l->icr_hi;
		return 0;
	case LAPIC_TIMER_ICR:
		*val = l->timer_icr;
		return 0;
	case LAPIC_TIMER_CCR:
		*val = vlapic_timer_ccr(l, now);
		return 0;
	case LAPIC_TIMER_DCR:
		*val = l->timer_dcr;
		return 0;
	}
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80) {
		*val = l->isr[(off - LAPIC_ISR) >> 4];
		return 0;
	}
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80) {
		*val = l->tmr[(off - LAPIC_TMR) >> 4];
		return 0;
	}
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80) {
		*val = l->irr[(off - LAPIC_IRR) >> 4];
		return 0;
	}
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR) {
		*val = l->lvt[(off - LAPIC_LVT_TIMER) >> 4];
		return 0;
	}
	*val = 0;
	return x2 ? -EINVAL : 0; /* reserved xAPIC space reads 0 */
}

static void vlapic_write_svr(struct vlapic *l, uint32_t val)
{
	/* Vector and the enable bit; focus checking and EOI-broadcast
	 * suppression are not offered (version register bit 24 clear). */
	l->svr = val & 0x1ff;
	if (!vlapic_sw_enabled(l)) /* 11.4.7.2: every LVT masked */
		for (int i = 0; i < VLAPIC_LVT_COUNT; i++)
			l->lvt[i] |= VLAPIC_LVT_MASKED;
}

static void vlapic_write_lvt(struct vlapic *l, unsigned int i, uint32_t val,
			     uint64_t now)
{
	if (i == VLAPIC_LVT_TIMER) {
		vlapic_timer_write_lvt(l, val, now);
		return;
	}
	val &= vlapic_lvt_bits[i];
	if (!vlapic_sw_enabled(l))
		val |= VLAPIC_LVT_MASKED;
	l->lvt[i] = val;
}

/*
 * Write register @off. 0, or -EINVAL for an x2APIC write that is #GP
 * (read-only or missing register, reserved bits set, SDM 3A 11.12.1.2).
 */
static int vlapic_write_locked(struct vlapic *l, unsigned int off, uint64_t val,
			       uint64_t now, struct vlapic_after *a)
{
	bool x2 = vlapic_x2apic(l);
	uint32_t v32 = (uint32_t)val;

	vlapic_timer_poll(l, now);
	if (x2 && off != LAPIC_ICR_LO && (val >> 32))
		return -EINVAL;
	switch (off) {
	case LAPIC_TPR:
		l->tpr = v32 & 0xff;
		return 0;
	case LAPIC_EOI:
		if (x2 && v32)
			return -EINVAL;
		vlapic_do_eoi(l, a);
		return 0;
	case LAPIC_LDR:
		if (x2)
			return -EINVAL; /* derived from the ID in x2APIC mode */
		l->ldr = v32 & 0xff000000u;
		return 0;
	case LAPIC_DFR:
		if (x2)
			return -EINVAL;
		l->dfr = v32 | 0x0fffffffu;
		return 0;
	case LAPIC_SVR:
		vlapic_write_svr(l, v32);
		return 0;
	case LAPIC_ESR:
		if (x2 && v32)
			return -EINVAL;
		/* A write latches the errors seen since the last (11.5.3). */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case LAPIC_ICR_LO:
		l->icr_lo = v32 & ~(1u << 12);
		if (x2)
			l->icr_hi = (uint32_t)(val >> 32);
		a->ipi = true;
		a->icr_lo = l->icr_lo;
		a->icr_hi = l->icr_hi;
		return 0;
	case LAPIC_ICR_HI:
		if (x2)
			return -EINVAL;
		l->icr_hi = v32 & 0xff000000u;
		return 0;
	case LAPIC_TIMER_ICR:
		vlapic_timer_write_icr(l, v32, now);
		return 0;
	case LAPIC_TIMER_DCR:
		vlapic_timer_write_dcr(l, v32, now);
		return 0;
	case LAPIC_SELF_IPI:
		if (!x2)
			return 0;
		vlapic_set_irr_locked(l, v32 & 0xff, false);
		return 0;
	}
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR) {
		vlapic_write_lvt(l, (off - LAPIC_LVT_TIMER) >> 4, v32, now);
		return 0;
	}
	/* ID, version, PPR, ISR/TMR/IRR, CCR: read-only. */
	return x2 ? -EINVAL : 0;
}

static int vlapic_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
		       bool write, uint64_t *data, void *opaque)
{
	struct vlapic *l = v->vlapic;
	unsigned int off = (unsigned int)(gpa - VLAPIC_BASE);
	struct vlapic_after a = { .eoi_vector = -1 };
	uint64_t val = 0;

	/* Registers are 32 bits at 16-byte strides (11.4.1); anything else
	 * and the page of a disabled or x2APIC-mode APIC reads 0. */
	uint64_t flags = spin_lock_irqsave(&l->lock);
	bool xapic = vlapic_hw_enabled(l) && !vlapic_x2apic(l);
	if (xapic && size == 4 && !(off & 0xf) && off < 0x400) {
		if (write)
			vlapic_write_locked(l, off, (uint32_t)*data, time_ns(),
					    &a);
		else
			vlapic_read_locked(l, off, &val, time_ns());
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (!write)
		*data = val;
	vlapic_after(l, &a);
	return 0;
}

/*
 * IA32_APIC_BASE (SDM 3A 11.12.5): disabled -> xAPIC -> x2APIC, and
 * either back to disabled; x2APIC -> xAPIC, disabled -> x2APIC and the
 * EXTD-without-EN state are #GP, as are reserved bits. The base address
 * stays 0xfee00000: a move is logged and ignored (Linux never moves it).
 */
static int vlapic_write_base(struct vlapic *l, uint64_t val)
{
	uint64_t mode = val & (APIC_BASE_EN | APIC_BASE_EXTD);
	uint64_t old = l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD);

	if (val & ~(0x000ffffffffff000ull | APIC_BASE_BSP | APIC_BASE_EN |
		    APIC_BASE_EXTD))
		return -EINVAL;
	if (mode == APIC_BASE_EXTD ||
	    (old == (APIC_BASE_EN | APIC_BASE_EXTD) && mode == APIC_BASE_EN) ||
	    (old == 0 && mode == (APIC_BASE_EN | APIC_BASE_EXTD)))
		return -EINVAL;
	if ((val & ~0xfffull) != VLAPIC_BASE && (val & APIC_BASE_EN))
		log_warn("vm %u: vCPU %u: APIC base moved to %#llx: ignored",
			 l->v->vm->id, l->v->id,
			 (unsigned long long)(val & ~0xfffull));
	l->apic_base = VLAPIC_BASE | (l->apic_base & APIC_BASE_BSP) | mode;
	if (!mode) /* disabling resets it as at power-up (11.4.3) */
		vlapic_reset_locked(l);
	else if (mode != old && (mode & APIC_BASE_EXTD))
		l->ldr = vlapic_x2apic_ldr(l->v->id);
	return 0;
}

static int vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *l = v->vlapic;
	int rc = 0;

	if (msr != MSR_APIC_BASE && msr != MSR_TSC_DEADLINE &&
	    (msr < 0x800 || msr > 0x8ff))
		return -ENOENT;
	uint64_t flags = spin_lock_irqsave(&l->lock);
	uint64_t now = time_ns();
	if (msr == MSR_APIC_BASE) {
		*val = l->apic_base;
	} else if (msr == MSR_TSC_DEADLINE) {
		vlapic_timer_poll(l, now);
		*val = vlapic_tsc_deadline_read(l);
	} else if (!vlapic_x2apic(l) || msr == 0x80b || msr == 0x83f) {
		rc = -EINVAL; /* xAPIC mode, or a write-only register */
	} else {
		rc = vlapic_read_locked(l, (msr - 0x800) << 4, val, now);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return rc;
}

static int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *l = v->vlapic;
	struct vlapic_after a = { .eoi_vector = -1 };
	int rc = 0;

	if (msr != MSR_APIC_BASE && msr != MSR_TSC_DEADLINE &&
	    (msr < 0x800 || msr > 0x8ff))
		return -ENOENT;
	uint64_t flags = spin_lock_irqsave(&l->lock);
	uint64_t now = time_ns();
	if (msr == MSR_APIC_BASE)
		rc = vlapic_write_base(l, val);
	else if (msr == MSR_TSC_DEADLINE)
		vlapic_tsc_deadline_write(l, val, now);
	else if (!vlapic_x2apic(l))
		rc = -EINVAL;
	else
		rc = vlapic_write_locked(l, (msr - 0x800) << 4, val, now, &a);
	spin_unlock_irqrestore(&l->lock, flags);
	vlapic_after(l, &a);
	return rc;
}

/* LINT0 takes the vPIC's INT as ExtINT (virtual wire mode), or the CPU's
 * INTR pin sees it directly while the APIC is globally disabled. */
static bool vlapic_lint0_extint(const struct vlapic *l)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_LINT0];

	if (!vlapic_hw_enabled(l))
		return l->v->id == 0;
	return !(lvt & VLAPIC_LVT_MASKED) && ((lvt >> 8) & 7) == 7;
}

/*
 * The platform's timers (PIT, RTC, PM timer: vplat_timers_poll) are
 * polled by vCPU 0, whose LINT0 and (by default) I/O APIC routes they
 * feed: it leaves the guest or HLT by their next event, fires what is
 * due, and a message to another vCPU kicks that one.
 */
static bool vlapic_polls_platform(const struct vlapic *l)
{
	return l->v->id == 0;
}

static int vlapic_pending(struct vcpu *v)
{
	struct vlapic *l = v->vlapic;
	int vec = -1;

	/* Before our lock: device, then PIC/IOAPIC, then LAPIC (vplat.h). */
	if (vlapic_polls_platform(l))
		vplat_timers_poll(v->vm);
	uint64_t flags = spin_lock_irqsave(&l->lock);
	vlapic_timer_poll(l, time_ns());
	bool ask_pic =
	    l->extint_vector < 0 && (l->extint_io || vlapic_lint0_extint(l));
	spin_unlock_irqrestore(&l->lock, flags);
	/* The vPIC's lock comes before ours (vplat.h): ask it unlocked. */
	int pic = ask_pic && vpic_int_output(v->vm) ? vpic_intack(v->vm) : -1;

	flags = spin_lock_irqsave(&l->lock);
	if (pic >= 0)
		l->extint_vector = pic & 0xff;
	else if (ask_pic)
		l->extint_io = false; /* the PIC has nothing (any more) */
	if (l->nmi_pending) {
		vec = VM_IRQCHIP_NMI;
	} else if (l->extint_vector >= 0) {
		vec = l->extint_vector; /* ExtINT ignores priorities */
	} else {
		int irrv = vlapic_highest(l->irr);
		if (irrv >= 0 &&
		    ((uint32_t)irrv & 0xf0) > (vlapic_ppr(l) & 0xf0))
			vec = irrv;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return vec;
}

static void vlapic_ack(struct vcpu *v, int vector)
{
	struct vlapic *l = v->vlapic;
	uint64_t flags = spin_lock_irqsave(&l->lock);

	if (vector == VM_IRQCHIP_NMI) {
		l->nmi_pending = false;
	} else if (vector == l->extint_vector) {
		l->extint_vector = -1; /* the PIC's INTA already moved it */
	} else if (vector >= 0 && vector < 256) {
		vlapic_bit(l->irr, vector, false);
		vlapic_bit(l->isr, vector, true);
	}
	spin_unlock_irqrestore(&l->lock, flags);
}

/*
 * Only reads: firing a due timer here would set IRR after the caller's
 * pending() look, and a HLT loop seeing no deadline would then sleep
 * with the interrupt in IRR (g_apic hung about 1 run in 15). A deadline
 * already passed is returned as is; pending() fires it.
 */
static uint64_t vlapic_next_deadline(struct vcpu *v)
{
	struct vlapic *l = v->vlapic;
	uint64_t plat = vlapic_polls_platform(l) ? vplat_timers_deadline(v->vm)
						 : 0;
	uint64_t flags = spin_lock_irqsave(&l->lock);
	uint64_t due = l->timer_due_ns;

	spin_unlock_irqrestore(&l->lock, flags);
	if (plat && (!due || plat < due))
		due = plat;
	return due;
}

static void vlapic_init_hook(struct vcpu *v)
{
	struct vlapic *l = v->vlapic;
	uint64_t flags = spin_lock_irqsave(&l->lock);

	vlapic_reset_locked(l);
	spin_unlock_irqrestore(&l->lock, flags);
}

const struct vm_irqchip vlapic_irqchip = {
	.pending = vlapic_pending,
	.ack = vlapic_ack,
	.next_deadline = vlapic_next_deadline,
	.msr_read = vlapic_msr_read,
	.msr_write = vlapic_msr_write,
	.init = vlapic_init_hook,
};

static void vlapic_free(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		free(vm->vcpus[i].vlapic);
		vm->vcpus[i].vlapic = NULL;
	}
}

int vlapic_attach(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vlapic *l = calloc(1, sizeof(*l));
		if (!l) {
			vlapic_free(vm);
			return -ENOMEM;
		}
		l->lock = (struct spinlock)SPINLOCK_INIT;
		l->v = &vm->vcpus[i];
		vlapic_power_on(l);
		vm->vcpus[i].vlapic = l;
	}
	vm->irqchip = &vlapic_irqchip;
	return iobus_register_mmio(vm, VLAPIC_BASE, 0x1000, vlapic_mmio, NULL);
}
