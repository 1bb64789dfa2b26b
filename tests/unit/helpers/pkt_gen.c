/* Packet generator for filter tests (see pkt_gen.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "helpers/pkt_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PKT_BUF RETE_TEST_PKT_BUF

static uint64_t rng_next(struct rete_test_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rete_test_rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool rng_pct(struct rete_test_rng *r, uint32_t pct)
{
	return rng_below(r, 100) < pct;
}

/* A value from the pool most of the time (so expressions match), else random. */
static uint32_t rng_pool(struct rete_test_rng *r, const uint32_t *pool, size_t n,
			 uint32_t rand_mask)
{
	if (rng_pct(r, 75))
		return pool[rng_below(r, (uint32_t)n)];
	return (uint32_t)rng_next(r) & rand_mask;
}

static void put8(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	p->buf[off] = (uint8_t)v;
}

static void put16(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	put8(p, off, v >> 8);
	put8(p, off + 1, v);
}

static void put32(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	put16(p, off, v >> 16);
	put16(p, off + 2, v);
}

static void put_rand(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(p, off + i, (uint32_t)rng_next(r));
}

static const uint32_t pool_ip4[] = {
	0x0a000001, 0x0a000002, 0x0a0000fe, 0x0a010203, 0xc0a80101, 0xc0a80164, 0xac100504,
	0x08080808, 0xe0000001, 0xef010203, 0xffffffff, 0x7f000001, 0x00000000,
};

static const uint32_t pool_port[] = {
	22, 53, 67, 68, 80, 123, 443, 1000, 1023, 1024, 1500, 2000, 2001, 4789, 8080, 65535, 0,
};

