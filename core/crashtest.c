// SPDX-License-Identifier: MIT
/*
 * keel.crash=panic|pagefault: crash on purpose once the host is up, so an
 * operator can check that the server's console capture (serial log, BMC
 * serial-over-LAN) records a full panic report before trusting it. Like
 * ESXi's deliberate PSOD. Documented in docs/core.md.
 */
#include <string.h>

#include "core/cmdline.h"
#include "core/init.h"
#include "core/log.h"
#include "core/panic.h"

CMDLINE_OPTION(crash, "keel.crash",
	       "crash at the end of boot: panic or pagefault");

/* Not static, not inlined: the backtrace must name it. */
__attribute__((noinline)) void crashtest_page_fault(void)
{
	/* Never mapped: the direct map starts at 0xffff800000000000. */
	*(volatile uint64_t *)0xdead000 = 0x6b65656c;
}

static void crashtest(void)
{
	char how[16];

	if (cmdline_get("keel.crash", how, sizeof(how)) < 0)
		return;
	log_warn("crashtest: keel.crash=%s: crashing on purpose", how);
	if (!strcmp(how, "pagefault"))
		crashtest_page_fault();
	else if (!strcmp(how, "panic"))
		panic("crashtest: keel.crash=panic");
	else
		log_warn("crashtest: unknown keel.crash=%s (panic, pagefault); "
			 "not crashing",
			 how);
}
KEEL_INIT(INIT_LATE, crashtest);
