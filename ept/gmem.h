/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory of one VM: which GPA ranges are RAM, which host
 * frames back them, and the stage-2 table that maps them. RAM is backed
 * on first touch (a stage-2 fault, or a write through gmem_write), with a
 * 2 MiB frame when the whole aligned 2 MiB lies in RAM and one is free,
 * else with 4 KiB frames. Anything that is not RAM stays unmapped, so a
 * guest access there exits as a stage-2 fault for core/ to route (MMIO)
 * or refuse.
 *
 * gmem_read/gmem_write are the only way hypervisor code touches guest
 * memory (ARCHITECTURE.md section 3): every GPA and length is checked.
 *
 * Ownership is recorded per 2 MiB chunk, apart from the stage-2 table, so
 * ballooning (give a frame back) and page sharing (map one frame into
 * several places read-only) can later change mappings without losing
 * track of who owns which frame.
 */
#ifndef KEEL_EPT_GMEM_H
#define KEEL_EPT_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ept/s2.h"

#define GMEM_MAX_RANGES 8

struct gmem; /* owned by the VM object (core/vm.h) */

/*
 * RAM at GPA [0, ram_bytes) (4 KiB aligned, may be 0), nothing backed yet,
 * stage-2 tables in @fmt. NULL on bad arguments or no memory.
 */
struct gmem *gmem_create(const struct s2_format *fmt, uint64_t ram_bytes,
			 bool allow_1g);
/*
 * More RAM at [gpa, gpa+size), e.g. above 4 GiB past a PCI hole. Before
 * the VM first runs. -EINVAL (unaligned, empty), -ERANGE (past 48 bits),
 * -EEXIST (overlaps RAM), -ENOSPC (GMEM_MAX_RANGES), -ENOMEM.
 */
int gmem_add_ram(struct gmem *gm, uint64_t gpa, uint64_t size);
/*
 * Return every frame to the pmm and free the tables. No vCPU may run and
 * the backend must have flushed the VM's translations on every CPU.
 */
void gmem_destroy(struct gmem *gm);

/* [gpa, gpa+len) is all RAM (no overflow, inside 48 bits). */
bool gmem_is_ram(struct gmem *gm, uint64_t gpa, uint64_t len);
/*
 * A stage-2 fault at @gpa: back its page (2 MiB if the aligned chunk is
 * all RAM, else 4 KiB) with zeroed memory mapped RWX write-back. 0 also
 * when it is already backed (another vCPU got there first; re-enter).
 * -EFAULT: not RAM, the caller treats it as MMIO or a guest error.
 * -ENOMEM: the host is out of frames.
 */
int gmem_fault(struct gmem *gm, uint64_t gpa, bool write);
/* Back every page of [gpa, gpa+size) now (to load a kernel). */
int gmem_populate(struct gmem *gm, uint64_t gpa, uint64_t size);

/*
 * Copy between guest RAM and @buf, across page and chunk boundaries.
 * All or nothing on range: -EFAULT if any byte is not RAM or the range
 * wraps, before anything is copied. A write backs pages as needed
 * (-ENOMEM); a read of a page never touched returns zeros without
 * backing it, which is what the guest would see.
 */
int gmem_read(struct gmem *gm, uint64_t gpa, void *buf, size_t len);
int gmem_write(struct gmem *gm, uint64_t gpa, const void *buf, size_t len);

struct s2_table *gmem_s2(struct gmem *gm);
/* Bytes of guest frames backing RAM now (vm.stats). */
uint64_t gmem_backed_bytes(const struct gmem *gm);

#endif
