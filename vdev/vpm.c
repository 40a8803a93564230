// SPDX-License-Identifier: MIT
/*
 * ACPI fixed hardware (vdev/vpm.h). ACPI 6.4: 4.8.3.1 PM1 event
 * registers (status bits are write-1-to-clear), 4.8.3.2 PM1 control
 * (SLP_EN is write-only and reads 0), 4.8.3.3 the PM timer (TMR_STS
 * when bit 23 toggles), 7.4.2 the \_S5 package that gives SLP_TYP,
 * 4.8.3.6 the reset register. The FADT has no SMI_CMD, so the platform
 * is in ACPI mode from reset: SCI_EN reads 1 (Linux's acpi_hw_get_mode).
 *
 * The timer is computed from time_ns(), itself the host TSC scaled, so
 * against the guest's TSC it runs at exactly VPLAT_PM_TMR_HZ.
 */
#include "vdev/vpm.h"

#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vplat.h"

#define VPM_STS_EVENTS (VPM_TMR | VPM_GBL | VPM_PWRBTN | VPM_SLPBTN | VPM_RTC)

static uint64_t vpm_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * VPLAT_PM_TMR_HZ +
	       ns % NSEC_PER_SEC * VPLAT_PM_TMR_HZ / NSEC_PER_SEC;
}

uint32_t vpm_timer_at(const struct vpm *pm, uint64_t now)
{
	return (uint32_t)(vpm_ticks(now - pm->base_ns) & 0xffffff);
}

static void vpm_eval(struct vpm *pm, uint64_t now)
{
	uint32_t t = vpm_timer_at(pm, now);

	/* Lazily: a toggle of bit 23 since the last look (a look more than
	 * 2^23 ticks, 2.3 s, late may miss an even number of toggles). */
	if ((t ^ pm->tmr_last) & 0x800000)
		pm->sts |= VPM_TMR;
	pm->tmr_last = t;
}

static void vpm_sci_update(struct vpm *pm)
{
	bool level =
	    (pm->cnt & VPM_SCI_EN) && (pm->sts & pm->en & VPM_STS_EVENTS);

	if (level != pm->sci) {
		pm->sci = level;
		vplat_isa_irq(pm->vm, VPLAT_SCI_IRQ, level);
	}
}

/* PM1_CNT: a write with SLP_EN enters the state SLP_TYP names. */
static void vpm_cnt_write(struct vpm *pm, uint16_t v)
{
	unsigned int typ = (v >> VPM_SLP_TYP_SHIFT) & 7;

	pm->cnt = v & ~VPM_SLP_EN & ~0x0004; /* SLP_EN, GBL_RLS: write-only */
	if (!(v & VPM_SLP_EN))
		return;
	if (typ == VPLAT_S5_SLP_TYP)
		vplat_poweroff(pm->vm, "ACPI S5");
	else
		log_warn("vm %u: ACPI sleep type %u requested, only S5 "
			 "(SLP_TYP %u) exists; ignored",
			 pm->vm->id, typ, VPLAT_S5_SLP_TYP);
}

static void vpm_byte(struct vpm *pm, unsigned int off, bool write, uint8_t *b,
		     uint64_t now, uint32_t tmr)
{
	unsigned int sh = (off & 1) * 8;
	uint16_t m = (uint16_t)(0xff << sh), v = (uint16_t)(*b << sh);

	switch (off) {
	case 0: /* PM1_STS */
	case 1:
		if (write)
			pm->sts &= ~(v & m); /* write 1 to clear */
		else
			*b = (uint8_t)(pm->sts >> sh);
		break;
	case 2: /* PM1_EN */
	case 3:
		if (write)
			pm->en = (pm->en & ~m) | v;
		else
			*b = (uint8_t)(pm->en >> sh);
		break;
	case 4: /* PM1_CNT */
	case 5:
		if (write)
			vpm_cnt_write(pm, (pm->cnt & ~m) | v);
		else
			*b = (uint8_t)(pm->cnt >> sh);
		break;
	case 8: /* PM_TMR: read-only, 24 bits */
	case 9:
	case 10:
	case 11:
		if (!write)
			*b = (uint8_t)(tmr >> (8 * (off - 8)));
		break;
	default:
		if (!write)
			*b = 0;
		break;
	}
}

