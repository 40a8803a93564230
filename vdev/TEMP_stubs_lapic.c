// SPDX-License-Identifier: MIT
/* TEMP: lead deletes at merge. The vPIC (helper legacy) until it exists:
 * no PIC output, so LINT0's ExtINT never fires. */
#include "vdev/vplat.h"

__attribute__((weak)) bool vpic_int_output(struct vm *vm)
{
	return false;
}

__attribute__((weak)) int vpic_intack(struct vm *vm)
{
	return -1;
}
