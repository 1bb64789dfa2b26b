/* skb-drop: the drop reason of skb:kfree_skb, named from the kernel's BTF (skb_drop.bpf.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/collector.h"
#include "core/probe.h"

static int skb_drop_check(const struct btf *btf, char *why, size_t whylen)
{
	if (btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM) < 0) {
		snprintf(why, whylen, "this kernel has no drop reasons (enum skb_drop_reason)");
		return -EOPNOTSUPP;
	}
	if (btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF) < 0) {
		snprintf(why, whylen, "this kernel has no skb:kfree_skb tracepoint");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* It installs its own probe, which reports events like a user probe. */
static int skb_drop_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *err, size_t errlen)
{
	int rc = rete_probe_add_internal(env->probes, env->btf, "skb:kfree_skb", RETE_PROBE_F_EMIT);

	if (rc) {
		snprintf(err, errlen, "cannot add probe tp:skb:kfree_skb for skb-drop: %s",
			 strerror(-rc));
		return rc;
	}
	cfg->drop = 1;
	return 0;
}

const struct rete_collector_ops rete_collector_skb_drop = {
	.name = "skb-drop",
	.check = skb_drop_check,
	.setup = skb_drop_setup,
};
