/* SPDX-License-Identifier: MIT */
/*
 * How the VM manager boots a guest kernel (docs/vm.md "Boot protocol"):
 * a Linux bzImage through the 64-bit boot protocol (vdev/vlinux.h), or a
 * flat real-mode image, as the test guests are, loaded at 0x8000 and
 * entered at 0000:8000 with a small boot-info block at 0x5000 naming the
 * command line and the initrd.
 *
 * Pure checks and layout, unit-tested on the host (tests/unit/
 * test_vmm_boot.c): every size and address is bounds-checked here before
 * mgmt/vmm.c copies anything into guest memory.
 */
#ifndef KEEL_MGMT_VMM_BOOT_H
#define KEEL_MGMT_VMM_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/vmm.h"
#include "vdev/vlinux.h"

/* Guest-physical layout (all below 1 MiB except the initrd). */
#define VMM_BOOT_INFO_GPA 0x5000u
#define VMM_BOOT_CMDLINE_GPA 0x5100u
#define VMM_BOOT_CMDLINE_END 0x6000u /* room for the NUL-terminated line */
#define VMM_BOOT_KERNEL_GPA 0x8000u  /* entered at 0000:8000, real mode */
#define VMM_BOOT_KERNEL_END 0xa0000u /* the end of conventional memory */
#define VMM_BOOT_KERNEL_MAX (VMM_BOOT_KERNEL_END - VMM_BOOT_KERNEL_GPA)
#define VMM_BOOT_INITRD_GPA 0x100000u /* 1 MiB */
/* The boot-info block's fields are 32-bit. */
#define VMM_BOOT_INITRD_MAX (0xffffffffu - VMM_BOOT_INITRD_GPA + 1)
#define VMM_BOOT_MAGIC 0x3149424bu /* "KBI1" in memory */
/* How much of a kernel the format check looks at. */
#define VMM_BOOT_HEAD VLINUX_HEAD

/* What a kernel file is, from vmm_boot_check_kernel. */
struct vmm_kernel {
	bool is_linux;		 /* a bzImage: @lk is filled */
	struct vlinux_kernel lk;
};

/* At VMM_BOOT_INFO_GPA, little-endian; docs/vm.md documents it. */
struct vmm_boot_info {
	uint32_t magic;	      /* VMM_BOOT_MAGIC */
	uint32_t size;	      /* sizeof(struct vmm_boot_info) */
	uint32_t cmdline_gpa; /* NUL-terminated */
	uint32_t cmdline_len; /* without the NUL; 0: empty line */
	uint32_t initrd_gpa;  /* 0: no initrd */
	uint32_t initrd_size;
	uint32_t kernel_gpa;
	uint32_t kernel_size;
	uint64_t ram_bytes; /* guest RAM at GPA 0 */
	uint32_t vcpus;
	uint32_t reserved;
} __attribute__((packed));

/*
 * A kernel file of @size bytes whose first @head_len bytes are @head:
 * 0 with @k saying which kind, or RPC_INVALID_PARAMS (empty, larger than
 * the real-mode window, a truncated or damaged bzImage) or
 * RPC_ERR_UNSUPPORTED (an ELF file, a bzImage without the 64-bit entry
 * or older than boot protocol 2.12) with @e filled. @k may be NULL.
 */
int vmm_boot_check_kernel(const char *name, const uint8_t *head,
			  size_t head_len, uint64_t size, struct vmm_kernel *k,
			  struct vmm_err *e);
/* The longest command line a Linux guest gets: the store's limit plus
 * what vlinux_cmdline adds. */
#define VMM_BOOT_LINUX_CMDLINE_MAX (VMM_CMDLINE_MAX + 64)
/*
 * Place a Linux kernel @k (file @kname), an initrd (@iname, @initrd_size
 * bytes; 0: none) and @cmdline in a VM of @ram_bytes whose low RAM ends
 * at @ram_hole, the command line as vlinux_cmdline builds it with
 * @tsc_khz into @line (VMM_BOOT_LINUX_CMDLINE_MAX + 1 bytes): 0 with @l
 * filled or RPC_INVALID_PARAMS naming the file and the limit.
 */
int vmm_boot_plan_linux(const struct vmm_kernel *k, const char *kname,
			const char *iname, uint64_t initrd_size,
			const char *cmdline, uint32_t tsc_khz,
			uint64_t ram_bytes, uint64_t ram_hole,
			struct vlinux_layout *l, char *line,
			struct vmm_err *e);
/* An initrd of @size bytes for a VM with @ram_bytes: it must fit between
 * 1 MiB and the end of RAM. 0 or RPC_INVALID_PARAMS. */
int vmm_boot_check_initrd(const char *name, uint64_t size, uint64_t ram_bytes,
			  struct vmm_err *e);
/* Printable text of at most VMM_CMDLINE_MAX bytes. 0 or RPC_INVALID_PARAMS. */
int vmm_boot_check_cmdline(const char *cmdline, struct vmm_err *e);
/* A VM name: 1..VMM_NAME_MAX of [A-Za-z0-9._-], starting with a letter or
 * digit (the store's rule, shortened to fit struct vm). */
bool vmm_name_ok(const char *name);

void vmm_boot_info_fill(struct vmm_boot_info *bi, uint64_t ram_bytes,
			unsigned int vcpus, uint32_t kernel_size,
			uint32_t cmdline_len, uint32_t initrd_size);

/* Record a failure in @e; returns @code. */
int vmm_fail(struct vmm_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
