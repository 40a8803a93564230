// SPDX-License-Identifier: MIT
/*
 * Guest page-table walker (Intel SDM vol. 3A chapter 4). Used to find
 * the GPA behind a guest-linear address when the hypervisor emulates an
 * instruction (the RAM side of MOVS/STOS, instruction fetch for decode).
 *
 * The tables are guest memory and therefore hostile: every entry is read
 * through the caller's checked callback, the walk has a fixed number of
 * levels per mode (no loop on a self-referencing table), and the final
 * address is masked to the guest's MAXPHYADDR. Accessed and dirty bits
 * are not set: the walker only reads (docs/emulator.md).
 */
#include "core/gwalk.h"

#include <errno.h>

#define GWALK_P (1ull << 0)
#define GWALK_RW (1ull << 1)
#define GWALK_US (1ull << 2)
#define GWALK_PS (1ull << 7)
#define GWALK_XD (1ull << 63)

/* What the walk collected from the paging-structure entries it used. */
struct gwalk_state {
	const struct gwalk_regs *r;
	unsigned int access;
	bool rw, us, xd;
	uint32_t *pf_error;
};

static unsigned int gwalk_maxphy(const struct gwalk_regs *r)
{
	if (!r->maxphyaddr || r->maxphyaddr > 52)
		return 52;
	if (r->maxphyaddr < 32)
		return 32;
	return r->maxphyaddr;
}

/* Bits [hi:lo]. */
static uint64_t gwalk_bits(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return ((hi >= 63) ? ~0ull : ((1ull << (hi + 1)) - 1)) &
	       ~((1ull << lo) - 1);
}

/* The I/D flag is reported only with SMEP or PAE+NXE (SDM 3A 4.7). */
static int gwalk_fault(struct gwalk_state *s, uint32_t bits)
{
	const struct gwalk_regs *r = s->r;
	uint32_t err = bits | (s->access & (GWALK_WRITE | GWALK_USER));

	if ((s->access & GWALK_EXEC) &&
	    ((r->cr4 & GWALK_CR4_SMEP) ||
	     ((r->cr4 & GWALK_CR4_PAE) && (r->efer & GWALK_EFER_NXE))))
		err |= GWALK_PF_I;
	*s->pf_error = err;
	return -EFAULT;
}

/*
 * Access rights of the translation, from the combined R/W, U/S and XD of
 * every entry used (SDM 3A 4.6.1).
 */
static int gwalk_check(struct gwalk_state *s)
{
	const struct gwalk_regs *r = s->r;
	unsigned int a = s->access;
	bool smap;

	if (a & GWALK_USER) {
		if (!s->us)
			return gwalk_fault(s, GWALK_PF_P);
		if ((a & GWALK_WRITE) && !s->rw)
			return gwalk_fault(s, GWALK_PF_P);
		if ((a & GWALK_EXEC) && s->xd)
			return gwalk_fault(s, GWALK_PF_P);
		return 0;
	}
	if (a & GWALK_EXEC) {
		if (s->xd || (s->us && (r->cr4 & GWALK_CR4_SMEP)))
			return gwalk_fault(s, GWALK_PF_P);
		return 0;
	}
	/* Supervisor data access: SMAP unless EFLAGS.AC on an explicit one. */
	smap = s->us && (r->cr4 & GWALK_CR4_SMAP) &&
	       ((a & GWALK_IMPLICIT) || !(r->rflags & GWALK_RFLAGS_AC));
	if (smap)
		return gwalk_fault(s, GWALK_PF_P);
	if ((a & GWALK_WRITE) && !s->rw && (r->cr0 & GWALK_CR0_WP))
		return gwalk_fault(s, GWALK_PF_P);
	return 0;
}

static int gwalk_read(gwalk_read_fn read_gpa, void *opaque, uint64_t gpa,
		      unsigned int size, uint64_t *e)
{
	uint64_t v = 0;

	if (read_gpa(opaque, gpa, &v, size))
		return -EIO;
	*e = v;
	return 0;
}

/* 32-bit paging, 4 KiB and (CR4.PSE) 4 MiB pages (SDM 3A 4.3). */
static int gwalk_32(struct gwalk_state *s, uint32_t gla,
		    gwalk_read_fn read_gpa, void *opaque, uint64_t *gpa)
{
	const struct gwalk_regs *r = s->r;
	uint64_t pde, pte;
	int err;

	err = gwalk_read(read_gpa, opaque,
			 (r->cr3 & 0xfffff000ull) + ((gla >> 22) << 2), 4,
			 &pde);
	if (err)
		return err;
	if (!(pde & GWALK_P))
		return gwalk_fault(s, 0);
	s->rw = pde & GWALK_RW;
	s->us = pde & GWALK_US;

	if ((pde & GWALK_PS) && (r->cr4 & GWALK_CR4_PSE)) {
		/*
		 * 4 MiB page, PSE-36: PDE bits 20:13 are PA bits 39:32 up to
		 * min(MAXPHYADDR, 40); the rest of 21:13 is reserved
		 * (table 4-4).
		 */
		unsigned int m = gwalk_maxphy(r);
		uint64_t hi;

		if (m > 40)
			m = 40;
		if (pde & gwalk_bits(21, 13 + (m - 32)))
			return gwalk_fault(s, GWALK_PF_P | GWALK_PF_RSVD);
		hi = (pde >> 13) & 0xff;
		err = gwalk_check(s);
		if (err)
			return err;
		*gpa = (hi << 32) | (pde & 0xffc00000ull) | (gla & 0x3fffff);
		return 0;
	}

	err = gwalk_read(read_gpa, opaque,
			 (pde & 0xfffff000ull) + (((gla >> 12) & 0x3ff) << 2),
			 4, &pte);
	if (err)
		return err;
	if (!(pte & GWALK_P))
		return gwalk_fault(s, 0);
	s->rw = s->rw && (pte & GWALK_RW);
	s->us = s->us && (pte & GWALK_US);
	err = gwalk_check(s);
	if (err)
		return err;
	*gpa = (pte & 0xfffff000ull) | (gla & 0xfff);
	return 0;
}

