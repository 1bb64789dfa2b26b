/*
 * Packet line, L4 part: TCP (flags, sequence range, options), UDP and the
 * tunnels found by UDP destination port (VXLAN, Geneve), ICMP/ICMPv6, SCTP
 * chunks, IPsec AH/ESP. Output layout follows Retis 1.6.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/packet_internal.h"

#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 4
#define SCTP_HLEN 12
#define SCTP_CHUNK_HLEN 4
#define AH_HLEN 12
#define ESP_HLEN 8
#define VXLAN_HLEN 8
#define GENEVE_HLEN 8
#define GENEVE_OPT_HLEN 4

#define TCP_FLAG_ACK 0x10
#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1

#define ETH_P_TEB 0x6558
#define GENEVE_OPT_CRITICAL 0x80
/* Linux netdev option class and its GRO hint type (IANA Geneve option classes). */
#define GENEVE_CLASS_NETDEV 0x0100
#define GENEVE_TYPE_GRO_HINT 1

static enum rete_pkt_res pkt_tcp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
static enum rete_pkt_res pkt_udp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
static enum rete_pkt_res pkt_icmp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
static enum rete_pkt_res pkt_ah(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
static enum rete_pkt_res pkt_esp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
static enum rete_pkt_res pkt_sctp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);

/* IP protocols dissected, with the bytes their header needs. */
static const struct {
	uint8_t proto;
	bool ports;		/* starts with 16-bit source and destination ports */
	size_t min_len;
	enum rete_pkt_res (*fn)(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen);
} l4_ops[] = {
	{ 17, true, UDP_HLEN, pkt_udp },
	{ 6, true, TCP_HLEN, pkt_tcp },
	{ 1, false, ICMP_HLEN, pkt_icmp },
	{ 58, false, ICMP_HLEN, pkt_icmp },
	{ 51, false, AH_HLEN, pkt_ah },
	{ 50, false, ESP_HLEN, pkt_esp },
	{ 132, true, SCTP_HLEN, pkt_sctp },
};

bool rete_pkt_l4_ports(uint8_t proto, struct rete_pkt_buf b, uint16_t *ret_sport,
		       uint16_t *ret_dport)
{
	size_t i;

	for (i = 0; i < RETE_PKT_ARRAY_SIZE(l4_ops); i++) {
		if (l4_ops[i].proto != proto)
			continue;
		if (!l4_ops[i].ports || b.len < l4_ops[i].min_len)
			return false;
		*ret_sport = rete_pkt_be16(b.p);
		*ret_dport = rete_pkt_be16(b.p + 2);
		return true;
	}
	return false;
}

/*
 * Every nesting (tunnels, AH chains) goes through here: bound the depth so a
 * crafted packet cannot recurse as deep as its length allows.
 */
enum rete_pkt_res rete_pkt_l4(struct rete_pkt_ctx *ctx, uint8_t proto, struct rete_pkt_buf b,
			      uint32_t payload_len)
{
	enum rete_pkt_res res;
	size_t i;

	for (i = 0; i < RETE_PKT_ARRAY_SIZE(l4_ops); i++) {
		if (l4_ops[i].proto != proto)
			continue;
		if (b.len < l4_ops[i].min_len || ctx->depth >= RETE_PKT_MAX_DEPTH)
			return RETE_PKT_TRUNC;
		ctx->depth++;
		res = l4_ops[i].fn(ctx, b, payload_len);
		ctx->depth--;
		return res;
	}
	return rete_pkt_unsup(ctx, "protocol 0x%x", proto);
}

static enum rete_pkt_res pkt_icmp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	rete_pkt_printf(ctx, " type %u code %u", b.p[0], b.p[1]);
	return RETE_PKT_OK;
}

