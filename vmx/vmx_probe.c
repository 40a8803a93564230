// SPDX-License-Identifier: MIT
/*
 * Intel VT-x: is it there, what does it offer, and VMXON on every CPU.
 *
 * Every control value comes from the capability MSRs (SDM vol. 3D,
 * appendix A): a control Keel needs and the CPU cannot set stops the
 * probe with a log line naming it; a control Keel does not want and the
 * CPU forces on stops it too, rather than running with an exit nobody
 * handles. docs/vmx.md lists each control and why.
 */
#include <errno.h>
#include <string.h>

#include "core/cpu.h"
#include "core/hv.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "ept/s2.h"
#include "vmx/vmx.h"

struct vmx_caps vmx_caps;

/* Per CPU, touched only by that CPU (probe state is global, above). */
static struct {
	uint64_t vmxon_pa;
	bool on;
} vmx_cpu[PERCPU_MAX];

/*
 * Compute one control field from its capability MSR (3D A.3-A.5): the
 * low half has a 1 for each bit that must be 1, the high half a 0 for
 * each bit that must be 0. @need must be settable, @avoid must be
 * clearable, @opt is taken where the CPU allows it.
 */
static int vmx_ctl(const char *what, uint32_t msr, uint32_t need, uint32_t opt,
		   uint32_t avoid, uint32_t *out)
{
	uint64_t cap = cpu_rdmsr(msr);
	uint32_t must1 = (uint32_t)cap, may1 = (uint32_t)(cap >> 32);

	if (need & ~may1) {
		log_warn("vmx: the CPU cannot set %s controls %#x (allowed-1 "
			 "%#x): VT-x not used",
			 what, need & ~may1, may1);
		return -ENODEV;
	}
	if (avoid & must1) {
		log_warn(
		    "vmx: the CPU forces %s controls %#x on: VT-x not used",
		    what, avoid & must1);
		return -ENODEV;
	}
	*out = must1 | need | (opt & may1);
	return 0;
}

