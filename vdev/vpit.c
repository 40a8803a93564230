// SPDX-License-Identifier: MIT
/*
 * The 8254 (vdev/vpit.h). Mode names and rules are the 82C54
 * datasheet's ("Mode 0: interrupt on terminal count" ... "Mode 5:
 * hardware triggered strobe", "Read-back command", "Counter latch
 * command", table "Gate pin operations summary").
 *
 * A channel is a start time plus the ticks it had counted before (a
 * gate that goes low in mode 0 or 4 pauses it); the count and OUT at
 * any moment follow from the elapsed ticks. Deviations, none of which a
 * PC operating system relies on: counting starts at the write itself
 * rather than at the next CLK edge, and a count rewritten in mode 2 or
 * 3 without a control word takes effect at once instead of at the end
 * of the current period.
 */
#include "vdev/vpit.h"

#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vplat.h"

/* Ticks of a VPIT_HZ clock in @ns, rounded down, without overflow. */
static uint64_t vpit_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * VPIT_HZ +
	       ns % NSEC_PER_SEC * VPIT_HZ / NSEC_PER_SEC;
}

/* Nanoseconds until tick @t has come, rounded up. */
static uint64_t vpit_ns(uint64_t t)
{
	return t / VPIT_HZ * NSEC_PER_SEC +
	       (t % VPIT_HZ * NSEC_PER_SEC + VPIT_HZ - 1) / VPIT_HZ;
}

static unsigned int vpit_from_bcd(uint16_t v)
{
	return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 +
	       (v >> 4 & 15) * 10 + (v & 15);
}

static uint16_t vpit_to_bcd(unsigned int v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
			  (v / 10 % 10) << 4 | v % 10);
}

/* The initial count N; 0 is the largest (2^16, or 10^4 in BCD). */
static uint64_t vpit_n(const struct vpit_chan *c)
{
	unsigned int n = c->bcd ? vpit_from_bcd(c->reload) : c->reload;

	if (!n)
		n = c->bcd ? 10000 : 0x10000;
	return n;
}

static uint64_t vpit_elapsed(const struct vpit_chan *c, uint64_t now)
{
	if (!c->running)
		return c->base_ticks;
	return c->base_ticks + vpit_ticks(now - c->start_ns);
}

/* The counting element after @e ticks of a count of @n (binary). */
static uint64_t vpit_value(const struct vpit_chan *c, uint64_t n, uint64_t e)
{
	uint64_t wrap = c->bcd ? 10000 : 0x10000, p, half;

	switch (c->mode) {
	case 2:
		return n - e % n;
	case 3: /* decrements by two: each half period counts N down */
		half = (n + 1) / 2;
		p = e % n;
		p = p < half ? p : p - half;
		return 2 * p + 2 > n ? 2 : n - 2 * p;
	default: /* 0, 1, 4, 5: count down through zero and wrap */
		return (n + wrap - e % wrap) % wrap;
	}
}

/* OUT after @e ticks ("Mode 0" ... "Mode 5" waveforms). */
static bool vpit_out_at(const struct vpit_chan *c, uint64_t n, uint64_t e)
{
	switch (c->mode) {
	case 0:
		return c->armed && e >= n;
	case 1:
		return !c->triggered || e >= n;
	case 2:
		return !c->running || n < 2 || e % n != n - 1;
	case 3:
		return !c->running || e % n < (n + 1) / 2;
	default: /* 4, 5: low for the one clock at terminal count */
		return !c->armed || (c->mode == 5 && !c->triggered) || e != n;
	}
}

static bool vpit_out(const struct vpit_chan *c, uint64_t now)
{
	return vpit_out_at(c, vpit_n(c), vpit_elapsed(c, now));
}

/* Rising edges of OUT in the first @e ticks of this run. */
static uint64_t vpit_edges(const struct vpit_chan *c, uint64_t n, uint64_t e)
{
	if (!c->armed || ((c->mode == 1 || c->mode == 5) && !c->triggered))
		return 0;
	switch (c->mode) {
	case 2:
	case 3:
		return c->running ? e / n : 0;
	case 0:
	case 1:
		return e >= n;
	default:
		return e >= n + 1;
	}
}

/* The tick of edge number @k (1-based) of this run, 0 if never. */
static uint64_t vpit_edge_tick(const struct vpit_chan *c, uint64_t n,
			       uint64_t k)
{
	switch (c->mode) {
	case 2:
	case 3:
		return k * n;
	case 0:
	case 1:
		return k == 1 ? n : 0;
	default:
		return k == 1 ? n + 1 : 0;
	}
}

