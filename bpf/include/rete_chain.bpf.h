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
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "collectors/common.bpf.h"
#include "collectors/dev.bpf.h"
#include "collectors/ns.bpf.h"
#include "collectors/skb.bpf.h"
#include "collectors/skb_drop.bpf.h"
#include "collectors/skb_tracking.bpf.h"

const volatile bool rete_cfg_skb = true;
const volatile __u32 rete_cfg_skb_sections = 0;
const volatile bool rete_cfg_drop = true;
const volatile bool rete_cfg_tracking = true;
const volatile bool rete_cfg_dev = true;
const volatile bool rete_cfg_ns = true;
const volatile bool rete_cfg_stack_all = false;
/* Ring-buffer fill level (bytes) past which the consumer is woken at once. */
const volatile __u64 rete_cfg_wakeup_bytes = 1 << 20;

static __always_inline int rete_chain(struct rete_ctx *rc)
{
	struct rete_sec_tracking tracking = {};
	struct rete_probe_counters *cnt;
	struct rete_scratch *scratch;
	struct rete_builder b;
	struct rete_raw_hdr *hdr;
	bool tracked = false;
	__u32 zero = 0;
	__u64 flags;

	cnt = bpf_map_lookup_elem(&rete_counters, &rc->probe_id);
	if (!cnt)
		return 0;
	cnt->hits++;

	if (rete_cfg_tracking)
		tracked = rete_track(rc, &tracking);

	if (!(rc->cfg->flags & RETE_PROBE_F_EMIT))
		goto out_free;

	scratch = bpf_map_lookup_elem(&rete_scratch_map, &zero);
	if (!scratch)
		goto out_free;
	b.buf = scratch->buf;
	b.off = sizeof(*hdr);
	b.nsec = 0;

	rete_collect_common(&b, rc);
	if (rete_cfg_stack_all || (rc->cfg->flags & RETE_PROBE_F_STACK))
		rete_collect_stack(&b, rc);
	if (tracked)
		rete_collect_tracking(&b, rc, &tracking);
	if (rete_cfg_drop)
		rete_collect_drop(&b, rc);
	if (rete_cfg_skb)
		rete_collect_skb(&b, rc, rete_cfg_skb_sections);
	if (rete_cfg_dev)
		rete_collect_dev(&b, rc);
	if (rete_cfg_ns)
		rete_collect_ns(&b, rc);

	hdr = (void *)b.buf;
	hdr->size = b.off;
	hdr->abi = RETE_ABI_VERSION;
	hdr->nsec = b.nsec;

	/* No wakeup per event: the consumer drains on a short timer, unless the ring fills up. */
	flags = bpf_ringbuf_query(&rete_events, BPF_RB_AVAIL_DATA) > rete_cfg_wakeup_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (b.off > RETE_EVENT_MAX)
		goto out_free;
	if (bpf_ringbuf_output(&rete_events, b.buf, b.off, flags))
		cnt->lost++;
	else
		cnt->emitted++;

out_free:
	if (rete_cfg_tracking && tracked && (rc->cfg->flags & RETE_PROBE_F_TRACK_FREE))
		rete_track_free(rc);
	return 0;
}

#endif
