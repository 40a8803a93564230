// SPDX-License-Identifier: MIT
/*
 * Guest registers for core/ (core/hv.h enum vcpu_reg): general registers
 * in v->gprs, the rest in the VMCS (SDM vol. 3C 25.4, guest-state area),
 * and the CR0/CR4/EFER rules VM entry enforces on them (26.3.1.1).
 * Every accessor makes the VMCS current first (vmx_vmcs_load), with
 * interrupts off so no other vCPU's VMCS can replace it meanwhile.
 */
#include "core/irq.h"
#include "core/vm.h"
#include "vmx/vmx.h"

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

	if ((vmx_vmread(VMCS_GUEST_CR0) & VMX_CR0_PG) &&
	    (efer & VMX_EFER_LME)) {
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
	case VCPU_RSP:
		val = vmx_vmread(VMCS_GUEST_RSP);
		break;
	case VCPU_RIP:
		val = vmx_vmread(VMCS_GUEST_RIP);
		break;
	case VCPU_RFLAGS:
		val = vmx_vmread(VMCS_GUEST_RFLAGS);
		break;
	case VCPU_CR0:
		val = (vmx_vmread(VMCS_GUEST_CR0) & ~vv->cr0_mask) |
		      (vmx_vmread(VMCS_CR0_SHADOW) & vv->cr0_mask);
		break;
	case VCPU_CR3:
		val = vmx_vmread(VMCS_GUEST_CR3);
		break;
	case VCPU_CR4:
		val = (vmx_vmread(VMCS_GUEST_CR4) & ~vv->cr4_mask) |
		      (vmx_vmread(VMCS_CR4_SHADOW) & vv->cr4_mask);
		break;
	case VCPU_EFER:
		val = vmx_vmread(VMCS_GUEST_EFER);
		break;
	case VCPU_CS_BASE:
		val = vmx_vmread(VMCS_GUEST_CS_BASE);
		break;
	case VCPU_CS_SEL:
		val = vmx_vmread(VMCS_GUEST_CS_SEL);
		break;
	case VCPU_ES_BASE:
		val = vmx_vmread(VMCS_GUEST_ES_BASE);
		break;
	case VCPU_TSC_OFFSET:
		val = vmx_vmread(VMCS_TSC_OFFSET);
		break;
	case VCPU_DS_BASE:
		val = vmx_vmread(VMCS_GUEST_DS_BASE);
		break;
	case VCPU_FS_BASE:
		val = vmx_vmread(VMCS_GUEST_FS_BASE);
		break;
	case VCPU_GS_BASE:
		val = vmx_vmread(VMCS_GUEST_GS_BASE);
		break;
	case VCPU_CS_ATTR:
		val = vmx_ar_to_attr(vmx_vmread(VMCS_GUEST_CS_AR));
		break;
	case VCPU_SS_ATTR:
		val = vmx_ar_to_attr(vmx_vmread(VMCS_GUEST_SS_AR));
		break;
	case VCPU_INTR_SHADOW:
		val = !!(vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY) &
			 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
		break;
	default:
		break;
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
	case VCPU_RSP:
		vmx_vmwrite(VMCS_GUEST_RSP, val);
		break;
	case VCPU_RIP: {
		/*
		 * core/ moves RIP past an instruction it emulated: that ends
		 * an STI or MOV SS interrupt shadow (25.4.2), which would
		 * otherwise block an injection the CPU then refuses (26.3.1.5).
		 */
		uint64_t intr = vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY);

		if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
			vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
				    intr &
					~(uint64_t)(INTERRUPTIBILITY_STI |
						    INTERRUPTIBILITY_MOV_SS));
		vmx_vmwrite(VMCS_GUEST_RIP, val);
		break;
	}
	case VCPU_RFLAGS:
		/* Reserved bits as VM entry wants them (26.3.1.4). */
		vmx_vmwrite(VMCS_GUEST_RFLAGS, (val & 0x3f7fd5) | 2);
		break;
	case VCPU_CR0:
		vmx_set_cr0(v, val);
		break;
	case VCPU_CR3:
		vmx_vmwrite(VMCS_GUEST_CR3, val);
		break;
	case VCPU_CR4:
		vmx_set_cr4(v, val);
		break;
	case VCPU_EFER:
		vmx_vmwrite(VMCS_GUEST_EFER, val);
		vmx_sync_efer(v);
		break;
	case VCPU_CS_BASE:
		vmx_vmwrite(VMCS_GUEST_CS_BASE, val);
		break;
	case VCPU_CS_SEL:
		vmx_vmwrite(VMCS_GUEST_CS_SEL, val);
		break;
	case VCPU_TSC_OFFSET:
		vmx_vmwrite(VMCS_TSC_OFFSET, val);
		break;
	case VCPU_CS_ATTR:
		vmx_vmwrite(VMCS_GUEST_CS_AR, vmx_attr_to_ar(val));
		break;
	case VCPU_SS_ATTR:
		vmx_vmwrite(VMCS_GUEST_SS_AR, vmx_attr_to_ar(val));
		break;
	case VCPU_INTR_SHADOW: {
		/* 26.3.1.5: an STI shadow only with IF set; else MOV SS's. */
		uint64_t intr =
		    vmx_vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		    ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);

		if (val)
			intr |= vmx_vmread(VMCS_GUEST_RFLAGS) & VMX_RFLAGS_IF
				    ? INTERRUPTIBILITY_STI
				    : INTERRUPTIBILITY_MOV_SS;
		vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr);
		break;
	}
	default:
		break;
	}
	irq_restore(flags);
}