static uint16_t vpit_count(const struct vpit_chan *c, uint64_t now)
{
	uint64_t v;

	if (!c->armed)
		return c->reload;
	if ((c->mode == 2 || c->mode == 3) && !c->running)
		v = vpit_n(c);
	else
		v = vpit_value(c, vpit_n(c), vpit_elapsed(c, now));
	if (c->bcd)
		return vpit_to_bcd((unsigned int)(v % 10000));
	return (uint16_t)v;
}

static void vpit_start(struct vpit_chan *c, uint64_t now)
{
	c->start_ns = now;
	c->base_ticks = 0;
	c->edges = 0;
	c->running = true;
}

/* A new count is in the count register ("Write operations"). */
static void vpit_load(struct vpit_chan *c, uint64_t now)
{
	c->armed = true;
	c->null_count = true;
	c->edges = 0;
	if (c->mode == 1 || c->mode == 5) {
		if (!c->triggered)
			return; /* waits for a gate trigger */
		vpit_start(c, now);
		return;
	}
	vpit_start(c, now);
	c->running = c->gate; /* modes 2 and 3 wait for the gate too */
}

/* "Gate pin operations summary". */
static void vpit_set_gate(struct vpit_chan *c, bool gate, uint64_t now)
{
	bool rise = gate && !c->gate;

	if (gate == c->gate)
		return;
	switch (c->mode) {
	case 0:
	case 4: /* level: low disables counting */
		if (!c->armed)
			break;
		if (!gate) {
			c->base_ticks = vpit_elapsed(c, now);
			c->running = false;
		} else {
			c->start_ns = now;
			c->running = true;
		}
		break;
	case 1:
	case 5: /* rising edge (re)triggers */
		if (rise && c->armed) {
			c->triggered = true;
			vpit_start(c, now);
		}
		break;
	default: /* 2, 3: low stops (OUT high), rising edge reloads */
		if (!c->armed)
			break;
		if (rise)
			vpit_start(c, now);
		else
			c->running = false;
		break;
	}
	c->gate = gate;
}

static void vpit_latch_count(struct vpit_chan *c, uint64_t now)
{
	if (c->count_latched)
		return; /* the first latch holds until read */
	c->latch = vpit_count(c, now);
	c->count_latched = true;
	c->read_msb = false;
}

static void vpit_latch_status(struct vpit_chan *c, uint64_t now)
{
	bool null = c->null_count;

	if (c->status_latched)
		return;
	/* Null count clears once the count has reached the counting
	 * element, one CLK after the write. */
	if (c->armed && c->running && vpit_elapsed(c, now) >= 1)
		null = c->null_count = false;
	c->status = (uint8_t)(vpit_out(c, now) << 7 | null << 6 | c->rw << 4 |
			      c->mode << 1 | c->bcd);
	c->status_latched = true;
}

static void vpit_control(struct vpit *pit, uint8_t val, uint64_t now)
{
	unsigned int sc = val >> 6, rw = (val >> 4) & 3;
	struct vpit_chan *c;

	if (sc == 3) { /* read-back: bit 5 COUNT#, bit 4 STATUS#, 3:1 CNTs */
		for (unsigned int i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & 0x10))
				vpit_latch_status(&pit->ch[i], now);
			if (!(val & 0x20))
				vpit_latch_count(&pit->ch[i], now);
		}
		return;
	}
	c = &pit->ch[sc];
	if (!rw) {
		vpit_latch_count(c, now);
		return;
	}
	c->rw = rw;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 110 and 111 are modes 2 and 3 */
	c->bcd = val & 1;
	c->write_msb = false;
	c->read_msb = false;
	c->armed = false;
	c->triggered = false;
	c->running = false;
	c->null_count = true;
	c->edges = 0;
}

static void vpit_write(struct vpit_chan *c, uint8_t b, uint64_t now)
{
	switch (c->rw) {
	case 1:
		c->reload = b;
		break;
	case 2:
		c->reload = (uint16_t)(b << 8);
		break;
	default:
		if (!c->write_msb) {
			c->lsb = b;
			c->write_msb = true;
			/* Mode 0: the first byte stops the count, OUT low. */
			if (c->mode == 0) {
				c->armed = false;
				c->running = false;
			}
			return;
		}
		c->write_msb = false;
		c->reload = (uint16_t)(c->lsb | b << 8);
		break;
	}
	vpit_load(c, now);
}

