// SPDX-License-Identifier: MIT
/*
 * Guest power and the ACPI fixed hardware (vdev/vpm.c) and the i8042
 * (vdev/vkbc.c): the PM timer's rate and 24-bit wrap, TMR_STS, the SCI
 * on IRQ 9 from the power button and write-1-to-clear, S5 through
 * PM1a_CNT, reset through 0xcf9 and the keyboard controller, and the
 * i8042 answers Linux's probe waits for.
 * UNIT_SRCS: vdev/vpm.c vdev/vkbc.c core/log.c core/fmt.c
 */
#include <stdint.h>
#include <string.h>

#include "core/iobus.h"
#include "core/vm.h"
#include "unit.h"
#include "vdev/vkbc.h"
#include "vdev/vplat.h"
#include "vdev/vpm.h"

#define SEC 1000000000ull

static uint64_t now = 3 * SEC;
uint64_t time_ns(void)
{
	return now;
}

static bool lines[16];
static int rises[16];
void vplat_isa_irq(struct vm *vm, unsigned int irq, bool level)
{
	if (level && !lines[irq])
		rises[irq]++;
	lines[irq] = level;
}

static int poweroffs, resets;
static const char *last_how;
void vplat_poweroff(struct vm *vm, const char *how)
{
	poweroffs++;
	last_how = how;
}

void vplat_reset(struct vm *vm, const char *how)
{
	resets++;
	last_how = how;
}

static struct {
	uint16_t base;
	iobus_fn fn;
	void *opaque;
} ranges[8];
static unsigned int nranges;
int iobus_register_pio(struct vm *vm, uint16_t base, uint16_t count,
		       iobus_fn fn, void *opaque)
{
	ranges[nranges].base = base;
	ranges[nranges].fn = fn;
	ranges[nranges++].opaque = opaque;
	return 0;
}

static uint64_t io(uint16_t port, unsigned int size, bool write, uint64_t v)
{
	for (unsigned int i = nranges; i-- > 0;)
		if (port >= ranges[i].base && port < ranges[i].base + 16) {
			ranges[i].fn(NULL, port, size, write, &v,
				     ranges[i].opaque);
			return v;
		}
	return ~0ull;
}

static struct vm vm;
static struct vplat plat;

static void fresh(void)
{
	memset(lines, 0, sizeof(lines));
	memset(rises, 0, sizeof(rises));
	poweroffs = resets = 0;
	now = 3 * SEC;
	nranges = 0;
	vm.platform = &plat;
	if (plat.pm)
		vpm_destroy(plat.pm);
	if (plat.kbc)
		vkbc_destroy(plat.kbc);
	plat.pm = vpm_create(&vm);
	plat.kbc = vkbc_create(&vm);
}

UNIT_TEST(pm_timer_rate_and_wrap)
{
	uint32_t a, b;

	fresh();
	a = (uint32_t)io(VPLAT_PM_TMR, 4, false, 0);
	now += SEC;
	b = (uint32_t)io(VPLAT_PM_TMR, 4, false, 0);
	UNIT_CHECK(((b - a) & 0xffffff) == VPLAT_PM_TMR_HZ);
	UNIT_CHECK(b < (1u << 24));
	/* 24 bits wrap after 4.69 s */
	now += 4 * SEC;
	b = (uint32_t)io(VPLAT_PM_TMR, 4, false, 0);
	UNIT_CHECK(b == ((5ull * VPLAT_PM_TMR_HZ) & 0xffffff));
	/* Byte reads see the same counter. */
	UNIT_CHECK(io(VPLAT_PM_TMR + 2, 1, false, 0) == ((b >> 16) & 0xff));
	/* 279.4 ns per tick: 1 us is 3 ticks. */
	now += 1000;
	UNIT_CHECK((uint32_t)io(VPLAT_PM_TMR, 4, false, 0) - b == 3);
}

