/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, copied out of the Multiboot2 information
 * structure into kernel memory so the loader's memory can be reused.
 */
#ifndef KEEL_CORE_BOOTINFO_H
#define KEEL_CORE_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MMAP_MAX 256
#define BOOT_MODULES_MAX 16
#define BOOT_CMDLINE_MAX 1024
#define BOOT_NAME_MAX 128

/* E820 types, which Multiboot2 memory map entries use too. */
enum boot_mem_type {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BADRAM = 5,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum boot_mem_type; unknown values mean reserved */
};

enum boot_fb_type {
	BOOT_FB_NONE = -1,
	BOOT_FB_INDEXED = 0,
	BOOT_FB_RGB = 1,
	BOOT_FB_EGA_TEXT = 2,
};

struct boot_fb {
	int type; /* enum boot_fb_type */
	uint64_t addr;
	uint32_t pitch, width, height; /* pixels, or characters for EGA text */
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_module {
	uint32_t start, end;
	char name[BOOT_NAME_MAX];
};

struct boot_info {
	bool valid; /* a Multiboot2 structure was found and parsed */
	uint64_t mbi_phys, mbi_size;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];

	struct boot_mem_range mmap[BOOT_MMAP_MAX];
	unsigned int mmap_count;
	bool mmap_from_efi; /* built from the EFI map (no Multiboot2 mmap) */
	unsigned int efi_mmap_descs; /* 0: none given (BIOS boot) */
	uint64_t mem_lower_kib, mem_upper_kib; /* basic meminfo tag */

	uint8_t rsdp[36]; /* ACPI 2.0+ RSDP is 36 bytes; 1.0 is 20 */
	uint8_t rsdp_rev; /* 0: none, 1: ACPI 1.0 RSDP, 2: ACPI 2.0+ RSDP */

	struct boot_fb fb;
	uint64_t efi_systab; /* 0: booted by BIOS */
	uint64_t load_base;  /* physical load address, if the loader said */

	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned int module_count;

	unsigned int tags_skipped; /* unknown or malformed tags ignored */
};

extern struct boot_info boot_info;

#endif
