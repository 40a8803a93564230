/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of each CPU (Intel SDM vol. 3A chapter 11, "Advanced
 * Programmable Interrupt Controller"): x2APIC MSRs where CPUID offers them,
 * xAPIC MMIO otherwise; inter-processor interrupts and the per-CPU one-shot
 * timer on IRQ_VECTOR_TIMER. The boot CPU is set up at INIT_IRQCHIP, its
 * timer at INIT_TIMER; each application processor calls lapic_init_cpu().
 */
#ifndef KEEL_DRIVERS_LAPIC_H
#define KEEL_DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Enable and program this CPU's local APIC in the mode the boot CPU chose,
 * timer included once INIT_TIMER has calibrated it. Interrupts stay
 * disabled (RFLAGS.IF untouched). Called by every AP on its own stack.
 */
void lapic_init_cpu(void);
/* This CPU's (x2)APIC ID. */
uint32_t lapic_id(void);
/* Whether the local APICs run in x2APIC mode (32-bit IDs, MSR access). */
bool lapic_x2apic(void);

/*
 * Inter-processor interrupts, physical destination. Each returns 0,
 * -EINVAL (vector < 32, or an ID above 255 in xAPIC mode) or -ETIMEDOUT
 * (xAPIC: the previous IPI never left, ICR delivery status stayed busy).
 */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector);
int lapic_send_ipi_self(uint8_t vector);
int lapic_send_ipi_all_but_self(uint8_t vector);
/* NMI to every other CPU: reaches them with interrupts disabled (panic). */
int lapic_send_nmi_all_but_self(void);
/*
 * INIT and STARTUP IPIs for AP bring-up (SDM vol. 3A 9.4.4.1): send INIT,
 * wait 10 ms, send SIPI, wait 200 us, send SIPI again. The waits are the
 * caller's (time_delay_ns). @page is the 4 KiB page number of the
 * real-mode entry point, below 1 MiB: -EINVAL otherwise.
 */
int lapic_send_init(uint32_t apic_id);
int lapic_send_sipi(uint32_t apic_id, uint32_t page);

/*
 * The per-CPU timer. Arm this CPU's timer to fire once at @deadline_ns
 * (absolute, in time_ns() units); a deadline already past fires at once;
 * 0 disarms. Re-arming replaces the previous deadline. Without
 * TSC-deadline mode the 32-bit count limits how far ahead one arming
 * reaches (lapic_timer_max_ns()): a later deadline fires at that limit,
 * early, and the handler re-arms.
 */
void lapic_timer_arm_ns(uint64_t deadline_ns);
/*
 * @fn runs from the timer interrupt on the CPU whose timer fired, with
 * interrupts disabled; it re-arms if it wants another. Returns the handler
 * it replaces (the self-test borrows the timer and gives it back).
 */
typedef void (*lapic_timer_fn)(void);
lapic_timer_fn lapic_timer_set_handler(lapic_timer_fn fn);
bool lapic_timer_tsc_deadline(void);
/* The farthest one arming reaches, in ns (UINT64_MAX in TSC-deadline mode). */
uint64_t lapic_timer_max_ns(void);
/* The timer's input clock after the divider (one-shot mode), or 0. */
uint64_t lapic_timer_hz(void);

/*
 * LVT value for a MADT Local APIC NMI entry (ACPI 6.4 5.2.12.7): NMI
 * delivery, polarity from the MPS INTI flags; NMI is always edge
 * triggered (SDM vol. 3A 11.5.1). Pure, unit-tested.
 */
uint32_t lapic_lvt_nmi(uint16_t inti_flags);

#endif
