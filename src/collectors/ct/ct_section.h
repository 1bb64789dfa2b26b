/*
 * The ct section (Retis's `ct`): the event model of one packet's conntrack
 * entry, and its description (ct_section.c).
 */
#ifndef RETE_COLLECTORS_CT_SECTION_H
#define RETE_COLLECTORS_CT_SECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "events/section.h"

/* Index in the "state" names. */
enum rete_ct_state {
	RETE_CT_ESTABLISHED,
	RETE_CT_RELATED,
	RETE_CT_NEW,
	RETE_CT_REPLY,
	RETE_CT_RELATED_REPLY,
	RETE_CT_UNTRACKED,
};

/* Index in the "zone_dir" names. */
enum rete_ct_zone_dir { RETE_CT_ZONE_ORIG, RETE_CT_ZONE_REPLY, RETE_CT_ZONE_DEFAULT, RETE_CT_ZONE_NONE };

/* Index in a tuple's "proto" keys (ICMPv6 is "icmp" with an IPv6 address, Retis has no other). */
enum rete_ct_proto { RETE_CT_TCP, RETE_CT_UDP, RETE_CT_ICMP, RETE_CT_SCTP };

struct rete_ct_tuple {
	char src[48];		/* address, as text */
	char dst[48];
	uint8_t version;	/* 0: "v4", 1: "v6" */
	uint8_t proto;		/* enum rete_ct_proto */
	uint16_t sport, dport;	/* tcp, udp, sctp */
	uint8_t code, type;	/* icmp */
	uint16_t id;
};

struct rete_ct_conn {
	uint16_t zone_id;
	uint8_t zone_dir;	/* enum rete_ct_zone_dir */
	struct rete_ct_tuple orig, reply;
	bool has_proto_state;
	char proto_state[24];	/* "ESTABLISHED", TCP and SCTP only */
	bool has_mark;
	uint32_t mark;
	bool has_labels;
	uint64_t labels[2];	/* hi, lo */
	bool has_ct_status;	/* Retis 1.5 and some 1.6 files lack it */
	uint64_t ct_status;
};

struct rete_ct {
	uint8_t state;		/* enum rete_ct_state */
	struct rete_ct_conn base;
	bool has_parent;
	struct rete_ct_conn parent;
};

extern const struct rete_section_desc rete_section_ct;

#endif
