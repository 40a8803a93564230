/* SPDX-License-Identifier: MIT */
/*
 * The 8254 programmable interval timer (Intel 82C54 datasheet, order no.
 * 231244) at ports 0x40-0x43, and port 0x61's timer bits (channel 2's
 * gate in bit 0, its output in bit 5, as on every PC since the AT).
 * Channel 0's output is ISA IRQ 0.
 *
 * There is no host timer behind it: a channel's state is computed from
 * time_ns() when something looks (a port access, vpit_poll), so channel
 * 2 counted against the guest's TSC (Linux's quick_pit_calibrate and
 * pit_calibrate_tsc) shows exactly 1193182 Hz. Channel 0's interrupts
 * are raised by vpit_poll, which the run loop calls before each guest
 * entry (through vplat_timers_poll) and at vpit_next_deadline.
 */
#ifndef KEEL_VDEV_VPIT_H
#define KEEL_VDEV_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

#define VPIT_HZ 1193182 /* 14.31818 MHz / 12 */

struct vm;

struct vpit_chan {
	uint8_t mode; /* 0-5 */
	uint8_t rw;   /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	uint16_t reload;	  /* the count register as written */
	uint8_t lsb;		  /* first byte of a two-byte write */
	bool write_msb, read_msb; /* the byte flip-flops */
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
	bool null_count;
	bool gate;
	bool armed;	   /* a count has been written since the control word */
	bool triggered;	   /* modes 1 and 5: a gate rising edge came */
	bool running;	   /* counting now */
	uint64_t start_ns; /* when the current run began */
	uint64_t base_ticks; /* ticks counted before it (gate pauses) */
	uint64_t edges;	     /* rising output edges already reported */
};

struct vpit {
	struct vm *vm;
	struct spinlock lock;
	struct vpit_chan ch[3];
	uint8_t port61; /* bits 0-3 as written */
};

struct vpit *vpit_create(struct vm *vm);
void vpit_destroy(struct vpit *pit);
/* Raise channel 0's interrupt if an output edge is due. Any thread. */
void vpit_poll(struct vpit *pit);
/* time_ns() of channel 0's next output edge, 0 if none is coming. */
uint64_t vpit_next_deadline(struct vpit *pit);

#endif