UNIT_TEST(pm_tmr_sts)
{
	fresh();
	UNIT_CHECK(io(VPLAT_PM1_CNT, 2, false, 0) == VPM_SCI_EN);
	io(VPLAT_PM1_EVT, 2, false, 0);
	now += 2 * SEC; /* bit 23 is 2^23 / 3579545 = 2.34 s */
	UNIT_CHECK(!(io(VPLAT_PM1_EVT, 2, false, 0) & VPM_TMR));
	now += SEC / 2;
	UNIT_CHECK(io(VPLAT_PM1_EVT, 2, false, 0) & VPM_TMR);
	io(VPLAT_PM1_EVT, 2, true, VPM_TMR);
	UNIT_CHECK(!(io(VPLAT_PM1_EVT, 2, false, 0) & VPM_TMR));
	UNIT_CHECK(!lines[9]); /* TMR_EN clear: no SCI */
	io(VPLAT_PM1_EVT + 2, 2, true, VPM_TMR);
	UNIT_CHECK(vpm_next_deadline(plat.pm) ==
		   3 * SEC + (2ull << 23) * SEC / VPLAT_PM_TMR_HZ + 1);
}

UNIT_TEST(power_button_sci)
{
	fresh();
	vpm_power_button(&vm);
	UNIT_CHECK(!lines[9]); /* PWRBTN_EN clear */
	io(VPLAT_PM1_EVT + 2, 2, true, VPM_PWRBTN);
	UNIT_CHECK(lines[9] && rises[9] == 1);
	UNIT_CHECK(io(VPLAT_PM1_EVT, 2, false, 0) & VPM_PWRBTN);
	io(VPLAT_PM1_EVT, 2, true, 0x0001); /* other bits: not cleared */
	UNIT_CHECK(lines[9]);
	io(VPLAT_PM1_EVT, 2, true, VPM_PWRBTN);
	UNIT_CHECK(!lines[9]);
	/* SCI_EN clear masks the SCI. */
	io(VPLAT_PM1_CNT, 2, true, 0);
	vpm_power_button(&vm);
	UNIT_CHECK(!lines[9]);
	io(VPLAT_PM1_CNT, 2, true, VPM_SCI_EN);
	UNIT_CHECK(lines[9]);
}

/* Linux's acpi_enter_sleep_state: SLP_TYP first, then with SLP_EN. */
UNIT_TEST(s5_poweroff)
{
	uint16_t typ = VPLAT_S5_SLP_TYP << VPM_SLP_TYP_SHIFT;

	fresh();
	io(VPLAT_PM1_CNT, 2, true,
	   VPM_SCI_EN | 5 << VPM_SLP_TYP_SHIFT |
	       VPM_SLP_EN); /* not S5: ignored */
	UNIT_CHECK(poweroffs == 0);
	io(VPLAT_PM1_CNT, 2, true, VPM_SCI_EN | typ);
	UNIT_CHECK(poweroffs == 0);
	UNIT_CHECK(!(io(VPLAT_PM1_CNT, 2, false, 0) & VPM_SLP_EN));
	io(VPLAT_PM1_CNT, 2, true, VPM_SCI_EN | typ | VPM_SLP_EN);
	UNIT_CHECK(poweroffs == 1 && !strcmp(last_how, "ACPI S5"));
	UNIT_CHECK(!(io(VPLAT_PM1_CNT, 2, false, 0) & VPM_SLP_EN));
	/* A byte write to the high half does the same. */
	io(VPLAT_PM1_CNT + 1, 1, true, (typ | VPM_SLP_EN) >> 8);
	UNIT_CHECK(poweroffs == 2);
	UNIT_CHECK(resets == 0);
}

UNIT_TEST(cf9_reset)
{
	fresh();
	vpm_cf9_write(&vm, 0x02); /* Linux reboot=pci: SYS_RST first */
	UNIT_CHECK(resets == 0);
	UNIT_CHECK(vpm_cf9_read(&vm) == 0x02);
	vpm_cf9_write(&vm, VPLAT_RESET_VALUE);
	UNIT_CHECK(resets == 1);
	vpm_cf9_write(&vm, VPLAT_RESET_VALUE); /* ACPI RESET_REG alone */
	UNIT_CHECK(resets == 2);
	UNIT_CHECK(poweroffs == 0);
}

