/* SPDX-License-Identifier: MIT */
/*
 * The PC's pair of 8259A interrupt controllers (Intel 8259A datasheet,
 * order no. 231468), master at 0x20, slave at 0xa0 cascaded on the
 * master's IR2, with the PIIX edge/level control registers (ELCR) at
 * 0x4d0/0x4d1. vdev/vplat.h declares the entry points other models use
 * (vpic_set_irq, vpic_int_output, vpic_intack); this header adds the
 * constructor and what the unit tests look at.
 */
#ifndef KEEL_VDEV_VPIC_H
#define KEEL_VDEV_VPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

struct vm;

/* One 8259A. */
struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;	   /* input pin levels (edge detection) */
	uint8_t elcr;	   /* 1 = level-triggered pin (PIIX ELCR) */
	uint8_t elcr_mask; /* ELCR bits the guest may set */
	uint8_t base;	   /* ICW2: vector of IR0 */
	uint8_t icw3;
	uint8_t lowest;	   /* the pin with the lowest priority (rotation) */
	uint8_t init_step; /* 0 ready; 2, 3, 4: ICW expected next */
	bool icw4_needed, single, ltim;
	bool auto_eoi, rotate_aeoi, sfnm, special_mask;
	bool cascade_master; /* IR2 is the slave's INT */
	bool read_isr;	     /* OCW3 RR/RIS: the command port reads ISR */
	bool poll;	     /* OCW3 P: the next read is a poll */
};

struct vpic {
	struct vm *vm;
	struct spinlock lock;
	struct vpic_chip chip[2]; /* master, slave */
	bool int_out;		  /* last INT level told to the LAPIC */
};

struct vpic *vpic_create(struct vm *vm);
void vpic_destroy(struct vpic *pic);

#endif
