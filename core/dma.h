/* SPDX-License-Identifier: MIT */
/*
 * Memory a host device reads and writes by DMA (descriptor rings, command
 * tables, packet and sector buffers): physically contiguous, zeroed,
 * reached by the CPU through the direct map (write-back: the devices we
 * drive are cache-coherent PCI/PCIe functions). Allocated when a driver
 * binds a device and kept for the life of the host: there is no free.
 */
#ifndef KEEL_CORE_DMA_H
#define KEEL_CORE_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * @size bytes aligned to @align (a power of two up to 4096; 0 means 64),
 * never crossing a 4 KiB boundary when size <= 4096 (AHCI, xHCI and NVMe
 * structures must not). @low32: the device has only 32-bit addressing.
 * Returns the CPU address and stores the bus address in *@phys; NULL when
 * memory (below 4 GiB if asked) has run out.
 */
void *dma_alloc(size_t size, size_t align, bool low32, uint64_t *phys);

#endif
