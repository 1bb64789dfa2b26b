/* Packet identity for joining nftables trace messages to events (nft_join.h). */
#include <errno.h>
#include <string.h>

#include "collectors/nft/nft_join.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

static uint64_t mix(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Bytes [from, to) of the transport header, as far as there are any (and at most 20). */
static uint64_t mix_range(uint64_t h, const uint8_t *l4, size_t l4len, size_t from, size_t to)
{
	if (to > l4len)
		to = l4len;
	if (to > RETE_NFT_IDENT_L4)
		to = RETE_NFT_IDENT_L4;
	return from < to ? mix(h, l4 + from, to - from) : h;
}

static uint64_t mix_l4(uint64_t h, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	switch (proto) {
	case PROTO_TCP:
		/* sequence, acknowledgement, offset and flags, window */
		return mix_range(h, l4, l4len, 4, 16);
	case PROTO_UDP:
		/* length, then the payload's first bytes */
		h = mix_range(h, l4, l4len, 4, 6);
		return mix_range(h, l4, l4len, 8, 20);
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/*
		 * type and code, sequence, then the payload but the last two
		 * bytes (an error's quoted IPv4 checksum, which NAT rewrites)
		 */
		h = mix_range(h, l4, l4len, 0, 2);
		return mix_range(h, l4, l4len, 6, 18);
	default:
		return mix_range(h, l4, l4len, 0, 20);
	}
}

int rete_nft_ident(const uint8_t *l3, size_t n, const uint8_t *l4, size_t l4len, uint64_t *key)
{
	uint64_t h = FNV_OFFSET;
	uint8_t proto;
	size_t hl;

	if (n < 1)
		return -EINVAL;
	switch (l3[0] >> 4) {
	case 4:
		hl = (size_t)(l3[0] & 0xf) * 4;
		if (n < 20 || hl < 20)
			return -EINVAL;
		proto = l3[9];
		h = mix(h, l3, 1);		/* version */
		h = mix(h, l3 + 2, 6);		/* total length, id, fragment */
		h = mix(h, &proto, 1);
		break;
	case 6:
		hl = 40;
		if (n < 40)
			return -EINVAL;
		proto = l3[6];
		h = mix(h, l3, 1);
		h = mix(h, l3 + 4, 3);		/* payload length, next header */
		break;
	default:
		return -EINVAL;
	}
	if (!l4) {
		l4 = n > hl ? l3 + hl : NULL;
		l4len = n > hl ? n - hl : 0;
	}
	if (l4)
		h = mix_l4(h, proto, l4, l4len);
	*key = h;
	return 0;
}

#define ETH_HLEN 14
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8

int rete_nft_ident_eth(const uint8_t *pkt, size_t n, uint64_t *key)
{
	size_t off = 12;
	uint16_t proto;

	for (;;) {
		if (n < off + 2)
			return -EINVAL;
		proto = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		off += 4;
	}
	off += 2;
	return rete_nft_ident(pkt + off, n - off, NULL, 0, key);
}

void rete_nft_recent_observe(struct rete_nft_recent *r, const struct rete_event *ev)
{
	struct rete_nft_recent_entry *e;
	uint64_t key;

	if (!rete_event_has(ev, RETE_SEC_PACKET) || !rete_event_has(ev, RETE_SEC_SKB_TRACKING) ||
	    !ev->packet.data)
		return;
	if (rete_nft_ident_eth(ev->packet.data, ev->packet.capture_len, &key))
		return;
	e = &r->slot[key % RETE_NFT_RECENT_SLOTS];
	e->key = key;
	e->ts = ev->common.timestamp;
	e->tracking = ev->skb_tracking;
}

const struct rete_nft_recent_entry *rete_nft_recent_find(const struct rete_nft_recent *r,
							 uint64_t key, uint64_t now,
							 uint64_t max_age_ns)
{
	const struct rete_nft_recent_entry *e = &r->slot[key % RETE_NFT_RECENT_SLOTS];

	if (e->key != key || !e->ts)
		return NULL;
	if (now > e->ts && now - e->ts > max_age_ns)
		return NULL;
	return e;
}
