/* Probe-independent context handed by each probe program to the chain. */
#ifndef RETE_BPF_CTX_H
#define RETE_BPF_CTX_H

#include "vmlinux.h"

#include "uapi/rete_config.h"

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
};

#endif
