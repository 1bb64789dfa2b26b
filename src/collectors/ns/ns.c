/* ns: the network namespace of the packet, from its device or socket (ns.bpf.h). */
#include "core/collector.h"

static int ns_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		    size_t errlen)
{
	cfg->ns = 1;
	return 0;
}

const struct rete_collector_ops rete_collector_ns = { .name = "ns", .setup = ns_setup };
