// SPDX-License-Identifier: MIT
/*
 * The guest page-table walker on synthetic tables in a fake guest memory:
 * each paging mode and page size, permission faults with the #PF error
 * code the CPU would report, reserved bits, and hostile tables (outside
 * memory, self-referencing).
 * UNIT_SRCS: core/gwalk.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gwalk.h"
#include "unit.h"

#define MEM_SIZE (4u << 20)

static uint8_t *mem;
static unsigned int reads;

static int rd(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	reads++;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void reset(void)
{
	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0, MEM_SIZE);
	reads = 0;
}

#define P 1u
#define RW 2u
#define US 4u
#define PS 0x80u
#define XD (1ull << 63)
#define PG GWALK_CR0_PG
#define WP GWALK_CR0_WP

static int tr(const struct gwalk_regs *r, uint64_t gla, unsigned int acc,
	      uint64_t *gpa, uint32_t *pf)
{
	*gpa = ~0ull;
	return gwalk_translate(r, gla, acc, rd, NULL, gpa, pf);
}

UNIT_TEST(gwalk_paging_off)
{
	struct gwalk_regs r = { .cr0 = 0x11 };
	uint64_t gpa;
	uint32_t pf;

	reset();
	UNIT_CHECK(!tr(&r, 0x123456789ull, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == 0x23456789 && reads == 0);
}

UNIT_TEST(gwalk_32bit)
{
	struct gwalk_regs r = { .cr0 = PG | WP, .cr3 = 0x1000,
				.cr4 = GWALK_CR4_PSE };
	uint64_t gpa;
	uint32_t pf;

	reset();
	/* 0x00401000..: PDE 1 -> PT at 0x2000, PTE 1 -> 0x5000 (RW, US) */
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);
	put32(0x2000 + 1 * 4, 0x5000 | P | RW | US);
	UNIT_CHECK(!tr(&r, 0x00401abc, GWALK_WRITE | GWALK_USER, &gpa, &pf));
	UNIT_CHECK(gpa == 0x5abc);
	/* PTE 2 read-only, supervisor */
	put32(0x2000 + 2 * 4, 0x6000 | P);
	UNIT_CHECK(!tr(&r, 0x00402010, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(gpa == 0x6010);
	UNIT_CHECK(tr(&r, 0x00402010, GWALK_WRITE, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_W));
	UNIT_CHECK(tr(&r, 0x00402010, GWALK_USER, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_U));
	/* CR0.WP = 0: the supervisor may write a read-only page. */
	r.cr0 = PG;
	UNIT_CHECK(!tr(&r, 0x00402010, GWALK_WRITE, &gpa, &pf));
	r.cr0 = PG | WP;
	/* Not present PTE, then not present PDE. */
	UNIT_CHECK(tr(&r, 0x00403000, GWALK_WRITE | GWALK_USER, &gpa, &pf) ==
		   -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_W | GWALK_PF_U));
	UNIT_CHECK(tr(&r, 0x00c00000, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == 0);
	/* No I/D bit in 32-bit paging without SMEP. */
	UNIT_CHECK(tr(&r, 0x00c00000, GWALK_EXEC, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == 0);
	/* The PDE's R/W counts too. */
	put32(0x1000 + 1 * 4, 0x2000 | P | US);
	UNIT_CHECK(tr(&r, 0x00401000, GWALK_WRITE | GWALK_USER, &gpa, &pf) ==
		   -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_W | GWALK_PF_U));

	/* 4 MiB page, PSE-36: PDE bits 20:13 are PA bits 39:32. */
	put32(0x1000 + 3 * 4, 0x00c00000 | (0x12 << 13) | P | RW | PS);
	UNIT_CHECK(!tr(&r, 0x00d23456, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == 0x1200c00000ull + 0x123456);
	/* MAXPHYADDR 36: PA bits 39:36 (PDE 20:17) are reserved. */
	r.maxphyaddr = 36;
	UNIT_CHECK(tr(&r, 0x00d23456, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	r.maxphyaddr = 0;
	/* Bit 21 is always reserved in a 4 MiB PDE. */
	put32(0x1000 + 3 * 4, 0x00c00000 | (1u << 21) | P | PS);
	UNIT_CHECK(tr(&r, 0x00d23456, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	/* CR4.PSE = 0: PS is ignored, the PDE points to a page table. */
	put32(0x1000 + 3 * 4, 0x3000 | P | RW | PS);
	put32(0x3000 + 0x123 * 4, 0x7000 | P);
	r.cr4 = 0;
	UNIT_CHECK(!tr(&r, 0x00d23456, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(gpa == 0x7456);
}

UNIT_TEST(gwalk_pae)
{
	struct gwalk_regs r = { .cr0 = PG | WP, .cr3 = 0x1020,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_NXE };
	uint64_t gpa, pdptes[4];
	uint32_t pf;

	reset();
	/* PDPTE 2 (0x80000000..) -> PD 0x2000 */
	put64(0x1020 + 2 * 8, 0x2000 | P);
	/* PD 1: 2 MiB page at 0x00600000, NX; PD 2 -> PT 0x3000 */
	put64(0x2000 + 1 * 8, 0x600000 | P | RW | PS | XD);
	put64(0x2000 + 2 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 5 * 8, 0x9000 | P | US);
	UNIT_CHECK(!tr(&r, 0x80212345, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == 0x612345);
	UNIT_CHECK(tr(&r, 0x80212345, GWALK_EXEC, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_I));
	UNIT_CHECK(!tr(&r, 0x80405abc, GWALK_USER | GWALK_EXEC, &gpa, &pf));
	UNIT_CHECK(gpa == 0x9abc);
	UNIT_CHECK(tr(&r, 0x80405abc, GWALK_USER | GWALK_WRITE, &gpa, &pf) ==
		   -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_W | GWALK_PF_U));
	/* Not-present PDPTE. */
	UNIT_CHECK(tr(&r, 0x00001000, GWALK_EXEC, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == GWALK_PF_I);
	/* Reserved bits in 2 MiB PDE (bits 20:13). */
	put64(0x2000 + 3 * 8, 0x800000 | (1u << 13) | P | PS);
	UNIT_CHECK(tr(&r, 0x80600000, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	/* Bit 12 is PAT, not an address bit, in a 2 MiB PDE. */
	put64(0x2000 + 3 * 8, 0x800000 | (1u << 12) | P | PS);
	UNIT_CHECK(!tr(&r, 0x80600010, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(gpa == 0x800010);
	/* XD without EFER.NXE is a reserved bit. */
	r.efer = 0;
	UNIT_CHECK(tr(&r, 0x80212345, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	r.efer = GWALK_EFER_NXE;
	/* PDPTE reserved bits 2:1 (R/W is not defined there). */
	put64(0x1020 + 2 * 8, 0x2000 | P | RW);
	UNIT_CHECK(tr(&r, 0x80212345, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	/* The CPU's cached PDPTEs win over memory. */
	memset(pdptes, 0, sizeof(pdptes));
	pdptes[2] = 0x2000 | P;
	r.pdptes = pdptes;
	UNIT_CHECK(!tr(&r, 0x80212345, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(gpa == 0x612345);
	/* The upper 32 bits of a PAE linear address do not exist. */
	UNIT_CHECK(!tr(&r, 0xffff00080212345ull, GWALK_READ, &gpa, &pf));
}

/* 4-level tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void build_4level(void)
{
	reset();
	put64(0x1000 + 0 * 8, 0x2000 | P | RW | US);
	put64(0x2000 + 0 * 8, 0x3000 | P | RW | US);
	put64(0x2000 + 1 * 8, 0x40000000 | P | RW | PS); /* 1 GiB, sup. */
	put64(0x3000 + 0 * 8, 0x4000 | P | RW | US);
	put64(0x3000 + 1 * 8, 0x200000 | P | US | PS | XD); /* 2 MiB */
	put64(0x4000 + 7 * 8, 0x8000 | P | RW | US);
	put64(0x4000 + 8 * 8, 0x9000 | P | RW);
	/* The top of the address space: PML4 511 -> same PDPT. */
	put64(0x1000 + 511 * 8, 0x2000 | P | RW);
}

UNIT_TEST(gwalk_4level)
{
	struct gwalk_regs r = { .cr0 = PG | WP, .cr3 = 0x1000,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_LMA | GWALK_EFER_NXE };
	uint64_t gpa;
	uint32_t pf;

	build_4level();
	UNIT_CHECK(!tr(&r, 0x7123, GWALK_USER | GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == 0x8123);
	UNIT_CHECK(!tr(&r, 0x2abcde, GWALK_USER, &gpa, &pf));
	UNIT_CHECK(gpa == 0x2abcde);
	UNIT_CHECK(tr(&r, 0x2abcde, GWALK_USER | GWALK_EXEC, &gpa, &pf) ==
		   -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_U | GWALK_PF_I));
	UNIT_CHECK(!tr(&r, 0x7edcba98, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == 0x7edcba98);
	UNIT_CHECK(tr(&r, 0x7edcba98, GWALK_USER, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_U));
	/* Canonical high half: PML4 511, supervisor-only. */
	UNIT_CHECK(!tr(&r, 0xffffff8000008010ull, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(gpa == 0x9010);
	UNIT_CHECK(tr(&r, 0xffffff8000008010ull, GWALK_USER, &gpa, &pf) ==
		   -EFAULT);
	/* Non-canonical: #GP, not #PF. */
	UNIT_CHECK(tr(&r, 0x0000800000000000ull, GWALK_READ, &gpa, &pf) ==
		   -EINVAL);
	/* SMEP: supervisor fetch from a user page. */
	r.cr4 |= GWALK_CR4_SMEP;
	UNIT_CHECK(tr(&r, 0x7123, GWALK_EXEC, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_I));
	UNIT_CHECK(!tr(&r, 0x8123, GWALK_EXEC, &gpa, &pf)); /* sup. page */
	/* SMAP: supervisor data access to a user page unless AC. */
	r.cr4 |= GWALK_CR4_SMAP;
	UNIT_CHECK(tr(&r, 0x7123, GWALK_WRITE, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_W));
	r.rflags = GWALK_RFLAGS_AC;
	UNIT_CHECK(!tr(&r, 0x7123, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(tr(&r, 0x7123, GWALK_IMPLICIT, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(!tr(&r, 0x8000, GWALK_WRITE, &gpa, &pf)); /* sup. page */
	/* 5-level paging is refused. */
	r.cr4 |= GWALK_CR4_LA57;
	UNIT_CHECK(tr(&r, 0x7123, GWALK_READ, &gpa, &pf) == -EOPNOTSUPP);
}

UNIT_TEST(gwalk_4level_reserved)
{
	struct gwalk_regs r = { .cr0 = PG | WP, .cr3 = 0x1000,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_LMA | GWALK_EFER_NXE,
				.maxphyaddr = 39 };
	uint64_t gpa;
	uint32_t pf;

	build_4level();
	UNIT_CHECK(!tr(&r, 0x7123, GWALK_READ, &gpa, &pf));
	/* An address bit at or above MAXPHYADDR in the PTE. */
	put64(0x4000 + 7 * 8, (1ull << 39) | 0x8000 | P | RW | US);
	UNIT_CHECK(tr(&r, 0x7123, GWALK_WRITE, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_W | GWALK_PF_RSVD));
	r.maxphyaddr = 40;
	UNIT_CHECK(!tr(&r, 0x7123, GWALK_WRITE, &gpa, &pf));
	UNIT_CHECK(gpa == (1ull << 39) + 0x8123);
	/* PS in a PML4E is reserved. */
	put64(0x1000, 0x2000 | P | RW | US | PS);
	UNIT_CHECK(tr(&r, 0x7123, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	put64(0x1000, 0x2000 | P | RW | US);
	/* 1 GiB page with bits 29:13 set is reserved. */
	put64(0x2000 + 1 * 8, 0x40000000 | (1u << 20) | P | RW | PS);
	UNIT_CHECK(tr(&r, 0x40000000, GWALK_READ, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_RSVD));
	/* The reserved check precedes the permission check at a leaf. */
	UNIT_CHECK(tr(&r, 0x40000000, GWALK_USER, &gpa, &pf) == -EFAULT);
	UNIT_CHECK(pf == (GWALK_PF_P | GWALK_PF_U | GWALK_PF_RSVD));
}

UNIT_TEST(gwalk_hostile_tables)
{
	struct gwalk_regs r = { .cr0 = PG, .cr3 = 0x1000,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_LMA };
	uint64_t gpa;
	uint32_t pf;
	unsigned int i;

	/* A table pointing outside guest memory: -EIO, no #PF. */
	reset();
	put64(0x1000, 0x7ff000 | P);
	UNIT_CHECK(tr(&r, 0x1000, GWALK_READ, &gpa, &pf) == -EIO);
	/* CR3 itself outside memory. */
	r.cr3 = 0x7fff000;
	UNIT_CHECK(tr(&r, 0x1000, GWALK_READ, &gpa, &pf) == -EIO);
	r.cr3 = 0x1000;
	/* Every level points back at the PML4: four reads, then a leaf. */
	reset();
	put64(0x1000, 0x1000 | P | RW);
	UNIT_CHECK(!tr(&r, 0x123, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(reads == 4 && gpa == 0x1123);
	/* Random tables never take more than 4 reads or crash. */
	for (i = 0; i < 20000; i++) {
		uint64_t v = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 12 ^
			     rand();
		unsigned int idx = rand() % 8;

		put64(0x1000 + 8 * (i % 16), v);
		put64((v & 0x3ff000) + 8 * idx, v ^ rand());
		reads = 0;
		r.efer = GWALK_EFER_LMA | ((i & 1) ? GWALK_EFER_NXE : 0);
		tr(&r, (uint64_t)idx << 12 | (uint64_t)(i % 16) << 39 |
			   (uint64_t)idx << 21,
		   i & 0x16, &gpa, &pf);
		UNIT_CHECK(reads <= 4);
	}
	/* 32-bit paging is two reads at most. */
	r = (struct gwalk_regs){ .cr0 = PG, .cr3 = 0x1000 };
	put32(0x1000, 0x1000 | P);
	reads = 0;
	UNIT_CHECK(!tr(&r, 0x5, GWALK_READ, &gpa, &pf));
	UNIT_CHECK(reads == 2 && gpa == 0x1005);
}
