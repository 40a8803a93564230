// SPDX-License-Identifier: MIT
#include "core/cmdline.h"

#include <errno.h>
#include <string.h>

#include "core/bootinfo.h"
#include "core/log.h"

static char cmdline_copy[BOOT_CMDLINE_MAX];

const char *cmdline_next_word(const char *p, const char **start, size_t *len)
{
	while (*p == ' ' || *p == '\t')
		p++;
	*start = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*len = p - *start;
	return *len ? p : NULL;
}

int cmdline_find(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), wlen;
	const char *w, *p = cmdline;
	int found = -ENOENT;

	/* The last occurrence wins, as on Linux. */
	while ((p = cmdline_next_word(p, &w, &wlen))) {
		if (wlen < klen || memcmp(w, key, klen) ||
		    (wlen > klen && w[klen] != '='))
			continue;
		size_t vlen = wlen > klen ? wlen - klen - 1 : 0;
		if (vlen + 1 > size) {
			found = -ENOSPC;
			continue;
		}
		memcpy(buf, w + wlen - vlen, vlen);
		buf[vlen] = '\0';
		found = (int)vlen;
	}
	return found;
}

int cmdline_get(const char *key, char *buf, size_t size)
{
	return cmdline_find(cmdline_copy, key, buf, size);
}

static bool cmdline_known(const char *w, size_t len)
{
	size_t n;
	const struct cmdline_option *opts = cmdline_options(&n);

	for (const struct cmdline_option *o = opts; o < opts + n; o++) {
		size_t k = strlen(o->key);
		if (len >= k && !memcmp(w, o->key, k) && (len == k || w[k] == '='))
			return true;
	}
	return false;
}

void cmdline_apply(const char *cmdline)
{
	const char *w, *p = cmdline;
	size_t len;

	strncpy(cmdline_copy, cmdline, sizeof(cmdline_copy) - 1);
	while ((p = cmdline_next_word(p, &w, &len)))
		if (len > 5 && !memcmp(w, "keel.", 5) && !cmdline_known(w, len))
			log_warn("cmdline: unknown option \"%.*s\" ignored",
				 (int)len, w);
}
