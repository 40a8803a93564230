// SPDX-License-Identifier: MIT
/*
 * The lwIP port: what lwIP's arch/cc.h and NO_SYS mode ask the platform for.
 * The OS layer (threads, semaphores, mailboxes) is net/sys_arch.c.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lwip/arch.h>
#include <lwip/def.h>
#include <lwip/prot/ethernet.h>
#include <lwip/sys.h>

#include "core/cpu.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/time.h"

u32_t sys_now(void)
{
	return (u32_t)(time_ns() / 1000000);
}

/* An lwIP assertion is a broken invariant inside Keel: stop. */
void lwip_port_assert(const char *msg, const char *file, int line)
{
	log_err("PANIC: lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
	cpu_halt_forever();
}

/* Initial sequence numbers and ports: RDRAND when present. */
u32_t lwip_port_rand(void)
{
	static uint64_t state;
	uint64_t r;

	if (cpu_has_rdrand() && cpu_rdrand64(&r))
		return (u32_t)r;
	/* xorshift64 over TSC jitter: unpredictable enough for port numbers */
	state ^= cpu_rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (u32_t)state;
}

/*
 * 802.1Q on the management interface (lwipopts.h hooks). -1 means the
 * management network is untagged; net_apply() sets it from keel.ip=...,vlan=ID
 * or the config store through vmk_set_vlan().
 */
static int lwip_port_vlan = -1;

void lwip_port_set_vlan(int vid)
{
	__atomic_store_n(&lwip_port_vlan, vid, __ATOMIC_RELAXED);
}

int lwip_port_vlan_check(struct netif *netif, const struct eth_hdr *eth,
			 const struct eth_vlan_hdr *vlan)
{
	int vid = __atomic_load_n(&lwip_port_vlan, __ATOMIC_RELAXED);

	return vid >= 0 && (lwip_ntohs(vlan->prio_vid) & 0xfff) == vid;
}

int lwip_port_vlan_set(struct netif *netif, struct pbuf *p,
		       const struct eth_addr *src, const struct eth_addr *dst,
		       uint16_t eth_type)
{
	return __atomic_load_n(&lwip_port_vlan, __ATOMIC_RELAXED);
}
