// SPDX-License-Identifier: MIT
/*
 * The PCI driver registry: drivers register with PCI_DRIVER() into a
 * linker section (image/keel.ld, like core/init.h's initcalls), so
 * drivers/pci.c never names a driver. After enumeration every function is
 * offered to the drivers once and logged with the driver that took it.
 */
#include "drivers/pci.h"

#include <errno.h>

#include "core/log.h"

const struct pci_match *pci_driver_match(const struct pci_driver *drv,
					 const struct pci_dev *d,
					 enum pci_match_kind kind)
{
	for (const struct pci_match *m = drv->ids; m && m->kind != PCI_MATCH_END;
	     m++) {
		if (m->kind != kind)
			continue;
		if (kind == PCI_MATCH_ID && m->vendor == d->vendor &&
		    m->device == d->device)
			return m;
		if (kind == PCI_MATCH_CLASS && m->class == d->class &&
		    m->subclass == d->subclass)
			return m;
	}
	return NULL;
}

/* Offer @d to each driver matching it by @kind until one takes it. */
static void pci_try_drivers(struct pci_dev *d, const struct pci_driver *drivers,
			    size_t n, enum pci_match_kind kind)
{
	for (size_t i = 0; i < n && !d->driver; i++) {
		const struct pci_match *m = pci_driver_match(&drivers[i], d, kind);
		int err;

		if (!m || !drivers[i].probe)
			continue;
		err = drivers[i].probe(d, m);
		if (!err)
			d->driver = &drivers[i];
		else
			log_warn("pci: %02x:%02x.%x: driver %s declined (%d)",
				 d->bus, d->dev, d->fn, drivers[i].name, err);
	}
}

int pci_bind(const struct pci_driver *drivers, size_t n)
{
	int bound = 0;
	char line[128];

	/* A driver for this very device beats one for its whole class. */
	for (unsigned int i = 0; i < pci_ndevs; i++)
		if (!pci_devs[i].driver)
			pci_try_drivers(&pci_devs[i], drivers, n, PCI_MATCH_ID);
	for (unsigned int i = 0; i < pci_ndevs; i++)
		if (!pci_devs[i].driver)
			pci_try_drivers(&pci_devs[i], drivers, n,
					PCI_MATCH_CLASS);
	for (unsigned int i = 0; i < pci_ndevs; i++) {
		const struct pci_dev *d = &pci_devs[i];

		pci_describe(d, line, sizeof(line));
		if (d->driver) {
			bound++;
			log_info("pci: %s (driver %s)", line, d->driver->name);
		} else {
			log_info("pci: %s (no driver)", line);
		}
		pci_log_bars(d);
	}
	return bound;
}

#ifndef KEEL_HOST_TEST
/* image/keel.ld: every PCI_DRIVER() in the image, in link order. */
extern const struct pci_driver __pci_driver_start[], __pci_driver_end[];

int pci_bind_all(void)
{
	return pci_bind(__pci_driver_start,
			__pci_driver_end - __pci_driver_start);
}
#endif
