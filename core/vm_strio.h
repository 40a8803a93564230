/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CORE_VM_STRIO_H
#define KEEL_CORE_VM_STRIO_H

#include "core/hv.h"

struct vcpu;

/* Emulate the INS/OUTS that exited (@e->code == VM_EXIT_IO, string). */
int vm_string_io(struct vcpu *v, const struct vm_exit *e);

#endif
