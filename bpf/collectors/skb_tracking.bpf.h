/* skb-tracking: one id per packet, (original data head, first-seen time). */
#ifndef RETE_BPF_COLLECTOR_SKB_TRACKING_H
#define RETE_BPF_COLLECTOR_SKB_TRACKING_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "rete_snap.bpf.h"
#include "uapi/rete_sections.h"

#define RETE_EEXIST 17

/* Set when a pskb_expand_head probe may have keyed an entry by skb address. */
const volatile bool rete_cfg_track_rekey = false;

/* Is the packet already tracked? Fills *ret (orig_head, timestamp) when it is. */
static __always_inline bool rete_track_lookup(struct rete_ctx *rc, struct rete_sec_tracking *ret)
{
	struct rete_tracking_info *info;
	struct sk_buff *skb = rc->skb;
	__u64 head = (__u64)rc->s->head;

	info = bpf_map_lookup_elem(&rete_tracking, &head);
	if (!info && rete_cfg_track_rekey) {
		/* Its head was replaced (pskb_expand_head): found by skb, moved to the new head. */
		__u64 key = (__u64)skb;
		struct rete_tracking_info moved;

		info = bpf_map_lookup_elem(&rete_tracking, &key);
		if (!info)
			return false;
		moved = *info;
		bpf_map_delete_elem(&rete_tracking, &key);
		if (bpf_map_update_elem(&rete_tracking, &head, &moved, BPF_ANY))
			rete_gcount(RETE_GC_TRACK_FULL);
		info = bpf_map_lookup_elem(&rete_tracking, &head);
		if (!info)
			return false;
	}
	if (!info)
		return false;
	info->last_seen = rc->ts;
	ret->orig_head = info->orig_head;
	ret->timestamp = info->timestamp;
	return true;
}

/* Start tracking a packet a user probe sees (and the filters accept) for the first time. */
static __always_inline bool rete_track_start(struct rete_ctx *rc, struct rete_sec_tracking *ret)
{
	struct rete_tracking_info new_info;
	__u64 head = (__u64)rc->s->head;
	long err;

	new_info.orig_head = head;
	new_info.timestamp = rc->ts;
	new_info.last_seen = rc->ts;
	err = bpf_map_update_elem(&rete_tracking, &head, &new_info, BPF_NOEXIST);
	if (err && err != -RETE_EEXIST)
		rete_gcount(RETE_GC_TRACK_FULL);
	ret->orig_head = head;
	ret->timestamp = rc->ts;
	return true;
}

/*
 * At skb:kfree_skb / skb:consume_skb the skb itself is being freed; its data
 * head goes with it unless a clone still holds a reference.
 */
/* Another skb (a clone) still holds this skb's data head (skb: the snapshot). */
static __always_inline bool rete_head_shared(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo;
	unsigned char *head;
	__u32 end;

	if (!BPF_CORE_READ_BITFIELD(skb, cloned))
		return false;
	head = skb->head;
	end = skb->end;
	shinfo = (struct skb_shared_info *)(head + end);
	return (BPF_CORE_READ(shinfo, dataref.counter) & 0xffff) > 1;
}

static __always_inline void rete_track_free(struct rete_ctx *rc)
{
	__u64 key;

	if (rete_head_shared(rc->s))
		return;
	key = (__u64)rc->s->head;
	bpf_map_delete_elem(&rete_tracking, &key);
}

/*
 * Tracking upkeep at kernel functions (internal kprobes): the head freed for
 * good, a head stolen by another skb (its data lives on there, this packet's
 * id ends), and a head about to be replaced, whose entry is keyed by the skb
 * until the next probe sees the new head.
 */
static __always_inline void rete_track_upkeep(struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->skb;
	__u8 flags = rc->cfg->flags;
	__u64 head = (__u64)rc->s->head;
	struct rete_tracking_info *info, moved;
	__u64 key;

	if (flags & RETE_PROBE_F_TRACK_HEAD_FREE) {
		bpf_map_delete_elem(&rete_tracking, &head);
	} else if (flags & RETE_PROBE_F_TRACK_PARTIAL) {
		if (rc->arg1 & 0xff)
			bpf_map_delete_elem(&rete_tracking, &head);
	} else if (flags & RETE_PROBE_F_TRACK_EXPAND) {
		info = bpf_map_lookup_elem(&rete_tracking, &head);
		if (!info)
			return;
		moved = *info;
		/* A clone keeps the old head: only an unshared one goes away. */
		if (!rete_head_shared(rc->s))
			bpf_map_delete_elem(&rete_tracking, &head);
		key = (__u64)skb;
		if (bpf_map_update_elem(&rete_tracking, &key, &moved, BPF_ANY))
			rete_gcount(RETE_GC_TRACK_FULL);
	}
}

static __always_inline void rete_collect_tracking(struct rete_builder *b, struct rete_ctx *rc,
						  const struct rete_sec_tracking *t)
{
	struct rete_sec_tracking *s;

	s = rete_sec_add(b, RETE_OWNER_SKB_TRACKING, RETE_SEC_T_MAIN, sizeof(*s));
	if (!s)
		return;
	s->orig_head = t->orig_head;
	s->timestamp = t->timestamp;
	s->skb = (__u64)rc->skb;
}

#endif
