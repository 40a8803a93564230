// SPDX-License-Identifier: MIT
/*
 * The 8259A pair (vdev/vpic.h). Section names are the Intel 8259A
 * datasheet's ("Programming the 8259A": ICW1-4, OCW1-3; "Interrupt
 * sequence"; "The special mask mode"; "Poll command"; "Edge and level
 * triggered modes"). The ELCR at 0x4d0/0x4d1 is the PIIX's (82371AB
 * datasheet 4.1.11): IRQ 0, 1, 2, 8 and 13 are always edge-triggered.
 *
 * Priority is kept as the pin with the lowest priority (@lowest): the
 * one after it is the highest, so rotation is a single assignment.
 * Interrupt requests are latched in IRR as the datasheet says: an edge
 * pin on the rising edge (and kept until acknowledged, as devices here
 * pulse their line), a level pin while it is high.
 */
#include "vdev/vpic.h"

#include <errno.h>
#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/vm.h"
#include "vdev/vpit.h"
#include "vdev/vplat.h"

#define VPIC_CASCADE 2

/* The in-priority-order first pin set in @mask, or -1. */
static int vpic_first(const struct vpic_chip *c, uint8_t mask)
{
	for (unsigned int p = 0; p < 8; p++) {
		unsigned int irq = (c->lowest + 1 + p) & 7;

		if (mask & (1u << irq))
			return (int)irq;
	}
	return -1;
}

static unsigned int vpic_prio(const struct vpic_chip *c, unsigned int irq)
{
	return (irq - c->lowest - 1) & 7; /* 0 is the highest */
}

/* The master's IR2 follows the slave's INT as a level: the slave holds
 * INT until its INTA, and a latched edge there would only turn a request
 * withdrawn in between into a spurious IRQ 15. */
static bool vpic_is_level(const struct vpic_chip *c, unsigned int pin)
{
	return c->ltim || (c->elcr & (1u << pin)) ||
	       (c->cascade_master && pin == VPIC_CASCADE);
}

/*
 * The pin this chip would interrupt for now, or -1: the highest unmasked
 * request above the highest level in service. In special mask mode only
 * the mask and the in-service bit of the level itself hold a request
 * back ("The special mask mode"); in special fully nested mode the
 * master lets a slave request through while IR2 is in service.
 */
static int vpic_pending(const struct vpic_chip *c, bool master)
{
	uint8_t req = c->irr & ~c->imr, inserv = c->isr;
	int irq, cur;

	if (c->special_mask)
		return vpic_first(c, req & ~c->isr);
	irq = vpic_first(c, req);
	if (irq < 0)
		return -1;
	if (master && c->sfnm)
		inserv &= ~(1u << VPIC_CASCADE);
	cur = vpic_first(c, inserv);
	if (cur >= 0 && vpic_prio(c, irq) >= vpic_prio(c, cur))
		return -1;
	return irq;
}

static void vpic_pin(struct vpic_chip *c, unsigned int pin, bool level)
{
	uint8_t m = 1u << pin;

	if (vpic_is_level(c, pin)) {
		if (level)
			c->irr |= m;
		else
			c->irr &= ~m;
	} else if (level && !(c->lines & m)) {
		c->irr |= m;
	}
	if (level)
		c->lines |= m;
	else
		c->lines &= ~m;
}

/* The slave's INT drives the master's IR2; returns the master's INT. */
static bool vpic_update(struct vpic *pic)
{
	bool slave_int = vpic_pending(&pic->chip[1], false) >= 0;

	pic->chip[0].cascade_master = !pic->chip[0].single;
	if (!pic->chip[0].single)
		vpic_pin(&pic->chip[0], VPIC_CASCADE, slave_int);
	return vpic_pending(&pic->chip[0], true) >= 0;
}

/* Interrupt acknowledge on one chip: IRR -> ISR ("Interrupt sequence"). */
static void vpic_ack(struct vpic_chip *c, unsigned int irq)
{
	uint8_t m = 1u << irq;

	if (!c->auto_eoi)
		c->isr |= m;
	else if (c->rotate_aeoi)
		c->lowest = irq;
	if (!vpic_is_level(c, irq))
		c->irr &= ~m;
}

