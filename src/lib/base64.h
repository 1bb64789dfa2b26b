/* Standard base64 (RFC 4648 section 4, with padding), as Retis stores packet bytes. */
#ifndef RETE_LIB_BASE64_H
#define RETE_LIB_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

/* Encoded size of n bytes (padding included), not counting a NUL. */
static inline size_t rete_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Upper bound of the decoded size of n base64 characters. */
static inline size_t rete_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

/*
 * Encode in[0..n) into out, which must have room for
 * rete_base64_encoded_len(n) bytes; no NUL is added. Returns that length.
 */
size_t rete_base64_encode_raw(const uint8_t *in, size_t n, char *out);

/* Append the encoding of in[0..n) to out. 0 or -ENOMEM. */
int rete_base64_encode(const uint8_t *in, size_t n, struct rete_strbuf *out);

/*
 * Decode in[0..n) into out (capacity outcap). Strict like Retis's decoder:
 * length a multiple of 4, '=' padding only at the end, no whitespace, and
 * unused trailing bits must be zero. Returns the number of bytes, -EINVAL on
 * malformed input, -ENOSPC when outcap is too small, -EOVERFLOW past INT_MAX.
 */
int rete_base64_decode(const char *in, size_t n, uint8_t *out, size_t outcap);

#endif