static void kbc_cmd(uint8_t c)
{
	io(VPLAT_KBC_CMD, 1, true, c);
}

static int kbc_read(void)
{
	if (!(io(VPLAT_KBC_CMD, 1, false, 0) & 1))
		return -1;
	return (int)io(VPLAT_KBC_DATA, 1, false, 0);
}

UNIT_TEST(i8042_probe)
{
	uint8_t ctr;

	fresh();
	UNIT_CHECK(kbc_read() == -1); /* i8042_flush finds it empty */
	kbc_cmd(0x20);
	ctr = (uint8_t)kbc_read();
	UNIT_CHECK(ctr & 0x01);
	kbc_cmd(0xaa);
	UNIT_CHECK(kbc_read() == 0x55);
	UNIT_CHECK(io(VPLAT_KBC_CMD, 1, false, 0) & 0x04); /* SYS */
	kbc_cmd(0x60);
	io(VPLAT_KBC_DATA, 1, true, 0x00); /* interrupts off */
	kbc_cmd(0x20);
	UNIT_CHECK(kbc_read() == 0x00);
	/* No aux port: the loop test fails at once, the test says so. */
	kbc_cmd(0xd3);
	io(VPLAT_KBC_DATA, 1, true, 0x5a);
	UNIT_CHECK(!(io(VPLAT_KBC_CMD, 1, false, 0) & 0x20));
	UNIT_CHECK(kbc_read() == 0x5a);
	kbc_cmd(0xa9);
	UNIT_CHECK(kbc_read() == 0x01);
	kbc_cmd(0xa7);
	kbc_cmd(0x20);
	UNIT_CHECK(kbc_read() == 0x20);
	kbc_cmd(0xa8);
	kbc_cmd(0x20);
	UNIT_CHECK(kbc_read() == 0x00);
	UNIT_CHECK(kbc_read() == -1);
}

UNIT_TEST(keyboard_answers_and_irq1)
{
	fresh();
	UNIT_CHECK(rises[1] == 0);
	io(VPLAT_KBC_DATA, 1, true, 0xff); /* atkbd reset */
	UNIT_CHECK(lines[1] && rises[1] == 1);
	UNIT_CHECK(kbc_read() == 0xfa);
	UNIT_CHECK(lines[1] && rises[1] == 2); /* a new edge per byte */
	UNIT_CHECK(kbc_read() == 0xaa);
	UNIT_CHECK(!lines[1]);
	io(VPLAT_KBC_DATA, 1, true, 0xf2);
	UNIT_CHECK(kbc_read() == 0xfa);
	UNIT_CHECK(kbc_read() == 0xab);
	UNIT_CHECK(kbc_read() == 0x83);
	io(VPLAT_KBC_DATA, 1, true, 0xed); /* LEDs + parameter */
	UNIT_CHECK(kbc_read() == 0xfa);
	io(VPLAT_KBC_DATA, 1, true, 0x00);
	UNIT_CHECK(kbc_read() == 0xfa);
	UNIT_CHECK(kbc_read() == -1);
}

UNIT_TEST(i8042_reset_line)
{
	fresh();
	kbc_cmd(0xd1);
	io(VPLAT_KBC_DATA, 1, true, 0x03); /* A20 on, reset high */
	UNIT_CHECK(resets == 0);
	kbc_cmd(0xfe);
	UNIT_CHECK(resets == 1 &&
		   !strcmp(last_how, "keyboard controller reset"));
	kbc_cmd(0xff); /* pulses no line */
	UNIT_CHECK(resets == 1);
	kbc_cmd(0xd1);
	io(VPLAT_KBC_DATA, 1, true, 0x02);
	UNIT_CHECK(resets == 2);
}
