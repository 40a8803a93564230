// SPDX-License-Identifier: MIT
/*
 * vmk0: lwIP netif glue over drivers/nic.h (lwIP doc "porting a network
 * interface": init sets flags and output functions, received frames go
 * to netif->input, which with NO_SYS=0 is tcpip_input and queues them to
 * the tcpip thread).
 *
 * Threads: vmk_rx and vmk_link run in the NIC's thread; vmk_linkoutput and
 * vmk_mld_filter in whatever thread holds the tcpip core lock.
 */
#include <errno.h>
#include <string.h>

#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/pbuf.h>
#include <lwip/prot/ethernet.h>
#include <lwip/snmp.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>

#include "core/log.h"
#include "net/vmk.h"

#define VMK_MAX_SEGS 16

/* lwip_port.c's hooks read the VLAN id through this. */
void lwip_port_set_vlan(int vid);

struct nic *vmk_pick_nic(void)
{
	struct nic *first = nic_next(NULL);

	for (struct nic *n = first; n; n = nic_next(n))
		if (n->link_up)
			return n;
	return first;
}

static err_t vmk_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct vmk *v = netif->state;
	struct nic_seg seg[VMK_MAX_SEGS];
	unsigned int n = 0;
	struct pbuf *flat = NULL;
	int r;

	for (struct pbuf *q = p; q && n < VMK_MAX_SEGS; q = q->next)
		seg[n++] = (struct nic_seg){ q->payload, q->len };
	if (pbuf_clen(p) > VMK_MAX_SEGS) {
		/* A long chain (rare: many small TCP writes): one copy. */
		flat = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!flat)
			return ERR_MEM;
		seg[0] = (struct nic_seg){ flat->payload, flat->len };
		n = 1;
	}
	r = nic_xmit(v->nic, seg, n);
	if (flat)
		pbuf_free(flat);
	switch (r) {
	case 0:
		MIB2_STATS_NETIF_ADD(netif, ifoutoctets, p->tot_len);
		return ERR_OK;
	case -EAGAIN:
		return ERR_MEM; /* ring full: TCP retransmits, UDP drops */
	case -ENETDOWN:
		return ERR_IF;
	default:
		v->tx_errors++;
		return ERR_ARG;
	}
}

/* NIC thread: one frame in. */
static void vmk_rx(struct nic *nic, const void *frame, size_t len, void *ctx)
{
	struct vmk *v = ctx;
	const struct eth_hdr *eth = frame;

	/*
	 * On a tagged management VLAN, untagged frames belong to the native
	 * VLAN of the switch port, not to us (lwIP would take them).
	 */
	if (__atomic_load_n(&v->vlan, __ATOMIC_RELAXED) &&
	    eth->type != PP_HTONS(ETHTYPE_VLAN)) {
		nic->stats.rx_dropped++;
		return;
	}
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		v->rx_nomem++;
		nic->stats.rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (v->netif.input(p, &v->netif) != ERR_OK) {
		pbuf_free(p);
		nic->stats.rx_dropped++;
	}
}

static void vmk_link_cb(void *arg)
{
	struct vmk *v = arg;

	if (v->nic->link_up)
		netif_set_link_up(&v->netif);
	else
		netif_set_link_down(&v->netif);
}

/* NIC thread: the cable changed. lwIP restarts DHCP on link up
 * (LWIP_DHCP_CHECK_LINK_UP) and IPv6 DAD/router solicitation. */
static void vmk_link(struct nic *nic, void *ctx)
{
	if (tcpip_try_callback(vmk_link_cb, ctx) != ERR_OK)
		log_warn("net: %s: link change lost (tcpip queue full)",
			 ((struct vmk *)ctx)->name);
}

/* Push the group list to the adapter; it falls back to all-multicast. */
static void vmk_filter_sync(struct vmk *v)
{
	v->filter.all_multi = v->mcast_overflow;
	int r = nic_set_rx_filter(v->nic, &v->filter);
	if (r)
		log_warn("net: %s: multicast filter not set (%d)", v->name, r);
}

static int vmk_mcast_add(struct vmk *v, const uint8_t mac[6])
{
	struct nic_rx_filter *f = &v->filter;

	for (unsigned int i = 0; i < f->nmcast; i++)
		if (!memcmp(f->mcast[i], mac, 6)) {
			v->mcast_refs[i]++;
			return 0;
		}
	if (f->nmcast == NIC_MAX_MCAST) {
		v->mcast_overflow = true; /* sticky until the netif goes */
	} else {
		memcpy(f->mcast[f->nmcast], mac, 6);
		v->mcast_refs[f->nmcast++] = 1;
	}
	vmk_filter_sync(v);
	return 0;
}

static void vmk_mcast_del(struct vmk *v, const uint8_t mac[6])
{
	struct nic_rx_filter *f = &v->filter;

	for (unsigned int i = 0; i < f->nmcast; i++) {
		if (memcmp(f->mcast[i], mac, 6))
			continue;
		if (--v->mcast_refs[i])
			return;
		f->nmcast--;
		memmove(f->mcast[i], f->mcast[i + 1], (f->nmcast - i) * 6);
		memmove(&v->mcast_refs[i], &v->mcast_refs[i + 1],
			(f->nmcast - i) * sizeof(v->mcast_refs[0]));
		vmk_filter_sync(v);
		return;
	}
}

/*
 * MLD joins and leaves (solicited-node groups for each address, RFC 4861
 * 7.2.1): IPv6 multicast ff02::1:ffXX:XXXX is Ethernet 33:33 plus the
 * group's last 32 bits (RFC 2464 section 7).
 */
static err_t vmk_mld_filter(struct netif *netif, const ip6_addr_t *group,
			    enum netif_mac_filter_action action)
{
	struct vmk *v = netif->state;
	uint32_t last = lwip_ntohl(group->addr[3]);
	uint8_t mac[6] = { 0x33, 0x33, last >> 24, last >> 16, last >> 8,
			   last };

	if (action == NETIF_ADD_MAC_FILTER)
		vmk_mcast_add(v, mac);
	else
		vmk_mcast_del(v, mac);
	return ERR_OK;
}

static err_t vmk_netif_init(struct netif *netif)
{
	struct vmk *v = netif->state;

	netif->name[0] = 'v';
	netif->name[1] = 'k';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, v->nic->mac, ETH_HWADDR_LEN);
	netif->mtu = v->nic->mtu;
	netif->mtu6 = v->nic->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = vmk_linkoutput;
	netif_set_mld_mac_filter(netif, vmk_mld_filter);
	MIB2_INIT_NETIF(netif, snmp_ifType_ethernet_csmacd,
			v->nic->speed_mbps * 1000000u);
	return ERR_OK;
}

int vmk_create(struct vmk *v, struct nic *nic)
{
	static const uint8_t all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	v->nic = nic;
	strcpy(v->name, "vmk0");
	if (!netif_add(&v->netif, NULL, NULL, NULL, v, vmk_netif_init,
		       tcpip_input))
		return -ENOMEM;
	netif_set_default(&v->netif);
	/* ff02::1 (router advertisements) is never joined through MLD. */
	vmk_mcast_add(v, all_nodes);
	nic_attach(nic, vmk_rx, vmk_link, v);
	if (nic->link_up)
		netif_set_link_up(&v->netif);
	return 0;
}

void vmk_set_vlan(struct vmk *v, uint16_t vid)
{
	__atomic_store_n(&v->vlan, vid, __ATOMIC_RELAXED);
	lwip_port_set_vlan(vid ? vid : -1);
}
