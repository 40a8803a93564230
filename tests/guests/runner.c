// SPDX-License-Identifier: MIT
/*
 * Runs the test guests (tests/guests/g_*.S, built into the image as flat
 * binaries) as keel.selftest tests on whichever backend this CPU has. Each
 * guest gets a fresh VM with 16 MiB, starts in real mode at 0000:8000,
 * logs through port 0xe9, reports figures through 0xf5, and ends with its
 * verdict written to 0xf4. A guest that neither reports nor stops within
 * the time limit fails, and its VM is stopped.
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
#include "vdev/vioapic.h"
#include "vdev/vlapic.h"
#include "vdev/vplat.h"

#define GUEST_LOAD 0x8000
#define GUEST_RAM (16ull << 20)
/* Only a hung guest waits this long. 10 s was too short on a loaded CI
 * machine: hostile-flood's 20,000 port writes beside five other VMs got
 * through 12,000 (nested emulation, another emulator on the core). */
#define GUEST_TIMEOUT_NS (30 * 1000000000ull)

struct guest_run {
	char line[96];
	unsigned int len;
	uint32_t figures[8];
	unsigned int nfigures;
};

struct guest_irq {
	struct vcpu *v;
	uint8_t vector;
	uint64_t delay_ns;
};

static void guest_irq_thread(void *arg)
{
	struct guest_irq *irq = arg;

	thread_sleep_ns(irq->delay_ns);
	vcpu_raise_irq(irq->v, irq->vector);
	free(irq);
}

static int guest_port(struct vcpu *v, uint64_t port, unsigned int size,
		      bool write, uint64_t *data, void *opaque)
{
	struct guest_run *r = opaque;

	if (!write) {
		*data = 0;
		return 0;
	}
	switch (port) {
	case 0xe9: {
		char c = (char)*data;
		if (c == '\n' || r->len == sizeof(r->line) - 1) {
			r->line[r->len] = '\0';
			log_info("guest: %s", r->line);
			r->len = 0;
		} else {
			r->line[r->len++] = c;
		}
		return 0;
	}
	case 0xf5:
		if (r->nfigures < 8)
			r->figures[r->nfigures++] = (uint32_t)*data;
		return 0;
	case 0xf6: {
		/* Raise a vector now, or after some ms from another thread. */
		if (!(*data >> 8)) {
			vcpu_raise_irq(v, (uint8_t)*data);
			return 0;
		}
		struct guest_irq *irq = malloc(sizeof(*irq));
		if (!irq)
			return -ENOMEM;
		*irq = (struct guest_irq){ v, (uint8_t)*data,
					   (*data >> 8) * 1000000 };
		if (!thread_create("guest-irq", guest_irq_thread, irq, NULL)) {
			free(irq);
			return -ENOMEM;
		}
		return 0;
	}
	case 0xf4:
		v->vm->report = (uint32_t)*data;
		v->vm->reported = true;
		vm_stop(v->vm, "the test guest reported");
		return 1;
	}
	return 0;
}

/*
 * Create and start one test VM; @variant goes to guest-physical 0x500,
 * and @mmio_fn (if any) claims [@mmio_base, +@mmio_len).
 */
