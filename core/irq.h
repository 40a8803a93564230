/* SPDX-License-Identifier: MIT */
/*
 * Interrupt vectors 32-255: a handler table the interrupt controllers and
 * drivers fill. Vectors 32-47 stay unused (a stray 8259 interrupt lands
 * there), 48-239 are allocatable, 240-255 are fixed below.
 */
#ifndef KEEL_CORE_IRQ_H
#define KEEL_CORE_IRQ_H

#include "core/trap.h"

#define IRQ_VECTOR_FIRST_DYNAMIC 48
#define IRQ_VECTOR_LAST_DYNAMIC 239
#define IRQ_VECTOR_TIMER 240	   /* per-CPU LAPIC timer */
#define IRQ_VECTOR_IPI_RESCHED 241 /* run the scheduler */
#define IRQ_VECTOR_IPI_CALL 242	   /* run a function on another CPU */
#define IRQ_VECTOR_IPI_STOP 243	   /* panic: halt this CPU */
#define IRQ_VECTOR_SPURIOUS 255	   /* LAPIC spurious: no EOI */

typedef void (*irq_fn)(struct trap_frame *f, void *arg);

/* Install @fn for a fixed @vector. Returns 0, -EINVAL or -EBUSY. */
int irq_register(unsigned int vector, irq_fn fn, void *arg);
/* Take a free dynamic vector for @fn. Returns it, or -ENOSPC. */
int irq_alloc(irq_fn fn, void *arg);
void irq_free(unsigned int vector);
/* The interrupt controller's end-of-interrupt, called after each handler. */
void irq_set_eoi(void (*eoi)(void));
void irq_dispatch(struct trap_frame *f);

/*
 * Host-built unit tests (KEEL_HOST_TEST) run kernel logic in user mode,
 * where cli/sti fault: there these are no-ops.
 */
#ifdef KEEL_HOST_TEST
static inline void irq_enable(void) {}
static inline void irq_disable(void) {}
static inline uint64_t irq_save(void)
{
	return 0;
}
static inline void irq_restore(uint64_t flags) {}
#else
static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/* Disable interrupts and return the previous RFLAGS, for irq_restore(). */
static inline uint64_t irq_save(void)
{
	uint64_t flags;

	asm volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & (1u << 9))
		asm volatile("sti" ::: "memory");
}
#endif

#endif
