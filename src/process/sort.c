/*
 * Series sorter: open series live in a hash table (by tracking id) and, with
 * untracked events, in a binary min-heap ordered by first timestamp then
 * arrival, so the oldest is handed out in O(log n) when the buffer is full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "process/sort.h"

/* Ids of series handed out early, remembered to count splits (direct-mapped). */
#define RECENT_SLOTS 4096

struct entry {
	uint64_t key;		/* lowest timestamp of its events */
	uint64_t seq;		/* arrival order, for equal keys */
	size_t heap_idx;
	bool tracked;
	struct rete_sort_id id;
	struct entry *hnext;	/* hash chain */
	struct rete_sort_item *items;
	size_t n, cap;
};

struct rete_sorter {
	struct rete_sort_cfg cfg;
	struct entry **heap;
	size_t nheap, heap_cap;
	struct entry **buckets;
	size_t nbuckets, ntracked;
	size_t nevents;		/* events in flight */
	uint64_t seq;
	struct rete_strbuf sb;
	struct rete_sort_id *recent;
	bool *recent_used;
	struct rete_sort_stats stats;
};

bool rete_sort_event_id(const struct rete_event *ev, struct rete_sort_id *ret_id,
			uint64_t *ret_skb)
{
	if (rete_event_has(ev, RETE_SEC_SKB_TRACKING)) {
		ret_id->orig_head = ev->skb_tracking.orig_head;
		ret_id->timestamp = ev->skb_tracking.timestamp;
		*ret_skb = ev->skb_tracking.skb;
		return true;
	}
	if (rete_event_has(ev, RETE_SEC_TRACKING)) {
		ret_id->orig_head = ev->tracking.orig_head;
		ret_id->timestamp = ev->tracking.timestamp;
		*ret_skb = ev->tracking.skb;
		return true;
	}
	return false;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static size_t id_hash(const struct rete_sort_id *id)
{
	return (size_t)mix(id->orig_head ^ mix(id->timestamp));
}

static bool id_eq(const struct rete_sort_id *a, const struct rete_sort_id *b)
{
	return a->orig_head == b->orig_head && a->timestamp == b->timestamp;
}

int rete_sorter_new(const struct rete_sort_cfg *cfg, struct rete_sorter **ret)
{
	struct rete_sorter *s;

	if (!cfg->encode || !cfg->emit)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (s->cfg.max_buffer && !s->cfg.max_events) {
		s->cfg.max_events = s->cfg.max_buffer * RETE_SORT_EVENTS_PER_SLOT;
		if (s->cfg.max_events / RETE_SORT_EVENTS_PER_SLOT != s->cfg.max_buffer)
			s->cfg.max_events = SIZE_MAX;
	}
	s->nbuckets = 256;
	s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
	s->recent = calloc(RECENT_SLOTS, sizeof(*s->recent));
	s->recent_used = calloc(RECENT_SLOTS, sizeof(*s->recent_used));
	if (!s->buckets || !s->recent || !s->recent_used) {
		rete_sorter_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

/* ---- heap ---------------------------------------------------------------- */

static bool older(const struct entry *a, const struct entry *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void heap_set(struct rete_sorter *s, size_t i, struct entry *e)
{
	s->heap[i] = e;
	e->heap_idx = i;
}

static void sift_up(struct rete_sorter *s, size_t i)
{
	struct entry *e = s->heap[i];

	while (i) {
		size_t parent = (i - 1) / 2;

		if (!older(e, s->heap[parent]))
			break;
		heap_set(s, i, s->heap[parent]);
		i = parent;
	}
	heap_set(s, i, e);
}

static void sift_down(struct rete_sorter *s, size_t i)
{
	struct entry *e = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && older(s->heap[c + 1], s->heap[c]))
			c++;
		if (!older(s->heap[c], e))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

static int heap_push(struct rete_sorter *s, struct entry *e)
{
	if (s->nheap == s->heap_cap) {
		size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
		struct entry **h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		s->heap = h;
		s->heap_cap = cap;
	}
	s->heap[s->nheap] = e;
	e->heap_idx = s->nheap++;
	sift_up(s, e->heap_idx);
	if (s->nheap > s->stats.peak)
		s->stats.peak = s->nheap;
	return 0;
}

static struct entry *heap_pop(struct rete_sorter *s)
{
	struct entry *top = s->heap[0];

	if (--s->nheap) {
		heap_set(s, 0, s->heap[s->nheap]);
		sift_down(s, 0);
	}
	return top;
}

/* ---- hash ------------------------------------------------------------------ */

static struct entry *hash_find(const struct rete_sorter *s, const struct rete_sort_id *id)
{
	struct entry *e = s->buckets[id_hash(id) & (s->nbuckets - 1)];

	while (e && !id_eq(&e->id, id))
		e = e->hnext;
	return e;
}

static void hash_grow(struct rete_sorter *s)
{
	size_t n = s->nbuckets * 2;
	struct entry **b = calloc(n, sizeof(*b));

	if (!b)
		return;	/* longer chains, still correct */
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct entry *e = s->buckets[i], *next;

		for (; e; e = next) {
			size_t h = id_hash(&e->id) & (n - 1);

			next = e->hnext;
			e->hnext = b[h];
			b[h] = e;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
}

static void hash_add(struct rete_sorter *s, struct entry *e)
{
	size_t h;

	if (s->ntracked >= s->nbuckets)
		hash_grow(s);
	h = id_hash(&e->id) & (s->nbuckets - 1);
	e->hnext = s->buckets[h];
	s->buckets[h] = e;
	s->ntracked++;
}

static void hash_del(struct rete_sorter *s, struct entry *e)
{
	struct entry **p = &s->buckets[id_hash(&e->id) & (s->nbuckets - 1)];

	while (*p && *p != e)
		p = &(*p)->hnext;
	if (*p) {
		*p = e->hnext;
		s->ntracked--;
	}
}

/* ---- series ---------------------------------------------------------------- */

static void entry_free(struct entry *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->items[i].data);
	free(e->items);
	free(e);
}

/* Hand out one entry (already out of the heap) and free it. */
static int emit(struct rete_sorter *s, struct entry *e, bool early)
{
	struct rete_sort_series series = {
		.tracked = e->tracked,
		.id = e->id,
		.n = e->n,
		.items = e->items,
	};
	int rc;

	if (e->tracked) {
		size_t slot = id_hash(&e->id) % RECENT_SLOTS;

		hash_del(s, e);
		s->stats.series++;
		if (early) {
			s->stats.early++;
			s->recent[slot] = e->id;
			s->recent_used[slot] = true;
		}
	} else {
		s->stats.untracked++;
	}
	s->nevents -= e->n;
	rc = s->cfg.emit(&series, s->cfg.arg);
	entry_free(e);
	return rc;
}

static int emit_oldest(struct rete_sorter *s, bool early)
{
	return emit(s, heap_pop(s), early);
}

static struct entry *new_entry(struct rete_sorter *s, bool tracked,
			       const struct rete_sort_id *id, uint64_t ts)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->tracked = tracked;
	if (tracked)
		e->id = *id;
	e->key = ts;
	e->seq = s->seq++;
	if (heap_push(s, e)) {
		free(e);
		return NULL;
	}
	if (tracked) {
		size_t slot = id_hash(id) % RECENT_SLOTS;

		hash_add(s, e);
		if (s->recent_used[slot] && id_eq(&s->recent[slot], id)) {
			s->stats.split++;
			s->recent_used[slot] = false;
		}
	}
	return e;
}

/* Remove a fresh, still empty entry after a failure. */
static void drop_entry(struct rete_sorter *s, struct entry *e)
{
	size_t i = e->heap_idx;

	if (e->tracked)
		hash_del(s, e);
	if (i != --s->nheap) {
		struct entry *moved = s->heap[s->nheap];

		heap_set(s, i, moved);
		sift_down(s, i);
		sift_up(s, moved->heap_idx);
	}
	entry_free(e);
}

/* Index of a new event with timestamp ts: after every event not newer. */
static size_t insert_pos(const struct entry *e, uint64_t ts)
{
	size_t i = e->n;

	while (i && e->items[i - 1].timestamp > ts)
		i--;
	return i;
}

static int add_item(struct rete_sorter *s, struct entry *e, const struct rete_event *ev,
		    struct rete_sort_pos *pos, uint64_t ts)
{
	struct rete_sort_item *it;
	size_t at = insert_pos(e, ts);
	char *data;
	int rc;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;

		it = realloc(e->items, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		e->items = it;
		e->cap = cap;
	}
	pos->idx = at > UINT32_MAX ? UINT32_MAX : (uint32_t)at;
	rete_strbuf_reset(&s->sb);
	rc = s->cfg.encode(ev, pos, &s->sb, s->cfg.arg);
	if (!rc)
		rc = s->sb.err;
	if (rc)
		return rc;
	data = malloc(s->sb.len ? s->sb.len : 1);
	if (!data)
		return -ENOMEM;
	if (s->sb.len)
		memcpy(data, s->sb.buf, s->sb.len);
	memmove(&e->items[at + 1], &e->items[at], (e->n - at) * sizeof(*e->items));
	e->items[at] = (struct rete_sort_item){
		.timestamp = ts,
		.idx_at_add = pos->idx,
		.len = s->sb.len,
		.data = data,
	};
	e->n++;
	s->nevents++;
	if (ts < e->key) {
		e->key = ts;
		sift_up(s, e->heap_idx);
	}
	return 0;
}

int rete_sorter_add(struct rete_sorter *s, const struct rete_event *ev)
{
	struct rete_sort_pos pos = { 0 };
	uint64_t ts = rete_event_has(ev, RETE_SEC_COMMON) ? ev->common.timestamp : 0;
	struct entry *e = NULL;
	bool fresh = false;
	int rc;

	pos.tracked = rete_sort_event_id(ev, &pos.id, &pos.skb);
	if (pos.tracked)
		e = hash_find(s, &pos.id);
	if (!e) {
		e = new_entry(s, pos.tracked, &pos.id, ts);
		if (!e)
			return -ENOMEM;
		fresh = true;
	}
	rc = add_item(s, e, ev, &pos, ts);
	if (rc) {
		if (fresh)
			drop_entry(s, e);
		return rc;
	}
	s->stats.events++;
	while (s->cfg.max_buffer && s->nheap &&
	       (s->nheap > s->cfg.max_buffer || s->nevents > s->cfg.max_events)) {
		rc = emit_oldest(s, true);
		if (rc)
			return rc;
	}
	return 0;
}

int rete_sorter_flush(struct rete_sorter *s)
{
	int rc;

	while (s->nheap) {
		rc = emit_oldest(s, false);
		if (rc)
			return rc;
	}
	return 0;
}

void rete_sorter_stats(const struct rete_sorter *s, struct rete_sort_stats *ret)
{
	*ret = s->stats;
}

void rete_sorter_free(struct rete_sorter *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nheap; i++)
		entry_free(s->heap[i]);
	free(s->heap);
	free(s->buckets);
	free(s->recent);
	free(s->recent_used);
	rete_strbuf_free(&s->sb);
	free(s);
}