static struct vm *guest_launch_dev(const char *name, const uint8_t *bin,
				   size_t len, struct guest_run *r,
				   uint8_t variant, uint64_t mmio_base,
				   uint64_t mmio_len, iobus_fn mmio_fn,
				   unsigned int vcpus,
				   int (*setup)(struct vm *))
{
	struct vm_config cfg = {
		.name = name, .vcpus = vcpus, .ram_bytes = GUEST_RAM,
		.entry_cs = 0, .entry_ip = GUEST_LOAD,
	};
	struct vm *vm;

	memset(r, 0, sizeof(*r));
	if (!hv) {
		log_err("guest: no hardware virtualization backend");
		return NULL;
	}
	vm = vm_create(&cfg);
	if (!vm)
		return NULL;
	int rc = vlapic_attach(vm);
	if (!rc)
		rc = iobus_register_pio(vm, 0xe9, 1, guest_port, r);
	if (!rc)
		rc = iobus_register_pio(vm, 0xf4, 3, guest_port, r);
	if (!rc && mmio_fn)
		rc = iobus_register_mmio(vm, mmio_base, mmio_len, mmio_fn, NULL);
	if (!rc && setup)
		rc = setup(vm);
	if (!rc)
		rc = vm_load(vm, GUEST_LOAD, bin, len);
	if (!rc)
		rc = vm_load(vm, 0x500, &variant, 1);
	if (!rc)
		rc = vm_start(vm);
	if (rc) {
		log_err("guest: %s: could not be set up (%d)", name, rc);
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

static struct vm *guest_launch(const char *name, const uint8_t *bin,
			       size_t len, struct guest_run *r, uint8_t variant)
{
	return guest_launch_dev(name, bin, len, r, variant, 0, 0, NULL, 1, NULL);
}

static struct vm *guest_launch_with(const char *name, const uint8_t *bin,
				    size_t len, struct guest_run *r,
				    uint64_t base, uint64_t size, iobus_fn fn)
{
	return guest_launch_dev(name, bin, len, r, 0, base, size, fn, 1, NULL);
}

/* Wait for @vm to stop (or stop it at @deadline); its verdict, or -ETIME. */
static int guest_collect(struct vm *vm, uint64_t deadline)
{
	int rc;

	while (vm->vcpus_running && time_ns() < deadline)
		thread_sleep_ns(1000000);
	if (vm->vcpus_running) {
		vm_stop(vm, "test guest timed out");
		vm_wait_stopped(vm);
	}
	if (!vm->reported) {
		rc = -ETIME;
	} else if (vm->report) {
		log_err("guest: %s failed check %u", vm->name, vm->report);
		rc = -EIO;
	} else {
		rc = 0;
	}
	log_info("guest: %s: %llu exits (%llu I/O, %llu CPUID, %llu stage-2)",
		 vm->name, (unsigned long long)vm->vcpus[0].exits_total,
		 (unsigned long long)vm->vcpus[0].exits[VM_EXIT_IO],
		 (unsigned long long)vm->vcpus[0].exits[VM_EXIT_CPUID],
		 (unsigned long long)vm->vcpus[0].exits[VM_EXIT_S2_FAULT]);
	return rc;
}

/* Run one guest binary to its verdict. */
static int guest_run(const char *name, const uint8_t *bin, size_t len,
		     struct guest_run *r)
{
	struct vm *vm = guest_launch(name, bin, len, r, 0);

	if (!vm)
		return -ENOMEM;
	int rc = guest_collect(vm, time_ns() + GUEST_TIMEOUT_NS);
	if (rc == -ETIME)
		log_err("guest: %s stopped without a verdict (%s)", name,
			vm->stop_reason);
	vm_destroy(vm);
	return rc;
}

extern const uint8_t guest_g_basic[], guest_g_basic_end[];
extern const uint8_t guest_g_modes[], guest_g_modes_end[];
extern const uint8_t guest_g_hostile[], guest_g_hostile_end[];
extern const uint8_t guest_g_irq[], guest_g_irq_end[];
extern const uint8_t guest_g_mmio[], guest_g_mmio_end[];
extern const uint8_t guest_g_smp[], guest_g_smp_end[];
extern const uint8_t guest_g_apic[], guest_g_apic_end[];

static int guest_basic(void)
{
	struct guest_run r;
	int rc = guest_run("g_basic", guest_g_basic,
			   guest_g_basic_end - guest_g_basic, &r);

	if (rc == 0 && r.nfigures >= 2)
		log_info("bench: %s round trip: CPUID %u ticks, port write %u "
			 "ticks",
			 hv->name, r.figures[0], r.figures[1]);
	return rc;
}
KEEL_SELFTEST(guest_basic, guest_basic);

static int guest_modes(void)
{
	struct guest_run r;

	return guest_run("g_modes", guest_g_modes,
			 guest_g_modes_end - guest_g_modes, &r);
}
KEEL_SELFTEST(guest_modes, guest_modes);

/*
 * Isolation: five hostile VMs beside a well-behaved one. Those that break
 * the rules are stopped alone with the reason logged; the others, and the
 * well-behaved guest, finish normally.
 */
static int guest_isolation(void)
{
	static const struct {
		const char *name;
		const char *stop; /* expected in the stop reason, or NULL */
	} hostile[] = {
		{ "hostile-ram", "unmapped guest-physical address 0x7f000000" },
		{ "hostile-triple", "triple fault" },
		{ "hostile-cr3", "unmapped guest-physical address 0x7ff00" },
		{ "hostile-flood", NULL },
		{ "hostile-msr", NULL },
	};
	static struct guest_run runs[6];
	struct vm *vms[6] = { NULL };
	int rc = 0;

	for (unsigned int i = 0; i < 5; i++)
		vms[i] = guest_launch(hostile[i].name, guest_g_hostile,
				      guest_g_hostile_end - guest_g_hostile,
				      &runs[i], i + 1);
	vms[5] = guest_launch("bystander", guest_g_basic,
			      guest_g_basic_end - guest_g_basic, &runs[5], 0);
	uint64_t deadline = time_ns() + GUEST_TIMEOUT_NS;
	for (unsigned int i = 0; i < 6; i++) {
		if (!vms[i]) {
			log_err("guest: isolation: VM %u did not start", i);
			rc = -ENOMEM;
			continue;
		}
		int verdict = guest_collect(vms[i], deadline);
		const char *want = i < 5 ? hostile[i].stop : NULL;
		if (want && (verdict != -ETIME ||
			     !strstr(vms[i]->stop_reason, want))) {
			log_err("guest: %s: stopped for \"%s\", expected \"%s\"",
				vms[i]->name, vms[i]->stop_reason, want);
			rc = -EIO;
		} else if (!want && verdict != 0) {
			log_err("guest: %s did not finish normally (%d, %s)",
				vms[i]->name, verdict, vms[i]->stop_reason);
			rc = -EIO;
		}
		vm_destroy(vms[i]);
	}
	return rc;
}
KEEL_SELFTEST(guest_isolation, guest_isolation);

static int guest_irq(void)
{
	struct guest_run r;

	return guest_run("g_irq", guest_g_irq, guest_g_irq_end - guest_g_irq,
			 &r);
}
KEEL_SELFTEST(guest_irq, guest_irq);

/* A 4 KiB scratch device: stores what is written, returns it when read. */
#define GUEST_MMIO_BASE 0x30000000ull

static uint8_t guest_scratch[4096];
static unsigned long guest_scratch_accesses;

static int guest_scratch_io(struct vcpu *v, uint64_t gpa, unsigned int size,
			    bool write, uint64_t *data, void *opaque)
{
	uint64_t off = gpa - GUEST_MMIO_BASE;

	guest_scratch_accesses++;
	if (write)
		memcpy(guest_scratch + off, data, size);
	else
		memcpy(data, guest_scratch + off, size);
	return 0;
}

static int guest_mmio(void)
{
	struct guest_run r;
	struct vm *vm;

	memset(guest_scratch, 0, sizeof(guest_scratch));
	guest_scratch_accesses = 0;
	vm = guest_launch_with("g_mmio", guest_g_mmio,
			       guest_g_mmio_end - guest_g_mmio, &r,
			       GUEST_MMIO_BASE, sizeof(guest_scratch),
			       guest_scratch_io);
	if (!vm)
		return -ENOMEM;
	int rc = guest_collect(vm, time_ns() + GUEST_TIMEOUT_NS);
	if (rc == -ETIME)
		log_err("guest: g_mmio stopped without a verdict (%s)",
			vm->stop_reason);
	log_info("guest: g_mmio: %lu device accesses emulated",
		 guest_scratch_accesses);
	if (rc == 0 && r.nfigures >= 2)
		log_info("bench: %s round trip: MMIO write %u ticks, stage-2 "
			 "fault backing 2 MiB %u ticks",
			 hv->name, r.figures[0], r.figures[1]);
	vm_destroy(vm);
	return rc;
}
KEEL_SELFTEST(guest_mmio, guest_mmio);

/* Four vCPUs: the guest starts three APs with INIT/SIPI. */
static int guest_smp(void)
{
	struct guest_run r;
	struct vm *vm = guest_launch_dev("g_smp", guest_g_smp,
					 guest_g_smp_end - guest_g_smp, &r, 0, 0,
					 0, NULL, 4, NULL);

	if (!vm)
		return -ENOMEM;
	/* The APs end in HLT with interrupts off: only the BSP reports. */
	int rc = guest_collect(vm, time_ns() + GUEST_TIMEOUT_NS);
	if (rc == -ETIME)
		log_err("guest: g_smp stopped without a verdict (%s)",
			vm->stop_reason);
	else if (rc == 0)
		log_info("guest: g_smp: %u APs started by INIT/SIPI ran at once",
			 r.nfigures ? r.figures[0] : 0);
	vm_destroy(vm);
	return rc;
}
KEEL_SELFTEST(guest_smp, guest_smp);

/*
 * g_apic: two vCPUs with the vLAPIC (vlapic_attach, done for every test
 * guest) and a vIOAPIC hung off a minimal platform; port 0xf7 drives an
 * I/O APIC pin (pin | level << 8), as a device would.
 */
static void guest_apic_free(struct vm *vm)
{
	struct vplat *p = vm->platform;

	vioapic_destroy(p->ioapic);
	free(p);
	vm->platform = NULL;
}

static int guest_apic_pin(struct vcpu *v, uint64_t port, unsigned int size,
			  bool write, uint64_t *data, void *opaque)
{
	struct vplat *p = v->vm->platform;

	if (write)
		vioapic_set_irq(p->ioapic, *data & 0xff, (*data >> 8) & 1);
	else
		*data = 0;
	return 0;
}

static int guest_apic_setup(struct vm *vm)
{
	struct vplat *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->ioapic = vioapic_create(vm);
	if (!p->ioapic) {
		free(p);
		return -ENOMEM;
	}
	vm->platform = p;
	vm->platform_free = guest_apic_free;
	return iobus_register_pio(vm, 0xf7, 1, guest_apic_pin, NULL);
}

static int guest_apic(void)
{
	struct guest_run r;
	struct vm *vm = guest_launch_dev("g_apic", guest_g_apic,
					 guest_g_apic_end - guest_g_apic, &r, 0,
					 0, 0, NULL, 2, guest_apic_setup);

	if (!vm)
		return -ENOMEM;
	int rc = guest_collect(vm, time_ns() + GUEST_TIMEOUT_NS);
	if (rc == -ETIME)
		log_err("guest: g_apic stopped without a verdict (%s)",
			vm->stop_reason);
	/* What each vCPU and its APIC were doing, for a failure's log. */
	for (unsigned int i = 0; rc && i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct vlapic *l = v->vlapic;
		for (unsigned int c = 0; c < VM_EXIT_COUNT; c++)
			if (v->exits[c])
				log_info("guest: g_apic: vCPU %u: %llu exits of "
					 "kind %u", i,
					 (unsigned long long)v->exits[c], c);
		log_info("guest: g_apic: vCPU %u: base %#llx svr %#x tpr %#x "
			 "irr[2] %#x isr[2] %#x lvt-timer %#x due %lld ns from "
			 "now, rip %#llx rflags %#llx",
			 i, (unsigned long long)l->apic_base, l->svr, l->tpr,
			 l->irr[2], l->isr[2], l->lvt[VLAPIC_LVT_TIMER],
			 l->timer_due_ns ? (long long)(l->timer_due_ns - time_ns())
					 : 0LL,
			 (unsigned long long)hv->get_reg(v, VCPU_RIP),
			 (unsigned long long)hv->get_reg(v, VCPU_RFLAGS));
	}
	if (rc == 0 && r.nfigures >= 2)
		log_info("bench: %s round trip: LAPIC EOI %u ticks, TSC-deadline "
			 "re-arm %u ticks",
			 hv->name, r.figures[0], r.figures[1]);
	vm_destroy(vm);
	return rc;
}
KEEL_SELFTEST(guest_apic, guest_apic);
