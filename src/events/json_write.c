/*
 * JSON writer for events, Retis 1.6 schema. Hot path while collecting: no
 * printf, no json library. The strbuf grows once per event to an upper
 * bound of its size, then the event is written through a plain cursor.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "events/json.h"
#include "events/json_emit.h"
#include "events/section.h"
#include "lib/base64.h"

static char *write_common(char *p, const struct rete_ev_common *c)
{
	p = w_lit(p, "{\"timestamp\":");
	p = w_u64(p, c->timestamp);
	if (c->has_smp_id) {
		p = w_lit(p, ",\"smp_id\":");
		p = w_u64(p, c->smp_id);
	}
	if (c->has_task) {
		p = w_lit(p, ",\"task\":{\"pid\":");
		p = w_i64(p, c->pid);
		p = w_lit(p, ",\"tgid\":");
		p = w_i64(p, c->tgid);
		p = w_lit(p, ",\"comm\":");
		p = w_arr(p, c->comm, sizeof(c->comm));
		p = w_c(p, '}');
	}
	return w_c(p, '}');
}

static inline uint32_t stack_len(const struct rete_ev_kernel *k)
{
	return k->nstack < RETE_STACK_MAX ? k->nstack : RETE_STACK_MAX;
}

static char *write_kernel(char *p, const struct rete_ev_kernel *k)
{
	p = w_lit(p, "{\"symbol\":");
	p = w_arr(p, k->symbol, sizeof(k->symbol));
	p = w_lit(p, ",\"probe_type\":");
	p = w_arr(p, k->probe_type, sizeof(k->probe_type));
	if (k->has_retval) {
		p = w_lit(p, ",\"retval\":");
		p = w_i64(p, k->retval);
	}
	if (k->has_stack) {
		p = w_lit(p, ",\"stack_trace\":[");
		for (uint32_t i = 0; i < stack_len(k); i++) {
			const char *s = k->stack[i] ? k->stack[i] : "";

			if (i)
				p = w_c(p, ',');
			p = w_str(p, s, strlen(s));
		}
		p = w_c(p, ']');
	}
	return w_c(p, '}');
}

static char *write_skb_ids(char *p, uint64_t orig_head, uint64_t ts, uint64_t skb)
{
	p = w_lit(p, "{\"orig_head\":");
	p = w_u64(p, orig_head);
	p = w_lit(p, ",\"timestamp\":");
	p = w_u64(p, ts);
	p = w_lit(p, ",\"skb\":");
	p = w_u64(p, skb);
	return w_c(p, '}');
}

static char *write_tracking(char *p, const struct rete_ev_tracking *t)
{
	p = w_lit(p, "{\"skb\":");
	p = write_skb_ids(p, t->orig_head, t->timestamp, t->skb);
	p = w_lit(p, ",\"idx\":");
	p = w_u64(p, t->idx);
	return w_c(p, '}');
}

static inline size_t packet_bytes(const struct rete_ev_packet *pk)
{
	return pk->data ? pk->capture_len : 0;
}

static char *write_packet(char *p, const struct rete_ev_packet *pk)
{
	p = w_lit(p, "{\"len\":");
	p = w_u64(p, pk->len);
	p = w_lit(p, ",\"capture_len\":");
	p = w_u64(p, pk->capture_len);
	p = w_lit(p, ",\"data\":\"");
	p += rete_base64_encode_raw(pk->data, packet_bytes(pk), p);
	return w_lit(p, "\"}");
}

static char *write_startup(char *p, const struct rete_ev_startup *s)
{
	p = w_lit(p, "{\"retis_version\":");
	p = w_arr(p, s->version, sizeof(s->version));
	if (s->cmdline) {
		p = w_lit(p, ",\"cmdline\":");
		p = w_str(p, s->cmdline, strlen(s->cmdline));
	}
	p = w_lit(p, ",\"clock_monotonic_offset\":{\"sec\":");
	p = w_i64(p, s->mono_offset_sec);
	p = w_lit(p, ",\"nsec\":");
	p = w_i64(p, s->mono_offset_nsec);
	p = w_c(p, '}');
	if (s->has_machine) {
		p = w_lit(p, ",\"machine\":{\"kernel_release\":");
		p = w_arr(p, s->kernel_release, sizeof(s->kernel_release));
		p = w_lit(p, ",\"kernel_version\":");
		p = w_arr(p, s->kernel_version, sizeof(s->kernel_version));
		p = w_lit(p, ",\"hardware_name\":");
		p = w_arr(p, s->hardware_name, sizeof(s->hardware_name));
		p = w_c(p, '}');
	}
	if (s->has_split) {
		p = w_lit(p, ",\"split_file\":{\"id\":");
		p = w_u64(p, s->split_id);
		p = w_lit(p, ",\"policy\":{\"kind\":\"size\",\"limit\":");
		p = w_u64(p, s->split_limit);
		p = w_lit(p, "}}");
	}
	return w_c(p, '}');
}

/* Sections in the order of Retis's `struct Event` (retis-events/src/events.rs). */
enum slot_kind {
	SLOT_MODELLED,	/* a rete_section_id, plus any extra of that name */
	SLOT_NAMED,	/* a section described by its collector (events/section.h), or an
			 * unmodelled Retis section kept as extra */
	SLOT_OTHERS,	/* sections whose name is in no slot */
};

