/* SPDX-License-Identifier: MIT */
/* Interrupt messages between local APICs (vdev/vlapic_ipi.c). */
#ifndef KEEL_VDEV_VLAPIC_IPI_H
#define KEEL_VDEV_VLAPIC_IPI_H

#include <stdbool.h>
#include <stdint.h>

struct vlapic;

/* Send the IPI @from's ICR describes (SDM 3A 11.6.1); no lock held. */
void vlapic_ipi_send(struct vlapic *from, uint32_t icr_lo, uint32_t icr_hi);
/* Whether @l is a target of @dest (SDM 3A 11.6.2); @x2: a 32-bit
 * destination (x2APIC IPI), else 8 bits (xAPIC, I/O APIC, MSI). */
bool vlapic_ipi_match(const struct vlapic *l, uint32_t dest, bool logical,
		      bool x2);

#endif
