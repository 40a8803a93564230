/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol, 64-bit entry (docs/vm.md "Linux guests"),
 * following the kernel's Documentation/arch/x86/boot.rst ("The Real-Mode
 * Kernel Header", "Details of Header Fields", "64-bit Boot Protocol") and
 * Documentation/arch/x86/zero-page.rst for struct boot_params.
 *
 * vdev/vlinux.c is pure (header checks, the layout, boot_params with its
 * e820 map, the page tables): unit-tested on the host. vdev/vlinux_load.c
 * writes the result into a VM and starts vCPU 0 through a small real ->
 * long mode trampoline in guest RAM (vdev/vlinux_tramp.S), because the
 * backends start vCPU 0 in real mode at vm->entry_cs:entry_ip on both
 * VMX and SVM and a trampoline needs no vendor-specific long-mode state.
 *
 * Guest-physical layout below 1 MiB (all inside the first e820 RAM range
 * except the trampoline pages, which are reserved):
 *   0x7000  boot_params ("zero page", 4 KiB)
 *   0x8000  trampoline code, its GDT and parameters (one page);
 *           vCPU 0 starts in real mode at 0000:8000
 *   0x9000  PML4, 0xa000 PDPT, 0xb000-0xefff four page directories:
 *           the first 4 GiB identity-mapped with 2 MiB pages, which
 *           covers the kernel's init_size, boot_params and the command
 *           line, as the 64-bit protocol asks
 *   0x20000 the command line (NUL-terminated)
 * Above 1 MiB: the kernel at pref_address (or the lowest aligned address
 * from 1 MiB), the initrd as high as initrd_addr_max and RAM allow.
 */
#ifndef KEEL_VDEV_VLINUX_H
#define KEEL_VDEV_VLINUX_H

#define VLINUX_ZERO_PAGE 0x7000
#define VLINUX_TRAMP 0x8000
#define VLINUX_PML4 0x9000
#define VLINUX_PDPT 0xa000
#define VLINUX_PD 0xb000 /* 4 pages */
#define VLINUX_BOOT_END 0xf000
#define VLINUX_CMDLINE 0x20000
#define VLINUX_CMDLINE_ROOM 0x10000 /* our own limit on the buffer */
#define VLINUX_LOW_END 0x9fc00	/* conventional memory, as a PC */
#define VLINUX_HIGH_START 0x100000	/* 1 MiB */
#define VLINUX_4G (1ull << 32)

/* Offsets in the trampoline page of the parameters C fills in. */
#define VLINUX_TRAMP_ENTRY 0xf00 /* u64: startup_64 */
#define VLINUX_TRAMP_BP 0xf08	 /* u64: boot_params */
#define VLINUX_TRAMP_STACK 0xff0 /* top of the trampoline's own stack */

/* Selectors the 64-bit protocol names (boot.rst "64-bit Boot Protocol"). */
#define VLINUX_BOOT_CS 0x10
#define VLINUX_BOOT_DS 0x18

#ifndef __ASSEMBLER__ /* vdev/vlinux_tramp.S needs the addresses only */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How much of the kernel file the header checks need: boot sector and
 * the setup header (it ends at 0x202 + the byte at 0x201, < 0x290). */
#define VLINUX_HEAD 0x400

/* setup header offsets (boot.rst "The Real-Mode Kernel Header"). */
#define VLINUX_HDR 0x1f1 /* the setup header starts here */
#define VLINUX_HDR_END 0x290 /* and ends before edd_mbr_sig_buffer */

/* e820 types (zero-page.rst, struct boot_e820_entry). */
enum {
	VLINUX_E820_RAM = 1,
	VLINUX_E820_RESERVED = 2,
	VLINUX_E820_ACPI = 3,
};

struct vlinux_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define VLINUX_E820_MAX 128 /* E820_MAX_ENTRIES_ZEROPAGE */

/* What the header says (boot.rst "Details of Header Fields"). */
struct vlinux_kernel {
	uint64_t file_size;
	uint16_t version;	 /* 0x020c = 2.12 */
	unsigned int setup_sects; /* 0 in the file means 4 */
	uint64_t setup_bytes;	 /* (setup_sects + 1) * 512 */
	uint64_t payload_bytes;	 /* the protected-mode kernel: syssize * 16 */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	bool relocatable;
	uint32_t cmdline_size; /* characters without the NUL */
	uint64_t pref_address;
	uint32_t init_size;
	/* The setup header as in the file, from 0x1f1 to its end. */
	uint8_t hdr[VLINUX_HDR_END - VLINUX_HDR];
	size_t hdr_len;
};

