/* SPDX-License-Identifier: MIT */
/*
 * The in-image self-test (ARCHITECTURE.md section 8): with `keel.selftest`
 * on the kernel command line, Keel runs every test registered here after
 * the rest of the boot (INIT_LATE), prints one line per test and a total,
 * and powers off. Without the option nothing here runs. docs/acpi.md
 * describes the contract; system tests rely on its exact lines:
 *
 *   selftest: PASS name
 *   selftest: FAIL name
 *   selftest: N passed, N failed
 *
 * Any room registers a test, the way it registers an initcall:
 *
 *   static int alloc_stress(void) { ...; return 0; }
 *   KEEL_SELFTEST(alloc_stress, alloc_stress);
 *
 * @name is a bare identifier (it becomes the printed name and part of a
 * symbol, so it is unique in the image); @fn returns 0 on pass or a
 * negative errno on failure, after logging what went wrong with log_err.
 * Tests run one after another on the boot CPU in link order, with
 * interrupts as INIT_LATE left them; a test cleans up after itself.
 */
#ifndef KEEL_CORE_SELFTEST_H
#define KEEL_CORE_SELFTEST_H

struct selftest {
	const char *name;
	int (*fn)(void);
};

/* aligned(8): the same table-without-holes trick as core/init.h. */
#define KEEL_SELFTEST(name, fn)                                             \
	static const struct selftest __selftest_##name                      \
		__attribute__((used, aligned(8),                            \
			       section(".rodata.selftest"))) = { #name, fn }

/*
 * Run every registered test and log the lines above. Returns the number
 * that failed. (keel.selftest calls this, then power_off().)
 */
int selftest_run_all(void);

#endif
