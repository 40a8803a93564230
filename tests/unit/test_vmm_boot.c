// SPDX-License-Identifier: MIT
/*
 * What vm.create and vm.start refuse before a byte reaches guest memory
 * (mgmt/vmm_boot.c): a damaged or too old Linux bzImage, an ELF file, an empty or oversized flat image, an initrd that does not
 * fit above 1 MiB, a command line too long or with control characters,
 * bad VM names; the boot-info block's layout. And the console ring
 * (mgmt/vmm_con.c): cursors, lost bytes after a wrap, UTF-8 clean-up.
 * UNIT_SRCS: mgmt/vmm_boot.c mgmt/vmm_con.c core/fmt.c vdev/vlinux.c
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mgmt/rpc.h"
#include "mgmt/vmm_boot.h"
#include "mgmt/vmm_con.h"
#include "unit.h"

static uint8_t head[VMM_BOOT_HEAD];

UNIT_TEST(kernel_flat_image_accepted)
{
	struct vmm_err e = { 0 };

	memset(head, 0xfa, sizeof(head)); /* cli; ... */
	UNIT_CHECK(
	    vmm_boot_check_kernel("g.bin", head, sizeof(head), 512, NULL, &e) == 0);
	UNIT_CHECK(vmm_boot_check_kernel("g.bin", head, 100, 100, NULL, &e) == 0);
	UNIT_CHECK(vmm_boot_check_kernel("g.bin", head, sizeof(head),
					 VMM_BOOT_KERNEL_MAX, NULL, &e) == 0);
	UNIT_CHECK(e.code == 0);
}

UNIT_TEST(kernel_bzimage_checked)
{
	struct vmm_err e = { 0 };
	struct vmm_kernel k;

	memset(head, 0, sizeof(head));
	head[0x1f1] = 4;
	head[0x1f5] = 0x01; /* syssize 0x100 paragraphs: 4 KiB */
	head[0x1fe] = 0x55;
	head[0x1ff] = 0xaa;
	memcpy(head + 0x202, "HdrS", 4);
	head[0x206] = 0x0f; /* protocol 2.15 */
	head[0x207] = 0x02;
	head[0x211] = 1;    /* LOADED_HIGH */
	head[0x236] = 1;    /* XLF_KERNEL_64 */
	head[0x238] = 0xff; /* cmdline_size 255 */
	/* Complete: 5 * 512 + 4096 bytes. */
	UNIT_CHECK(vmm_boot_check_kernel("vmlinuz", head, sizeof(head),
					 5 * 512 + 4096, &k, &e) == 0);
	UNIT_CHECK(k.is_linux && k.lk.payload_bytes == 4096);
	/* Larger than a flat image may be: a bzImage has no such limit. */
	UNIT_CHECK(vmm_boot_check_kernel("vmlinuz", head, sizeof(head),
					 8 << 20, &k, &e) == 0);
	/* Truncated. */
	UNIT_CHECK(vmm_boot_check_kernel("vmlinuz", head, sizeof(head), 4096,
					 &k, &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "kernel \"vmlinuz\" is truncated") != NULL);
	/* Too old for the 64-bit entry. */
	head[0x206] = 0x0a;
	UNIT_CHECK(vmm_boot_check_kernel("old", head, sizeof(head), 8 << 20,
					 &k, &e) == RPC_ERR_UNSUPPORTED);
	UNIT_CHECK(strstr(e.msg, "boot protocol 2.10") != NULL);
	/* HdrS but no boot_flag: damaged. */
	head[0x206] = 0x0f;
	head[0x1fe] = 0;
	UNIT_CHECK(vmm_boot_check_kernel("x", head, sizeof(head), 8 << 20, &k,
					 &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "not a Linux bzImage") != NULL);
	/* HdrS past what was read is not looked at. */
	UNIT_CHECK(vmm_boot_check_kernel("short", head, 0x200, 0x200, &k,
					 &e) == 0);
	UNIT_CHECK(!k.is_linux);
	memset(head, 0, sizeof(head));
	memcpy(head,
	       "\x7f"
	       "ELF\x02\x01",
	       6);
	UNIT_CHECK(vmm_boot_check_kernel("k.elf", head, sizeof(head), 4096,
					 NULL, &e) == RPC_ERR_UNSUPPORTED);
	UNIT_CHECK(strstr(e.msg, "ELF") != NULL);
}