struct slot {
	const char *name;
	enum slot_kind kind;
	enum rete_section_id id;
};

static const struct slot slots[] = {
	{ "common", SLOT_MODELLED, RETE_SEC_COMMON },
	{ "kernel", SLOT_MODELLED, RETE_SEC_KERNEL },
	{ "userspace", SLOT_NAMED, 0 },
	{ "tracking", SLOT_MODELLED, RETE_SEC_TRACKING },
	{ "skb-tracking", SLOT_NAMED, 0 },
	{ "skb-drop", SLOT_NAMED, 0 },
	{ "packet", SLOT_MODELLED, RETE_SEC_PACKET },
	{ "skb", SLOT_NAMED, 0 },
	{ "netns", SLOT_NAMED, 0 },
	{ "dev", SLOT_NAMED, 0 },
	{ "ovs", SLOT_NAMED, 0 },
	{ "ovs-detrace", SLOT_NAMED, 0 },
	{ "nft", SLOT_NAMED, 0 },
	{ "ct", SLOT_NAMED, 0 },
	{ NULL, SLOT_OTHERS, 0 },
	{ "startup", SLOT_MODELLED, RETE_SEC_STARTUP },
};

#define NSLOTS (sizeof(slots) / sizeof(slots[0]))

static bool slot_named(const char *name)
{
	for (size_t i = 0; i < NSLOTS; i++)
		if (slots[i].name && !strcmp(slots[i].name, name))
			return true;
	return false;
}

unsigned int rete_json_section_rank(const char *name)
{
	unsigned int others = 0;

	for (size_t i = 0; i < NSLOTS; i++) {
		if (!slots[i].name)
			others = (unsigned int)i;
		else if (!strcmp(slots[i].name, name))
			return (unsigned int)i;
	}
	return others;
}

static char *open_section(char *p, bool *first, const char *name, size_t cap)
{
	if (!*first)
		p = w_c(p, ',');
	*first = false;
	p = w_arr(p, name, cap);
	return w_c(p, ':');
}

static char *write_modelled(char *p, const struct rete_event *ev, enum rete_section_id id)
{
	switch (id) {
	case RETE_SEC_COMMON:
		return write_common(p, &ev->common);
	case RETE_SEC_KERNEL:
		return write_kernel(p, &ev->kernel);
	case RETE_SEC_STARTUP:
		return write_startup(p, &ev->startup);
	case RETE_SEC_PACKET:
		return write_packet(p, &ev->packet);
	case RETE_SEC_TRACKING:
		return write_tracking(p, &ev->tracking);
	default:
		/* Described by their collector: written from their tables. */
		break;
	}
	return p;
}

/* The described sections an event has (events/section.h), gathered once per event. */
struct described {
	size_t n;
	size_t idx[RETE_XSEC_SLOTS];	/* in the registry */
	const struct rete_section_desc *desc[RETE_XSEC_SLOTS];
	const void *sec[RETE_XSEC_SLOTS];
};

