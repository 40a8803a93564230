/* SPDX-License-Identifier: MIT */
/*
 * Guest port and MMIO ranges (ARCHITECTURE.md section 2, step 3): device
 * models register the ranges they claim; an access goes to its owner.
 * Unclaimed ranges read all ones and drop writes, logged once per VM.
 * The tables are filled before the VM starts, so the exit path reads
 * them without a lock.
 */
#ifndef KEEL_CORE_IOBUS_H
#define KEEL_CORE_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#define IOBUS_MAX 32

struct vcpu;
struct vm;

/*
 * An access of @size bytes (1, 2, 4 or 8) at @addr (port or GPA): @data is
 * the value written, or receives the value read. Returns 0, 1 to end this
 * vCPU's run loop quietly, or a negative errno to stop the VM.
 */
typedef int (*iobus_fn)(struct vcpu *v, uint64_t addr, unsigned int size,
			bool write, uint64_t *data, void *opaque);

struct iobus_range {
	uint64_t base, len;
	iobus_fn fn;
	void *opaque;
};

struct iobus {
	struct iobus_range pio[IOBUS_MAX], mmio[IOBUS_MAX];
	unsigned int npio, nmmio;
	bool pio_logged, mmio_logged; /* the first unclaimed access of each */
};

int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque);
int iobus_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len,
			iobus_fn fn, void *opaque);
/* Dispatch; unclaimed reads return all ones in @data. */
int iobus_pio(struct vcpu *v, uint16_t port, unsigned int size, bool write,
	      uint64_t *data);
int iobus_mmio(struct vcpu *v, uint64_t gpa, unsigned int size, bool write,
	       uint64_t *data);
/* Whether some device claims @gpa (the stage-2 fault path asks). */
bool iobus_mmio_claimed(struct vm *vm, uint64_t gpa);

#endif
