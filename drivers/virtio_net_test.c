// SPDX-License-Identifier: MIT
/*
 * keel.selftest check for virtio-net on its own, before any network
 * stack: on QEMU user networking (slirp), ask who has 10.0.2.2 from
 * 10.0.2.15 and wait for slirp's ARP reply (RFC 826). Proves transmit,
 * the interrupt, receive and the header handling end to end. With no
 * virtio NIC it passes as "no device": tests/system/test_virtio.py boots
 * with one and checks the reply line, so the test cannot pass unseen.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/selftest.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/virtio_net.h"

#define VNT_TRIES 5
#define VNT_WAIT_NS (500 * NSEC_PER_MSEC)

static const uint8_t vnt_our_ip[4] = { 10, 0, 2, 15 };
static const uint8_t vnt_gw_ip[4] = { 10, 0, 2, 2 };

struct vnt_state {
	struct waitq wq;
	int got;
	uint8_t mac[6];
};

static void vnt_rx(struct nic *n, const void *frame, size_t len, void *ctx)
{
	const uint8_t *f = frame, *a = f + NIC_ETH_HLEN;
	struct vnt_state *st = ctx;

	/* Ethernet type ARP, then an IPv4-over-Ethernet reply (op 2). */
	if (len < NIC_ETH_HLEN + 28 || f[12] != 0x08 || f[13] != 0x06)
		return;
	if (a[0] != 0 || a[1] != 1 || a[2] != 8 || a[3] != 0 || a[4] != 6 ||
	    a[5] != 4 || a[6] != 0 || a[7] != 2)
		return;
	if (memcmp(a + 14, vnt_gw_ip, 4) || memcmp(a + 24, vnt_our_ip, 4))
		return;
	memcpy(st->mac, a + 8, 6);
	__atomic_store_n(&st->got, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&st->wq);
}

static bool vnt_got(void *arg)
{
	return __atomic_load_n(&((struct vnt_state *)arg)->got,
			       __ATOMIC_ACQUIRE);
}

static void vnt_build_request(const struct nic *n, uint8_t f[60])
{
	uint8_t *a = f + NIC_ETH_HLEN;

	memset(f, 0, 60); /* padded to the 60-byte Ethernet minimum */
	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	a[1] = 1;    /* hardware: Ethernet */
	a[2] = 0x08; /* protocol: IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1; /* request */
	memcpy(a + 8, n->mac, 6);
	memcpy(a + 14, vnt_our_ip, 4);
	memcpy(a + 24, vnt_gw_ip, 4);
}

static int virtio_net_arp(void)
{
	struct nic *n = vnet_get(0);
	struct vnt_state st = { .wq = WAITQ_INIT };
	uint8_t frame[60];
	char mac[18];
	int rc = -ETIMEDOUT;

	if (!n) {
		log_info("virtio-net selftest: no virtio NIC, nothing to do");
		return 0;
	}
	/* Borrow the NIC from whoever has it (the management netif). */
	void (*old_rx)(struct nic *, const void *, size_t, void *) = n->rx;
	void (*old_link)(struct nic *, void *) = n->link_changed;
	void *old_ctx = n->ctx;
	uint64_t tx0 = n->stats.tx_packets, rx0 = n->stats.rx_packets;

	for (int i = 0; i < 20 && !n->link_up; i++)
		thread_sleep_ns(100 * NSEC_PER_MSEC);
	nic_attach(n, vnt_rx, NULL, &st);
	/*
	 * Through the control queue when there is one: our unicast and
	 * broadcast only, so the reply must still get through the filter.
	 */
	struct nic_rx_filter filt = { .promisc = false, .all_multi = true };
	rc = nic_set_rx_filter(n, &filt);
	if (rc) {
		nic_attach(n, old_rx, old_link, old_ctx);
		log_err("virtio-net selftest: %s: rx filter failed (%d)",
			n->name, rc);
		return rc;
	}
	rc = -ETIMEDOUT;
	vnt_build_request(n, frame);
	for (int t = 0; t < VNT_TRIES && !vnt_got(&st); t++) {
		struct nic_seg seg = { frame, sizeof(frame) };
		int x = nic_xmit(n, &seg, 1);

		if (x)
			log_warn("virtio-net selftest: %s: send failed (%d)",
				 n->name, x);
		uint64_t end = time_ns() + VNT_WAIT_NS;
		while (!vnt_got(&st) && time_ns() < end)
			waitq_wait_timeout(&st.wq, vnt_got, &st,
					   end - time_ns());
	}
	nic_attach(n, old_rx, old_link, old_ctx);
	if (vnt_got(&st)) {
		nic_mac_fmt(st.mac, mac);
		log_info("virtio-net: ARP reply from 10.0.2.2 is-at %s "
			 "(%s: %llu sent, %llu received, %llu irqs)",
			 mac, n->name,
			 (unsigned long long)(n->stats.tx_packets - tx0),
			 (unsigned long long)(n->stats.rx_packets - rx0),
			 (unsigned long long)n->stats.irqs);
		rc = 0;
	} else {
		log_err("virtio-net selftest: %s: no ARP reply from 10.0.2.2 "
			"(link %s, %llu sent, %llu dropped)",
			n->name, n->link_up ? "up" : "down",
			(unsigned long long)(n->stats.tx_packets - tx0),
			(unsigned long long)n->stats.tx_dropped);
	}
	return rc;
}
KEEL_SELFTEST(virtio_net_arp, virtio_net_arp);
