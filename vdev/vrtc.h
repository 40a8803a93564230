/* SPDX-License-Identifier: MIT */
/*
 * The MC146818 real-time clock and its CMOS RAM (Motorola MC146818A
 * datasheet) at ports 0x70 (index, bit 7 masks NMI) and 0x71 (data), on
 * ISA IRQ 8. The clock starts at the host's wall-clock time
 * (core/wallclock.h) and runs on time_ns(); flags and interrupts are
 * evaluated when looked at (port access, vrtc_poll). CMOS holds the
 * memory-size fields a BIOS and Linux's early code read, laid out as
 * QEMU and SeaBIOS do, and the century at 0x32 (FADT CENTURY).
 */
#ifndef KEEL_VDEV_VRTC_H
#define KEEL_VDEV_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

#define VRTC_CENTURY 0x32 /* CMOS index of the century (FADT CENTURY) */

/* Register indexes and bits (datasheet "Register A" ... "Register D"). */
#define VRTC_SEC 0x00
#define VRTC_SEC_ALARM 0x01
#define VRTC_MIN 0x02
#define VRTC_MIN_ALARM 0x03
#define VRTC_HOUR 0x04
#define VRTC_HOUR_ALARM 0x05
#define VRTC_WDAY 0x06
#define VRTC_MDAY 0x07
#define VRTC_MON 0x08
#define VRTC_YEAR 0x09
#define VRTC_A 0x0a
#define VRTC_B 0x0b
#define VRTC_C 0x0c
#define VRTC_D 0x0d
#define VRTC_A_UIP 0x80
#define VRTC_B_SET 0x80
#define VRTC_B_PIE 0x40
#define VRTC_B_AIE 0x20
#define VRTC_B_UIE 0x10
#define VRTC_B_DM 0x04 /* binary, not BCD */
#define VRTC_B_24H 0x02
#define VRTC_C_IRQF 0x80
#define VRTC_C_PF 0x40
#define VRTC_C_AF 0x20
#define VRTC_C_UF 0x10
#define VRTC_UIP_NS 244000 /* UIP rises this long before the update */

struct vm;

struct vrtc {
	struct vm *vm;
	struct spinlock lock;
	uint8_t cmos[128]; /* 0x00-0x09 hold the time only while SET */
	uint8_t index;
	bool nmi_masked;
	int64_t base_unix; /* the clock read base_unix at base_ns */
	uint64_t base_ns;
	uint64_t eval_ns; /* flags are up to date to here */
	bool irq;	  /* the level on IRQ 8 */
};

struct vrtc *vrtc_create(struct vm *vm);
void vrtc_destroy(struct vrtc *rtc);
/* CMOS memory fields: RAM below 4 GiB and above it, and the CPU count. */
void vrtc_set_memory(struct vrtc *rtc, uint64_t below_4g, uint64_t above_4g,
		     unsigned int vcpus);
/* Set the time (seconds since 1970). */
void vrtc_set_time(struct vrtc *rtc, int64_t unix_sec);
/* Raise the interrupts that are due; time_ns() of the next, 0 none. */
void vrtc_poll(struct vrtc *rtc);
uint64_t vrtc_next_deadline(struct vrtc *rtc);

#endif
