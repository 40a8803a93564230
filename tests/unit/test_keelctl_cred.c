// SPDX-License-Identifier: MIT
/*
 * keelctl's credentials: which password wins (--password-file, then
 * KEELCTL_PASSWORD, then a prompt only on a terminal), and the session
 * cache a `keelctl login` leaves for the next commands: per host,
 * expiring, replaced by a new login, private (0600), ignored when others
 * can read it.
 * UNIT_SRCS: client/cred.c client/util.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/cred.h"
#include "unit.h"

static char dir[64], file[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc_cred_XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		abort();
}

static void write_file(const char *p, const char *s, int mode)
{
	FILE *f = fopen(p, "w");

	fputs(s, f);
	fclose(f);
	chmod(p, mode);
}

UNIT_TEST(password_precedence)
{
	struct kc_cred_src src = { 0 };
	char pw[KC_PASSWORD_MAX], err[300];

	setup();
	snprintf(file, sizeof(file), "%s/pw", dir);
	write_file(file, "from-file\nsecond line\n", 0600);
	/* Nothing set and no terminal: no password, no prompt. */
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_NONE);
	src.env_password = "";
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_NONE);
	src.env_password = "from-env";
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_OK);
	UNIT_CHECK_STR(pw, "from-env");
	/* The file, named on the command line, wins; its first line only,
	 * without the line end. */
	src.password_file = file;
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_OK);
	UNIT_CHECK_STR(pw, "from-file");
	write_file(file, "crlf\r\n", 0600);
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_OK);
	UNIT_CHECK_STR(pw, "crlf");
	/* An empty or missing file is an error, not a fall-back. */
	write_file(file, "\n", 0600);
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_ERROR);
	UNIT_CHECK(strstr(err, "empty") != NULL);
	src.password_file = "/nonexistent/pw";
	UNIT_CHECK(kc_cred_password(&src, pw, sizeof(pw), err, sizeof(err)) ==
		   KC_CRED_ERROR);
	teardown();
}

UNIT_TEST(session_cache)
{
	char tok[KC_TOKEN_MAX], err[300];
	struct stat st;

	setup();
	snprintf(file, sizeof(file), "%s/sub/sessions", dir);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == -1);
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "tokA", 5000, 1000, err,
				 sizeof(err)) == 0);
	UNIT_CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
	UNIT_CHECK(kc_sess_store(file, "g:443", "root", "tokG", 5000, 1000, err,
				 sizeof(err)) == 0);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == 0);
	UNIT_CHECK_STR(tok, "tokA");
	UNIT_CHECK(
	    kc_sess_load(file, "H:443", "root", 1000, tok, sizeof(tok)) == 0);
	/* Another user or port has no session. */
	UNIT_CHECK(kc_sess_load(file, "h:443", "bob", 1000, tok, sizeof(tok)) ==
		   -1);
	UNIT_CHECK(
	    kc_sess_load(file, "h:8443", "root", 1000, tok, sizeof(tok)) == -1);
	/* Expired, or about to (a minute of slack). */
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 4950, tok, sizeof(tok)) == -1);
	/* A new login replaces the old token. */
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "tokB", 9000, 1000, err,
				 sizeof(err)) == 0);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == 0);
	UNIT_CHECK_STR(tok, "tokB");
	UNIT_CHECK(
	    kc_sess_load(file, "g:443", "root", 1000, tok, sizeof(tok)) == 0);
	UNIT_CHECK_STR(tok, "tokG");
	/* Logout forgets only that host. */
	UNIT_CHECK(kc_sess_drop(file, "h:443", 1000) == 0);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == -1);
	UNIT_CHECK(
	    kc_sess_load(file, "g:443", "root", 1000, tok, sizeof(tok)) == 0);
	/* Tokens that would break the file are not stored. */
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "a b", 9000, 1000, err,
				 sizeof(err)) == -1);
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "", 9000, 1000, err,
				 sizeof(err)) == -1);
	/* Expired entries of other hosts are dropped on the next write. */
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "tokC", 9000, 6000, err,
				 sizeof(err)) == 0);
	FILE *f = fopen(file, "r");
	char buf[4096] = "";
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	UNIT_CHECK(strstr(buf, "tokG") == NULL);
	UNIT_CHECK(strstr(buf, "tokC") != NULL);
	teardown();
}

UNIT_TEST(session_cache_others_can_read)
{
	char tok[KC_TOKEN_MAX], err[300];
	struct stat st;

	setup();
	snprintf(file, sizeof(file), "%s/sessions", dir);
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "tokA", 5000, 1000, err,
				 sizeof(err)) == 0);
	chmod(file, 0644);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == -1);
	/* The next login writes a private file again. */
	UNIT_CHECK(kc_sess_store(file, "h:443", "root", "tokB", 5000, 1000, err,
				 sizeof(err)) == 0);
	UNIT_CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
	UNIT_CHECK(
	    kc_sess_load(file, "h:443", "root", 1000, tok, sizeof(tok)) == 0);
	UNIT_CHECK_STR(tok, "tokB");
	teardown();
}
