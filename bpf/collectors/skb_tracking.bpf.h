/* skb-tracking: one id per packet, (original data head, first-seen time). */
#ifndef RETE_BPF_COLLECTOR_SKB_TRACKING_H
#define RETE_BPF_COLLECTOR_SKB_TRACKING_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "uapi/rete_sections.h"

#define RETE_EEXIST 17

/* Is the packet already tracked? Fills *ret (orig_head, timestamp) when it is. */
static __always_inline bool rete_track_lookup(struct rete_ctx *rc, struct rete_sec_tracking *ret)
{
	struct rete_tracking_info *info;
	struct sk_buff *skb = rc->skb;
	__u64 head = (__u64)BPF_CORE_READ(skb, head);

	info = bpf_map_lookup_elem(&rete_tracking, &head);
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
	struct sk_buff *skb = rc->skb;
	__u64 head = (__u64)BPF_CORE_READ(skb, head);
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
static __always_inline void rete_track_free(struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->skb;
	struct skb_shared_info *shinfo;
	unsigned char *head;
	__u32 end, dataref = 1;
	__u64 key;

	head = BPF_CORE_READ(skb, head);
	if (BPF_CORE_READ_BITFIELD_PROBED(skb, cloned)) {
		end = BPF_CORE_READ(skb, end);
		shinfo = (struct skb_shared_info *)(head + end);
		dataref = BPF_CORE_READ(shinfo, dataref.counter) & 0xffff;
	}
	if (dataref > 1)
		return;
	key = (__u64)head;
	bpf_map_delete_elem(&rete_tracking, &key);
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
