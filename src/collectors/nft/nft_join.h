/*
 * Joining nftables trace messages to the packet's other events. A trace
 * message carries the packet's headers as the rule saw them but nothing
 * that names the sk_buff rete follows, so both sides are reduced to an
 * identity of the packet: the bytes of its IP and transport headers that
 * forwarding and NAT leave alone (IPv4 id, lengths, protocol, TCP sequence
 * numbers, UDP and ICMP payload start; not addresses, ports, ICMP ids, TTL,
 * checksums). Recent events are kept by that identity, with their tracking
 * id, for the trace messages to find.
 */
#ifndef RETE_COLLECTORS_NFT_JOIN_H
#define RETE_COLLECTORS_NFT_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/event.h"

/* Transport bytes the identity reads at most (what a trace message carries). */
#define RETE_NFT_IDENT_L4 20

/*
 * Identity of an IP packet: l3 starts at the IP header (n bytes); l4, when
 * not NULL, holds the transport header (l4len bytes), else it follows the
 * IP header in l3. 0, or -EINVAL when the bytes are no IPv4/IPv6 packet or
 * too short.
 */
int rete_nft_ident(const uint8_t *l3, size_t n, const uint8_t *l4, size_t l4len, uint64_t *key);

/* Same, from a packet starting at its Ethernet header (VLAN tags skipped). */
int rete_nft_ident_eth(const uint8_t *pkt, size_t n, uint64_t *key);

#define RETE_NFT_RECENT_SLOTS 4096

struct rete_nft_recent_entry {
	uint64_t key;
	uint64_t ts;		/* the event's timestamp */
	struct rete_ev_skb_tracking tracking;
};

/* Recent packets by identity: a fixed table, newer entries replace older ones. */
struct rete_nft_recent {
	struct rete_nft_recent_entry slot[RETE_NFT_RECENT_SLOTS];
};

/* Remember ev's packet (when it has one and a tracking id). */
void rete_nft_recent_observe(struct rete_nft_recent *r, const struct rete_event *ev);

/* The entry for key seen at most max_age_ns before now, or NULL. */
const struct rete_nft_recent_entry *rete_nft_recent_find(const struct rete_nft_recent *r,
							 uint64_t key, uint64_t now,
							 uint64_t max_age_ns);

#endif
