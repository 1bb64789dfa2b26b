/* skb-tracking: one id per packet, (original data head, first-seen time). */
#ifndef RETE_BPF_COLLECTOR_SKB_TRACKING_H
#define RETE_BPF_COLLECTOR_SKB_TRACKING_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_cfg.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "rete_snap.bpf.h"
#include "uapi/rete_sections.h"

#define RETE_EEXIST 17

/*
 * Which bytes of the transport window identify a packet (enum rete_sig_kind),
 * as little-endian words: the fields NAT, forwarding and checksum updates
 * rewrite (ports, ICMP ids, checksums; the IP header but for the IPv4 id) do
 * not count, so one packet keeps its id along its journey.
 */
static const __u64 rete_sig_masks[RETE_SIG_MAX][RETE_SIG_WIN / 8] = {
	[RETE_SIG_NONE] = { 0, 0, 0, 0 },
	[RETE_SIG_RAW] = { ~0ULL, ~0ULL, ~0ULL, ~0ULL },
	/* ports (0-3) and checksum (16-17) out */
	[RETE_SIG_TCP] = { 0xffffffff00000000ULL, ~0ULL, 0xffffffffffff0000ULL, ~0ULL },
	/* ports (0-3) and checksum (6-7) out */
	[RETE_SIG_UDP] = { 0x0000ffff00000000ULL, ~0ULL, ~0ULL, ~0ULL },
	/* checksum and id (2-5) out */
	[RETE_SIG_ICMP_ECHO] = { 0xffff00000000ffffULL, ~0ULL, ~0ULL, ~0ULL },
	/* checksum (2-3) and the quoted header past its protocol field (18-31) out */
	[RETE_SIG_ICMP_ERR] = { 0xffffffff0000ffffULL, ~0ULL, 0x000000000000ffffULL, 0 },
};

#define RETE_ETH_P_IP 0x0800
#define RETE_ETH_P_IPV6 0x86dd

/*
 * Hash of the identity bytes: the counted bytes of the window (at win, inside
 * the scratch's sig buffer) and the IPv4 id word.
 */
static __always_inline __u64 rete_sig_hash(const __u8 *win, __u8 kind, __u8 len, __u32 ipid)
{
	__u64 h = 0xcbf29ce484222325ULL ^ ipid;

	if (kind >= RETE_SIG_MAX)
		return 0;
	for (int i = 0; i < RETE_SIG_WIN / 8; i++) {
		__u64 w = *(const __u64 *)(win + 8 * i) & rete_sig_masks[kind][i];

		/* Bytes past the packet's end at first sight (tailroom) do not count. */
		if (len <= 8 * i)
			w = 0;
		else if (len < 8 * (i + 1))
			w &= (1ULL << (8 * (len - 8 * i))) - 1;
		/* A bijection per word: packets that differ in one word never collide. */
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	}
	return h ^ (h >> 29);
}

static __always_inline __u32 rete_sig_ipid(const __u8 *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((__u32)p[3] << 24);
}

static __always_inline __u8 rete_sig_icmp_kind(__u8 type, bool v6)
{
	if (v6)
		return type < 128 ? RETE_SIG_ICMP_ERR : RETE_SIG_ICMP_ECHO;
	/* destination unreachable, source quench, redirect, time exceeded, parameter problem */
	if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
		return RETE_SIG_ICMP_ERR;
	return RETE_SIG_ICMP_ECHO;
}

/*
 * Record, in a new tracking entry, where the packet's identity lies in its
 * data head and its hash: the IPv4 id word and a window from the transport
 * header, read with one copy from the network header. Non-IP packets, and IP
 * packets whose headers are not in the linear data, get RETE_SIG_NONE (their
 * id is kept as before, unchecked).
 */
static __always_inline void rete_track_sig_take(struct rete_ctx *rc, struct rete_tracking_info *ti)
{
	const struct sk_buff *s = rc->s;
	unsigned char *head = s->head;
	__u8 *buf = rc->scratch->sig;
	__u32 tail = s->tail, nh = s->network_header, l4, len, ipid = 0;
	__u16 proto = bpf_ntohs(s->protocol);
	__u8 kind, l4proto;
	bool v6 = false;

	ti->sig = 0;
	ti->sig_off = 0;
	ti->ipid_off = 0;
	ti->sig_len = 0;
	ti->sig_kind = RETE_SIG_NONE;
	ti->pad = 0;
	/* 0: set by no one since the allocation (the head starts with headroom). */
	if (nh == 0 || nh == RETE_HDR_UNSET || nh + 12 > tail || nh > 0xffff - 64)
		return;
	if (bpf_probe_read_kernel(buf, RETE_SIG_READ, head + nh))
		return;
	if (proto == RETE_ETH_P_IP && (buf[0] >> 4) == 4 && (buf[0] & 0xf) >= 5) {
		l4 = (buf[0] & 0xf) * 4;
		l4proto = buf[9];
		ti->ipid_off = nh + 4;
		ipid = rete_sig_ipid(buf + 4);
		/* A fragment after the first carries data, no transport header. */
		if ((buf[6] & 0x1f) || buf[7])
			l4proto = 0;
	} else if (proto == RETE_ETH_P_IPV6 && (buf[0] >> 4) == 6) {
		l4 = 40;
		l4proto = buf[6];
		v6 = true;
	} else {
		return;
	}
	l4 &= 63;
	len = nh + l4 < tail ? tail - (nh + l4) : 0;
	if (len > RETE_SIG_WIN)
		len = RETE_SIG_WIN;
	if (!len && !ti->ipid_off)
		return;
	if (l4proto == 6)
		kind = RETE_SIG_TCP;
	else if (l4proto == 17 || l4proto == 136)	/* UDP, UDP-Lite */
		kind = RETE_SIG_UDP;
	else if ((l4proto == 1 && !v6) || (l4proto == 58 && v6))
		kind = rete_sig_icmp_kind(buf[l4], v6);
	else
		kind = RETE_SIG_RAW;
	ti->sig_off = nh + l4;
	ti->sig_len = len;
	ti->sig_kind = kind;
	ti->sig = rete_sig_hash(buf + l4, kind, len, ipid);
}

