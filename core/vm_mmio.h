/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_VM_MMIO_H
#define KEEL_CORE_VM_MMIO_H

#include <stddef.h>

#include "core/hv.h"
#include "core/x86_decode.h"

struct vcpu;

/*
 * Emulate the guest instruction that faulted on a claimed MMIO range.
 * Returns 0, or a negative errno with @why saying what went wrong.
 */
int vm_mmio_emulate(struct vcpu *v, const struct vm_exit *e, char *why,
		    size_t why_len);

/* The guest's code size now (from CS, CR0 and EFER). */
enum x86_mode vm_guest_mode(struct vcpu *v);
/* Read or write guest-linear memory through the guest's page tables. */
int vm_guest_linear(struct vcpu *v, uint64_t gla, void *buf, size_t len,
		    bool write);

#endif
