/*
 * Counting what an event file holds (`rete stats`), no output of its own.
 *
 * Events are the non-metadata lines: startup sections (one per file) and
 * "lost" sections are counted apart. Tables (probe, drop reason, device,
 * netns) keep at most RETE_STATS_KEYS_MAX distinct keys each; events with
 * further keys are counted as "other". Tracked packets (distinct tracking
 * ids) are counted exactly up to RETE_STATS_EXACT_MAX, then estimated
 * (HyperLogLog, about 1% error): memory stays bounded for any input.
 *
 * Lost events: rete reads them from a "lost" section, {"total": N,
 * "probes": {"<probe>": N, ...}} ("probes" optional), summed over the
 * file(s); without one the count is "not recorded", not 0.
 */
#ifndef RETE_PROCESS_STATS_H
#define RETE_PROCESS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/event.h"

#define RETE_STATS_KEYS_MAX 65536
#define RETE_STATS_EXACT_MAX (1u << 20)

enum rete_stats_table {
	RETE_STATS_PROBES,	/* "probe_type/symbol", as Retis names probes */
	RETE_STATS_DROPS,	/* drop reason ("subsys/REASON" outside the core) */
	RETE_STATS_DEVICES,	/* name, ifindex, netns inum when known */
	RETE_STATS_NETNS,	/* inum, cookie when known */
	RETE_STATS_LOST,	/* lost events per probe, from "lost" sections */
	RETE_STATS_TABLE_MAX,
};

struct rete_stats_row {
	const char *key;	/* probe, drop reason or device name; "" for netns */
	uint64_t count;
	uint32_t ifindex;	/* devices */
	bool has_inum;		/* devices (netns known), netns */
	uint32_t inum;
	bool has_cookie;	/* netns */
	uint64_t cookie;
};

struct rete_stats_summary {
	uint64_t events;	/* events, metadata lines excluded */
	uint64_t startups;	/* startup sections (files) */
	bool has_ts;		/* some event had a timestamp */
	uint64_t first_ts, last_ts;	/* lowest and highest, CLOCK_MONOTONIC ns */
	bool has_offset;	/* first startup section's clock offset, for dates */
	int64_t offset_sec, offset_nsec;
	char version[64];	/* first startup section's producer version, "" if none */
	uint64_t tracked;	/* events with a tracking id */
	uint64_t packets;	/* distinct tracking ids */
	bool packets_estimated;
	uint64_t with_packet;	/* events with packet bytes */
	uint64_t drops;		/* events with a skb-drop section */
	bool lost_recorded;
	uint64_t lost;
};

struct rete_stats;

int rete_stats_new(struct rete_stats **ret);
/* Count one event. 0 or -ENOMEM. */
int rete_stats_add(struct rete_stats *s, const struct rete_event *ev);
void rete_stats_summary(const struct rete_stats *s, struct rete_stats_summary *ret);
/*
 * Rows of a table, most frequent first (ties by key, then numbers). The
 * array is the caller's to free; its strings are borrowed from s.
 * *ret_other counts events whose key did not fit the table.
 */
int rete_stats_rows(const struct rete_stats *s, enum rete_stats_table t,
		    struct rete_stats_row **ret, size_t *ret_n, uint64_t *ret_other);
void rete_stats_free(struct rete_stats *s);

#endif