/*
 * Does the data head still hold the packet of entry ti? One copy, from the
 * IPv4 id word (or the window) through the end of the window.
 */
static __always_inline bool rete_track_sig_same(struct rete_ctx *rc,
						const struct rete_tracking_info *ti)
{
	unsigned char *head = rc->s->head;
	__u8 *buf = rc->scratch->sig;
	__u8 kind = ti->sig_kind;
	__u32 start, d, ipid = 0;

	if (kind == RETE_SIG_NONE || kind >= RETE_SIG_MAX)
		return true;
	start = ti->ipid_off ? ti->ipid_off : ti->sig_off;
	if (bpf_probe_read_kernel(buf, RETE_SIG_READ, head + start))
		return false;
	if (ti->ipid_off)
		ipid = rete_sig_ipid(buf);
	d = (__u32)(ti->sig_off - start) & 63;
	return rete_sig_hash(buf + d, kind, ti->sig_len, ipid) == ti->sig;
}

/* Is the packet already tracked? Fills *ret (orig_head, timestamp) when it is. */
static __always_inline bool rete_track_lookup(struct rete_ctx *rc, struct rete_sec_tracking *ret)
{
	struct rete_tracking_info *info, *moved = &rc->scratch->track;
	struct sk_buff *skb = rc->skb;
	__u64 head = (__u64)rc->s->head;

	info = bpf_map_lookup_elem(&rete_tracking, &head);
	if (!info && rete_cfg.track_rekey) {
		/* Its head was replaced (pskb_expand_head): found by skb, moved to the new head. */
		__u64 key = (__u64)skb;

		info = bpf_map_lookup_elem(&rete_tracking, &key);
		if (!info)
			return false;
		*moved = *info;
		bpf_map_delete_elem(&rete_tracking, &key);
		if (bpf_map_update_elem(&rete_tracking, &head, moved, BPF_ANY))
			rete_gcount(RETE_GC_TRACK_FULL);
		info = bpf_map_lookup_elem(&rete_tracking, &head);
		if (!info)
			return false;
	}
	if (!info)
		return false;
	/*
	 * Without a probe on every head free (rete_cfg.track_verify, kernels
	 * without kprobes), the head may hold another packet now, the tracked
	 * one having been freed unseen: its id is over.
	 */
	if (rete_cfg.track_verify && !rete_track_sig_same(rc, info)) {
		bpf_map_delete_elem(&rete_tracking, &head);
		rete_gcount(RETE_GC_TRACK_REUSED);
		return false;
	}
	info->last_seen = rc->ts;
	ret->orig_head = info->orig_head;
	ret->timestamp = info->timestamp;
	return true;
}

/* Start tracking a packet a user probe sees (and the filters accept) for the first time. */
static __always_inline bool rete_track_start(struct rete_ctx *rc, struct rete_sec_tracking *ret)
{
	struct rete_tracking_info *new_info = &rc->scratch->track;
	__u64 head = (__u64)rc->s->head;
	long err;

	new_info->orig_head = head;
	new_info->timestamp = rc->ts;
	new_info->last_seen = rc->ts;
	if (rete_cfg.track_verify)
		rete_track_sig_take(rc, new_info);
	else
		new_info->sig_kind = RETE_SIG_NONE;
	err = bpf_map_update_elem(&rete_tracking, &head, new_info, BPF_NOEXIST);
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
	struct rete_tracking_info *info, *moved = &rc->scratch->track;
	struct sk_buff *skb = rc->skb;
	__u8 flags = rc->cfg->flags;
	__u64 head = (__u64)rc->s->head;
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
		*moved = *info;
		/* A clone keeps the old head: only an unshared one goes away. */
		if (!rete_head_shared(rc->s))
			bpf_map_delete_elem(&rete_tracking, &head);
		key = (__u64)skb;
		if (bpf_map_update_elem(&rete_tracking, &key, moved, BPF_ANY))
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
