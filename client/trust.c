// SPDX-License-Identifier: MIT
/*
 * Trust on first use (client/trust.h). The thumbprint is checked right
 * after the TLS handshake and before the first request, so a password
 * or a session token never reaches a host that was not trusted.
 */
#include "client/trust.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/exitcode.h"
#include "client/util.h"

void kc_thumb_format(const uint8_t hash[32], char out[KC_THUMB_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	char *p = out;

	for (int i = 0; i < 32; i++) {
		if (i)
			*p++ = ':';
		*p++ = hex[hash[i] >> 4];
		*p++ = hex[hash[i] & 15];
	}
	*p = 0;
}

static int kc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int kc_thumb_parse(const char *s, uint8_t hash[32])
{
	bool colons = strlen(s) == 95;

	if (!colons && strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = kc_hexval(s[0]), lo = kc_hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -1;
		hash[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (colons && i < 31 && *s++ != ':')
			return -1;
	}
	return 0;
}

void kc_trust_key(const char *host, int port, char *out, int n)
{
	if (strchr(host, ':'))
		snprintf(out, n, "[%s]:%d", host, port);
	else
		snprintf(out, n, "%s:%d", host, port);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* Others must not be able to plant a thumbprint in @fd's file. */
static int kc_kh_safe(int fd, const char *path, char *err, int errlen)
{
	struct stat st;

	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s is writable by other users; refusing to trust it "
			 "(chmod 600 %s)",
			 path, path);
		return -1;
	}
	return 0;
}

enum kc_kh kc_kh_lookup(const char *path, const char *key,
			const uint8_t hash[32], int *line,
			char stored[KC_THUMB_LEN], char *err, int errlen)
{
	enum kc_kh res = KC_KH_UNKNOWN;
	char buf[512];
	int fd, n = 0;
	FILE *f;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return KC_KH_UNKNOWN;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return KC_KH_ERROR;
	}
	if (kc_kh_safe(fd, path, err, errlen)) {
		close(fd);
		return KC_KH_ERROR;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return KC_KH_ERROR;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *k, *t, *save;
		uint8_t h[32];

		n++;
		k = strtok_r(buf, " \t\r\n", &save);
		if (!k || *k == '#')
			continue;
		t = strtok_r(NULL, " \t\r\n", &save);
		if (strcasecmp(k, key))
			continue;
		if (!t || kc_thumb_parse(t, h)) {
			/* A damaged line for this host: treat as a changed
			 * identity, never as unknown (that would re-ask). */
			if (res == KC_KH_UNKNOWN) {
				*line = n;
				snprintf(stored, KC_THUMB_LEN, "%s",
					 t ? t : "(none)");
			}
			res = KC_KH_MISMATCH;
			continue;
		}
		if (!memcmp(h, hash, 32)) {
			res = KC_KH_MATCH;
			break;
		}
		if (res == KC_KH_UNKNOWN) {
			*line = n;
			kc_thumb_format(h, stored);
		}
		res = KC_KH_MISMATCH;
	}
	fclose(f);
	return res;
}

int kc_kh_add(const char *path, const char *key, const uint8_t hash[32],
	      char *err, int errlen)
{
	char tp[KC_THUMB_LEN], line[400];
	int fd, len;

	if (kc_mkdir_parent(path, err, errlen))
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (kc_kh_safe(fd, path, err, errlen)) {
		close(fd);
		return -1;
	}
	kc_thumb_format(hash, tp);
	len = snprintf(line, sizeof(line), "%s %s\n", key, tp);
	if (write(fd, line, len) != len || fsync(fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void kc_trust_warn_changed(const char *key, const char *now,
				  const char *was, const char *path, int line)
{
	fprintf(
	    stderr,
	    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
	    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	    "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
	    "Someone could be eavesdropping on you right now\n"
	    "(man-in-the-middle attack)! It is also possible that the\n"
	    "host's certificate was regenerated (console F2 or\n"
	    "host.cert.regenerate).\n"
	    "The SHA-256 thumbprint of %s is now\n"
	    "  %s\n"
	    "but %s line %d says\n"
	    "  %s\n"
	    "Compare the new thumbprint with the one on the host's console.\n"
	    "If they agree, remove line %d of %s and connect again.\n"
	    "Host identification for %s failed; nothing was sent.\n",
	    key, now, path, line, was, line, path, key);
}

/* A yes/no on the terminal; anything but y/yes is no. */
static bool kc_trust_ask(void)
{
	char ans[32];

	fprintf(stderr, "Trust this host? [y/N] ");
	fflush(stderr);
	if (!fgets(ans, sizeof(ans), stdin))
		return false;
	for (char *p = ans; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return !strcmp(ans, "y\n") || !strcmp(ans, "yes\n");
}

int kc_trust_check(const struct kc_trust_cfg *cfg, const char *key,
		   const uint8_t hash[32])
{
	char now[KC_THUMB_LEN], was[KC_THUMB_LEN], err[512];
	uint8_t pin[32];
	int line = 0;

	kc_thumb_format(hash, now);
	if (cfg->pin) {
		if (kc_thumb_parse(cfg->pin, pin)) {
			fprintf(stderr,
				"keelctl: --thumbprint must be 32 hex pairs "
				"(AA:BB:...), as the host console shows\n");
			return KC_EXIT_USAGE;
		}
		if (memcmp(pin, hash, 32)) {
			fprintf(stderr,
				"keelctl: %s: the certificate's SHA-256 "
				"thumbprint is\n  %s\nnot the --thumbprint "
				"given; nothing was sent.\n",
				key, now);
			return KC_EXIT_MISMATCH;
		}
		return 0;
	}
	if (cfg->insecure)
		return 0;

	switch (kc_kh_lookup(cfg->known_hosts, key, hash, &line, was, err,
			     sizeof(err))) {
	case KC_KH_MATCH:
		return 0;
	case KC_KH_MISMATCH:
		kc_trust_warn_changed(key, now, was, cfg->known_hosts, line);
		return KC_EXIT_MISMATCH;
	case KC_KH_ERROR:
		fprintf(stderr, "keelctl: %s\n", err);
		return KC_EXIT_LOCAL;
	case KC_KH_UNKNOWN:
		break;
	}
	fprintf(stderr,
		"The authenticity of host %s can't be established.\n"
		"Its certificate's SHA-256 thumbprint is\n  %s\n"
		"Compare it with the one on the host's console status "
		"screen.\n",
		key, now);
	if (!cfg->interactive) {
		fprintf(stderr,
			"keelctl: not a terminal, so not asking; to trust this "
			"host pass --thumbprint %s\n(or run keelctl once on a "
			"terminal to record it in %s)\n",
			now, cfg->known_hosts);
		return KC_EXIT_UNTRUSTED;
	}
	if (!kc_trust_ask()) {
		fprintf(stderr,
			"keelctl: host not trusted; nothing was sent\n");
		return KC_EXIT_UNTRUSTED;
	}
	if (kc_kh_add(cfg->known_hosts, key, hash, err, sizeof(err))) {
		fprintf(stderr, "keelctl: cannot record the host: %s\n", err);
		return KC_EXIT_LOCAL;
	}
	fprintf(stderr, "Added %s to %s\n", key, cfg->known_hosts);
	return 0;
}
