// SPDX-License-Identifier: MIT
/*
 * The \_S5_ scan of the DSDT's AML (core/acpi_aml.c): every encoding
 * firmware uses for the package, and truncated or malformed ones, each run
 * on an exactly sized heap copy so AddressSanitizer sees any over-read.
 * UNIT_SRCS: core/acpi_aml.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acpi.h"
#include "unit.h"

/* Run the scan on an exactly sized heap copy, so ASan sees over-reads. */
static int s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (len)
		memcpy(copy, aml, len);
	*a = *b = 0xee;
	rc = acpi_aml_find_s5(copy, len, a, b);
	free(copy);
	return rc;
}

#define S5(...)                                                                \
	({                                                                     \
		static const uint8_t aml_[] = { __VA_ARGS__ };                 \
		s5(aml_, sizeof(aml_), &ta, &tb);                              \
	})

UNIT_TEST(acpi_aml_s5_encodings)
{
	uint8_t ta, tb;

	/* QEMU: Package (0x04) { Zero, Zero, Zero, Zero } */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00,
		      0x00, 0x00) == 0 &&
		   ta == 0 && tb == 0);
	/* Root prefix, BytePrefix constants. */
	UNIT_CHECK(S5(0xa3, 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		      0x0a, 0x07, 0x0a, 0x06, 0x00, 0x00) == 0 &&
		   ta == 7 && tb == 6);
	/* OneOp, ZeroOp, two elements only. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00) ==
		       0 &&
		   ta == 1 && tb == 0);
	/* WordPrefix and DWordPrefix. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02, 0x0b, 0x03,
		      0x00, 0x0c, 0x04, 0x00, 0x00, 0x00) == 0 &&
		   ta == 3 && tb == 4);
	/* QWordPrefix. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02, 0x0e, 0x02, 0,
		      0, 0, 0, 0, 0, 0, 0x00, 0x00) == 0 &&
		   ta == 2 && tb == 0);
	/* One element packing both types: a in bits 7-0, b in 15-8. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05,
		      0x03) == 0 &&
		   ta == 5 && tb == 3);
	/* VarPackageOp with a constant element count. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x13, 0x06, 0x0a, 0x02, 0x0a,
		      0x05, 0x00) == 0 &&
		   ta == 5 && tb == 0);
	/* A reference to _S5_ before its definition is skipped. */
	UNIT_CHECK(S5(0x70, '_', 'S', '5', '_', 0x60, 0x08, '_', 'S', '5', '_',
		      0x12, 0x04, 0x01, 0x0a, 0x02) == 0 &&
		   ta == 2 && tb == 0);
}

UNIT_TEST(acpi_aml_s5_two_byte_pkglength)
{
	uint8_t aml[5 + 1 + 2 + 1 + 100], ta, tb;
	size_t n = 0, pkg = 2 + 1 + 100; /* PkgLength bytes + count + 100 */

	memcpy(aml, "\x08_S5_", 5);
	n = 5;
	aml[n++] = 0x12;
	aml[n++] = 0x40 | (pkg & 0x0f);
	aml[n++] = (uint8_t)(pkg >> 4);
	aml[n++] = 100;
	memset(aml + n, 0x00, 100);
	aml[n] = 0x0a, aml[n + 1] = 0x03, aml[n + 2] = 0x01;
	n += 100;
	UNIT_CHECK(s5(aml, n, &ta, &tb) == 0 && ta == 3 && tb == 1);
	/* The same package cut short by one byte: refused. */
	UNIT_CHECK(s5(aml, n - 1, &ta, &tb) == -EINVAL);
	/* Reserved bits 5-4 of a multi-byte lead byte set: refused. */
	aml[6] |= 0x10;
	UNIT_CHECK(s5(aml, n, &ta, &tb) == -EINVAL);
}

UNIT_TEST(acpi_aml_s5_bad_input)
{
	uint8_t ta, tb;

	UNIT_CHECK(s5(NULL, 0, &ta, &tb) == -ENOENT);
	UNIT_CHECK(S5(0x00, 0x01, 0x02) == -ENOENT);
	/* Defined by a method, not a Name: not supported. */
	UNIT_CHECK(S5(0x14, 0x0a, '_', 'S', '5', '_', 0x00, 0xa4, 0x12, 0x04,
		      0x02, 0x00, 0x00) == -ENOENT);
	/* The table ends right after the name, after PackageOp, inside a
	 * PkgLength, before the count, inside an element. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_') == -EINVAL);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12) == -EINVAL);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0xc0, 0x01) == -EINVAL);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x01) == -EINVAL);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0c, 0x01,
		      0x00) == -EINVAL);
	/* PkgLength claims more than the table holds. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00) ==
		   -EINVAL);
	/* PkgLength shorter than the elements it claims: the second
	 * element would lie outside the package. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00, 0x00,
		      0x00) == -EINVAL);
	/* Zero elements; a non-constant element (a name). */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00) == -EINVAL);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 'A', 'B', 'C',
		      'D') == -EINVAL);
	/* A type wider than the 3-bit SLP_TYP field. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08,
		      0x00) == -ERANGE);
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00) ==
		   -ERANGE);
	/* A broken definition, then a good one: the good one is used. */
	UNIT_CHECK(S5(0x08, '_', 'S', '5', '_', 0x12, 0x7f, 0x08, '_', 'S', '5',
		      '_', 0x12, 0x04, 0x02, 0x01, 0x01) == 0 &&
		   ta == 1 && tb == 1);
}
