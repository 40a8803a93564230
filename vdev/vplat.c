// SPDX-License-Identifier: MIT
/*
 * The virtual platform (vdev/vplat.h, docs/vplat.md): builds the device
 * models in dependency order, wires ISA interrupts to both interrupt
 * controllers, gathers the lazily evaluated timers for the run loop, and
 * turns the guest's power requests into VM stops.
 */
#include "vdev/vplat.h"

#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/vkbc.h"
#include "vdev/vlapic.h"
#include "vdev/vpci.h"
#include "vdev/vpic.h"
#include "vdev/vpit.h"
#include "vdev/vpm.h"
#include "vdev/vrtc.h"

/* vdev/vioapic.c and vdev/vacpi.c (their headers are other helpers'). */
struct vioapic *vioapic_create(struct vm *vm);
void vioapic_destroy(struct vioapic *io);
int vacpi_build(struct vm *vm, const struct vplat_config *cfg);

static void vplat_free(struct vm *vm)
{
	struct vplat *p = vplat_of(vm);

	if (!p)
		return;
	vpci_destroy(vm);
	vpm_destroy(p->pm);
	vkbc_destroy(p->kbc);
	vrtc_destroy(p->rtc);
	vpit_destroy(p->pit);
	vpic_destroy(p->pic);
	if (p->ioapic)
		vioapic_destroy(p->ioapic);
	vm->platform = NULL;
	free(p);
}

int vplat_create(struct vm *vm, const struct vplat_config *cfg)
{
	uint64_t below = cfg->ram_bytes, above = 0;
	struct vplat *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->vm = vm;
	vm->platform = p;
	vm->platform_free = vplat_free;
	if (below > VPLAT_LOWMEM_MAX) {
		above = below - VPLAT_LOWMEM_MAX;
		below = VPLAT_LOWMEM_MAX;
	}
	err = vlapic_attach(vm);
	if (err)
		goto fail;
	err = -ENOMEM;
	if (!(p->ioapic = vioapic_create(vm)) || !(p->pic = vpic_create(vm)) ||
	    !(p->pit = vpit_create(vm)) || !(p->rtc = vrtc_create(vm)) ||
	    !(p->kbc = vkbc_create(vm)) || !(p->pm = vpm_create(vm)))
		goto fail;
	vrtc_set_memory(p->rtc, below, above, cfg->vcpus);
	err = vpci_create(vm);
	if (err)
		goto fail;
	err = vacpi_build(vm, cfg);
	if (err)
		goto fail;
	return 0;
fail:
	log_err("vm %u: platform: cannot build the virtual PC (%d)", vm->id,
		err);
	return err;
}

void vplat_isa_irq(struct vm *vm, unsigned int irq, bool level)
{
	struct vplat *p = vplat_of(vm);

	if (!p || irq >= 16)
		return;
	if (p->pic)
		vpic_set_irq(p->pic, irq, level);
	/* The MADT's interrupt source override: IRQ 0 is GSI 2. */
	if (p->ioapic)
		vioapic_set_irq(p->ioapic, irq ? irq : 2, level);
}

void vplat_timers_poll(struct vm *vm)
{
	struct vplat *p = vplat_of(vm);

	if (!p)
		return;
	vpit_poll(p->pit);
	vrtc_poll(p->rtc);
	vpm_poll(p->pm);
}

static uint64_t vplat_min(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

uint64_t vplat_timers_deadline(struct vm *vm)
{
	struct vplat *p = vplat_of(vm);
	uint64_t dl;

	if (!p)
		return 0;
	dl = vpit_next_deadline(p->pit);
	dl = vplat_min(dl, vrtc_next_deadline(p->rtc));
	return vplat_min(dl, vpm_next_deadline(p->pm));
}

void vplat_poweroff(struct vm *vm, const char *how)
{
	log_info("vm %u: \"%s\": guest powered off (%s)", vm->id, vm->name,
		 how);
	vm_stop_as(vm, VM_STOP_POWEROFF, how);
}

void vplat_reset(struct vm *vm, const char *how)
{
	log_info("vm %u: \"%s\": guest reset (%s)", vm->id, vm->name, how);
	vm_stop_as(vm, VM_STOP_RESET, how);
}
