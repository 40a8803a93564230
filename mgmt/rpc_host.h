/* SPDX-License-Identifier: MIT */
/*
 * What the host.* method files (mgmt/rpc_host*.c) and their self-test
 * share; not an interface for other rooms.
 */
#ifndef KEEL_MGMT_RPC_HOST_H
#define KEEL_MGMT_RPC_HOST_H

#include <stdbool.h>

#include "core/time.h"
#include "mgmt/cert.h"

/* How long after its answer a reboot, power-off or network change
 * takes effect: the reply has to leave first. */
#define RPC_HOST_DELAY_NS (500 * NSEC_PER_MSEC)

/* host.logs: the longest a follow call waits for new lines. */
#define RPC_HOST_LOGS_WAIT_MAX_MS 10000

/* The stored certificate's SHA-256 thumbprint; false when none. */
bool rpc_host_thumbprint(char out[MGMT_THUMBPRINT_LEN]);

#endif
