// SPDX-License-Identifier: MIT
/*
 * What a Linux guest reads from CPUID (core/cpuid_policy.c): leaf 0x15
 * gives Linux's 32-bit computation crystal_khz * EBX / EAX the TSC's
 * frequency within 3 ppm and never overflows; the hypervisor leaves say
 * "KeelKeelKeel", max 0x40000010 with the TSC and LAPIC kHz, and nothing
 * of a host hypervisor leaks; the invariant TSC, x2APIC, TSC-deadline
 * and APIC bits; APIC IDs and the topology follow the vCPU and the VM.
 * Runs on the build host's CPU, whose own leaves are the input.
 * UNIT_SRCS: core/cpuid_policy.c
 */
#include <stdint.h>
#include <string.h>

#include "core/cpuid_policy.h"
#include "core/time.h"
#include "core/vm.h"
#include "unit.h"

static uint64_t fake_tsc_hz = 2994372000ull;

uint64_t time_tsc_hz(void)
{
	return fake_tsc_hz;
}

static uint64_t fake_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	return 0;
}

static const struct hv_vendor_ops fake_hv = { .get_reg = fake_get_reg };
const struct hv_vendor_ops *hv = &fake_hv;

/* What Linux 6.1's native_calibrate_tsc computes, in its types. */
static unsigned int linux_tsc_khz(struct cpuid_regs r)
{
	unsigned int crystal_khz = r.ecx / 1000;

	return crystal_khz * r.ebx / r.eax;
}

UNIT_TEST(leaf15_precise)
{
	static const uint32_t khz[] = { 1000000, 2100000, 2994372, 3600001,
					4200000, 5800000, 123457 };

	for (unsigned int i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
		struct cpuid_regs r = cpuid_policy_leaf15(khz[i]);
		UNIT_CHECK(r.eax && r.ebx);
		UNIT_CHECK(r.ecx == CPUID_LAPIC_HZ);
		UNIT_CHECK((uint64_t)(r.ecx / 1000) * r.ebx <= 0xffffffffull);
		int64_t got = linux_tsc_khz(r);
		int64_t err_ppm = (got - khz[i]) * 1000000 / khz[i];
		UNIT_CHECK(err_ppm >= -3 && err_ppm <= 3);
	}
	UNIT_CHECK(cpuid_policy_leaf15(0).eax == 0);
}

UNIT_TEST(leaves_a_guest_sees)
{
	static struct vm vm;
	struct vcpu *v = &vm.vcpus[1];
	struct cpuid_regs r;

	vm.nvcpus = 3;
	v->vm = &vm;
	v->id = 1;
	r = cpuid_policy(v, 0x40000000, 0);
	UNIT_CHECK(r.eax == 0x40000010);
	char sig[13] = { 0 };
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	UNIT_CHECK_STR(sig, "KeelKeelKeel");
	r = cpuid_policy(v, 0x40000010, 0);
	UNIT_CHECK(r.eax == 2994372 && r.ebx == 25000);
	/* KVM's alternative base and the rest of the range: empty. */
	r = cpuid_policy(v, 0x40000100, 0);
	UNIT_CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx);
	r = cpuid_policy(v, 0x4fffff00, 0);
	UNIT_CHECK(!r.eax && !r.ebx);

	r = cpuid_policy(v, 1, 0);
	UNIT_CHECK(r.ecx & (1u << 31)); /* hypervisor */
	UNIT_CHECK(r.ecx & (1u << 21)); /* x2APIC */
	UNIT_CHECK(r.ecx & (1u << 24)); /* TSC-deadline */
	UNIT_CHECK(!(r.ecx & (1u << 5))); /* no VMX */
	UNIT_CHECK(r.edx & (1u << 9));	/* APIC */
	UNIT_CHECK(r.ebx >> 24 == 1 && ((r.ebx >> 16) & 0xff) == 3);

	r = cpuid_policy(v, 0x80000007, 0);
	UNIT_CHECK(r.edx == 1u << 8); /* invariant TSC, nothing else */
	r = cpuid_policy(v, 7, 0);
	/* No LA57, TSC_ADJUST, RDPID, RDTSCP: nothing backs them. */
	UNIT_CHECK(!(r.ecx & (1u << 16)) && !(r.ebx & (1u << 1)));
	UNIT_CHECK(!(r.ecx & (1u << 22)));
	UNIT_CHECK(!(r.edx & (1u << 26 | 1u << 29 | 1u << 31))); /* IBRS, ARCH_CAP, SSBD */
	r = cpuid_policy(v, 0x80000001, 0);
	UNIT_CHECK(!(r.edx & (1u << 27)));
	UNIT_CHECK(!(r.edx & (1u << 7 | 1u << 14))); /* MCE, MCA */
	/* The rest of this EDX is the host's: long mode (29) above all,
	 * which Linux's AP trampoline (verify_cpu) checks before it
	 * enters long mode; SYSCALL (11), NX (20), 1 GiB pages (26). */
	struct cpuid_regs host = cpu_cpuid(0x80000001, 0);
	UNIT_CHECK(host.edx & (1u << 29)); /* the build host is 64-bit */
	UNIT_CHECK(r.edx == (host.edx & ~(1u << 7 | 1u << 14 | 1u << 27)));
	/* Machine checks, MWAIT, EIST: no MSRs behind them. */
	r = cpuid_policy(v, 1, 0);
	UNIT_CHECK(!(r.edx & (1u << 7 | 1u << 14)) && !(r.ecx & (1u << 3 | 1u << 7)));
	/* XSAVE size follows the guest's XCR0, not the host's. */
	v->xcr0 = 3; /* x87, SSE */
	r = cpuid_policy(v, 0xd, 0);
	UNIT_CHECK(r.ebx == 576 && r.ecx >= 576);
	v->xcr0 = 7; /* + AVX: 256 bytes at 576 on every CPU with AVX */
	r = cpuid_policy(v, 0xd, 0);
	UNIT_CHECK(!(r.eax & 4) || r.ebx == 832);
	r = cpuid_policy(v, 0xd, 1);
	UNIT_CHECK(!(r.eax & (1u << 3))); /* XSAVES */
	r = cpuid_policy(v, 0xa, 0);
	UNIT_CHECK(!r.eax);
	r = cpuid_policy(v, 6, 0);
	UNIT_CHECK(r.eax == 1u << 2 && !r.ecx); /* ARAT, no APERF/MPERF */

	/* x2APIC topology: 3 cores need 2 bits; x2APIC ID = vCPU id. */
	r = cpuid_policy(v, 0xb, 0);
	UNIT_CHECK(r.ebx == 1 && r.ecx == 0x100 && r.edx == 1);
	r = cpuid_policy(v, 0xb, 1);
	UNIT_CHECK(r.eax == 2 && r.ebx == 3 && r.ecx == 0x201 && r.edx == 1);
	r = cpuid_policy(v, 0xb, 2);
	UNIT_CHECK(r.ebx == 0 && (r.ecx >> 8) == 0);
}
