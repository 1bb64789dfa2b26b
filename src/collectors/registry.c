/*
 * The collectors rete knows, one line each, in the order they are listed
 * (`rete inspect`, "Collector(s) started: ...") and set up.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "core/collector.h"

extern const struct rete_collector_ops rete_collector_skb_tracking;
extern const struct rete_collector_ops rete_collector_skb;
extern const struct rete_collector_ops rete_collector_skb_drop;
extern const struct rete_collector_ops rete_collector_dev;
extern const struct rete_collector_ops rete_collector_ns;

/* Retis's collectors that rete does not have yet: named, and refused with the reason. */
static int check_ovs(const struct btf *btf, char *why, size_t whylen)
{
	if (access("/sys/kernel/btf/openvswitch", R_OK)) {
		snprintf(why, whylen, "the openvswitch kernel module is not loaded");
		return -ENOENT;
	}
	snprintf(why, whylen, "the ovs collector is not implemented in rete yet");
	return -EOPNOTSUPP;
}

static int check_unimplemented(const struct btf *btf, char *why, size_t whylen)
{
	snprintf(why, whylen, "it is not implemented in rete yet");
	return -EOPNOTSUPP;
}

static const struct rete_collector_ops ovs = { .name = "ovs", .check = check_ovs };
static const struct rete_collector_ops nft = { .name = "nft", .check = check_unimplemented };
static const struct rete_collector_ops ct = { .name = "ct", .check = check_unimplemented };

static const struct rete_collector_ops *const registry[] = {
	&rete_collector_skb_tracking,
	&rete_collector_skb,
	&rete_collector_skb_drop,
	&ovs,
	&nft,
	&ct,
	&rete_collector_dev,
	&rete_collector_ns,
};

_Static_assert(sizeof(registry) / sizeof(registry[0]) <= RETE_COLLECTORS_MAX,
	       "raise RETE_COLLECTORS_MAX");

size_t rete_collectors_count(void)
{
	return sizeof(registry) / sizeof(registry[0]);
}

const struct rete_collector_ops *rete_collector_get(size_t i)
{
	return i < rete_collectors_count() ? registry[i] : NULL;
}
