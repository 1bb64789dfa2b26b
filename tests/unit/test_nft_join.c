/*
 * Joining nftables trace messages to events (src/collectors/nft/nft_join.c):
 * the packet identity keeps what forwarding and NAT leave alone and tells
 * packets apart by the rest; the recent-packet table finds an event's
 * tracking id by that identity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "collectors/nft/nft_join.h"

/* IPv4 header (20 bytes) + transport, addresses and ports as given. */
static size_t v4(uint8_t *p, uint8_t proto, uint32_t saddr, uint32_t daddr, uint16_t id,
		 uint8_t ttl, const uint8_t *l4, size_t l4len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + l4len) >> 8);
	p[3] = (uint8_t)(20 + l4len);
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = 0x40;
	p[8] = ttl;
	p[9] = proto;
	p[10] = ttl ^ 0x5a;	/* a checksum that changes with the TTL */
	memcpy(p + 12, &saddr, 4);
	memcpy(p + 16, &daddr, 4);
	memcpy(p + 20, l4, l4len);
	return 20 + l4len;
}

static uint64_t key_of(const uint8_t *p, size_t n)
{
	uint64_t k = 0;

	assert_int_equal(rete_nft_ident(p, n, NULL, 0, &k), 0);
	return k;
}

static void test_tcp_nat_invariant(void **state)
{
	uint8_t tcp[40] = { 0x9c, 0x40, 0x1f, 0x90, 1, 2, 3, 4, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0,
			    0x12, 0x34 };
	uint8_t a[64], b[64], c[64];
	size_t n;

	(void)state;
	n = v4(a, 6, 0x010200c0, 0x020200c0, 777, 64, tcp, sizeof(tcp));
	/* DNAT'd, forwarded: other destination and port, TTL, checksums. */
	tcp[2] = 0x14;
	tcp[3] = 0xe9;
	tcp[16] = 0x99;
	v4(b, 6, 0x010200c0, 0x02643364, 777, 63, tcp, sizeof(tcp));
	assert_true(key_of(a, n) == key_of(b, n));
	/* Another segment: other sequence number. */
	tcp[7] = 5;
	v4(c, 6, 0x010200c0, 0x02643364, 777, 63, tcp, sizeof(tcp));
	assert_true(key_of(a, n) != key_of(c, n));
	/* Another IPv4 id. */
	v4(c, 6, 0x010200c0, 0x020200c0, 778, 64, tcp, sizeof(tcp));
	assert_true(key_of(a, n) != key_of(c, n));
}

static void test_transport_apart(void **state)
{
	/* The trace message's form: network header and transport header apart, 20 bytes at most. */
	uint8_t udp[40] = { 0x30, 0x39, 0x1b, 0x58, 0, 40, 0xab, 0xcd, 'p', 'a', 'y', 'l', 'o',
			    'a', 'd', '-', '1', '2', '3', '4', '5', '6' };
	uint8_t a[64];
	uint64_t k1, k2;
	size_t n = v4(a, 17, 0x010200c0, 0x020200c0, 1, 64, udp, sizeof(udp));

	(void)state;
	assert_int_equal(rete_nft_ident(a, 20, udp, 20, &k1), 0);
	assert_int_equal(rete_nft_ident(a, n, NULL, 0, &k2), 0);
	assert_true(k1 == k2);
	/* Payload past the 20 transport bytes is not part of it. */
	udp[30] ^= 0xff;
	v4(a, 17, 0x010200c0, 0x020200c0, 1, 64, udp, sizeof(udp));
	assert_true(key_of(a, n) == k1);
	/* Within them it is. */
	udp[10] ^= 0xff;
	v4(a, 17, 0x010200c0, 0x020200c0, 1, 64, udp, sizeof(udp));
	assert_true(key_of(a, n) != k1);
}

