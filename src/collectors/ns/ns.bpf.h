/* ns: the network namespace (device first, then socket, then a net argument). */
#ifndef RETE_BPF_COLLECTOR_NS_H
#define RETE_BPF_COLLECTOR_NS_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_snap.bpf.h"
#include "uapi/rete_sections.h"

static __always_inline struct net *rete_net_of(struct rete_ctx *rc)
{
	struct net *net = NULL;
	struct sock *sk;

	rete_snap_dev(rc);
	if (rc->dev_ok)
		net = rc->dev_net;
	if (!net) {
		sk = rc->s->sk;
		if (sk)
			net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	}
	if (!net)
		net = rc->net;
	return net;
}

static __always_inline void rete_collect_ns(struct rete_builder *b, struct rete_ctx *rc)
{
	struct net *net = rete_net_of(rc);
	struct rete_sec_ns *n;

	if (!net)
		return;
	n = rete_sec_add(b, RETE_OWNER_NS, RETE_SEC_T_MAIN, sizeof(*n));
	if (!n)
		return;
	n->inum = BPF_CORE_READ(net, ns.inum);
	n->cookie = 0;
	if (bpf_core_field_exists(net->net_cookie))
		n->cookie = BPF_CORE_READ(net, net_cookie);
	n->pad = 0;
}

#endif
