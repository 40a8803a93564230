// SPDX-License-Identifier: MIT
/*
 * Multiboot2 boot information parser. Layouts follow the Multiboot2
 * specification 1.0, section 3.6 ("Boot information format"). The structure
 * comes from the boot loader, so every length is checked against the tag
 * and the tag against the structure before anything is read.
 */
#include "core/mb2.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE = 21,
};

/* Largest structure we accept: GRUB's are a few KiB; EFI maps can be larger. */
#define MB2_MAX_TOTAL (1u << 20)

static uint32_t mb2_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t mb2_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Copy a NUL-terminated string that must end inside the tag. */
static void mb2_string(char *dst, size_t cap, const uint8_t *src, size_t avail)
{
	size_t n = 0;

	while (n < avail && src[n])
		n++;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

uint32_t mb2_efi_to_e820(uint32_t efi_type)
{
	switch (efi_type) {
	case 1: /* EfiLoaderCode */
	case 2: /* EfiLoaderData */
	case 3: /* EfiBootServicesCode: free after ExitBootServices() */
	case 4: /* EfiBootServicesData */
	case 7: /* EfiConventionalMemory */
		return BOOT_MEM_AVAILABLE;
	case 9: /* EfiACPIReclaimMemory */
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case 10: /* EfiACPIMemoryNVS */
		return BOOT_MEM_NVS;
	case 8: /* EfiUnusableMemory */
		return BOOT_MEM_BADRAM;
	default: /* runtime services, MMIO, reserved, persistent... */
		return BOOT_MEM_RESERVED;
	}
}

static void mb2_add_range(struct boot_info *bi, uint64_t base, uint64_t len,
			  uint32_t type)
{
	if (!len)
		return;
	if (bi->mmap_count) {
		struct boot_mem_range *last = &bi->mmap[bi->mmap_count - 1];
		if (last->type == type && last->base + last->len == base) {
			last->len += len;
			return;
		}
	}
	if (bi->mmap_count == BOOT_MMAP_MAX) {
		log_warn("mb2: memory map has more than %d ranges, rest ignored",
			 BOOT_MMAP_MAX);
		return;
	}
	bi->mmap[bi->mmap_count++] =
		(struct boot_mem_range){ .base = base, .len = len, .type = type };
}

/* Loaders may hand ranges unsorted; the rest of the kernel wants order. */
static void mb2_sort_mmap(struct boot_info *bi)
{
	for (unsigned int i = 1; i < bi->mmap_count; i++) {
		struct boot_mem_range r = bi->mmap[i];
		unsigned int j = i;
		while (j > 0 && bi->mmap[j - 1].base > r.base) {
			bi->mmap[j] = bi->mmap[j - 1];
			j--;
		}
		bi->mmap[j] = r;
	}
}

static int mb2_tag_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	if (size < 16)
		return -EINVAL;
	uint32_t esz = mb2_u32(t + 8);
	if (esz < 24 || esz > 4096)
		return -EINVAL;
	bi->mmap_count = 0;
	bi->mmap_from_efi = false;
	for (uint32_t off = 16; off + esz <= size; off += esz)
		mb2_add_range(bi, mb2_u64(t + off), mb2_u64(t + off + 8),
			      mb2_u32(t + off + 16));
	return 0;
}

/* Only used for the memory map when the loader gave no Multiboot2 map. */
static int mb2_tag_efi_mmap(struct boot_info *bi, const uint8_t *t,
			    uint32_t size, bool have_mmap)
{
	if (size < 16)
		return -EINVAL;
	uint32_t dsz = mb2_u32(t + 8);
	if (dsz < 40 || dsz > 4096) /* EFI_MEMORY_DESCRIPTOR is 40 bytes */
		return -EINVAL;
	bi->efi_mmap_descs = (size - 16) / dsz;
	if (have_mmap)
		return 0;
	bi->mmap_count = 0;
	bi->mmap_from_efi = true;
	for (uint32_t off = 16; off + dsz <= size; off += dsz) {
		uint64_t pages = mb2_u64(t + off + 24);
		if (pages > (UINT64_MAX >> 12))
			continue;
		mb2_add_range(bi, mb2_u64(t + off + 8), pages << 12,
			      mb2_efi_to_e820(mb2_u32(t + off)));
	}
	return 0;
}

/* Filled in a local copy: a malformed tag leaves no half-set framebuffer. */
static int mb2_tag_framebuffer(struct boot_info *bi, const uint8_t *t,
			       uint32_t size)
{
	struct boot_fb fb = { 0 };

	if (size < 31) /* common part: 8 + 8 + 3*4 + 2 + reserved */
		return -EINVAL;
	fb.addr = mb2_u64(t + 8);
	fb.pitch = mb2_u32(t + 16);
	fb.width = mb2_u32(t + 20);
	fb.height = mb2_u32(t + 24);
	fb.bpp = t[28];
	fb.type = t[29];
	if (fb.type == BOOT_FB_RGB) {
		if (size < 38)
			return -EINVAL;
		fb.red_pos = t[32];
		fb.red_size = t[33];
		fb.green_pos = t[34];
		fb.green_size = t[35];
		fb.blue_pos = t[36];
		fb.blue_size = t[37];
		if (fb.bpp != 32 && fb.bpp != 24 && fb.bpp != 16)
			return -EINVAL;
	}
	if (!fb.width || !fb.height || !fb.pitch)
		return -EINVAL;
	bi->fb = fb;
	return 0;
}

