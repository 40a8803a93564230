/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: translate a guest-linear address the way the
 * guest's own paging would (Intel SDM vol. 3A chapter 4), reading table
 * entries only through a callback (gmem_read in the hypervisor), with a
 * fixed number of levels so a hostile table cannot make it loop.
 */
#ifndef KEEL_CORE_GWALK_H
#define KEEL_CORE_GWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control-register bits the walk depends on (SDM 3A 2.5, 2.2.1). */
#define GWALK_CR0_WP (1ull << 16)
#define GWALK_CR0_PG (1ull << 31)
#define GWALK_CR4_PSE (1ull << 4)
#define GWALK_CR4_PAE (1ull << 5)
#define GWALK_CR4_LA57 (1ull << 12)
#define GWALK_CR4_SMEP (1ull << 20)
#define GWALK_CR4_SMAP (1ull << 21)
#define GWALK_EFER_LMA (1ull << 10)
#define GWALK_EFER_NXE (1ull << 11)
#define GWALK_RFLAGS_AC (1ull << 18)

/*
 * Access types, chosen to equal their #PF error-code bits (SDM 3A 4.7)
 * so the error code is built from them directly. A read is 0.
 */
#define GWALK_READ 0u
#define GWALK_WRITE (1u << 1)
#define GWALK_USER (1u << 2)  /* CPL 3 */
#define GWALK_EXEC (1u << 4)
/* A supervisor access that SMAP always checks (descriptor tables...). */
#define GWALK_IMPLICIT (1u << 8)

/* #PF error-code bits (SDM 3A 4.7). */
#define GWALK_PF_P (1u << 0)
#define GWALK_PF_W (1u << 1)
#define GWALK_PF_U (1u << 2)
#define GWALK_PF_RSVD (1u << 3)
#define GWALK_PF_I (1u << 4)

struct gwalk_regs {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t rflags;     /* AC, for SMAP */
	uint8_t maxphyaddr;  /* the guest's CPUID.80000008H:EAX[7:0]; 0 = 52 */
	/*
	 * PAE paging: the PDPTE registers the CPU loaded at the last CR3
	 * write (VMCS guest PDPTEs with EPT), or NULL to read them from
	 * CR3 in guest memory now (SDM 3A 4.4.1).
	 */
	const uint64_t *pdptes;
};

typedef int (*gwalk_read_fn)(void *opaque, uint64_t gpa, void *buf,
			     size_t len);

/*
 * Translate @gla for @access (GWALK_* bits). 0 and *gpa on success;
 * -EFAULT with *pf_error set when the guest's tables deny the access (the
 * caller injects #PF with that error code and CR2 = @gla); -EIO when a
 * table entry could not be read (@read_gpa failed: the table is outside
 * guest RAM); -EINVAL for a non-canonical address in 4-level paging
 * (#GP, not #PF); -EOPNOTSUPP for 5-level paging.
 */
int gwalk_translate(const struct gwalk_regs *r, uint64_t gla,
		    unsigned int access, gwalk_read_fn read_gpa, void *opaque,
		    uint64_t *gpa, uint32_t *pf_error);

#endif
