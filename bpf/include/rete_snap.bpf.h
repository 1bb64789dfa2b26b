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
