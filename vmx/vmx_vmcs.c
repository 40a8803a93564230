// SPDX-License-Identifier: MIT
/*
 * One VMCS per vCPU: its controls, the host state the CPU returns to and
 * the guest's first state (real mode under unrestricted guest); SDM vol.
 * 3C chapter 25, the VMCS, and chapter 26 for the checks VM entry makes
 * on everything written here. Register access is in vmx_regs.c.
 *
 * A VMCS is "active" on at most one CPU and "current" on at most one
 * (24.1): the vCPU threads are pinned, but nothing here relies on it.
 * vmx_vmcs_load() makes this vCPU's VMCS current on this CPU, and when the
 * vCPU comes from another CPU it is VMCLEARed there first (24.11.1), the
 * per-CPU host fields are rewritten and the VPID's and EPT's
 * translations on this CPU are dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/gdt.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/smp.h"
#include "core/spinlock.h"
#include "core/vm.h"
#include "ept/gmem.h"
#include "ept/s2.h"
#include "vmx/vmx.h"

/* The VMCS current on each CPU (only that CPU writes its slot). */
static struct vmx_vcpu *vmx_current[PERCPU_MAX];

/*
 * The guest's own MSRs (what a 64-bit Linux writes at boot and uses on
 * every system call), none of them intercepted (MSR bitmap, 25.6.9):
 *
 * - FS.base, GS.base, SYSENTER_CS/ESP/EIP and PAT are guest-state fields
 *   of the VMCS: VM entry loads them (26.3.2.1, PAT with "load IA32_PAT")
 *   and every VM exit saves the guest's and loads the host's (27.3.1,
 *   27.5.1, 27.5.2; PAT with "save/load IA32_PAT"). The CPU checks a
 *   guest WRMSR itself (non-canonical base, bad PAT type: #GP).
 * - STAR, LSTAR, CSTAR, SFMASK and KERNEL_GS_BASE have no VMCS field,
 *   and VM entry/exit leave them alone. Keel never executes SYSCALL,
 *   SYSRET or SWAPGS (its per-CPU pointer is GS.base, which the VMCS
 *   host state restores), so the host needs none of them back and the
 *   CPU simply keeps the guest's values between exits. Each CPU has an
 *   owner, the vCPU whose values it holds; only when a different vCPU
 *   enters on that CPU are the owner's values read back (SWAPGS changes
 *   KERNEL_GS_BASE without any exit, so the copy is stale while a vCPU
 *   owns the CPU) and the new one's loaded: 5 RDMSR + 5 WRMSR per vCPU
 *   switch, nothing per exit. The VM-entry/exit MSR-load/store areas
 *   (24.7.2, 24.8.2, 26.4, 27.4) would do the same on every exit.
 */
static const uint32_t vmx_msr_switched[5] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE,
};
static struct vmx_vcpu *vmx_msr_owner[PERCPU_MAX];

static const uint32_t vmx_msr_passthrough[] = {
	MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
	MSR_IA32_PAT,
	MSR_STAR,
	MSR_LSTAR,
	MSR_CSTAR,
	MSR_SFMASK,
	MSR_FS_BASE,
	MSR_GS_BASE,
	MSR_KERNEL_GS_BASE,
};

/*
 * MSR bitmap (25.6.9): four 1 KiB bitmaps, reads of 0-1FFFh, reads of
 * C0000000h-C0001FFFh, then the same two for writes; a clear bit lets
 * the access run without an exit.
 */
static void vmx_msr_bitmap_init(uint8_t *bm)
{
	for (unsigned int i = 0; i < sizeof(vmx_msr_passthrough) / 4; i++) {
		uint32_t m = vmx_msr_passthrough[i];
		unsigned int bit = (m & 0x1fff) + (m >= 0xc0000000u ? 8192 : 0);

		bm[bit / 8] &= (uint8_t) ~(1u << (bit % 8));	    /* read */
		bm[2048 + bit / 8] &= (uint8_t) ~(1u << (bit % 8)); /* write */
	}
}

/* On the CPU @vv owns: keep its live values, give the CPU up. */
static void vmx_msr_save_here(struct vmx_vcpu *vv, unsigned int cpu)
{
	if (vmx_msr_owner[cpu] != vv)
		return;
	for (int i = 0; i < 5; i++)
		vv->msr[i] = cpu_rdmsr(vmx_msr_switched[i]);
	vmx_msr_owner[cpu] = NULL;
}

