/* dev: the net device of the packet (or of the probe's net_device argument). */
#ifndef RETE_BPF_COLLECTOR_DEV_H
#define RETE_BPF_COLLECTOR_DEV_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "uapi/rete_sections.h"

static __always_inline struct net_device *rete_dev_of(struct rete_ctx *rc)
{
	struct sk_buff *skb = rc->skb;

	if (rc->dev)
		return rc->dev;
	if (skb)
		return BPF_CORE_READ(skb, dev);
	return NULL;
}

static __always_inline void rete_collect_dev(struct rete_builder *b, struct rete_ctx *rc)
{
	struct net_device *dev = rete_dev_of(rc);
	struct rete_sec_dev *d;
	struct sk_buff *skb = rc->skb;
	__u32 rx_ifindex = 0;

	if (skb)
		rx_ifindex = BPF_CORE_READ(skb, skb_iif);
	if (!dev && !rx_ifindex)
		return;
	d = rete_sec_add(b, RETE_OWNER_DEV, RETE_SEC_T_MAIN, sizeof(*d));
	if (!d)
		return;
	if (dev) {
		bpf_probe_read_kernel_str(d->name, sizeof(d->name), dev->name);
		d->ifindex = BPF_CORE_READ(dev, ifindex);
	} else {
		d->name[0] = '\0';
		d->ifindex = 0;
	}
	d->rx_ifindex = rx_ifindex;
}

#endif