UNIT_TEST(linux_plan_messages)
{
	struct vmm_err e = { 0 };
	struct vmm_kernel k = { .is_linux = true };
	struct vlinux_layout l;
	char line[300], out[VMM_BOOT_LINUX_CMDLINE_MAX + 1];

	k.lk.payload_bytes = 4 << 20;
	k.lk.init_size = 20 << 20;
	k.lk.relocatable = true;
	k.lk.kernel_alignment = 0x200000;
	k.lk.pref_address = 0x1000000;
	k.lk.initrd_addr_max = 0x7fffffff;
	k.lk.cmdline_size = 255;
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "initrd.img", 1 << 20,
				       "console=ttyS0", 0, 64 << 20, 0xc0000000,
				       &l, out, &e) == 0);
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "initrd.img", 100 << 20,
				       "", 0, 64 << 20, 0xc0000000, &l,
				       out, &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "initrd \"initrd.img\": the initrd is "
				 "104857600 bytes; a VM with 64 MiB") != NULL);
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "", 0, "", 0, 16 << 20,
				       0xc0000000, &l, out,
				       &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "kernel \"vmlinuz\": the kernel needs") !=
		   NULL);
	k.lk.cmdline_size = 23; /* "tsc=reliable " + 10 */
	memset(line, 'a', 11);
	line[11] = 0;
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "", 0, line, 0, 64 << 20,
				       0xc0000000, &l, out,
				       &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "24 characters; this kernel takes at most "
				 "23") != NULL);
	/* Not on Intel: the TSC's frequency goes first on the line. */
	k.lk.cmdline_size = 2047;
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "", 0, "console=ttyS0",
				       2994372, 64 << 20, 0xc0000000, &l, out,
				       &e) == 0);
	UNIT_CHECK_STR(out, "tsc=reliable tsc_early_khz=2994372 console=ttyS0");
	UNIT_CHECK(l.cmdline_len == strlen(out));
	/* The user's own setting wins. */
	UNIT_CHECK(vmm_boot_plan_linux(&k, "vmlinuz", "", 0,
				       "tsc_early_khz=1000", 2994372, 64 << 20,
				       0xc0000000, &l, out, &e) == 0);
	UNIT_CHECK_STR(out, "tsc=reliable tsc_early_khz=1000");
}

UNIT_TEST(kernel_size_refused)
{
	struct vmm_err e = { 0 };

	memset(head, 0x90, sizeof(head));
	UNIT_CHECK(vmm_boot_check_kernel("e", head, 0, 0, NULL, &e) ==
		   RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "empty") != NULL);
	UNIT_CHECK(vmm_boot_check_kernel("big", head, sizeof(head),
					 VMM_BOOT_KERNEL_MAX + 1, NULL,
					 &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "at most 622592 bytes") != NULL);
}

UNIT_TEST(initrd_must_fit)
{
	struct vmm_err e = { 0 };
	uint64_t ram = 16ull << 20;

	UNIT_CHECK(vmm_boot_check_initrd("i", 1, ram, &e) == 0);
	UNIT_CHECK(vmm_boot_check_initrd("i", ram - VMM_BOOT_INITRD_GPA, ram,
					 &e) == 0);
	UNIT_CHECK(vmm_boot_check_initrd("i", ram - VMM_BOOT_INITRD_GPA + 1,
					 ram, &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "16 MiB") != NULL);
	UNIT_CHECK(vmm_boot_check_initrd("i", 0, ram, &e) ==
		   RPC_INVALID_PARAMS);
	UNIT_CHECK(vmm_boot_check_initrd("i", 1, 1ull << 20, &e) ==
		   RPC_INVALID_PARAMS);
	/* Past 4 GiB the 32-bit boot-info fields end the room. */
	UNIT_CHECK(vmm_boot_check_initrd("i", 1ull << 32, 8ull << 30, &e) ==
		   RPC_INVALID_PARAMS);
	UNIT_CHECK(vmm_boot_check_initrd("i", VMM_BOOT_INITRD_MAX, 8ull << 30,
					 &e) == 0);
}

UNIT_TEST(cmdline_checked)
{
	struct vmm_err e = { 0 };
	char line[VMM_CMDLINE_MAX + 2];

	UNIT_CHECK(vmm_boot_check_cmdline("", &e) == 0);
	UNIT_CHECK(vmm_boot_check_cmdline("console=ttyS0 quiet", &e) == 0);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	UNIT_CHECK(vmm_boot_check_cmdline(line, &e) == RPC_INVALID_PARAMS);
	line[VMM_CMDLINE_MAX] = 0;
	UNIT_CHECK(vmm_boot_check_cmdline(line, &e) == 0);
	UNIT_CHECK(vmm_boot_check_cmdline("a\nb", &e) == RPC_INVALID_PARAMS);
	UNIT_CHECK(strstr(e.msg, "0x0a at byte 1") != NULL);
}

