/* Collectors: what each one needs from the kernel, and which are on. */
#ifndef RETE_CORE_COLLECTOR_H
#define RETE_CORE_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

enum rete_collector_id {
	RETE_COLL_SKB_TRACKING,
	RETE_COLL_SKB,
	RETE_COLL_SKB_DROP,
	RETE_COLL_OVS,
	RETE_COLL_NFT,
	RETE_COLL_CT,
	RETE_COLL_DEV,
	RETE_COLL_NS,
	RETE_COLL_MAX,
};

const char *rete_collector_name(enum rete_collector_id id);

/*
 * Parse a -c/--collectors list ("auto,skb,..."); sets ret_named[id] for
 * named collectors and *ret_auto for "auto". -EINVAL with a sentence in err
 * for an unknown name.
 */
int rete_collectors_parse(const char *list, bool ret_named[RETE_COLL_MAX], bool *ret_auto,
			  char *err, size_t errlen);

/* 0 when the collector can run here, else -errno and why (one sentence). */
int rete_collector_check(enum rete_collector_id id, const struct btf *btf, char *why,
			 size_t whylen);

#endif
