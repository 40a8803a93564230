// SPDX-License-Identifier: MIT
/*
 * The status screen every boot ends on (issue 6, setup console item 2),
 * laid out like ESXi's direct console: the host in the grey upper half,
 * how to reach it in the yellow lower half, the F2/F12 hints at the
 * bottom. It is redrawn every two seconds because a DHCP lease or a
 * SLAAC address arrives after the screen is up; only changed cells go
 * out on the serial line, so an idle screen costs nothing there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/cpuinfo.h"
#include "core/percpu.h"
#include "core/pmm.h"
#include "core/time.h"
#include "core/vm.h"
#include "drivers/keys.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "mgmt/cert.h"
#include "net/net.h"
#include "store/store.h"
#include "version.h"

#define FB_STATUS_REFRESH_NS (2 * NSEC_PER_SEC)
#define FB_STATUS_SPLIT 11 /* first row of the yellow half */
#define FB_URL_MAX 4

/* vmk0's addresses as management URLs (IPv4 first). */
static int fb_mgmt_urls(char urls[FB_URL_MAX][64])
{
	struct net_addrs na;
	int n = 0;

	net_addrs(&na);
	if (na.has_ip4)
		snprintf(urls[n++], 64, "https://%u.%u.%u.%u/", na.ip4[0],
			 na.ip4[1], na.ip4[2], na.ip4[3]);
	for (unsigned int i = 0; i < na.n6 && n < FB_URL_MAX; i++)
		snprintf(urls[n++], 64, "https://[%s]/", na.ip6[i]);
	return n;
}

static void fb_status_thumbprint(char out[MGMT_THUMBPRINT_LEN])
{
	uint8_t *key = NULL, *cert = NULL;
	size_t klen = 0, clen = 0;

	out[0] = '\0';
	if (store_get_tls(&key, &klen, &cert, &clen) < 0)
		return;
	mgmt_cert_thumbprint(cert, clen, out);
	if (key) {
		memset(key, 0, klen);
		free(key);
	}
	free(cert);
}

static void fb_status_draw(const char *thumb)
{
	char cpu[64], host[FB_HOSTNAME_MAX], urls[FB_URL_MAX][64];
	struct pmm_stats ps;
	const char *reason;
	enum store_state st = store_state(&reason);
	int row, n, vms;

	cpuinfo_model(cpu, sizeof(cpu));
	pmm_get_stats(&ps);
	if (store_get_hostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "(not set)");
	vms = store_vm_count();

	con_cursor(false);
	con_colour(CON_BLACK, CON_LIGHT_GREY);
	con_fill(0, 0, FB_STATUS_SPLIT, CON_COLS, ' ');
	fb_ui_text(2, 4, CON_BLACK, "Keel bare-metal hypervisor");
	fb_ui_text(3, 4, CON_DARK_GREY, "Version " KEEL_VERSION);
	fb_ui_text(5, 4, CON_BLACK, "%u x %s", percpu_online, cpu);
	fb_ui_text(6, 4, CON_BLACK, "%llu MiB memory",
		   (unsigned long long)(ps.total >> 20));
	fb_ui_text(7, 4, CON_BLACK, "%u virtual machine%s running, %d registered",
		   vm_count_running(), vm_count_running() == 1 ? "" : "s",
		   vms < 0 ? 0 : vms);
	if (st == STORE_MEMORY)
		fb_ui_text(9, 4, CON_RED,
			   "Settings are kept in memory only: %.40s", reason);

	con_colour(CON_BLACK, CON_YELLOW);
	con_fill(FB_STATUS_SPLIT, 0, CON_ROWS - FB_STATUS_SPLIT - 1, CON_COLS,
		 ' ');
	row = FB_STATUS_SPLIT + 1;
	con_move(row++, 4);
	con_puts("To manage this host, go to:");
	n = fb_mgmt_urls(urls);
	for (int i = 0; i < n; i++) {
		con_move(row++, 6);
		con_puts(urls[i]);
	}
	if (!n) {
		con_move(row++, 6);
		con_puts(
		    "(no management address yet: waiting for the network)");
	}
	row++;
	con_move(row++, 4);
	con_printf("Hostname: %s", host);
	con_move(row++, 4);
	if (thumb[0]) {
		/* 95 characters: 16 pairs on each of two lines. */
		con_printf("TLS certificate SHA-256 thumbprint:");
		con_move(row++, 6);
		con_printf("%.47s", thumb);
		con_move(row++, 6);
		con_printf("%s", strlen(thumb) > 48 ? thumb + 48 : "");
	} else {
		con_puts("TLS certificate: none stored");
	}
	if (store_lockdown()) {
		con_move(row++, 4);
		con_puts("Lockdown mode is on");
	}

	con_colour(CON_BLACK, CON_LIGHT_GREY);
	con_hline(CON_ROWS - 1, 0, CON_COLS, ' ');
	con_move(CON_ROWS - 1, 1);
	con_puts("<F2> Customize System/View Logs");
	con_move(CON_ROWS - 1, CON_COLS - 26);
	con_puts("<F12> Shut Down/Restart");
	con_flush();
}

int fb_status_run(void)
{
	char thumb[MGMT_THUMBPRINT_LEN];

	fb_status_thumbprint(thumb);
	for (;;) {
		fb_status_draw(thumb);
		int k = fb_ui_key(FB_STATUS_REFRESH_NS);
		if (k == KEY_F2 || k == KEY_F12)
			return k;
	}
}
