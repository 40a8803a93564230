// SPDX-License-Identifier: MIT
/*
 * Runs tests/guests/g_pci.S (a keel.selftest test, as runner.c's guests):
 * a 16 MiB VM with only the PCI bus of vdev/vpci.c (no full platform),
 * and at 00:01.0 a scratch device whose 4 KiB memory BAR stores what is
 * written. The guest probes the bus through 0xcf8/0xcfc and ECAM, sizes,
 * enables and moves the BAR, and reports its verdict on port 0xf4.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hv.h"
#include "core/log.h"
#include "core/selftest.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vm.h"
#include "vdev/vpci.h"
#include "vdev/vplat.h"

#define GUEST_PCI_LOAD 0x8000
#define GUEST_PCI_TIMEOUT_NS (10 * 1000000000ull)

extern const uint8_t guest_g_pci[], guest_g_pci_end[];

struct guest_pci {
	struct vplat plat;
	struct vpci_dev dev;
	uint8_t scratch[4096];
	unsigned long accesses;
};

static int guest_pci_bar(struct vpci_dev *d, unsigned int bar, uint64_t off,
			 unsigned int size, bool write, uint64_t *data)
{
	struct guest_pci *g = d->opaque;

	g->accesses++;
	if (write)
		memcpy(g->scratch + off, data, size);
	else
		memcpy(data, g->scratch + off, size);
	return 0;
}

/* Port 0xf4: the verdict (0 passed, else the failed check). */
static int guest_pci_port(struct vcpu *v, uint64_t port, unsigned int size,
			  bool write, uint64_t *data, void *opaque)
{
	if (!write) {
		*data = 0;
		return 0;
	}
	v->vm->report = (uint32_t)*data;
	v->vm->reported = true;
	vm_stop(v->vm, "the test guest reported");
	return 1;
}

static void guest_pci_free(struct vm *vm)
{
	vpci_destroy(vm);
	free(vm->platform);
	vm->platform = NULL;
}

static int guest_pci(void)
{
	struct vm_config cfg = {
		.name = "g_pci",
		.vcpus = 1,
		.ram_bytes = 16ull << 20,
		.entry_cs = 0,
		.entry_ip = GUEST_PCI_LOAD,
	};
	struct guest_pci *g;
	struct vm *vm;
	uint64_t deadline;
	int rc;

	if (!hv) {
		log_err("guest: no hardware virtualization backend");
		return -ENODEV;
	}
	vm = vm_create(&cfg);
	g = calloc(1, sizeof(*g));
	if (!vm || !g) {
		free(g);
		if (vm)
			vm_destroy(vm);
		return -ENOMEM;
	}
	g->plat.vm = vm;
	vm->platform = &g->plat;
	vm->platform_free = guest_pci_free;
	g->dev = (struct vpci_dev){ .name = "scratch",
				    .vendor = 0x1af4,
				    .device = 0x5ca7,
				    .class_code = 0xff0000,
				    .opaque = g };
	g->dev.bar[0] = (struct vpci_bar){ .size = 4096, .fn = guest_pci_bar };
	rc = vpci_create(vm);
	if (!rc)
		rc = vpci_add(vm, &g->dev);
	if (!rc)
		rc = iobus_register_pio(vm, 0xf4, 1, guest_pci_port, NULL);
	if (!rc)
		rc = vm_load(vm, GUEST_PCI_LOAD, guest_g_pci,
			     guest_g_pci_end - guest_g_pci);
	if (!rc)
		rc = vm_start(vm);
	if (rc) {
		log_err("guest: g_pci: could not be set up (%d)", rc);
		vm_destroy(vm);
		return rc;
	}
	deadline = time_ns() + GUEST_PCI_TIMEOUT_NS;
	while (vm->vcpus_running && time_ns() < deadline)
		thread_sleep_ns(1000000);
	if (vm->vcpus_running) {
		vm_stop(vm, "test guest timed out");
		vm_wait_stopped(vm);
	}
	if (!vm->reported) {
		log_err("guest: g_pci stopped without a verdict (%s)",
			vm->stop_reason);
		rc = -ETIME;
	} else if (vm->report) {
		log_err("guest: g_pci failed check %u", vm->report);
		rc = -EIO;
	} else {
		log_info("guest: g_pci: bus probed, BAR sized and moved, %lu "
			 "device accesses, %llu exits",
			 g->accesses,
			 (unsigned long long)vm->vcpus[0].exits_total);
	}
	vm_destroy(vm); /* frees g through guest_pci_free */
	return rc;
}
KEEL_SELFTEST(guest_pci, guest_pci);
