// SPDX-License-Identifier: MIT
/*
 * keel.cfg parsing (firstboot/ks.h, ARCHITECTURE.md section 8): the
 * subset of ESXi's kickstart syntax that sets up a host, so OEM tooling
 * written for ESXi carries over. Pure apart from log lines for what is
 * ignored; tests/unit/test_ks.c runs it on the host. Decisions, and why
 * (docs/firstboot.md "keel.cfg"):
 *  - ESXi commands that make sense only to an installer (install,
 *    clearpart, reboot, %post ...) are accepted with a logged warning, so
 *    an ESXi file works unchanged; a command ESXi does not have either is
 *    refused, because it is most likely a typo of one that matters.
 *  - rootpw and network may appear once each: two values for one setting
 *    is a mistake in the tooling, not something to guess about.
 *  - `network --bootproto=static` requires --ip, --netmask and --gateway,
 *    as ESXi's does; --nameserver takes a comma-separated list.
 *  - Windows files (CRLF line ends, a UTF-8 BOM at the start) are read as
 *    if they had neither; a CR anywhere else is refused, so a password
 *    never silently carries one.
 *  - Error text never contains the password or hash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "firstboot/fb_validate.h"
#include "firstboot/ks.h"
#include "store/store_pw.h"

#define KS_LINE_MAX 1024
#define KS_MAX_ARGS 32

struct ks_state {
	struct fb_setup *s;
	struct ks_error *err;
	int line;
	int rootpw_line, network_line;
	bool in_section; /* inside %pre/%post/%firstboot: skipped */
};

static int ks_fail(struct ks_state *st, int line, const char *fmt, ...)
{
	va_list ap;

	st->err->line = line;
	va_start(ap, fmt);
	vsnprintf(st->err->why, sizeof(st->err->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Split @line (NUL-terminated, modified in place) into words: blanks
 * separate; "..." groups, with \" and \\ inside quotes as the only
 * escapes; quoted and bare parts next to each other join, as in a shell.
 */
static int ks_split(struct ks_state *st, char *line, char **argv, int *argc)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (n == KS_MAX_ARGS)
			return ks_fail(st, st->line,
				       "more than %d words on "
				       "one line",
				       KS_MAX_ARGS);
		argv[n++] = w;
		while (*r && *r != ' ' && *r != '\t') {
			if (*r != '"') {
				*w++ = *r++;
				continue;
			}
			r++;
			while (*r && *r != '"') {
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r++;
			}
			if (!*r)
				return ks_fail(st, st->line,
					       "missing closing '\"'");
			r++;
		}
		/* r may sit on the blank after the word: step over it
		 * before terminating, since w can equal r. */
		if (*r)
			r++;
		*w++ = 0;
	}
	*argc = n;
	return 0;
}

/* Known ESXi commands Keel has no use for: accepted, logged. */
static const char *const ks_ignored[] = {
	"accepteula", "vmaccepteula",	  "keyboard",	"install",
	"upgrade",    "installorupgrade", "clearpart",	"reboot",
	"paranoid",   "dryrun",		  "serialnum",	"part",
	"partition",  "virtualdisk",	  "bootloader",
};

struct ks_opt {
	const char *name;
	const char *val;
	bool seen;
};

/*
 * Collect `--name=value` / `--name value` options of @argv[1..] into
 * @opts (a flag, one with @flag set, takes no value). Positional words go
 * to @pos (at most @npos). Unknown or repeated options are refused.
 */
static int ks_opts(struct ks_state *st, int argc, char **argv,
		   struct ks_opt *opts, int nopts, const char *flag, char **pos,
		   int npos, int *gotpos)
{
	*gotpos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *eq;
		struct ks_opt *o = NULL;

		if (strncmp(a, "--", 2)) {
			if (*gotpos == npos)
				return ks_fail(st, st->line,
					       "%s: unexpected "
					       "word (options "
					       "start with --)",
					       argv[0]);
			pos[(*gotpos)++] = a;
			continue;
		}
		eq = strchr(a, '=');
		if (eq)
			*eq = 0;
		for (int k = 0; k < nopts; k++)
			if (!strcmp(a + 2, opts[k].name))
				o = &opts[k];
		if (flag && !strcmp(a + 2, flag)) {
			if (eq)
				return ks_fail(st, st->line,
					       "%s: %s takes no "
					       "value",
					       argv[0], a);
			o = &opts[nopts]; /* the flag slot */
		}
		if (!o)
			return ks_fail(st, st->line,
				       "%s: unknown option "
				       "'%.40s'",
				       argv[0], a);
		if (o->seen)
			return ks_fail(st, st->line, "%s: %s given twice",
				       argv[0], a);
		o->seen = true;
		if (o == &opts[nopts])
			continue;
		if (eq) {
			o->val = eq + 1;
		} else {
			if (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2))
				return ks_fail(st, st->line,
					       "%s: %s needs a "
					       "value",
					       argv[0], a);
			o->val = argv[++i];
		}
	}
	return 0;
}