static void gather_described(const struct rete_event *ev, struct described *ds)
{
	size_t n = rete_xsections_count();

	ds->n = 0;
	for (size_t i = 0; i < n && i < RETE_XSEC_SLOTS; i++) {
		const void *sec = rete_event_xsec_get(ev, i);

		if (!sec)
			continue;
		ds->idx[ds->n] = i;
		ds->desc[ds->n] = rete_xsection(i);
		ds->sec[ds->n++] = sec;
	}
}

/* Described sections at the slot of their name (or among the others). */
static char *write_described(char *p, const struct described *ds, const struct slot *slot,
			     bool *first)
{
	for (size_t i = 0; i < ds->n; i++) {
		const struct rete_section_desc *d = ds->desc[i];

		if (slot->kind == SLOT_OTHERS ? slot_named(d->name) : strcmp(slot->name, d->name))
			continue;
		p = open_section(p, first, d->name, strlen(d->name));
		p = rete_fields_write(p, d->fields, ds->sec[i]);
	}
	return p;
}

static inline const char *extra_text(const struct rete_ev_extra *x)
{
	/* An extra without text still has to give valid JSON. */
	return x->json && x->json[0] ? x->json : "null";
}

static inline uint32_t nextra(const struct rete_event *ev)
{
	return ev->nextra < RETE_EXTRA_MAX ? ev->nextra : RETE_EXTRA_MAX;
}

static char *write_extras(char *p, const struct rete_event *ev, const struct slot *slot,
			  bool *first)
{
	for (uint32_t i = 0; i < nextra(ev); i++) {
		const struct rete_ev_extra *x = &ev->extra[i];
		const char *text;
		size_t n;

		if (slot->kind == SLOT_OTHERS ? slot_named(x->name) : strcmp(slot->name, x->name))
			continue;
		p = open_section(p, first, x->name, sizeof(x->name));
		text = extra_text(x);
		n = strlen(text);
		memcpy(p, text, n);
		p += n;
	}
	return p;
}

/*
 * Literal text of all modelled sections plus their numbers (at most 21
 * characters each) stay well below this; strings, stack entries, packet
 * bytes and extras are added one by one in event_bound().
 */
#define FIXED_MAX 4096

static void bound_add(size_t *total, size_t n)
{
	*total = *total > SIZE_MAX - n ? SIZE_MAX : *total + n;
}

static size_t bound_arr(const char *s, size_t cap)
{
	return str_max(strnlen(s, cap));
}

/* Size bounds of the described sections, computed once from their tables. */
static size_t described_bound[RETE_XSEC_SLOTS];
static pthread_once_t described_bound_once = PTHREAD_ONCE_INIT;

static void described_bound_init(void)
{
	for (size_t i = 0; i < rete_xsections_count() && i < RETE_XSEC_SLOTS; i++)
		/* ,"name":{...} */
		described_bound[i] = 4 + strlen(rete_xsection(i)->name) +
				     rete_fields_bound(rete_xsection(i)->fields);
}

