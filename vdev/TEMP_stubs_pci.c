// SPDX-License-Identifier: MIT
/* TEMP: lead deletes at merge */
/*
 * Weak stand-ins for functions other helpers own, so the pci branch links
 * on its own: vlapic_msi (lapic), vpm_cf9_write/vpm_cf9_read (legacy).
 */
#include "core/log.h"
#include "vdev/vplat.h"

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vlapic_msi(struct vm *vm, uint64_t addr,
				      uint32_t data)
{
	log_warn("vm %u: MSI %#llx/%#x dropped (no vLAPIC yet)", vm->id,
		 (unsigned long long)addr, data);
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vpm_cf9_write(struct vm *vm, uint8_t val)
{
	/* Bit 2 starts the reset, bit 1 chooses hard (PIIX4 / ICH RST_CNT). */
	if (val & 4)
		vm_stop_as(vm, VM_STOP_RESET, "guest reset (0xcf9)");
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) uint8_t vpm_cf9_read(struct vm *vm)
{
	return 0;
}
