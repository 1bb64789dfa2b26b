// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark anchors on the two default probes (net:netif_receive_skb, net:net_dev_start_xmit):
 *
 *  - the floor: programs that do nothing (the cost of being attached at all);
 *  - the minimal emitter: one 256-byte ring-buffer record per hit, filled in place, submitted
 *    without a wakeup (the cost of moving data at all).
 *
 * Each comes as tp_btf (the anchor figures in benchmark-method.md) and as raw_tp (rete's own
 * attach type); userspace turns autoload on for the pair it wants.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "anchor.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ANCHOR_RING_BYTES);
} anchor_ring SEC(".maps");

/* Per-CPU count of records the ring could not take (reserve failures). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} anchor_lost SEC(".maps");

static __always_inline void emit(struct sk_buff *skb, __u32 probe)
{
	struct anchor_rec *r;
	struct net_device *dev;
	unsigned char *head;
	__u16 off;

	r = bpf_ringbuf_reserve(&anchor_ring, sizeof(*r), 0);
	if (!r) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&anchor_lost, &zero);

		if (lost)
			(*lost)++;
		return;
	}
	r->ts = bpf_ktime_get_ns();
	r->skb = (__u64)skb;
	r->probe = probe;
	r->len = BPF_CORE_READ(skb, len);
	dev = BPF_CORE_READ(skb, dev);
	r->ifindex = BPF_CORE_READ(dev, ifindex);
	r->netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	head = BPF_CORE_READ(skb, head);
	off = BPF_CORE_READ(skb, mac_header);
	if (off == (__u16)~0U)
		off = BPF_CORE_READ(skb, network_header);
	if (bpf_probe_read_kernel(r->data, sizeof(r->data), head + off))
		r->len = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(empty_rx, struct sk_buff *skb)
{
	return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(empty_tx, struct sk_buff *skb, struct net_device *dev)
{
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(emit_rx, struct sk_buff *skb)
{
	emit(skb, ANCHOR_PROBE_RX);
	return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(emit_tx, struct sk_buff *skb, struct net_device *dev)
{
	emit(skb, ANCHOR_PROBE_TX);
	return 0;
}

SEC("raw_tp/netif_receive_skb")
int BPF_PROG(raw_empty_rx, struct sk_buff *skb)
{
	return 0;
}

SEC("raw_tp/net_dev_start_xmit")
int BPF_PROG(raw_empty_tx, struct sk_buff *skb, struct net_device *dev)
{
	return 0;
}

SEC("raw_tp/netif_receive_skb")
int BPF_PROG(raw_emit_rx, struct sk_buff *skb)
{
	emit(skb, ANCHOR_PROBE_RX);
	return 0;
}

SEC("raw_tp/net_dev_start_xmit")
int BPF_PROG(raw_emit_tx, struct sk_buff *skb, struct net_device *dev)
{
	emit(skb, ANCHOR_PROBE_TX);
	return 0;
}