static const uint8_t pool_mac[][6] = {
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, { 0x00, 0x22, 0x22, 0x22, 0x22, 0x22 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
	{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
};

static const uint8_t pool_ip6[][16] = {
	{ [15] = 1 },							  /* ::1 */
	{ 0xfe, 0x80, [15] = 1 },					  /* fe80::1 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },				  /* 2001:db8::1 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },				  /* 2001:db8::2 */
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 5 },		  /* 2001:db8:1::5 */
	{ 0xff, 0x02, [15] = 1 },					  /* ff02::1 */
	{ 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 },		  /* ff02::1:ff00:1 */
	{ 0 },								  /* :: */
	{ 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, [8] = 0xaa, [15] = 0x42 }, /* 2001:db8:1234:... */
};

static void gen_mac(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	if (rng_pct(r, 70)) {
		memcpy(&p->buf[off], pool_mac[rng_below(r, ARRAY_LEN(pool_mac))], 6);
		return;
	}
	put_rand(r, p, off, 6);
}

static void gen_ip6_addr(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	if (rng_pct(r, 75)) {
		memcpy(&p->buf[off], pool_ip6[rng_below(r, ARRAY_LEN(pool_ip6))], 16);
		if (rng_pct(r, 10)) { /* near miss */
			uint32_t at = rng_below(r, 16);

			put8(p, off + at, (uint32_t)rng_next(r));
		}
		return;
	}
	put_rand(r, p, off, 16);
}

static uint32_t gen_port(struct rete_test_rng *r)
{
	return rng_pool(r, pool_port, ARRAY_LEN(pool_port), 0xffff);
}

static size_t gen_payload(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off,
			  uint32_t max)
{
	size_t n = rng_below(r, max + 1);

	put_rand(r, p, off, n);
	return off + n;
}

static size_t gen_tcp(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	static const uint32_t flags[] = { 0x02, 0x12, 0x10, 0x11, 0x04, 0x18, 0x14, 0x29, 0xc2 };
	uint32_t doff = rng_pct(r, 80) ? 5 : 5 + rng_below(r, 11);

	put16(p, off, gen_port(r));
	put16(p, off + 2, gen_port(r));
	put_rand(r, p, off + 4, 8);
	if (rng_pct(r, 20))
		put32(p, off + 4, 0);
	put8(p, off + 12, doff << 4 | (rng_pct(r, 10) ? rng_below(r, 16) : 0));
	put8(p, off + 13, rng_pool(r, flags, ARRAY_LEN(flags), 0xff));
	put_rand(r, p, off + 14, 6);
	put_rand(r, p, off + 20, (doff - 5) * 4);
	return gen_payload(r, p, off + doff * 4, 40);
}

static size_t gen_udp(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	size_t end;

	put16(p, off, gen_port(r));
	put16(p, off + 2, gen_port(r));
	put_rand(r, p, off + 6, 2);
	end = gen_payload(r, p, off + 8, 40);
	if (end >= off + 10 && rng_pct(r, 30))
		put16(p, off + 8, rng_pct(r, 50) ? 0 : 0x0800);
	put16(p, off + 4, rng_pct(r, 90) ? (uint32_t)(end - off) : rng_below(r, 0x10000));
	return end;
}

static size_t gen_icmp(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off, bool v6)
{
	static const uint32_t types4[] = { 0, 3, 5, 8, 11, 13 };
	static const uint32_t types6[] = { 1, 2, 3, 128, 129, 133, 134, 135, 136 };

	if (v6)
		put8(p, off, rng_pool(r, types6, ARRAY_LEN(types6), 0xff));
	else
		put8(p, off, rng_pool(r, types4, ARRAY_LEN(types4), 0xff));
	put8(p, off + 1, rng_pct(r, 80) ? rng_below(r, 4) : (uint32_t)rng_next(r));
	put_rand(r, p, off + 2, 6);
	if (rng_pct(r, 30))
		put16(p, off + 4, 0);
	return gen_payload(r, p, off + 8, 32);
}

static size_t gen_l4(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off, uint32_t proto,
		     bool v6)
{
	switch (proto) {
	case 6:
		return gen_tcp(r, p, off);
	case 17:
		return gen_udp(r, p, off);
	case 1:
		return gen_icmp(r, p, off, false);
	case 58:
		return gen_icmp(r, p, off, true);
	case 132: /* SCTP: ports then the rest */
		put16(p, off, gen_port(r));
		put16(p, off + 2, gen_port(r));
		put_rand(r, p, off + 4, 8);
		return gen_payload(r, p, off + 12, 16);
	default:
		return gen_payload(r, p, off, 40);
	}
}

static const uint32_t pool_proto[] = { 6, 6, 6, 17, 17, 17, 1, 1, 2, 132, 47, 58, 50 };

static size_t gen_ipv4(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	static const uint32_t ttls[] = { 1, 2, 64, 128, 255 };
	uint32_t ihl = rng_pct(r, 80) ? 5 : 6 + rng_below(r, 10);
	uint32_t proto = rng_pool(r, pool_proto, ARRAY_LEN(pool_proto), 0xff);
	uint32_t frag = 0;
	size_t end;

	put8(p, off, (rng_pct(r, 3) ? rng_below(r, 16) : 4) << 4 | ihl);
	put8(p, off + 1, rng_pct(r, 70) ? 0 : (uint32_t)rng_next(r));
	put_rand(r, p, off + 4, 2);
	if (rng_pct(r, 12)) {
		frag = 0x2000; /* first fragment: MF */
	} else if (rng_pct(r, 12)) {
		frag = rng_pct(r, 50) ? 0x2000 : 0;
		frag |= 1 + rng_below(r, 0x1fff);
	} else if (rng_pct(r, 50)) {
		frag = 0x4000; /* DF */
	}
	put16(p, off + 6, frag);
	put8(p, off + 8, rng_pool(r, ttls, ARRAY_LEN(ttls), 0xff));
	put8(p, off + 9, proto);
	put_rand(r, p, off + 10, 2);
	put32(p, off + 12, rng_pool(r, pool_ip4, ARRAY_LEN(pool_ip4), 0xffffffff));
	put32(p, off + 16, rng_pool(r, pool_ip4, ARRAY_LEN(pool_ip4), 0xffffffff));
	put_rand(r, p, off + 20, (ihl - 5) * 4);
	if (frag & 0x1fff)
		end = gen_payload(r, p, off + ihl * 4, 40);
	else
		end = gen_l4(r, p, off + ihl * 4, proto, false);
	put16(p, off + 2, rng_pct(r, 95) ? (uint32_t)(end - off) : rng_below(r, 0x10000));
	return end;
}

/* IPv6 extension headers, then the upper layer. */
static size_t gen_ipv6(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off)
{
	static const uint32_t exts[] = { 0, 43, 60, 44, 51 };
	static const uint32_t nexts[] = { 6, 6, 17, 17, 58, 58, 59, 132 };
	uint32_t n_ext = rng_pct(r, 55) ? 0 : 1 + rng_below(r, rng_pct(r, 80) ? 2 : 6);
	size_t nh_off = off + 6, cur = off + 40, end;
	uint32_t upper = rng_pool(r, nexts, ARRAY_LEN(nexts), 0xff);
	bool frag_later = false;

	put32(p, off, 6u << 28 | (uint32_t)(rng_next(r) & 0x0fffffff));
	if (rng_pct(r, 3))
		put8(p, off, (uint32_t)rng_next(r));
	put8(p, off + 7, rng_pct(r, 50) ? 64 : (uint32_t)rng_next(r));
	gen_ip6_addr(r, p, off + 8);
	gen_ip6_addr(r, p, off + 24);
	for (uint32_t i = 0; i < n_ext && cur < PKT_BUF - 300; i++) {
		uint32_t t = exts[rng_below(r, ARRAY_LEN(exts))];
		size_t len;

		put8(p, nh_off, t);
		nh_off = cur;
		if (t == 44) { /* fragment header: fixed 8 bytes */
			len = 8;
			put_rand(r, p, cur + 1, 7);
			put16(p, cur + 2, rng_pct(r, 70) ? rng_below(r, 2) : (uint32_t)rng_next(r));
			frag_later |= (p->buf[cur + 2] << 8 | p->buf[cur + 3]) >> 3;
		} else if (t == 51) { /* AH: (len + 2) * 4 bytes */
			put8(p, cur + 1, 1 + rng_below(r, 4));
			len = (p->buf[cur + 1] + 2u) * 4;
			put_rand(r, p, cur + 2, len - 2);
		} else {
			put8(p, cur + 1, rng_below(r, 3));
			len = (p->buf[cur + 1] + 1u) * 8;
			put_rand(r, p, cur + 2, len - 2);
		}
		cur += len;
	}
	put8(p, nh_off, upper);
	end = frag_later ? gen_payload(r, p, cur, 40) : gen_l4(r, p, cur, upper, true);
	put16(p, off + 4, rng_pct(r, 95) ? (uint32_t)(end - off - 40) : rng_below(r, 0x10000));
	return end;
}

static size_t gen_arp(struct rete_test_rng *r, struct rete_test_pkt *p, size_t off, bool rarp)
{
	put16(p, off, rng_pct(r, 90) ? 1 : rng_below(r, 8));
	put16(p, off + 2, rng_pct(r, 90) ? 0x0800 : 0x86dd);
	put8(p, off + 4, 6);
	put8(p, off + 5, 4);
	put16(p, off + 6, rarp ? 3 + rng_below(r, 2) : 1 + rng_below(r, 2));
	gen_mac(r, p, off + 8);
	put32(p, off + 14, rng_pool(r, pool_ip4, ARRAY_LEN(pool_ip4), 0xffffffff));
	gen_mac(r, p, off + 18);
	put32(p, off + 24, rng_pool(r, pool_ip4, ARRAY_LEN(pool_ip4), 0xffffffff));
	return gen_payload(r, p, off + 28, 18);
}

/* Ethernet header with 0-2 VLAN tags; returns the network header offset. */
static size_t gen_eth(struct rete_test_rng *r, struct rete_test_pkt *p, uint32_t *ret_type)
{
	static const uint32_t types[] = { 0x0800, 0x0800, 0x0800, 0x0800, 0x86dd, 0x86dd,
					  0x86dd, 0x0806, 0x8035, 0x8847, 0x88cc, 0x0060 };
	static const uint32_t vids[] = { 10, 20, 100 };
	size_t off = 12;
	uint32_t tags = rng_pct(r, 85) ? 0 : rng_pct(r, 75) ? 1 : 2;

	gen_mac(r, p, 0);
	gen_mac(r, p, 6);
	for (uint32_t i = 0; i < tags; i++) {
		uint32_t pcp = rng_below(r, 8);

		put16(p, off, rng_pct(r, 80) ? 0x8100 : 0x88a8);
		put16(p, off + 2, pcp << 13 | rng_pool(r, vids, ARRAY_LEN(vids), 0xfff));
		off += 4;
	}
	*ret_type = rng_pool(r, types, ARRAY_LEN(types), 0xffff);
	put16(p, off, *ret_type);
	return off + 2;
}

void rete_test_pkt_gen(struct rete_test_rng *r, struct rete_test_pkt *p)
{
	uint32_t type;
	size_t l3 = 0;

	put_rand(r, p, 0, PKT_BUF); /* what lies past the packet is random too */
	l3 = gen_eth(r, p, &type);
	switch (type) {
	case 0x0800:
		p->len = gen_ipv4(r, p, l3);
		break;
	case 0x86dd:
		p->len = gen_ipv6(r, p, l3);
		break;
	case 0x0806:
	case 0x8035:
		p->len = gen_arp(r, p, l3, type == 0x8035);
		break;
	default:
		p->len = gen_payload(r, p, l3, 60);
		break;
	}
	p->l3off = l3;
}

uint64_t rete_test_rng_next(struct rete_test_rng *r)
{
	return rng_next(r);
}

uint32_t rete_test_rng_below(struct rete_test_rng *r, uint32_t n)
{
	return rng_below(r, n);
}

bool rete_test_rng_pct(struct rete_test_rng *r, uint32_t pct)
{
	return rng_pct(r, pct);
}

void rete_test_put8(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	put8(p, off, v);
}

void rete_test_put16(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	put16(p, off, v);
}

void rete_test_put32(struct rete_test_pkt *p, size_t off, uint32_t v)
{
	put32(p, off, v);
}