static int ks_rootpw(struct ks_state *st, int argc, char **argv)
{
	struct ks_opt opts[1] = { { "iscrypted", NULL, false } };
	char *pw = NULL, why[FB_WHY_LEN];
	int n, rc;

	if (st->rootpw_line)
		return ks_fail(st, st->line,
			       "rootpw given twice (first on "
			       "line %d)",
			       st->rootpw_line);
	st->rootpw_line = st->line;
	rc = ks_opts(st, argc, argv, opts, 0, "iscrypted", &pw, 1, &n);
	if (rc)
		return rc;
	if (!n || !*pw)
		return ks_fail(st, st->line, "rootpw needs a password");
	if (opts[0].seen) {
		if (strlen(pw) >= sizeof(st->s->password_hash) ||
		    store_pw_valid_hash(pw))
			return ks_fail(st, st->line,
				       "rootpw --iscrypted: not a $6$ (SHA-512 "
				       "crypt) or $pbkdf2-sha256$ hash");
		strcpy(st->s->password_hash, pw);
		return 0;
	}
	if (fb_valid_password(pw, why))
		return ks_fail(st, st->line, "rootpw: %s", why);
	strcpy(st->s->password, pw);
	return 0;
}

enum {
	KO_BOOTPROTO,
	KO_IP,
	KO_NETMASK,
	KO_GATEWAY,
	KO_NAMESERVER,
	KO_HOSTNAME,
	KO_VLANID,
	KO_DEVICE,
	KO_ADDVMPORTGROUP,
	KO_N
};