static int vmx_probe_controls(void)
{
	bool true_ctls = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;
	uint32_t proc_may1;
	int rc;

	/*
	 * Pin-based (25.6.1): host interrupts and NMIs always exit, so a
	 * guest never holds a CPU with interrupts off. Virtual NMIs let the
	 * CPU track the guest's NMI blocking when we inject NMIs.
	 */
	rc = vmx_ctl("pin-based",
		     true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
			       : MSR_IA32_VMX_PINBASED_CTLS,
		     PIN_EXTINT_EXITING | PIN_NMI_EXITING, PIN_VIRTUAL_NMIS, 0,
		     &vmx_caps.pin);
	if (rc)
		return rc;
	vmx_caps.virtual_nmis = vmx_caps.pin & PIN_VIRTUAL_NMIS;
	/* The preemption timer: switched per entry (vmx_exit.c), if any. */
	vmx_caps.preempt_timer =
	    (cpu_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
				 : MSR_IA32_VMX_PINBASED_CTLS) >>
	     32) &
	    PIN_PREEMPT_TIMER;
	vmx_caps.preempt_shift =
	    VMX_MISC_PREEMPT_SHIFT(cpu_rdmsr(MSR_IA32_VMX_MISC));

	/*
	 * Primary processor-based (25.6.2): HLT, MWAIT, MONITOR and RDPMC
	 * exit; I/O and MSRs go through bitmaps (all ones for now, so every
	 * access exits, but a device may later pass a range through);
	 * CR3 and INVLPG do not exit (EPT and unrestricted guest make them
	 * the guest's business), nor do MOV DR and MOV CR8 (no exit code
	 * for them in core). Interrupt-window exiting is switched at run
	 * time, so it only has to be settable.
	 */
	rc = vmx_ctl("processor-based",
		     true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
			       : MSR_IA32_VMX_PROCBASED_CTLS,
		     PROC_HLT_EXITING | PROC_MWAIT_EXITING |
			 PROC_RDPMC_EXITING | PROC_MONITOR_EXITING |
			 PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
			 PROC_SECONDARY | PROC_USE_TSC_OFFSETTING,
		     0,
		     PROC_INTR_WINDOW_EXITING | PROC_INVLPG_EXITING |
			 PROC_RDTSC_EXITING | PROC_CR3_LOAD_EXITING |
			 PROC_CR3_STORE_EXITING | PROC_CR8_LOAD_EXITING |
			 PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |
			 PROC_UNCOND_IO_EXITING | PROC_MONITOR_TRAP_FLAG |
			 PROC_PAUSE_EXITING,
		     &vmx_caps.proc);
	if (rc)
		return rc;
	proc_may1 = cpu_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
					: MSR_IA32_VMX_PROCBASED_CTLS) >>
		    32;
	if (!(proc_may1 & PROC_INTR_WINDOW_EXITING)) {
		log_warn("vmx: no interrupt-window exiting: VT-x not used");
		return -ENODEV;
	}

	/*
	 * Secondary (25.6.2, table 25-7): EPT, VPID, unrestricted guest;
	 * and "enable INVPCID" where offered: without it INVPCID is #UD in
	 * the guest (25.3, 26.1), yet CPUID 7:EBX[10] tells the guest it
	 * has it, and Linux uses it for every global TLB flush once PCID is
	 * on. With INVLPG exiting off it runs without an exit (25.1.3).
	 * RDTSCP and XSAVES stay #UD: core/cpuid_policy.c hides them.
	 */
	rc = vmx_ctl("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
		     PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED, PROC2_INVPCID,
		     0, &vmx_caps.proc2);
	if (rc)
		return rc;
	if (!(vmx_caps.proc2 & PROC2_INVPCID) &&
	    (cpu_cpuid(0, 0).eax >= 7 && (cpu_cpuid(7, 0).ebx & (1u << 10))))
		log_warn("vmx: the CPU has INVPCID but cannot enable it in a "
			 "guest: a guest using it gets #UD");

	/*
	 * Exit (25.7.1): a 64-bit host; EFER and PAT switched by the CPU
	 * (the guest's saved, the host's loaded), debug controls saved.
	 * Interrupts are not acknowledged on exit: the host IDT takes them
	 * once the exit path sets IF again, like any other interrupt.
	 */
	rc = vmx_ctl("VM-exit",
		     true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS
			       : MSR_IA32_VMX_EXIT_CTLS,
		     EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
			 EXIT_SAVE_PAT | EXIT_LOAD_PAT,
		     EXIT_SAVE_DEBUG, EXIT_ACK_INTR, &vmx_caps.exit);
	if (rc)
		return rc;

	/*
	 * Entry (25.8.1): the guest's EFER and PAT loaded; "IA-32e mode
	 * guest" follows the guest's EFER.LMA and is set per vCPU.
	 */
	return vmx_ctl("VM-entry",
		       true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
				 : MSR_IA32_VMX_ENTRY_CTLS,
		       ENTRY_LOAD_EFER | ENTRY_LOAD_PAT, ENTRY_LOAD_DEBUG,
		       ENTRY_IA32E_GUEST, &vmx_caps.entry);
}

static int vmx_probe_ept(void)
{
	uint64_t cap = vmx_caps.ept_vpid;

	if (!(cap & EPT_CAP_WALK4) || !(cap & EPT_CAP_WB)) {
		log_warn("vmx: EPT without 4-level walks or write-back tables "
			 "(capabilities %#llx): VT-x not used",
			 (unsigned long long)cap);
		return -ENODEV;
	}
	/* INVEPT (31.3): single-context if offered, else all-context. */
	if (!(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		log_warn("vmx: no INVEPT: VT-x not used");
		return -ENODEV;
	}
	vmx_caps.invept_single = cap & EPT_CAP_INVEPT_SINGLE;
	if (!(cap & VPID_CAP_INVVPID) ||
	    !(cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL))) {
		log_warn("vmx: VPID without INVVPID: VT-x not used");
		return -ENODEV;
	}
	vmx_caps.invvpid_single = cap & VPID_CAP_INVVPID_SINGLE;
	vmx_caps.invvpid_all = cap & VPID_CAP_INVVPID_ALL;
	return 0;
}

