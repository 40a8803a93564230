/* SPDX-License-Identifier: MIT */
/*
 * The VM's ACPI tables (ACPI 6.3 chapter 5, docs/vpci.md): RSDP, RSDT,
 * XSDT, FADT, FACS, DSDT, MADT and MCFG, built per VM from
 * vdev/vplat.h's map and written into guest RAM at VPLAT_ACPI_BASE,
 * RSDP first (also found by the legacy scan of 0xe0000-0xfffff).
 */
#ifndef KEEL_VDEV_VACPI_H
#define KEEL_VDEV_VACPI_H

#include <stddef.h>
#include <stdint.h>

#include "vdev/vplat.h"

/* Where the RSDP is: boot_params.acpi_rsdp_addr for the Linux loader. */
#define VACPI_RSDP_GPA VPLAT_ACPI_BASE

/* Build the tables for @cfg and write them at VPLAT_ACPI_BASE. -EINVAL
 * (no vCPU, too many), -ENOSPC (over VPLAT_ACPI_SIZE), gmem errors. */
int vacpi_build(struct vm *vm, const struct vplat_config *cfg);
/* The same into @buf (@cap bytes), as if it sat at guest-physical
 * @base: the bytes used, or -errno. For vacpi_build and the unit test. */
int vacpi_build_buf(uint8_t *buf, size_t cap, uint64_t base,
		    const struct vplat_config *cfg);

#endif
