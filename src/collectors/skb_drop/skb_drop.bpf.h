/* skb-drop: the drop reason argument of skb:kfree_skb (and alike). */
#ifndef RETE_BPF_COLLECTOR_SKB_DROP_H
#define RETE_BPF_COLLECTOR_SKB_DROP_H

#include "vmlinux.h"

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "uapi/rete_sections.h"

static __always_inline void rete_collect_drop(struct rete_builder *b, struct rete_ctx *rc)
{
	struct rete_sec_drop *d;

	if (!rc->has_reason)
		return;
	d = rete_sec_add(b, RETE_OWNER_SKB_DROP, RETE_SEC_T_MAIN, sizeof(*d));
	if (!d)
		return;
	d->reason = (__s32)rc->reason;
	d->pad = 0;
}

#endif
