// SPDX-License-Identifier: MIT
/*
 * Writes what vdev/vlinux.c computed into a VM: boot_params, the command
 * line, the identity-map page tables and the real -> long mode trampoline
 * (vdev/vlinux_tramp.S) with its two parameters. The kernel and initrd
 * are already in guest RAM (the VM manager reads them from the datastore
 * straight to their planned addresses).
 *
 * Why a trampoline and not long-mode state set through the backends:
 * both backends start vCPU 0 in real mode at vm->entry_cs:entry_ip, and
 * real -> long mode inside the guest is the path the test guests already
 * prove on VMX (unrestricted guest) and SVM alike; setting CS.L, EFER.LMA
 * and the IA-32e entry control from outside would need new, vendor-
 * specific code in both. It costs three pages, reserved in the e820 map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vlinux.h"

extern const uint8_t vlinux_tramp[], vlinux_tramp_end[];

uint32_t vlinux_tsc_khz_hint(void)
{
	struct cpuid_regs r = cpu_cpuid(0, 0);
	uint64_t khz = time_tsc_hz() / 1000;

	if (r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e)
		return 0; /* GenuineIntel: CPUID 0x15 (core/cpuid_policy.c) */
	return khz > 0xffffffffull ? 0 : (uint32_t)khz;
}

int vlinux_setup(struct vm *vm, const struct vlinux_kernel *k,
		 const struct vlinux_layout *l, const char *cmdline,
		 uint64_t ram_bytes, uint64_t ram_hole)
{
	size_t tlen = (size_t)(vlinux_tramp_end - vlinux_tramp);
	uint8_t *buf;
	uint64_t params[2] = { l->entry, VLINUX_ZERO_PAGE };
	int rc;

	if (vm->entry_cs != VLINUX_ENTRY_CS || vm->entry_ip != VLINUX_ENTRY_IP ||
	    tlen > VLINUX_TRAMP_ENTRY)
		return -EINVAL;
	buf = malloc(VLINUX_PT_BYTES > 4096 ? VLINUX_PT_BYTES : 4096);
	if (!buf)
		return -ENOMEM;
	vlinux_boot_params(buf, k, l, ram_bytes, ram_hole);
	rc = vm_load(vm, VLINUX_ZERO_PAGE, buf, 4096);
	if (!rc)
		rc = vm_load(vm, l->cmdline_addr, cmdline, l->cmdline_len + 1);
	if (!rc) {
		vlinux_page_tables(buf);
		rc = vm_load(vm, VLINUX_PML4, buf, VLINUX_PT_BYTES);
	}
	if (!rc)
		rc = vm_load(vm, VLINUX_TRAMP, vlinux_tramp, tlen);
	if (!rc)
		rc = vm_load(vm, VLINUX_TRAMP + VLINUX_TRAMP_ENTRY, params,
			     sizeof(params));
	free(buf);
	if (rc)
		return rc;
	log_info("vm %u: Linux boot protocol %u.%02u: kernel at %#llx "
		 "(entry %#llx), initrd %#llx+%llu, boot_params %#x",
		 vm->id, k->version >> 8, k->version & 0xff,
		 (unsigned long long)l->kernel_addr,
		 (unsigned long long)l->entry,
		 (unsigned long long)l->initrd_addr,
		 (unsigned long long)l->initrd_size, VLINUX_ZERO_PAGE);
	return 0;
}
