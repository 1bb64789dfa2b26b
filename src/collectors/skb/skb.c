/* skb: the packet bytes, and sk_buff metadata with --skb-sections (skb.bpf.h). */
#include "core/collector.h"

static int skb_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		     size_t errlen)
{
	cfg->skb = 1;
	cfg->skb_sections = env->opts->skb_sections;
	return 0;
}

const struct rete_collector_ops rete_collector_skb = { .name = "skb", .setup = skb_setup };
