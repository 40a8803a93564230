// SPDX-License-Identifier: MIT
/*
 * The virtual local APIC (vdev/vlapic*.c) as a guest and the run loop see
 * it, on a fake clock: priority (TPR/PPR, ISR classes), EOI of the
 * highest in-service vector and the level EOI that reaches the I/O APIC,
 * the timer in one-shot, periodic and TSC-deadline modes, logical
 * destinations (flat, cluster, x2APIC cluster), the x2APIC MSR map and
 * IA32_APIC_BASE transitions, IPIs (self, fixed, lowest priority, NMI,
 * INIT/SIPI, shorthands), ESR for illegal vectors, LINT0 ExtINT.
 * UNIT_SRCS: vdev/vlapic.c vdev/vlapic_timer.c vdev/vlapic_ipi.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "unit.h"
#include "vdev/vlapic.h"
#include "vdev/vplat.h"

/* ---- Fakes --------------------------------------------------------------- */

static uint64_t now_ns = 1000000; /* the fake clock; TSC = ns (1 GHz) */
static iobus_fn mmio_fn;
static int kicks[32], inits[32], sipis[32], sipi_vec[32];
static int eois, eoi_vec;
static bool pic_out;
static int pic_vec = -1, pic_acks;

uint64_t time_ns(void)
{
	return now_ns;
}
uint64_t time_ns_to_tsc_abs(uint64_t ns)
{
	return ns;
}
uint64_t time_tsc_to_ns(uint64_t tsc)
{
	return tsc;
}
void log_printf(enum log_level level, const char *fmt, ...)
{
}
int iobus_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len, iobus_fn fn,
			void *opaque)
{
	mmio_fn = fn;
	return 0;
}
void vcpu_kick(struct vcpu *v)
{
	kicks[v->id]++;
}
void vcpu_init_signal(struct vcpu *v)
{
	inits[v->id]++;
}
void vcpu_sipi(struct vcpu *v, uint8_t vector)
{
	sipis[v->id]++;
	sipi_vec[v->id] = vector;
}
void vioapic_eoi(struct vm *vm, uint8_t vector)
{
	eois++;
	eoi_vec = vector;
}
bool vpic_int_output(struct vm *vm)
{
	return pic_out;
}
int vpic_intack(struct vm *vm)
{
	pic_acks++;
	pic_out = false;
	return pic_vec;
}

static struct vm *vm;

static struct vcpu *setup(unsigned int n)
{
	static struct vm the_vm;

	if (vm) {
		for (unsigned int i = 0; i < vm->nvcpus; i++)
			free(vm->vcpus[i].vlapic);
	}
	memset(&the_vm, 0, sizeof(the_vm));
	vm = &the_vm;
	vm->nvcpus = n;
	vm->tsc_offset = 5000; /* guest TSC = host + 5000 */
	for (unsigned int i = 0; i < n; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
	}
	memset(kicks, 0, sizeof(kicks));
	memset(inits, 0, sizeof(inits));
	memset(sipis, 0, sizeof(sipis));
	eois = 0;
	pic_out = false;
	pic_acks = 0;
	UNIT_CHECK(vlapic_attach(vm) == 0);
	UNIT_CHECK(vm->irqchip == &vlapic_irqchip);
	return &vm->vcpus[0];
}

static uint32_t rd(struct vcpu *v, unsigned int off)
{
	uint64_t d = 0;

	mmio_fn(v, VLAPIC_BASE + off, 4, false, &d, NULL);
	return (uint32_t)d;
}

static void wr(struct vcpu *v, unsigned int off, uint32_t val)
{
	uint64_t d = val;

	mmio_fn(v, VLAPIC_BASE + off, 4, true, &d, NULL);
}

static int msr_rd(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return vlapic_irqchip.msr_read(v, msr, val);
}

static int msr_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return vlapic_irqchip.msr_write(v, msr, val);
}

/* The run loop's view: what would be injected next; inject it. */
static int pending(struct vcpu *v)
{
	return vlapic_irqchip.pending(v);
}

static int take(struct vcpu *v)
{
	int vec = pending(v);

	if (vec >= 0)
		vlapic_irqchip.ack(v, vec);
	return vec;
}

