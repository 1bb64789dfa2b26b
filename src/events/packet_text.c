/*
 * Packet line of the text output: dissect the captured bytes (Ethernet first)
 * into a tcpdump-like summary laid out like Retis 1.6 does it at display time.
 * This file has the entry point, the shared helpers and L2/L3 (Ethernet,
 * VLAN, MACsec, ARP, IPv4, IPv6); packet_l4.c has L4 and the tunnels.
 *
 * Layout facts worth knowing (all matching Retis):
 *  - the link layer is printed only with -e, but always parsed;
 *  - an error ends the line with "... (reason)", glued to what came before;
 *  - lengths come from the headers, not from the capture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "events/packet_internal.h"
#include "events/text.h"

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ARP_LEN 28		/* Ethernet/IPv4 ARP */
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define MACSEC_HLEN 6		/* without the optional SCI */
#define MACSEC_SCI_LEN 8

/* MACsec TCI bits, as the 6 high bits of the first byte (IEEE 802.1AE). */
#define MACSEC_TCI_ES 0x10
#define MACSEC_TCI_SC 0x08
#define MACSEC_TCI_SCB 0x04
#define MACSEC_TCI_E 0x02
#define MACSEC_TCI_C 0x01

#define IPPROTO_NONE_V6 59

static const struct rete_pkt_name etype_names[] = {
	{ 0x0800, "IPv4" },
	{ 0x0806, "ARP" },
	{ 0x6558, "TEB" },
	{ 0x8035, "Reverse ARP" },
	{ 0x809b, "Appletalk" },
	{ 0x80f3, "Appletalk ARP" },
	{ 0x8100, "802.1Q" },
	{ 0x86dd, "IPv6" },
	{ 0x880b, "PPP" },
	{ 0x8847, "MPLS unicast" },
	{ 0x8848, "MPLS multicast" },
	{ 0x8863, "PPPoE D" },
	{ 0x8864, "PPPoE S" },
	{ 0x888e, "EAPOL" },
	{ 0x88a8, "802.1Q-QinQ" },
	{ 0x88e5, "802.1AE MACsec" },
	{ 0x88f7, "PTP" },
	{ 0x9100, "802.1Q-9100" },
};

static const struct rete_pkt_name proto_names[] = {
	{ 1, "ICMP" }, { 2, "IGMP" }, { 4, "IPIP" }, { 6, "TCP" },
	{ 17, "UDP" }, { 27, "RDP" }, { 33, "DCCP" }, { 41, "IPv6" },
	{ 47, "GRE" }, { 50, "ESP" }, { 51, "AH" }, { 58, "ICMPv6" },
	{ 89, "OSPF" }, { 112, "VRRP" }, { 115, "L2TP" }, { 132, "SCTP" },
	{ 143, "Ethernet" },
};

/*
 * IPv6 extension headers skipped before L4, with the names Retis lists them
 * under ("exts [Hopopt,Ipv6Frag]"). AH and ESP are not walked as generic
 * extensions: they have their own dissectors (AH's length is not in 8-byte
 * units, ESP's payload is opaque).
 */
static const struct rete_pkt_name ipv6_ext_names[] = {
	{ 0, "Hopopt" }, { 43, "Ipv6Route" }, { 44, "Ipv6Frag" }, { 60, "Ipv6Opts" },
	{ 135, "MobilityHeader" }, { 139, "Hip" }, { 140, "Shim6" }, { 253, "Test1" },
	{ 254, "Test2" },
};

/* Tag protocol IDs that carry a 4-byte 802.1Q tag. */
static const uint16_t vlan_tpids[] = { 0x8100, 0x88a8, 0x9100 };

static enum rete_pkt_res pkt_macsec(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
static enum rete_pkt_res pkt_arp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
static enum rete_pkt_res pkt_ipv4(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
static enum rete_pkt_res pkt_ipv6(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);

/* Ethertypes dissected past L2, with the bytes their header needs. */
static const struct {
	uint16_t etype;
	size_t min_len;
	enum rete_pkt_res (*fn)(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b);
} etype_ops[] = {
	{ 0x88e5, MACSEC_HLEN, pkt_macsec },
	{ 0x0806, ARP_LEN, pkt_arp },
	{ 0x0800, IPV4_HLEN, pkt_ipv4 },
	{ 0x86dd, IPV6_HLEN, pkt_ipv6 },
};

const char *rete_pkt_name_find(const struct rete_pkt_name *tbl, size_t n, uint16_t val)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i].val == val)
			return tbl[i].name;
	return NULL;
}

