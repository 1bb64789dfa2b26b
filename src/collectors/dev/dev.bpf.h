/* dev: the net device of the packet (or of the probe's net_device argument). */
#ifndef RETE_BPF_COLLECTOR_DEV_H
#define RETE_BPF_COLLECTOR_DEV_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_snap.bpf.h"
#include "uapi/rete_sections.h"

static __always_inline void rete_collect_dev(struct rete_builder *b, struct rete_ctx *rc)
{
	__u32 rx_ifindex = rc->s->skb_iif;
	struct rete_sec_dev *d;

	rete_snap_dev(rc);
	if (!rc->dev_ok && !rx_ifindex)
		return;
	d = rete_sec_add(b, RETE_OWNER_DEV, RETE_SEC_T_MAIN, sizeof(*d));
	if (!d)
		return;
	if (rc->dev_ok) {
		__builtin_memcpy(d->name, rc->dev_name, sizeof(d->name));
		d->name[sizeof(d->name) - 1] = '\0';
		d->ifindex = rc->dev_ifindex;
	} else {
		__builtin_memset(d->name, 0, sizeof(d->name));
		d->ifindex = 0;
	}
	d->rx_ifindex = rx_ifindex;
}

#endif
