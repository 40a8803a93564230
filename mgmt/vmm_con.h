/* SPDX-License-Identifier: MIT */
/*
 * A VM's console ring (docs/vm.md "Console"): the last VMM_CON_SIZE
 * bytes its COM1 sent, addressed by a 64-bit cursor that counts every
 * byte ever written, so a reader that falls behind learns how much it
 * missed instead of reading garbage. The ring outlives the VM's runs: a
 * crashed guest's last words stay readable until vm.destroy.
 *
 * Writers are vCPU threads (the vUART's transmit callback, under the
 * UART's lock); readers are RPC threads. One spinlock, held for a copy.
 */
#ifndef KEEL_MGMT_VMM_CON_H
#define KEEL_MGMT_VMM_CON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"

struct vmm_con {
	struct spinlock lock; /* head and the buffer */
	uint8_t *buf;	      /* @size bytes, a power of two */
	size_t size;
	uint64_t head; /* bytes ever written; the next byte's cursor */
};

/* 0 or -ENOMEM; @size a power of two. */
int vmm_con_init(struct vmm_con *c, size_t size);
void vmm_con_free(struct vmm_con *c);
void vmm_con_put(struct vmm_con *c, const uint8_t *p, size_t n);
/*
 * Copy up to @max bytes starting at @cursor (UINT64_MAX or anything
 * older than what is kept: the oldest byte kept; past the head: nothing).
 * @next: the cursor after the copied bytes; @lost: bytes asked for that
 * were already overwritten. Returns the bytes copied.
 */
size_t vmm_con_read(struct vmm_con *c, uint64_t cursor, uint8_t *out,
		    size_t max, uint64_t *next, uint64_t *lost);
uint64_t vmm_con_head(struct vmm_con *c);

/*
 * Turn @n bytes of console output into valid UTF-8 for a JSON string:
 * valid sequences pass, every other byte becomes U+FFFD. A sequence cut
 * at the end of @in is left for the next read unless @final. Writes at
 * most 3 * @n bytes to @out; returns the bytes written and sets @used to
 * the input bytes consumed.
 */
size_t vmm_con_to_utf8(const uint8_t *in, size_t n, bool final, char *out,
		       size_t *used);

#endif