/* Interrupts off, before entering @vv on this CPU (see the top). */
void vmx_msr_load(struct vmx_vcpu *vv)
{
	unsigned int cpu = this_cpu()->id;
	struct vmx_vcpu *old = vmx_msr_owner[cpu];

	if (old == vv)
		return;
	if (old)
		vmx_msr_save_here(old, cpu);
	for (int i = 0; i < 5; i++)
		cpu_wrmsr(vmx_msr_switched[i], vv->msr[i]);
	vmx_msr_owner[cpu] = vv;
}

/* VPIDs 1..65535; 0 is the host's (25.6.2 "enable VPID"). */
static struct spinlock vmx_vpid_lock = SPINLOCK_INIT;
static uint64_t vmx_vpid_used[65536 / 64] = { 1 };

static uint16_t vmx_vpid_alloc(void)
{
	uint64_t flags = spin_lock_irqsave(&vmx_vpid_lock);
	uint16_t vpid = 0;

	for (unsigned int i = 0; i < 65536 / 64 && !vpid; i++) {
		if (vmx_vpid_used[i] == ~0ull)
			continue;
		unsigned int bit = __builtin_ctzll(~vmx_vpid_used[i]);
		vmx_vpid_used[i] |= 1ull << bit;
		vpid = i * 64 + bit;
	}
	spin_unlock_irqrestore(&vmx_vpid_lock, flags);
	return vpid;
}

static void vmx_vpid_free(uint16_t vpid)
{
	uint64_t flags = spin_lock_irqsave(&vmx_vpid_lock);

	if (vpid)
		vmx_vpid_used[vpid / 64] &= ~(1ull << (vpid % 64));
	spin_unlock_irqrestore(&vmx_vpid_lock, flags);
}

void vmx_vmwrite_failed(enum vmcs_field f, uint64_t val)
{
	log_err("vmx: VMWRITE %#x = %#llx failed: %s", f,
		(unsigned long long)val,
		vmx_insn_error_name((uint32_t)vmx_vmread(VMCS_INSN_ERROR)));
}

/* A zeroed frame (below 4 GiB when IA32_VMX_BASIC[48] says so), or 0. */
static uint64_t vmx_page(uint8_t fill)
{
	uint64_t pa = vmx_caps.basic & VMX_BASIC_32BIT_ADDR
			  ? pmm_alloc_4k_below(1ull << 32)
			  : pmm_alloc_4k();

	if (pa)
		memset(mm_phys_to_virt(pa), fill, PMM_PAGE);
	return pa;
}

static void vmx_page_free(uint64_t pa)
{
	if (pa)
		pmm_free_4k(pa);
}

/* Runs on every other CPU; the one holding @arg active VMCLEARs it. */
static void vmx_clear_here(void *arg)
{
	struct vmx_vcpu *vv = arg;
	unsigned int cpu = this_cpu()->id;

	if (vv->cpu != (int)cpu)
		return;
	/* The vCPU leaves this CPU: its live MSRs go with it. */
	vmx_msr_save_here(vv, cpu);
	vmx_vmclear(vv->vmcs_pa);
	if (vmx_current[cpu] == vv)
		vmx_current[cpu] = NULL;
}

/* Make @vv inactive everywhere (24.11.1: before it moves or is freed). */
static void vmx_vmcs_clear(struct vmx_vcpu *vv)
{
	if (vv->cpu < 0)
		return;
	if (vv->cpu == (int)this_cpu()->id)
		vmx_clear_here(vv);
	else
		smp_call_others(vmx_clear_here, vv);
	vv->cpu = -1;
	vv->launched = false;
}

static inline uint16_t vmx_read_sel(int which)
{
	uint16_t s;

	switch (which) {
	case 0:
		asm volatile("mov %%es, %0" : "=r"(s));
		break;
	case 1:
		asm volatile("mov %%cs, %0" : "=r"(s));
		break;
	case 2:
		asm volatile("mov %%ss, %0" : "=r"(s));
		break;
	case 3:
		asm volatile("mov %%ds, %0" : "=r"(s));
		break;
	case 4:
		asm volatile("mov %%fs, %0" : "=r"(s));
		break;
	case 5:
		asm volatile("mov %%gs, %0" : "=r"(s));
		break;
	default:
		asm volatile("str %0" : "=r"(s));
		break;
	}
	return s;
}

struct vmx_dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * Host state that differs between CPUs (26.2.3, 27.5): GDT, IDT, TSS,
 * the per-CPU GS base (this_cpu() reads %gs:0), and CR3/CR4.
 */
