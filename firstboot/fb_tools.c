// SPDX-License-Identifier: MIT
/*
 * Two F2 tools: the system log viewer (the log ring of core/log.h, which
 * keeps the lines that screen mode holds off the screens) and the
 * management network test (ping the gateway and the DNS servers,
 * resolve the host name: net/net_diag.h), each step drawn as it ends so
 * the operator sees progress while a server does not answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lwip/dns.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/tcpip.h>

#include "core/log.h"
#include "drivers/keys.h"
#include "firstboot/fb_console.h"
#include "firstboot/fb_ui.h"
#include "net/net.h"
#include "net/net_diag.h"
#include "store/store.h"

#define FB_PINGS 3
#define FB_PING_MS 1000
#define FB_RESOLVE_MS 5000

struct fb_logview {
	uint64_t first;
};

static void fb_log_line(void *arg, long idx, char *buf, size_t len)
{
	static const char lv[] = { 'E', 'W', 'I', 'D' };
	struct fb_logview *v = arg;
	struct log_record r;

	if (log_read(v->first + (uint64_t)idx, &r) < 0) {
		snprintf(buf, len, "(line %llu is no longer in the log ring)",
			 (unsigned long long)(v->first + (uint64_t)idx));
		return;
	}
	snprintf(buf, len, "%5llu.%03llu %c %s",
		 (unsigned long long)(r.time_ns / 1000000000ull),
		 (unsigned long long)(r.time_ns / 1000000ull % 1000),
		 r.level <= LOG_DEBUG ? lv[r.level] : '?', r.text);
}

void fb_view_log(void)
{
	/* A snapshot: lines logged while viewing appear on the next visit. */
	struct fb_logview v = { .first = log_first_seq() };
	long count = (long)(log_next_seq() - v.first);

	fb_ui_pager("System Log (newest at the bottom)", count, fb_log_line,
		    &v);
}

/* One result line, drawn at once. */
static void fb_test_line(int *row, enum con_colour fg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fb_test_line(int *row, enum con_colour fg, const char *fmt, ...)
{
	char buf[CON_COLS];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (*row < CON_ROWS - 2)
		fb_ui_text((*row)++, 2, fg, "%s", buf);
	con_flush();
}

static void fb_test_ping(int *row, const char *what, const ip_addr_t *a)
{
	struct net_ping_result res;
	char s[IPADDR_STRLEN_MAX];
	int r;

	ipaddr_ntoa_r(a, s, sizeof(s));
	fb_test_line(row, CON_BLACK, "Pinging %s %s ...", what, s);
	(*row)--;
	r = net_ping(a, FB_PINGS, FB_PING_MS, &res);
	if (r < 0)
		fb_test_line(row, CON_RED, "Ping %s %s: FAILED (error %d)    ",
			     what, s, r);
	else if (!res.received)
		fb_test_line(row, CON_RED, "Ping %s %s: FAILED, 0/%u replies  ",
			     what, s, res.sent);
	else
		fb_test_line(row, CON_GREEN,
			     "Ping %s %s: OK, %u/%u replies, %u ms avg   ",
			     what, s, res.received, res.sent, res.rtt_avg_ms);
}

void fb_test_network(void)
{
	ip_addr_t gw, dns[DNS_MAX_SERVERS], a;
	char host[FB_HOSTNAME_MAX], s[IPADDR_STRLEN_MAX];
	struct netif *nif;
	bool up;
	int row = 2, r;

	fb_ui_frame("Test Management Network",
		    "Testing... (Esc after the end)");
	con_flush();
	ip_addr_set_zero(&gw);
	LOCK_TCPIP_CORE();
	nif = net_netif();
	up = nif && netif_is_up(nif) && !ip4_addr_isany(netif_ip4_addr(nif));
	if (up) {
		ip_addr_copy_from_ip4(gw, *netif_ip4_gw(nif));
		for (int i = 0; i < DNS_MAX_SERVERS; i++)
			ip_addr_copy(dns[i], *dns_getserver((u8_t)i));
	}
	UNLOCK_TCPIP_CORE();
	store_audit(FB_WHO, "management network test");
	if (!up) {
		fb_test_line(&row, CON_RED,
			     "The management interface has no IPv4 address.");
	} else {
		if (ip_addr_isany(&gw))
			fb_test_line(&row, CON_BLACK, "No default gateway.");
		else
			fb_test_ping(&row, "gateway", &gw);
		for (int i = 0; i < DNS_MAX_SERVERS; i++)
			if (!ip_addr_isany(&dns[i]))
				fb_test_ping(&row, "DNS server", &dns[i]);
		if (store_get_hostname(host, sizeof(host)) < 0)
			host[0] = '\0';
		if (host[0]) {
			fb_test_line(&row, CON_BLACK, "Resolving %.40s ...",
				     host);
			row--;
			r = net_resolve(host, &a, FB_RESOLVE_MS);
			if (r == 0)
				fb_test_line(&row, CON_GREEN,
					     "Resolve %.40s: OK, %s     ", host,
					     ipaddr_ntoa_r(&a, s, sizeof(s)));
			else
				fb_test_line(&row, CON_RED,
					     "Resolve %.40s: FAILED (%s)   ",
					     host,
					     r == -ENOENT      ? "no such name"
					     : r == -ETIMEDOUT ? "no answer"
					     : r == -ENETDOWN  ? "no DNS server"
							       : "bad name");
		}
	}
	row++;
	fb_test_line(&row, CON_BLACK, "Test done.");
	con_colour(FB_UI_TITLE_FG, FB_UI_TITLE_BG);
	con_hline(CON_ROWS - 1, 0, CON_COLS, ' ');
	con_move(CON_ROWS - 1, 1);
	con_puts("<Enter/Esc> Back");
	con_colour(FB_UI_BODY_FG, FB_UI_BODY_BG);
	con_flush();
	fb_ui_drain();
	for (;;) {
		int k = fb_ui_key(UINT64_MAX);
		if (k == KEY_ESC || k == KEY_ENTER)
			return;
	}
}
