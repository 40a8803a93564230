// SPDX-License-Identifier: MIT
/*
 * Reboot and power-off (docs/acpi.md). Register addresses come from the
 * FADT as parsed by core/acpi.c; everything here is the last act of the
 * kernel, so each step is logged first (the serial console is polled and
 * has flushed the line by the time the write happens) and every step that
 * returns falls through to the next.
 */
#include "core/power.h"

#include <errno.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/cpu.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/time.h"

/* PM1 control bits (ACPI 6.4, 4.8.3.2.1, table 4.13). */
#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
/* HW-reduced sleep control register (4.8.3.7). */
#define SLEEP_CTL_SLP_TYP_SHIFT 2
#define SLEEP_CTL_SLP_EN (1u << 5)

#define KBC_STATUS 0x64
#define KBC_STATUS_IBF (1u << 1)
#define KBC_CMD_PULSE_RESET 0xfe

/*
 * Busy-wait; works before the timers are up (then it assumes 1 GHz, which
 * only makes the wait shorter or longer, never endless).
 */
static void power_delay_ms(unsigned int ms)
{
	uint64_t hz = time_tsc_hz() ? time_tsc_hz() : 1000000000ull;
	uint64_t end = cpu_rdtsc() + hz / 1000 * ms;

	while (cpu_rdtsc() < end)
		cpu_pause();
}

/* Access width of a GAS in bits: its bit width, else @dflt. */
static unsigned int power_gas_width(const struct acpi_gas *g, unsigned int dflt)
{
	unsigned int w = g->bit_width;

	return w == 8 || w == 16 || w == 32 ? w : dflt;
}

static const char *power_space(const struct acpi_gas *g)
{
	switch (g->space) {
	case ACPI_SPACE_IO:
		return "io";
	case ACPI_SPACE_MEMORY:
		return "mem";
	case ACPI_SPACE_PCI:
		return "pci";
	default:
		return "unknown";
	}
}

/*
 * PCI configuration space of segment 0, bus 0 (ACPI 6.4, 5.2.3.2: address
 * bits 47-32 device, 31-16 function, 15-0 offset), by mechanism #1.
 */
static void power_pci_write8(uint64_t addr, uint8_t val)
{
	uint32_t dev = (addr >> 32) & 0x1f, fn = (addr >> 16) & 7;
	uint32_t off = addr & 0xff;

	cpu_outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
	cpu_outb(0xcfc + (off & 3), val);
}

static int power_gas_read(const struct acpi_gas *g, unsigned int dflt,
			  uint32_t *val)
{
	unsigned int w = power_gas_width(g, dflt);

	if (g->space == ACPI_SPACE_IO && g->addr <= 0xffff) {
		uint16_t port = (uint16_t)g->addr;

		*val = w == 8	 ? cpu_inb(port)
		       : w == 16 ? cpu_inw(port)
				 : cpu_inl(port);
		return 0;
	}
	if (g->space == ACPI_SPACE_MEMORY) {
		volatile void *p = mm_map_mmio(g->addr, w / 8);

		if (!p)
			return -EFAULT;
		*val = w == 8	 ? *(volatile uint8_t *)p
		       : w == 16 ? *(volatile uint16_t *)p
				 : *(volatile uint32_t *)p;
		return 0;
	}
	return -EOPNOTSUPP;
}

