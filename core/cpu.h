/* SPDX-License-Identifier: MIT */
/*
 * x86-64 instruction wrappers used across the kernel. Vendor-neutral: VMX
 * and SVM instructions live in their own rooms.
 */
#ifndef KEEL_CORE_CPU_H
#define KEEL_CORE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NW (1ul << 29)
#define CR0_CD (1ul << 30)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)

#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_EFER 0xc0000080

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)));
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t cpu_xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_xsetbv(uint32_t index, uint64_t val)
{
	asm volatile("xsetbv" ::"c"(index), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)));
}

static inline bool cpu_has_rdrand(void)
{
	return cpu_cpuid(1, 0).ecx & (1u << 30);
}

/* One RDRAND attempt; false when the DRNG had nothing (CF=0). */
static inline bool cpu_rdrand64(uint64_t *out)
{
	unsigned char ok;

	asm volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
	return ok;
}

/* RDSEED: CPUID.(EAX=07H,ECX=0):EBX[18] (SDM Vol. 2B, RDSEED). */
static inline bool cpu_has_rdseed(void)
{
	return cpu_cpuid(0, 0).eax >= 7 && (cpu_cpuid(7, 0).ebx & (1u << 18));
}

static inline bool cpu_rdseed64(uint64_t *out)
{
	uint8_t ok;

	asm volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok));
	return ok;
}

static inline void cpu_outb(uint16_t port, uint8_t val)
{
	asm volatile("outb %0, %1" ::"a"(val), "Nd"(port));
}

static inline uint8_t cpu_inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_outw(uint16_t port, uint16_t val)
{
	asm volatile("outw %0, %1" ::"a"(val), "Nd"(port));
}

static inline uint16_t cpu_inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_outl(uint16_t port, uint32_t val)
{
	asm volatile("outl %0, %1" ::"a"(val), "Nd"(port));
}

static inline uint32_t cpu_inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t cpu_read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline uint64_t cpu_read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline void cpu_pause(void)
{
	asm volatile("pause");
}

static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
