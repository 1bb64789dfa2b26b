/* skb: packet bytes (always) and optional metadata sub-sections (--skb-sections). */
#ifndef RETE_BPF_COLLECTOR_SKB_H
#define RETE_BPF_COLLECTOR_SKB_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_snap.bpf.h"
#include "uapi/rete_config.h"
#include "uapi/rete_sections.h"

static __always_inline void rete_collect_packet(struct rete_builder *b, struct rete_ctx *rc)
{
	struct rete_sec_packet *p;
	struct rete_pkt_view v;
	__s64 cap;

	if (!rete_pkt_view(rc, true, &v))
		return;
	if (v.wire_len > (__s64)rc->s->len + 0xffff || v.linear <= 0)
		return;
	cap = v.wire_len;
	if (cap > v.linear)
		cap = v.linear;
	if (cap > RETE_PACKET_CAPTURE)
		cap = RETE_PACKET_CAPTURE;
	if (cap <= 0)
		return;

	p = rete_sec_add(b, RETE_OWNER_SKB, RETE_SEC_T_SKB_PACKET, sizeof(*p) + RETE_PACKET_CAPTURE);
	if (!p)
		return;
	p->len = (__u32)v.wire_len;
	p->protocol = rc->s->protocol;
	p->flags = v.l3 ? RETE_PACKET_F_L3 : 0;
	p->pad = 0;
	cap &= 0xff;
	if (bpf_probe_read_kernel(p + 1, cap, v.start))
		cap = 0;
	p->capture_len = cap;
	rete_sec_trim(b, p, sizeof(*p) + RETE_PACKET_CAPTURE, sizeof(*p) + cap);
}

static __always_inline void rete_collect_skb_meta(struct rete_builder *b, struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->s;	/* the snapshot */
	struct rete_sec_skb_meta *m;

	m = rete_sec_add(b, RETE_OWNER_SKB, RETE_SEC_T_SKB_META, sizeof(*m));
	if (!m)
		return;
	m->len = skb->len;
	m->data_len = skb->data_len;
	m->hash = skb->hash;
	m->csum = skb->csum;
	m->priority = skb->priority;
	m->ip_summed = BPF_CORE_READ_BITFIELD(skb, ip_summed);
	m->csum_level = BPF_CORE_READ_BITFIELD(skb, csum_level);
	m->pad = 0;
}

static __always_inline struct skb_shared_info *rete_skb_shinfo(struct sk_buff *skb)
{
	unsigned char *head = skb->head;
	__u32 end = skb->end;

	return (struct skb_shared_info *)(head + end);
}

static __always_inline void rete_collect_skb_dataref(struct rete_builder *b, struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->s;	/* the snapshot */
	struct rete_sec_skb_dataref *d;

	d = rete_sec_add(b, RETE_OWNER_SKB, RETE_SEC_T_SKB_DATAREF, sizeof(*d));
	if (!d)
		return;
	d->nohdr = BPF_CORE_READ_BITFIELD(skb, nohdr);
	d->cloned = BPF_CORE_READ_BITFIELD(skb, cloned);
	d->fclone = BPF_CORE_READ_BITFIELD(skb, fclone);
	d->users = skb->users.refs.counter;
	d->dataref = BPF_CORE_READ(rete_skb_shinfo(skb), dataref.counter);
}

static __always_inline void rete_collect_skb_gso(struct rete_builder *b, struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->s;	/* the snapshot */
	struct skb_shared_info *shinfo = rete_skb_shinfo(skb);
	struct rete_sec_skb_gso *g;

	g = rete_sec_add(b, RETE_OWNER_SKB, RETE_SEC_T_SKB_GSO, sizeof(*g));
	if (!g)
		return;
	g->flags = BPF_CORE_READ(shinfo, flags);
	g->nr_frags = BPF_CORE_READ(shinfo, nr_frags);
	g->gso_size = BPF_CORE_READ(shinfo, gso_size);
	g->gso_segs = BPF_CORE_READ(shinfo, gso_segs);
	g->gso_type = BPF_CORE_READ(shinfo, gso_type);
	g->pad = 0;
	g->pad2 = 0;
}

static __always_inline void rete_collect_skb_vlan(struct rete_builder *b, struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->s;	/* the snapshot */
	struct rete_sec_skb_vlan *v;
	__u16 tci, proto;

	if (!bpf_core_field_exists(skb->vlan_tci))
		return;
	proto = skb->vlan_proto;
	tci = skb->vlan_tci;
	if (!proto && !tci)
		return;
	v = rete_sec_add(b, RETE_OWNER_SKB, RETE_SEC_T_SKB_VLAN, sizeof(*v));
	if (!v)
		return;
	v->proto = proto;
	v->tci = tci;
	v->pad = 0;
}

static __always_inline void rete_collect_skb(struct rete_builder *b, struct rete_ctx *rc,
					     __u32 sections)
{
	rete_collect_packet(b, rc);
	rete_collect_skb_vlan(b, rc);
	if (sections & RETE_SKB_SEC_META)
		rete_collect_skb_meta(b, rc);
	if (sections & RETE_SKB_SEC_DATAREF)
		rete_collect_skb_dataref(b, rc);
	if (sections & RETE_SKB_SEC_GSO)
		rete_collect_skb_gso(b, rc);
}

#endif