static int vpm_io(struct vcpu *v, uint64_t addr, unsigned int size, bool write,
		  uint64_t *data, void *opaque)
{
	struct vpm *pm = opaque;
	uint64_t now = time_ns(), val = write ? *data : 0;
	uint32_t tmr;

	spin_lock(&pm->lock);
	vpm_eval(pm, now);
	tmr = vpm_timer_at(pm, now);
	for (unsigned int i = 0; i < size && i < 8; i++) {
		unsigned int off = (unsigned int)(addr + i - VPLAT_PM_BASE);
		uint8_t b = val >> (8 * i);

		if (off < VPLAT_PM_LEN)
			vpm_byte(pm, off, write, &b, now, tmr);
		else
			b = 0xff;
		if (!write)
			val |= (uint64_t)b << (8 * i);
	}
	vpm_sci_update(pm);
	spin_unlock(&pm->lock);
	if (!write)
		*data = val;
	return 0;
}

void vpm_poll(struct vpm *pm)
{
	if (!pm)
		return;
	spin_lock(&pm->lock);
	vpm_eval(pm, time_ns());
	vpm_sci_update(pm);
	spin_unlock(&pm->lock);
}

uint64_t vpm_next_deadline(struct vpm *pm)
{
	uint64_t now, t, dl = 0;

	if (!pm)
		return 0;
	spin_lock(&pm->lock);
	if ((pm->en & VPM_TMR) && !(pm->sts & VPM_TMR)) {
		now = time_ns();
		t = (vpm_ticks(now - pm->base_ns) | 0x7fffff) + 1;
		dl =
		    pm->base_ns + t / VPLAT_PM_TMR_HZ * NSEC_PER_SEC +
		    (t % VPLAT_PM_TMR_HZ * NSEC_PER_SEC + VPLAT_PM_TMR_HZ - 1) /
			VPLAT_PM_TMR_HZ;
	}
	spin_unlock(&pm->lock);
	return dl;
}

void vpm_power_button(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);
	struct vpm *pm = plat ? plat->pm : NULL;

	if (!pm)
		return;
	spin_lock(&pm->lock);
	pm->sts |= VPM_PWRBTN;
	vpm_sci_update(pm);
	spin_unlock(&pm->lock);
}

/* PIIX4 / ICH reset control register: RST_CPU (bit 2) going 0 -> 1
 * resets, SYS_RST (bit 1) chooses hard over soft; both mean a VM reset. */
uint8_t vpm_cf9_read(struct vm *vm)
{
	struct vplat *plat = vplat_of(vm);

	return plat && plat->pm ? plat->pm->cf9 : 0;
}

void vpm_cf9_write(struct vm *vm, uint8_t val)
{
	struct vplat *plat = vplat_of(vm);
	struct vpm *pm = plat ? plat->pm : NULL;
	bool reset;

	if (!pm)
		return;
	spin_lock(&pm->lock);
	reset = (val & 0x04) && !(pm->cf9 & 0x04);
	pm->cf9 = val & 0x0a; /* RST_CPU is self-clearing */
	spin_unlock(&pm->lock);
	if (reset)
		vplat_reset(vm, "reset control register 0xcf9");
}

struct vpm *vpm_create(struct vm *vm)
{
	struct vpm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->vm = vm;
	pm->cnt = VPM_SCI_EN;
	pm->base_ns = time_ns();
	if (iobus_register_pio(vm, VPLAT_PM_BASE, VPLAT_PM_LEN, vpm_io, pm)) {
		log_err("vpm: cannot claim ports 0x%x-0x%x", VPLAT_PM_BASE,
			VPLAT_PM_BASE + VPLAT_PM_LEN - 1);
		free(pm);
		return NULL;
	}
	return pm;
}

void vpm_destroy(struct vpm *pm)
{
	free(pm);
}