static int ks_nameservers(struct ks_state *st, const char *list)
{
	struct net_config *c = &st->s->net;
	char why[FB_WHY_LEN], one[20];
	const char *p = list;

	c->ndns = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (c->ndns == NETCFG_MAX_DNS)
			return ks_fail(st, st->line,
				       "network: at most %d "
				       "name servers",
				       NETCFG_MAX_DNS);
		if (!len || len >= sizeof(one))
			return ks_fail(st, st->line,
				       "network --nameserver: "
				       "give addresses "
				       "separated by ','");
		memcpy(one, p, len);
		one[len] = 0;
		if (fb_valid_ip4(one, c->dns[c->ndns], why))
			return ks_fail(st, st->line, "--nameserver: %s", why);
		c->ndns++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int ks_network(struct ks_state *st, int argc, char **argv)
{
	struct ks_opt o[KO_N + 1] = {
		[KO_BOOTPROTO] = { "bootproto" },
		[KO_IP] = { "ip" },
		[KO_NETMASK] = { "netmask" },
		[KO_GATEWAY] = { "gateway" },
		[KO_NAMESERVER] = { "nameserver" },
		[KO_HOSTNAME] = { "hostname" },
		[KO_VLANID] = { "vlanid" },
		[KO_DEVICE] = { "device" },
		[KO_ADDVMPORTGROUP] = { "addvmportgroup" },
	};
	struct net_config *c = &st->s->net;
	char why[FB_WHY_LEN];
	int n, rc;

	if (st->network_line)
		return ks_fail(st, st->line,
			       "network given twice (first on "
			       "line %d)",
			       st->network_line);
	st->network_line = st->line;
	rc = ks_opts(st, argc, argv, o, KO_N, NULL, NULL, 0, &n);
	if (rc)
		return rc;
	if (!o[KO_BOOTPROTO].seen)
		return ks_fail(st, st->line,
			       "network needs --bootproto=dhcp "
			       "or --bootproto=static");
	if (!strcmp(o[KO_BOOTPROTO].val, "static")) {
		static const int need[] = { KO_IP, KO_NETMASK, KO_GATEWAY };

		for (size_t i = 0; i < 3; i++)
			if (!o[need[i]].seen)
				return ks_fail(st, st->line,
					       "network "
					       "--bootproto=static"
					       " needs --%s",
					       o[need[i]].name);
		c->ip4_mode = NETCFG_IP4_STATIC;
		if (fb_valid_ip4(o[KO_IP].val, c->addr, why))
			return ks_fail(st, st->line, "--ip: %s", why);
		if (fb_valid_netmask(o[KO_NETMASK].val, &c->prefix, why))
			return ks_fail(st, st->line, "--netmask: %s", why);
		if (fb_valid_host_in_net(c->addr, c->prefix, why))
			return ks_fail(st, st->line, "--ip: %s", why);
		if (fb_valid_ip4(o[KO_GATEWAY].val, c->gw, why) ||
		    fb_valid_gateway(c->gw, c->addr, c->prefix, why))
			return ks_fail(st, st->line, "--gateway: %s", why);
		c->has_gw = true;
	} else if (!strcmp(o[KO_BOOTPROTO].val, "dhcp")) {
		static const int never[] = { KO_IP, KO_NETMASK, KO_GATEWAY };

		for (size_t i = 0; i < 3; i++)
			if (o[never[i]].seen)
				return ks_fail(st, st->line,
					       "network: --%s is "
					       "only for "
					       "--bootproto=static",
					       o[never[i]].name);
		c->ip4_mode = NETCFG_IP4_DHCP;
	} else {
		return ks_fail(st, st->line,
			       "network: --bootproto must be "
			       "dhcp or static");
	}
	if (o[KO_NAMESERVER].seen) {
		rc = ks_nameservers(st, o[KO_NAMESERVER].val);
		if (rc)
			return rc;
	}
	if (o[KO_HOSTNAME].seen) {
		if (fb_valid_hostname(o[KO_HOSTNAME].val, why))
			return ks_fail(st, st->line, "--hostname: %s", why);
		strcpy(st->s->hostname, o[KO_HOSTNAME].val);
	}
	if (o[KO_VLANID].seen && fb_valid_vlan(o[KO_VLANID].val, &c->vlan, why))
		return ks_fail(st, st->line, "--vlanid: %s", why);
	if (o[KO_DEVICE].seen)
		log_warn("keel.cfg: line %d: network --device ignored (Keel "
			 "picks the management NIC itself)",
			 st->line);
	if (o[KO_ADDVMPORTGROUP].seen)
		log_warn("keel.cfg: line %d: network --addvmportgroup ignored",
			 st->line);
	return 0;
}

static int ks_command(struct ks_state *st, char *line)
{
	char *argv[KS_MAX_ARGS];
	int argc = 0, rc;

	/* Script lines are not kickstart syntax: skip them unsplit. */
	if (st->in_section && line[0] != '%')
		return 0;
	rc = ks_split(st, line, argv, &argc);
	if (rc || !argc)
		return rc;
	if (argv[0][0] == '%') {
		if (!strcmp(argv[0], "%include"))
			return ks_fail(st, st->line,
				       "%%include is not "
				       "supported: put the "
				       "commands in keel.cfg");
		if (!strcmp(argv[0], "%end")) {
			st->in_section = false;
			return 0;
		}
		if (strcmp(argv[0], "%pre") && strcmp(argv[0], "%post") &&
		    strcmp(argv[0], "%firstboot"))
			return ks_fail(st, st->line, "unknown section '%.30s'",
				       argv[0]);
		log_warn("keel.cfg: line %d: %s section ignored (Keel runs "
			 "no scripts)",
			 st->line, argv[0]);
		st->in_section = true;
		return 0;
	}
	if (st->in_section)
		return 0;
	if (!strcmp(argv[0], "rootpw"))
		return ks_rootpw(st, argc, argv);
	if (!strcmp(argv[0], "network"))
		return ks_network(st, argc, argv);
	for (size_t i = 0; i < sizeof(ks_ignored) / sizeof(ks_ignored[0]); i++)
		if (!strcmp(argv[0], ks_ignored[i])) {
			/* keyboard/accepteula are routine: no noise. */
			if (strcmp(argv[0], "keyboard") &&
			    strcmp(argv[0], "accepteula") &&
			    strcmp(argv[0], "vmaccepteula"))
				log_warn("keel.cfg: line %d: '%s' ignored (an "
					 "installer command)",
					 st->line, argv[0]);
			return 0;
		}
	return ks_fail(st, st->line, "unknown command '%.30s'", argv[0]);
}

int ks_parse(const char *text, size_t len, struct fb_setup *s,
	     struct ks_error *err)
{
	struct ks_state st = { .s = s, .err = err };
	char buf[KS_LINE_MAX + 2];
	size_t pos = 0;

	memset(s, 0, sizeof(*s));
	netcfg_default(&s->net);
	strcpy(s->hostname, "localhost");
	err->line = 0;
	err->why[0] = 0;
	/* A UTF-8 byte-order mark, as Windows editors write. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		size_t end = pos, n;
		int rc;

		st.line++;
		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (memchr(text + pos, 0, n))
			return ks_fail(&st, st.line,
				       "NUL byte in the line (is "
				       "this a text file?)");
		if (memchr(text + pos, '\r', n))
			return ks_fail(&st, st.line,
				       "carriage return inside "
				       "the line");
		if (n > KS_LINE_MAX)
			return ks_fail(&st, st.line,
				       "line longer than %d "
				       "characters",
				       KS_LINE_MAX);
		memcpy(buf, text + pos, n);
		buf[n] = 0;
		pos = end + 1;
		char *p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || !*p)
			continue;
		rc = ks_command(&st, p);
		if (rc)
			return rc;
	}
	if (!st.rootpw_line)
		return ks_fail(&st, 0,
			       "rootpw is required (the root password)");
	return 0;
}
