/* SPDX-License-Identifier: MIT */
/*
 * What a guest sees of the CPU (issue 4, scope item 6; issue 8): CPUID with
 * VMX/SVM hidden, the hypervisor bit and leaf 0x40000000 "KeelKeelKeel",
 * the TSC's frequency (0x40000010, and 0x15/0x16 on Intel), the local
 * APIC's features and the VM's topology; and a short list of MSRs; every
 * other MSR is refused with #GP.
 */
#ifndef KEEL_CORE_CPUID_POLICY_H
#define KEEL_CORE_CPUID_POLICY_H

#include <stdint.h>

#include "core/cpu.h"

struct vcpu;

/*
 * The guest's local APIC timer input clock (the "bus" or core crystal
 * clock): 25 MHz, as Intel's server crystals. CPUID 0x15 ECX, 0x16 ECX
 * and 0x40000010 EBX report it, and Linux on Intel programs the LAPIC
 * timer from 0x15 without calibrating it, so vdev/vlapic.c's timer must
 * count at exactly this rate (before its divide configuration).
 */
#define CPUID_LAPIC_HZ 25000000u

struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub);
/* Leaf 0x15 for a TSC of @tsc_khz (exposed for the unit test). */
struct cpuid_regs cpuid_policy_leaf15(uint32_t tsc_khz);
/* 0, or -EPERM when the guest must get #GP. */
int msr_policy_read(struct vcpu *v, uint32_t index, uint64_t *val);
int msr_policy_write(struct vcpu *v, uint32_t index, uint64_t val);
int xcr_policy_set(struct vcpu *v, uint32_t index, uint64_t val);

#endif
