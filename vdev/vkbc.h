/* SPDX-License-Identifier: MIT */
/*
 * An i8042 keyboard controller at 0x60 (data) and 0x64 (status and
 * command), enough for Linux's i8042 and atkbd probes to finish at once
 * and for its reset line (command 0xfe, output port bit 0) to reset the
 * VM. A keyboard answers its commands but never types; there is no
 * auxiliary (mouse) port. IRQ 1 when the output buffer fills with the
 * interrupt enabled in the command byte.
 */
#ifndef KEEL_VDEV_VKBC_H
#define KEEL_VDEV_VKBC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

#define VKBC_QUEUE 16

struct vm;

struct vkbc {
	struct vm *vm;
	struct spinlock lock;
	uint8_t ctr;	 /* the command byte */
	uint8_t status;	 /* SYS and A2 bits */
	uint8_t pending; /* controller command waiting for its data byte */
	uint8_t kbd_cmd; /* keyboard command waiting for its parameter */
	uint8_t outport;
	uint8_t q[VKBC_QUEUE];
	unsigned int qhead, qlen;
	bool irq;
};

struct vkbc *vkbc_create(struct vm *vm);
void vkbc_destroy(struct vkbc *kbc);

#endif
