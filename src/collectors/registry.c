/*
 * The collectors rete knows, one line each, in the order they are listed
 * (`rete inspect`, "Collector(s) started: ...") and set up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <string.h>

#include "core/collector.h"
#include "events/section.h"

extern const struct rete_collector_ops rete_collector_skb_tracking;
extern const struct rete_collector_ops rete_collector_skb;
extern const struct rete_collector_ops rete_collector_skb_drop;
extern const struct rete_collector_ops rete_collector_dev;
extern const struct rete_collector_ops rete_collector_ns;
extern const struct rete_collector_ops rete_collector_ct;
extern const struct rete_collector_ops rete_collector_nft;

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

static const struct rete_collector_ops ovs = { .name = "ovs", .check = check_ovs };

static const struct rete_collector_ops *const registry[] = {
	&rete_collector_skb_tracking,
	&rete_collector_skb,
	&rete_collector_skb_drop,
	&ovs,
	&rete_collector_nft,
	&rete_collector_ct,
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

/* Described sections, in registry order (their index in struct rete_event's xsec). */
static const struct rete_section_desc *xsections[RETE_XSEC_MAX];
static size_t nxsections;
static pthread_once_t xsections_once = PTHREAD_ONCE_INIT;

static void xsections_init(void)
{
	for (size_t i = 0; i < rete_collectors_count(); i++)
		if (registry[i]->section && nxsections < RETE_XSEC_MAX)
			xsections[nxsections++] = registry[i]->section;
}

size_t rete_xsections_count(void)
{
	pthread_once(&xsections_once, xsections_init);
	return nxsections;
}

const struct rete_section_desc *rete_xsection(size_t i)
{
	pthread_once(&xsections_once, xsections_init);
	return i < nxsections ? xsections[i] : NULL;
}

int rete_xsection_find(const char *name)
{
	pthread_once(&xsections_once, xsections_init);
	for (size_t i = 0; i < nxsections; i++)
		if (!strcmp(xsections[i]->name, name))
			return (int)i;
	return -1;
}
