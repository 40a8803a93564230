/* SPDX-License-Identifier: MIT */
/*
 * The virtual PC a Linux guest boots on (docs/vplat.md): one per VM,
 * hung off vm->platform. It owns the device models and says where each
 * sits, so the ACPI tables, the e820 map and the devices agree on one
 * memory and port map (this header is that map).
 *
 * Interrupt wiring, as on a PC with an I/O APIC:
 *   ISA IRQ n  -> vPIC pin n and vIOAPIC pin n (IRQ 0 -> pin 2, the MADT's
 *                 interrupt source override), vplat_isa_irq();
 *   vPIC INT   -> LINT0 of vCPU 0 (ExtINT, virtual wire mode);
 *   vIOAPIC    -> vlapic_deliver(); level-triggered pins wait for the
 *                 EOI broadcast (vioapic_eoi());
 *   PCI MSI/MSI-X -> vlapic_msi().
 *
 * Locking: each device model has its own lock; a model calls another
 * (UART -> vplat_isa_irq -> vIOAPIC -> vLAPIC) with its own lock held,
 * always in that order (device, then PIC/IOAPIC, then LAPIC), never back.
 */
#ifndef KEEL_VDEV_VPLAT_H
#define KEEL_VDEV_VPLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vm.h"

/* ---- Memory map ---------------------------------------------------------- */

/* RAM below 4 GiB ends here at most; the rest is above 4 GiB. */
#define VPLAT_LOWMEM_MAX 0xc0000000ull
/* ACPI tables (RSDP first), reserved in e820; inside guest RAM. */
#define VPLAT_ACPI_BASE 0x000e0000ull
#define VPLAT_ACPI_SIZE 0x00010000ull
/* 32-bit PCI memory window for BARs (ACPI _CRS of PCI0). */
#define VPLAT_PCI_MMIO_BASE 0xc0000000ull
#define VPLAT_PCI_MMIO_SIZE 0x20000000ull
/* PCI Express ECAM for bus 0 only (MCFG), reserved in e820. */
#define VPLAT_ECAM_BASE 0xe0000000ull
#define VPLAT_ECAM_SIZE 0x00100000ull
#define VPLAT_IOAPIC_BASE 0xfec00000ull
#define VPLAT_LAPIC_BASE 0xfee00000ull

/* ---- Port map ------------------------------------------------------------ */

#define VPLAT_PIC_MASTER 0x20 /* 0x20-0x21 */
#define VPLAT_PIC_SLAVE 0xa0  /* 0xa0-0xa1 */
#define VPLAT_ELCR 0x4d0      /* 0x4d0-0x4d1 edge/level control */
#define VPLAT_PIT 0x40	      /* 0x40-0x43 */
#define VPLAT_PORT61 0x61     /* PIT channel 2 gate and output, speaker */
#define VPLAT_KBC_DATA 0x60
#define VPLAT_KBC_CMD 0x64
#define VPLAT_RTC 0x70	      /* 0x70-0x71 */
#define VPLAT_PM_BASE 0x600   /* ACPI PM1a_EVT (4), PM1a_CNT (2), PM_TMR (4) */
#define VPLAT_PM1_EVT (VPLAT_PM_BASE + 0)
#define VPLAT_PM1_CNT (VPLAT_PM_BASE + 4)
#define VPLAT_PM_TMR (VPLAT_PM_BASE + 8)
#define VPLAT_PM_LEN 12
#define VPLAT_RESET_PORT 0xcf9 /* FADT RESET_REG, value 6 (as PIIX/ICH) */
#define VPLAT_RESET_VALUE 0x06
#define VPLAT_PCI_CONF 0xcf8   /* 0xcf8-0xcff, mechanism 1 */
#define VPLAT_PCI_IO_BASE 0xc000 /* I/O BARs (ACPI _CRS) */
#define VPLAT_PCI_IO_SIZE 0x4000

/* ---- Interrupts ---------------------------------------------------------- */

#define VPLAT_IOAPIC_PINS 24
#define VPLAT_SCI_IRQ 9	 /* ACPI SCI: level, active high (MADT override) */
#define VPLAT_PM_TMR_HZ 3579545
/* SLP_TYP of S5: the DSDT's \_S5 package is { VPLAT_S5_SLP_TYP, same,
 * 0, 0 }; vpm powers the VM off when PM1a_CNT gets it with SLP_EN. The
 * FADT has no SMI_CMD: SCI_EN reads 1 from reset (ACPI mode only). */
