// SPDX-License-Identifier: MIT
/*
 * One VMCS per vCPU: its controls, the host state the CPU returns to, the
 * guest's first state (real mode under unrestricted guest), and register
 * access for core/ (SDM vol. 3C chapter 25, the VMCS; chapter 26 for the
 * checks VM entry makes on everything written here).
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
	case 0: asm volatile("mov %%es, %0" : "=r"(s)); break;
	case 1: asm volatile("mov %%cs, %0" : "=r"(s)); break;
	case 2: asm volatile("mov %%ss, %0" : "=r"(s)); break;
	case 3: asm volatile("mov %%ds, %0" : "=r"(s)); break;
	case 4: asm volatile("mov %%fs, %0" : "=r"(s)); break;
	case 5: asm volatile("mov %%gs, %0" : "=r"(s)); break;
	default: asm volatile("str %0" : "=r"(s)); break;
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
		  (uint64_t)d[7] << 24 | (uint64_t)*(const uint32_t *)(d + 8)
						<< 32;
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

/*
 * Guest CR0/CR4 as the CPU runs them: the guest's value with the bits VMX
 * operation fixes (3D A.7, A.8). Unrestricted guest lets PE and PG follow
 * the guest (26.3.1.1). The masks make those bits host-owned: the guest
 * reads its own value from the read shadow (25.6.6), and a write that
 * changes one exits (vmx_exit.c emulates it).
 *
 * CD and NW are host-owned too: VM entry and VM exit leave them as they
 * are (27.3.2.1, 28.5.1), so a guest that set CD itself would leave the
 * host running uncached. The guest's CD/NW live in the shadow only; its
 * RAM stays write-back (ept/s2_ept.c sets "ignore PAT" for it anyway).
 */
uint64_t vmx_cr0_guest(struct vmx_vcpu *vv, uint64_t cr0)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(VMX_CR0_PE | VMX_CR0_PG);

	cr0 &= ~(VMX_CR0_CD | VMX_CR0_NW);
	return (cr0 | fixed0) & vmx_caps.cr0_fixed1;
}

