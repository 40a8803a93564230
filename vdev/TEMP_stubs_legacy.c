// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what other helpers of issue 8 implement, so the
 * legacy devices link before their branches merge.
 * TEMP: lead deletes at merge
 */
#include <stddef.h>

#include "vdev/vpci.h"
#include "vdev/vplat.h"

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vlapic_extint_changed(struct vm *vm)
{
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) struct vioapic *vioapic_create(struct vm *vm)
{
	return NULL;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vioapic_destroy(struct vioapic *io)
{
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vioapic_set_irq(struct vioapic *io, unsigned int pin,
					   bool level)
{
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) int vpci_create(struct vm *vm)
{
	return 0;
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) void vpci_destroy(struct vm *vm)
{
}

/* TEMP: lead deletes at merge */
__attribute__((weak)) int vacpi_build(struct vm *vm,
				      const struct vplat_config *cfg)
{
	return 0;
}