/*
 * IA32_FEATURE_CONTROL (SDM 3C 24.7, 3D A.1 note): firmware that leaves it
 * unlocked lets us enable VMX outside SMX and lock it; locked without
 * that bit, VMXON would #GP, so say so instead.
 */
static int vmx_feature_control(void)
{
	uint64_t fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		cpu_wrmsr(MSR_IA32_FEATURE_CONTROL,
			  fc | FEATURE_CONTROL_LOCKED |
			      FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return 0;
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_warn("vmx: VT-x present but disabled by the firmware "
			 "(IA32_FEATURE_CONTROL locked without VMX); enable "
			 "it in the BIOS setup");
		return -EPERM;
	}
	return 0;
}

int vmx_probe(void)
{
	uint32_t proc1_may1, proc2_may1 = 0;
	int rc;

	if (!(cpu_cpuid(1, 0).ecx & (1u << 5))) {
		log_info("vmx: VT-x not present");
		return -ENODEV;
	}
	rc = vmx_feature_control();
	if (rc)
		return rc;

	memset(&vmx_caps, 0, sizeof(vmx_caps));
	vmx_caps.basic = cpu_rdmsr(MSR_IA32_VMX_BASIC);
	vmx_caps.revision = VMX_BASIC_REVISION(vmx_caps.basic);
	proc1_may1 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32;
	if (proc1_may1 & PROC_SECONDARY)
		proc2_may1 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
	if (proc2_may1 & (PROC2_EPT | PROC2_VPID))
		vmx_caps.ept_vpid = cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);

	/* What the CPU offers, in the line operators and tests look for. */
	log_info("vmx: VT-x revision %#x: EPT %s (4-level %s, 2M %s, 1G %s), "
		 "VPID %s, unrestricted guest %s",
		 vmx_caps.revision, proc2_may1 & PROC2_EPT ? "yes" : "no",
		 vmx_caps.ept_vpid & EPT_CAP_WALK4 ? "yes" : "no",
		 vmx_caps.ept_vpid & EPT_CAP_2M ? "yes" : "no",
		 vmx_caps.ept_vpid & EPT_CAP_1G ? "yes" : "no",
		 proc2_may1 & PROC2_VPID ? "yes" : "no",
		 proc2_may1 & PROC2_UNRESTRICTED ? "yes" : "no");

	/* 3D A.1: VMCS and VMXON regions must be write-back, <= 4 KiB. */
	if (VMX_BASIC_MEMTYPE(vmx_caps.basic) != VMX_MEMTYPE_WB ||
	    VMX_BASIC_REGION_SIZE(vmx_caps.basic) > PMM_PAGE) {
		log_warn(
		    "vmx: VMCS memory type %llu / size %llu unsupported: "
		    "VT-x not used",
		    (unsigned long long)VMX_BASIC_MEMTYPE(vmx_caps.basic),
		    (unsigned long long)VMX_BASIC_REGION_SIZE(vmx_caps.basic));
		return -ENODEV;
	}
	/* Guests switch to long mode natively: the CPU must track LMA. */
	if (!(cpu_rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_STORE_LMA)) {
		log_warn("vmx: VM exits do not save EFER.LMA: VT-x not used");
		return -ENODEV;
	}
	rc = vmx_probe_controls();
	if (rc)
		return rc;
	rc = vmx_probe_ept();
	if (rc)
		return rc;
	vmx_caps.cr0_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	log_info("vmx: controls pin %#x proc %#x proc2 %#x exit %#x entry %#x "
		 "(%s capability MSRs)",
		 vmx_caps.pin, vmx_caps.proc, vmx_caps.proc2, vmx_caps.exit,
		 vmx_caps.entry,
		 vmx_caps.basic & VMX_BASIC_TRUE_CTLS ? "TRUE" : "default");
	log_info("vmx: using EPT (4-level, write-back%s%s), INVEPT %s, VPID "
		 "with INVVPID %s, unrestricted guest, virtual NMIs %s, "
		 "preemption timer %s",
		 vmx_caps.ept_vpid & EPT_CAP_2M ? ", 2M pages" : "",
		 vmx_caps.ept_vpid & EPT_CAP_1G ? ", 1G pages" : "",
		 vmx_caps.invept_single ? "single-context" : "all-context",
		 vmx_caps.invvpid_single ? "single-context" : "all-context",
		 vmx_caps.virtual_nmis ? "yes" : "no",
		 vmx_caps.preempt_timer ? "yes" : "no");
	return 0;
}

