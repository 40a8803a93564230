// SPDX-License-Identifier: MIT
/*
 * Management-network diagnostics: ping (ICMP echo, RFC 792 / ICMPv6 echo,
 * RFC 4443 4.1) over lwIP's raw API and a name lookup through lwIP's DNS
 * client, plus keel.nettest which runs both at boot:
 *   nettest: ping 10.0.2.2: 3/3 replies, rtt min/avg/max 1/2/4 ms
 *   nettest: resolve keel-test.example: 192.168.77.1
 *
 * lwIP calls happen under LOCK_TCPIP_CORE(); raw and DNS callbacks run in
 * the tcpip thread (which holds that lock), and the calling thread waits
 * on an lwIP semaphore with a timeout, so nothing here can hang.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/dns.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip.h>
#include <lwip/netif.h>
#include <lwip/prot/icmp.h>
#include <lwip/prot/icmp6.h>
#include <lwip/raw.h>
#include <lwip/tcpip.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/time.h"
#include "net/net.h"
#include "net/net_diag.h"

#define NET_PING_DATA 32 /* payload bytes after the 8-byte ICMP header */

struct net_ping_ctx {
	sys_sem_t done;
	uint16_t id, seq; /* the request being waited for */
	bool is_v6, answered;
	ip_addr_t target;
};

static uint16_t net_ping_next_id = 0x4b45; /* "KE"; one per net_ping */

/* Is there an address of @addr's family on vmk0? Core lock held. */
static bool net_diag_has_addr(struct netif *nif, bool v6)
{
	if (!nif || !netif_is_up(nif))
		return false;
	if (!v6)
		return !ip4_addr_isany(netif_ip4_addr(nif));
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
			return true;
	return false;
}

/* tcpip thread: an ICMP(v6) packet arrived; keep ours, pass the rest on. */
static u8_t net_ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
			  const ip_addr_t *src)
{
	struct net_ping_ctx *c = arg;
	uint8_t h[8];
	u16_t off = 0;

	(void)pcb;
	if (!ip_addr_cmp(src, &c->target))
		return 0;
	/* raw_input hands over the packet from its IP header (lwIP 2.1
	 * raw.c); IPv6 extension headers are not walked. */
	if (c->is_v6)
		off = IP6_HLEN;
	else if (p->len >= 1)
		off = (u16_t)((((const uint8_t *)p->payload)[0] & 0xf) * 4);
	if (pbuf_copy_partial(p, h, sizeof(h), off) != sizeof(h))
		return 0;
	if (h[0] != (c->is_v6 ? ICMP6_TYPE_EREP : ICMP_ER) ||
	    (uint16_t)(h[4] << 8 | h[5]) != c->id)
		return 0;
	if ((uint16_t)(h[6] << 8 | h[7]) == c->seq && !c->answered) {
		c->answered = true;
		sys_sem_signal(&c->done);
	}
	pbuf_free(p); /* ours (possibly a late one): eaten */
	return 1;
}

/* Core lock held: build and send echo request number c->seq. */
static err_t net_ping_send(struct raw_pcb *pcb, struct net_ping_ctx *c)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, 8 + NET_PING_DATA, PBUF_RAM);
	err_t e;

	if (!p)
		return ERR_MEM;
	uint8_t *b = p->payload;
	b[0] = c->is_v6 ? ICMP6_TYPE_EREQ : ICMP_ECHO;
	b[1] = 0;
	b[2] = b[3] = 0;
	b[4] = c->id >> 8;
	b[5] = c->id & 0xff;
	b[6] = c->seq >> 8;
	b[7] = c->seq & 0xff;
	for (int i = 0; i < NET_PING_DATA; i++)
		b[8 + i] = (uint8_t)('a' + i % 26);
	if (!c->is_v6) {
		/* ICMPv4 checksum over the message; lwIP fills in the
		 * ICMPv6 one (pseudo header) because chksum_reqd is set. */
		u16_t sum = inet_chksum(b, 8 + NET_PING_DATA);
		memcpy(b + 2, &sum, 2);
	}
	e = raw_sendto(pcb, p, &c->target);
	pbuf_free(p);
	return e;
}

