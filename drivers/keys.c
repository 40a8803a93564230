// SPDX-License-Identifier: MIT
/*
 * The console key queue (drivers/keys.h): a ring under a spinlock taken
 * with interrupts off, so the i8042 and serial interrupt handlers can push
 * while the console thread waits on the queue.
 */
#include <stddef.h>
#include <stdio.h>

#include "core/irq.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "drivers/keys.h"

#define KEYS_RING 64

static struct spinlock keys_lock = SPINLOCK_INIT;
static struct waitq keys_wq = WAITQ_INIT;
static int keys_ring[KEYS_RING];
static unsigned int keys_head, keys_tail; /* free-running: tail - head queued */

void keys_push(int key)
{
	uint64_t flags;

	if (key == KEY_NONE)
		return;
	flags = spin_lock_irqsave(&keys_lock);
	if (keys_tail - keys_head < KEYS_RING)
		keys_ring[keys_tail++ % KEYS_RING] = key;
	spin_unlock_irqrestore(&keys_lock, flags);
	waitq_wake_all(&keys_wq);
}

static bool keys_ready(void *arg)
{
	return __atomic_load_n(&keys_tail, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&keys_head, __ATOMIC_ACQUIRE);
}

int keys_get(uint64_t timeout_ns)
{
	uint64_t flags;
	int key = KEY_NONE;

	if (!keys_ready(NULL) && timeout_ns)
		waitq_wait_timeout(&keys_wq, keys_ready, NULL, timeout_ns);
	flags = spin_lock_irqsave(&keys_lock);
	if (keys_tail != keys_head)
		key = keys_ring[keys_head++ % KEYS_RING];
	spin_unlock_irqrestore(&keys_lock, flags);
	return key;
}

static const char *const keys_names[] = {
	[KEY_UP - KEY_UP] = "Up",	  [KEY_DOWN - KEY_UP] = "Down",
	[KEY_LEFT - KEY_UP] = "Left",	  [KEY_RIGHT - KEY_UP] = "Right",
	[KEY_HOME - KEY_UP] = "Home",	  [KEY_END - KEY_UP] = "End",
	[KEY_INSERT - KEY_UP] = "Insert", [KEY_DELETE - KEY_UP] = "Delete",
	[KEY_PGUP - KEY_UP] = "PgUp",	  [KEY_PGDN - KEY_UP] = "PgDn",
};

const char *keys_name(int key, char buf[8])
{
	switch (key) {
	case KEY_ENTER:
		return "Enter";
	case KEY_ESC:
		return "Esc";
	case KEY_BACKSPACE:
		return "Backspace";
	case KEY_TAB:
		return "Tab";
	case ' ':
		return "Space";
	}
	if (key > ' ' && key < 0x7f) {
		buf[0] = (char)key;
		buf[1] = 0;
		return buf;
	}
	if (key >= KEY_F1 && key <= KEY_F12) {
		snprintf(buf, 8, "F%d", key - KEY_F1 + 1);
		return buf;
	}
	if (key >= KEY_UP && key <= KEY_PGDN)
		return keys_names[key - KEY_UP];
	return "?";
}
