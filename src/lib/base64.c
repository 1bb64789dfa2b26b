#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "lib/base64.h"

static const char enc_table[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 1 + the 6-bit value for alphabet characters, 0 otherwise (including '='). */
static const uint8_t dec_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
	['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
	['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
	['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
	['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

size_t rete_base64_encode_raw(const uint8_t *in, size_t n, char *out)
{
	char *p = out;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*p++ = enc_table[v >> 18];
		*p++ = enc_table[(v >> 12) & 0x3f];
		*p++ = enc_table[(v >> 6) & 0x3f];
		*p++ = enc_table[v & 0x3f];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*p++ = enc_table[v >> 18];
		*p++ = enc_table[(v >> 12) & 0x3f];
		*p++ = '=';
		*p++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*p++ = enc_table[v >> 18];
		*p++ = enc_table[(v >> 12) & 0x3f];
		*p++ = enc_table[(v >> 6) & 0x3f];
		*p++ = '=';
	}
	return (size_t)(p - out);
}

int rete_base64_encode(const uint8_t *in, size_t n, struct rete_strbuf *out)
{
	int err;

	if (n > (SIZE_MAX - 3) / 4 * 3)
		return out->err = -ENOMEM;
	err = rete_strbuf_reserve(out, rete_base64_encoded_len(n));
	if (err)
		return err;
	out->len += rete_base64_encode_raw(in, n, out->buf + out->len);
	out->buf[out->len] = '\0';
	return 0;
}

int rete_base64_decode(const char *in, size_t n, uint8_t *out, size_t outcap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, o = 0, pad = 0, dlen;

	if (n % 4)
		return -EINVAL;
	if (n == 0)
		return 0;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	dlen = n / 4 * 3 - pad;
	if (dlen > INT_MAX)
		return -EOVERFLOW;
	if (dlen > outcap)
		return -ENOSPC;
	for (i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		/* Wrap invalid (0) to 0xff so one OR checks a whole group. */
		uint8_t a = (uint8_t)(dec_table[s[i]] - 1);
		uint8_t b = (uint8_t)(dec_table[s[i + 1]] - 1);
		uint8_t c = (uint8_t)(dec_table[s[i + 2]] - 1);
		uint8_t d = (uint8_t)(dec_table[s[i + 3]] - 1);
		uint32_t v;

		if ((a | b) & 0xc0)
			return -EINVAL;
		if (last && pad == 2) {
			/* xx==: 12 bits, the low 4 must be zero. */
			if (b & 0x0f)
				return -EINVAL;
			out[o++] = (uint8_t)(a << 2 | b >> 4);
			break;
		}
		if (c & 0xc0)
			return -EINVAL;
		if (last && pad == 1) {
			/* xxx=: 18 bits, the low 2 must be zero. */
			if (c & 0x03)
				return -EINVAL;
			v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			break;
		}
		if (d & 0xc0)
			return -EINVAL;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	return (int)o;
}