int net_ping(const ip_addr_t *addr, unsigned int count, uint32_t timeout_ms,
	     struct net_ping_result *out)
{
	struct net_ping_ctx c = { 0 };
	struct raw_pcb *pcb;
	uint64_t sum_us = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!addr || !count || !timeout_ms || ip_addr_isany(addr))
		return -EINVAL;
	c.is_v6 = IP_IS_V6(addr);
	ip_addr_copy(c.target, *addr);
	if (sys_sem_new(&c.done, 0) != ERR_OK)
		return -ENOMEM;

	LOCK_TCPIP_CORE();
	if (!net_diag_has_addr(net_netif(), c.is_v6)) {
		UNLOCK_TCPIP_CORE();
		sys_sem_free(&c.done);
		return -ENETDOWN;
	}
	pcb = raw_new_ip_type(c.is_v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4,
			      c.is_v6 ? IP6_NEXTH_ICMP6 : IP_PROTO_ICMP);
	if (pcb) {
		if (c.is_v6) {
			pcb->chksum_reqd = 1;
			pcb->chksum_offset = 2;
		}
		c.id = net_ping_next_id++;
		raw_recv(pcb, net_ping_recv, &c);
	}
	UNLOCK_TCPIP_CORE();
	if (!pcb) {
		sys_sem_free(&c.done);
		return -ENOMEM;
	}

	for (unsigned int i = 0; i < count; i++) {
		LOCK_TCPIP_CORE();
		c.seq = (uint16_t)(i + 1);
		c.answered = false;
		err_t e = net_ping_send(pcb, &c);
		UNLOCK_TCPIP_CORE();
		uint64_t t0 = time_ns();
		out->sent++;
		if (e != ERR_OK)
			continue; /* e.g. no route: counts as unanswered */
		/* Wait for this sequence number only: a stale reply to an
		 * earlier request never signals. */
		while (sys_arch_sem_wait(&c.done, timeout_ms) != SYS_ARCH_TIMEOUT) {
			LOCK_TCPIP_CORE();
			bool got = c.answered;
			UNLOCK_TCPIP_CORE();
			if (got)
				break;
		}
		LOCK_TCPIP_CORE();
		bool got = c.answered;
		c.seq = 0; /* late replies to this one are ignored */
		UNLOCK_TCPIP_CORE();
		if (!got)
			continue;
		uint64_t us = (time_ns() - t0) / 1000;
		uint32_t ms = (uint32_t)((us + 500) / 1000);
		if (!out->received || ms < out->rtt_min_ms)
			out->rtt_min_ms = ms;
		if (ms > out->rtt_max_ms)
			out->rtt_max_ms = ms;
		sum_us += us;
		out->received++;
	}
	if (out->received)
		out->rtt_avg_ms = (uint32_t)((sum_us / out->received + 500) /
					     1000);
	r = (int)out->received;

	LOCK_TCPIP_CORE();
	raw_remove(pcb); /* no callback can run after this */
	UNLOCK_TCPIP_CORE();
	sys_sem_free(&c.done);
	return r;
}

/* --- Name lookup ---------------------------------------------------------- */

/*
 * lwIP's DNS client reports "no such name" and "no answer" alike (a NULL
 * address to the callback). To tell the operator which, a raw UDP pcb
 * looks at DNS answers on their way to lwIP's resolver (returning 0 lets
 * them pass, lwIP 2.1 ip4_input) and notes an NXDOMAIN (RFC 1035 4.1.1,
 * RCODE 3) whose question is our name.
 */
struct net_resolve_ctx {
	sys_sem_t done;
	bool finished, found, abandoned, nxdomain;
	ip_addr_t addr;
	char name[DNS_MAX_NAME_LENGTH];
};

