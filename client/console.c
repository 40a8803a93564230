// SPDX-License-Identifier: MIT
/*
 * The VM's serial console (client/console.h). Output is polled: a read
 * that brings data is followed at once by the next, an empty one waits
 * for the keyboard for up to 200 ms first, so typing is sent promptly
 * and an idle console costs five small requests a second.
 *
 * On a terminal, stdin goes raw (no echo, no line editing, no signals,
 * as virsh console does) so every key, Ctrl-C included, reaches the
 * guest, which echoes; Ctrl-] quits. The terminal is restored on every
 * way out, signals included.
 */
#include "client/console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client/cmd.h"
#include "client/exitcode.h"
#include "client/util.h"
#include "client/xfer.h"
#include "mgmt/rpc.h"

#define KC_CONSOLE_IDLE_MS 200
#define KC_CONSOLE_WRITE_MAX 4096 /* the host's vUART backlog */

size_t kc_console_until_escape(const char *buf, size_t len)
{
	const char *e = memchr(buf, KC_CONSOLE_ESCAPE, len);

	return e ? (size_t)(e - buf) : len;
}

static struct termios kc_console_saved;
static volatile sig_atomic_t kc_console_raw;

static void kc_console_restore(void)
{
	if (kc_console_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &kc_console_saved);
		kc_console_raw = 0;
	}
}

static void kc_console_sig(int sig)
{
	kc_console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void kc_console_make_raw(void)
{
	struct sigaction sa = { .sa_handler = kc_console_sig };
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &kc_console_saved))
		return;
	t = kc_console_saved;
	t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | ISTRIP);
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	kc_console_raw = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	atexit(kc_console_restore);
}

/* The text of a vm.console.read answer: "data" as a string, or base64
 * when the answer says "encoding": "base64". */
static int kc_console_data(const struct json *r, char **out, size_t *len)
{
	const char *data = "", *enc = NULL;

	json_get_str(r, "data", &data);
	if (json_get_str(r, "encoding", &enc) && !strcmp(enc, "base64"))
		return kc_b64_decode(data, strlen(data), (uint8_t **)out, len);
	*len = strlen(data);
	*out = malloc(*len + 1);
	if (!*out)
		return -1;
	memcpy(*out, data, *len + 1);
	return 0;
}

/* One vm.console.read from @cursor: prints the data, advances the
 * cursor; *@got says whether anything came. 0 or an exit code. */
static int kc_console_read(struct kc_client *c, const char *name,
			   int64_t *cursor, bool *got)
{
	struct kc_reply r;
	char what[200], *data;
	int64_t next = *cursor, lost = 0;
	size_t len;
	struct jw w;
	int rc;

	jw_init(&w, 0);
	jw_obj_begin(&w);
	jw_kstr(&w, "name", name);
	if (*cursor >= 0)
		jw_kint(&w, "cursor", *cursor);
	/* The guest's bytes exactly (escape sequences, other charsets);
	 * text would replace what is not UTF-8. --json keeps the host's
	 * default, text, for scripts. */
	if (!c->o->json)
		jw_kstr(&w, "encoding", "base64");
	jw_obj_end(&w);
	snprintf(what, sizeof(what), "vm.console.read %s", name);
	rc = kc_call(c, "vm.console.read", w.buf, &r, what);
	jw_free(&w);
	if (rc)
		return rc;
	if (c->o->json) {
		kc_out_json(r.result, stdout);
		*got =
		    json_get_int(r.result, "cursor", &next) && next != *cursor;
	} else {
		if (kc_console_data(r.result, &data, &len)) {
			kc_reply_free(&r);
			fprintf(stderr, "keelctl: vm.console.read: bad data\n");
			return KC_EXIT_CONN;
		}
		if (json_get_int(r.result, "lost", &lost) && lost > 0)
			fprintf(stderr,
				"\r\nkeelctl: %lld bytes of console output "
				"were lost\r\n",
				(long long)lost);
		fwrite(data, 1, len, stdout);
		free(data);
		*got = len > 0;
		json_get_int(r.result, "cursor", &next);
	}
	fflush(stdout);
	*cursor = next;
	kc_reply_free(&r);
	return 0;
}

/*
 * Send @len bytes (base64: keys are bytes, not always UTF-8). The guest
 * may take fewer ("written") or none while it is not reading its serial
 * port (-32017): the rest goes again a little later, for up to 5 s.
 */
