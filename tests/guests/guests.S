/* SPDX-License-Identifier: MIT */
/* The test guests, as flat binaries built by the Makefile, in .rodata. */
	.section .rodata
	.balign 16
	.globl guest_g_basic, guest_g_basic_end
guest_g_basic:
	.incbin "g_basic.bin"
guest_g_basic_end:
	.balign 16
	.globl guest_g_modes, guest_g_modes_end
guest_g_modes:
	.incbin "g_modes.bin"
guest_g_modes_end:
	.balign 16
	.globl guest_g_hostile, guest_g_hostile_end
guest_g_hostile:
	.incbin "g_hostile.bin"
guest_g_hostile_end:
	.balign 16
	.globl guest_g_irq, guest_g_irq_end
guest_g_irq:
	.incbin "g_irq.bin"
guest_g_irq_end:
	.balign 16
	.globl guest_g_mmio, guest_g_mmio_end
guest_g_mmio:
	.incbin "g_mmio.bin"
guest_g_mmio_end:
	.balign 16
	.globl guest_g_smp, guest_g_smp_end
guest_g_smp:
	.incbin "g_smp.bin"
guest_g_smp_end:
	.balign 16
	.globl guest_g_console, guest_g_console_end
guest_g_console:
	.incbin "g_console.bin"
guest_g_console_end:
	.balign 16
	.globl guest_g_pci, guest_g_pci_end
guest_g_pci:
	.incbin "g_pci.bin"
guest_g_pci_end:

	.balign 16
	.globl guest_g_apic, guest_g_apic_end
guest_g_apic:
	.incbin "g_apic.bin"
guest_g_apic_end:

	.section .note.GNU-stack, "", @progbits
