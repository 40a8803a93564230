// SPDX-License-Identifier: MIT
/*
 * Guest memory on a simulated physical memory: 2 MiB frames inside RAM and
 * 4 KiB at its edges, zeroed backing, copies across page and chunk
 * boundaries that land where the stage-2 table points, -EFAULT outside
 * RAM, populate, and every frame back in the pmm after destroy.
 * UNIT_SRCS: ept/gmem.c ept/s2.c ept/s2_ept.c ept/s2_npt.c core/pmm.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/mm.h"
#include "core/pmm.h"
#include "ept/gmem.h"
#include "unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

static uint8_t *phys_mem;
static const uint64_t phys_size = 128 * MiB;

void *mm_phys_to_virt(uint64_t phys)
{
	return phys < phys_size ? phys_mem + phys : NULL;
}

/*
 * A fresh 128 MiB machine whose free memory is full of junk, so a guest
 * page that was not zeroed shows it.
 */
static void machine(void)
{
	static struct boot_info bi;
	static uint64_t frames[32768];
	uint64_t f;
	int n = 0;

	if (!phys_mem)
		phys_mem =
		    mmap(NULL, phys_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	bi.mmap_count = 1;
	bi.mmap[0] = (struct boot_mem_range){ 1 * MiB, phys_size - 1 * MiB,
					      BOOT_MEM_AVAILABLE };
	pmm_init(&bi, NULL, 0, mm_phys_to_virt);
	while ((f = pmm_alloc_4k()))
		frames[n++] = f;
	for (int i = 0; i < n; i++)
		memset(mm_phys_to_virt(frames[i]), 0xa5, PMM_PAGE);
	while (n)
		pmm_free_4k(frames[--n]);
}

static uint64_t pmm_free_now(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.free;
}

static int level_of(struct gmem *gm, uint64_t gpa)
{
	int level;

	return s2_walk(gmem_s2(gm), gpa, NULL, NULL, &level) ? -1 : level;
}

/* What the guest sees at @gpa: through the stage-2 table, not gmem. */
static uint8_t *guest_byte(struct gmem *gm, uint64_t gpa)
{
	uint64_t hpa;

	if (s2_walk(gmem_s2(gm), gpa, &hpa, NULL, NULL))
		return NULL;
	return mm_phys_to_virt(hpa);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	if (!p)
		return false;
	while (n--)
		if (*p++)
			return false;
	return true;
}

static const struct s2_format *const formats[] = { &s2_ept, &s2_npt };

/* RAM of 5 MiB + 8 KiB: chunks 0 and 1 whole, chunk 2 partly RAM. */
#define EDGE_RAM (5 * MiB + 8 * KiB)

UNIT_TEST(gmem_fault_backs_2m_inside_ram_and_4k_at_its_edge)
{
	for (int i = 0; i < 2; i++) {
		struct gmem *gm;
		unsigned int perms;

		machine();
		gm = gmem_create(formats[i], EDGE_RAM, true);
		UNIT_CHECK(gm && gmem_s2(gm)->fmt == formats[i]);
		UNIT_CHECK(gmem_backed_bytes(gm) == 0);
		UNIT_CHECK(level_of(gm, 0x1234) == -1);
		UNIT_CHECK(gmem_fault(gm, 0x1234, false) == 0);
		UNIT_CHECK(gmem_backed_bytes(gm) == 2 * MiB);
		UNIT_CHECK(level_of(gm, 0) == 1);
		UNIT_CHECK(s2_walk(gmem_s2(gm), 0x1234, NULL, &perms, NULL) ==
			       0 &&
			   perms == S2_RWX);
		UNIT_CHECK(all_zero(guest_byte(gm, 0), 2 * MiB));
		/* A second fault (another vCPU, same page) changes nothing. */
		UNIT_CHECK(gmem_fault(gm, 0x1fffff, true) == 0);
		UNIT_CHECK(gmem_backed_bytes(gm) == 2 * MiB);
		/* The chunk RAM ends in: 4 KiB pages. */
		UNIT_CHECK(gmem_fault(gm, 5 * MiB + 4 * KiB, true) == 0);
		UNIT_CHECK(gmem_backed_bytes(gm) == 2 * MiB + 4 * KiB);
		UNIT_CHECK(level_of(gm, 5 * MiB + 4 * KiB) == 0);
		UNIT_CHECK(level_of(gm, 5 * MiB) == -1);
		UNIT_CHECK(all_zero(guest_byte(gm, 5 * MiB + 4 * KiB), 4096));
		UNIT_CHECK(gmem_fault(gm, 4 * MiB, true) == 0);
		UNIT_CHECK(level_of(gm, 4 * MiB) == 0);
		/* Not RAM: the caller's business (MMIO or a guest error). */
		UNIT_CHECK(gmem_fault(gm, EDGE_RAM, true) == -EFAULT);
		UNIT_CHECK(gmem_fault(gm, 6 * MiB, false) == -EFAULT);
		UNIT_CHECK(gmem_fault(gm, S2_GPA_LIMIT, false) == -EFAULT);
		UNIT_CHECK(gmem_fault(gm, ~0ull, false) == -EFAULT);
		UNIT_CHECK(level_of(gm, EDGE_RAM) == -1);
		UNIT_CHECK(gmem_backed_bytes(gm) == 2 * MiB + 8 * KiB);
		gmem_destroy(gm);
	}
}

UNIT_TEST(gmem_falls_back_to_4k_without_2m_frames)
{
	static uint64_t big[64];
	struct gmem *gm;
	int n = 0;

	machine();
	gm = gmem_create(&s2_npt, 16 * MiB, false);
	while ((big[n] = pmm_alloc_2m()))
		n++;
	UNIT_CHECK(gmem_fault(gm, 3 * MiB, true) == 0);
	UNIT_CHECK(gmem_backed_bytes(gm) == 4 * KiB);
	UNIT_CHECK(level_of(gm, 3 * MiB) == 0);
	UNIT_CHECK(all_zero(guest_byte(gm, 3 * MiB), 4096));
	while (n)
		pmm_free_2m(big[--n]);
	/* The same chunk stays small; a fresh one gets a large frame. */
	UNIT_CHECK(gmem_fault(gm, 3 * MiB + 4 * KiB, true) == 0);
	UNIT_CHECK(level_of(gm, 3 * MiB + 4 * KiB) == 0);
	UNIT_CHECK(gmem_fault(gm, 9 * MiB, true) == 0);
	UNIT_CHECK(level_of(gm, 9 * MiB) == 1);
	UNIT_CHECK(gmem_backed_bytes(gm) == 2 * MiB + 8 * KiB);
	gmem_destroy(gm);
}

UNIT_TEST(gmem_copies_across_page_and_chunk_boundaries)
{
	static uint8_t in[3 * MiB], out[3 * MiB];

	for (size_t k = 0; k < sizeof(in); k++)
		in[k] = (uint8_t)(k * 7 + k / 4096);
	for (int i = 0; i < 2; i++) {
		struct gmem *gm;

		machine();
		gm = gmem_create(formats[i], EDGE_RAM, true);
		/* Across the 2 MiB boundary between two large frames. */
		UNIT_CHECK(gmem_write(gm, 2 * MiB - 50, in, 100) == 0);
		UNIT_CHECK(gmem_backed_bytes(gm) == 4 * MiB);
		memset(out, 0, 100);
		UNIT_CHECK(gmem_read(gm, 2 * MiB - 50, out, 100) == 0);
		UNIT_CHECK(!memcmp(in, out, 100));
		/* The guest sees it there too. */
		UNIT_CHECK(!memcmp(guest_byte(gm, 2 * MiB - 50), in, 50));
		UNIT_CHECK(!memcmp(guest_byte(gm, 2 * MiB), in + 50, 50));
		UNIT_CHECK(*guest_byte(gm, 2 * MiB - 51) == 0);
		/* Across 4 KiB pages of the edge chunk, up to RAM's end. */
		UNIT_CHECK(gmem_write(gm, 5 * MiB + 4 * KiB - 10, in, 20) == 0);
		UNIT_CHECK(gmem_read(gm, 5 * MiB + 4 * KiB - 10, out, 20) == 0);
		UNIT_CHECK(!memcmp(in, out, 20));
		UNIT_CHECK(
		    !memcmp(guest_byte(gm, 5 * MiB + 4 * KiB), in + 10, 10));
		UNIT_CHECK(gmem_write(gm, EDGE_RAM - 1, in, 1) == 0);
		/* Three megabytes through both kinds of chunk at once. */
		UNIT_CHECK(
		    gmem_write(gm, EDGE_RAM - sizeof(in), in, sizeof(in)) == 0);
		UNIT_CHECK(gmem_read(gm, EDGE_RAM - sizeof(in), out,
				     sizeof(out)) == 0);
		UNIT_CHECK(!memcmp(in, out, sizeof(in)));
		UNIT_CHECK(gmem_backed_bytes(gm) == EDGE_RAM);
		UNIT_CHECK(gmem_read(gm, 0, out, 0) == 0);
		gmem_destroy(gm);
	}
}

UNIT_TEST(gmem_outside_ram_is_efault_and_touches_nothing)
{
	struct gmem *gm;
	uint8_t buf[64];

	machine();
	gm = gmem_create(&s2_ept, EDGE_RAM, true);
	memset(buf, 0x77, sizeof(buf));
	/* Straddles the end of RAM: refused before any byte moves. */
	UNIT_CHECK(gmem_write(gm, EDGE_RAM - 4, buf, 8) == -EFAULT);
	UNIT_CHECK(gmem_backed_bytes(gm) == 0);
	UNIT_CHECK(gmem_read(gm, EDGE_RAM - 4, buf, 8) == -EFAULT);
	UNIT_CHECK(buf[0] == 0x77);
	UNIT_CHECK(gmem_read(gm, EDGE_RAM, buf, 1) == -EFAULT);
	/* Wrapping and far-away addresses. */
	UNIT_CHECK(gmem_read(gm, ~0ull - 3, buf, 8) == -EFAULT);
	UNIT_CHECK(gmem_write(gm, 16, buf, ~(size_t)0) == -EFAULT);
	UNIT_CHECK(gmem_write(gm, S2_GPA_LIMIT - 8, buf, 8) == -EFAULT);
	UNIT_CHECK(gmem_populate(gm, EDGE_RAM - 4 * KiB, 8 * KiB) == -EFAULT);
	UNIT_CHECK(gmem_populate(gm, ~0ull - 4095, 8 * KiB) == -EFAULT);
	UNIT_CHECK(gmem_backed_bytes(gm) == 0);
	UNIT_CHECK(!gmem_is_ram(gm, EDGE_RAM, 1) && gmem_is_ram(gm, 0, 1) &&
		   !gmem_is_ram(gm, 0, 0));
	gmem_destroy(gm);
	/* Bad sizes never make a VM. */
	UNIT_CHECK(gmem_create(&s2_ept, 4097, true) == NULL);
	UNIT_CHECK(gmem_create(&s2_ept, S2_GPA_LIMIT + 4096, true) == NULL);
	UNIT_CHECK(gmem_create(NULL, 4096, true) == NULL);
}

UNIT_TEST(gmem_reading_untouched_ram_gives_zeros_without_backing)
{
	static uint8_t buf[3 * MiB];
	struct gmem *gm;

	machine();
	gm = gmem_create(&s2_npt, 64 * MiB, true);
	memset(buf, 0xee, sizeof(buf));
	UNIT_CHECK(gmem_read(gm, 1 * MiB, buf, sizeof(buf)) == 0);
	UNIT_CHECK(all_zero(buf, sizeof(buf)));
	UNIT_CHECK(gmem_backed_bytes(gm) == 0);
	UNIT_CHECK(level_of(gm, 1 * MiB) == -1);
	gmem_destroy(gm);
}

UNIT_TEST(gmem_ram_above_a_hole)
{
	uint8_t a[16] = "below the hole", b[16] = "above the hole", out[16];
	struct gmem *gm;

	machine();
	gm = gmem_create(&s2_ept, 2 * MiB, true);
	UNIT_CHECK(gmem_write(gm, 1 * MiB, a, sizeof(a)) == 0);
	/* Grows the chunk map; what was written stays. */
	UNIT_CHECK(gmem_add_ram(gm, 4 * GiB, 2 * MiB) == 0);
	UNIT_CHECK(gmem_read(gm, 1 * MiB, out, sizeof(out)) == 0);
	UNIT_CHECK(!memcmp(a, out, sizeof(a)));
	UNIT_CHECK(gmem_write(gm, 4 * GiB + 2 * MiB - 8, b, sizeof(b)) ==
		   -EFAULT);
	UNIT_CHECK(gmem_write(gm, 4 * GiB + 8, b, sizeof(b)) == 0);
	UNIT_CHECK(gmem_read(gm, 4 * GiB + 8, out, sizeof(out)) == 0);
	UNIT_CHECK(!memcmp(b, out, sizeof(b)));
	UNIT_CHECK(level_of(gm, 4 * GiB) == 1);
	/* The hole is not RAM. */
	UNIT_CHECK(gmem_fault(gm, 3 * GiB, true) == -EFAULT);
	UNIT_CHECK(gmem_read(gm, 2 * MiB - 8, out, 16) == -EFAULT);
	UNIT_CHECK(gmem_add_ram(gm, 4 * GiB + 1 * MiB, 4 * MiB) == -EEXIST);
	UNIT_CHECK(gmem_add_ram(gm, 1 * MiB, 4 * KiB) == -EEXIST);
	UNIT_CHECK(gmem_add_ram(gm, 8 * GiB, 100) == -EINVAL);
	UNIT_CHECK(gmem_add_ram(gm, S2_GPA_LIMIT - 4096, 8192) == -ERANGE);
	/* RAM that touches RAM: one copy spans both ranges. */
	UNIT_CHECK(gmem_add_ram(gm, 2 * MiB, 1 * MiB) == 0);
	UNIT_CHECK(gmem_write(gm, 2 * MiB - 8, b, sizeof(b)) == 0);
	UNIT_CHECK(gmem_read(gm, 2 * MiB - 8, out, sizeof(out)) == 0);
	UNIT_CHECK(!memcmp(b, out, sizeof(b)));
	/* Chunk 1 is only half RAM: small pages. */
	UNIT_CHECK(level_of(gm, 2 * MiB) == 0);
	for (int k = 0; k < 5; k++)
		gmem_add_ram(gm, (10 + k) * GiB, 4096);
	UNIT_CHECK(gmem_add_ram(gm, 20 * GiB, 4096) == -ENOSPC);
	gmem_destroy(gm);
}

UNIT_TEST(gmem_populate_backs_a_range_now)
{
	struct gmem *gm;

	machine();
	gm = gmem_create(&s2_ept, EDGE_RAM, true);
	UNIT_CHECK(gmem_populate(gm, 0, 5 * MiB) == 0);
	/* Two large frames and 256 small ones. */
	UNIT_CHECK(gmem_backed_bytes(gm) == 5 * MiB);
	UNIT_CHECK(level_of(gm, 3 * MiB) == 1);
	UNIT_CHECK(level_of(gm, 5 * MiB - 1) == 0);
	UNIT_CHECK(level_of(gm, 5 * MiB) == -1);
	UNIT_CHECK(gmem_populate(gm, 5 * MiB + 100, 10) == 0);
	UNIT_CHECK(gmem_backed_bytes(gm) == 5 * MiB + 4 * KiB);
	UNIT_CHECK(gmem_populate(gm, 0, EDGE_RAM) == 0);
	UNIT_CHECK(gmem_backed_bytes(gm) == EDGE_RAM);
	UNIT_CHECK(gmem_populate(gm, 0, 0) == 0);
	gmem_destroy(gm);
}

UNIT_TEST(gmem_destroy_returns_every_frame)
{
	for (int i = 0; i < 2; i++) {
		uint64_t free0, large0;
		struct pmm_stats st;
		struct gmem *gm;

		machine();
		pmm_get_stats(&st);
		free0 = st.free;
		large0 = st.free_large;
		gm = gmem_create(formats[i], 32 * MiB + 12 * KiB, true);
		gmem_add_ram(gm, 1 * GiB, 6 * MiB);
		gmem_populate(gm, 1 * MiB, 12 * MiB);
		gmem_populate(gm, 32 * MiB, 12 * KiB);
		gmem_write(gm, 1 * GiB + 2 * MiB - 3, "xyzzy", 5);
		UNIT_CHECK(pmm_free_now() < free0 - 16 * MiB);
		gmem_destroy(gm);
		pmm_get_stats(&st);
		UNIT_CHECK(st.free == free0 && st.free_large == large0);
	}
}

UNIT_TEST(gmem_out_of_host_memory_is_enomem)
{
	static uint64_t taken[32768];
	struct gmem *gm;
	uint64_t f;
	int n = 0;

	machine();
	gm = gmem_create(&s2_npt, 64 * MiB, true);
	while ((f = pmm_alloc_4k()))
		taken[n++] = f;
	UNIT_CHECK(gmem_fault(gm, 0, true) == -ENOMEM);
	UNIT_CHECK(gmem_write(gm, 0, "x", 1) == -ENOMEM);
	UNIT_CHECK(gmem_populate(gm, 0, 4 * KiB) == -ENOMEM);
	UNIT_CHECK(gmem_backed_bytes(gm) == 0);
	/* One frame for the data is not enough: it needs metadata too. */
	pmm_free_4k(taken[--n]);
	UNIT_CHECK(gmem_fault(gm, 0, true) == -ENOMEM);
	UNIT_CHECK(pmm_free_now() == 4 * KiB);
	while (n)
		pmm_free_4k(taken[--n]);
	UNIT_CHECK(gmem_write(gm, 0, "x", 1) == 0);
	gmem_destroy(gm);
}
