/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_VM_MMIO_H
#define KEEL_CORE_VM_MMIO_H

#include <stddef.h>

#include "core/hv.h"

struct vcpu;

/*
 * Emulate the guest instruction that faulted on a claimed MMIO range.
 * Returns 0, or a negative errno with @why saying what went wrong.
 */
int vm_mmio_emulate(struct vcpu *v, const struct vm_exit *e, char *why,
		    size_t why_len);

#endif