/* Upper bound of the bytes rete_json_write_event() appends; SIZE_MAX if absurd. */
static size_t event_bound(const struct rete_event *ev, const struct described *ds)
{
	size_t b = FIXED_MAX;

	if (rete_event_has(ev, RETE_SEC_COMMON))
		bound_add(&b, bound_arr(ev->common.comm, sizeof(ev->common.comm)));
	if (rete_event_has(ev, RETE_SEC_KERNEL)) {
		const struct rete_ev_kernel *k = &ev->kernel;

		bound_add(&b, bound_arr(k->symbol, sizeof(k->symbol)));
		bound_add(&b, bound_arr(k->probe_type, sizeof(k->probe_type)));
		for (uint32_t i = 0; k->has_stack && i < stack_len(k); i++)
			bound_add(&b, 1 + (k->stack[i] ? str_max(strlen(k->stack[i])) : 2));
	}
	if (rete_event_has(ev, RETE_SEC_PACKET))
		bound_add(&b, rete_base64_encoded_len(packet_bytes(&ev->packet)));
	if (rete_event_has(ev, RETE_SEC_STARTUP)) {
		const struct rete_ev_startup *s = &ev->startup;

		bound_add(&b, bound_arr(s->version, sizeof(s->version)));
		bound_add(&b, bound_arr(s->kernel_release, sizeof(s->kernel_release)));
		bound_add(&b, bound_arr(s->kernel_version, sizeof(s->kernel_version)));
		bound_add(&b, bound_arr(s->hardware_name, sizeof(s->hardware_name)));
		if (s->cmdline)
			bound_add(&b, str_max(strlen(s->cmdline)));
	}
	pthread_once(&described_bound_once, described_bound_init);
	for (size_t i = 0; i < ds->n; i++)
		bound_add(&b, described_bound[ds->idx[i]]);
	for (uint32_t i = 0; i < nextra(ev); i++) {
		const struct rete_ev_extra *x = &ev->extra[i];

		/* ,"name":text */
		bound_add(&b, 2 + bound_arr(x->name, sizeof(x->name)));
		bound_add(&b, strlen(extra_text(x)));
	}
	return b;
}

/* -EEXIST when an extra is named like a modelled or described section that is present. */
static int check_extras(const struct rete_event *ev)
{
	for (uint32_t i = 0; i < nextra(ev); i++) {
		for (int id = 0; id < RETE_SEC_MAX; id++)
			if (rete_event_has(ev, id) &&
			    !strcmp(ev->extra[i].name, rete_section_name(id)))
				return -EEXIST;
		for (size_t j = 0; j < RETE_XSEC_SLOTS; j++)
			if (rete_event_xsec_get(ev, j) &&
			    !strcmp(ev->extra[i].name, rete_xsection(j)->name))
				return -EEXIST;
	}
	return 0;
}

/* Append ev; the caller has reserved event_bound(ev) bytes. */
static char *write_event(char *p, const struct rete_event *ev, const struct described *ds)
{
	bool first = true;

	p = w_c(p, '{');
	for (size_t i = 0; i < NSLOTS; i++) {
		const struct slot *slot = &slots[i];

		if (slot->kind == SLOT_MODELLED && rete_event_has(ev, slot->id)) {
			p = open_section(p, &first, slot->name, strlen(slot->name));
			p = write_modelled(p, ev, slot->id);
		}
		if (ds->n)
			p = write_described(p, ds, slot, &first);
		if (ev->nextra)
			p = write_extras(p, ev, slot, &first);
	}
	return w_c(p, '}');
}

int rete_json_write_event(const struct rete_event *ev, struct rete_strbuf *out)
{
	struct described ds;
	size_t bound;
	char *end;
	int err;

	if (ev->nextra) {
		err = check_extras(ev);
		if (err)
			return err;
	}
	gather_described(ev, &ds);
	bound = event_bound(ev, &ds);
	if (bound == SIZE_MAX)
		return -ENOMEM;
	err = rete_strbuf_reserve(out, bound);
	if (err)
		return err;
	end = write_event(out->buf + out->len, ev, &ds);
	/* Too late to stop an overflow, but loud in tests and debug builds. */
	assert((size_t)(end - (out->buf + out->len)) <= bound);
	out->len = (size_t)(end - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}

int rete_json_write_series(const struct rete_event *const *evs, size_t n, struct rete_strbuf *out)
{
	size_t start = out->len;
	int err = 0;

	rete_strbuf_addc(out, '[');
	for (size_t i = 0; i < n && !err; i++) {
		if (i)
			rete_strbuf_addc(out, ',');
		err = rete_json_write_event(evs[i], out);
	}
	rete_strbuf_addc(out, ']');
	if (!err)
		err = out->err;
	if (err && out->buf) {
		/* Never leave half a series behind. */
		out->len = start;
		out->buf[start] = '\0';
	}
	return err;
}

int rete_json_add_str(struct rete_strbuf *out, const char *s)
{
	size_t n = strlen(s);
	int err = rete_strbuf_reserve(out, str_max(n));
	char *end;

	if (err)
		return err;
	end = w_str(out->buf + out->len, s, n);
	out->len = (size_t)(end - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}
