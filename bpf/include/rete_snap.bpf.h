/*
 * Snapshots of the kernel objects every event reads: the sk_buff is copied
 * whole and the net_device fields the collectors need in one window, each with
 * a single bpf_probe_read_kernel. Fields are then plain loads from the copy
 * (CO-RE relocated like any other), instead of one helper call per field.
 */
#ifndef RETE_BPF_SNAP_H
#define RETE_BPF_SNAP_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"

#define RETE_IFNAMSIZ_K 16

/* Copy the probe's sk_buff into the scratch area; false when it cannot be read. */
static __always_inline bool rete_snap_skb(struct rete_ctx *rc, struct rete_scratch *scratch)
{
	__u32 size = bpf_core_type_size(struct sk_buff);

	if (size > RETE_SKB_COPY_MAX)
		size = RETE_SKB_COPY_MAX;
	if (bpf_probe_read_kernel(scratch->skb, size, rc->skb))
		return false;
	rc->s = (struct sk_buff *)scratch->skb;
	rc->dev_name = scratch->dev;	/* always a valid pointer, for the verifier */
	return true;
}

/* sk_buff header offsets not set. */
#define RETE_HDR_UNSET 0xffff

/* The packet as the filters and the packet section see it, from the snapshot. */
struct rete_pkt_view {
	unsigned char *start;	/* first byte: the MAC header, else the network header */
	__s64 linear;		/* bytes from start in the linear area */
	__s64 wire_len;		/* bytes from start on the wire */
	bool l3;		/* start is the network header (no MAC header set) */
};

/*
 * Where the packet starts (the MAC header; the network header only when
 * allow_l3, as early on transmit of locally generated packets) and how much
 * of it there is; false when neither header is set or the offsets disagree.
 */
static __always_inline bool rete_pkt_view(const struct rete_ctx *rc, bool allow_l3,
					  struct rete_pkt_view *v)
{
	const struct sk_buff *skb = rc->s;
	unsigned char *head = skb->head;
	__u16 mac = skb->mac_header, nh = skb->network_header;
	__u32 len = skb->len;
	__s64 before;

	if (mac != RETE_HDR_UNSET) {
		v->start = head + mac;
		v->l3 = false;
	} else if (nh != RETE_HDR_UNSET && allow_l3) {
		v->start = head + nh;
		v->l3 = true;
	} else {
		return false;
	}
	before = skb->data - v->start;	/* bytes between start and skb->data */
	if (before < -(__s64)len)
		return false;
	v->linear = (__s64)skb->tail - (v->start - head);
	if (v->linear < 0)
		return false;
	v->wire_len = (__s64)len + before;
	return true;
}

/* The probe's net_device argument, else the packet's device. */
static __always_inline struct net_device *rete_dev_of(struct rete_ctx *rc)
{
	if (rc->dev)
		return rc->dev;
	return rc->s->dev;
}

#define RETE_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RETE_MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * Read the device's name, ifindex and netns once per event (rc->dev_*).
 * The three fields lie within 72 bytes on 6.x kernels: one read of that
 * window; a layout where they are further apart falls back to three reads.
 */
static __always_inline void rete_snap_dev(struct rete_ctx *rc)
{
	struct net_device *dev;
	__u32 o_if, o_net, o_name, lo, hi;
	__u8 *w;

	if (rc->dev_snapped)
		return;
	rc->dev_snapped = true;
	dev = rete_dev_of(rc);
	if (!dev)
		return;
	w = rc->scratch->dev;
	o_if = bpf_core_field_offset(struct net_device, ifindex);
	o_name = bpf_core_field_offset(struct net_device, name);
	o_net = bpf_core_field_offset(struct net_device, nd_net);
	lo = RETE_MIN(RETE_MIN(o_if, o_name), o_net);
	hi = RETE_MAX(RETE_MAX(o_if + 4, o_name + RETE_IFNAMSIZ_K), o_net + 8);
	if (bpf_core_field_size(struct net_device, nd_net) == 8 && hi - lo <= RETE_DEV_COPY_MAX &&
	    o_name - lo <= RETE_DEV_COPY_MAX - RETE_IFNAMSIZ_K && o_if - lo <= RETE_DEV_COPY_MAX - 4 &&
	    o_net - lo <= RETE_DEV_COPY_MAX - 8) {
		if (bpf_probe_read_kernel(w, hi - lo, (__u8 *)dev + lo))
			return;
		rc->dev_ifindex = *(__s32 *)(w + (o_if - lo));
		rc->dev_net = *(struct net **)(w + (o_net - lo));
		rc->dev_name = w + (o_name - lo);
	} else {
		if (bpf_probe_read_kernel_str(w, RETE_IFNAMSIZ_K, dev->name) < 0)
			w[0] = '\0';
		rc->dev_ifindex = BPF_CORE_READ(dev, ifindex);
		rc->dev_net = BPF_CORE_READ(dev, nd_net.net);
		rc->dev_name = w;
	}
	rc->dev_ok = true;
}

#endif