const char *rete_pkt_etype_name(uint16_t etype)
{
	return RETE_PKT_NAME(etype_names, etype);
}

const char *rete_pkt_proto_name(uint8_t proto)
{
	return RETE_PKT_NAME(proto_names, proto);
}

enum rete_pkt_res rete_pkt_unsup(struct rete_pkt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->unsup, sizeof(ctx->unsup), fmt, ap);
	va_end(ap);
	return RETE_PKT_UNSUP;
}

void rete_pkt_puts(struct rete_pkt_ctx *ctx, const char *s)
{
	rete_strbuf_adds(ctx->out, s);
}

void rete_pkt_printf(struct rete_pkt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rete_strbuf_vaddf(ctx->out, fmt, ap);
	va_end(ap);
}

void rete_pkt_hex(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < b.len; i++) {
		rete_strbuf_addc(ctx->out, digits[b.p[i] >> 4]);
		rete_strbuf_addc(ctx->out, digits[b.p[i] & 0xf]);
	}
}

void rete_pkt_proto(struct rete_pkt_ctx *ctx, uint8_t proto)
{
	const char *name = rete_pkt_proto_name(proto);

	if (name)
		rete_pkt_printf(ctx, " proto %s (%u)", name, proto);
	else
		rete_pkt_printf(ctx, " proto (%u)", proto);
}