#define VPLAT_S5_SLP_TYP 7 /* as on Intel ICH */
/* CMOS index of the RTC's century byte (FADT CENTURY). */
#define VPLAT_RTC_CENTURY 0x32

struct vpic;
struct vioapic;
struct vpit;
struct vrtc;
struct vkbc;
struct vpm;
struct vpci;
struct vuart;

struct vplat {
	struct vm *vm;
	struct vpic *pic;
	struct vioapic *ioapic;
	struct vpit *pit;
	struct vrtc *rtc;
	struct vkbc *kbc;
	struct vpm *pm;
	struct vpci *pci;
};

/* What vplat_create needs to know of the VM. */
struct vplat_config {
	unsigned int vcpus;
	uint64_t ram_bytes; /* all of it; above VPLAT_LOWMEM_MAX -> 4 GiB+ */
};

/*
 * Build the platform for @vm (created, not started): every device model
 * above, the vLAPICs (vlapic_attach), the ACPI tables in guest RAM, and
 * vm->platform / vm->irqchip / vm->platform_free. -errno on failure (the
 * VM is then destroyed by the caller, which frees what was built).
 */
int vplat_create(struct vm *vm, const struct vplat_config *cfg);
static inline struct vplat *vplat_of(struct vm *vm)
{
	return vm->platform;
}

/* An ISA interrupt line changed (edge devices pulse level 1 then 0). */
void vplat_isa_irq(struct vm *vm, unsigned int irq, bool level);

/* ---- Between the interrupt controllers (each in its own file) ------------ */

/* vdev/vlapic.c: deliver to the local APICs @dest names (SDM 3A 10.6.2:
 * physical APIC ID, or logical flat/cluster when @logical; 0xff
 * broadcast). @mode is the delivery mode (0 fixed, 1 lowest priority,
 * 2 SMI, 4 NMI, 5 INIT, 7 ExtINT). @level_trig: the source waits for EOI
 * (vioapic_eoi is called when the guest EOIs @vector). Any thread. */
void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical,
		    unsigned int mode, uint8_t vector, bool level_trig);
/* An MSI write (address 0xfeexxxxx, data), SDM 3A 10.11. Any thread. */
void vlapic_msi(struct vm *vm, uint64_t addr, uint32_t data);
/* The vPIC's INT output changed: vCPU 0's LINT0 (ExtINT) re-evaluates. */
void vlapic_extint_changed(struct vm *vm);

/* vdev/vpic.c */
bool vpic_int_output(struct vm *vm); /* INT pin of the master */
int vpic_intack(struct vm *vm);	     /* INTA: the vector, IRR -> ISR */
void vpic_set_irq(struct vpic *pic, unsigned int irq, bool level);

/* vdev/vioapic.c */
void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level);
/* The guest EOI'd a level-triggered @vector: clear Remote IRR of the pins
 * with that vector and re-deliver those still asserted (82093AA 3.2.4). */
void vioapic_eoi(struct vm *vm, uint8_t vector);

/* ---- Platform timers (vdev/vplat.c) --------------------------------------- */

/* The PIT, RTC and PM timer raise what is due by now (vpit_poll,
 * vrtc_poll, vpm_poll); the irqchip's pending hook calls it before each
 * entry. Any thread; takes the device locks, so call it with none held. */
void vplat_timers_poll(struct vm *vm);
/* time_ns() of the earliest of their next events, 0 if none: the run
 * loop's next_deadline folds it in. */
uint64_t vplat_timers_deadline(struct vm *vm);

/* ---- Guest power (vdev/vpm.c, vdev/vkbc.c) ------------------------------ */

/* The reset control register 0xcf9 sits inside mechanism 1's 0xcf8-0xcff:
 * vpci claims all eight ports and hands byte accesses at 0xcf9 to these
 * (a dword at 0xcf8 stays CONFIG_ADDRESS). Writing VPLAT_RESET_VALUE
 * (RST_CPU rising) resets the VM. */
uint8_t vpm_cf9_read(struct vm *vm);
void vpm_cf9_write(struct vm *vm, uint8_t val);

/* The guest asked to power off / reset: the VM stops with that kind
 * (vm_stop_as) and the VM manager powers it off or restarts it. */
void vplat_poweroff(struct vm *vm, const char *how);
void vplat_reset(struct vm *vm, const char *how);

#endif
