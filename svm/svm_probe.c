// SPDX-License-Identifier: MIT
/*
 * Detect AMD-V (SVM) and its features from CPUID 0x8000000A (AMD APM
 * vol. 2, 15.4 "Enabling SVM" and appendix E). Read-only probing; the
 * virtualization issue turns this into hv_vendor_ops.probe.
 */
#include <stdint.h>

#include "core/cpu.h"
#include "core/init.h"
#include "core/log.h"

#define MSR_VM_CR 0xc0010114
#define VM_CR_SVMDIS (1ull << 4)

static const char *svm_yn(uint32_t edx, int bit)
{
	return edx & (1u << bit) ? "yes" : "no";
}

static void svm_probe(void)
{
	if (cpu_cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpu_cpuid(0x80000001, 0).ecx & (1u << 2))) {
		log_info("svm: AMD-V not present");
		return;
	}
	if (cpu_rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		log_warn("svm: AMD-V present but disabled by the firmware "
			 "(VM_CR.SVMDIS); enable SVM in the BIOS setup");
		return;
	}
	struct cpuid_regs r = cpu_cpuid(0x8000000a, 0);
	log_info("svm: AMD-V revision %u, %u ASIDs: NPT %s, NRIP-save %s, "
		 "decode assists %s, VMCB clean bits %s, flush-by-ASID %s",
		 r.eax & 0xff, r.ebx, svm_yn(r.edx, 0), svm_yn(r.edx, 3),
		 svm_yn(r.edx, 7), svm_yn(r.edx, 5), svm_yn(r.edx, 6));
}
KEEL_INIT(INIT_CPU, svm_probe);