/*
 * PAE (SDM 3A 4.4) and 4-level (4.5) paging share the 64-bit entry
 * format below the PDPTE. @level is where the walk starts: 4 for the
 * PML4, 2 for a PAE page directory reached through a PDPTE.
 */
static int gwalk_64(struct gwalk_state *s, uint64_t gla, uint64_t table,
		    int level, gwalk_read_fn read_gpa, void *opaque,
		    uint64_t *gpa)
{
	const struct gwalk_regs *r = s->r;
	unsigned int m = gwalk_maxphy(r);
	uint64_t addr_mask = gwalk_bits(m - 1, 12);
	uint64_t rsvd = gwalk_bits(51, m);
	uint64_t e, page;
	unsigned int shift;
	int err;

	if (!(r->efer & GWALK_EFER_NXE))
		rsvd |= GWALK_XD;

	for (; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		err = gwalk_read(read_gpa, opaque,
				 table + (((gla >> shift) & 0x1ff) << 3), 8,
				 &e);
		if (err)
			return err;
		if (!(e & GWALK_P))
			return gwalk_fault(s, 0);
		if ((e & rsvd) || (level == 4 && (e & GWALK_PS)))
			return gwalk_fault(s, GWALK_PF_P | GWALK_PF_RSVD);
		s->rw = s->rw && (e & GWALK_RW);
		s->us = s->us && (e & GWALK_US);
		s->xd = s->xd || (e & GWALK_XD);

		if (level == 1 || (level <= 3 && (e & GWALK_PS))) {
			/* 1 GiB / 2 MiB pages: bit 12 is PAT, 29:13 or
			 * 20:13 reserved (tables 4-17, 4-18). */
			if (level > 1 && (e & gwalk_bits(shift - 1, 13)))
				return gwalk_fault(s, GWALK_PF_P |
							      GWALK_PF_RSVD);
			err = gwalk_check(s);
			if (err)
				return err;
			page = e & addr_mask & ~((1ull << shift) - 1);
			*gpa = page | (gla & ((1ull << shift) - 1));
			return 0;
		}
		table = e & addr_mask;
	}
	return -EINVAL; /* not reached: level 1 always returns */
}

int gwalk_translate(const struct gwalk_regs *r, uint64_t gla,
		    unsigned int access, gwalk_read_fn read_gpa, void *opaque,
		    uint64_t *gpa, uint32_t *pf_error)
{
	struct gwalk_state s = { .r = r, .access = access, .rw = true,
				 .us = true, .pf_error = pf_error };
	unsigned int m = gwalk_maxphy(r);
	uint64_t pdpte;
	int err;

	*pf_error = 0;
	if (!(r->cr0 & GWALK_CR0_PG)) {
		/* No paging: linear is physical, 32 bits wide (4.1.1). */
		*gpa = gla & 0xffffffffull;
		return 0;
	}
	if (!(r->cr4 & GWALK_CR4_PAE))
		return gwalk_32(&s, (uint32_t)gla, read_gpa, opaque, gpa);

	if (r->efer & GWALK_EFER_LMA) {
		if (r->cr4 & GWALK_CR4_LA57)
			return -EOPNOTSUPP;
		/* Bits 63:47 must all equal bit 47 (3A 3.3.7.1). */
		if ((uint64_t)((int64_t)(gla << 16) >> 16) != gla)
			return -EINVAL;
		return gwalk_64(&s, gla, r->cr3 & gwalk_bits(m - 1, 12), 4,
				read_gpa, opaque, gpa);
	}

	/* PAE: CR3 bits 31:5 locate four PDPTEs (SDM 3A 4.4.1). */
	gla &= 0xffffffffull;
	if (r->pdptes) {
		pdpte = r->pdptes[gla >> 30];
	} else {
		err = gwalk_read(read_gpa, opaque,
				 (r->cr3 & 0xffffffe0ull) + ((gla >> 30) << 3),
				 8, &pdpte);
		if (err)
			return err;
	}
	if (!(pdpte & GWALK_P))
		return gwalk_fault(&s, 0);
	/* PDPTE reserved bits: 2:1, 8:5, 63:MAXPHYADDR (table 4-8). */
	if (pdpte & (gwalk_bits(2, 1) | gwalk_bits(8, 5) | gwalk_bits(63, m)))
		return gwalk_fault(&s, GWALK_PF_P | GWALK_PF_RSVD);
	return gwalk_64(&s, gla, pdpte & gwalk_bits(m - 1, 12), 2, read_gpa,
			opaque, gpa);
}