/* TCP flag letters in print order (tcpdump's, plus RFC 7560's AE as 'e'). */
static const struct {
	uint8_t bit;
	char c;
} tcp_flags[] = {
	{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
	{ 0x10, '.' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' },
};

static const struct rete_pkt_name tcp_opt_names[] = {
	{ 0, "eol" }, { 1, "nop" }, { 2, "mss" }, { 3, "wscale" },
	{ 4, "sackOK" }, { 5, "sack" }, { 6, "echo" }, { 7, "echoreply" },
	{ 8, "TS" }, { 11, "cc" }, { 12, "ccnew" }, { 13, "ccecho" },
	{ 19, "md5" }, { 20, "scps" }, { 28, "uto" }, { 29, "tcp-ao" },
	{ 30, "mptcp" }, { 34, "tfo" }, { 254, "exp" },
};

/* Details after an option's name; data is what was captured of its value. */
static void tcp_opt_value(struct rete_pkt_ctx *ctx, uint8_t kind, size_t datalen,
			  struct rete_pkt_buf data)
{
	size_t i;

	switch (kind) {
	case 2:		/* MSS */
		if (data.len >= 2)
			rete_pkt_printf(ctx, " %u", rete_pkt_be16(data.p));
		break;
	case 3:		/* window scale */
		if (data.len >= 1)
			rete_pkt_printf(ctx, " %u", data.p[0]);
		break;
	case 5:		/* SACK blocks */
		if (datalen % 8) {
			rete_pkt_puts(ctx, " invalid");
			break;
		}
		rete_pkt_printf(ctx, " %zu ", datalen / 8);
		for (i = 0; i + 8 <= datalen && i + 8 <= data.len; i += 8)
			rete_pkt_printf(ctx, "{%u:%u}", rete_pkt_be32(data.p + i),
					rete_pkt_be32(data.p + i + 4));
		break;
	case 6:		/* echo, echo reply, CC, CC.NEW, CC.ECHO */
	case 7:
	case 11:
	case 12:
	case 13:
		if (data.len >= 4)
			rete_pkt_printf(ctx, " %u", rete_pkt_be32(data.p));
		break;
	case 8:		/* timestamps */
		if (data.len >= 8)
			rete_pkt_printf(ctx, " val %u ecr %u", rete_pkt_be32(data.p),
					rete_pkt_be32(data.p + 4));
		break;
	case 34:	/* fast open: cookie bytes, or a request without one */
		if (!datalen) {
			rete_pkt_puts(ctx, " cookiereq");
			break;
		}
		rete_pkt_puts(ctx, " cookie ");
		for (i = 0; i < datalen; i++) {
			if (i < data.len)
				rete_pkt_printf(ctx, "0x%x", data.p[i]);
			else
				rete_pkt_puts(ctx, "??");
		}
		break;
	default:
		break;
	}
}

/*
 * Options as a comma-separated list in brackets. EOL does not end the walk:
 * padding after it shows as more "eol". A length byte below 2 counts as 2.
 */
static void tcp_options(struct rete_pkt_ctx *ctx, struct rete_pkt_buf opts)
{
	bool first = true;

	rete_pkt_puts(ctx, " [");
	while (opts.len) {
		uint8_t kind = opts.p[0];
		size_t datalen = 0, size = 1;
		const char *name;

		if (kind != TCP_OPT_EOL && kind != TCP_OPT_NOP) {
			datalen = opts.len > 1 ? rete_pkt_sat_sub(opts.p[1], 2) : 0;
			size = 2 + datalen;
		}
		name = RETE_PKT_NAME(tcp_opt_names, kind);
		rete_pkt_printf(ctx, "%s%s", first ? "" : ",", name ? name : "?");
		first = false;
		tcp_opt_value(ctx, kind, datalen, rete_pkt_sub(opts, 2, datalen));
		opts = rete_pkt_tail(opts, size);
	}
	rete_pkt_puts(ctx, "]");
}

static enum rete_pkt_res pkt_tcp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	uint8_t flags = b.p[13];
	size_t hlen = (size_t)(b.p[12] >> 4) * 4, i;
	uint32_t seq = rete_pkt_be32(b.p + 4), data;

	rete_pkt_puts(ctx, " flags [");
	for (i = 0; i < RETE_PKT_ARRAY_SIZE(tcp_flags); i++)
		if (flags & tcp_flags[i].bit)
			rete_strbuf_addc(ctx->out, tcp_flags[i].c);
	if (b.p[12] & 1)
		rete_strbuf_addc(ctx->out, 'e');
	rete_pkt_puts(ctx, "]");

	/* Sequence range from the lengths the headers announce; wraps like u32. */
	data = (uint32_t)rete_pkt_sat_sub(plen, hlen);
	if (data)
		rete_pkt_printf(ctx, " seq %u:%u", seq, (uint32_t)(seq + data));
	else
		rete_pkt_printf(ctx, " seq %u", seq);

	if (flags & TCP_FLAG_ACK)
		rete_pkt_printf(ctx, " ack %u", rete_pkt_be32(b.p + 8));
	rete_pkt_printf(ctx, " win %u", rete_pkt_be16(b.p + 14));

	if (hlen > TCP_HLEN)
		tcp_options(ctx, rete_pkt_sub(b, TCP_HLEN, hlen - TCP_HLEN));
	return RETE_PKT_OK;
}

static enum rete_pkt_res pkt_vxlan(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	rete_pkt_printf(ctx, " vxlan [%s] vni 0x%x ", b.p[0] & 0x08 ? "I" : "",
			rete_pkt_be24(b.p + 4));
	return rete_pkt_ethernet(ctx, rete_pkt_tail(b, VXLAN_HLEN));
}

/* Print one option (at least its 4-byte header is there); returns its size. */
static size_t geneve_option(struct rete_pkt_ctx *ctx, struct rete_pkt_buf opt)
{
	uint16_t cls = rete_pkt_be16(opt.p);
	uint8_t type = opt.p[2];
	size_t dlen = (size_t)(opt.p[3] & 0x1f) * 4;
	struct rete_pkt_buf data = rete_pkt_sub(opt, GENEVE_OPT_HLEN, dlen);

	rete_pkt_printf(ctx, "class 0x%x type 0x%x%s len %zu", cls, type,
			type & GENEVE_OPT_CRITICAL ? "(C)" : "", dlen);

	/*
	 * GRO hint (Linux): inner protocol id in bits 0-1 and "nested is IPv6"
	 * in bit 2 of the first byte, then three offsets/lengths.
	 */
	if (cls == GENEVE_CLASS_NETDEV && type == GENEVE_TYPE_GRO_HINT && data.len >= 4)
		rete_pkt_printf(ctx, " (proto %u %s nh %u tp %u hlen %u)", data.p[0] & 3,
				data.p[0] & 4 ? "v6" : "v4", data.p[1], data.p[2], data.p[3]);
	return GENEVE_OPT_HLEN + dlen;
}

static enum rete_pkt_res pkt_geneve(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	size_t optlen = (size_t)(b.p[0] & 0x3f) * 4;
	uint16_t proto = rete_pkt_be16(b.p + 2);
	struct rete_pkt_buf opts = rete_pkt_sub(b, GENEVE_HLEN, optlen);
	struct rete_pkt_buf payload = rete_pkt_tail(b, GENEVE_HLEN + optlen);
	const char *name;
	bool first = true;

	rete_pkt_printf(ctx, " geneve [%s%s] vni 0x%x", b.p[1] & 0x80 ? "O" : "",
			b.p[1] & 0x40 ? "C" : "", rete_pkt_be24(b.p + 4));

	if (ctx->ll) {
		name = rete_pkt_etype_name(proto);
		if (name)
			rete_pkt_printf(ctx, " proto %s (0x%04x)", name, proto);
		else
			rete_pkt_printf(ctx, " proto (0x%04x)", proto);
	}

	if (optlen) {
		rete_pkt_puts(ctx, " [");
		while (opts.len >= GENEVE_OPT_HLEN) {
			if (!first)
				rete_pkt_puts(ctx, ",");
			first = false;
			opts = rete_pkt_tail(opts, geneve_option(ctx, opts));
		}
		rete_pkt_puts(ctx, "]");
	}

	rete_pkt_puts(ctx, " ");
	if (proto == ETH_P_TEB)
		return rete_pkt_ethernet(ctx, payload);
	return rete_pkt_etype(ctx, proto, payload);
}

/* UDP destination ports of the tunnels dissected further. */
static const struct {
	uint16_t port;
	size_t min_len;
	enum rete_pkt_res (*fn)(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
} udp_tunnels[] = {
	{ 4789, VXLAN_HLEN, pkt_vxlan },	/* IANA VXLAN */
	{ 8472, VXLAN_HLEN, pkt_vxlan },	/* Linux's historical VXLAN default */
	{ 6081, GENEVE_HLEN, pkt_geneve },
};

static enum rete_pkt_res pkt_udp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	uint16_t dport = rete_pkt_be16(b.p + 2);
	struct rete_pkt_buf payload = rete_pkt_tail(b, UDP_HLEN);
	size_t i;

	/* Length of the data, without the UDP header. */
	rete_pkt_printf(ctx, " len %zu", rete_pkt_sat_sub(rete_pkt_be16(b.p + 4), UDP_HLEN));

	for (i = 0; i < RETE_PKT_ARRAY_SIZE(udp_tunnels); i++) {
		if (udp_tunnels[i].port != dport)
			continue;
		if (payload.len < udp_tunnels[i].min_len)
			return RETE_PKT_TRUNC;
		return udp_tunnels[i].fn(ctx, payload);
	}
	return RETE_PKT_OK;
}

static enum rete_pkt_res pkt_ah(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	uint8_t next = b.p[0], alen = b.p[1];
	/* Length is in 32-bit words minus 2; the ICV follows the 12 fixed bytes. */
	size_t icv_len = rete_pkt_sat_sub(alen, 1) * 4;

	rete_pkt_printf(ctx, " spi 0x%08x seq 0x%x icv 0x", rete_pkt_be32(b.p + 4),
			rete_pkt_be32(b.p + 8));
	rete_pkt_hex(ctx, rete_pkt_sub(b, AH_HLEN, icv_len));
	rete_pkt_proto(ctx, next);
	return rete_pkt_l4(ctx, next, rete_pkt_tail(b, AH_HLEN + icv_len),
			   (uint32_t)rete_pkt_sat_sub(plen, ((size_t)alen + 2) * 4));
}

/* The rest is encrypted: stop here. */
static enum rete_pkt_res pkt_esp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	rete_pkt_printf(ctx, " spi 0x%08x seq 0x%x", rete_pkt_be32(b.p), rete_pkt_be32(b.p + 4));
	return RETE_PKT_OK;
}

