// SPDX-License-Identifier: MIT
/*
 * The i8042 (vdev/vkbc.h). Commands and bits as in the IBM PC/AT
 * Technical Reference's keyboard controller section and the PS/2
 * keyboard command set (0xff reset -> 0xfa 0xaa, 0xf2 -> 0xfa 0xab 0x83).
 *
 * No auxiliary port: 0xd3 (write aux output buffer) returns its byte as
 * keyboard data, which Linux's i8042_check_aux takes as a failed loop
 * test, and 0xa9 (aux interface test) reports a stuck clock line (0x01),
 * so the probe decides "no mouse" without waiting for a timeout.
 */
#include "vdev/vkbc.h"

#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"
#include "vdev/vplat.h"

#define VKBC_ST_OBF 0x01
#define VKBC_ST_SYS 0x04
#define VKBC_ST_A2 0x08 /* the last write went to the command port */
#define VKBC_ST_UNLOCKED 0x10
#define VKBC_CTR_KBDINT 0x01
#define VKBC_CTR_SYS 0x04
#define VKBC_CTR_KBDDIS 0x10
#define VKBC_CTR_AUXDIS 0x20
#define VKBC_CTR_XLATE 0x40

static void vkbc_irq_update(struct vkbc *k)
{
	bool level = k->qlen && (k->ctr & VKBC_CTR_KBDINT);

	if (level != k->irq) {
		k->irq = level;
		vplat_isa_irq(k->vm, 1, level);
	}
}

static void vkbc_push(struct vkbc *k, uint8_t b)
{
	if (k->qlen == VKBC_QUEUE)
		return; /* overrun: the byte is lost, as on a real buffer */
	k->q[(k->qhead + k->qlen++) % VKBC_QUEUE] = b;
}

static uint8_t vkbc_pop(struct vkbc *k)
{
	uint8_t b;

	if (!k->qlen)
		return k->q[(k->qhead + VKBC_QUEUE - 1) % VKBC_QUEUE];
	b = k->q[k->qhead];
	k->qhead = (k->qhead + 1) % VKBC_QUEUE;
	k->qlen--;
	return b;
}

/* A byte to the keyboard: answer as a PS/2 keyboard would. */
static void vkbc_keyboard(struct vkbc *k, uint8_t b)
{
	if (k->kbd_cmd) { /* the parameter of 0xed, 0xf0, 0xf3 */
		uint8_t cmd = k->kbd_cmd;

		k->kbd_cmd = 0;
		vkbc_push(k, 0xfa);
		if (cmd == 0xf0 && b == 0)
			vkbc_push(k, 0x02); /* the current scan code set */
		return;
	}
	switch (b) {
	case 0xff: /* reset and self-test */
		vkbc_push(k, 0xfa);
		vkbc_push(k, 0xaa);
		break;
	case 0xf2: /* identify: an MF2 keyboard */
		vkbc_push(k, 0xfa);
		vkbc_push(k, 0xab);
		vkbc_push(k, 0x83);
		break;
	case 0xee: /* echo */
		vkbc_push(k, 0xee);
		break;
	case 0xed: /* LEDs, scan code set, typematic: a parameter follows */
	case 0xf0:
	case 0xf3:
		k->kbd_cmd = b;
		vkbc_push(k, 0xfa);
		break;
	default: /* enable, disable, set defaults, ...: acknowledged */
		vkbc_push(k, 0xfa);
		break;
	}
}