uint64_t vmx_cr4_guest(struct vmx_vcpu *vv, uint64_t cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

/* EFER.LMA and "IA-32e mode guest" follow CR0.PG && EFER.LME (26.3.1.1). */
void vmx_sync_efer(struct vcpu *v)
{
	uint64_t efer = vmx_vmread(VMCS_GUEST_EFER) & ~VMX_EFER_LMA;
	uint64_t entry = vmx_vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_GUEST;

	if ((vmx_vmread(VMCS_GUEST_CR0) & VMX_CR0_PG) && (efer & VMX_EFER_LME)) {
		efer |= VMX_EFER_LMA;
		entry |= ENTRY_IA32E_GUEST;
	}
	vmx_vmwrite(VMCS_GUEST_EFER, efer);
	vmx_vmwrite(VMCS_ENTRY_CTLS, entry);
}

/* VMCS loaded. */
void vmx_set_cr0(struct vcpu *v, uint64_t cr0)
{
	struct vmx_vcpu *vv = v->backend;

	vmx_vmwrite(VMCS_CR0_SHADOW, cr0);
	vmx_vmwrite(VMCS_GUEST_CR0, vmx_cr0_guest(vv, cr0));
	vmx_sync_efer(v);
}

void vmx_set_cr4(struct vcpu *v, uint64_t cr4)
{
	struct vmx_vcpu *vv = v->backend;

	vmx_vmwrite(VMCS_CR4_SHADOW, cr4);
	vmx_vmwrite(VMCS_GUEST_CR4, vmx_cr4_guest(vv, cr4));
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
	vmx_seg(0, 0, 0, 0xffff, 0x93);	/* ES: data RW accessed, DPL 0 */
	vmx_seg(1, cs, (uint64_t)cs << 4, 0xffff, 0x9b); /* code RX acc. */
	vmx_seg(2, 0, 0, 0xffff, 0x93);	/* SS: DPL 0 = CPL 0 */
	vmx_seg(3, 0, 0, 0xffff, 0x93);
	vmx_seg(4, 0, 0, 0xffff, 0x93);
	vmx_seg(5, 0, 0, 0xffff, 0x93);
	vmx_seg(6, 0, 0, 0xffff, 0x82);	/* LDTR: present LDT */
	vmx_seg(7, 0, 0, 0xffff, 0x8b);	/* TR: busy 32-bit TSS */
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
	vv->cr4_mask = (vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1) &
		       0xffffffffull;
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
	/* All ones: every port and every MSR exits (25.6.4, 25.6.9). */
	vv->io_bitmap_pa = vmx_page(0xff);
	vv->io_bitmap_b_pa = vmx_page(0xff);
	vv->msr_bitmap_pa = vmx_page(0xff);
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

/*
 * Segment attributes for core/ in the packed 12-bit form both backends
 * use (type, S, DPL, P in bits 7:0; AVL, L, D/B, G in bits 11:8; the
 * VMCB's layout). The VMCS keeps the upper four at bits 15:12 and marks
 * an unusable segment with bit 16 (25.4.1).
 */
static uint64_t vmx_ar_to_attr(uint32_t ar)
{
	if (ar & (1u << 16))
		return 0;
	return (ar & 0xff) | ((ar >> 4) & 0xf00);
}

static uint32_t vmx_attr_to_ar(uint64_t attr)
{
	uint32_t ar = (attr & 0xff) | ((attr & 0xf00) << 4);

	return attr & 0x80 ? ar : ar | (1u << 16);
}

/* The general registers other than RSP live in v->gprs (vmx_entry.S). */
static uint64_t *vmx_gpr(struct vcpu *v, enum vcpu_reg r)
{
	static const uint8_t idx[] = {
		[VCPU_RAX] = 0,	 [VCPU_RCX] = 1,  [VCPU_RDX] = 2,
		[VCPU_RBX] = 3,	 [VCPU_RBP] = 5,  [VCPU_RSI] = 6,
		[VCPU_RDI] = 7,	 [VCPU_R8] = 8,	  [VCPU_R9] = 9,
		[VCPU_R10] = 10, [VCPU_R11] = 11, [VCPU_R12] = 12,
		[VCPU_R13] = 13, [VCPU_R14] = 14, [VCPU_R15] = 15,
	};

	return &((uint64_t *)&v->gprs)[idx[r]];
}

uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vmx_vcpu *vv = v->backend;
	uint64_t flags, val = 0;

	if (r < VCPU_RIP && r != VCPU_RSP)
		return *vmx_gpr(v, r);
	if (r == VCPU_CR2)
		return vv->cr2;
	flags = irq_save();
	vmx_vmcs_load(v);
	switch (r) {
	case VCPU_RSP: val = vmx_vmread(VMCS_GUEST_RSP); break;
	case VCPU_RIP: val = vmx_vmread(VMCS_GUEST_RIP); break;
	case VCPU_RFLAGS: val = vmx_vmread(VMCS_GUEST_RFLAGS); break;
	case VCPU_CR0:
		val = (vmx_vmread(VMCS_GUEST_CR0) & ~vv->cr0_mask) |
		      (vmx_vmread(VMCS_CR0_SHADOW) & vv->cr0_mask);
		break;
	case VCPU_CR3: val = vmx_vmread(VMCS_GUEST_CR3); break;
	case VCPU_CR4:
		val = (vmx_vmread(VMCS_GUEST_CR4) & ~vv->cr4_mask) |
		      (vmx_vmread(VMCS_CR4_SHADOW) & vv->cr4_mask);
		break;
	case VCPU_EFER: val = vmx_vmread(VMCS_GUEST_EFER); break;
	case VCPU_CS_BASE: val = vmx_vmread(VMCS_GUEST_CS_BASE); break;
	case VCPU_CS_ATTR:
		val = vmx_ar_to_attr(vmx_vmread(VMCS_GUEST_CS_AR));
		break;
	case VCPU_SS_ATTR:
		val = vmx_ar_to_attr(vmx_vmread(VMCS_GUEST_SS_AR));
		break;
	default: break;
	}
	irq_restore(flags);
	return val;
}

void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	struct vmx_vcpu *vv = v->backend;
	uint64_t flags;

	if (r < VCPU_RIP && r != VCPU_RSP) {
		*vmx_gpr(v, r) = val;
		return;
	}
	if (r == VCPU_CR2) {
		vv->cr2 = val;
		return;
	}
	flags = irq_save();
	vmx_vmcs_load(v);
	switch (r) {
	case VCPU_RSP: vmx_vmwrite(VMCS_GUEST_RSP, val); break;
	case VCPU_RIP: {
		/*
		 * core/ moves RIP past an instruction it emulated: that ends
		 * an STI or MOV SS interrupt shadow (25.4.2), which would
		 * otherwise block an injection the CPU then refuses (26.3.1.5).
		 */
		uint64_t intr = vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY);

		if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
			vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
				    intr & ~(uint64_t)(INTERRUPTIBILITY_STI |
						       INTERRUPTIBILITY_MOV_SS));
		vmx_vmwrite(VMCS_GUEST_RIP, val);
		break;
	}
	case VCPU_RFLAGS:
		/* Reserved bits as VM entry wants them (26.3.1.4). */
		vmx_vmwrite(VMCS_GUEST_RFLAGS, (val & 0x3f7fd5) | 2);
		break;
	case VCPU_CR0: vmx_set_cr0(v, val); break;
	case VCPU_CR3: vmx_vmwrite(VMCS_GUEST_CR3, val); break;
	case VCPU_CR4: vmx_set_cr4(v, val); break;
	case VCPU_EFER:
		vmx_vmwrite(VMCS_GUEST_EFER, val);
		vmx_sync_efer(v);
		break;
	case VCPU_CS_BASE: vmx_vmwrite(VMCS_GUEST_CS_BASE, val); break;
	case VCPU_CS_ATTR:
		vmx_vmwrite(VMCS_GUEST_CS_AR, vmx_attr_to_ar(val));
		break;
	case VCPU_SS_ATTR:
		vmx_vmwrite(VMCS_GUEST_SS_AR, vmx_attr_to_ar(val));
		break;
	default: break;
	}
	irq_restore(flags);
}
