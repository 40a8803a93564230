// SPDX-License-Identifier: MIT
/*
 * Subset of C99 printf: flags '-' '0' '+' ' ' '#', width and precision
 * (also '*'), length modifiers hh h l ll z t j, conversions d i u x X o p s c %.
 * Returns the length the full output would have had, like snprintf.
 */
#include "core/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void fmt_str(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		fmt_pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		fmt_putc(o, s[i]);
	if (sp->left)
		fmt_pad(o, ' ', sp->width - n);
}

static void fmt_num(struct fmt_out *o, const struct fmt_spec *sp,
		    uint64_t v, bool neg, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len = 0, zeros;
	char sign = 0;
	const char *prefix = "";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (neg)
		sign = '-';
	else if (sp->plus)
		sign = '+';
	else if (sp->space)
		sign = ' ';
	if (sp->alt && base == 16) {
		prefix = upper ? "0X" : "0x";
		prefix_len = 2;
	} else if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0')) {
		prefix = "0";
		prefix_len = 1;
	}
	zeros = sp->prec > n ? sp->prec - n : 0;
	int total = n + zeros + prefix_len + (sign != 0);
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		fmt_pad(o, ' ', sp->width - total);
	if (sign)
		fmt_putc(o, sign);
	for (int i = 0; i < prefix_len; i++)
		fmt_putc(o, prefix[i]);
	fmt_pad(o, '0', zeros);
	while (n)
		fmt_putc(o, tmp[--n]);
	if (sp->left)
		fmt_pad(o, ' ', sp->width - total);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fmt_putc(&o, *p);
			continue;
		}
		struct fmt_spec sp = { .prec = -1 };
		for (;; p++) {
			char f = p[1];
			if (f == '-')
				sp.left = true;
			else if (f == '0')
				sp.zero = true;
			else if (f == '+')
				sp.plus = true;
			else if (f == ' ')
				sp.space = true;
			else if (f == '#')
				sp.alt = true;
			else
				break;
		}
		p++;
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		}
		while (*p >= '0' && *p <= '9')
			sp.width = sp.width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			}
			while (*p >= '0' && *p <= '9')
				sp.prec = sp.prec * 10 + (*p++ - '0');
		}
		/* Length: 0 int, 1 long, 2 long long, -1 short, -2 char. */
		int len = 0;
		for (;; p++) {
			if (*p == 'l')
				len++;
			else if (*p == 'h')
				len--;
			else if (*p == 'z' || *p == 't' || *p == 'j')
				len = 2;
			else
				break;
		}
		uint64_t u;
		int64_t s;
		switch (*p) {
		case 'd':
		case 'i':
			if (len >= 1)
				s = len == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			else
				s = va_arg(ap, int);
			if (len == -1)
				s = (short)s;
			else if (len <= -2)
				s = (signed char)s;
			fmt_num(&o, &sp, s < 0 ? -(uint64_t)s : (uint64_t)s,
				s < 0, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (len >= 1)
				u = len == 1 ? va_arg(ap, unsigned long)
					     : va_arg(ap, unsigned long long);
			else
				u = va_arg(ap, unsigned int);
			if (len == -1)
				u = (unsigned short)u;
			else if (len <= -2)
				u = (unsigned char)u;
			fmt_num(&o, &sp, u, false,
				*p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p == 'X');
			break;
		case 'p':
			sp.alt = true;
			fmt_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16,
				false);
			break;
		case 's':
			fmt_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			sp.prec = 1;
			fmt_str(&o, &sp, c);
			break;
		}
		case '%':
			fmt_putc(&o, '%');
			break;
		case '\0':
			p--; /* lone '%' at the end: stop */
			break;
		default: /* unknown conversion: print it as written */
			fmt_putc(&o, '%');
			fmt_putc(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
