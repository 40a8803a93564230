// SPDX-License-Identifier: MIT
/* Fake physical memory and ACPI table builders (acpi_fake.h). */
#include "acpi_fake.h"

#include <stdlib.h>
#include <string.h>

uint8_t fake_mem[FAKE_MEM_SIZE];
unsigned int fake_map_refused;
static uint64_t fake_next = FAKE_TABLES;
static void *fake_copies[4096];
static unsigned int fake_ncopies;

void fake_reset(void)
{
	for (unsigned int i = 0; i < fake_ncopies; i++)
		free(fake_copies[i]);
	fake_ncopies = 0;
	fake_map_refused = 0;
	memset(fake_mem, 0, sizeof(fake_mem));
	fake_next = FAKE_TABLES;
}

const void *fake_map(uint64_t phys, size_t len)
{
	void *copy;

	if (!len || phys >= FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - phys ||
	    fake_ncopies == sizeof(fake_copies) / sizeof(fake_copies[0])) {
		fake_map_refused++;
		return NULL;
	}
	copy = malloc(len);
	memcpy(copy, fake_mem + phys, len);
	fake_copies[fake_ncopies++] = copy;
	return copy;
}

void tb_init(struct tbuf *t)
{
	t->n = 0;
}

void tb_bytes(struct tbuf *t, const void *p, size_t n)
{
	if (t->n + n > sizeof(t->b))
		abort();
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

void tb_u8(struct tbuf *t, uint8_t v)
{
	tb_bytes(t, &v, 1);
}

void tb_u16(struct tbuf *t, uint16_t v)
{
	tb_bytes(t, &v, 2);
}

void tb_u32(struct tbuf *t, uint32_t v)
{
	tb_bytes(t, &v, 4);
}

void tb_u64(struct tbuf *t, uint64_t v)
{
	tb_bytes(t, &v, 8);
}

void tb_gas(struct tbuf *t, uint8_t space, uint8_t width, uint64_t addr)
{
	tb_u8(t, space);
	tb_u8(t, width);
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u64(t, addr);
}

static uint8_t fake_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

void fake_fix_checksum(uint64_t phys)
{
	uint32_t len;

	memcpy(&len, fake_mem + phys + 4, 4);
	if (phys + len > FAKE_MEM_SIZE) /* only a header is in memory */
		len = 36;
	fake_mem[phys + 9] = 0;
	fake_mem[phys + 9] = -fake_sum(fake_mem + phys, len);
}

void fake_break_checksum(uint64_t phys)
{
	fake_mem[phys + 9] ^= 0x5a;
}

void fake_set_len(uint64_t phys, uint32_t len)
{
	memcpy(fake_mem + phys + 4, &len, 4);
}

uint64_t fake_table(const char *sig, uint8_t rev, const struct tbuf *t)
{
	uint64_t phys = fake_next;
	uint32_t len = 36 + (uint32_t)t->n;
	uint8_t *h = fake_mem + phys;

	if (phys + len > FAKE_MEM_SIZE)
		abort();
	memcpy(h, sig, 4);
	memcpy(h + 4, &len, 4);
	h[8] = rev;
	memcpy(h + 10, "KEELT ", 6);
	memcpy(h + 16, "UNITTEST", 8);
	memcpy(h + 36, t->b, t->n);
	fake_fix_checksum(phys);
	fake_next = (phys + len + 15) & ~15ull;
	return phys;
}

static uint64_t fake_root(const char *sig, const uint64_t *tables,
			  unsigned int n, int esz)
{
	struct tbuf t;

	tb_init(&t);
	for (unsigned int i = 0; i < n; i++) {
		if (esz == 8)
			tb_u64(&t, tables[i]);
		else
			tb_u32(&t, (uint32_t)tables[i]);
	}
	return fake_table(sig, 1, &t);
}

uint64_t fake_rsdt(const uint64_t *tables, unsigned int n)
{
	return fake_root("RSDT", tables, n, 4);
}

uint64_t fake_xsdt(const uint64_t *tables, unsigned int n)
{
	return fake_root("XSDT", tables, n, 8);
}

void fake_rsdp(uint64_t phys, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = fake_mem + phys;
	uint32_t len = 36;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KEELT ", 6);
	r[15] = rev;
	memcpy(r + 16, &rsdt, 4);
	r[8] = -fake_sum(r, 20);
	if (rev >= 2) {
		memcpy(r + 20, &len, 4);
		memcpy(r + 24, &xsdt, 8);
		r[32] = -fake_sum(r, 36);
	}
}

uint64_t fake_dsdt(const void *aml, size_t len)
{
	struct tbuf t;

	tb_init(&t);
	tb_bytes(&t, aml, len);
	return fake_table("DSDT", 2, &t);
}
