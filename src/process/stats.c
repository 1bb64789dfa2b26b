/*
 * Event file statistics: bounded counter tables (chained hash by key) and a
 * distinct counter for tracking ids (exact open-addressing set, HyperLogLog
 * once the set would grow past its bound).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "process/sort.h"
#include "process/stats.h"

/* HyperLogLog with 2^14 registers: ~0.8% standard error, 16 KiB. */
#define HLL_BITS 14
#define HLL_REGS (1u << HLL_BITS)

struct counter {
	struct counter *next;
	uint64_t hash;
	struct rete_stats_row row;
	char key[];
};

struct table {
	struct counter **buckets;
	size_t nbuckets, n;
	uint64_t other;
};

struct rete_stats {
	struct table tables[RETE_STATS_TABLE_MAX];
	struct rete_stats_summary sum;
	/* Exact set of tracking ids, open addressing; NULL once estimating. */
	struct rete_sort_id *ids;
	bool *used;
	size_t ids_cap, nids;
	uint8_t hll[HLL_REGS];
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* FNV-1a over the key, then the numbers. */
static uint64_t row_hash(const char *key, const struct rete_stats_row *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = mix(h ^ r->ifindex);
	h = mix(h ^ ((uint64_t)r->has_inum << 32 | r->inum));
	return mix(h ^ r->cookie ^ ((uint64_t)r->has_cookie << 63));
}

static bool row_eq(const struct counter *c, uint64_t h, const char *key,
		   const struct rete_stats_row *r)
{
	return c->hash == h && c->row.ifindex == r->ifindex && c->row.has_inum == r->has_inum &&
	       c->row.inum == r->inum && c->row.has_cookie == r->has_cookie &&
	       c->row.cookie == r->cookie && !strcmp(c->key, key);
}

static int table_grow(struct table *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
	struct counter **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct counter *c = t->buckets[i], *next;

		for (; c; c = next) {
			next = c->next;
			c->next = b[c->hash & (n - 1)];
			b[c->hash & (n - 1)] = c;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	return 0;
}

/* Add n to the row (key + numbers in r). */
static int count(struct table *t, const char *key, const struct rete_stats_row *r, uint64_t n)
{
	uint64_t h = row_hash(key, r);
	size_t klen = strlen(key);
	struct counter *c;

	if (t->nbuckets) {
		for (c = t->buckets[h & (t->nbuckets - 1)]; c; c = c->next) {
			if (row_eq(c, h, key, r)) {
				c->row.count += n;
				return 0;
			}
		}
	}
	if (t->n >= RETE_STATS_KEYS_MAX) {
		t->other += n;
		return 0;
	}
	if (t->n >= t->nbuckets && table_grow(t))
		return -ENOMEM;
	c = malloc(sizeof(*c) + klen + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c->key, key, klen + 1);
	c->hash = h;
	c->row = *r;
	c->row.key = c->key;
	c->row.count = n;
	c->next = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = c;
	t->n++;
	return 0;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct counter *c = t->buckets[i], *next;

		for (; c; c = next) {
			next = c->next;
			free(c);
		}
	}
	free(t->buckets);
}

int rete_stats_new(struct rete_stats **ret)
{
	struct rete_stats *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->ids_cap = 1024;
	s->ids = calloc(s->ids_cap, sizeof(*s->ids));
	s->used = calloc(s->ids_cap, sizeof(*s->used));
	if (!s->ids || !s->used) {
		rete_stats_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void rete_stats_free(struct rete_stats *s)
{
	if (!s)
		return;
	for (int i = 0; i < RETE_STATS_TABLE_MAX; i++)
		table_free(&s->tables[i]);
	free(s->ids);
	free(s->used);
	free(s);
}

/* ---- distinct tracking ids ---------------------------------------------------- */

static uint64_t id_hash(const struct rete_sort_id *id)
{
	return mix(id->orig_head ^ mix(id->timestamp + 0x9e3779b97f4a7c15ULL));
}

static void hll_add(struct rete_stats *s, uint64_t h)
{
	uint32_t reg = (uint32_t)(h >> (64 - HLL_BITS));
	uint64_t rest = (h << HLL_BITS) | (1ULL << (HLL_BITS - 1));
	uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);

	if (rank > s->hll[reg])
		s->hll[reg] = rank;
}

/*
 * Raw HyperLogLog estimate. The small-range correction is not needed: the
 * estimate is only used past RETE_STATS_EXACT_MAX ids, far above 2.5 x the
 * number of registers.
 */
static uint64_t hll_estimate(const struct rete_stats *s)
{
	double m = HLL_REGS, sum = 0;

	for (unsigned i = 0; i < HLL_REGS; i++)
		sum += 1.0 / (double)(1ULL << s->hll[i]);
	return (uint64_t)(0.7213 / (1 + 1.079 / m) * m * m / sum + 0.5);
}

static void stop_exact(struct rete_stats *s)
{
	free(s->ids);
	free(s->used);
	s->ids = NULL;
	s->used = NULL;
	s->sum.packets_estimated = true;
}

static int ids_grow(struct rete_stats *s)
{
	size_t cap = s->ids_cap * 2;
	struct rete_sort_id *ids = calloc(cap, sizeof(*ids));
	bool *used = calloc(cap, sizeof(*used));

	if (!ids || !used) {
		free(ids);
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->ids_cap; i++) {
		size_t j;

		if (!s->used[i])
			continue;
		for (j = id_hash(&s->ids[i]) & (cap - 1); used[j]; j = (j + 1) & (cap - 1))
			;
		used[j] = true;
		ids[j] = s->ids[i];
	}
	free(s->ids);
	free(s->used);
	s->ids = ids;
	s->used = used;
	s->ids_cap = cap;
	return 0;
}

static int add_id(struct rete_stats *s, const struct rete_sort_id *id)
{
	uint64_t h = id_hash(id);
	size_t j;

	hll_add(s, h);
	if (!s->ids)
		return 0;
	for (j = h & (s->ids_cap - 1); s->used[j]; j = (j + 1) & (s->ids_cap - 1))
		if (s->ids[j].orig_head == id->orig_head && s->ids[j].timestamp == id->timestamp)
			return 0;
	if (s->nids >= RETE_STATS_EXACT_MAX) {
		stop_exact(s);
		return 0;
	}
	s->used[j] = true;
	s->ids[j] = *id;
	s->nids++;
	/* Keep the load under 1/2. */
	if (s->nids * 2 > s->ids_cap && ids_grow(s))
		stop_exact(s);	/* no memory for more: estimate from now on */
	return 0;
}

/* ---- events ------------------------------------------------------------------ */

static int64_t json_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* A "lost" section: {"total": N, "probes": {"probe": N}}. */
static int add_lost(struct rete_stats *s, const char *json)
{
	struct json_object *o = json_tokener_parse(json), *probes;
	struct rete_stats_row r = { 0 };
	int64_t total;
	int rc = 0;

	if (!o)
		return 0;
	total = json_object_is_type(o, json_type_int) ? json_object_get_int64(o) :
							 json_int(o, "total");
	if (total >= 0) {
		s->sum.lost_recorded = true;
		s->sum.lost += (uint64_t)total;
	}
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "probes", &probes) &&
	    json_object_is_type(probes, json_type_object)) {
		json_object_object_foreach(probes, name, v)
		{
			if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
				continue;
			rc = count(&s->tables[RETE_STATS_LOST], name, &r,
				   (uint64_t)json_object_get_int64(v));
			if (rc)
				break;
		}
	}
	json_object_put(o);
	return rc;
}

