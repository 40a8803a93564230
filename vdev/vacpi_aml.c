// SPDX-License-Identifier: MIT
/*
 * AML emitter for the VM's DSDT (vdev/vacpi_aml.h). Encodings from ACPI
 * 6.3 chapter 20 (AML grammar) and section 6.4 (resource descriptors).
 *
 * A Scope/Device/Package/Buffer is opened with room for the longest
 * PkgLength (4 bytes, plus a 5-byte DWord BufferSize for a Buffer) and
 * closed by writing the shortest encoding and moving the body down, so
 * the output is what iasl would produce.
 */
#include "vdev/vacpi_aml.h"

#include <string.h>

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_EXT_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_PREFIX */
#define AML_DUAL_NAME 0x2e
#define AML_MULTI_NAME 0x2f
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'

#define AML_RESERVE 4	   /* longest PkgLength */
#define AML_RESERVE_SIZE 5 /* DWordPrefix + 4: a Buffer's BufferSize */

void vacpi_aml_init(struct vacpi_aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = cap;
	a->overflow = false;
}

void vacpi_aml_bytes(struct vacpi_aml *a, const void *p, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void vacpi_aml_byte(struct vacpi_aml *a, uint8_t b)
{
	vacpi_aml_bytes(a, &b, 1);
}

static void le(struct vacpi_aml *a, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		vacpi_aml_byte(a, v >> (8 * i));
}

/* NameSeg: up to 4 characters of [A-Z0-9_], padded with '_' (20.2.2). */
static void nameseg(struct vacpi_aml *a, const char *s, size_t n)
{
	for (size_t i = 0; i < 4; i++)
		vacpi_aml_byte(a, i < n ? s[i] : '_');
}

void vacpi_aml_namestring(struct vacpi_aml *a, const char *path)
{
	const char *segs[8];
	size_t lens[8], nseg = 0;
	const char *p = path;

	while (*p == AML_ROOT_CHAR || *p == AML_PARENT_CHAR)
		vacpi_aml_byte(a, *p++);
	while (*p && nseg < 8) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		segs[nseg] = p;
		lens[nseg++] = n > 4 ? 4 : n;
		p += n + (dot ? 1 : 0);
	}
	if (nseg == 0)
		vacpi_aml_byte(a, 0); /* NullName */
	else if (nseg == 2)
		vacpi_aml_byte(a, AML_DUAL_NAME);
	else if (nseg > 2) {
		vacpi_aml_byte(a, AML_MULTI_NAME);
		vacpi_aml_byte(a, nseg);
	}
	for (size_t i = 0; i < nseg; i++)
		nameseg(a, segs[i], lens[i]);
}

void vacpi_aml_int(struct vacpi_aml *a, uint64_t v)
{
	if (v == 0)
		vacpi_aml_byte(a, AML_ZERO);
	else if (v == 1)
		vacpi_aml_byte(a, AML_ONE);
	else if (v <= 0xff) {
		vacpi_aml_byte(a, AML_BYTE_PREFIX);
		le(a, v, 1);
	} else if (v <= 0xffff) {
		vacpi_aml_byte(a, AML_WORD_PREFIX);
		le(a, v, 2);
	} else if (v <= 0xffffffffu) {
		vacpi_aml_byte(a, AML_DWORD_PREFIX);
		le(a, v, 4);
	} else {
		vacpi_aml_byte(a, AML_QWORD_PREFIX);
		le(a, v, 8);
	}
}

void vacpi_aml_string(struct vacpi_aml *a, const char *s)
{
	vacpi_aml_byte(a, AML_STRING_PREFIX);
	vacpi_aml_bytes(a, s, strlen(s) + 1);
}

static unsigned int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 0;
}

/* Three letters of 5 bits each ('A' = 1), then four hex digits, stored
 * big-endian in a DWord (ACPI 6.3 19.6.35 EISAID). */
void vacpi_aml_eisaid(struct vacpi_aml *a, const char *id)
{
	uint32_t v = (uint32_t)((id[0] - 0x40) & 0x1f) << 26 |
		     (uint32_t)((id[1] - 0x40) & 0x1f) << 21 |
		     (uint32_t)((id[2] - 0x40) & 0x1f) << 16 |
		     hexval(id[3]) << 12 | hexval(id[4]) << 8 |
		     hexval(id[5]) << 4 | hexval(id[6]);

	vacpi_aml_byte(a, AML_DWORD_PREFIX);
	le(a, __builtin_bswap32(v), 4);
}

void vacpi_aml_name(struct vacpi_aml *a, const char *name)
{
	vacpi_aml_byte(a, AML_NAME_OP);
	vacpi_aml_namestring(a, name);
}

static struct vacpi_aml_mark open_pkg(struct vacpi_aml *a, bool buffer)
{
	static const uint8_t zeros[AML_RESERVE + AML_RESERVE_SIZE];
	struct vacpi_aml_mark m = { a->len, buffer };

	vacpi_aml_bytes(a, zeros,
			AML_RESERVE + (buffer ? AML_RESERVE_SIZE : 0));
	return m;
}

/* PkgLength (20.2.4): the length counts its own bytes; one byte holds up
 * to 63, else bits 7:6 of the lead byte say how many bytes follow and
 * its low nibble holds bits 3:0. */
static size_t pkglength(uint8_t *out, size_t body)
{
	size_t n, total;

	for (n = 1; n <= 4; n++) {
		total = body + n;
		if ((n == 1 && total <= 0x3f) ||
		    (n == 2 && total < (1u << 12)) ||
		    (n == 3 && total < (1u << 20)) ||
		    (n == 4 && total < (1u << 28)))
			break;
	}
	if (n == 1) {
		out[0] = total;
		return 1;
	}
	out[0] = (n - 1) << 6 | (total & 0xf);
	for (size_t i = 1; i < n; i++)
		out[i] = total >> (4 + 8 * (i - 1));
	return n;
}

