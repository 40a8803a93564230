// SPDX-License-Identifier: MIT
/*
 * Kernel format and boot-parameter checks for the VM manager
 * (mgmt/vmm_boot.h). A file with the Linux boot header ("HdrS" at 0x202,
 * Documentation/arch/x86/boot.rst) is checked as a bzImage by
 * vdev/vlinux.c; anything else that is not ELF is a flat image.
 */
#include "mgmt/vmm_boot.h"

#include <stdarg.h>
#include <string.h>

#include <errno.h>

#include "core/fmt.h"
#include "mgmt/rpc.h"

int vmm_fail(struct vmm_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	fmt_vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int vmm_boot_check_kernel(const char *name, const uint8_t *head,
			  size_t head_len, uint64_t size, struct vmm_kernel *k,
			  struct vmm_err *e)
{
	struct vmm_kernel scratch;
	char why[VLINUX_ERR_LEN];

	if (!k)
		k = &scratch;
	k->is_linux = false;
	if (!size)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"kernel \"%s\" is an empty file", name);
	if (vlinux_is_linux(head, head_len)) {
		int rc = vlinux_parse(head, head_len, size, &k->lk, why);
		if (rc)
			return vmm_fail(e,
					rc == -ENOTSUP ? RPC_ERR_UNSUPPORTED
						       : RPC_INVALID_PARAMS,
					"kernel \"%s\" %s", name, why);
		k->is_linux = true;
		return 0;
	}
	if (head_len >= 4 && !memcmp(head,
				     "\x7f"
				     "ELF",
				     4))
		return vmm_fail(e, RPC_ERR_UNSUPPORTED,
				"kernel \"%s\" is an ELF file; Keel boots a "
				"Linux bzImage or a flat real-mode image "
				"(docs/vm.md)",
				name);
	if (size > VMM_BOOT_KERNEL_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"kernel \"%s\" is %llu bytes; a flat image is "
				"loaded at 0x8000 and must end below 0xa0000 "
				"(at most %u bytes)",
				name, (unsigned long long)size,
				VMM_BOOT_KERNEL_MAX);
	return 0;
}

int vmm_boot_plan_linux(const struct vmm_kernel *k, const char *kname,
			const char *iname, uint64_t initrd_size,
			const char *cmdline, uint32_t tsc_khz,
			uint64_t ram_bytes, uint64_t ram_hole,
			struct vlinux_layout *l, char *line,
			struct vmm_err *e)
{
	char why[VLINUX_ERR_LEN];
	size_t len;
	int rc;

	if (iname && iname[0] && !initrd_size)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"initrd \"%s\" is an empty file", iname);
	len = vlinux_cmdline(line, VMM_BOOT_LINUX_CMDLINE_MAX + 1, cmdline,
			     tsc_khz);
	if (len > VMM_BOOT_LINUX_CMDLINE_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.cmdline: %zu bytes with Keel's "
				"additions, at most %u",
				len, VMM_BOOT_LINUX_CMDLINE_MAX);
	rc = vlinux_plan(&k->lk, ram_bytes, ram_hole, initrd_size, len, l,
			 why);
	if (!rc)
		return 0;
	if (rc == -EFBIG)
		return vmm_fail(e, RPC_INVALID_PARAMS, "initrd \"%s\": %s",
				iname, why);
	return vmm_fail(e, RPC_INVALID_PARAMS, "kernel \"%s\": %s", kname,
			why);
}

int vmm_boot_check_initrd(const char *name, uint64_t size, uint64_t ram_bytes,
			  struct vmm_err *e)
{
	uint64_t room = ram_bytes > VMM_BOOT_INITRD_GPA
			    ? ram_bytes - VMM_BOOT_INITRD_GPA
			    : 0;

	if (room > VMM_BOOT_INITRD_MAX)
		room = VMM_BOOT_INITRD_MAX;
	if (!size)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"initrd \"%s\" is an empty file", name);
	if (size > room)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"initrd \"%s\" is %llu bytes; it is loaded at "
				"1 MiB and must fit in the VM's memory (at "
				"most %llu bytes with %llu MiB)",
				name, (unsigned long long)size,
				(unsigned long long)room,
				(unsigned long long)(ram_bytes >> 20));
	return 0;
}

int vmm_boot_check_cmdline(const char *cmdline, struct vmm_err *e)
{
	size_t len = strlen(cmdline);

	if (len > VMM_CMDLINE_MAX)
		return vmm_fail(e, RPC_INVALID_PARAMS,
				"params.cmdline: %zu bytes, at most %u", len,
				VMM_CMDLINE_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)cmdline[i];
		if (c < 0x20 || c == 0x7f)
			return vmm_fail(e, RPC_INVALID_PARAMS,
					"params.cmdline: control character "
					"0x%02x at byte %zu",
					c, i);
	}
	return 0;
}

bool vmm_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > VMM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

void vmm_boot_info_fill(struct vmm_boot_info *bi, uint64_t ram_bytes,
			unsigned int vcpus, uint32_t kernel_size,
			uint32_t cmdline_len, uint32_t initrd_size)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = VMM_BOOT_MAGIC;
	bi->size = sizeof(*bi);
	bi->cmdline_gpa = VMM_BOOT_CMDLINE_GPA;
	bi->cmdline_len = cmdline_len;
	bi->initrd_gpa = initrd_size ? VMM_BOOT_INITRD_GPA : 0;
	bi->initrd_size = initrd_size;
	bi->kernel_gpa = VMM_BOOT_KERNEL_GPA;
	bi->kernel_size = kernel_size;
	bi->ram_bytes = ram_bytes;
	bi->vcpus = vcpus;
}

_Static_assert(sizeof(struct vmm_boot_info) == 48, "boot-info layout");
_Static_assert(VMM_BOOT_CMDLINE_GPA + VMM_CMDLINE_MAX + 1 <=
		   VMM_BOOT_CMDLINE_END,
	       "the command line fits below 0x6000");