static int mb2_tag(struct boot_info *bi, uint32_t type, const uint8_t *t,
		   uint32_t size, bool have_mmap)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		mb2_string(bi->cmdline, sizeof(bi->cmdline), t + 8, size - 8);
		return 0;
	case MB2_TAG_LOADER_NAME:
		mb2_string(bi->loader, sizeof(bi->loader), t + 8, size - 8);
		return 0;
	case MB2_TAG_MODULE: {
		if (size < 16)
			return -EINVAL;
		if (bi->module_count == BOOT_MODULES_MAX) {
			log_warn("mb2: more than %d modules, rest ignored",
				 BOOT_MODULES_MAX);
			return 0;
		}
		struct boot_module *m = &bi->modules[bi->module_count];
		m->start = mb2_u32(t + 8);
		m->end = mb2_u32(t + 12);
		if (m->end < m->start)
			return -EINVAL;
		mb2_string(m->name, sizeof(m->name), t + 16, size - 16);
		bi->module_count++;
		return 0;
	}
	case MB2_TAG_BASIC_MEMINFO:
		if (size < 16)
			return -EINVAL;
		bi->mem_lower_kib = mb2_u32(t + 8);
		bi->mem_upper_kib = mb2_u32(t + 12);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_tag_mmap(bi, t, size);
	case MB2_TAG_EFI_MMAP:
		return mb2_tag_efi_mmap(bi, t, size, have_mmap);
	case MB2_TAG_FRAMEBUFFER:
		return mb2_tag_framebuffer(bi, t, size);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW: {
		uint32_t want = type == MB2_TAG_ACPI_OLD ? 20 : 36;
		if (size < 8 + want)
			return -EINVAL;
		/* The 2.0 RSDP wins if a loader gives both. */
		if (type == MB2_TAG_ACPI_OLD && bi->rsdp_rev == 2)
			return 0;
		memset(bi->rsdp, 0, sizeof(bi->rsdp));
		memcpy(bi->rsdp, t + 8, want);
		bi->rsdp_rev = type == MB2_TAG_ACPI_OLD ? 1 : 2;
		return 0;
	}
	case MB2_TAG_EFI64:
		if (size < 16)
			return -EINVAL;
		bi->efi_systab = mb2_u64(t + 8);
		return 0;
	case MB2_TAG_LOAD_BASE:
		if (size < 12)
			return -EINVAL;
		bi->load_base = mb2_u32(t + 8);
		return 0;
	case MB2_TAG_BOOTDEV:
	case MB2_TAG_VBE:
	case MB2_TAG_ELF_SECTIONS:
	case MB2_TAG_APM:
	case MB2_TAG_EFI32:
	case MB2_TAG_SMBIOS:
	case MB2_TAG_NETWORK:
	case MB2_TAG_EFI_BS:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
		return 0; /* known, not needed by Keel */
	default:
		log_warn("mb2: skipping unknown tag type %u (%u bytes)", type,
			 size);
		bi->tags_skipped++;
		return 0;
	}
}

/* A Multiboot2 mmap tag, when present, is preferred over the EFI map. */
static bool mb2_has_mmap(const uint8_t *base, uint32_t total)
{
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = mb2_u32(base + off), size = mb2_u32(base + off + 4);
		if (type == MB2_TAG_END || size < 8 || size > total - off)
			return false;
		if (type == MB2_TAG_MMAP)
			return true;
		off += (size + 7) & ~7u;
	}
	return false;
}

int mb2_parse(const void *mbi, uint64_t phys, struct boot_info *bi)
{
	const uint8_t *base = mbi;
	uint32_t total;

	memset(bi, 0, sizeof(*bi));
	bi->fb.type = BOOT_FB_NONE;
	if (!mbi || (phys & 7)) {
		log_err("mb2: information structure missing or misaligned (%#llx)",
			(unsigned long long)phys);
		return -EINVAL;
	}
	total = mb2_u32(base);
	if (total < 16 || total > MB2_MAX_TOTAL) {
		log_err("mb2: implausible total size %u, ignoring boot info",
			total);
		return -EINVAL;
	}
	bi->mbi_phys = phys;
	bi->mbi_size = total;
	bool have_mmap = mb2_has_mmap(base, total);
	bool ended = false;
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = mb2_u32(base + off);
		uint32_t size = mb2_u32(base + off + 4);
		if (size < 8 || size > total - off) {
			log_warn("mb2: malformed tag type %u size %u at offset %u, "
				 "stopping",
				 type, size, off);
			bi->tags_skipped++;
			break;
		}
		if (type == MB2_TAG_END) {
			ended = true;
			break;
		}
		if (mb2_tag(bi, type, base + off, size, have_mmap) < 0) {
			log_warn("mb2: skipping malformed tag type %u (%u bytes)",
				 type, size);
			bi->tags_skipped++;
		}
		off += (size + 7) & ~7u; /* tags are 8-byte aligned */
	}
	if (!ended)
		log_warn("mb2: no end tag within %u bytes", total);
	mb2_sort_mmap(bi);
	bi->valid = true;
	return 0;
}
