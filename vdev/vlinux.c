// SPDX-License-Identifier: MIT
/*
 * The Linux boot protocol's pure part (vdev/vlinux.h): the bzImage header
 * checks, where kernel, initrd and command line go in a VM's memory, the
 * e820 map and struct boot_params. Section names refer to the kernel's
 * Documentation/arch/x86/boot.rst; boot_params offsets to
 * Documentation/arch/x86/zero-page.rst (arch/x86/include/uapi/asm/
 * bootparam.h has the same layout as a C struct).
 */
#include "vdev/vlinux.h"

#include <errno.h>
#include <string.h>

#include "core/fmt.h"
#include "vdev/vplat.h"

/* Setup header fields: offsets in the kernel file and in boot_params
 * (boot.rst "The Real-Mode Kernel Header"). */
#define H_SETUP_SECTS 0x1f1
#define H_SYSSIZE 0x1f4
#define H_VID_MODE 0x1fa
#define H_BOOT_FLAG 0x1fe
#define H_JUMP 0x200
#define H_HEADER 0x202
#define H_VERSION 0x206
#define H_TYPE_OF_LOADER 0x210
#define H_LOADFLAGS 0x211
#define H_CODE32_START 0x214
#define H_RAMDISK_IMAGE 0x218
#define H_RAMDISK_SIZE 0x21c
#define H_CMD_LINE_PTR 0x228
#define H_INITRD_ADDR_MAX 0x22c
#define H_KERNEL_ALIGNMENT 0x230
#define H_RELOCATABLE 0x234
#define H_XLOADFLAGS 0x236
#define H_CMDLINE_SIZE 0x238
#define H_PREF_ADDRESS 0x258
#define H_INIT_SIZE 0x260

#define LOADED_HIGH 0x01	       /* loadflags bit 0 */
#define XLF_KERNEL_64 0x01	       /* xloadflags bit 0 */
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02 /* xloadflags bit 1 */

/* boot_params outside the setup header (zero-page.rst). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_ALT_MEM_K 0x1e0
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0

/* The 64-bit entry point (boot.rst "64-bit Boot Protocol"). */
#define STARTUP_64 0x200

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

bool vlinux_is_linux(const uint8_t *head, size_t head_len)
{
	return head_len >= H_HEADER + 4 && !memcmp(head + H_HEADER, "HdrS", 4);
}