/* Where things go in a VM's memory. */
struct vlinux_layout {
	uint64_t kernel_addr; /* the protected-mode kernel (code32_start) */
	uint64_t entry;	      /* kernel_addr + 0x200: startup_64 */
	uint64_t initrd_addr; /* 0: none */
	uint64_t initrd_size;
	uint64_t cmdline_addr;
	uint64_t cmdline_len; /* without the NUL */
	uint64_t low_end;     /* end of RAM below 4 GiB */
	uint64_t high_size;   /* RAM from 4 GiB on */
};

#define VLINUX_ERR_LEN 200

/*
 * Check a kernel file of @file_size bytes whose first @head_len bytes are
 * @head: a bzImage (boot_flag 0xaa55, "HdrS", LOADED_HIGH) of protocol
 * 2.12 or later with the 64-bit entry (XLF_KERNEL_64), complete (the
 * setup sectors and syssize fit the file). 0 with @k filled, or
 * -ENOEXEC (not a bzImage), -ENOTSUP (protocol too old, no 64-bit entry)
 * or -ENODATA (truncated), with @err a sentence about the file that
 * reads after its name ("is truncated: ...").
 */
int vlinux_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
		 struct vlinux_kernel *k, char err[VLINUX_ERR_LEN]);
/* Only whether @head looks like a Linux boot header ("HdrS" at 0x202). */
bool vlinux_is_linux(const uint8_t *head, size_t head_len);

/*
 * Place kernel, initrd (@initrd_size 0: none) and a command line of
 * @cmdline_len characters in a VM with @ram_bytes of RAM whose RAM below
 * 4 GiB ends at @ram_hole (0: no hole). 0, or -E2BIG (command line
 * over cmdline_size), -ENOMEM (the kernel's init_size does not fit) or
 * -EFBIG (no room for the initrd), with @err naming the limit.
 */
int vlinux_plan(const struct vlinux_kernel *k, uint64_t ram_bytes,
		uint64_t ram_hole, uint64_t initrd_size, size_t cmdline_len,
		struct vlinux_layout *l, char err[VLINUX_ERR_LEN]);

/*
 * The command line the kernel gets: @user after what Keel vouches for
 * about the TSC (boot.rst, "Special Command Line Options": options a
 * boot loader adds go first), each unless @user sets it itself:
 * - "tsc=reliable": the guest TSC is the host's invariant TSC plus one
 *   per-VM offset, so it needs no clocksource watchdog. Linux 6.1 sets
 *   TSC_RELIABLE itself only for hypervisors it knows (VMware, Hyper-V);
 *   without it the watchdog compares the TSC with the ACPI PM timer and,
 *   under emulation, marks the TSC unstable because reading the PM
 *   timer takes longer than its 100 us read-back limit.
 * - "tsc_early_khz=N" when @tsc_khz is non-zero: Linux 6.1 reads the TSC
 *   frequency from CPUID only on Intel (leaf 0x15); elsewhere it
 *   calibrates against the PIT, which fails under emulation.
 * Writes at most @out_len bytes with the NUL; returns the length
 * without it (as snprintf).
 */
size_t vlinux_cmdline(char *out, size_t out_len, const char *user,
		      uint32_t tsc_khz);

/* The e820 map of a VM (docs/vm.md): count of entries written. */
unsigned int vlinux_e820(uint64_t ram_bytes, uint64_t ram_hole,
			 struct vlinux_e820 *tab, unsigned int max);

/* Fill the 4 KiB @bp (struct boot_params) for @k placed as @l. */
void vlinux_boot_params(uint8_t bp[4096], const struct vlinux_kernel *k,
			const struct vlinux_layout *l, uint64_t ram_bytes,
			uint64_t ram_hole);

/* The identity-map page tables, VLINUX_PML4..VLINUX_BOOT_END (6 pages). */
#define VLINUX_PT_BYTES (VLINUX_BOOT_END - VLINUX_PML4)
void vlinux_page_tables(uint8_t pt[VLINUX_PT_BYTES]);

/* ---- vdev/vlinux_load.c ---------------------------------------------- */

struct vm;

/*
 * After the kernel file's payload is in guest RAM at l->kernel_addr and
 * the initrd at l->initrd_addr: write boot_params, the command line, the
 * page tables and the trampoline, and point vCPU 0 at the trampoline
 * (the VM must have been created with entry_cs:entry_ip = 0:VLINUX_TRAMP;
 * vlinux_vm_entry says so). 0 or -errno.
 */
/* The TSC frequency for vlinux_cmdline: the host's on hosts that are
 * not Intel (whose guests read CPUID 0x15), else 0. */
uint32_t vlinux_tsc_khz_hint(void);
int vlinux_setup(struct vm *vm, const struct vlinux_kernel *k,
		 const struct vlinux_layout *l, const char *cmdline,
		 uint64_t ram_bytes, uint64_t ram_hole);
#define VLINUX_ENTRY_CS 0
#define VLINUX_ENTRY_IP ((uint16_t)VLINUX_TRAMP)

#endif /* __ASSEMBLER__ */
#endif