static void enable(struct vcpu *v)
{
	wr(v, 0xf0, 0x1ff); /* SVR: software enabled */
}

/* ---- Tests ----------------------------------------------------------------
 */

UNIT_TEST(reset_state_and_ids)
{
	struct vcpu *v = setup(2);
	uint64_t base;

	UNIT_CHECK(rd(v, 0x20) == 0);
	UNIT_CHECK(rd(&vm->vcpus[1], 0x20) == 1u << 24);
	UNIT_CHECK(rd(v, 0x30) == 0x00050014);
	/* vCPU 0 as a firmware leaves it: virtual wire, LINT0 ExtINT. */
	UNIT_CHECK(rd(v, 0xf0) == 0x1ff);
	UNIT_CHECK(rd(v, 0x350) == 0x700);
	UNIT_CHECK(rd(&vm->vcpus[1], 0xf0) == 0xff);
	UNIT_CHECK(rd(&vm->vcpus[1], 0x320) == 0x10000);
	UNIT_CHECK(rd(v, 0xe0) == 0xffffffff);
	UNIT_CHECK(msr_rd(v, 0x1b, &base) == 0 && base == 0xfee00900);
	UNIT_CHECK(msr_rd(&vm->vcpus[1], 0x1b, &base) == 0 &&
		   base == 0xfee00800);
	/* Not an irqchip MSR: core's policy decides. */
	UNIT_CHECK(msr_rd(v, 0x10, &base) == -ENOENT);
}

UNIT_TEST(priority_eoi_isr_order)
{
	struct vcpu *v = setup(1);

	enable(v);
	vlapic_deliver(vm, 0, false, 0, 0x41, false);
	vlapic_deliver(vm, 0, false, 0, 0x92, false);
	UNIT_CHECK(rd(v, 0x200 + 0x20) & (1u << 1)); /* IRR bit 0x41 */
	UNIT_CHECK(take(v) == 0x92);
	UNIT_CHECK(rd(v, 0x100 + 0x40) & (1u << 18)); /* ISR bit 0x92 */
	UNIT_CHECK(rd(v, 0xa0) == 0x90);	      /* PPR: ISR class */
	/* 0x41 is below the in-service class: held. */
	UNIT_CHECK(pending(v) == -1);
	/* A higher class nests. */
	vlapic_deliver(vm, 0, false, 0, 0xa0, false);
	UNIT_CHECK(take(v) == 0xa0);
	/* EOI retires the highest in-service vector first. */
	wr(v, 0xb0, 0);
	UNIT_CHECK(!(rd(v, 0x100 + 0x50) & 1));
	UNIT_CHECK(rd(v, 0x100 + 0x40) & (1u << 18));
	UNIT_CHECK(pending(v) == -1);
	wr(v, 0xb0, 0);
	UNIT_CHECK(take(v) == 0x41);
	wr(v, 0xb0, 0);
	UNIT_CHECK(rd(v, 0xa0) == 0);
	UNIT_CHECK(eois == 0); /* edge vectors: nothing for the I/O APIC */
}

UNIT_TEST(tpr_masks_classes)
{
	struct vcpu *v = setup(1);

	enable(v);
	wr(v, 0x80, 0x50);
	vlapic_deliver(vm, 0, false, 0, 0x55, false);
	UNIT_CHECK(pending(v) == -1); /* same class as TPR: held */
	vlapic_deliver(vm, 0, false, 0, 0x61, false);
	UNIT_CHECK(pending(v) == 0x61);
	wr(v, 0x80, 0);
	UNIT_CHECK(pending(v) == 0x61);
	UNIT_CHECK(rd(v, 0xa0) == 0);
}

UNIT_TEST(level_eoi_reaches_ioapic)
{
	struct vcpu *v = setup(1);

	enable(v);
	vlapic_deliver(vm, 0, false, 0, 0x30, true);
	UNIT_CHECK(rd(v, 0x180 + 0x10) & (1u << 16)); /* TMR bit 0x30 */
	UNIT_CHECK(take(v) == 0x30);
	wr(v, 0xb0, 0);
	UNIT_CHECK(eois == 1 && eoi_vec == 0x30);
	/* The same vector edge-triggered clears TMR: no EOI broadcast. */
	vlapic_deliver(vm, 0, false, 0, 0x30, false);
	UNIT_CHECK(!(rd(v, 0x180 + 0x10) & (1u << 16)));
	UNIT_CHECK(take(v) == 0x30);
	wr(v, 0xb0, 0);
	UNIT_CHECK(eois == 1);
}