void vmx_host_refresh(struct vmx_vcpu *vv)
{
	struct vmx_dtr gdt, idt;
	uint16_t tr = vmx_read_sel(6);
	const uint8_t *d;
	uint64_t tr_base;

	asm volatile("sgdt %0" : "=m"(gdt));
	asm volatile("sidt %0" : "=m"(idt));
	/* The 16-byte TSS descriptor (SDM 3A 8.2.3): base in four parts. */
	d = (const uint8_t *)gdt.base + (tr & ~7u);
	tr_base = d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 |
		  (uint64_t)d[7] << 24 |
		  (uint64_t) * (const uint32_t *)(d + 8) << 32;
	vmx_vmwrite(VMCS_HOST_GDTR_BASE, gdt.base);
	vmx_vmwrite(VMCS_HOST_IDTR_BASE, idt.base);
	vmx_vmwrite(VMCS_HOST_TR_BASE, tr_base);
	vmx_vmwrite(VMCS_HOST_GS_BASE, cpu_rdmsr(MSR_GS_BASE));
	vmx_vmwrite(VMCS_HOST_FS_BASE, cpu_rdmsr(MSR_FS_BASE));
	vv->host_cr3 = cpu_read_cr3();
	vv->host_cr4 = cpu_read_cr4();
	vmx_vmwrite(VMCS_HOST_CR3, vv->host_cr3);
	vmx_vmwrite(VMCS_HOST_CR4, vv->host_cr4);
}

/* Interrupts off. Make @v's VMCS current on this CPU (see the top). */
void vmx_vmcs_load(struct vcpu *v)
{
	struct vmx_vcpu *vv = v->backend;
	unsigned int cpu = this_cpu()->id;
	bool moved = vv->cpu != (int)cpu;

	if (vmx_current[cpu] == vv)
		return;
	if (moved)
		vmx_vmcs_clear(vv);
	if (!vmx_vmptrld(vv->vmcs_pa)) {
		log_err("vmx: VMPTRLD %#llx failed on cpu %u",
			(unsigned long long)vv->vmcs_pa, cpu);
		return;
	}
	vmx_current[cpu] = vv;
	if (moved) {
		vv->cpu = cpu;
		vv->s2_gen = s2_flush_gen(vv->s2);
		vmx_host_refresh(vv);
		/*
		 * This CPU may hold translations of this VPID or EPTP from
		 * an earlier visit, or from a VM that had them before (31.3).
		 */
		vmx_invvpid(vmx_caps.invvpid_single ? INVVPID_SINGLE
						    : INVVPID_ALL,
			    vv->vpid);
		vmx_invept(vmx_caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL,
			   vv->eptp);
	}
}

/* Fixed host state (26.2.2-26.2.4): the same on every CPU. */
static void vmx_host_init(struct vmx_vcpu *vv)
{
	static const enum vmcs_field sel[] = {
		VMCS_HOST_ES_SEL, VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL,
		VMCS_HOST_DS_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL,
		VMCS_HOST_TR_SEL,
	};

	vmx_vmwrite(VMCS_HOST_CR0, cpu_read_cr0());
	/* RPL and TI must be 0 (26.2.3); a null DS/ES/FS/GS is fine. */
	for (int i = 0; i < 7; i++)
		vmx_vmwrite(sel[i], vmx_read_sel(i) & ~7u);
	vmx_vmwrite(VMCS_HOST_SYSENTER_CS, cpu_rdmsr(MSR_IA32_SYSENTER_CS));
	vmx_vmwrite(VMCS_HOST_SYSENTER_ESP, cpu_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmx_vmwrite(VMCS_HOST_SYSENTER_EIP, cpu_rdmsr(MSR_IA32_SYSENTER_EIP));
	vmx_vmwrite(VMCS_HOST_PAT, cpu_rdmsr(MSR_IA32_PAT));
	vmx_vmwrite(VMCS_HOST_EFER, cpu_rdmsr(MSR_EFER));
	/* HOST_RSP is written by vmx_enter() just before each entry. */
	vmx_vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_stub);
	vmx_host_refresh(vv);
}

