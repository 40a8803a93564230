// SPDX-License-Identifier: MIT
/*
 * The boot sequence after image/boot.S has entered long mode. Rooms above
 * core/ hook in through initcalls (core/init.h); core names none of them.
 */
#include <stdint.h>

#include "core/bootinfo.h"
#include "core/cmdline.h"
#include "core/cpu.h"
#include "core/cpuinfo.h"
#include "core/fpu.h"
#include "core/gdt.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mb2.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/trap.h"
#include "version.h"

struct boot_info boot_info;
extern uint64_t boot_tsc;

/*
 * The x86-64 ABI passes doubles in SSE registers, so newlib, SQLite and
 * mbedTLS need SSE enabled (CR4.OSFXSR, CR0.MP, !CR0.EM). Keel's own code is
 * built with -mgeneral-regs-only; core/fpu.c saves extended state per thread.
 * Every CPU runs this before any library code.
 */
void core_cpu_setup(void)
{
	/* Caches on: INIT leaves CD and NW set on an AP (SDM 3A 9.1.1,
	 * table 9-1), and some firmware (Bochs') leaves CD on the BSP. */
	cpu_write_cr0((cpu_read_cr0() & ~(CR0_EM | CR0_TS | CR0_CD | CR0_NW)) |
		      CR0_MP);
	cpu_write_cr4(cpu_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	asm volatile("fninit");
}

static void core_log_boot_info(const struct boot_info *bi)
{
	static const char *const type_names[] = {
		[BOOT_MEM_AVAILABLE] = "available",
		[BOOT_MEM_RESERVED] = "reserved",
		[BOOT_MEM_ACPI_RECLAIMABLE] = "ACPI reclaimable",
		[BOOT_MEM_NVS] = "ACPI NVS",
		[BOOT_MEM_BADRAM] = "bad RAM",
	};
	uint64_t usable = 0;

	if (!bi->valid)
		return;
	log_info("boot: loader \"%s\", %s, cmdline \"%s\"",
		 bi->loader[0] ? bi->loader : "unknown",
		 bi->efi_systab ? "UEFI" : "BIOS", bi->cmdline);
	if (bi->rsdp_rev)
		log_info("boot: ACPI RSDP %s (OEM \"%.6s\")",
			 bi->rsdp_rev == 2 ? "2.0+" : "1.0",
			 (const char *)bi->rsdp + 9);
	else
		log_warn("boot: the loader gave no ACPI RSDP");
	for (unsigned int i = 0; i < bi->module_count; i++)
		log_info("boot: module %u: %#x-%#x \"%s\"", i,
			 bi->modules[i].start, bi->modules[i].end,
			 bi->modules[i].name);
	log_info("mem: memory map from %s (%u ranges%s)",
		 bi->mmap_from_efi ? "the EFI map" : "the loader",
		 bi->mmap_count,
		 bi->efi_mmap_descs ? ", EFI map also given" : "");
	for (unsigned int i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *r = &bi->mmap[i];
		const char *name = r->type < 6 && type_names[r->type]
					   ? type_names[r->type]
					   : "reserved (unknown type)";
		log_info("mem: [%#018llx-%#018llx] %s",
			 (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->len - 1), name);
		if (r->type == BOOT_MEM_AVAILABLE)
			usable += r->len;
	}
	log_info("mem: %llu MiB usable", (unsigned long long)(usable >> 20));
}

void core_entry64(uint32_t magic, uint32_t mbi_phys)
{
	core_cpu_setup();
	gdt_init(0); /* boot.S's GDT sits in low memory, unmapped later */
	percpu_init_cpu(0, 0); /* interrupt exit reads per-CPU data */
	trap_init();
	time_boot_tsc = boot_tsc;

	log_info("Keel " KEEL_VERSION " - bare-metal hypervisor");
	init_run_level(INIT_EARLY_CONSOLE);
	if (magic == MB2_BOOTLOADER_MAGIC)
		mb2_parse((const void *)(uintptr_t)mbi_phys, mbi_phys, &boot_info);
	else
		log_err("boot: not started by a Multiboot2 loader (magic %#x); "
			"no memory map",
			magic);
	core_log_boot_info(&boot_info);
	mm_init(&boot_info);
	if (!gdt_init_ist_cpu(0))
		panic("gdt: no memory for the boot CPU's IST stacks");
	trap_init_ist();
	fpu_init();
	sched_init();
	init_run_level(INIT_CONSOLE);
	cmdline_apply(boot_info.cmdline);
	cpuinfo_log();
	init_run_level(INIT_CPU);
	init_run_level(INIT_PLATFORM);
	init_run_level(INIT_IRQCHIP);
	init_run_level(INIT_TIMER);
	init_run_level(INIT_SMP);
	init_run_level(INIT_LIBS);
	init_run_level(INIT_LATE);

	uint64_t ticks = cpu_rdtsc() - time_boot_tsc;
	log_info("keel: boot complete in %llu ms (%llu TSC ticks since entry)",
		 (unsigned long long)(time_ns() / 1000000),
		 (unsigned long long)ticks);
	/* The boot thread's work is done; the CPU idles or runs threads. */
	thread_exit();
}

void init_run_level(int level)
{
	extern const struct init_call __initcall_start[], __initcall_end[];

	for (const struct init_call *c = __initcall_start; c < __initcall_end;
	     c++)
		if (c->level == level)
			c->fn();
}