UNIT_TEST(illegal_vectors_set_esr)
{
	struct vcpu *v = setup(2);

	enable(v);
	enable(&vm->vcpus[1]);
	wr(v, 0x370, 0xfe); /* error LVT unmasked, vector 0xfe */
	/* Sending vector 5 as fixed: "send illegal vector", nothing sent. */
	wr(v, 0x310, 1u << 24);
	wr(v, 0x300, 0x05);
	UNIT_CHECK(kicks[1] == 0);
	UNIT_CHECK(rd(v, 0x280) == 0); /* latched on the next ESR write */
	wr(v, 0x280, 0);
	UNIT_CHECK(rd(v, 0x280) == 0x20);
	UNIT_CHECK(take(v) == 0xfe); /* the error interrupt */
	/* An I/O APIC message with vector 3: "receive illegal vector". */
	vlapic_deliver(vm, 1, false, 0, 3, false);
	wr(&vm->vcpus[1], 0x280, 0);
	UNIT_CHECK(rd(&vm->vcpus[1], 0x280) == 0x40);
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1);
}

UNIT_TEST(sw_disabled_drops_fixed_masks_lvt)
{
	struct vcpu *v = setup(2);
	struct vcpu *v1 = &vm->vcpus[1];

	vlapic_deliver(vm, 1, false, 0, 0x40, false);
	UNIT_CHECK(pending(v1) == -1);
	wr(v1, 0x350, 0x700); /* LVT writes keep the mask while disabled */
	UNIT_CHECK(rd(v1, 0x350) == 0x10700);
	vlapic_deliver(vm, 1, false, 4, 0, false); /* NMI still arrives */
	UNIT_CHECK(pending(v1) == VM_IRQCHIP_NMI);
	vlapic_irqchip.ack(v1, VM_IRQCHIP_NMI);
	UNIT_CHECK(pending(v1) == -1);
	/* Disabling masks every LVT. */
	wr(v, 0xf0, 0xff);
	UNIT_CHECK(rd(v, 0x350) & 0x10000);
}

UNIT_TEST(timer_oneshot)
{
	struct vcpu *v = setup(1);

	enable(v);
	wr(v, 0x3e0, 0x3);  /* divide by 16 */
	wr(v, 0x320, 0x40); /* one-shot, vector 0x40 */
	wr(v, 0x380, 1000); /* 16 x 40 ns x 1000 = 640 us at 25 MHz */
	UNIT_CHECK(rd(v, 0x390) == 1000);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == now_ns + 640000);
	now_ns += 320000;
	UNIT_CHECK(rd(v, 0x390) == 500);
	UNIT_CHECK(pending(v) == -1);
	now_ns += 320000;
	UNIT_CHECK(take(v) == 0x40);
	UNIT_CHECK(rd(v, 0x390) == 0);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == 0);
	wr(v, 0xb0, 0);
	now_ns += 100000;
	UNIT_CHECK(pending(v) == -1); /* once only */
	/* Initial count 0 stops it. */
	wr(v, 0x380, 10);
	wr(v, 0x380, 0);
	now_ns += 10000;
	UNIT_CHECK(pending(v) == -1);
	/* Masked: counts down, interrupts nobody. */
	wr(v, 0x320, 0x10040);
	wr(v, 0x380, 10);
	now_ns += 10000;
	UNIT_CHECK(pending(v) == -1 && rd(v, 0x390) == 0);
}

/* The HLT loop asks pending() and then next_deadline(): a timer that
 * comes due between the two must still show as a deadline (passed),
 * not fire into IRR behind pending()'s back and report "none". */
UNIT_TEST(timer_deadline_only_reads)
{
	struct vcpu *v = setup(1);

	enable(v);
	wr(v, 0x3e0, 0xb);  /* divide by 1 */
	wr(v, 0x320, 0x40); /* one-shot */
	wr(v, 0x380, 25);   /* 1 us */
	uint64_t due = now_ns + 1000;
	UNIT_CHECK(pending(v) == -1);
	now_ns += 5000;
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == due);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == due);
	UNIT_CHECK(take(v) == 0x40);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == 0);
}