/* Does the question name at @q (wire form, within @end) equal @name? */
static bool net_dns_qname_is(const uint8_t *q, const uint8_t *end,
			     const char *name)
{
	const char *n = name;

	while (q < end && *q) {
		unsigned int len = *q++;
		if (len > 63 || q + len > end)
			return false;
		if (n != name && *n++ != '.')
			return false;
		for (unsigned int i = 0; i < len; i++, n++) {
			char a = (char)q[i], b = *n;
			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (!b || a != b)
				return false;
		}
		q += len;
	}
	if (*n == '.') /* "example." */
		n++;
	return q < end && !*n;
}

static u8_t net_dns_sniff(void *arg, struct raw_pcb *pcb, struct pbuf *p,
			  const ip_addr_t *src)
{
	struct net_resolve_ctx *c = arg;
	uint8_t b[40 + 8 + 12 + DNS_MAX_NAME_LENGTH + 2];
	u16_t n = pbuf_copy_partial(p, b, sizeof(b), 0), off;

	(void)pcb;
	if (n < IP6_HLEN)
		return 0;
	off = IP_IS_V6(src) ? IP6_HLEN : (u16_t)((b[0] & 0xf) * 4);
	if (n < off + 8 + 12 + 1)
		return 0;
	const uint8_t *udp = b + off, *dns = udp + 8;
	if ((udp[0] << 8 | udp[1]) != 53) /* DNS_SERVER_PORT is private to dns.c */
		return 0;
	/* QR=1 (a response), RCODE=3, at least one question. */
	if ((dns[2] & 0x80) && (dns[3] & 0x0f) == 3 && (dns[4] | dns[5]) &&
	    net_dns_qname_is(dns + 12, b + n, c->name))
		c->nxdomain = true;
	return 0;
}

/* tcpip thread: lwIP's resolver finished (possibly after we gave up). */
static void net_dns_found(const char *name, const ip_addr_t *addr, void *arg)
{
	struct net_resolve_ctx *c = arg;

	(void)name;
	if (c->abandoned) {
		sys_sem_free(&c->done);
		free(c);
		return;
	}
	c->finished = true;
	if (addr) {
		c->found = true;
		ip_addr_copy(c->addr, *addr);
	}
	sys_sem_signal(&c->done);
}

int net_resolve(const char *name, ip_addr_t *out, uint32_t timeout_ms)
{
	struct net_resolve_ctx *c;
	struct raw_pcb *sniff;
	size_t len = name ? strlen(name) : 0;
	int r;

	if (!len || len >= DNS_MAX_NAME_LENGTH || !out || !timeout_ms)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (sys_sem_new(&c->done, 0) != ERR_OK) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->name, name, len + 1);

	LOCK_TCPIP_CORE();
	if (!net_diag_has_addr(net_netif(), false) &&
	    !net_diag_has_addr(net_netif(), true)) {
		r = -ENETDOWN;
		goto out_locked;
	}
	sniff = raw_new_ip_type(IPADDR_TYPE_ANY, IP_PROTO_UDP);
	if (sniff)
		raw_recv(sniff, net_dns_sniff, c);
	err_t e = dns_gethostbyname(name, &c->addr, net_dns_found, c);
	if (e == ERR_OK) { /* a literal address or in lwIP's cache */
		ip_addr_copy(*out, c->addr);
		r = 0;
	} else if (e == ERR_INPROGRESS) {
		UNLOCK_TCPIP_CORE();
		sys_arch_sem_wait(&c->done, timeout_ms);
		LOCK_TCPIP_CORE();
		if (c->found) {
			ip_addr_copy(*out, c->addr);
			r = 0;
		} else if (c->nxdomain) {
			r = -ENOENT;
		} else {
			r = -ETIMEDOUT;
		}
		if (!c->finished) {
			/* lwIP still holds @c: its callback frees it. */
			c->abandoned = true;
			if (sniff)
				raw_remove(sniff);
			UNLOCK_TCPIP_CORE();
			return r;
		}
	} else {
		/* ERR_VAL: no DNS server configured; ERR_ARG: bad name. */
		r = e == ERR_VAL ? -ENETDOWN : -EINVAL;
	}
	if (sniff)
		raw_remove(sniff);
