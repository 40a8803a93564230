// SPDX-License-Identifier: MIT
/*
 * The AMD nested-paging entry format (APM vol. 2 15.25): nested tables
 * are ordinary long-mode 4-level page tables (APM 5.3) walked with the
 * gPA as the "linear" address.
 *
 *   bit 0 present, 1 read/write, 2 user: every nested access counts as a
 *     user access (APM 15.25.5), so U is set at every level or the walk
 *     faults;
 *   bit 3 PWT, 4 PCD, and PAT (bit 7 in a PTE, bit 12 in a large page)
 *     choose the nested memory type through the host's PAT MSR;
 *   bit 7 PS in a PDPE (1 GiB) or PDE (2 MiB);
 *   bit 63 NX: honoured because Keel runs with EFER.NXE set;
 *   bits 51:12 the physical address.
 */
#include "ept/s2.h"

#include "core/paging.h"

#define NPT_US (1ull << 2)
#define NPT_PAT_4K (1ull << 7)
#define NPT_PAT_LARGE (1ull << 12)

/*
 * Memory type through PAT index PAT*4 + PCD*2 + PWT. Keel leaves IA32_PAT
 * at its reset value (SDM 3A 12.12.2): 0 WB, 1 WT, 2 UC-, 3 UC. WC and WP
 * have no slot there, so they get UC: stricter, never wrong for MMIO.
 */
static uint64_t npt_mt_bits(unsigned int memtype)
{
	switch (memtype) {
	case S2_MT_WB:
		return 0;
	case S2_MT_WT:
		return PTE_PWT;
	default:
		return PTE_PCD | PTE_PWT;
	}
}

static uint64_t npt_leaf(uint64_t hpa, unsigned int perms, int level,
			 unsigned int memtype)
{
	/* In a large page, bit 12 is PAT and the rest below its size is
	 * reserved: only the aligned address goes in. */
	uint64_t addr = hpa & PTE_ADDR & ~(s2_level_size(level) - 1);
	uint64_t e = addr | PTE_P | NPT_US | npt_mt_bits(memtype);

	if (perms & S2_W)
		e |= PTE_W;
	if (!(perms & S2_X))
		e |= PTE_NX;
	if (level > S2_LEVEL_4K)
		e |= PTE_PS;
	return e;
}

/* Non-leaf: writable, user, executable; rights of all levels combine
 * (APM 5.7), so the leaf alone decides. */
static uint64_t npt_table(uint64_t hpa)
{
	return (hpa & PTE_ADDR) | PTE_P | PTE_W | NPT_US;
}

static bool npt_present(uint64_t e)
{
	return e & PTE_P;
}

static bool npt_is_leaf(uint64_t e, int level)
{
	return level == S2_LEVEL_4K || (e & PTE_PS);
}

/* A large page's PAT bit (12) is never set by npt_leaf; the engine also
 * aligns the address to the page size. */
static uint64_t npt_addr(uint64_t e)
{
	return e & PTE_ADDR;
}

static unsigned int npt_perms(uint64_t e)
{
	return S2_R | (e & PTE_W ? S2_W : 0) | (e & PTE_NX ? 0 : S2_X);
}

static unsigned int npt_memtype(uint64_t e, int level)
{
	uint64_t pat = level > S2_LEVEL_4K ? NPT_PAT_LARGE : NPT_PAT_4K;

	if (e & pat)
		return S2_MT_UC; /* PAT slots 4-7: never made by npt_leaf */
	if (e & PTE_PCD)
		return S2_MT_UC; /* UC- or UC */
	return e & PTE_PWT ? S2_MT_WT : S2_MT_WB;
}

const struct s2_format s2_npt = {
	.name = "NPT",
	.leaf = npt_leaf,
	.table = npt_table,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.perms = npt_perms,
	.memtype = npt_memtype,
};

/* nCR3 with PWT = PCD = 0: the tables themselves are walked write-back. */
uint64_t s2_npt_ncr3(const struct s2_table *t)
{
	return t->root & PTE_ADDR;
}
