/* SPDX-License-Identifier: MIT */
/*
 * What a guest sees of the CPU (issue 4, scope item 6): CPUID with VMX/SVM
 * hidden, the hypervisor bit and leaf 0x40000000 "KeelKeelKeel", and a
 * short list of MSRs; every other MSR is refused with #GP.
 */
#ifndef KEEL_CORE_CPUID_POLICY_H
#define KEEL_CORE_CPUID_POLICY_H

#include <stdint.h>

#include "core/cpu.h"

struct vcpu;

struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub);
/* 0, or -EPERM when the guest must get #GP. */
int msr_policy_read(struct vcpu *v, uint32_t index, uint64_t *val);
int msr_policy_write(struct vcpu *v, uint32_t index, uint64_t val);
int xcr_policy_set(struct vcpu *v, uint32_t index, uint64_t val);

#endif