out_locked:
	UNLOCK_TCPIP_CORE();
	sys_sem_free(&c->done);
	free(c);
	return r;
}

/* --- keel.nettest ---------------------------------------------------------- */

CMDLINE_OPTION(nettest, "keel.nettest",
	       "diagnostic: once vmk0 has IPv4, ping the gateway and DNS "
	       "servers and resolve NAME (keel.nettest=NAME)");

#define NET_TEST_ADDR_WAIT_MS (60 * 1000)
#define NET_TEST_PINGS 3
#define NET_TEST_PING_MS 1000
#define NET_TEST_RESOLVE_MS 15000

static char net_test_name[DNS_MAX_NAME_LENGTH];

static void net_test_ping(const ip_addr_t *a)
{
	struct net_ping_result res;
	char s[IPADDR_STRLEN_MAX];
	int r = net_ping(a, NET_TEST_PINGS, NET_TEST_PING_MS, &res);

	ipaddr_ntoa_r(a, s, sizeof(s));
	if (r < 0)
		log_warn("nettest: ping %s: failed (error %d)", s, r);
	else if (!res.received)
		log_warn("nettest: ping %s: 0/%u replies", s, res.sent);
	else
		log_info("nettest: ping %s: %u/%u replies, rtt min/avg/max "
			 "%u/%u/%u ms",
			 s, res.received, res.sent, res.rtt_min_ms,
			 res.rtt_avg_ms, res.rtt_max_ms);
}

static const char *net_test_reason(int r)
{
	switch (r) {
	case -ENOENT:
		return "no such name";
	case -ETIMEDOUT:
		return "no answer";
	case -ENETDOWN:
		return "no address or DNS server";
	default:
		return "bad name";
	}
}

static void net_test_thread(void *arg)
{
	struct netif *nif;
	ip_addr_t gw, dns[DNS_MAX_SERVERS], a;
	uint64_t t0 = time_ns();
	bool up = false;

	(void)arg;
	for (;;) {
		LOCK_TCPIP_CORE();
		nif = net_netif();
		up = nif && netif_is_link_up(nif) &&
		     !ip4_addr_isany(netif_ip4_addr(nif));
		if (up) {
			ip_addr_copy_from_ip4(gw, *netif_ip4_gw(nif));
			for (int i = 0; i < DNS_MAX_SERVERS; i++)
				ip_addr_copy(dns[i], *dns_getserver((u8_t)i));
		}
		UNLOCK_TCPIP_CORE();
		if (up || time_ns() - t0 > NET_TEST_ADDR_WAIT_MS * 1000000ull)
			break;
		thread_sleep_ns(100 * 1000000ull);
	}
	if (!up) {
		log_warn("nettest: vmk0 has no IPv4 address after %u s; "
			 "nothing tested",
			 NET_TEST_ADDR_WAIT_MS / 1000);
	} else {
		if (ip_addr_isany(&gw))
			log_info("nettest: no gateway to ping");
		else
			net_test_ping(&gw);
		for (int i = 0; i < DNS_MAX_SERVERS; i++)
			if (!ip_addr_isany(&dns[i]))
				net_test_ping(&dns[i]);
		if (net_test_name[0]) {
			char s[IPADDR_STRLEN_MAX];
			int r = net_resolve(net_test_name, &a,
					    NET_TEST_RESOLVE_MS);
			if (r)
				log_warn("nettest: resolve %s: failed (%s)",
					 net_test_name, net_test_reason(r));
			else
				log_info("nettest: resolve %s: %s",
					 net_test_name,
					 ipaddr_ntoa_r(&a, s, sizeof(s)));
		}
	}
	log_info("nettest: done");
	thread_exit();
}

void net_diag_boot_test(void)
{
	int r = cmdline_get("keel.nettest", net_test_name,
			    sizeof(net_test_name));

	if (r == -ENOENT)
		return;
	if (r < 0) {
		log_err("nettest: keel.nettest name is too long");
		net_test_name[0] = 0;
	}
	if (!thread_create("nettest", net_test_thread, NULL, NULL))
		log_err("nettest: cannot start its thread");
}