static void test_icmp_id_ignored(void **state)
{
	uint8_t icmp[28] = { 8, 0, 0x11, 0x22, 0x00, 0x07, 0x00, 0x01, 'x' };
	uint8_t a[64], b[64];
	size_t n;

	(void)state;
	n = v4(a, 1, 0x010200c0, 0x020200c0, 9, 64, icmp, sizeof(icmp));
	icmp[4] = 0x55;		/* the echo id, rewritten by NAT */
	icmp[2] = 0x33;		/* and so the checksum */
	v4(b, 1, 0x0a0a0a0a, 0x020200c0, 9, 64, icmp, sizeof(icmp));
	assert_true(key_of(a, n) == key_of(b, n));
	icmp[7] = 2;		/* the next echo */
	v4(b, 1, 0x0a0a0a0a, 0x020200c0, 9, 64, icmp, sizeof(icmp));
	assert_true(key_of(a, n) != key_of(b, n));
}

static void test_eth_vlan_ipv6_and_bad(void **state)
{
	uint8_t pkt[14 + 4 + 40 + 8] = { 0 };
	uint8_t *ip6 = pkt + 18;
	uint64_t k1, k2;

	(void)state;
	pkt[12] = 0x81;		/* one VLAN tag, then IPv6 */
	pkt[16] = 0x86;
	pkt[17] = 0xdd;
	ip6[0] = 0x60;
	ip6[5] = 8;
	ip6[6] = 17;
	ip6[7] = 64;
	ip6[40 + 5] = 8;
	assert_int_equal(rete_nft_ident_eth(pkt, sizeof(pkt), &k1), 0);
	assert_int_equal(rete_nft_ident(ip6, 40 + 8, NULL, 0, &k2), 0);
	assert_true(k1 == k2);
	/* Hop limit is not part of it. */
	ip6[7] = 3;
	assert_int_equal(rete_nft_ident(ip6, 48, NULL, 0, &k2), 0);
	assert_true(k1 == k2);
	/* Not IP, or too short: no identity. */
	assert_int_equal(rete_nft_ident(ip6, 30, NULL, 0, &k2), -EINVAL);
	ip6[0] = 0x50;
	assert_int_equal(rete_nft_ident(ip6, 48, NULL, 0, &k2), -EINVAL);
	assert_int_equal(rete_nft_ident_eth(pkt, 16, &k2), -EINVAL);
	assert_int_equal(rete_nft_ident(ip6, 0, NULL, 0, &k2), -EINVAL);
}

static void test_recent(void **state)
{
	static struct rete_nft_recent r;
	uint8_t pkt[14 + 20 + 8] = { 0 };
	struct rete_event ev;
	const struct rete_nft_recent_entry *e;
	uint64_t key;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	pkt[12] = 0x08;
	pkt[14] = 0x45;
	pkt[14 + 3] = 28;
	pkt[14 + 9] = 17;
	ev.packet.data = pkt;
	ev.packet.capture_len = ev.packet.len = sizeof(pkt);
	rete_event_set(&ev, RETE_SEC_COMMON);
	rete_event_set(&ev, RETE_SEC_PACKET);
	ev.common.timestamp = 1000;
	/* Without a tracking id there is nothing to join to. */
	rete_nft_recent_observe(&r, &ev);
	assert_int_equal(rete_nft_ident_eth(pkt, sizeof(pkt), &key), 0);
	assert_null(rete_nft_recent_find(&r, key, 1000, 100));
	rete_event_set(&ev, RETE_SEC_SKB_TRACKING);
	ev.skb_tracking.orig_head = 0xffff8881;
	ev.skb_tracking.timestamp = 42;
	rete_nft_recent_observe(&r, &ev);
	e = rete_nft_recent_find(&r, key, 1050, 100);
	assert_non_null(e);
	assert_true(e->tracking.orig_head == 0xffff8881 && e->tracking.timestamp == 42);
	/* Too old, or another packet. */
	assert_null(rete_nft_recent_find(&r, key, 2000, 100));
	assert_null(rete_nft_recent_find(&r, key + 1, 1050, 100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_nat_invariant),
		cmocka_unit_test(test_transport_apart),
		cmocka_unit_test(test_icmp_id_ignored),
		cmocka_unit_test(test_eth_vlan_ipv6_and_bad),
		cmocka_unit_test(test_recent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
