// SPDX-License-Identifier: MIT
/*
 * The legacy 8259A pair. Keel takes device interrupts through the IOAPIC
 * and MSI, so the 8259s only need to be harmless: moved off the CPU
 * exception vectors (they power up on 8-15, which are #DF, #GP, #PF...) to
 * 32-47, and every line masked. A masked 8259 can still raise a spurious
 * IRQ7/IRQ15 if a line drops during the acknowledge cycle; those are
 * recognised by an empty in-service bit and dropped quietly.
 */
#include <errno.h>
#include <stdbool.h>

#include "core/acpi.h"
#include "core/cpu.h"
#include "core/init.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/selftest.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_VECTOR_BASE 32 /* IRQ n on vector 32 + n, irq.h leaves 32-47 */
#define PIC_ICW1_INIT 0x11 /* edge, cascade, ICW4 follows */
#define PIC_ICW4_8086 0x01
#define PIC_OCW3_READ_ISR 0x0b
#define PIC_EOI 0x20

static bool pic_present;

/* The POST diagnostic port: a write gives the old 8259s time to settle. */
static void pic_io_wait(void)
{
	cpu_outb(0x80, 0);
}

static uint8_t pic_isr(uint16_t cmd)
{
	cpu_outb(cmd, PIC_OCW3_READ_ISR);
	return cpu_inb(cmd);
}

/*
 * IRQ7 or IRQ15 with the in-service bit clear is spurious: no EOI to that
 * 8259, but a spurious IRQ15 did take the master's cascade line, which
 * wants its EOI. (The LAPIC EOI irq_dispatch sends afterwards is harmless:
 * with nothing in service it changes nothing.)
 */
static void pic_spurious(struct trap_frame *f, void *arg)
{
	bool slave = f->vector == PIC_VECTOR_BASE + 15;
	static unsigned int real;

	if (pic_isr(slave ? PIC2_CMD : PIC1_CMD) & 0x80) {
		/* A real IRQ7/15 although masked: log a few, then be quiet. */
		if (real++ < 4)
			log_warn("pic: IRQ%u although masked", slave ? 15 : 7);
		if (slave)
			cpu_outb(PIC2_CMD, PIC_EOI);
		cpu_outb(PIC1_CMD, PIC_EOI);
	} else if (slave) {
		cpu_outb(PIC1_CMD, PIC_EOI);
	}
}

static void pic_init(void)
{
	/*
	 * MADT flags PCAT_COMPAT says whether there is a pair to tame (ACPI
	 * 6.4 5.2.12); without a MADT assume a PC and program it anyway.
	 */
	if (acpi_info.have_madt && !acpi_info.pcat_compat) {
		log_info("pic: no 8259 pair (MADT PCAT_COMPAT clear)");
		return;
	}
	cpu_outb(PIC1_DATA, 0xff);
	cpu_outb(PIC2_DATA, 0xff);
	cpu_outb(PIC1_CMD, PIC_ICW1_INIT);
	pic_io_wait();
	cpu_outb(PIC2_CMD, PIC_ICW1_INIT);
	pic_io_wait();
	cpu_outb(PIC1_DATA, PIC_VECTOR_BASE); /* ICW2: vector base */
	pic_io_wait();
	cpu_outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	pic_io_wait();
	cpu_outb(PIC1_DATA, 1 << 2); /* ICW3: slave on IR2 */
	pic_io_wait();
	cpu_outb(PIC2_DATA, 2); /* ICW3: slave identity 2 */
	pic_io_wait();
	cpu_outb(PIC1_DATA, PIC_ICW4_8086);
	pic_io_wait();
	cpu_outb(PIC2_DATA, PIC_ICW4_8086);
	pic_io_wait();
	cpu_outb(PIC1_DATA, 0xff); /* OCW1: mask all */
	cpu_outb(PIC2_DATA, 0xff);
	pic_present = true;

	irq_register(PIC_VECTOR_BASE + 7, pic_spurious, NULL);
	irq_register(PIC_VECTOR_BASE + 15, pic_spurious, NULL);
	log_info("pic: 8259 pair on vectors %u-%u, all lines masked",
		 PIC_VECTOR_BASE, PIC_VECTOR_BASE + 15);
}
KEEL_INIT(INIT_IRQCHIP, pic_init);

/* Both interrupt mask registers still read back all ones. */
static int pic_selftest_masked(void)
{
	if (!pic_present) {
		log_info("pic: no 8259 pair; nothing to check");
		return 0;
	}
	uint8_t m1 = cpu_inb(PIC1_DATA), m2 = cpu_inb(PIC2_DATA);

	if (m1 == 0xff && m2 == 0xff)
		return 0;
	log_err("pic: interrupt masks %#x/%#x, want 0xff/0xff", m1, m2);
	return -EIO;
}
KEEL_SELFTEST(pic_masked, pic_selftest_masked);
