/*
 * Private to the packet dissector (packet_text.c: L2/L3, packet_l4.c: L4 and
 * tunnels). Every read goes through a bounded slice; nothing here reads past
 * the captured bytes.
 */
#ifndef RETE_EVENTS_PACKET_INTERNAL_H
#define RETE_EVENTS_PACKET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

#define RETE_PKT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Nested encapsulations (tunnels, AH chains) deeper than this are cut short. */
#define RETE_PKT_MAX_DEPTH 32

/* Outcome of a dissection step; anything but OK ends the line. */
enum rete_pkt_res {
	RETE_PKT_OK,
	RETE_PKT_TRUNC,		/* "(truncated or incomplete packet)" */
	RETE_PKT_UNSUP,		/* "(<ctx.unsup> not supported, use 'rete pcap')" */
	RETE_PKT_RES_MAX,
};

/* A bounded view of packet bytes. */
struct rete_pkt_buf {
	const uint8_t *p;
	size_t len;
};

struct rete_pkt_ctx {
	struct rete_strbuf *out;
	bool ll;		/* print link layer (-e) */
	unsigned int depth;
	char unsup[48];		/* what is not supported, e.g. "ethertype 0x88cc" */
};

/* {value, name} table entry. */
struct rete_pkt_name {
	uint16_t val;
	const char *name;
};

static inline uint16_t rete_pkt_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rete_pkt_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t rete_pkt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes [off, off + n) of b, clamped to what is there (empty past the end). */
static inline struct rete_pkt_buf rete_pkt_sub(struct rete_pkt_buf b, size_t off, size_t n)
{
	struct rete_pkt_buf r = { b.p, 0 };

	if (off >= b.len)
		return r;
	r.p = b.p + off;
	r.len = b.len - off < n ? b.len - off : n;
	return r;
}

/* Bytes from off to the end of b (empty past the end). */
static inline struct rete_pkt_buf rete_pkt_tail(struct rete_pkt_buf b, size_t off)
{
	return rete_pkt_sub(b, off, SIZE_MAX);
}

static inline size_t rete_pkt_sat_sub(size_t a, size_t b)
{
	return a > b ? a - b : 0;
}

const char *rete_pkt_name_find(const struct rete_pkt_name *tbl, size_t n, uint16_t val);
/* Name of val in a const array of struct rete_pkt_name, NULL if absent. */
#define RETE_PKT_NAME(tbl, val) rete_pkt_name_find(tbl, RETE_PKT_ARRAY_SIZE(tbl), val)
const char *rete_pkt_etype_name(uint16_t etype);
const char *rete_pkt_proto_name(uint8_t proto);
/* Record what is not supported (printf-style); returns RETE_PKT_UNSUP. */
enum rete_pkt_res rete_pkt_unsup(struct rete_pkt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rete_pkt_puts(struct rete_pkt_ctx *ctx, const char *s);
void rete_pkt_printf(struct rete_pkt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rete_pkt_hex(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
/* " proto NAME (N)" or " proto (N)". */
void rete_pkt_proto(struct rete_pkt_ctx *ctx, uint8_t proto);

/* L2/L3 entry points (packet_text.c), used again by tunnels. */
enum rete_pkt_res rete_pkt_ethernet(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
enum rete_pkt_res rete_pkt_etype(struct rete_pkt_ctx *ctx, uint16_t etype, struct rete_pkt_buf b);

/*
 * L4 (packet_l4.c): dissect `proto` whose header starts at b. payload_len is
 * the length the L3 header announces for it (may exceed b.len).
 */
enum rete_pkt_res rete_pkt_l4(struct rete_pkt_ctx *ctx, uint8_t proto, struct rete_pkt_buf b,
			      uint32_t payload_len);
/* Source and destination ports of a TCP/UDP/SCTP header at b; false otherwise. */
bool rete_pkt_l4_ports(uint8_t proto, struct rete_pkt_buf b, uint16_t *ret_sport,
		       uint16_t *ret_dport);

#endif
