/*
 * lwIP 2.1 options for Keel's management interface.
 *
 * Included by lwip/opt.h (through -I net/lwip, which every file including an
 * lwIP header must use; tools/deps.sh builds liblwip.a with it). Options not
 * set here take lwIP's defaults from lwip/opt.h. Editing this file makes
 * `./build.sh deps` rebuild liblwip.a.
 *
 * The stack serves one management address (IPv4 and/or IPv6) speaking
 * HTTPS/JSON-RPC to a few administrators and scripts: a few dozen TCP
 * connections, modest windows, everything checked in software.
 */
#ifndef KEEL_LWIPOPTS_H
#define KEEL_LWIPOPTS_H

#include <stdint.h>

/* --- Execution model ------------------------------------------------------ */

/*
 * NO_SYS=0: lwIP runs in its own tcpip thread on Keel's threads
 * (net/sys_arch.c: semaphores, mutexes and mailboxes over wait queues).
 * Drivers' frames reach it through tcpip_input() from each NIC's thread;
 * applications use netconn or the BSD-style socket API from their own
 * threads (the TLS endpoint serves several clients at once). Core locking
 * lets net/ code call the raw API from any thread under LOCK_TCPIP_CORE().
 */
#define NO_SYS 0
#define LWIP_TIMERS 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
/* lwip_socket(), lwip_read()... only: newlib owns socket()/read()/close(). */
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_SELECT 1
#define LWIP_SOCKET_POLL 0 /* newlib has no <poll.h> */
#define LWIP_TIMEVAL_PRIVATE 0 /* newlib's struct timeval */
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_NETIF_API 1
#define LWIP_DNS_API_DECLARE_STRUCTS 1

/* Thread and mailbox sizes (sys_arch ignores priorities and stack sizes:
 * every Keel thread gets THREAD_STACK_SIZE). */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 0
#define TCPIP_THREAD_PRIO 0
#define TCPIP_MBOX_SIZE 128
#define DEFAULT_THREAD_STACKSIZE 0
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_TCP_RECVMBOX_SIZE 32
#define DEFAULT_ACCEPTMBOX_SIZE 16
/* The management endpoint (docs/mgmt.md "Limits"): 32 live connections,
 * up to 16 more being closed after eviction, the listener, and keel.echo's
 * few. At most newlib's FD_SETSIZE (64): it also sizes the socket table. */
#define MEMP_NUM_NETCONN 64
#define MEMP_NUM_NETBUF 16
#define MEMP_NUM_TCPIP_MSG_INPKT 128
#define MEMP_NUM_TCPIP_MSG_API 32

/*
 * pbuf_free()/memp_free() run in many threads on several CPUs, so pool and
 * pbuf bookkeeping is guarded by sys_arch_protect()/sys_arch_unprotect()
 * (net/sys_arch.c: interrupts off plus one recursive spinlock).
 */
#define SYS_LIGHTWEIGHT_PROT 1

/* --- Memory --------------------------------------------------------------- */

/* The heap (mem_malloc: outgoing TCP data, reassembly) is newlib malloc on
 * the kernel heap; fixed-size objects (PCBs, segments, pbufs) come from
 * static pools so a traffic burst cannot eat the hypervisor's memory. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8 /* 64-bit pointers inside pool objects */

#define PBUF_POOL_SIZE 128 /* RX buffers, ~1.6 KiB each */
#define MEMP_NUM_PBUF 64   /* pbufs referencing ROM/app memory (TX) */
/* Connections of the endpoint (see MEMP_NUM_NETCONN) plus PCBs the
 * closing side keeps in FIN_WAIT/TIME_WAIT (lwIP reuses TIME_WAIT ones
 * when the pool runs out, but not FIN_WAIT_2 ones). */
#define MEMP_NUM_TCP_PCB 96
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_TCP_SEG 512 /* unacknowledged data of all connections */
#define MEMP_NUM_UDP_PCB 8 /* DHCP, DNS, spares */
#define MEMP_NUM_REASSDATA 8
#define MEMP_NUM_FRAG_PBUF 16
#define MEMP_NUM_ARP_QUEUE 32
#define MEMP_NUM_ND6_QUEUE 32
#define MEMP_NUM_MLD6_GROUP 8
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1 /* address changes -> console */

