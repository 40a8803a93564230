// SPDX-License-Identifier: MIT
#include "core/cpuinfo.h"

#include <string.h>

#include "core/cpu.h"
#include "core/log.h"

void cpuinfo_log(void)
{
	struct cpuid_regs r = cpu_cpuid(0, 0);
	char vendor[13];
	char brand[49] = "";
	uint32_t max_ext;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';

	struct cpuid_regs v = cpu_cpuid(1, 0);
	uint32_t family = (v.eax >> 8) & 0xf, model = (v.eax >> 4) & 0xf;
	/* Intel SDM vol. 2A, CPUID leaf 1: extended family and model. */
	if (family == 0xf)
		family += (v.eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((v.eax >> 16) & 0xf) << 4;

	max_ext = cpu_cpuid(0x80000000, 0).eax;
	if (max_ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid_regs b = cpu_cpuid(0x80000002 + i, 0);
			memcpy(brand + i * 16, &b, 16);
		}
		brand[48] = '\0';
	}
	const char *b = brand;
	while (*b == ' ')
		b++;
	log_info("cpu: %s \"%s\" family %#x model %#x stepping %u", vendor,
		 *b ? b : "unknown", family, model, v.eax & 0xf);
}

void cpuinfo_model(char *buf, size_t len)
{
	char brand[49] = "";
	const char *b = brand;
	size_t n;

	if (!len)
		return;
	if (cpu_cpuid(0x80000000, 0).eax >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid_regs r = cpu_cpuid(0x80000002 + i, 0);
			memcpy(brand + i * 16, &r, 16);
		}
	}
	while (*b == ' ')
		b++;
	if (!*b) {
		struct cpuid_regs r = cpu_cpuid(0, 0);
		memcpy(brand, &r.ebx, 4);
		memcpy(brand + 4, &r.edx, 4);
		memcpy(brand + 8, &r.ecx, 4);
		brand[12] = '\0';
		b = brand;
	}
	n = strlen(b);
	while (n && b[n - 1] == ' ')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, b, n);
	buf[n] = '\0';
}
