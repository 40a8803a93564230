/* SPDX-License-Identifier: MIT */
/*
 * A port bus for unit tests of one device model: iobus_register_pio
 * remembers the model's handler (the last registration wins; each model
 * registers one handler for all its ports), fake_out/fake_in make byte
 * accesses through it as a guest's OUT/IN would.
 */
#ifndef KEEL_TESTS_FAKE_PIO_H
#define KEEL_TESTS_FAKE_PIO_H

#include <stdint.h>

#include "core/iobus.h"

static iobus_fn bus_fn;
static void *bus_opaque;

int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque)
{
	bus_fn = fn;
	bus_opaque = opaque;
	return 0;
}

static inline void fake_out(uint16_t port, uint8_t v)
{
	uint64_t d = v;

	bus_fn(NULL, port, 1, true, &d, bus_opaque);
}

static inline uint8_t fake_in(uint16_t port)
{
	uint64_t d = 0;

	bus_fn(NULL, port, 1, false, &d, bus_opaque);
	return (uint8_t)d;
}

#endif
