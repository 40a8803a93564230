// SPDX-License-Identifier: MIT
/*
 * The console ring and its UTF-8 clean-up (mgmt/vmm_con.h). UTF-8 per
 * RFC 3629 section 4 (the well-formed byte sequences table): overlong
 * forms, surrogates and code points past U+10FFFF are not valid.
 */
#include "mgmt/vmm_con.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vmm_con_init(struct vmm_con *c, size_t size)
{
	c->lock = (struct spinlock)SPINLOCK_INIT;
	c->head = 0;
	c->size = size;
	c->buf = malloc(size);
	return c->buf ? 0 : -ENOMEM;
}

void vmm_con_free(struct vmm_con *c)
{
	free(c->buf);
	c->buf = NULL;
	c->size = 0;
}

void vmm_con_put(struct vmm_con *c, const uint8_t *p, size_t n)
{
	uint64_t flags;

	if (!c->buf)
		return;
	flags = spin_lock_irqsave(&c->lock);
	for (size_t i = 0; i < n; i++)
		c->buf[(c->head + i) & (c->size - 1)] = p[i];
	c->head += n;
	spin_unlock_irqrestore(&c->lock, flags);
}

uint64_t vmm_con_head(struct vmm_con *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	uint64_t head = c->head;

	spin_unlock_irqrestore(&c->lock, flags);
	return head;
}

size_t vmm_con_read(struct vmm_con *c, uint64_t cursor, uint8_t *out,
		    size_t max, uint64_t *next, uint64_t *lost)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	uint64_t oldest = c->head > c->size ? c->head - c->size : 0;
	size_t n;

	*lost = 0;
	if (cursor == UINT64_MAX) {
		cursor = oldest;
	} else if (cursor < oldest) {
		*lost = oldest - cursor;
		cursor = oldest;
	} else if (cursor > c->head) {
		cursor = c->head; /* a cursor from another life of the name */
	}
	n = c->head - cursor < max ? (size_t)(c->head - cursor) : max;
	for (size_t i = 0; i < n; i++)
		out[i] = c->buf[(cursor + i) & (c->size - 1)];
	*next = cursor + n;
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}

/* Length of the valid sequence at @in (@n bytes left): 1..4; 0 when
 * invalid; -k when the first @n bytes are a valid start of a k-byte one. */
static int vmm_con_seq(const uint8_t *in, size_t n)
{
	uint8_t b = in[0], lo = 0x80, hi = 0xbf;
	int len;

	if (b >= 0x01 && b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		return 0; /* NUL too: it would end a C string */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -len;
		uint8_t lim_lo = i == 1 ? lo : 0x80,
			lim_hi = i == 1 ? hi : 0xbf;
		if (in[i] < lim_lo || in[i] > lim_hi)
			return 0;
	}
	return len;
}

size_t vmm_con_to_utf8(const uint8_t *in, size_t n, bool final, char *out,
		       size_t *used)
{
	size_t i = 0, o = 0;

	while (i < n) {
		int len = vmm_con_seq(in + i, n - i);
		if (len < 0 && !final)
			break; /* the rest of it comes with the next read */
		if (len <= 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, in + i, (size_t)len);
		o += (size_t)len;
		i += (size_t)len;
	}
	*used = i;
	return o;
}
