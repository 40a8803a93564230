/* SPDX-License-Identifier: MIT */
/*
 * Turning the host off and restarting it, with what the firmware's ACPI
 * tables describe (core/acpi.h) and the PC's legacy fallbacks. Both are
 * the last thing the kernel does: they do not return. See docs/acpi.md.
 */
#ifndef KEEL_CORE_POWER_H
#define KEEL_CORE_POWER_H

/*
 * Reset the machine: the FADT reset register when the firmware supports
 * it, then the keyboard controller (0xfe to port 0x64), then a triple
 * fault. Each step is logged before it is tried.
 */
__attribute__((noreturn)) void power_reboot(void);

/*
 * Soft-off (ACPI S5): put the platform in ACPI mode if it is not, then
 * write SLP_TYP from \_S5_ with SLP_EN to the PM1 control registers (or
 * the sleep control register on HW-reduced platforms). If the machine is
 * still running after that, log why and halt this CPU.
 */
__attribute__((noreturn)) void power_off(void);

#endif