static const struct rete_pkt_name sctp_chunk_names[] = {
	{ 4, "HEARTBEAT" }, { 5, "HEARTBEAT_ACK" }, { 6, "ABORT" },
	{ 7, "SHUTDOWN" }, { 8, "SHUTDOWN_ACK" }, { 9, "ERROR" },
	{ 10, "COOKIE_ECHO" }, { 11, "COOKIE_ACK" }, { 12, "ECNE" },
	{ 13, "CWR" }, { 14, "SHUTDOWN_COMPLETE" },
};

/* One chunk; data is its value as captured (the header's 4 bytes excluded). */
static enum rete_pkt_res sctp_chunk(struct rete_pkt_ctx *ctx, uint8_t type, uint8_t flags,
				    struct rete_pkt_buf data)
{
	const char *name;

	switch (type) {
	case 0:		/* DATA */
		if (data.len < 12)
			return RETE_PKT_TRUNC;
		rete_pkt_puts(ctx, " [DATA");
		if (flags & 0x07)
			rete_pkt_printf(ctx, " (%s%s%s)", flags & 0x04 ? "U" : "",
					flags & 0x02 ? "B" : "", flags & 0x01 ? "E" : "");
		rete_pkt_printf(ctx, " TSN %u SID %u SSEQ %u PPID 0x%x]", rete_pkt_be32(data.p),
				rete_pkt_be16(data.p + 4), rete_pkt_be16(data.p + 6),
				rete_pkt_be32(data.p + 8));
		return RETE_PKT_OK;
	case 1:		/* INIT */
	case 2:		/* INIT ACK */
		if (data.len < 16)
			return RETE_PKT_TRUNC;
		rete_pkt_printf(ctx, " [%s init_tag %u rwnd %u OS %u MIS %u init_TSN %u]",
				type == 1 ? "INIT" : "INIT_ACK", rete_pkt_be32(data.p),
				rete_pkt_be32(data.p + 4), rete_pkt_be16(data.p + 8),
				rete_pkt_be16(data.p + 10), rete_pkt_be32(data.p + 12));
		return RETE_PKT_OK;
	case 3:		/* SACK */
		if (data.len < 12)
			return RETE_PKT_TRUNC;
		rete_pkt_printf(ctx, " [SACK cum_ack %u a_rwnd %u #gap_acks %u #dup_tsns %u]",
				rete_pkt_be32(data.p), rete_pkt_be32(data.p + 4),
				rete_pkt_be16(data.p + 8), rete_pkt_be16(data.p + 10));
		return RETE_PKT_OK;
	default:
		name = RETE_PKT_NAME(sctp_chunk_names, type);
		if (name)
			rete_pkt_printf(ctx, " [%s]", name);
		else
			rete_pkt_printf(ctx, " [UNKNOWN:%u]", type);
		return RETE_PKT_OK;
	}
}

