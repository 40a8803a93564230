/* SPDX-License-Identifier: MIT */
/*
 * Test modes that own the config store for a whole boot
 * (store/store_powertest.c): keel.storetest (the power-loss writer the
 * system test kills at random) and keel.storebench (commit latency).
 */
#ifndef KEEL_STORE_STORE_POWERTEST_H
#define KEEL_STORE_STORE_POWERTEST_H
#include <stdbool.h>

/* True when the command line asks for one of them: store_init() must then
 * leave the partition alone (one user of the VFS per boot). */
bool store_powertest_active(void);

#endif
