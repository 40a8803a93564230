/* SPDX-License-Identifier: MIT */
/*
 * Initcalls: a room registers its start-up function here instead of core
 * calling it by name, so core/ stays ignorant of drivers and libraries
 * (ARCHITECTURE.md section 1: dependencies point down, never back).
 * Levels run in order; within a level, in link order.
 */
#ifndef KEEL_CORE_INIT_H
#define KEEL_CORE_INIT_H

/*
 * Plain numbers: they become part of the section name. Entries carry an
 * explicit aligned(8) because GCC would otherwise align 24-byte objects to
 * 16 and leave holes in the table the linker concatenates.
 */
#define INIT_EARLY_CONSOLE 0 /* serial: needs no memory map or paging */
#define INIT_CONSOLE 1	/* screens: VGA text, framebuffer */
#define INIT_CPU 2	/* CPU feature probes (vmx/, svm/) */
#define INIT_PLATFORM 3 /* firmware tables (ACPI) */
#define INIT_IRQCHIP 4	/* PIC masked, LAPIC, IOAPIC */
#define INIT_TIMER 5	/* HPET, TSC calibration, LAPIC timer */
#define INIT_SMP 6	/* application processors */
#define INIT_LIBS 7	/* third-party libraries come alive */
#define INIT_LATE 9	/* self-test mode runs here */

typedef void (*init_fn)(void);

struct init_call {
	init_fn fn;
	const char *name;
	int level;
};

#define INIT_STR2(x) #x
#define INIT_STR(x) INIT_STR2(x)
#define KEEL_INIT(level, fn)                                                  \
	static const struct init_call __initcall_##fn                         \
		__attribute__((used, aligned(8),                      \
			       section(".initcall." INIT_STR(level)))) =  \
			{ fn, #fn, level }

void init_run_level(int level);

#endif