/*
 * Verification tag, then each chunk. Chunks are padded to 4 bytes; the walk
 * must consume exactly the length the IP header announced, or the packet is
 * reported truncated.
 */
static enum rete_pkt_res pkt_sctp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b, uint32_t plen)
{
	struct rete_pkt_buf chunks = rete_pkt_tail(b, SCTP_HLEN);
	size_t left = rete_pkt_sat_sub(plen, SCTP_HLEN);
	enum rete_pkt_res res;

	rete_pkt_printf(ctx, " vtag 0x%x", rete_pkt_be32(b.p + 4));

	while (chunks.len >= SCTP_CHUNK_HLEN) {
		size_t clen = rete_pkt_be16(chunks.p + 2);
		size_t padded = (clen + 3) & ~(size_t)3;
		size_t dlen = rete_pkt_sat_sub(padded, SCTP_CHUNK_HLEN);

		res = sctp_chunk(ctx, chunks.p[0], chunks.p[1],
				 rete_pkt_sub(chunks, SCTP_CHUNK_HLEN, dlen));
		if (res != RETE_PKT_OK)
			return res;
		left = rete_pkt_sat_sub(left, padded);
		chunks = rete_pkt_tail(chunks, SCTP_CHUNK_HLEN + dlen);
	}

	return left ? RETE_PKT_TRUNC : RETE_PKT_OK;
}