UNIT_TEST(timer_periodic_coalesces)
{
	struct vcpu *v = setup(1);

	enable(v);
	wr(v, 0x3e0, 0xb);	      /* divide by 1 */
	wr(v, 0x320, 0x20000 | 0x50); /* periodic */
	wr(v, 0x380, 2500);	      /* 100 us at 25 MHz */
	uint64_t t0 = now_ns;
	now_ns = t0 + 100000;
	UNIT_CHECK(take(v) == 0x50);
	wr(v, 0xb0, 0);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == t0 + 200000);
	now_ns = t0 + 150000;
	UNIT_CHECK(rd(v, 0x390) == 1250);
	/* Three periods missed: one interrupt, next on the period grid. */
	now_ns = t0 + 450000;
	UNIT_CHECK(take(v) == 0x50);
	UNIT_CHECK(pending(v) == -1);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == t0 + 500000);
	/* A 1-tick period is clamped, the host stays in charge. */
	wr(v, 0x380, 1);
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) >= now_ns + 50000);
}

UNIT_TEST(timer_tsc_deadline)
{
	struct vcpu *v = setup(1);
	uint64_t val;

	enable(v);
	wr(v, 0x380, 1000);	      /* one-shot armed ... */
	wr(v, 0x320, 0x40000 | 0x60); /* ... and disarmed by the mode switch */
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == 0);
	wr(v, 0x380, 1000); /* ignored in TSC-deadline mode */
	UNIT_CHECK(rd(v, 0x380) == 0 && rd(v, 0x390) == 0);
	/* Guest TSC now = now_ns + 5000: fire 20000 guest ticks later. */
	uint64_t gtsc = now_ns + 5000;
	UNIT_CHECK(msr_wr(v, 0x6e0, gtsc + 20000) == 0);
	UNIT_CHECK(msr_rd(v, 0x6e0, &val) == 0 && val == gtsc + 20000);
	uint64_t due = vlapic_irqchip.next_deadline(v);
	UNIT_CHECK(due >= now_ns + 20000 && due <= now_ns + 20002);
	now_ns += 19990;
	UNIT_CHECK(pending(v) == -1);
	now_ns += 20;
	UNIT_CHECK(take(v) == 0x60);
	UNIT_CHECK(msr_rd(v, 0x6e0, &val) == 0 && val == 0); /* cleared */
	wr(v, 0xb0, 0);
	/* A deadline in the past fires at once. */
	UNIT_CHECK(msr_wr(v, 0x6e0, 1) == 0);
	UNIT_CHECK(take(v) == 0x60);
	wr(v, 0xb0, 0);
	/* 0 disarms. */
	UNIT_CHECK(msr_wr(v, 0x6e0, now_ns + 5000 + 100) == 0);
	UNIT_CHECK(msr_wr(v, 0x6e0, 0) == 0);
	now_ns += 1000;
	UNIT_CHECK(pending(v) == -1);
	/* Outside TSC-deadline mode the MSR reads 0 and writes do nothing. */
	wr(v, 0x320, 0x60);
	UNIT_CHECK(msr_wr(v, 0x6e0, 1) == 0);
	UNIT_CHECK(msr_rd(v, 0x6e0, &val) == 0 && val == 0);
	UNIT_CHECK(pending(v) == -1);
}

