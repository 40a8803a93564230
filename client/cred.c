// SPDX-License-Identifier: MIT
/* Password sources and the session-token cache (client/cred.h). */
#include "client/cred.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "client/util.h"

/* Cut @s at its first CR or LF. */
static void kc_cred_chomp(char *s)
{
	s[strcspn(s, "\r\n")] = 0;
}

static enum kc_cred kc_cred_file(const char *path, char *out, size_t n,
				 char *err, int errlen)
{
	struct stat st;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "password file %s: %s", path,
			 strerror(errno));
		return KC_CRED_ERROR;
	}
	if (!fstat(fileno(f), &st) && (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr,
			"keelctl: warning: password file %s is readable by "
			"other users (chmod 600 %s)\n",
			path, path);
	if (!fgets(out, (int)n, f))
		out[0] = 0;
	fclose(f);
	kc_cred_chomp(out);
	if (!out[0]) {
		snprintf(err, errlen, "password file %s: first line is empty",
			 path);
		return KC_CRED_ERROR;
	}
	return KC_CRED_OK;
}

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios kc_cred_saved;
static volatile sig_atomic_t kc_cred_echo_off;

static void kc_cred_sig(int sig)
{
	if (kc_cred_echo_off)
		tcsetattr(STDIN_FILENO, TCSANOW, &kc_cred_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static enum kc_cred kc_cred_prompt(const char *prompt, char *out, size_t n,
				   char *err, int errlen)
{
	struct sigaction sa = { .sa_handler = kc_cred_sig }, oint, oterm;
	struct termios t;
	bool got;

	if (tcgetattr(STDIN_FILENO, &kc_cred_saved)) {
		snprintf(err, errlen, "cannot read the terminal: %s",
			 strerror(errno));
		return KC_CRED_ERROR;
	}
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	t = kc_cred_saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	kc_cred_echo_off = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	got = fgets(out, (int)n, stdin) != NULL;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &kc_cred_saved);
	kc_cred_echo_off = 0;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	if (!got) {
		fprintf(stderr, "\n");
		snprintf(err, errlen, "no password given");
		return KC_CRED_ERROR;
	}
	kc_cred_chomp(out);
	return KC_CRED_OK;
}

enum kc_cred kc_cred_password(const struct kc_cred_src *src, char *out,
			      size_t n, char *err, int errlen)
{
	out[0] = 0;
	if (src->password_file)
		return kc_cred_file(src->password_file, out, n, err, errlen);
	if (src->env_password && src->env_password[0]) {
		if (strlen(src->env_password) >= n) {
			snprintf(err, errlen, "KEELCTL_PASSWORD is too long");
			return KC_CRED_ERROR;
		}
		strcpy(out, src->env_password);
		return KC_CRED_OK;
	}
	if (src->interactive)
		return kc_cred_prompt(src->prompt, out, n, err, errlen);
	return KC_CRED_NONE;
}

/* Only a cache that no one else can read is trusted. */
static FILE *kc_sess_open(const char *path)
{
	struct stat st;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || (st.st_mode & 077) ||
	    st.st_uid != geteuid()) {
		fprintf(stderr,
			"keelctl: warning: ignoring %s: other users can read "
			"it or it is not yours (log in again to replace it)\n",
			path);
		fclose(f);
		return NULL;
	}
	return f;
}

struct kc_sess_line {
	char key[300], user[64], token[KC_TOKEN_MAX];
	long long expires;
};

static bool kc_sess_parse(const char *line, struct kc_sess_line *l)
{
	return sscanf(line, "%299s %63s %127s %lld", l->key, l->user, l->token,
		      &l->expires) == 4;
}

int kc_sess_load(const char *path, const char *key, const char *user,
		 int64_t now, char *token, size_t n)
{
	struct kc_sess_line l;
	char buf[600];
	int rc = -1;
	FILE *f = kc_sess_open(path);

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (!kc_sess_parse(buf, &l) || strcasecmp(l.key, key))
			continue;
		/* One minute of slack: the token must outlive the call. */
		if (!strcmp(l.user, user) && l.expires > now + 60 &&
		    strlen(l.token) < n) {
			strcpy(token, l.token);
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* Rewrite the cache without @key's line (and expired ones), then append
 * @add if non-NULL: a new file renamed over the old one, so a crash
 * leaves one or the other. */
static int kc_sess_rewrite(const char *path, const char *key, const char *add,
			   int64_t now, char *err, int errlen)
{
	char tmp[4200], buf[600];
	struct kc_sess_line l;
	FILE *in, *out;
	int fd;

	if (kc_mkdir_parent(path, err, errlen))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	in = kc_sess_open(path);
	while (in && fgets(buf, sizeof(buf), in))
		if (kc_sess_parse(buf, &l) && strcasecmp(l.key, key) &&
		    l.expires > now)
			fputs(buf, out);
	if (in)
		fclose(in);
	if (add)
		fputs(add, out);
	if (fflush(out) || fsync(fileno(out))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(out);
		unlink(tmp);
		return -1;
	}
	fclose(out);
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int kc_sess_store(const char *path, const char *key, const char *user,
		  const char *token, int64_t expires, int64_t now, char *err,
		  int errlen)
{
	char line[600];

	if (!*token || strlen(token) >= KC_TOKEN_MAX ||
	    strpbrk(token, " \t\r\n") || strpbrk(user, " \t\r\n") ||
	    strlen(key) >= 300 || strlen(user) >= 64) {
		snprintf(err, errlen, "cannot cache this session token");
		return -1;
	}
	snprintf(line, sizeof(line), "%s %s %s %lld\n", key, user, token,
		 (long long)expires);
	return kc_sess_rewrite(path, key, line, now, err, errlen);
}

int kc_sess_drop(const char *path, const char *key, int64_t now)
{
	char err[256];

	if (access(path, F_OK))
		return 0;
	return kc_sess_rewrite(path, key, NULL, now, err, sizeof(err));
}
