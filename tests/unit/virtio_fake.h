/* SPDX-License-Identifier: MIT */
/*
 * A fake machine for the virtio device tests: guest RAM as one malloc'd
 * block behind gmem_read/gmem_write (so ASan sees any access past it),
 * vpci and the thread calls recorded instead of done.
 */
#ifndef KEEL_TESTS_VIRTIO_FAKE_H
#define KEEL_TESTS_VIRTIO_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vm.h"
#include "vdev/vpci.h"

#define FAKE_RAM (1u << 20)

struct gmem {
	uint8_t *ram;
	uint64_t size;
};

extern struct gmem fake_mem;
extern struct vm fake_vm;
extern bool fake_bus_master;
extern unsigned int fake_msix[8]; /* signals per vector */
extern struct vpci_dev *fake_pci;  /* the last vpci_add */

void fake_reset(void); /* fresh zeroed RAM, counters 0 */
uint8_t *fake_ptr(uint64_t gpa);
void fake_w16(uint64_t gpa, uint16_t v);
uint16_t fake_r16(uint64_t gpa);
void fake_w32(uint64_t gpa, uint32_t v);
uint32_t fake_r32(uint64_t gpa);
void fake_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
	       uint16_t flags, uint16_t next);

#endif
