#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"

void rete_strbuf_free(struct rete_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->err = 0;
}

void rete_strbuf_reset(struct rete_strbuf *sb)
{
	sb->len = 0;
	sb->err = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

int rete_strbuf_reserve(struct rete_strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (sb->err)
		return sb->err;
	if (extra > SIZE_MAX - sb->len - 1)
		return sb->err = -ENOMEM;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return sb->err = -ENOMEM;
		cap *= 2;
	}
	p = realloc(sb->buf, cap);
	if (!p)
		return sb->err = -ENOMEM;
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

int rete_strbuf_add(struct rete_strbuf *sb, const char *s, size_t n)
{
	int err = rete_strbuf_reserve(sb, n);

	if (err)
		return err;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int rete_strbuf_adds(struct rete_strbuf *sb, const char *s)
{
	return rete_strbuf_add(sb, s, strlen(s));
}

int rete_strbuf_addc(struct rete_strbuf *sb, char c)
{
	return rete_strbuf_add(sb, &c, 1);
}

int rete_strbuf_vaddf(struct rete_strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, err;

	if (sb->err)
		return sb->err;
	err = rete_strbuf_reserve(sb, 64);
	if (err)
		return err;
	va_copy(ap2, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sb->cap - sb->len) {
		err = rete_strbuf_reserve(sb, (size_t)n);
		if (err)
			return err;
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
	return 0;
}

int rete_strbuf_addf(struct rete_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = rete_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return err;
}

int rete_strbuf_addu(struct rete_strbuf *sb, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return rete_strbuf_add(sb, tmp + i, sizeof(tmp) - i);
}

int rete_strbuf_addi(struct rete_strbuf *sb, int64_t v)
{
	if (v < 0) {
		int err = rete_strbuf_addc(sb, '-');

		if (err)
			return err;
		return rete_strbuf_addu(sb, (uint64_t)0 - (uint64_t)v);
	}
	return rete_strbuf_addu(sb, (uint64_t)v);
}

const char *rete_strbuf_str(const struct rete_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
