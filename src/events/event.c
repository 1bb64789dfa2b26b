#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "events/section.h"

_Static_assert(RETE_XSEC_SLOTS == RETE_XSEC_MAX, "one slot per described section");

struct rete_arena_chunk {
	struct rete_arena_chunk *next;
	size_t cap;
	size_t used;
	unsigned char data[];
};

#define ARENA_CHUNK_MIN 4096

static const char *const section_names[RETE_SEC_MAX] = {
	[RETE_SEC_COMMON] = "common",
	[RETE_SEC_KERNEL] = "kernel",
	[RETE_SEC_STARTUP] = "startup",
	[RETE_SEC_SKB_TRACKING] = "skb-tracking",
	[RETE_SEC_SKB_DROP] = "skb-drop",
	[RETE_SEC_PACKET] = "packet",
	[RETE_SEC_SKB] = "skb",
	[RETE_SEC_DEV] = "dev",
	[RETE_SEC_NETNS] = "netns",
	[RETE_SEC_TRACKING] = "tracking",
};

const char *rete_section_name(enum rete_section_id id)
{
	return (unsigned)id < RETE_SEC_MAX ? section_names[id] : "?";
}

void rete_event_reset(struct rete_event *ev)
{
	struct rete_arena_chunk *keep = ev->arena, *c, *next;

	if (keep) {
		for (c = keep->next; c; c = next) {
			next = c->next;
			free(c);
		}
		keep->next = NULL;
		keep->used = 0;
	}
	memset(ev, 0, sizeof(*ev));
	ev->arena = keep;
}

void rete_event_free(struct rete_event *ev)
{
	struct rete_arena_chunk *c, *next;

	for (c = ev->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(ev, 0, sizeof(*ev));
}

void *rete_event_alloc(struct rete_event *ev, size_t n)
{
	struct rete_arena_chunk *c = ev->arena;
	size_t need = (n + 7) & ~(size_t)7;
	void *p;

	if (need < n) {
		errno = ENOMEM;
		return NULL;
	}
	/* Chunks are pushed at the head: the head is always the one being filled. */
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;

		if (c && c->used == 0 && !c->next) {
			free(c);
			c = NULL;
			ev->arena = NULL;
		}
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			errno = ENOMEM;
			return NULL;
		}
		c->cap = cap;
		c->used = 0;
		c->next = ev->arena;
		ev->arena = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

const char *rete_event_strndup(struct rete_event *ev, const char *s, size_t n)
{
	char *p = rete_event_alloc(ev, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int rete_event_add_extra(struct rete_event *ev, const char *name, const char *json, size_t len)
{
	struct rete_ev_extra *x;
	size_t nlen = strlen(name);

	if (ev->nextra >= RETE_EXTRA_MAX)
		return -E2BIG;
	if (nlen >= sizeof(x->name))
		return -ENAMETOOLONG;
	x = &ev->extra[ev->nextra];
	x->json = rete_event_strndup(ev, json, len);
	if (!x->json)
		return -ENOMEM;
	memcpy(x->name, name, nlen + 1);
	ev->nextra++;
	return 0;
}

const struct rete_ev_extra *rete_event_find_extra(const struct rete_event *ev, const char *name)
{
	for (uint32_t i = 0; i < ev->nextra; i++)
		if (!strcmp(ev->extra[i].name, name))
			return &ev->extra[i];
	return NULL;
}

void *rete_event_xsec(struct rete_event *ev, size_t i, bool create)
{
	const struct rete_section_desc *d = rete_xsection(i);
	void *p;

	if (!d || i >= RETE_XSEC_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	if (d->ev_bit) {
		p = (char *)ev + d->ev_off;
		if (rete_event_has(ev, (enum rete_section_id)(d->ev_bit - 1)))
			return p;
		if (!create)
			return NULL;
		memset(p, 0, d->size);
		rete_event_set(ev, (enum rete_section_id)(d->ev_bit - 1));
		return p;
	}
	if (ev->xpresent & (1u << i))
		return ev->xsec[i];
	if (!create)
		return NULL;
	p = rete_event_alloc(ev, d->size);
	if (!p)
		return NULL;
	memset(p, 0, d->size);
	ev->xsec[i] = p;
	ev->xpresent |= 1u << i;
	return p;
}

const void *rete_event_xsec_get(const struct rete_event *ev, size_t i)
{
	const struct rete_section_desc *d = rete_xsection(i);

	if (!d || i >= RETE_XSEC_SLOTS)
		return NULL;
	if (d->ev_bit)
		return rete_event_has(ev, (enum rete_section_id)(d->ev_bit - 1)) ?
			       (const char *)ev + d->ev_off : NULL;
	return ev->xpresent & (1u << i) ? ev->xsec[i] : NULL;
}

void rete_event_xsec_clear(struct rete_event *ev, size_t i)
{
	const struct rete_section_desc *d = rete_xsection(i);

	if (!d || i >= RETE_XSEC_SLOTS)
		return;
	if (d->ev_bit)
		ev->present &= ~(1u << (d->ev_bit - 1));
	else
		ev->xpresent &= ~(1u << i);
}

int rete_event_copy(struct rete_event *dst, const struct rete_event *src)
{
	struct rete_arena_chunk *keep = dst->arena;

	rete_event_reset(dst);
	keep = dst->arena;
	memcpy(dst, src, sizeof(*dst));
	dst->arena = keep;
	/* Re-home every arena pointer. */
	if (rete_event_has(src, RETE_SEC_KERNEL)) {
		for (uint32_t i = 0; i < src->kernel.nstack; i++) {
			dst->kernel.stack[i] = rete_event_strndup(dst, src->kernel.stack[i],
								  strlen(src->kernel.stack[i]));
			if (!dst->kernel.stack[i])
				return -ENOMEM;
		}
	}
	if (src->startup.cmdline) {
		dst->startup.cmdline = rete_event_strndup(dst, src->startup.cmdline,
							  strlen(src->startup.cmdline));
		if (!dst->startup.cmdline)
			return -ENOMEM;
	}
	if (src->packet.data) {
		uint8_t *d = rete_event_alloc(dst, src->packet.capture_len ? src->packet.capture_len : 1);

		if (!d)
			return -ENOMEM;
		memcpy(d, src->packet.data, src->packet.capture_len);
		dst->packet.data = d;
	}
	dst->xpresent = 0;
	for (size_t i = 0; i < RETE_XSEC_SLOTS; i++) {
		const void *sec = rete_event_xsec_get(src, i);
		void *d;

		/* Models kept inside struct rete_event came with the memcpy. */
		if (!sec || rete_xsection(i)->ev_bit)
			continue;
		d = rete_event_xsec(dst, i, true);
		if (!d)
			return -ENOMEM;
		memcpy(d, sec, rete_xsection(i)->size);
	}
	for (uint32_t i = 0; i < src->nextra; i++) {
		dst->extra[i].json = rete_event_strndup(dst, src->extra[i].json,
							strlen(src->extra[i].json));
		if (!dst->extra[i].json)
			return -ENOMEM;
	}
	return 0;
}
