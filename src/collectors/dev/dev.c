/* dev: the net_device of the packet (dev.bpf.h). */
#include "core/collector.h"

static int dev_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		     size_t errlen)
{
	cfg->dev = 1;
	return 0;
}

const struct rete_collector_ops rete_collector_dev = { .name = "dev", .setup = dev_setup };