/* "probe_type/symbol" of a userspace section, or "userspace". */
static void userspace_probe(const char *json, char *buf, size_t len)
{
	struct json_object *o = json_tokener_parse(json), *t, *sym;

	snprintf(buf, len, "userspace");
	if (o && json_object_object_get_ex(o, "probe_type", &t) &&
	    json_object_object_get_ex(o, "symbol", &sym))
		snprintf(buf, len, "%s/%s", json_object_get_string(t), json_object_get_string(sym));
	json_object_put(o);
}

static int add_sections(struct rete_stats *s, const struct rete_event *ev)
{
	const struct rete_ev_extra *user = rete_event_find_extra(ev, "userspace");
	struct rete_stats_row r = { 0 };
	char key[256];
	int rc;

	if (rete_event_has(ev, RETE_SEC_KERNEL))
		snprintf(key, sizeof(key), "%.*s/%.*s", (int)sizeof(ev->kernel.probe_type),
			 ev->kernel.probe_type, (int)sizeof(ev->kernel.symbol), ev->kernel.symbol);
	else if (user)
		userspace_probe(user->json, key, sizeof(key));
	else
		snprintf(key, sizeof(key), "(no probe)");
	rc = count(&s->tables[RETE_STATS_PROBES], key, &r, 1);

	if (!rc && rete_event_has(ev, RETE_SEC_SKB_DROP)) {
		const struct rete_ev_skb_drop *d = &ev->skb_drop;

		s->sum.drops++;
		if (d->subsys[0])
			snprintf(key, sizeof(key), "%.*s/%.*s", (int)sizeof(d->subsys), d->subsys,
				 (int)sizeof(d->drop_reason), d->drop_reason);
		else
			snprintf(key, sizeof(key), "%.*s", (int)sizeof(d->drop_reason),
				 d->drop_reason);
		rc = count(&s->tables[RETE_STATS_DROPS], key, &r, 1);
	}
	if (!rc && rete_event_has(ev, RETE_SEC_DEV)) {
		struct rete_stats_row d = { .ifindex = ev->dev.ifindex };

		if (rete_event_has(ev, RETE_SEC_NETNS)) {
			d.has_inum = true;
			d.inum = ev->netns.inum;
		}
		snprintf(key, sizeof(key), "%.*s", (int)sizeof(ev->dev.name), ev->dev.name);
		rc = count(&s->tables[RETE_STATS_DEVICES], key, &d, 1);
	}
	if (!rc && rete_event_has(ev, RETE_SEC_NETNS)) {
		struct rete_stats_row n = {
			.has_inum = true,
			.inum = ev->netns.inum,
			.has_cookie = ev->netns.has_cookie,
			.cookie = ev->netns.cookie,
		};

		rc = count(&s->tables[RETE_STATS_NETNS], "", &n, 1);
	}
	return rc;
}

