// SPDX-License-Identifier: MIT
/* TEMP: lead deletes at merge */
/*
 * Until helper legacy's vdev/vplat.c exists: a Linux VM gets what a flat
 * one has (the vLAPICs), so the boot path can be tested on its own.
 */
#include "vdev/vlapic.h"
#include "vdev/vplat.h"

/* TEMP: lead deletes at merge */
__attribute__((weak)) int vplat_create(struct vm *vm,
				       const struct vplat_config *cfg)
{
	(void)cfg;
	return vlapic_attach(vm);
}
