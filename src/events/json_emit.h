/*
 * Cursor writers of JSON text, shared by the event writer (json_write.c) and
 * the section field tables (fields.c). The caller reserves room first (an
 * upper bound of what it writes), so appends carry no size checks.
 */
#ifndef RETE_EVENTS_JSON_EMIT_H
#define RETE_EVENTS_JSON_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Everything below writes through a cursor into space reserved once per
 * event (see event_bound()), so appends carry no size checks.
 */
static inline __attribute__((always_inline)) char *w_lit(char *p, const char *lit)
{
	size_t n = strlen(lit);	/* folded to a constant for literals */

	memcpy(p, lit, n);
	return p + n;
}

static inline char *w_c(char *p, char c)
{
	*p = c;
	return p + 1;
}

static const char digit_pairs[201] = "00010203040506070809"
				     "10111213141516171819"
				     "20212223242526272829"
				     "30313233343536373839"
				     "40414243444546474849"
				     "50515253545556575859"
				     "60616263646566676869"
				     "70717273747576777879"
				     "80818283848586878889"
				     "90919293949596979899";

static inline unsigned int u64_digits(uint64_t v)
{
	unsigned int n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	if (v >= 1000)
		return n + 3;
	if (v >= 100)
		return n + 2;
	return v >= 10 ? n + 1 : n;
}

/* Decimal, written backwards in place: no temporary, no memcpy. */
static inline char *w_u64(char *p, uint64_t v)
{
	char *end = p + u64_digits(v), *t = end;

	while (v >= 100) {
		unsigned int d = (unsigned int)(v % 100) * 2;

		v /= 100;
		*--t = digit_pairs[d + 1];
		*--t = digit_pairs[d];
	}
	if (v >= 10) {
		*--t = digit_pairs[v * 2 + 1];
		*--t = digit_pairs[v * 2];
	} else {
		*--t = (char)('0' + v);
	}
	return end;
}

static inline char *w_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return w_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return w_u64(p, (uint64_t)v);
}

static inline char *w_bool(char *p, bool v)
{
	return v ? w_lit(p, "true") : w_lit(p, "false");
}

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 if s[0] does not start
 * one; *bad is then the length of the maximal invalid prefix (>= 1), which is
 * replaced by a single U+FFFD like Rust's String::from_utf8_lossy() does.
 */
static inline size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* <= U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/*
 * Offset of the first byte of s[0..n) that is not valid UTF-8 by the rules
 * above (the writer's), or n. The reader refuses such lines: what it keeps,
 * the writer writes back unchanged.
 */
static inline size_t utf8_invalid_at(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, bad;

	while (i < n) {
		size_t len;

		/* ASCII runs, 8 bytes at a time. */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_seq(s + i, n - i, &bad);
		if (!len)
			return i;
		i += len;
	}
	return n;
}

/* Room a JSON string of n input bytes may take: quotes + \u00XX per byte. */
static inline size_t str_max(size_t n)
{
	return 6 * n + 2;
}

/* Write s[0..n) as a JSON string, escaped the way serde_json does. */
static inline char *w_str(char *p, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	*p++ = '"';
	while (i < n) {
		unsigned char c = s[i];
		size_t bad;

		/* Plain ASCII: names are short, a byte loop beats memcpy calls. */
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			*p++ = (char)c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t len = utf8_seq(s + i, n - i, &bad);

			if (len) {
				memcpy(p, s + i, len);
				p += len;
				i += len;
			} else {
				/* 3 output bytes for >= 1 input byte: within str_max(). */
				*p++ = (char)0xef;
				*p++ = (char)0xbf;
				*p++ = (char)0xbd;
				i += bad;
			}
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"':
			*p++ = '"';
			break;
		case '\\':
			*p++ = '\\';
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 0xf];
			break;
		}
		i++;
	}
	*p++ = '"';
	return p;
}

/* Fixed-size char arrays of the event: stop at the NUL or the array end. */
static inline char *w_arr(char *p, const char *s, size_t cap)
{
	return w_str(p, s, strnlen(s, cap));
}

#endif