static int power_gas_write(const struct acpi_gas *g, unsigned int dflt,
			   uint32_t val)
{
	unsigned int w = power_gas_width(g, dflt);

	if (g->space == ACPI_SPACE_IO && g->addr <= 0xffff) {
		uint16_t port = (uint16_t)g->addr;

		if (w == 8)
			cpu_outb(port, val);
		else if (w == 16)
			cpu_outw(port, val);
		else
			cpu_outl(port, val);
		return 0;
	}
	if (g->space == ACPI_SPACE_MEMORY) {
		volatile void *p = mm_map_mmio(g->addr, w / 8);

		if (!p)
			return -EFAULT;
		if (w == 8)
			*(volatile uint8_t *)p = val;
		else if (w == 16)
			*(volatile uint16_t *)p = val;
		else
			*(volatile uint32_t *)p = val;
		return 0;
	}
	if (g->space == ACPI_SPACE_PCI && w == 8) {
		power_pci_write8(g->addr, val);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* --- reboot ------------------------------------------------------------- */

static void power_reset_acpi(void)
{
	const struct acpi_info *a = &acpi_info;
	int rc;

	if (!a->reset_supported) {
		log_info("power: no ACPI reset register");
		return;
	}
	/* 4.8.3.6: an 8-bit register; one write resets the whole system. */
	log_info("power: reset via the ACPI reset register (%s %#llx, "
		 "value %#x)",
		 power_space(&a->reset_reg),
		 (unsigned long long)a->reset_reg.addr, a->reset_value);
	rc = power_gas_write(&a->reset_reg, 8, a->reset_value);
	if (rc) {
		log_warn("power: cannot write the reset register (%d)", rc);
		return;
	}
	power_delay_ms(500);
	log_warn("power: the ACPI reset register did not reset");
}

static void power_reset_kbc(void)
{
	log_info("power: reset via the keyboard controller (0xfe to port "
		 "0x64)");
	/* The 8042 takes a command only with its input buffer empty. */
	for (int tries = 0; tries < 10; tries++) {
		int spin = 100000;

		while (--spin && (cpu_inb(KBC_STATUS) & KBC_STATUS_IBF))
			cpu_pause();
		cpu_outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
		power_delay_ms(50);
	}
	log_warn("power: the keyboard controller did not reset");
}

/*
 * An empty IDT: int3 raises #GP, which raises #DF, which cannot be
 * delivered either, so the CPU shuts down, and the chipset resets on
 * shutdown.
 */
static __attribute__((noreturn)) void power_reset_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	log_info("power: reset via triple fault");
	asm volatile("lidt %0; int3" ::"m"(idtr) : "memory");
	cpu_halt_forever();
}

void power_reboot(void)
{
	irq_disable();
	log_info("power: rebooting");
	power_reset_acpi();
	power_reset_kbc();
	power_reset_triple_fault();
}

/* --- power-off ------------------------------------------------------------ */

/*
 * Firmware with a legacy (SMI) mode hands the PM registers to the OS when
 * ACPI_ENABLE is written to SMI_CMD, and shows it by setting SCI_EN (5.2.9,
 * 4.8.3.2.1). Some chipsets ignore SLP_EN until then.
 */
static void power_acpi_enable(void)
{
	const struct acpi_info *a = &acpi_info;
	uint32_t cnt;

	if (power_gas_read(&a->pm1a_cnt, 16, &cnt) || (cnt & PM1_SCI_EN))
		return;
	if (!a->smi_cmd || !a->acpi_enable || a->smi_cmd > 0xffff) {
		log_info("power: SCI_EN clear and no SMI_CMD to enable ACPI; "
			 "trying anyway");
		return;
	}
	log_info("power: enabling ACPI mode (%#x to SMI_CMD %#x)",
		 a->acpi_enable, a->smi_cmd);
	cpu_outb((uint16_t)a->smi_cmd, a->acpi_enable);
	/* ACPICA waits up to 3 s for the firmware to let go. */
	for (int i = 0; i < 300; i++) {
		if (!power_gas_read(&a->pm1a_cnt, 16, &cnt) &&
		    (cnt & PM1_SCI_EN))
			return;
		power_delay_ms(10);
	}
	log_warn("power: firmware did not set SCI_EN; trying anyway");
}

/* 16.1.7 / 7.4.2: SLP_TYP first, then SLP_TYP with SLP_EN, a then b. */
static int power_s5_pm1(void)
{
	const struct acpi_info *a = &acpi_info;
	uint32_t va, vb = 0;
	int rc;

	if (!a->pm1a_cnt.addr)
		return -ENODEV;
	power_acpi_enable();
	rc = power_gas_read(&a->pm1a_cnt, 16, &va);
	if (!rc && a->pm1b_cnt.addr)
		rc = power_gas_read(&a->pm1b_cnt, 16, &vb);
	if (rc)
		return rc;
	va &= ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	va |= (uint32_t)a->s5_typ_a << PM1_SLP_TYP_SHIFT;
	vb &= ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	vb |= (uint32_t)a->s5_typ_b << PM1_SLP_TYP_SHIFT;
	log_info("power: ACPI S5 via PM1a %s %#llx (SLP_TYP %u)%s",
		 power_space(&a->pm1a_cnt),
		 (unsigned long long)a->pm1a_cnt.addr, a->s5_typ_a,
		 a->pm1b_cnt.addr ? " and PM1b" : "");
	power_gas_write(&a->pm1a_cnt, 16, va);
	if (a->pm1b_cnt.addr)
		power_gas_write(&a->pm1b_cnt, 16, vb);
	rc = power_gas_write(&a->pm1a_cnt, 16, va | PM1_SLP_EN);
	if (a->pm1b_cnt.addr)
		power_gas_write(&a->pm1b_cnt, 16, vb | PM1_SLP_EN);
	return rc;
}

static int power_s5_sleep_ctl(void)
{
	const struct acpi_info *a = &acpi_info;
	uint32_t val;

	if (!a->sleep_ctl.addr)
		return -ENODEV;
	log_info("power: ACPI S5 via the sleep control register %s %#llx "
		 "(SLP_TYP %u)",
		 power_space(&a->sleep_ctl),
		 (unsigned long long)a->sleep_ctl.addr, a->s5_typ_a);
	val = (uint32_t)a->s5_typ_a << SLEEP_CTL_SLP_TYP_SHIFT;
	return power_gas_write(&a->sleep_ctl, 8, val | SLEEP_CTL_SLP_EN);
}

void power_off(void)
{
	const struct acpi_info *a = &acpi_info;
	int rc;

	irq_disable();
	log_info("power: powering off");
	if (!a->have_fadt || !a->have_s5) {
		log_err("power: cannot power off: %s",
			!a->have_fadt ? "no ACPI FADT"
				      : "no \\_S5_ in the DSDT");
		goto halt;
	}
	rc = a->hw_reduced ? power_s5_sleep_ctl() : power_s5_pm1();
	if (rc) {
		log_err("power: cannot power off: no usable %s register (%d)",
			a->hw_reduced ? "sleep control" : "PM1 control", rc);
		goto halt;
	}
	power_delay_ms(2000);
	log_err("power: still running 2 s after the S5 request");
halt:
	log_err("power: halted; switch the machine off by hand");
	cpu_halt_forever();
}
