/* SPDX-License-Identifier: MIT */
/*
 * Management-network diagnostics (docs/net.md): ICMP echo and a DNS
 * lookup, as the setup console's "test management network" offers them
 * and keel.nettest runs them at boot. Call from a thread, never from the
 * tcpip thread or with the tcpip core lock held: both block.
 */
#ifndef KEEL_NET_NET_DIAG_H
#define KEEL_NET_NET_DIAG_H

#include <stdint.h>

#include <lwip/ip_addr.h>

struct net_ping_result {
	unsigned int sent, received;
	/* Round trips of the answered requests, in ms (0 when none). */
	uint32_t rtt_min_ms, rtt_avg_ms, rtt_max_ms;
};

/*
 * Send @count ICMP (ICMPv6 for an IPv6 @addr) echo requests to @addr, one
 * after the other, each waiting up to @timeout_ms for its reply. Returns
 * the number of replies (0 is not an error: nobody answered), or
 * -EINVAL, -ENOMEM, -ENETDOWN when vmk0 has no address of that family.
 */
int net_ping(const ip_addr_t *addr, unsigned int count, uint32_t timeout_ms,
	     struct net_ping_result *out);

/*
 * Resolve @name to an IPv4 address through lwIP's DNS client (the
 * servers of vmk0's settings). 0, or -ENOENT when a server says the name
 * does not exist (NXDOMAIN), -ETIMEDOUT when no answer came within
 * @timeout_ms (or lwIP gave up retrying), -ENETDOWN without an address
 * or without a DNS server, -EINVAL for a bad name.
 */
int net_resolve(const char *name, ip_addr_t *out, uint32_t timeout_ms);

/* keel.nettest: the boot-time run, in its own thread (net_init.c). */
void net_diag_boot_test(void);

#endif
