// SPDX-License-Identifier: MIT
/*
 * keelctl's trust on first use as ssh users know it: thumbprints look
 * like the host console's, a new host is recorded in a 0600 file, a
 * match passes, a changed certificate is refused naming the file and
 * line, --thumbprint pins, a file others can write is refused, and a
 * non-interactive run never trusts an unknown host.
 * UNIT_SRCS: client/trust.c client/util.c
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/exitcode.h"
#include "client/trust.h"
#include "unit.h"

static char dir[64], path[128];
static uint8_t h1[32], h2[32];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc_trust_XXXXXX");
	if (!mkdtemp(dir))
		abort();
	/* A directory that does not exist yet: kc_kh_add creates it. */
	snprintf(path, sizeof(path), "%s/keelctl/known_hosts", dir);
	for (int i = 0; i < 32; i++) {
		h1[i] = (uint8_t)(i * 7 + 1);
		h2[i] = (uint8_t)(i * 7 + 2);
	}
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		abort();
}

UNIT_TEST(thumbprint_format)
{
	uint8_t h[32], back[32];
	char tp[KC_THUMB_LEN];

	for (int i = 0; i < 32; i++)
		h[i] = (uint8_t)(0xa0 + i);
	kc_thumb_format(h, tp);
	UNIT_CHECK(strlen(tp) == 95);
	UNIT_CHECK(!strncmp(tp, "A0:A1:A2:", 9));
	UNIT_CHECK(!strcmp(tp + 90, "BE:BF"));
	UNIT_CHECK(kc_thumb_parse(tp, back) == 0 && !memcmp(h, back, 32));
	/* Lower case and plain hex (openssl, sha256sum) are the same. */
	char low[96], plain[65];
	for (int i = 0; i < 96; i++)
		low[i] =
		    (char)((tp[i] >= 'A' && tp[i] <= 'F') ? tp[i] + 32 : tp[i]);
	UNIT_CHECK(kc_thumb_parse(low, back) == 0 && !memcmp(h, back, 32));
	for (int i = 0, j = 0; i < 95; i++)
		if (tp[i] != ':')
			plain[j++] = tp[i], plain[j] = 0;
	UNIT_CHECK(kc_thumb_parse(plain, back) == 0 && !memcmp(h, back, 32));
	/* Truncated, wrong separators, not hex: refused. */
	UNIT_CHECK(kc_thumb_parse("A0:A1", back) == -1);
	tp[2] = '-';
	UNIT_CHECK(kc_thumb_parse(tp, back) == -1);
	tp[2] = ':';
	tp[0] = 'G';
	UNIT_CHECK(kc_thumb_parse(tp, back) == -1);
}

UNIT_TEST(key_forms)
{
	char k[300];

	kc_trust_key("ESX1.Lab", 443, k, sizeof(k));
	UNIT_CHECK_STR(k, "esx1.lab:443");
	kc_trust_key("fe80::1", 8443, k, sizeof(k));
	UNIT_CHECK_STR(k, "[fe80::1]:8443");
}

UNIT_TEST(new_match_mismatch)
{
	char stored[KC_THUMB_LEN], err[512], want[KC_THUMB_LEN];
	struct stat st;
	int line = 0;

	setup();
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_UNKNOWN);
	UNIT_CHECK(kc_kh_add(path, "other:443", h2, err, sizeof(err)) == 0);
	UNIT_CHECK(kc_kh_add(path, "h:443", h1, err, sizeof(err)) == 0);
	UNIT_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	char d[128];
	snprintf(d, sizeof(d), "%s/keelctl", dir);
	UNIT_CHECK(stat(d, &st) == 0 && (st.st_mode & 0777) == 0700);
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_MATCH);
	/* Another port is another host. */
	UNIT_CHECK(kc_kh_lookup(path, "h:8443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_UNKNOWN);
	/* The certificate changed: the first line for the host is named. */
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h2, &line, stored, err,
				sizeof(err)) == KC_KH_MISMATCH);
	UNIT_CHECK(line == 2);
	kc_thumb_format(h1, want);
	UNIT_CHECK_STR(stored, want);
	teardown();
}

UNIT_TEST(comments_and_damaged_lines)
{
	char stored[KC_THUMB_LEN], err[512];
	int line = 0;
	FILE *f;

	setup();
	snprintf(path, sizeof(path), "%s/kh", dir);
	f = fopen(path, "w");
	fprintf(f, "# keelctl known hosts\n\nh:443 not-a-thumbprint\n");
	fclose(f);
	chmod(path, 0600);
	/* A damaged line for the host is a mismatch, never "unknown" (that
	 * would ask again and let the new certificate in). */
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_MISMATCH);
	UNIT_CHECK(line == 3);
	UNIT_CHECK(kc_kh_lookup(path, "x:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_UNKNOWN);
	teardown();
}

UNIT_TEST(unsafe_file_refused)
{
	char stored[KC_THUMB_LEN], err[512];
	int line = 0;

	setup();
	UNIT_CHECK(kc_kh_add(path, "h:443", h1, err, sizeof(err)) == 0);
	chmod(path, 0666);
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_ERROR);
	UNIT_CHECK(strstr(err, "writable by other users") != NULL);
	UNIT_CHECK(kc_kh_add(path, "g:443", h1, err, sizeof(err)) == -1);
	chmod(path, 0644); /* readable is fine: thumbprints are public */
	UNIT_CHECK(kc_kh_lookup(path, "h:443", h1, &line, stored, err,
				sizeof(err)) == KC_KH_MATCH);
	teardown();
}

UNIT_TEST(decisions)
{
	struct kc_trust_cfg cfg = { 0 };
	char tp[KC_THUMB_LEN], err[512];
	struct stat st;

	setup();
	cfg.known_hosts = path;
	/* Unknown and not interactive: refused, nothing recorded. */
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h1) == KC_EXIT_UNTRUSTED);
	UNIT_CHECK(stat(path, &st) == -1);
	/* --insecure: anything goes, nothing recorded. */
	cfg.insecure = true;
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h1) == 0);
	UNIT_CHECK(stat(path, &st) == -1);
	cfg.insecure = false;
	/* --thumbprint: exactly that certificate. */
	kc_thumb_format(h1, tp);
	cfg.pin = tp;
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h1) == 0);
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h2) == KC_EXIT_MISMATCH);
	cfg.pin = "12:34";
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h1) == KC_EXIT_USAGE);
	cfg.pin = NULL;
	/* Known: a match passes, a change is refused. */
	UNIT_CHECK(kc_kh_add(path, "h:443", h1, err, sizeof(err)) == 0);
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h1) == 0);
	UNIT_CHECK(kc_trust_check(&cfg, "h:443", h2) == KC_EXIT_MISMATCH);
	teardown();
}
