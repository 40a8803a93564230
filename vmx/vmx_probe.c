// SPDX-License-Identifier: MIT
/*
 * Detect Intel VT-x and what it offers, from CPUID and the VMX capability
 * MSRs (Intel SDM vol. 3D, appendix A). Only read-only probing here; the
 * virtualization issue turns this into hv_vendor_ops.probe.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c

#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* Secondary processor-based controls (SDM vol. 3C, table 25-7). */
#define CTLS2_EPT (1u << 1)
#define CTLS2_VPID (1u << 5)
#define CTLS2_UNRESTRICTED (1u << 7)

static void vmx_probe(void)
{
	if (!(cpu_cpuid(1, 0).ecx & (1u << 5))) {
		log_info("vmx: VT-x not present");
		return;
	}
	uint64_t fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) &&
	    !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_warn("vmx: VT-x present but disabled by the firmware "
			 "(IA32_FEATURE_CONTROL locked); enable it in the BIOS setup");
		return;
	}
	uint64_t basic = cpu_rdmsr(MSR_IA32_VMX_BASIC);
	/* Allowed-1 settings are the high 32 bits (SDM A.3.2). */
	uint32_t procbased1 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32;
	uint32_t ctls2 = 0;
	if (procbased1 & (1u << 31))
		ctls2 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
	bool ept = ctls2 & CTLS2_EPT;
	uint64_t cap = ept || (ctls2 & CTLS2_VPID)
			       ? cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP)
			       : 0;
	log_info("vmx: VT-x revision %#llx: EPT %s (4-level %s, 2M %s, 1G %s), "
		 "VPID %s, unrestricted guest %s",
		 (unsigned long long)(basic & 0x7fffffff), ept ? "yes" : "no",
		 cap & (1u << 6) ? "yes" : "no",
		 cap & (1u << 16) ? "yes" : "no",
		 cap & (1u << 17) ? "yes" : "no",
		 ctls2 & CTLS2_VPID ? "yes" : "no",
		 ctls2 & CTLS2_UNRESTRICTED ? "yes" : "no");
}
KEEL_INIT(INIT_CPU, vmx_probe);
