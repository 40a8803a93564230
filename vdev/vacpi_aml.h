/* SPDX-License-Identifier: MIT */
/*
 * A small AML emitter (ACPI 6.3 chapter 20) for the VM's DSDT: names,
 * integers, strings, EISA IDs, Scope/Device/Package/Buffer with their
 * PkgLength, and the resource descriptors of a _CRS (section 6.4). It
 * writes into a caller's buffer; running out of room sets @overflow and
 * further output is dropped, so callers check once at the end.
 */
#ifndef KEEL_VDEV_VACPI_AML_H
#define KEEL_VDEV_VACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vacpi_aml {
	uint8_t *buf;
	size_t len, cap;
	bool overflow;
};

/* An open Scope/Device/Package/Buffer: where its PkgLength goes. */
struct vacpi_aml_mark {
	size_t pos;
	bool buffer; /* a Buffer: BufferSize follows the PkgLength */
};

void vacpi_aml_init(struct vacpi_aml *a, uint8_t *buf, size_t cap);
void vacpi_aml_byte(struct vacpi_aml *a, uint8_t b);
void vacpi_aml_bytes(struct vacpi_aml *a, const void *p, size_t n);
/* NameString: "\\_SB.PCI0", "_HID", "^FOO"; segments padded with '_'. */
void vacpi_aml_namestring(struct vacpi_aml *a, const char *path);
/* Integer in its shortest encoding (Zero, One, Byte...QWord). */
void vacpi_aml_int(struct vacpi_aml *a, uint64_t v);
void vacpi_aml_string(struct vacpi_aml *a, const char *s);
/* EISAID("PNP0A08") as a DWordConst (ACPI 6.3 19.6.35). */
void vacpi_aml_eisaid(struct vacpi_aml *a, const char *id);
/* Name(@name, ...): the caller emits the object after. */
void vacpi_aml_name(struct vacpi_aml *a, const char *name);

struct vacpi_aml_mark vacpi_aml_scope(struct vacpi_aml *a, const char *path);
struct vacpi_aml_mark vacpi_aml_device(struct vacpi_aml *a, const char *name);
struct vacpi_aml_mark vacpi_aml_package(struct vacpi_aml *a, uint8_t elements);
struct vacpi_aml_mark vacpi_aml_buffer(struct vacpi_aml *a);
void vacpi_aml_close(struct vacpi_aml *a, struct vacpi_aml_mark m);

/* Resource descriptors (ACPI 6.3 6.4), inside a Buffer. */
void vacpi_aml_res_io(struct vacpi_aml *a, uint16_t base, uint8_t len);
void vacpi_aml_res_irq(struct vacpi_aml *a, unsigned int irq);
void vacpi_aml_res_mem32_fixed(struct vacpi_aml *a, uint32_t base,
			       uint32_t len);
void vacpi_aml_res_bus(struct vacpi_aml *a, uint16_t min, uint16_t max);
void vacpi_aml_res_word_io(struct vacpi_aml *a, uint16_t min, uint16_t max);
void vacpi_aml_res_dword_mem(struct vacpi_aml *a, uint32_t min, uint32_t max);
/* End Tag; closes the template (checksum 0: "treat as correct"). */
void vacpi_aml_res_end(struct vacpi_aml *a);

#endif