static uint8_t vpit_read(struct vpit_chan *c, uint64_t now)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : vpit_count(c, now);
	switch (c->rw) {
	case 1:
		msb = false;
		c->count_latched = false;
		break;
	case 2:
		msb = true;
		c->count_latched = false;
		break;
	default:
		msb = c->read_msb;
		c->read_msb = !msb;
		if (msb)
			c->count_latched = false;
		break;
	}
	return msb ? v >> 8 : v & 0xff;
}

/* Channel 0 drives IRQ 0: one pulse per rising edge of OUT that is due
 * (several due at once are one interrupt, as a late ISA edge would be). */
static void vpit_poll_locked(struct vpit *pit, uint64_t now)
{
	struct vpit_chan *c = &pit->ch[0];
	uint64_t due;

	due = vpit_edges(c, vpit_n(c), vpit_elapsed(c, now));
	if (due <= c->edges)
		return;
	c->edges = due;
	vplat_isa_irq(pit->vm, 0, true);
	vplat_isa_irq(pit->vm, 0, false);
}

void vpit_poll(struct vpit *pit)
{
	if (!pit)
		return;
	spin_lock(&pit->lock);
	vpit_poll_locked(pit, time_ns());
	spin_unlock(&pit->lock);
}

uint64_t vpit_next_deadline(struct vpit *pit)
{
	struct vpit_chan *c;
	uint64_t t, dl = 0;

	if (!pit)
		return 0;
	spin_lock(&pit->lock);
	c = &pit->ch[0];
	if (c->armed && c->running &&
	    ((c->mode != 1 && c->mode != 5) || c->triggered)) {
		t = vpit_edge_tick(c, vpit_n(c), c->edges + 1);
		if (t && t > c->base_ticks)
			dl = c->start_ns + vpit_ns(t - c->base_ticks);
		else if (t)
			dl = c->start_ns;
	}
	spin_unlock(&pit->lock);
	return dl;
}

/* Port 0x61 (PC/AT "port B"): bit 4 toggles with the DRAM refresh
 * (every 15.085 us), bit 5 is OUT2, bits 0-3 read back. */
static uint8_t vpit_port61(struct vpit *pit, uint64_t now)
{
	uint8_t v = pit->port61 & 0x0f;

	if ((now / 15085) & 1)
		v |= 0x10;
	if (vpit_out(&pit->ch[2], now))
		v |= 0x20;
	return v;
}

static int vpit_io(struct vcpu *v, uint64_t addr, unsigned int size, bool write,
		   uint64_t *data, void *opaque)
{
	struct vpit *pit = opaque;
	uint64_t now = time_ns(), val = write ? *data : 0;

	spin_lock(&pit->lock);
	for (unsigned int i = 0; i < size && i < 8; i++) {
		uint16_t port = (uint16_t)(addr + i);
		uint8_t b = val >> (8 * i);

		if (port == VPLAT_PORT61) {
			if (write) {
				pit->port61 = b & 0x0f;
				vpit_set_gate(&pit->ch[2], b & 1, now);
			} else {
				b = vpit_port61(pit, now);
			}
		} else if (port == VPLAT_PIT + 3) {
			if (write)
				vpit_control(pit, b, now);
			else
				b = 0xff; /* the control word is write-only */
		} else if (port >= VPLAT_PIT && port < VPLAT_PIT + 3) {
			struct vpit_chan *c = &pit->ch[port - VPLAT_PIT];

			if (write)
				vpit_write(c, b, now);
			else
				b = vpit_read(c, now);
		}
		if (!write)
			val |= (uint64_t)b << (8 * i);
	}
	vpit_poll_locked(pit, now);
	spin_unlock(&pit->lock);
	if (!write)
		*data = val;
	return 0;
}

struct vpit *vpit_create(struct vm *vm)
{
	struct vpit *pit = calloc(1, sizeof(*pit));

	if (!pit)
		return NULL;
	pit->vm = vm;
	for (unsigned int i = 0; i < 3; i++) {
		pit->ch[i].rw = 3;
		pit->ch[i].gate = i != 2; /* channel 2's gate is port 0x61 */
	}
	if (iobus_register_pio(vm, VPLAT_PIT, 4, vpit_io, pit) ||
	    iobus_register_pio(vm, VPLAT_PORT61, 1, vpit_io, pit)) {
		log_err("vpit: cannot claim ports 0x40-0x43, 0x61");
		free(pit);
		return NULL;
	}
	return pit;
}

void vpit_destroy(struct vpit *pit)
{
	free(pit);
}