static int kc_console_write(struct kc_client *c, const char *name,
			    const char *buf, size_t len)
{
	char what[200];
	int busy = 0, rc = 0;

	snprintf(what, sizeof(what), "vm.console.write %s", name);
	while (len) {
		size_t n =
		    len < KC_CONSOLE_WRITE_MAX ? len : KC_CONSOLE_WRITE_MAX;
		char *b64 = kc_b64_encode((const uint8_t *)buf, n);
		int64_t written = (int64_t)n;
		struct kc_reply r;
		struct jw w;

		if (!b64)
			return KC_EXIT_LOCAL;
		jw_init(&w, 0);
		jw_obj_begin(&w);
		jw_kstr(&w, "name", name);
		jw_kstr(&w, "data", b64);
		jw_kstr(&w, "encoding", "base64");
		jw_obj_end(&w);
		free(b64);
		rc = kc_rpc(c, "vm.console.write", w.buf, &r);
		jw_free(&w);
		if (rc && c->rpc_code == RPC_ERR_BUSY && busy++ < 25) {
			poll(NULL, 0, 200);
			continue;
		}
		if (rc)
			return kc_rpc_report(c, what, rc);
		json_get_int(r.result, "written", &written);
		kc_reply_free(&r);
		if (written <= 0 || (size_t)written > n) {
			if (busy++ >= 25)
				return 0; /* the guest is not listening */
			poll(NULL, 0, 200);
			continue;
		}
		buf += written;
		len -= (size_t)written;
	}
	return rc;
}

/* Keyboard or pipe input available within @ms: sends it. Sets *@quit
 * on Ctrl-] (terminal) and stops reading at the end of a pipe. */
static int kc_console_input(struct kc_client *c, const char *name, int ms,
			    bool tty, bool *stdin_open, bool *quit, char *line,
			    size_t *linelen, size_t cap)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[1024];
	ssize_t n;
	size_t k;
	int rc;

	if (!*stdin_open) {
		if (ms)
			poll(NULL, 0, ms);
		return 0;
	}
	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		*stdin_open = false; /* keep following the output */
		if (*linelen) {	     /* a last line without its newline */
			rc = kc_console_write(c, name, line, *linelen);
			*linelen = 0;
			return rc;
		}
		return 0;
	}
	if (tty) {
		k = kc_console_until_escape(buf, (size_t)n);
		*quit = k < (size_t)n;
		return k ? kc_console_write(c, name, buf, k) : 0;
	}
	/* A pipe: whole lines, as a person would have typed them. */
	for (ssize_t i = 0; i < n; i++) {
		if (*linelen < cap)
			line[(*linelen)++] = buf[i];
		if (buf[i] == '\n' || *linelen == cap) {
			rc = kc_console_write(c, name, line, *linelen);
			*linelen = 0;
			if (rc)
				return rc;
		}
	}
	return 0;
}

int kc_cmd_vm_console(struct kc_client *c, int argc, char **argv)
{
	bool no_follow = false, got, quit = false, stdin_open = true, tty;
	const struct kc_arg spec[] = {
		{ "no-follow", 0, false, NULL, &no_follow },
		{ 0 },
	};
	char *pos[1], line[4096];
	size_t linelen = 0;
	int64_t cursor = -1;
	int rc;

	rc = kc_cmd_args(c, spec, argc, argv, pos, 1, 1);
	if (rc)
		return rc;
	tty = !no_follow && isatty(STDIN_FILENO);
	if (tty)
		fprintf(stderr, "[keelctl: console of %s; Ctrl-] quits]\n",
			pos[0]);
	/* The first read also proves the VM exists before the terminal
	 * goes raw. */
	rc = kc_console_read(c, pos[0], &cursor, &got);
	if (rc)
		return rc;
	if (no_follow) {
		/* Scripts: piped input is sent first, then what the guest has
		 * printed so far is shown, and keelctl exits. */
		while (!rc && stdin_open && !isatty(STDIN_FILENO))
			rc = kc_console_input(c, pos[0], -1, false, &stdin_open,
					      &quit, line, &linelen,
					      sizeof(line));
		while (got && !rc)
			rc = kc_console_read(c, pos[0], &cursor, &got);
		return rc;
	}
	if (tty)
		kc_console_make_raw();
	while (!rc && !quit) {
		rc = kc_console_read(c, pos[0], &cursor, &got);
		if (!rc)
			rc = kc_console_input(
			    c, pos[0], got ? 0 : KC_CONSOLE_IDLE_MS, tty,
			    &stdin_open, &quit, line, &linelen, sizeof(line));
	}
	kc_console_restore();
	if (tty)
		fprintf(stderr, "\n[keelctl: console closed]\n");
	return rc;
}
