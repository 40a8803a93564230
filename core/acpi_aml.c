// SPDX-License-Identifier: MIT
/*
 * The one piece of AML Keel reads: the \_S5_ object of the DSDT, whose
 * first two integers are the SLP_TYPa/SLP_TYPb values that put the machine
 * into soft-off (ACPI 6.4, 7.4.2.5 and 16.1.7). Keel has no AML
 * interpreter, so this is a byte scan for the form firmware writes,
 *
 *   NameOp [RootChar] "_S5_" PackageOp PkgLength NumElements Integer...
 *
 * where each Integer is ZeroOp, OneOp, OnesOp or a Byte/Word/DWord/QWord
 * prefix and its constant (20.2.3, 20.2.5.4). Every read is bounded by the
 * package's own length and by the table: a truncated or unexpected
 * encoding is refused, never guessed at. A _S5_ computed by a method is
 * not supported (no known server firmware does that).
 */
#include <errno.h>
#include <string.h>

#include "core/acpi.h"

#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_VAR_PACKAGE_OP 0x13
#define AML_ROOT_CHAR 0x5c
#define AML_ONES_OP 0xff

/* A constant integer at p[*pos], not at or past @end (20.2.3). */
static int aml_integer(const uint8_t *p, size_t end, size_t *pos, uint64_t *val)
{
	size_t n;

	if (*pos >= end)
		return -EINVAL;
	switch (p[*pos]) {
	case AML_ZERO_OP:
		*val = 0;
		n = 0;
		break;
	case AML_ONE_OP:
		*val = 1;
		n = 0;
		break;
	case AML_ONES_OP:
		*val = ~0ull;
		n = 0;
		break;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default: /* a name or a method call: not a constant */
		return -EINVAL;
	}
	(*pos)++;
	if (n) {
		if (end - *pos < n)
			return -EINVAL;
		*val = 0;
		for (size_t i = 0; i < n; i++)
			*val |= (uint64_t)p[*pos + i] << (8 * i);
		*pos += n;
	}
	return 0;
}

/*
 * PkgLength (20.2.4): bits 7-6 of the lead byte give the number of bytes
 * that follow (0-3). With none, bits 5-0 are the length; otherwise bits
 * 3-0 are its low nibble (5-4 must be zero) and each following byte adds
 * 8 more bits. The length counts itself and runs to the package's end.
 */
static int aml_pkg_length(const uint8_t *p, size_t len, size_t pos,
			  size_t *pkg_len, size_t *enc_len)
{
	uint8_t lead;
	size_t follow;

	if (pos >= len)
		return -EINVAL;
	lead = p[pos];
	follow = lead >> 6;
	if (len - pos < 1 + follow)
		return -EINVAL;
	if (!follow) {
		*pkg_len = lead & 0x3f;
	} else {
		if (lead & 0x30)
			return -EINVAL;
		*pkg_len = lead & 0x0f;
		for (size_t i = 1; i <= follow; i++)
			*pkg_len |= (size_t)p[pos + i] << (8 * i - 4);
	}
	*enc_len = 1 + follow;
	return 0;
}

/* The package that follows the name, at @p (@len bytes to the table end). */
static int aml_s5_package(const uint8_t *p, size_t len, uint8_t *typ_a,
			  uint8_t *typ_b)
{
	size_t pos = 1, pkg_len, enc_len, end;
	uint64_t count, v[2];
	unsigned int got = 0;
	int rc;

	if (len < 1 || (p[0] != AML_PACKAGE_OP && p[0] != AML_VAR_PACKAGE_OP))
		return -EINVAL;
	rc = aml_pkg_length(p, len, pos, &pkg_len, &enc_len);
	if (rc)
		return rc;
	/* The package must hold its own PkgLength and lie inside the table. */
	if (pkg_len < enc_len || pkg_len > len - pos)
		return -EINVAL;
	end = pos + pkg_len;
	pos += enc_len;
	if (p[0] == AML_PACKAGE_OP) {
		if (pos >= end)
			return -EINVAL;
		count = p[pos++];
	} else {
		rc = aml_integer(p, end, &pos, &count);
		if (rc)
			return rc;
	}
	if (!count)
		return -EINVAL;
	while (got < 2 && got < count) {
		rc = aml_integer(p, end, &pos, &v[got]);
		if (rc)
			return rc;
		got++;
	}
	/*
	 * Two or more elements: SLP_TYPa, SLP_TYPb. One element: both packed
	 * into it, a in bits 7-0 and b in 15-8, as ACPICA reads it.
	 */
	if (got == 1) {
		v[1] = (v[0] >> 8) & 0xff;
		v[0] &= 0xff;
	}
	/* SLP_TYP is a 3-bit field of PM1 control (4.8.3.2.1). */
	if (v[0] > 7 || v[1] > 7)
		return -ERANGE;
	*typ_a = (uint8_t)v[0];
	*typ_b = (uint8_t)v[1];
	return 0;
}

int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typ_a,
		     uint8_t *typ_b)
{
	int rc = -ENOENT;

	for (size_t i = 1; i + 4 <= len; i++) {
		size_t name = i;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		if (aml[name - 1] == AML_ROOT_CHAR)
			name--;
		/* Only a definition, not a reference to the name. */
		if (name < 1 || aml[name - 1] != AML_NAME_OP)
			continue;
		rc = aml_s5_package(aml + i + 4, len - i - 4, typ_a, typ_b);
		if (!rc)
			return 0;
	}
	return rc;
}