int vlinux_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
		 struct vlinux_kernel *k, char err[VLINUX_ERR_LEN])
{
	memset(k, 0, sizeof(*k));
	err[0] = 0;
	if (file_size < VLINUX_HDR_END || head_len < VLINUX_HDR_END ||
	    !vlinux_is_linux(head, head_len) ||
	    rd16(head + H_BOOT_FLAG) != 0xaa55) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "is not a Linux bzImage (no boot_flag 0xaa55 "
			     "and \"HdrS\" header at 0x1fe/0x202)");
		return -ENOEXEC;
	}
	k->file_size = file_size;
	k->version = rd16(head + H_VERSION);
	k->loadflags = head[H_LOADFLAGS];
	/* Fields only exist from the protocol version that added them, so
	 * the version is checked before any of them is read. */
	if (k->version < 0x020c) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "uses boot protocol %u.%02u; Keel needs 2.12 or "
			     "later for the 64-bit entry (Linux 3.8+)",
			     k->version >> 8, k->version & 0xff);
		return -ENOTSUP;
	}
	if (!(k->loadflags & LOADED_HIGH)) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "is a zImage (loadflags.LOADED_HIGH clear); "
			     "only a bzImage can be booted");
		return -ENOEXEC;
	}
	k->xloadflags = rd16(head + H_XLOADFLAGS);
	if (!(k->xloadflags & XLF_KERNEL_64)) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "has no 64-bit entry point (xloadflags."
			     "XLF_KERNEL_64 clear): a 32-bit kernel");
		return -ENOTSUP;
	}
	/* boot.rst, setup_sects: "If this field is 0, the real value is 4". */
	k->setup_sects = head[H_SETUP_SECTS] ? head[H_SETUP_SECTS] : 4;
	k->setup_bytes = (uint64_t)(k->setup_sects + 1) * 512;
	k->payload_bytes = (uint64_t)rd32(head + H_SYSSIZE) * 16;
	if (!k->payload_bytes) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "has syssize 0: no protected-mode kernel");
		return -ENOEXEC;
	}
	if (file_size < k->setup_bytes + k->payload_bytes) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "is truncated: %llu bytes, but its header "
			     "says %llu (setup %llu + kernel %llu)",
			     (unsigned long long)file_size,
			     (unsigned long long)(k->setup_bytes +
						  k->payload_bytes),
			     (unsigned long long)k->setup_bytes,
			     (unsigned long long)k->payload_bytes);
		return -ENODATA;
	}
	k->initrd_addr_max = rd32(head + H_INITRD_ADDR_MAX);
	k->kernel_alignment = rd32(head + H_KERNEL_ALIGNMENT);
	k->relocatable = head[H_RELOCATABLE] != 0;
	k->cmdline_size = rd32(head + H_CMDLINE_SIZE);
	k->pref_address = rd64(head + H_PREF_ADDRESS);
	k->init_size = rd32(head + H_INIT_SIZE);
	if (k->relocatable && (k->kernel_alignment < 0x1000 ||
			       (k->kernel_alignment &
				(k->kernel_alignment - 1)))) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "has kernel_alignment %#x, not a power of two "
			     "of at least 4 KiB",
			     k->kernel_alignment);
		return -ENOEXEC;
	}
	/* The header's length: 0x202 + the jump's offset byte ("64-bit
	 * Boot Protocol"), at most up to the next boot_params field. */
	size_t end = H_JUMP + 2 + head[H_JUMP + 1];
	if (end > VLINUX_HDR_END)
		end = VLINUX_HDR_END;
	if (end < H_INIT_SIZE + 4)
		end = H_INIT_SIZE + 4; /* 2.12 has at least that much */
	k->hdr_len = end - VLINUX_HDR;
	memcpy(k->hdr, head + VLINUX_HDR, k->hdr_len);
	return 0;
}

/* Whether @line has option @opt ("name=") as a word of its own. */
static bool vlinux_has_opt(const char *line, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = line; (p = strstr(p, opt)); p += n)
		if (p == line || p[-1] == ' ')
			return true;
	return false;
}

size_t vlinux_cmdline(char *out, size_t out_len, const char *user,
		      uint32_t tsc_khz)
{
	char khz[32] = "";

	if (tsc_khz && !vlinux_has_opt(user, "tsc_early_khz="))
		fmt_snprintf(khz, sizeof(khz), "tsc_early_khz=%u ", tsc_khz);
	return (size_t)fmt_snprintf(
	    out, out_len, "%s%s%s",
	    vlinux_has_opt(user, "tsc=") ? "" : "tsc=reliable ", khz, user);
}

static void split_ram(uint64_t ram_bytes, uint64_t ram_hole, uint64_t *low,
		      uint64_t *high)
{
	*low = ram_bytes;
	if (ram_hole && ram_bytes > ram_hole)
		*low = ram_hole;
	*high = ram_bytes - *low;
}

int vlinux_plan(const struct vlinux_kernel *k, uint64_t ram_bytes,
		uint64_t ram_hole, uint64_t initrd_size, size_t cmdline_len,
		struct vlinux_layout *l, char err[VLINUX_ERR_LEN])
{
	uint64_t need, addr, limit;

	memset(l, 0, sizeof(*l));
	err[0] = 0;
	split_ram(ram_bytes, ram_hole, &l->low_end, &l->high_size);