/* Tell vCPU 0's LINT0 when the master's INT changes; called unlocked. */
static void vpic_notify(struct vpic *pic, bool out, bool changed)
{
	if (changed)
		vlapic_extint_changed(pic->vm);
}

static bool vpic_commit(struct vpic *pic)
{
	bool out = vpic_update(pic), changed = out != pic->int_out;

	pic->int_out = out;
	return changed;
}

void vpic_set_irq(struct vpic *pic, unsigned int irq, bool level)
{
	bool changed;

	if (!pic || irq >= 16)
		return;
	spin_lock(&pic->lock);
	vpic_pin(&pic->chip[irq >> 3], irq & 7, level);
	changed = vpic_commit(pic);
	spin_unlock(&pic->lock);
	vpic_notify(pic, level, changed);
}

bool vpic_int_output(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);
	struct vpic *pic = plat ? plat->pic : NULL;
	bool out;

	if (!pic)
		return false;
	spin_lock(&pic->lock);
	out = vpic_update(pic);
	spin_unlock(&pic->lock);
	return out;
}

/*
 * The two INTA pulses: the master resolves its request; if it is the
 * cascade the slave supplies the vector. With nothing to give (the
 * request went away before INTA) the chip answers with IR7's vector, the
 * spurious interrupt Linux recognises by the clear ISR bit.
 */
int vpic_intack(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);
	struct vpic *pic = plat ? plat->pic : NULL;
	struct vpic_chip *m, *s;
	int irq, sirq, vec;
	bool changed;

	if (!pic)
		return -1;
	spin_lock(&pic->lock);
	m = &pic->chip[0];
	s = &pic->chip[1];
	vpic_update(pic);
	irq = vpic_pending(m, true);
	if (irq < 0) {
		vec = m->base + 7;
	} else {
		vpic_ack(m, irq);
		if (irq == VPIC_CASCADE && !m->single) {
			sirq = vpic_pending(s, false);
			if (sirq < 0) {
				vec = s->base + 7;
			} else {
				vpic_ack(s, sirq);
				vec = s->base + sirq;
			}
		} else {
			vec = m->base + irq;
		}
	}
	changed = vpic_commit(pic);
	spin_unlock(&pic->lock);
	vpic_notify(pic, false, changed);
	return vec;
}

