/* SPDX-License-Identifier: MIT */
/*
 * A fake physical memory for tests/unit/test_acpi.c, with builders for
 * ACPI tables in it. fake_map() hands the parser a fresh heap copy of
 * exactly the bytes it asked for, so AddressSanitizer reports any read
 * past a length the parser validated.
 */
#ifndef KEEL_TESTS_UNIT_ACPI_FAKE_H
#define KEEL_TESTS_UNIT_ACPI_FAKE_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_MEM_SIZE (2u << 20) /* physical 0 - 2 MiB; above: unmapped */
#define FAKE_TABLES 0x100000	 /* where fake_table() places tables */

extern uint8_t fake_mem[FAKE_MEM_SIZE];

/* Clear the memory and the table allocator; free earlier mappings. */
void fake_reset(void);
const void *fake_map(uint64_t phys, size_t len);
/* How many fake_map() calls returned NULL since fake_reset(). */
extern unsigned int fake_map_refused;

/* A table body under construction (header added by fake_table()). */
struct tbuf {
	uint8_t b[8192];
	size_t n;
};
void tb_init(struct tbuf *t);
void tb_u8(struct tbuf *t, uint8_t v);
void tb_u16(struct tbuf *t, uint16_t v);
void tb_u32(struct tbuf *t, uint32_t v);
void tb_u64(struct tbuf *t, uint64_t v);
void tb_bytes(struct tbuf *t, const void *p, size_t n);
/* A Generic Address Structure. */
void tb_gas(struct tbuf *t, uint8_t space, uint8_t width, uint64_t addr);

/* Place @sig with body @t and a correct checksum; returns its address. */
uint64_t fake_table(const char *sig, uint8_t rev, const struct tbuf *t);
/* Raw header fields, for corrupting a placed table. */
void fake_set_len(uint64_t phys, uint32_t len);
void fake_fix_checksum(uint64_t phys);
void fake_break_checksum(uint64_t phys);

/* An RSDT/XSDT listing @n tables. */
uint64_t fake_rsdt(const uint64_t *tables, unsigned int n);
uint64_t fake_xsdt(const uint64_t *tables, unsigned int n);
/* An RSDP at @phys: revision 0 (20 bytes) or 2 (36 bytes). */
void fake_rsdp(uint64_t phys, uint8_t rev, uint32_t rsdt, uint64_t xsdt);

/* A DSDT whose AML body is @aml. */
uint64_t fake_dsdt(const void *aml, size_t len);

#endif