/* --- Link layer ----------------------------------------------------------- */

#define LWIP_ARP 1
#define ARP_TABLE_SIZE 32
#define ARP_QUEUEING 1
#define ETH_PAD_SIZE 0

/*
 * 802.1Q for the management VLAN (keel.ip=...,vlan=ID, kickstart --vlanid).
 * Without hooks lwIP would accept frames of every VLAN and send untagged, so
 * the kernel decides both ways (net/lwip_port.c):
 *   lwip_port_vlan_check(): nonzero to accept a tagged frame on this netif;
 *   lwip_port_vlan_set():   PCP/VID to tag an outgoing frame with, or -1.
 * Defining LWIP_HOOK_VLAN_SET also makes lwIP reserve 18-byte link headers.
 */
#define ETHARP_SUPPORT_VLAN 1
struct netif;
struct pbuf;
struct eth_hdr;
struct eth_vlan_hdr;
struct eth_addr;
int lwip_port_vlan_check(struct netif *netif, const struct eth_hdr *eth,
			 const struct eth_vlan_hdr *vlan);
int lwip_port_vlan_set(struct netif *netif, struct pbuf *p,
		       const struct eth_addr *src, const struct eth_addr *dst,
		       uint16_t eth_type);
#define LWIP_HOOK_VLAN_CHECK(netif, eth, vlan) \
	lwip_port_vlan_check((netif), (eth), (vlan))
#define LWIP_HOOK_VLAN_SET(netif, p, src, dst, type) \
	lwip_port_vlan_set((netif), (p), (src), (dst), (type))

#define LWIP_NETIF_STATUS_CALLBACK 1 /* address changes -> console screen */
#define LWIP_NETIF_LINK_CALLBACK 1   /* cable events -> console, DHCP */
#define LWIP_NETIF_HOSTNAME 1        /* DHCP option 12 (kickstart --hostname) */

/* 127.0.0.1/::1 for the self-test and local RPC clients; looped packets
 * are delivered by the tcpip thread. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 1
#define LWIP_LOOPBACK_MAX_PBUFS 32

/* --- IPv4 ----------------------------------------------------------------- */

#define LWIP_IPV4 1
#define LWIP_ICMP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_CHECK_LINK_UP 1 /* restart DHCP when the link returns */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_RAW 1 /* ICMP echo for the diagnostics (net/net_diag.c) */
#define IP_FORWARD 0 /* a host, never a router */
#define IP_REASSEMBLY 1
#define IP_FRAG 1

/* --- IPv6 ----------------------------------------------------------------- */

/* SLAAC (router advertisements) needs MLD to join solicited-node groups
 * and duplicate address detection. No DHCPv6. */
#define LWIP_IPV6 1
#define LWIP_ICMP6 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_FORWARD 0
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
/* 64-bit pointers do not fit in the fragment header lwIP reuses. */
#define IPV6_FRAG_COPYHEADER 1

/* --- Transport ------------------------------------------------------------ */

#define LWIP_UDP 1
#define LWIP_TCP 1
#define TCP_MSS 1460
/* 8 segments each way hold a 16 KiB TLS record in flight in two round
 * trips; 32 connections x 11.4 KiB stays far below the RX pool. */
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1 /* cap half-open connections per listener */
#define TCP_DEFAULT_LISTEN_BACKLOG 16
#define LWIP_TCP_KEEPALIVE 1 /* reap clients that vanished */
#define SO_REUSE 1           /* rebind :443 while old PCBs sit in TIME_WAIT */

/* Unpredictable initial sequence numbers (lwIP's default is a counter):
 * blind injection into an administrator's session must stay impossible. */
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
	lwip_port_rand()

/* --- Names ---------------------------------------------------------------- */

#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2 /* kickstart --nameserver=D[,D] */
#define DNS_TABLE_SIZE 4

/* --- Checksums: all in software until a NIC driver offloads ---------------- */

#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_GEN_ICMP6 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1
#define CHECKSUM_CHECK_ICMP6 1

/* --- Diagnostics ---------------------------------------------------------- */

/* Counters for the RPC/console status; stats_display() prints them through
 * LWIP_PLATFORM_DIAG. LWIP_DEBUG stays off (define it for a debug build). */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 1

#endif /* KEEL_LWIPOPTS_H */