static void fmt_mac(char dst[18], const uint8_t *p)
{
	snprintf(dst, 18, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
}

static void fmt_ipv4(char dst[16], const uint8_t *p)
{
	snprintf(dst, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

/* Groups [from, to) of an IPv6 address, in hex, colon-separated, appended at dst + n. */
static size_t put_groups(char *dst, size_t n, const uint16_t *g, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		n += (size_t)snprintf(dst + n, 46 - n, "%s%x", i > from ? ":" : "", g[i]);
	return n;
}

/*
 * RFC 5952 text form as Rust's Ipv6Addr prints it: the first longest run of
 * two or more zero groups becomes "::", IPv4-mapped addresses end in dotted
 * quad, IPv4-compatible ones do not (unlike glibc's inet_ntop).
 */
static void fmt_ipv6(char dst[46], const uint8_t *p)
{
	size_t best = 0, best_len = 0, cur = 0, cur_len = 0, i, n;
	uint16_t g[8];

	for (i = 0; i < 8; i++) {
		g[i] = rete_pkt_be16(p + 2 * i);
		if (g[i]) {
			cur_len = 0;
			continue;
		}
		if (!cur_len++)
			cur = i;
		if (cur_len > best_len) {
			best = cur;
			best_len = cur_len;
		}
	}

	if (best == 0 && best_len == 5 && g[5] == 0xffff) {
		snprintf(dst, 46, "::ffff:%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
		return;
	}

	dst[0] = '\0';
	if (best_len < 2) {
		put_groups(dst, 0, g, 0, 8);
		return;
	}
	n = put_groups(dst, 0, g, 0, best);
	n += (size_t)snprintf(dst + n, 46 - n, "::");
	put_groups(dst, n, g, best + best_len, 8);
}

static bool is_vlan_tpid(uint16_t etype)
{
	size_t i;

	for (i = 0; i < RETE_PKT_ARRAY_SIZE(vlan_tpids); i++)
		if (vlan_tpids[i] == etype)
			return true;
	return false;
}

enum rete_pkt_res rete_pkt_etype(struct rete_pkt_ctx *ctx, uint16_t etype, struct rete_pkt_buf b)
{
	size_t i;

	/* With -e the L2 part came first: separate it from what follows. */
	if (ctx->ll)
		rete_pkt_puts(ctx, " ");

	for (i = 0; i < RETE_PKT_ARRAY_SIZE(etype_ops); i++) {
		if (etype_ops[i].etype != etype)
			continue;
		if (b.len < etype_ops[i].min_len)
			return RETE_PKT_TRUNC;
		return etype_ops[i].fn(ctx, b);
	}
	return rete_pkt_unsup(ctx, "ethertype 0x%04x", etype);
}

/* Walk (and with -e print) stacked 802.1Q/802.1ad tags, then the inner ethertype. */
static enum rete_pkt_res pkt_vlans(struct rete_pkt_ctx *ctx, uint16_t etype, struct rete_pkt_buf b)
{
	while (is_vlan_tpid(etype)) {
		const char *name;
		uint16_t tci;

		if (b.len < VLAN_HLEN)
			return RETE_PKT_TRUNC;
		tci = rete_pkt_be16(b.p);
		etype = rete_pkt_be16(b.p + 2);
		if (ctx->ll) {
			rete_pkt_printf(ctx, " vlan %u p %u%s", tci & 0xfff, tci >> 13,
					tci & 0x1000 ? " DEI" : "");
			name = rete_pkt_etype_name(etype);
			if (name)
				rete_pkt_printf(ctx, " ethertype %s (0x%04x)", name, etype);
			else
				rete_pkt_printf(ctx, " ethertype (0x%04x)", etype);
		}
		b = rete_pkt_tail(b, VLAN_HLEN);
	}
	return rete_pkt_etype(ctx, etype, b);
}

enum rete_pkt_res rete_pkt_ethernet(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	char src[18], dst[18];
	const char *name;
	uint16_t etype;

	if (b.len < ETH_HLEN)
		return RETE_PKT_TRUNC;

	/* An unknown outer ethertype is likely not Ethernet at all: say so first. */
	etype = rete_pkt_be16(b.p + 12);
	name = rete_pkt_etype_name(etype);
	if (!name)
		return rete_pkt_unsup(ctx, "ethertype 0x%04x", etype);

	if (ctx->ll) {
		fmt_mac(dst, b.p);
		fmt_mac(src, b.p + 6);
		rete_pkt_printf(ctx, "%s > %s ethertype %s (0x%04x)", src, dst, name, etype);
	}

	return pkt_vlans(ctx, etype, rete_pkt_tail(b, ETH_HLEN));
}

static enum rete_pkt_res pkt_macsec(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	static const struct {
		uint8_t bit;
		char c;
	} tci_flags[] = {
		{ MACSEC_TCI_E, 'E' }, { MACSEC_TCI_C, 'C' }, { MACSEC_TCI_ES, 'S' },
		{ MACSEC_TCI_SCB, 'B' }, { MACSEC_TCI_SC, 'I' },
	};
	uint8_t tci = b.p[0] >> 2, sl = b.p[1] & 0x3f;
	size_t sci_len = tci & MACSEC_TCI_SC ? MACSEC_SCI_LEN : 0, i;
	struct rete_pkt_buf payload;

	if (ctx->ll) {
		rete_pkt_printf(ctx, "an %u pn %u flags [", b.p[0] & 3, rete_pkt_be32(b.p + 2));
		for (i = 0; i < RETE_PKT_ARRAY_SIZE(tci_flags); i++)
			if (tci & tci_flags[i].bit)
				rete_strbuf_addc(ctx->out, tci_flags[i].c);
		rete_pkt_puts(ctx, "]");
		if (sl)
			rete_pkt_printf(ctx, " sl %u", sl);
		if (tci & MACSEC_TCI_SC) {
			rete_pkt_puts(ctx, " sci 0x");
			rete_pkt_hex(ctx, rete_pkt_sub(b, MACSEC_HLEN, MACSEC_SCI_LEN));
		}
	}

	/* Encrypted or modified user data: nothing more to show. */
	if (tci & (MACSEC_TCI_E | MACSEC_TCI_C)) {
		if (!ctx->ll)
			rete_pkt_puts(ctx, "802.1AE MACsec frame");
		return RETE_PKT_OK;
	}

	payload = rete_pkt_tail(b, MACSEC_HLEN + sci_len);
	if (payload.len < 2)
		return RETE_PKT_TRUNC;
	return pkt_vlans(ctx, rete_pkt_be16(payload.p), rete_pkt_tail(payload, 2));
}

static enum rete_pkt_res pkt_arp(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	static const uint8_t zero_mac[6];
	char sha[18], tha[18], spa[16], tpa[16];
	uint16_t op = rete_pkt_be16(b.p + 6);

	fmt_mac(sha, b.p + 8);
	fmt_ipv4(spa, b.p + 14);
	fmt_mac(tha, b.p + 18);
	fmt_ipv4(tpa, b.p + 24);

	switch (op) {
	case 1:
		rete_pkt_printf(ctx, "request who-has %s", tpa);
		if (memcmp(b.p + 18, zero_mac, sizeof(zero_mac)))
			rete_pkt_printf(ctx, " (%s)", tha);
		rete_pkt_printf(ctx, " tell %s", spa);
		return RETE_PKT_OK;
	case 2:
		rete_pkt_printf(ctx, "reply %s is-at %s", spa, sha);
		return RETE_PKT_OK;
	case 3:
		rete_pkt_printf(ctx, "reverse request who-is %s tell %s", tha, sha);
		return RETE_PKT_OK;
	case 4:
		rete_pkt_printf(ctx, "reverse reply %s at %s", tha, tpa);
		return RETE_PKT_OK;
	default:
		return rete_pkt_unsup(ctx, "ARP operation %u", op);
	}
}

static const char *ecn_str(uint8_t ecn)
{
	static const char *const names[4] = { "", " ECT(1)", " ECT(0)", " CE" };

	return names[ecn & 3];
}

static void print_endpoints(struct rete_pkt_ctx *ctx, const char *src, const char *dst,
			    uint8_t proto, struct rete_pkt_buf l4)
{
	uint16_t sport, dport;

	if (rete_pkt_l4_ports(proto, l4, &sport, &dport))
		rete_pkt_printf(ctx, "%s.%u > %s.%u", src, sport, dst, dport);
	else
		rete_pkt_printf(ctx, "%s > %s", src, dst);
}

/*
 * IPv4 options, by option number only (the low 5 bits of the type byte),
 * shown as Retis shows them: the debug form of its option-number type. A
 * leading EOL is padding and ends the list silently.
 */
static void print_ipv4_opts(struct rete_pkt_ctx *ctx, struct rete_pkt_buf opts)
{
	size_t n = 0;

	while (opts.len) {
		uint8_t num = opts.p[0] & 0x1f;
		size_t size = 1;

		if (num == 0 && !n)
			break;
		rete_pkt_printf(ctx, "%sIpv4OptionNumber(%u)", n++ ? "," : " opts [", num);
		if (num == 0)
			break;
		if (num != 1)
			size = 2 + (opts.len > 1 ? rete_pkt_sat_sub(opts.p[1], 2) : 0);
		opts = rete_pkt_tail(opts, size);
	}
	if (n)
		rete_pkt_puts(ctx, "]");
}

static enum rete_pkt_res pkt_ipv4(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	static const char *const frag_flags[3] = { "+", "DF", "rsvd" };
	size_t hlen = (size_t)(b.p[0] & 0xf) * 4, start, i, nflags = 0;
	uint16_t tot = rete_pkt_be16(b.p + 2), frag = rete_pkt_be16(b.p + 6);
	uint8_t proto = b.p[9];
	uint32_t payload_len = (uint32_t)rete_pkt_sat_sub(tot, hlen);
	struct rete_pkt_buf l4;
	char src[16], dst[16];

	/* The payload is what the total length announces, cut to the capture. */
	start = hlen > IPV4_HLEN ? hlen : IPV4_HLEN;
	l4 = rete_pkt_sub(b, start, payload_len);

	fmt_ipv4(src, b.p + 12);
	fmt_ipv4(dst, b.p + 16);
	print_endpoints(ctx, src, dst, proto, l4);

	rete_pkt_printf(ctx, " tos 0x%x%s ttl %u id %u off %u", b.p[1] >> 2, ecn_str(b.p[1]),
			b.p[8], rete_pkt_be16(b.p + 4), (frag & 0x1fff) * 8u);

	/* The 3 flag bits, high to low, labelled as Retis labels them. */
	for (i = 0; i < RETE_PKT_ARRAY_SIZE(frag_flags); i++)
		if (frag & (0x8000 >> i))
			rete_pkt_printf(ctx, "%s%s", nflags++ ? "," : " [", frag_flags[i]);
	if (nflags)
		rete_pkt_puts(ctx, "]");

	/* Not always filled yet (e.g. early in the output path). */
	if (tot)
		rete_pkt_printf(ctx, " len %u", tot);

	print_ipv4_opts(ctx, rete_pkt_sub(b, IPV4_HLEN, rete_pkt_sat_sub(hlen, IPV4_HLEN)));
	rete_pkt_proto(ctx, proto);
	return rete_pkt_l4(ctx, proto, l4, payload_len);
}

/*
 * Walk the IPv6 extension headers starting with next header `proto` at `b`:
 * on return `proto` and `prev` hold the last and the previous next-header
 * values, `b` and `len` what follows. With print, also list them. Fails when
 * a header claims more bytes than were captured.
 */
static enum rete_pkt_res ipv6_exts(struct rete_pkt_ctx *ctx, bool print, uint8_t *proto,
				   uint8_t *prev, struct rete_pkt_buf *b, uint32_t *len)
{
	const char *name;
	size_t n = 0, size;

	while ((name = RETE_PKT_NAME(ipv6_ext_names, *proto))) {
		if (b->len < 2)
			break;
		size = ((size_t)b->p[1] + 1) * 8;
		if (size > b->len)
			return RETE_PKT_TRUNC;
		if (print)
			rete_pkt_printf(ctx, "%s%s", n ? "," : " exts [", name);
		n++;
		*prev = *proto;
		*proto = b->p[0];
		*len = (uint32_t)rete_pkt_sat_sub(*len, size);
		*b = rete_pkt_tail(*b, size);
	}
	if (print && n)
		rete_pkt_puts(ctx, "]");
	return RETE_PKT_OK;
}

static enum rete_pkt_res pkt_ipv6(struct rete_pkt_ctx *ctx, struct rete_pkt_buf b)
{
	uint8_t tclass = (uint8_t)((b.p[0] & 0xf) << 4 | b.p[1] >> 4);
	uint32_t label = (uint32_t)(b.p[1] & 0xf) << 16 | rete_pkt_be16(b.p + 2);
	uint16_t plen = rete_pkt_be16(b.p + 4);
	uint8_t nh = b.p[6], proto, prev;
	struct rete_pkt_buf l4 = rete_pkt_sub(b, IPV6_HLEN, plen), rest;
	uint32_t len;
	char src[46], dst[46];
	enum rete_pkt_res res;

	fmt_ipv6(src, b.p + 8);
	fmt_ipv6(dst, b.p + 24);
	print_endpoints(ctx, src, dst, nh, l4);

	rete_pkt_printf(ctx, "%s ttl %u label 0x%x", ecn_str(tclass), b.p[7], label);
	if (plen)
		rete_pkt_printf(ctx, " len %u", plen);

	/* Validate the chain first so a broken one prints no partial list. */
	proto = prev = nh;
	rest = l4;
	len = plen;
	res = ipv6_exts(ctx, false, &proto, &prev, &rest, &len);
	if (res != RETE_PKT_OK)
		return res;
	proto = prev = nh;
	rest = l4;
	len = plen;
	ipv6_exts(ctx, true, &proto, &prev, &rest, &len);

	/* No next header: whatever follows is not meant to be parsed. */
	if (prev == IPPROTO_NONE_V6)
		return RETE_PKT_OK;

	rete_pkt_proto(ctx, proto);
	return rete_pkt_l4(ctx, proto, rest, len);
}

int rete_text_packet(const uint8_t *data, uint32_t capture_len, uint32_t len,
		     const struct rete_text_opts *opts, struct rete_strbuf *out)
{
	struct rete_pkt_ctx ctx = {
		.out = out,
		.ll = opts && opts->link_layer,
	};
	struct rete_pkt_buf b = { data, data ? capture_len : 0 };

	(void)len;

	switch (rete_pkt_ethernet(&ctx, b)) {
	case RETE_PKT_TRUNC:
		rete_pkt_puts(&ctx, "... (truncated or incomplete packet)");
		break;
	case RETE_PKT_UNSUP:
		rete_pkt_printf(&ctx, "... (%s not supported, use 'rete pcap')", ctx.unsup);
		break;
	default:
		break;
	}
	return out->err;
}