int rete_stats_add(struct rete_stats *s, const struct rete_event *ev)
{
	const struct rete_ev_extra *lost = rete_event_find_extra(ev, "lost");
	struct rete_stats_summary *sum = &s->sum;
	struct rete_sort_id id;
	uint64_t skb;

	if (rete_event_has(ev, RETE_SEC_STARTUP)) {
		if (!sum->startups++) {
			sum->has_offset = true;
			sum->offset_sec = ev->startup.mono_offset_sec;
			sum->offset_nsec = ev->startup.mono_offset_nsec;
			snprintf(sum->version, sizeof(sum->version), "%.*s",
				 (int)sizeof(ev->startup.version), ev->startup.version);
		}
		return 0;
	}
	if (lost)
		return add_lost(s, lost->json);

	sum->events++;
	if (rete_event_has(ev, RETE_SEC_COMMON)) {
		uint64_t ts = ev->common.timestamp;

		if (!sum->has_ts || ts < sum->first_ts)
			sum->first_ts = ts;
		if (!sum->has_ts || ts > sum->last_ts)
			sum->last_ts = ts;
		sum->has_ts = true;
	}
	if (rete_event_has(ev, RETE_SEC_PACKET) && ev->packet.data)
		sum->with_packet++;
	if (rete_sort_event_id(ev, &id, &skb)) {
		sum->tracked++;
		add_id(s, &id);
	}
	return add_sections(s, ev);
}

void rete_stats_summary(const struct rete_stats *s, struct rete_stats_summary *ret)
{
	*ret = s->sum;
	ret->packets = s->ids ? s->nids : hll_estimate(s);
}

static int row_cmp(const void *a, const void *b)
{
	const struct rete_stats_row *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

int rete_stats_rows(const struct rete_stats *s, enum rete_stats_table t,
		    struct rete_stats_row **ret, size_t *ret_n, uint64_t *ret_other)
{
	const struct table *tb;
	struct rete_stats_row *rows;
	size_t n = 0;

	if ((unsigned)t >= RETE_STATS_TABLE_MAX)
		return -EINVAL;
	tb = &s->tables[t];
	rows = malloc((tb->n ? tb->n : 1) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < tb->nbuckets; i++)
		for (const struct counter *c = tb->buckets[i]; c; c = c->next)
			rows[n++] = c->row;
	qsort(rows, n, sizeof(*rows), row_cmp);
	*ret = rows;
	*ret_n = n;
	if (ret_other)
		*ret_other = tb->other;
	return 0;
}
