/* SPDX-License-Identifier: MIT */
/*
 * The VMCB (AMD APM vol. 2, appendix B, "Layout of VMCB"): offsets of the
 * fields Keel uses, and the intercept, exit-code and event bits.
 */
#ifndef KEEL_SVM_VMCB_H
#define KEEL_SVM_VMCB_H

#include <stdint.h>

/* Control area (table B-1). */
#define VMCB_INTERCEPT_CR 0x000
#define VMCB_INTERCEPT_EXC 0x008
#define VMCB_INTERCEPT_MISC1 0x00c
#define VMCB_INTERCEPT_MISC2 0x010
#define VMCB_IOPM_PA 0x040
#define VMCB_MSRPM_PA 0x048
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058
#define VMCB_TLB_CTL 0x05c
#define VMCB_INT_CTL 0x060
#define VMCB_INT_STATE 0x068
#define VMCB_EXIT_CODE 0x070
#define VMCB_EXIT_INFO1 0x078
#define VMCB_EXIT_INFO2 0x080
#define VMCB_EXIT_INT_INFO 0x088
#define VMCB_NP_ENABLE 0x090
#define VMCB_EVENT_INJ 0x0a8
#define VMCB_N_CR3 0x0b0
#define VMCB_CLEAN 0x0c0
#define VMCB_NEXT_RIP 0x0c8

/* State-save area (table B-2): segments are 16 bytes each. */
#define VMCB_ES 0x400
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_SEG_SEL 0	 /* u16 */
#define VMCB_SEG_ATTR 2	 /* u16: type, S, DPL, P, AVL, L, D/B, G */
#define VMCB_SEG_LIMIT 4 /* u32 */
#define VMCB_SEG_BASE 8	 /* u64 */
#define VMCB_CPL 0x4cb
#define VMCB_EFER 0x4d0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5d8
#define VMCB_RAX 0x5f8
#define VMCB_CR2 0x640
#define VMCB_G_PAT 0x668

/* Intercept vector 3 (MISC1) and 4 (MISC2) bits. */
#define SVM_INTERCEPT_INTR (1u << 0)
#define SVM_INTERCEPT_NMI (1u << 1)
#define SVM_INTERCEPT_SMI (1u << 2)
#define SVM_INTERCEPT_INIT (1u << 3)
#define SVM_INTERCEPT_VINTR (1u << 4)
#define SVM_INTERCEPT_CPUID (1u << 18)
#define SVM_INTERCEPT_HLT (1u << 24)
#define SVM_INTERCEPT_INVLPGA (1u << 26)
#define SVM_INTERCEPT_IOIO (1u << 27)
#define SVM_INTERCEPT_MSR (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
#define SVM_INTERCEPT_VMRUN (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD (1u << 2)
#define SVM_INTERCEPT_VMSAVE (1u << 3)
#define SVM_INTERCEPT_STGI (1u << 4)
#define SVM_INTERCEPT_CLGI (1u << 5)
#define SVM_INTERCEPT_SKINIT (1u << 6)
#define SVM_INTERCEPT_XSETBV (1u << 13)

/* Exit codes (appendix C). */
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffu

/* V_INTR_MASKING: the guest's IF masks only virtual interrupts (15.21.1). */
#define SVM_INT_CTL_V_INTR_MASKING (1u << 24)
#define SVM_INT_CTL_V_IRQ (1u << 8)

/* EVENTINJ (15.20): vector, type, error-code valid, valid. */
#define SVM_EVTINJ_VALID (1u << 31)
#define SVM_EVTINJ_EV (1u << 11)
#define SVM_EVTINJ_TYPE_INTR (0u << 8)
#define SVM_EVTINJ_TYPE_NMI (2u << 8)
#define SVM_EVTINJ_TYPE_EXC (3u << 8)

static inline uint64_t vmcb_read64(const void *vmcb, unsigned int off)
{
	return *(const volatile uint64_t *)((const char *)vmcb + off);
}

static inline void vmcb_write64(void *vmcb, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)((char *)vmcb + off) = v;
}

static inline uint32_t vmcb_read32(const void *vmcb, unsigned int off)
{
	return *(const volatile uint32_t *)((const char *)vmcb + off);
}

static inline void vmcb_write32(void *vmcb, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)((char *)vmcb + off) = v;
}

static inline uint16_t vmcb_read16(const void *vmcb, unsigned int off)
{
	return *(const volatile uint16_t *)((const char *)vmcb + off);
}

static inline void vmcb_write16(void *vmcb, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)((char *)vmcb + off) = v;
}

static inline void vmcb_write8(void *vmcb, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)((char *)vmcb + off) = v;
}

#endif