UNIT_TEST(logical_flat_and_cluster)
{
	setup(4);
	for (unsigned int i = 0; i < 4; i++)
		enable(&vm->vcpus[i]);
	/* Flat: one bit per CPU. */
	for (unsigned int i = 0; i < 4; i++)
		wr(&vm->vcpus[i], 0xd0, (1u << i) << 24);
	vlapic_deliver(vm, 0x0a, true, 0, 0x40, false); /* CPUs 1 and 3 */
	UNIT_CHECK(pending(&vm->vcpus[0]) == -1);
	UNIT_CHECK(take(&vm->vcpus[1]) == 0x40);
	UNIT_CHECK(pending(&vm->vcpus[2]) == -1);
	UNIT_CHECK(take(&vm->vcpus[3]) == 0x40);
	/* Cluster: CPUs 0,1 in cluster 1, CPUs 2,3 in cluster 2. */
	for (unsigned int i = 0; i < 4; i++) {
		struct vcpu *t = &vm->vcpus[i];
		wr(t, 0xb0, 0);
		wr(t, 0xe0, 0x0fffffff);
		wr(t, 0xd0, ((1u + i / 2) << 4 | 1u << (i % 2)) << 24);
	}
	UNIT_CHECK(rd(&vm->vcpus[0], 0xe0) == 0x0fffffff);
	vlapic_deliver(vm, 0x22, true, 0, 0x41, false); /* cluster 2, bit 1 */
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1);
	UNIT_CHECK(pending(&vm->vcpus[2]) == -1);
	UNIT_CHECK(take(&vm->vcpus[3]) == 0x41);
	/* Lowest priority: one target, the lowest-numbered of the set. */
	vlapic_deliver(vm, 0x13, true, 1, 0x42, false);
	UNIT_CHECK(take(&vm->vcpus[0]) == 0x42);
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1);
}

UNIT_TEST(x2apic_msrs_and_transitions)
{
	struct vcpu *v = setup(20);
	struct vcpu *v17 = &vm->vcpus[17];
	uint64_t val;

	/* x2APIC MSRs are #GP in xAPIC mode. */
	UNIT_CHECK(msr_rd(v, 0x802, &val) == -EINVAL);
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00000 | 0x100 | 0xc00) == 0);
	UNIT_CHECK(msr_rd(v, 0x1b, &val) == 0 && val == 0xfee00d00);
	/* x2APIC -> xAPIC directly is #GP; via disabled it is fine. */
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00900) == -EINVAL);
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00400) == -EINVAL); /* EXTD alone */
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00000) == 0);
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00c00) == -EINVAL); /* off -> x2 */
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00800) == 0);
	UNIT_CHECK(msr_wr(v, 0x1b, 0xfee00c00) == 0);
	UNIT_CHECK(msr_wr(v, 0x1b, 0x1fee00c00ull << 40) == -EINVAL);
	UNIT_CHECK(msr_wr(v17, 0x1b, 0xfee00c00) == 0);
	/* ID is the vCPU number, LDR its cluster and bit. */
	UNIT_CHECK(msr_rd(v17, 0x802, &val) == 0 && val == 17);
	UNIT_CHECK(msr_rd(v17, 0x80d, &val) == 0 && val == (1u << 16 | 2));
	UNIT_CHECK(msr_wr(v17, 0x80d, 0) == -EINVAL);	 /* LDR read-only */
	UNIT_CHECK(msr_rd(v17, 0x80e, &val) == -EINVAL); /* no DFR */
	UNIT_CHECK(msr_rd(v17, 0x80b, &val) == -EINVAL); /* EOI write-only */
	UNIT_CHECK(msr_wr(v17, 0x80b, 1) == -EINVAL);	 /* non-zero EOI */
	UNIT_CHECK(msr_wr(v17, 0x80f, 0x1ff) == 0);
	UNIT_CHECK(msr_rd(v17, 0x80f, &val) == 0 && val == 0x1ff);
	/* The xAPIC page of an x2APIC-mode APIC is gone. */
	UNIT_CHECK(rd(v17, 0xf0) == 0);
	/* SELF_IPI, and EOI by MSR. */
	UNIT_CHECK(msr_wr(v17, 0x83f, 0x77) == 0);
	UNIT_CHECK(take(v17) == 0x77);
	UNIT_CHECK(msr_rd(v17, 0x813, &val) == 0 && (val & (1u << 23)));
	UNIT_CHECK(msr_wr(v17, 0x80b, 0) == 0);
	UNIT_CHECK(msr_rd(v17, 0x813, &val) == 0 && val == 0);
	/* ICR is one 64-bit MSR: destination in the high half. */
	UNIT_CHECK(msr_wr(v, 0x80f, 0x1ff) == 0);
	UNIT_CHECK(msr_wr(v, 0x830, 17ull << 32 | 0x66) == 0);
	UNIT_CHECK(take(v17) == 0x66);
	UNIT_CHECK(msr_wr(v17, 0x80b, 0) == 0);
	UNIT_CHECK(msr_rd(v, 0x830, &val) == 0 && val == (17ull << 32 | 0x66));
	/* Logical x2APIC: cluster 1, bit 1 (ID 17). */
	UNIT_CHECK(msr_wr(v, 0x830, (1ull << 16 | 2) << 32 | 0x800 | 0x67) ==
		   0);
	UNIT_CHECK(take(v17) == 0x67);
	UNIT_CHECK(msr_wr(v17, 0x80b, 0) == 0);
	UNIT_CHECK(msr_rd(v, 0x831, &val) == -EINVAL);
	/* Timer registers by MSR. */
	UNIT_CHECK(msr_wr(v17, 0x83e, 0xb) == 0);
	UNIT_CHECK(msr_wr(v17, 0x832, 0x68) == 0);
	UNIT_CHECK(msr_wr(v17, 0x838, 500) == 0);
	UNIT_CHECK(msr_rd(v17, 0x839, &val) == 0 && val == 500);
	now_ns += 500 * 40;
	UNIT_CHECK(pending(v17) == 0x68);
}

