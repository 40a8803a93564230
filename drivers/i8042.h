/* SPDX-License-Identifier: MIT */
/*
 * PS/2 keyboard on the i8042 controller: probed at INIT_LATE (bounded
 * waits; a machine without one is not slowed), keys go to drivers/keys.h.
 */
#ifndef KEEL_DRIVERS_I8042_H
#define KEEL_DRIVERS_I8042_H

/* Mouse (AUX) bytes that arrived anyway and were dropped. */
unsigned int i8042_aux_bytes_dropped(void);

#endif