/* Make @v satisfy a FIXED0/FIXED1 pair (3D A.7, A.8). */
static uint64_t vmx_fix(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return (v | fixed0) & fixed1;
}

/*
 * On each CPU (24.7 "Enabling and entering VMX operation"): the feature
 * control MSR is per CPU, CR0/CR4 must meet the fixed bits with
 * CR4.VMXE set, then VMXON with a region stamped with the revision id.
 */
int vmx_cpu_enable(void)
{
	unsigned int cpu = this_cpu()->id;
	uint64_t cr0, cr4, pa;

	if (vmx_cpu[cpu].on)
		return 0;
	if (vmx_feature_control())
		return -EPERM;
	cr0 = cpu_read_cr0();
	if (vmx_fix(cr0, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1) != cr0)
		cpu_write_cr0(
		    vmx_fix(cr0, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1));
	cr4 = vmx_fix(cpu_read_cr4() | VMX_CR4_VMXE, vmx_caps.cr4_fixed0,
		      vmx_caps.cr4_fixed1);
	cpu_write_cr4(cr4);

	pa = vmx_caps.basic & VMX_BASIC_32BIT_ADDR
		 ? pmm_alloc_4k_below(1ull << 32)
		 : pmm_alloc_4k();
	if (!pa) {
		log_err("vmx: cpu %u: no memory for the VMXON region", cpu);
		return -ENOMEM;
	}
	memset(mm_phys_to_virt(pa), 0, PMM_PAGE);
	*(uint32_t *)mm_phys_to_virt(pa) = vmx_caps.revision;
	if (!vmx_vmxon(pa)) {
		log_err("vmx: cpu %u: VMXON failed (CR0 %#llx CR4 %#llx)", cpu,
			(unsigned long long)cpu_read_cr0(),
			(unsigned long long)cpu_read_cr4());
		pmm_free_4k(pa);
		return -EIO;
	}
	vmx_cpu[cpu].vmxon_pa = pa;
	vmx_cpu[cpu].on = true;
	/*
	 * Whatever ran before us (firmware, a previous kernel) may have left
	 * EPT- and VPID-tagged translations: drop them all (31.3).
	 */
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_ALL)
		vmx_invept(INVEPT_ALL, 0);
	if (vmx_caps.invvpid_all)
		vmx_invvpid(INVVPID_ALL, 0);
	log_info("vmx: cpu %u in VMX root operation", cpu);
	return 0;
}

bool vmx_cpu_is_on(void)
{
	return vmx_cpu[this_cpu()->id].on;
}

static const struct s2_format *vmx_s2_format(void)
{
	return &s2_ept;
}

/* VM-instruction error numbers (3C 31.4, table 31-1), for log lines. */
const char *vmx_insn_error_name(uint32_t err)
{
	static const char *const names[] = {
		[1] = "VMCALL in VMX root operation",
		[2] = "VMCLEAR with invalid address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "entry with invalid control field(s)",
		[8] = "entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect revision",
		[12] = "VMREAD/VMWRITE of unsupported field",
		[13] = "VMWRITE to read-only field",
		[15] = "VMXON in VMX root operation",
		[26] = "entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};

	if (err < sizeof(names) / sizeof(names[0]) && names[err])
		return names[err];
	return "unknown error";
}

const struct hv_vendor_ops vmx_ops = {
	.name = "VT-x",
	.s2_name = "EPT",
	.probe = vmx_probe,
	.cpu_enable = vmx_cpu_enable,
	.s2_format = vmx_s2_format,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_run = vmx_vcpu_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.inject = vmx_inject,
	.want_intr_window = vmx_want_intr_window,
	.s2_flush = vmx_s2_flush,
};

static void vmx_register(void)
{
	hv_register(&vmx_ops);
}
KEEL_INIT(INIT_CPU, vmx_register);
