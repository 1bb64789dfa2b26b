/*
 * Grouping events into series (`rete sort`), no output of its own.
 *
 * A series is every event of one packet: the events sharing a tracking id
 * (skb-tracking orig_head and first-seen timestamp, or an existing tracking
 * section when re-sorting a sorted file). Clones share their original's id
 * and so its series; their skb address tells them apart. Events without a
 * tracking id (the startup line, events of probes without skb tracking)
 * each form a series of one event ("untracked").
 *
 * Inside a series events are ordered by timestamp (arrival order for equal
 * timestamps). Series are handed out oldest first, by their first (lowest)
 * timestamp, untracked events by theirs: at most max_buffer series and
 * untracked events are in flight, and at most max_events events; adding one
 * more hands out the oldest first. A series handed out early because of the
 * bound is split if more of its events come later; the sorter counts the
 * ones it notices (approximately: it remembers a bounded set of ids).
 *
 * The sorter stores what the caller makes of each event (encode callback,
 * e.g. the event's JSON line), not the event: memory is bounded by the
 * limits above, whatever the input size.
 */
#ifndef RETE_PROCESS_SORT_H
#define RETE_PROCESS_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "lib/strbuf.h"

#define RETE_SORT_DEFAULT_BUFFER 1000
/* Events in flight per series slot of the buffer, when max_events is 0. */
#define RETE_SORT_EVENTS_PER_SLOT 64

struct rete_sort_id {
	uint64_t orig_head;
	uint64_t timestamp;	/* first time the packet was seen */
};

/* Where an event goes, given to the encoder. */
struct rete_sort_pos {
	bool tracked;
	struct rete_sort_id id;
	uint64_t skb;		/* this event's skb address */
	uint32_t idx;		/* index in its series, unless an older event comes later */
};

struct rete_sort_item {
	uint64_t timestamp;
	uint32_t idx_at_add;	/* pos.idx the encoder was given (vs. the final index) */
	size_t len;
	char *data;		/* what the encoder wrote */
};

struct rete_sort_series {
	bool tracked;
	struct rete_sort_id id;
	size_t n;
	const struct rete_sort_item *items;	/* final order: items[i] has index i */
};

/* Append the stored form of ev to out. 0 or -errno (returned by rete_sorter_add()). */
typedef int (*rete_sort_encode_fn)(const struct rete_event *ev, const struct rete_sort_pos *pos,
				   struct rete_strbuf *out, void *arg);
/* Take one series; items are freed on return. 0 or -errno (stops, returned to the caller). */
typedef int (*rete_sort_emit_fn)(const struct rete_sort_series *s, void *arg);

struct rete_sort_cfg {
	size_t max_buffer;	/* series + untracked events in flight; 0 = unbounded */
	size_t max_events;	/* events in flight; 0 = RETE_SORT_EVENTS_PER_SLOT * max_buffer */
	rete_sort_encode_fn encode;
	rete_sort_emit_fn emit;
	void *arg;
};

struct rete_sort_stats {
	uint64_t events;	/* added */
	uint64_t series;	/* handed out, tracked */
	uint64_t untracked;	/* handed out, untracked */
	uint64_t early;		/* tracked series handed out because the buffer was full */
	uint64_t split;		/* tracked ids seen again after being handed out early */
	size_t peak;		/* most series + untracked events in flight */
};

struct rete_sorter;

/* The tracking id of an event (and its skb address); false when it has none. */
bool rete_sort_event_id(const struct rete_event *ev, struct rete_sort_id *ret_id,
			uint64_t *ret_skb);

int rete_sorter_new(const struct rete_sort_cfg *cfg, struct rete_sorter **ret);
/* Add one event; may hand out series (emit). 0 or -errno from encode/emit, -ENOMEM. */
int rete_sorter_add(struct rete_sorter *s, const struct rete_event *ev);
/* Hand out everything still buffered, oldest first. */
int rete_sorter_flush(struct rete_sorter *s);
void rete_sorter_stats(const struct rete_sorter *s, struct rete_sort_stats *ret);
void rete_sorter_free(struct rete_sorter *s);

#endif
