// SPDX-License-Identifier: MIT
/*
 * The Intel EPT entry format (SDM vol. 3C 29.3.2, tables 29-1 to 29-6)
 * and the EPT pointer (SDM 3C 25.6.11) for the stage-2 engine.
 *
 *   bit 0 read, 1 write, 2 execute (supervisor execute without
 *     mode-based execute control, which Keel does not turn on);
 *   bits 5:3 memory type, leaves only (29.3.7); bit 6 ignore PAT;
 *   bit 7 "maps a page" in a PDPTE (1 GiB) or PDE (2 MiB), reserved in
 *     the PML4E and ignored in the PTE;
 *   bits 8/9 accessed/dirty (only with EPTP bit 6);
 *   bits 51:12 the physical address, of the page or the next table.
 *
 * An entry is present when any of bits 2:0 is set (29.3.2).
 */
#include "ept/s2.h"

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_MT_SHIFT 3
#define EPT_MT_MASK (7ull << EPT_MT_SHIFT)
#define EPT_IPAT (1ull << 6)
#define EPT_LARGE (1ull << 7)
#define EPT_ADDR 0x000ffffffffff000ull

/* EPTP: paging-structure memory type, walk length - 1 (25.6.11). */
#define EPTP_MT_WB 6ull
#define EPTP_WALK_4 (3ull << 3)

static uint64_t ept_leaf(uint64_t hpa, unsigned int perms, int level,
			 unsigned int memtype)
{
	/* A large page's address bits below its size are reserved. */
	uint64_t addr = hpa & EPT_ADDR & ~(s2_level_size(level) - 1);
	uint64_t e =
	    addr | (perms & S2_RWX) | ((uint64_t)memtype << EPT_MT_SHIFT);

	/*
	 * Guest RAM: write-back whatever the guest's PAT says. The host's
	 * direct map holds the same frames write-back, and aliasing one
	 * frame with different memory types is undefined (SDM 3A 12.12.4);
	 * ignoring the guest PAT (29.3.7.2) keeps the two the same. Other
	 * types (MMIO) combine with the guest's PAT as on bare metal.
	 */
	if (memtype == S2_MT_WB)
		e |= EPT_IPAT;
	if (level > S2_LEVEL_4K)
		e |= EPT_LARGE;
	return e;
}

/*
 * Non-leaf entries allow everything: the access rights of all levels
 * combine (29.3.3), so the leaf alone decides. Bits 7:3 must be 0.
 */
static uint64_t ept_table(uint64_t hpa)
{
	return (hpa & EPT_ADDR) | EPT_R | EPT_W | EPT_X;
}

static bool ept_present(uint64_t e)
{
	return e & (EPT_R | EPT_W | EPT_X);
}

static bool ept_is_leaf(uint64_t e, int level)
{
	return level == S2_LEVEL_4K || (e & EPT_LARGE);
}

static uint64_t ept_addr(uint64_t e)
{
	return e & EPT_ADDR;
}

static unsigned int ept_perms(uint64_t e)
{
	return e & (EPT_R | EPT_W | EPT_X);
}

static unsigned int ept_memtype(uint64_t e, int level)
{
	return (e & EPT_MT_MASK) >> EPT_MT_SHIFT;
}

const struct s2_format s2_ept = {
	.name = "EPT",
	.leaf = ept_leaf,
	.table = ept_table,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.addr = ept_addr,
	.perms = ept_perms,
	.memtype = ept_memtype,
};

/*
 * The tables are read write-back (Keel's page tables live in WB RAM,
 * and the CPU reports WB as supported in IA32_VMX_EPT_VPID_CAP bit 14 on
 * every EPT-capable part; the backend checks it). Accessed/dirty flags
 * stay off unless the backend ORs in S2_EPTP_AD.
 */
uint64_t s2_ept_eptp(const struct s2_table *t)
{
	return (t->root & EPT_ADDR) | EPTP_WALK_4 | EPTP_MT_WB;
}