	/* Command line: cmdline_size characters without the NUL (boot.rst,
	 * cmdline_size), and our buffer. */
	limit = k->cmdline_size;
	if (limit > VLINUX_CMDLINE_ROOM - 1)
		limit = VLINUX_CMDLINE_ROOM - 1;
	if (cmdline_len > limit) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "the command line is %zu characters; this kernel "
			     "takes at most %llu (cmdline_size)",
			     cmdline_len, (unsigned long long)limit);
		return -E2BIG;
	}
	l->cmdline_addr = VLINUX_CMDLINE;
	l->cmdline_len = cmdline_len;

	/* The kernel needs init_size bytes from its runtime start before it
	 * can read the memory map (boot.rst, init_size). A relocatable one
	 * goes at pref_address if that fits, else at the lowest aligned
	 * address from 1 MiB; any other only at pref_address. */
	need = k->init_size > k->payload_bytes ? k->init_size
					       : k->payload_bytes;
	addr = k->pref_address ? k->pref_address : VLINUX_HIGH_START;
	if (k->relocatable) {
		addr = align_up(addr, k->kernel_alignment);
		if (addr + need > l->low_end)
			addr = align_up(VLINUX_HIGH_START, k->kernel_alignment);
	}
	if (addr < VLINUX_HIGH_START || addr + need > l->low_end) {
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "the kernel needs %llu KiB from %#llx (init_size) "
			     "but the VM's RAM below 4 GiB ends at %#llx",
			     (unsigned long long)(need >> 10),
			     (unsigned long long)addr,
			     (unsigned long long)l->low_end);
		return -ENOMEM;
	}
	l->kernel_addr = addr;
	l->entry = addr + STARTUP_64;
	if (!initrd_size)
		return 0;

	/* The initrd as high as possible (the kernel's own decompression
	 * area stays clear): its last byte at most initrd_addr_max
	 * (boot.rst), inside RAM below 4 GiB; above 4 GiB only if the
	 * kernel says it copes (XLF_CAN_BE_LOADED_ABOVE_4G). */
	uint64_t floor = align_up(addr + need, 0x1000);
	uint64_t top = (uint64_t)k->initrd_addr_max + 1;
	if (top > l->low_end)
		top = l->low_end;
	if (top >= floor && top - floor >= initrd_size) {
		l->initrd_addr = (top - initrd_size) & ~0xfffull;
	} else if ((k->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
		   l->high_size >= initrd_size) {
		l->initrd_addr = (VLINUX_4G + l->high_size - initrd_size) &
				 ~0xfffull;
	} else {
		uint64_t room = top > floor ? top - floor : 0;
		if ((k->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
		    l->high_size > room)
			room = l->high_size;
		fmt_snprintf(err, VLINUX_ERR_LEN,
			     "the initrd is %llu bytes; a VM with %llu MiB has "
			     "room for at most %llu beside this kernel",
			     (unsigned long long)initrd_size,
			     (unsigned long long)(ram_bytes >> 20),
			     (unsigned long long)room);
		return -EFBIG;
	}
	l->initrd_size = initrd_size;
	return 0;
}

static unsigned int e820_add(struct vlinux_e820 *tab, unsigned int n,
			     unsigned int max, uint64_t addr, uint64_t end,
			     uint32_t type)
{
	if (end <= addr || n >= max)
		return n;
	tab[n].addr = addr;
	tab[n].size = end - addr;
	tab[n].type = type;
	return n + 1;
}

/*
 * The VM's memory as vdev/vplat.h lays it out, in address order: low RAM
 * with the trampoline pages reserved, the BIOS area below 1 MiB reserved
 * with the ACPI tables inside it typed ACPI, RAM to the hole, the ECAM
 * and the I/O APIC and local APIC pages reserved, RAM above 4 GiB.
 */
unsigned int vlinux_e820(uint64_t ram_bytes, uint64_t ram_hole,
			 struct vlinux_e820 *tab, unsigned int max)
{
	uint64_t low, high;
	unsigned int n = 0;

	split_ram(ram_bytes, ram_hole, &low, &high);
	n = e820_add(tab, n, max, 0, VLINUX_TRAMP, VLINUX_E820_RAM);
	n = e820_add(tab, n, max, VLINUX_TRAMP, VLINUX_BOOT_END,
		     VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VLINUX_BOOT_END, VLINUX_LOW_END,
		     VLINUX_E820_RAM);
	n = e820_add(tab, n, max, VLINUX_LOW_END, VPLAT_ACPI_BASE,
		     VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VPLAT_ACPI_BASE,
		     VPLAT_ACPI_BASE + VPLAT_ACPI_SIZE, VLINUX_E820_ACPI);
	n = e820_add(tab, n, max, VPLAT_ACPI_BASE + VPLAT_ACPI_SIZE,
		     VLINUX_HIGH_START, VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VLINUX_HIGH_START, low, VLINUX_E820_RAM);
	n = e820_add(tab, n, max, VPLAT_ECAM_BASE,
		     VPLAT_ECAM_BASE + VPLAT_ECAM_SIZE, VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VPLAT_IOAPIC_BASE, VPLAT_IOAPIC_BASE + 0x1000,
		     VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VPLAT_LAPIC_BASE, VPLAT_LAPIC_BASE + 0x1000,
		     VLINUX_E820_RESERVED);
	n = e820_add(tab, n, max, VLINUX_4G, VLINUX_4G + high, VLINUX_E820_RAM);
	return n;
}

void vlinux_boot_params(uint8_t bp[4096], const struct vlinux_kernel *k,
			const struct vlinux_layout *l, uint64_t ram_bytes,
			uint64_t ram_hole)
{
	struct vlinux_e820 tab[VLINUX_E820_MAX];
	unsigned int n;

	/* "initialized to all zero. Then, the setup header at offset
	 * 0x01f1 of kernel image on should be loaded into struct
	 * boot_params" (boot.rst, 64-bit Boot Protocol). The sentinel at
	 * 0x1ef stays 0, so the kernel trusts the fields we leave zero. */
	memset(bp, 0, 4096);
	memcpy(bp + VLINUX_HDR, k->hdr, k->hdr_len);
	wr16(bp + H_VID_MODE, 0xffff); /* "normal" (obligatory) */
	bp[H_TYPE_OF_LOADER] = 0xff;   /* no assigned loader ID */
	wr32(bp + H_CODE32_START, (uint32_t)l->kernel_addr);
	wr32(bp + H_RAMDISK_IMAGE, (uint32_t)l->initrd_addr);
	wr32(bp + H_RAMDISK_SIZE, (uint32_t)l->initrd_size);
	wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(l->initrd_addr >> 32));
	wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(l->initrd_size >> 32));
	wr32(bp + H_CMD_LINE_PTR, (uint32_t)l->cmdline_addr);
	wr32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(l->cmdline_addr >> 32));
	/* The ACPI tables' RSDP (vacpi_build puts it first at the base):
	 * Linux takes it from here before scanning the BIOS area. */
	wr64(bp + BP_ACPI_RSDP_ADDR, VPLAT_ACPI_BASE);
	wr32(bp + BP_ALT_MEM_K, (uint32_t)((l->low_end - VLINUX_HIGH_START) >>
					   10));
	n = vlinux_e820(ram_bytes, ram_hole, tab, VLINUX_E820_MAX);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(bp + BP_E820_TABLE, tab, n * sizeof(tab[0]));
}

void vlinux_page_tables(uint8_t pt[VLINUX_PT_BYTES])
{
	uint8_t *pml4 = pt, *pdpt = pt + 0x1000, *pd = pt + 0x2000;

	memset(pt, 0, VLINUX_PT_BYTES);
	wr64(pml4, VLINUX_PDPT | 3); /* present, writable */
	for (unsigned int i = 0; i < 4; i++)
		wr64(pdpt + i * 8, (VLINUX_PD + i * 0x1000ull) | 3);
	/* 2048 2 MiB pages (PS): GPA 0 to 4 GiB. */
	for (uint64_t j = 0; j < 2048; j++)
		wr64(pd + j * 8, (j << 21) | 0x83);
}

_Static_assert(sizeof(struct vlinux_e820) == 20, "boot_e820_entry");
_Static_assert(BP_E820_TABLE + VLINUX_E820_MAX * 20 <= 0xd00, "e820_table");
_Static_assert(VLINUX_BOOT_END - VLINUX_PD == 4 * 0x1000, "4 directories");