UNIT_TEST(ipis_shorthands_init_sipi)
{
	struct vcpu *v = setup(3);

	for (unsigned int i = 0; i < 3; i++)
		enable(&vm->vcpus[i]);
	/* Self. */
	wr(v, 0x300, 0x40000 | 0x45);
	UNIT_CHECK(take(v) == 0x45);
	wr(v, 0xb0, 0);
	/* All excluding self. */
	wr(v, 0x300, 0xc0000 | 0x46);
	UNIT_CHECK(pending(v) == -1);
	UNIT_CHECK(take(&vm->vcpus[1]) == 0x46 && take(&vm->vcpus[2]) == 0x46);
	wr(&vm->vcpus[2], 0xb0, 0);
	UNIT_CHECK(kicks[1] >= 1 && kicks[2] >= 1);
	/* All including self. */
	wr(v, 0x300, 0x80000 | 0x47);
	UNIT_CHECK(take(v) == 0x47 && take(&vm->vcpus[2]) == 0x47);
	/* Physical destination 2. */
	wr(v, 0x310, 2u << 24);
	wr(v, 0x300, 0x48);
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1); /* 0x46 in service */
	UNIT_CHECK(rd(&vm->vcpus[2], 0x200 + 0x20) & (1u << 8));
	/* Delivery status reads idle. */
	UNIT_CHECK(!(rd(v, 0x300) & (1u << 12)));
	/* INIT assert, INIT level de-assert (nothing), SIPI 0x9a. */
	wr(v, 0x300, 0xc4500);
	UNIT_CHECK(inits[1] == 1 && inits[2] == 1 && inits[0] == 0);
	wr(v, 0x300, 0xc8500);
	UNIT_CHECK(inits[1] == 1);
	wr(v, 0x310, 1u << 24);
	wr(v, 0x300, 0x469a);
	UNIT_CHECK(sipis[1] == 1 && sipi_vec[1] == 0x9a && sipis[2] == 0);
	/* NMI by IPI. */
	wr(v, 0x300, 0x400);
	UNIT_CHECK(pending(&vm->vcpus[1]) == VM_IRQCHIP_NMI);
	/* irqchip INIT: back to the reset state (APs: masked, disabled). */
	vlapic_irqchip.init(&vm->vcpus[1]);
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1);
	UNIT_CHECK(rd(&vm->vcpus[1], 0xf0) == 0xff);
}

UNIT_TEST(msi_and_extint)
{
	struct vcpu *v = setup(2);

	enable(&vm->vcpus[1]);
	/* MSI: physical destination 1, vector 0x55. */
	vlapic_msi(vm, 0xfee01000, 0x55);
	UNIT_CHECK(take(&vm->vcpus[1]) == 0x55);
	vlapic_msi(vm, 0x12345000, 0x56); /* not an MSI address: dropped */
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1);
	/* LINT0 ExtINT: the vPIC's vector, acknowledged once, above PPR. */
	pic_out = true;
	pic_vec = 0x08 + 0x20;
	wr(v, 0x80, 0xf0); /* TPR does not hold ExtINT back */
	vlapic_extint_changed(vm);
	UNIT_CHECK(kicks[0] == 1);
	UNIT_CHECK(pending(v) == 0x28);
	UNIT_CHECK(pending(v) == 0x28 && pic_acks == 1);
	vlapic_irqchip.ack(v, 0x28);
	UNIT_CHECK(pending(v) == -1 && pic_acks == 1);
	UNIT_CHECK(rd(v, 0x100 + 0x10) == 0); /* not in ISR */
	/* Masked LINT0: the PIC is not asked. */
	wr(v, 0x350, 0x10700);
	pic_out = true;
	UNIT_CHECK(pending(v) == -1 && pic_acks == 1);
}