UNIT_TEST(names)
{
	UNIT_CHECK(vmm_name_ok("web1"));
	UNIT_CHECK(vmm_name_ok("a.b_c-d"));
	UNIT_CHECK(vmm_name_ok("1234567890123456789012345678901"));
	UNIT_CHECK(!vmm_name_ok("12345678901234567890123456789012"));
	UNIT_CHECK(!vmm_name_ok(""));
	UNIT_CHECK(!vmm_name_ok("-x"));
	UNIT_CHECK(!vmm_name_ok(".x"));
	UNIT_CHECK(!vmm_name_ok("a b"));
	UNIT_CHECK(!vmm_name_ok("a/b"));
	UNIT_CHECK(!vmm_name_ok("caf\xc3\xa9"));
}

UNIT_TEST(boot_info_layout)
{
	struct vmm_boot_info bi;

	vmm_boot_info_fill(&bi, 16ull << 20, 2, 1000, 10, 0);
	UNIT_CHECK(sizeof(bi) == 48);
	UNIT_CHECK(!memcmp(&bi, "KBI1", 4));
	UNIT_CHECK(offsetof(struct vmm_boot_info, ram_bytes) == 32);
	UNIT_CHECK(bi.initrd_gpa == 0 && bi.initrd_size == 0);
	UNIT_CHECK(bi.cmdline_gpa == 0x5100 && bi.cmdline_len == 10);
	UNIT_CHECK(bi.kernel_gpa == 0x8000 && bi.kernel_size == 1000);
	vmm_boot_info_fill(&bi, 16ull << 20, 2, 1000, 0, 4096);
	UNIT_CHECK(bi.initrd_gpa == 0x100000 && bi.initrd_size == 4096);
	UNIT_CHECK(bi.vcpus == 2 && bi.ram_bytes == 16ull << 20);
}

UNIT_TEST(console_ring_cursor)
{
	struct vmm_con c;
	uint8_t buf[64];
	uint64_t next, lost;

	UNIT_CHECK(vmm_con_init(&c, 16) == 0);
	vmm_con_put(&c, (const uint8_t *)"hello", 5);
	UNIT_CHECK(
	    vmm_con_read(&c, UINT64_MAX, buf, sizeof(buf), &next, &lost) == 5);
	UNIT_CHECK(!memcmp(buf, "hello", 5) && next == 5 && lost == 0);
	UNIT_CHECK(vmm_con_read(&c, next, buf, sizeof(buf), &next, &lost) == 0);
	UNIT_CHECK(next == 5);
	/* Wrap: 20 more bytes; the first 9 of all 25 are gone. */
	vmm_con_put(&c, (const uint8_t *)"0123456789abcdefghij", 20);
	UNIT_CHECK(vmm_con_head(&c) == 25);
	UNIT_CHECK(vmm_con_read(&c, 5, buf, 4, &next, &lost) == 4);
	UNIT_CHECK(lost == 4 && next == 13 && !memcmp(buf, "4567", 4));
	UNIT_CHECK(vmm_con_read(&c, next, buf, sizeof(buf), &next, &lost) ==
		   12);
	UNIT_CHECK(lost == 0 && next == 25 && !memcmp(buf, "89abcdefghij", 12));
	/* A cursor from the future reads nothing and resyncs. */
	UNIT_CHECK(vmm_con_read(&c, 1000, buf, sizeof(buf), &next, &lost) == 0);
	UNIT_CHECK(next == 25);
	vmm_con_free(&c);
}

UNIT_TEST(console_utf8)
{
	char out[64];
	size_t used, n;

	n = vmm_con_to_utf8((const uint8_t *)"ok \xc3\xa9!", 6, false, out,
			    &used);
	UNIT_CHECK(n == 6 && used == 6 && !memcmp(out, "ok \xc3\xa9!", 6));
	/* A stray byte, an overlong form, a surrogate, NUL: U+FFFD each. */
	n = vmm_con_to_utf8((const uint8_t *)"\xff"
					     "a\xc0\xaf\xed\xa0\x80",
			    7, true, out, &used);
	UNIT_CHECK(used == 7);
	UNIT_CHECK(n == 3 + 1 + 3 + 3 + 3 + 3 + 3);
	UNIT_CHECK(!memcmp(out,
			   "\xef\xbf\xbd"
			   "a\xef\xbf\xbd",
			   7));
	n = vmm_con_to_utf8((const uint8_t *)"x\0y", 3, true, out, &used);
	UNIT_CHECK(n == 5 && !memcmp(out, "x\xef\xbf\xbdy", 5));
	/* A sequence cut at the end waits for the next read... */
	n = vmm_con_to_utf8((const uint8_t *)"ab\xe2\x82", 4, false, out,
			    &used);
	UNIT_CHECK(n == 2 && used == 2);
	/* ...unless this is the last of it. */
	n = vmm_con_to_utf8((const uint8_t *)"ab\xe2\x82", 4, true, out, &used);
	UNIT_CHECK(used == 4 && n == 2 + 3 + 3);
}