static void vkbc_command(struct vkbc *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20: /* read the command byte */
		vkbc_push(k, k->ctr);
		break;
	case 0x60: /* write the command byte: data follows */
	case 0xd1: /* write the output port */
	case 0xd2: /* write the keyboard output buffer */
	case 0xd3: /* write the aux output buffer */
	case 0xd4: /* write to the aux device */
		k->pending = cmd;
		break;
	case 0xa7:
		k->ctr |= VKBC_CTR_AUXDIS;
		break;
	case 0xa8:
		k->ctr &= ~VKBC_CTR_AUXDIS;
		break;
	case 0xa9: /* aux interface test: clock line stuck low */
		vkbc_push(k, 0x01);
		break;
	case 0xaa: /* controller self-test */
		k->status |= VKBC_ST_SYS;
		vkbc_push(k, 0x55);
		break;
	case 0xab: /* keyboard interface test: no error */
		vkbc_push(k, 0x00);
		break;
	case 0xad:
		k->ctr |= VKBC_CTR_KBDDIS;
		break;
	case 0xae:
		k->ctr &= ~VKBC_CTR_KBDDIS;
		break;
	case 0xc0: /* input port: keyboard not inhibited */
		vkbc_push(k, 0x80);
		break;
	case 0xd0: /* read the output port */
		vkbc_push(k, k->outport);
		break;
	default:
		/* 0xf0-0xff pulse output port bits 3-0 low for 6 us; bit 0
		 * is the CPU reset line (0xfe is the usual one). */
		if (cmd >= 0xf0 && !(cmd & 1))
			vplat_reset(k->vm, "keyboard controller reset");
		break;
	}
}

static void vkbc_data(struct vkbc *k, uint8_t b)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = b;
		if (b & VKBC_CTR_SYS)
			k->status |= VKBC_ST_SYS;
		else
			k->status &= ~VKBC_ST_SYS;
		break;
	case 0xd1:
		k->outport = b;
		if (!(b & 1))
			vplat_reset(k->vm, "keyboard controller output port");
		break;
	case 0xd2:
	case 0xd3:
		vkbc_push(k, b);
		break;
	case 0xd4:
		break; /* no aux device to hear it */
	default:
		k->ctr &= ~VKBC_CTR_KBDDIS; /* writing to it enables it */
		vkbc_keyboard(k, b);
		break;
	}
}

static int vkbc_io(struct vcpu *v, uint64_t addr, unsigned int size, bool write,
		   uint64_t *data, void *opaque)
{
	struct vkbc *k = opaque;
	uint8_t b = (uint8_t)*data;

	spin_lock(&k->lock);
	if (addr == VPLAT_KBC_CMD) {
		if (write) {
			k->status |= VKBC_ST_A2;
			vkbc_command(k, b);
		} else {
			b = k->status | VKBC_ST_UNLOCKED |
			    (k->qlen ? VKBC_ST_OBF : 0);
		}
	} else {
		if (write) {
			k->status &= ~VKBC_ST_A2;
			vkbc_data(k, b);
		} else {
			/* Lower IRQ 1 between bytes, so each is an edge. */
			b = vkbc_pop(k);
			if (k->irq) {
				k->irq = false;
				vplat_isa_irq(k->vm, 1, false);
			}
		}
	}
	vkbc_irq_update(k);
	spin_unlock(&k->lock);
	if (!write)
		*data = b | (size > 1 ? ~0ull << 8 : 0);
	return 0;
}

struct vkbc *vkbc_create(struct vm *vm)
{
	struct vkbc *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->vm = vm;
	/* As a BIOS leaves it: translation, keyboard interrupt, SYS. */
	k->ctr =
	    VKBC_CTR_XLATE | VKBC_CTR_SYS | VKBC_CTR_KBDINT | VKBC_CTR_AUXDIS;
	k->status = VKBC_ST_SYS;
	k->outport = 0x03; /* reset line high, A20 enabled */
	if (iobus_register_pio(vm, VPLAT_KBC_DATA, 1, vkbc_io, k) ||
	    iobus_register_pio(vm, VPLAT_KBC_CMD, 1, vkbc_io, k)) {
		log_err("vkbc: cannot claim ports 0x60, 0x64");
		free(k);
		return NULL;
	}
	return k;
}

void vkbc_destroy(struct vkbc *k)
{
	free(k);
}
