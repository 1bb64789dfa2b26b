/*
 * The single pipeline every probe program runs:
 * count -> (filter) -> track -> collectors -> emit -> tracking cleanup.
 * Collectors are compiled in and switched by .rodata constants, so the
 * verifier drops the disabled ones.
 */
#ifndef RETE_BPF_CHAIN_H
#define RETE_BPF_CHAIN_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_cfg.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "rete_snap.bpf.h"
#include "rete_common.bpf.h"
#include "collectors/ct/ct.bpf.h"
#include "collectors/dev/dev.bpf.h"
#include "collectors/nft/nft.bpf.h"
#include "collectors/ns/ns.bpf.h"
#include "collectors/skb/skb.bpf.h"
#include "collectors/skb_drop/skb_drop.bpf.h"
#include "collectors/skb_tracking/skb_tracking.bpf.h"
#include "rete_filter.bpf.h"

/*
 * Packet filter: the L2 variant when the skb has a MAC header, else the L3
 * variant on the network header (locally generated packets early on
 * transmit); no match when the needed variant does not exist.
 */
static __always_inline bool rete_filter_packet(struct rete_ctx *rc)
{
	struct rete_pkt_view v;

	if (!rete_pkt_view(rc, rete_cfg.filter_l3, &v))
		return false;
	if (!v.l3)
		return rete_filter_packet_l2((__u64)v.start, (__u32)v.linear, (__u32)v.wire_len);
	return rete_filter_packet_l3((__u64)v.start, (__u32)v.linear, (__u32)v.wire_len);
}

static __always_inline bool rete_filters_pass(struct rete_ctx *rc)
{
	if ((rete_cfg.filter_l2 || rete_cfg.filter_l3) && !rete_filter_packet(rc))
		return false;
	if (rete_cfg.filter_meta && !rete_filter_meta((__u64)rc->skb))
		return false;
	return true;
}

static __always_inline int rete_chain(struct rete_ctx *rc)
{
	struct rete_sec_tracking tracking = {};
	struct rete_probe_counters *cnt;
	struct rete_scratch *scratch;
	struct rete_builder b;
	struct rete_raw_hdr *hdr;
	bool tracked = false;
	__u64 flags;

	cnt = bpf_map_lookup_elem(&rete_counters, &rc->probe_id);
	if (!cnt)
		return 0;
	cnt->hits++;
	scratch = rc->scratch;
	if (!rete_snap_skb(rc, scratch)) {
		rete_gcount(RETE_GC_SKB_UNREADABLE);
		return 0;
	}

	if (rete_cfg.tracking)
		tracked = rete_track_lookup(rc, &tracking);

	/* nft's chain way: a drop its base chain decided, seen at kfree_skb. */
	if (rete_cfg.nft_drops && rc->has_reason)
		rete_nft_drop_match(rc);
	if (!(rc->cfg->flags & RETE_PROBE_F_EMIT) && !rc->has_nft)
		goto out_free;

	/* Once tracked, a packet skips the filters (it stays visible after NAT and
	 * encapsulation), unless --filter-mode strict. */
	if (!tracked || rete_cfg.filter_strict) {
		if (!rete_filters_pass(rc)) {
			cnt->filtered++;
			goto out_free;
		}
	}
	/*
	 * At a function's return its skb may already be freed: like Retis,
	 * kretprobes report a tracked packet but never start tracking one.
	 */
	if (rete_cfg.tracking && !tracked && !(rc->cfg->flags & RETE_PROBE_F_RETURN))
		tracked = rete_track_start(rc, &tracking);

	b.buf = scratch->buf;
	b.off = sizeof(*hdr);
	b.nsec = 0;

	rete_collect_common(&b, rc);
	if (rete_cfg.stack_all || (rc->cfg->flags & RETE_PROBE_F_STACK))
		rete_collect_stack(&b, rc);
	if (tracked)
		rete_collect_tracking(&b, rc, &tracking);
	if (rete_cfg.drop)
		rete_collect_drop(&b, rc);
	if (rete_cfg.skb)
		rete_collect_skb(&b, rc, rete_cfg.skb_sections);
	if (rete_cfg.ct)
		rete_collect_ct(&b, rc);
	if (rete_cfg.nft)
		rete_collect_nft(&b, rc);
	if (rete_cfg.dev)
		rete_collect_dev(&b, rc);
	if (rete_cfg.ns)
		rete_collect_ns(&b, rc);

	hdr = (void *)b.buf;
	hdr->size = b.off;
	hdr->abi = RETE_ABI_VERSION;
	hdr->nsec = b.nsec;

	/* No wakeup per event: the consumer drains on a short timer, unless the ring fills up. */
	flags = bpf_ringbuf_query(&rete_events, BPF_RB_AVAIL_DATA) > rete_cfg.wakeup_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (b.off > RETE_EVENT_MAX)
		goto out_free;
	if (bpf_ringbuf_output(&rete_events, b.buf, b.off, flags))
		cnt->lost++;
	else
		cnt->emitted++;

out_free:
	if (rete_cfg.tracking && tracked && (rc->cfg->flags & RETE_PROBE_F_TRACK_FREE))
		rete_track_free(rc);
	if (rete_cfg.tracking && tracked &&
	    (rc->cfg->flags & (RETE_PROBE_F_TRACK_HEAD_FREE | RETE_PROBE_F_TRACK_PARTIAL |
			       RETE_PROBE_F_TRACK_EXPAND)))
		rete_track_upkeep(rc);
	return 0;
}

#endif