/* One segment register: ES..GS = 0..5, LDTR 6, TR 7 (appendix B order). */
static void vmx_seg(int i, uint16_t sel, uint64_t base, uint32_t limit,
		    uint32_t ar)
{
	vmx_vmwrite(VMCS_GUEST_ES_SEL + 2 * i, sel);
	vmx_vmwrite(VMCS_GUEST_ES_BASE + 2 * i, base);
	vmx_vmwrite(VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmx_vmwrite(VMCS_GUEST_ES_AR + 2 * i, ar);
}

/*
 * Real mode at @cs:@ip, as after INIT but with caches on (26.3.1.2 for
 * the segment checks under unrestricted guest).
 *
 * Bochs 2.7 workaround (docs/vmx.md): its VM entry takes the guest's CPL
 * from CS.RPL instead of SS.DPL, and it checks CS.RPL == CS.DPL for a
 * code-segment CS even in real mode. So SS.DPL is 0 (what the SDM
 * requires) and CS gets a selector with RPL 0 naming the same base
 * (cs & ~3 with the difference added to IP). Hardware sees an equivalent
 * real-mode state; the guest only notices if it reads CS before a far
 * jump.
 */
static int vmx_guest_init(struct vcpu *v, uint16_t cs, uint16_t ip)
{
	uint32_t fix = (uint32_t)(cs & 3) << 4;

	if ((uint32_t)ip + fix > 0xffff) {
		log_err("vmx: entry %04x:%04x cannot be given RPL 0", cs, ip);
		return -EINVAL;
	}
	ip += fix;
	cs &= ~3;
	vmx_seg(0, 0, 0, 0xffff, 0x93); /* ES: data RW accessed, DPL 0 */
	vmx_seg(1, cs, (uint64_t)cs << 4, 0xffff, 0x9b); /* code RX acc. */
	vmx_seg(2, 0, 0, 0xffff, 0x93);			 /* SS: DPL 0 = CPL 0 */
	vmx_seg(3, 0, 0, 0xffff, 0x93);
	vmx_seg(4, 0, 0, 0xffff, 0x93);
	vmx_seg(5, 0, 0, 0xffff, 0x93);
	vmx_seg(6, 0, 0, 0xffff, 0x82); /* LDTR: present LDT */
	vmx_seg(7, 0, 0, 0xffff, 0x8b); /* TR: busy 32-bit TSS */
	vmx_vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmx_vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmx_vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmx_vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	vmx_vmwrite(VMCS_GUEST_EFER, 0);
	vmx_set_cr0(v, 0x10); /* ET; PE, PG, CD, NW clear */
	vmx_set_cr4(v, 0);
	vmx_vmwrite(VMCS_GUEST_CR3, 0);
	vmx_vmwrite(VMCS_GUEST_DR7, 0x400);
	vmx_vmwrite(VMCS_GUEST_RSP, 0);
	vmx_vmwrite(VMCS_GUEST_RIP, ip);
	vmx_vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmx_vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmx_vmwrite(VMCS_GUEST_PAT, 0x0007040600070406ull); /* power-on */
	vmx_vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmx_vmwrite(VMCS_GUEST_ACTIVITY, 0); /* active */
	vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmx_vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmx_vmwrite(VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (26.3.1.5) */
	memset(&v->gprs, 0, sizeof(v->gprs));
	return 0;
}

static void vmx_controls_init(struct vcpu *v)
{
	struct vmx_vcpu *vv = v->backend;

	vmx_vmwrite(VMCS_PIN_CTLS, vv->pin);
	vmx_vmwrite(VMCS_PROC_CTLS, vv->proc);
	vmx_vmwrite(VMCS_PROC_CTLS2, vmx_caps.proc2);
	vmx_vmwrite(VMCS_EXIT_CTLS, vmx_caps.exit);
	vmx_vmwrite(VMCS_ENTRY_CTLS, vmx_caps.entry);
	/*
	 * Exceptions (25.6.3): only #MC, so a machine check in the guest
	 * reaches the host's handler; the guest handles its own #PF and
	 * the rest (EPT means there is no shadow paging to maintain).
	 */
	vmx_vmwrite(VMCS_EXCEPTION_BITMAP, 1u << 18);
	vmx_vmwrite(VMCS_PF_ERROR_MASK, 0);
	vmx_vmwrite(VMCS_PF_ERROR_MATCH, 0);
	vmx_vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmx_vmwrite(VMCS_IO_BITMAP_A, vv->io_bitmap_pa);
	vmx_vmwrite(VMCS_IO_BITMAP_B, vv->io_bitmap_b_pa);
	vmx_vmwrite(VMCS_MSR_BITMAP, vv->msr_bitmap_pa);
	vmx_vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmx_vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmx_vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmx_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmx_vmwrite(VMCS_TSC_OFFSET, 0);
	vmx_vmwrite(VMCS_VPID, vv->vpid);
	vmx_vmwrite(VMCS_EPT_POINTER, vv->eptp);
	/*
	 * CR0/CR4 guest/host masks (25.6.6): the bits VMX operation fixes
	 * plus those the CPU cannot set (so setting one exits and gets the
	 * guest its #GP). For CR0 that is NE (PE and PG are the guest's
	 * under unrestricted guest), plus CD and NW (vmx_cr0_guest); for
	 * CR4, VMXE and the unsupported bits.
	 */
	vv->cr0_mask = ((vmx_caps.cr0_fixed0 & ~(VMX_CR0_PE | VMX_CR0_PG)) |
			~vmx_caps.cr0_fixed1 | VMX_CR0_CD | VMX_CR0_NW) &
		       0xffffffffull;
	vv->cr4_mask =
	    (vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1) & 0xffffffffull;
	vmx_vmwrite(VMCS_CR0_MASK, vv->cr0_mask);
	vmx_vmwrite(VMCS_CR4_MASK, vv->cr4_mask);
}

static void vmx_vcpu_free(struct vmx_vcpu *vv)
{
	vmx_page_free(vv->vmcs_pa);
	vmx_page_free(vv->io_bitmap_pa);
	vmx_page_free(vv->io_bitmap_b_pa);
	vmx_page_free(vv->msr_bitmap_pa);
	vmx_vpid_free(vv->vpid);
	free(vv);
}

int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *vv;
	uint64_t flags;
	int rc;

	if (!vmx_cpu_is_on())
		return -ENODEV;
	vv = calloc(1, sizeof(*vv));
	if (!vv)
		return -ENOMEM;
	vv->cpu = -1;
	vv->vmcs_pa = vmx_page(0);
	/* All ones: every port and every MSR exits (25.6.4, 25.6.9), but
	 * the guest's own MSRs (vmx_msr_passthrough). */
	vv->io_bitmap_pa = vmx_page(0xff);
	vv->io_bitmap_b_pa = vmx_page(0xff);
	vv->msr_bitmap_pa = vmx_page(0xff);
	if (vv->msr_bitmap_pa)
		vmx_msr_bitmap_init(mm_phys_to_virt(vv->msr_bitmap_pa));
	vv->vpid = vmx_vpid_alloc();
	if (!vv->vmcs_pa || !vv->io_bitmap_pa || !vv->io_bitmap_b_pa ||
	    !vv->msr_bitmap_pa || !vv->vpid) {
		vmx_vcpu_free(vv);
		return -ENOMEM;
	}
	*(uint32_t *)mm_phys_to_virt(vv->vmcs_pa) = vmx_caps.revision;
	vv->s2 = gmem_s2(v->vm->mem);
	vv->eptp = s2_ept_eptp(vv->s2);
	vv->s2_gen = s2_flush_gen(vv->s2);
	vv->pin = vmx_caps.pin;
	vv->proc = vmx_caps.proc;
	v->backend = vv;

	flags = irq_save();
	/* VMCLEAR initializes the region and its launch state (24.11.3). */
	if (!vmx_vmclear(vv->vmcs_pa)) {
		irq_restore(flags);
		log_err("vmx: VMCLEAR of a new VMCS failed");
		v->backend = NULL;
		vmx_vcpu_free(vv);
		return -EIO;
	}
	vmx_vmcs_load(v);
	vmx_controls_init(v);
	vmx_host_init(vv);
	rc = vmx_guest_init(v, v->vm->entry_cs, v->vm->entry_ip);
	irq_restore(flags);
	if (rc) {
		vmx_vcpu_destroy(v);
		return rc;
	}
	return 0;
}

/* Drop @arg's EPT- and VPID-tagged translations on this CPU (31.3). */
static void vmx_forget_here(void *arg)
{
	struct vmx_vcpu *vv = arg;

	if (!vmx_cpu_is_on())
		return;
	vmx_invept(vmx_caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL,
		   vv->eptp);
	vmx_invvpid(vmx_caps.invvpid_single ? INVVPID_SINGLE : INVVPID_ALL,
		    vv->vpid);
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *vv = v->backend;
	uint64_t flags;

	if (!vv)
		return;
	flags = irq_save();
	vmx_vmcs_clear(vv);
	/*
	 * Nothing of this VM may stay cached on any CPU once its tables go
	 * (docs/stage2.md: gmem_destroy frees the EPT frames at once, and a
	 * later VM's root may land on the same frame).
	 */
	vmx_forget_here(vv);
	smp_call_others(vmx_forget_here, vv);
	irq_restore(flags);
	v->backend = NULL;
	vmx_vcpu_free(vv);
}