/* OCW2: EOI and rotation commands (R, SL, EOI in bits 7:5). */
static void vpic_ocw2(struct vpic_chip *c, uint8_t val)
{
	unsigned int level = val & 7;
	int irq;

	switch (val >> 5) {
	case 0: /* clear rotate in automatic EOI mode */
		c->rotate_aeoi = false;
		break;
	case 4: /* set rotate in automatic EOI mode */
		c->rotate_aeoi = true;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		irq = vpic_first(c, c->isr);
		if (irq < 0)
			break;
		c->isr &= ~(1u << irq);
		if (val & 0x80)
			c->lowest = irq;
		break;
	case 3: /* specific EOI */
	case 7: /* rotate on specific EOI */
		c->isr &= ~(1u << level);
		if (val & 0x80)
			c->lowest = level;
		break;
	case 6: /* set priority: L is the lowest */
		c->lowest = level;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void vpic_icw1(struct vpic_chip *c, uint8_t val)
{
	uint8_t level_pins;

	c->icw4_needed = val & 0x01;
	c->single = val & 0x02;
	c->ltim = val & 0x08;
	/* ICW1 clears IMR and ISR, gives IR7 the lowest priority, resets
	 * special mask mode and selects IRR for status reads; ICW4's
	 * functions are zero until ICW4 says otherwise. The edge sense
	 * latch is reset, so an edge pin needs a fresh rising edge. */
	level_pins = c->ltim ? 0xff : c->elcr;
	c->irr = c->lines & level_pins;
	c->imr = 0;
	c->isr = 0;
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->auto_eoi = false;
	c->rotate_aeoi = false;
	c->sfnm = false;
	c->init_step = 2;
}

static void vpic_write(struct vpic_chip *c, unsigned int a0, uint8_t val)
{
	if (!a0) {
		if (val & 0x10)
			vpic_icw1(c, val);
		else if (val & 0x08) { /* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 0x01;
			if (val & 0x40)
				c->special_mask = val & 0x20;
		} else {
			vpic_ocw2(c, val);
		}
		return;
	}
	switch (c->init_step) {
	case 2: /* ICW2: T7-T3 of the vectors (8086 mode) */
		c->base = val & 0xf8;
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3: /* ICW3: cascade wiring; the board fixes it, stored only */
		c->icw3 = val;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4: /* ICW4: uPM (8086 assumed), AEOI, buffering, SFNM */
		c->auto_eoi = val & 0x02;
		c->sfnm = val & 0x10;
		c->init_step = 0;
		break;
	default: /* OCW1 */
		c->imr = val;
		break;
	}
}

/* The poll command: the read acknowledges like INTA ("Poll command"). */
static uint8_t vpic_poll_read(struct vpic_chip *c, bool master)
{
	int irq = vpic_pending(c, master);

	c->poll = false;
	if (irq < 0)
		return 0;
	vpic_ack(c, irq);
	return 0x80 | irq;
}

static uint8_t vpic_read(struct vpic_chip *c, unsigned int a0, bool master)
{
	if (c->poll)
		return vpic_poll_read(c, master);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void vpic_byte(struct vpic *pic, uint16_t port, bool write, uint8_t *b)
{
	struct vpic_chip *c;
	unsigned int i;

	if (port == VPLAT_ELCR || port == VPLAT_ELCR + 1) {
		c = &pic->chip[port - VPLAT_ELCR];
		if (!write) {
			*b = c->elcr;
			return;
		}
		c->elcr = *b & c->elcr_mask;
		/* Pins now level-triggered follow their line at once. */
		for (i = 0; i < 8; i++)
			if (vpic_is_level(c, i))
				vpic_pin(c, i, c->lines & (1u << i));
		return;
	}
	c = &pic->chip[(port & 0x80) ? 1 : 0];
	if (write)
		vpic_write(c, port & 1, *b);
	else
		*b = vpic_read(c, port & 1, c == &pic->chip[0]);
}

static int vpic_io(struct vcpu *v, uint64_t addr, unsigned int size, bool write,
		   uint64_t *data, void *opaque)
{
	struct vpic *pic = opaque;
	struct vplat *plat = vplat_of(pic->vm);
	uint64_t val = write ? *data : 0;
	bool changed;

	/* Lazy timers: a guest polling the PIC sees the ticks that are due
	 * (the run loop's deadline does this for a guest that does not). */
	if (plat && plat->pit)
		vpit_poll(plat->pit);
	spin_lock(&pic->lock);
	for (unsigned int i = 0; i < size && i < 8; i++) {
		uint8_t b = val >> (8 * i);

		vpic_byte(pic, (uint16_t)(addr + i), write, &b);
		if (!write)
			val |= (uint64_t)b << (8 * i);
	}
	changed = vpic_commit(pic);
	spin_unlock(&pic->lock);
	vpic_notify(pic, false, changed);
	if (!write)
		*data = val;
	return 0;
}

struct vpic *vpic_create(struct vm *vm)
{
	struct vpic *pic = calloc(1, sizeof(*pic));

	if (!pic)
		return NULL;
	pic->vm = vm;
	for (unsigned int i = 0; i < 2; i++) {
		pic->chip[i].lowest = 7;
		pic->chip[i].base = i ? 0x70 : 0x08; /* the BIOS's vectors */
	}
	/* PIIX: IRQ 0, 1, 2 (master) and 8, 13 (slave) are edge only. */
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
	if (iobus_register_pio(vm, VPLAT_PIC_MASTER, 2, vpic_io, pic) ||
	    iobus_register_pio(vm, VPLAT_PIC_SLAVE, 2, vpic_io, pic) ||
	    iobus_register_pio(vm, VPLAT_ELCR, 2, vpic_io, pic)) {
		log_err("vpic: cannot claim ports 0x20, 0xa0, 0x4d0");
		free(pic);
		return NULL;
	}
	return pic;
}

void vpic_destroy(struct vpic *pic)
{
	free(pic);
}
