#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "core/collector.h"
#include "lib/suggest.h"

typedef int (*check_fn)(const struct btf *btf, char *why, size_t whylen);

static int check_always(const struct btf *btf, char *why, size_t whylen)
{
	return 0;
}

static int check_drop(const struct btf *btf, char *why, size_t whylen)
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

static const struct {
	const char *name;
	check_fn check;
} collectors[RETE_COLL_MAX] = {
	[RETE_COLL_SKB_TRACKING] = { "skb-tracking", check_always },
	[RETE_COLL_SKB] = { "skb", check_always },
	[RETE_COLL_SKB_DROP] = { "skb-drop", check_drop },
	[RETE_COLL_OVS] = { "ovs", check_ovs },
	[RETE_COLL_NFT] = { "nft", check_unimplemented },
	[RETE_COLL_CT] = { "ct", check_unimplemented },
	[RETE_COLL_DEV] = { "dev", check_always },
	[RETE_COLL_NS] = { "ns", check_always },
};

const char *rete_collector_name(enum rete_collector_id id)
{
	return (unsigned)id < RETE_COLL_MAX ? collectors[id].name : "?";
}

int rete_collectors_parse(const char *list, bool ret_named[RETE_COLL_MAX], bool *ret_auto,
			  char *err, size_t errlen)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		char name[64];
		int id;

		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
		if (!strcmp(name, "auto")) {
			*ret_auto = true;
		} else {
			for (id = 0; id < RETE_COLL_MAX; id++)
				if (!strcmp(name, collectors[id].name))
					break;
			if (id == RETE_COLL_MAX) {
				struct rete_suggest s;

				rete_suggest_init(&s, name);
				rete_suggest_offer(&s, "auto");
				for (id = 0; id < RETE_COLL_MAX; id++)
					rete_suggest_offer(&s, collectors[id].name);
				if (s.best)
					snprintf(err, errlen,
						 "unknown collector '%s' (did you mean '%s'?)", name,
						 s.best);
				else
					snprintf(err, errlen,
						 "unknown collector '%s' (collectors: auto, "
						 "skb-tracking, skb, skb-drop, ovs, nft, ct, dev, ns)",
						 name);
				return -EINVAL;
			}
			ret_named[id] = true;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int rete_collector_check(enum rete_collector_id id, const struct btf *btf, char *why,
			 size_t whylen)
{
	if ((unsigned)id >= RETE_COLL_MAX)
		return -EINVAL;
	return collectors[id].check(btf, why, whylen);
}
