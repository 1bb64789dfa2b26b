/* Probe-independent context handed by each probe program to the chain. */
#ifndef RETE_BPF_CTX_H
#define RETE_BPF_CTX_H

#include "vmlinux.h"

#include "uapi/rete_config.h"

struct rete_scratch;

struct rete_ctx {
	void *ctx;			/* the program's own context (for stack traces) */
	__u64 ts;
	__u64 ksym;			/* kprobes: function address; tracepoints: 0 */
	__u32 probe_id;
	const struct rete_probe_cfg *cfg;
	struct sk_buff *skb;
	struct net_device *dev;		/* a net_device argument, if the probe has one */
	struct net *net;		/* a net argument, if the probe has one */
	__s64 reason;			/* drop reason argument */
	bool has_reason;
	bool has_retval;		/* kretprobes: the function returned retval */
	__s64 retval;
	__u64 arg1;			/* the probe's second argument, as a number */
	/* Snapshots (rete_snap.bpf.h): read once, then plain loads. */
	struct rete_scratch *scratch;
	struct sk_buff *s;		/* copy of *skb in the scratch area */
	struct net *dev_net;		/* the device's netns */
	const __u8 *dev_name;		/* IFNAMSIZ bytes in the scratch area */
	__s32 dev_ifindex;
	bool dev_snapped;		/* rete_snap_dev ran */
	bool dev_ok;			/* ... and found a readable device */
	/*
	 * nft's probes: its rule and verdict are in scratch->nft. A bool, in the
	 * padding: the kprobe program's frame plus an injected filter's must
	 * stay within 512 bytes of stack on 6.1.
	 */
	bool has_nft;
};

/* Argument idx of args[16] (RETE_ARG_NONE and out-of-range indexes give 0). */
static __always_inline __u64 rete_arg(const __u64 *args, __u8 idx)
{
	if (idx >= RETE_ARGS_MAX)
		return 0;
	return args[idx & 0xf];
}

/*
 * Fill the arguments collectors understand from the probe's argument array
 * (16 slots, as the probe's cfg describes them). False without an skb.
 */
static __always_inline bool rete_ctx_set_args(struct rete_ctx *rc, const __u64 *args)
{
	const struct rete_probe_cfg *cfg = rc->cfg;

	rc->skb = (struct sk_buff *)rete_arg(args, cfg->skb_arg);
	if (!rc->skb)
		return false;
	rc->dev = (struct net_device *)rete_arg(args, cfg->dev_arg);
	rc->net = (struct net *)rete_arg(args, cfg->net_arg);
	rc->arg1 = args[1];
	if (cfg->reason_arg != RETE_ARG_NONE) {
		rc->reason = (__s64)rete_arg(args, cfg->reason_arg);
		rc->has_reason = true;
	}
	return true;
}

#endif
