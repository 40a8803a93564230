/* SPDX-License-Identifier: MIT */
/* Multiboot2 information parser (Multiboot2 spec 1.0, section 3.6). */
#ifndef KEEL_CORE_MB2_H
#define KEEL_CORE_MB2_H

#include <stddef.h>
#include <stdint.h>

#include "core/bootinfo.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/*
 * Parse the information structure at @mbi (already mapped), which the loader
 * says is at physical @phys. Never trusts a size: unknown or malformed tags
 * are logged and skipped. Returns 0, or -EINVAL when the structure itself is
 * unusable (then @out->valid stays false).
 */
int mb2_parse(const void *mbi, uint64_t phys, struct boot_info *out);

/* Map an EFI memory type (UEFI 2.9, table 7-6) to an E820 type. */
uint32_t mb2_efi_to_e820(uint32_t efi_type);

#endif