void vacpi_aml_close(struct vacpi_aml *a, struct vacpi_aml_mark m)
{
	size_t reserved = AML_RESERVE + (m.buffer ? AML_RESERVE_SIZE : 0);
	size_t body_start = m.pos + reserved, body = a->len - body_start;
	uint8_t head[AML_RESERVE + 9];
	size_t hl = 0;
	struct vacpi_aml tmp;

	if (a->overflow)
		return;
	if (m.buffer) {
		/* BufferSize is a TermArg: the shortest integer. */
		uint8_t size[9];

		vacpi_aml_init(&tmp, size, sizeof(size));
		vacpi_aml_int(&tmp, body);
		hl = pkglength(head, body + tmp.len);
		memcpy(head + hl, size, tmp.len);
		hl += tmp.len;
	} else {
		hl = pkglength(head, body);
	}
	memmove(a->buf + m.pos + hl, a->buf + body_start, body);
	memcpy(a->buf + m.pos, head, hl);
	a->len = m.pos + hl + body;
}

struct vacpi_aml_mark vacpi_aml_scope(struct vacpi_aml *a, const char *path)
{
	struct vacpi_aml_mark m;

	vacpi_aml_byte(a, AML_SCOPE_OP);
	m = open_pkg(a, false);
	vacpi_aml_namestring(a, path);
	return m;
}

struct vacpi_aml_mark vacpi_aml_device(struct vacpi_aml *a, const char *name)
{
	struct vacpi_aml_mark m;

	vacpi_aml_byte(a, AML_EXT_PREFIX);
	vacpi_aml_byte(a, AML_DEVICE_OP);
	m = open_pkg(a, false);
	vacpi_aml_namestring(a, name);
	return m;
}

struct vacpi_aml_mark vacpi_aml_package(struct vacpi_aml *a, uint8_t elements)
{
	struct vacpi_aml_mark m;

	vacpi_aml_byte(a, AML_PACKAGE_OP);
	m = open_pkg(a, false);
	vacpi_aml_byte(a, elements);
	return m;
}

struct vacpi_aml_mark vacpi_aml_buffer(struct vacpi_aml *a)
{
	vacpi_aml_byte(a, AML_BUFFER_OP);
	return open_pkg(a, true);
}

/* ---- Resource descriptors (ACPI 6.3 6.4) --------------------------------- */

/* I/O Port Descriptor (6.4.2.5), 16-bit decode. */
void vacpi_aml_res_io(struct vacpi_aml *a, uint16_t base, uint8_t len)
{
	vacpi_aml_byte(a, 0x47);
	vacpi_aml_byte(a, 1);
	le(a, base, 2);
	le(a, base, 2);
	vacpi_aml_byte(a, 1);
	vacpi_aml_byte(a, len);
}

/* IRQ Descriptor without flags (6.4.2.1): edge, active high. */
void vacpi_aml_res_irq(struct vacpi_aml *a, unsigned int irq)
{
	vacpi_aml_byte(a, 0x22);
	le(a, 1u << irq, 2);
}

/* 32-Bit Fixed Memory Range Descriptor (6.4.3.4), read/write. */
void vacpi_aml_res_mem32_fixed(struct vacpi_aml *a, uint32_t base, uint32_t len)
{
	vacpi_aml_byte(a, 0x86);
	le(a, 9, 2);
	vacpi_aml_byte(a, 1);
	le(a, base, 4);
	le(a, len, 4);
}

/* Word Address Space Descriptor (6.4.3.5.3): a window the bridge
 * produces, fixed min and max (general flags 0x0c). */
static void word_space(struct vacpi_aml *a, uint8_t type, uint8_t tflags,
		       uint16_t min, uint16_t max)
{
	vacpi_aml_byte(a, 0x88);
	le(a, 13, 2);
	vacpi_aml_byte(a, type);
	vacpi_aml_byte(a, 0x0c);
	vacpi_aml_byte(a, tflags);
	le(a, 0, 2); /* granularity */
	le(a, min, 2);
	le(a, max, 2);
	le(a, 0, 2); /* translation */
	le(a, (uint16_t)(max - min + 1), 2);
}

void vacpi_aml_res_bus(struct vacpi_aml *a, uint16_t min, uint16_t max)
{
	word_space(a, 2, 0, min, max);
}

/* I/O window: ISA ranges too (type-specific flags 3, "EntireRange"). */
void vacpi_aml_res_word_io(struct vacpi_aml *a, uint16_t min, uint16_t max)
{
	word_space(a, 1, 3, min, max);
}

/* DWord Address Space Descriptor (6.4.3.5.2): a memory window the bridge
 * produces, fixed min and max, non-cacheable, read/write. */
void vacpi_aml_res_dword_mem(struct vacpi_aml *a, uint32_t min, uint32_t max)
{
	vacpi_aml_byte(a, 0x87);
	le(a, 23, 2);
	vacpi_aml_byte(a, 0);
	vacpi_aml_byte(a, 0x0c);
	vacpi_aml_byte(a, 1);
	le(a, 0, 4);
	le(a, min, 4);
	le(a, max, 4);
	le(a, 0, 4);
	le(a, max - min + 1, 4);
}

void vacpi_aml_res_end(struct vacpi_aml *a)
{
	vacpi_aml_byte(a, 0x79);
	vacpi_aml_byte(a, 0);
}