static uint64_t plat_due;
static int plat_polls;

/* The platform's timers as vdev/vplat.c offers them: "IRQ 0" on vector
 * 0x30 every millisecond from plat_due on. */
void vplat_timers_poll(struct vm *m)
{
	plat_polls++;
	if (plat_due && now_ns >= plat_due) {
		vlapic_deliver(m, 0, false, 0, 0x30, false);
		plat_due += 1000000;
	}
}

uint64_t vplat_timers_deadline(struct vm *m)
{
	return plat_due;
}

UNIT_TEST(platform_timers_on_vcpu0)
{
	struct vcpu *v = setup(2);

	plat_due = now_ns + 5000;
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == plat_due);
	/* The LAPIC timer, when earlier, wins. */
	wr(v, 0x3e0, 0xb);
	wr(v, 0x320, 0x40);
	wr(v, 0x380, 25); /* 1 us */
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == now_ns + 1000);
	/* Only vCPU 0 polls and waits for them. */
	plat_polls = 0;
	UNIT_CHECK(vlapic_irqchip.next_deadline(&vm->vcpus[1]) == 0);
	UNIT_CHECK(pending(&vm->vcpus[1]) == -1 && plat_polls == 0);
	now_ns += 5000;
	UNIT_CHECK(take(v) == 0x40);
	UNIT_CHECK(plat_polls == 1);
	UNIT_CHECK(rd(v, 0x200 + 0x10) & (1u << 16)); /* 0x30 came too */
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == now_ns + 1000000);
	plat_due = 0;
	UNIT_CHECK(vlapic_irqchip.next_deadline(v) == 0);
}

/* Nonsense from a guest: random registers, MSRs, messages and time
 * jumps. Nothing crashes (ASan/UBSan watch), no vector below 16 ever
 * becomes pending or in service, and the run loop's view stays sane. */
UNIT_TEST(hostile_guest_random_writes)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int taken = 0;
	setup(3);

	for (int i = 0; i < 200000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		struct vcpu *t = &vm->vcpus[seed % 3];
		uint32_t val = (uint32_t)(seed >> 16);
		uint64_t v64;
		switch ((seed >> 8) % 8) {
		case 0:
		case 1:
			wr(t, (seed >> 20) & 0x3f0, val);
			break;
		case 2:
			rd(t, (seed >> 20) & 0xfff);
			break;
		case 3:
			msr_wr(t, 0x800 + ((seed >> 24) & 0xff),
			       (seed >> 40) & 1 ? seed : val);
			break;
		case 4:
			msr_wr(t, (seed >> 30) & 1 ? 0x1b : 0x6e0, seed >> 3);
			msr_rd(t, 0x800 + ((seed >> 24) & 0xff), &v64);
			break;
		case 5:
			vlapic_deliver(vm, val & 0xff, val & 0x100,
				       (val >> 9) & 7, (uint8_t)(val >> 12),
				       val & (1u << 20));
			vlapic_msi(vm, 0xfee00000 | (seed & 0xffffc), val);
			break;
		case 6:
			now_ns += seed % 3000000;
			break;
		default: {
			int vec = take(t);
			UNIT_CHECK(vec == -1 || vec == VM_IRQCHIP_NMI ||
				   (vec >= 16 && vec < 256));
			taken += vec >= 0;
			if ((seed >> 50) & 1)
				wr(t, 0xb0, 0);
		}
		}
		struct vlapic *l = t->vlapic;
		UNIT_CHECK(!(l->irr[0] & 0xffff) && !(l->isr[0] & 0xffff));
	}
	UNIT_CHECK(taken > 1000); /* the run did deliver interrupts */
}
