/*
 * Event text rendering, following the layout of Retis 1.6 (`retis collect`,
 * `print` and `sort` output).
 *
 * An event is a header line followed by its other sections:
 *
 *   <common> <kernel|userspace> <tracking|skb-tracking> <skb-drop>
 *       <stack trace, one symbol per line>
 *     <packet>
 *     <netns> <dev>
 *     <skb> / <ovs> / <ovs-detrace> / <nft> / <ct> / <other extras> / <startup>
 *
 * Multi-line: the stack trace is indented by 4 more columns than the header,
 * every other section starts its own line indented by 2 more columns (lines a
 * section breaks itself, like the ct parent, get the same indentation). The
 * netns and dev sections share a line. Single-line: the same pieces joined
 * by spaces, the stack trace as "[a, b, c]".
 *
 * Series (sort): follow-up events get a base indentation of 4 columns and
 * their first line starts with "  ↳ ".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/packet_internal.h"
#include "events/text.h"
#include "events/text_extra.h"
#include "events/section.h"

#define NSEC_PER_SEC 1000000000LL
/* Columns added per sort indentation level, and for stack/other sections. */
#define INDENT_SERIES 4
#define INDENT_STACK 4
#define INDENT_SECTION 2

struct text_ctx {
	const struct rete_event *ev;
	const struct rete_text_opts *opts;
	struct rete_strbuf *out;
	unsigned base;		/* header indentation, in columns */
	bool ml;		/* multi-line */
};

static int add_spaces(struct rete_strbuf *out, unsigned n)
{
	static const char spaces[] = "                                ";

	while (n) {
		unsigned k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		int err = rete_strbuf_add(out, spaces, k);

		if (err)
			return err;
		n -= k;
	}
	return 0;
}

/*
 * Indent by `cols` every line a section started at `start` broke itself.
 * Sections rarely contain '\n', so only then is the tail rebuilt.
 */
static int indent_tail(struct rete_strbuf *out, size_t start, unsigned cols)
{
	size_t len, i;
	char *tail;
	int err = 0;

	if (out->err || !out->buf || start >= out->len ||
	    !memchr(out->buf + start, '\n', out->len - start))
		return out->err;

	len = out->len - start;
	tail = malloc(len);
	if (!tail)
		return out->err = -ENOMEM;
	memcpy(tail, out->buf + start, len);
	out->len = start;
	out->buf[start] = '\0';
	for (i = 0; i < len && !err; i++) {
		err = rete_strbuf_addc(out, tail[i]);
		if (!err && tail[i] == '\n')
			err = add_spaces(out, cols);
	}
	free(tail);
	return err;
}

/* Start a new piece of the body: a new indented line, or a space. */
static int body_sep(struct text_ctx *c, unsigned extra_cols)
{
	if (!c->ml)
		return rete_strbuf_addc(c->out, ' ');
	rete_strbuf_addc(c->out, '\n');
	return add_spaces(c->out, c->base + extra_cols);
}

/* A space between header parts, unless nothing was written yet. */
static int header_sep(struct rete_strbuf *out, size_t start)
{
	return out->len > start ? rete_strbuf_addc(out, ' ') : out->err;
}

/*
 * The offset from CLOCK_MONOTONIC to the wall clock: the event's own startup
 * section first (Retis applies it before printing that event), then the one
 * the caller remembered.
 */
static bool mono_offset(const struct text_ctx *c, int64_t *sec, int64_t *nsec)
{
	if (rete_event_has(c->ev, RETE_SEC_STARTUP)) {
		*sec = c->ev->startup.mono_offset_sec;
		*nsec = c->ev->startup.mono_offset_nsec;
		return true;
	}
	if (c->opts->has_mono_offset) {
		*sec = c->opts->mono_offset_sec;
		*nsec = c->opts->mono_offset_nsec;
		return true;
	}
	return false;
}

/* --utc: "YYYY-MM-DD HH:MM:SS.uuuuuu" (microseconds, truncated), else raw ns. */
static int fmt_timestamp(const struct text_ctx *c, uint64_t ts)
{
	int64_t off_sec, off_nsec, sec, nsec;
	char date[32];
	struct tm tm;
	time_t t;

	if (!c->opts->utc || !mono_offset(c, &off_sec, &off_nsec))
		return rete_strbuf_addu(c->out, ts);

	sec = (int64_t)(ts / NSEC_PER_SEC) + off_sec;
	nsec = (int64_t)(ts % NSEC_PER_SEC) + off_nsec;
	while (nsec >= NSEC_PER_SEC) {
		sec++;
		nsec -= NSEC_PER_SEC;
	}
	while (nsec < 0) {
		sec--;
		nsec += NSEC_PER_SEC;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm))
		return rete_strbuf_addu(c->out, ts);
	return rete_strbuf_addf(c->out, "%s.%06" PRId64, date, nsec / 1000);
}

static int fmt_common(const struct text_ctx *c)
{
	const struct rete_ev_common *cm = &c->ev->common;
	struct rete_strbuf *out = c->out;

	fmt_timestamp(c, cm->timestamp);
	if (cm->has_smp_id)
		rete_strbuf_addf(out, " (%" PRIu32 ")", cm->smp_id);
	if (cm->has_task) {
		rete_strbuf_addf(out, " [%.*s] ", (int)sizeof(cm->comm), cm->comm);
		if (cm->pid != cm->tgid)
			rete_strbuf_addf(out, "%" PRId32 "/", cm->pid);
		rete_strbuf_addi(out, cm->tgid);
	}
	return out->err;
}

/* --color: an SGR sequence before a part of the header, and the reset after it. */
static int color_on(const struct text_ctx *c, const char *sgr)
{
	return c->opts->color ? rete_strbuf_adds(c->out, sgr) : c->out->err;
}

static int color_off(const struct text_ctx *c)
{
	return c->opts->color ? rete_strbuf_adds(c->out, RETE_TEXT_SGR_RESET) : c->out->err;
}

static const struct {
	const char *name;
	const char *abbrev;
} probe_types[] = {
	{ "raw_tracepoint", "tp" },
	{ "kprobe", "k" },
	{ "kretprobe", "kr" },
	{ "fentry", "fentry" },
	{ "fexit", "fexit" },
};

static int fmt_kernel(const struct text_ctx *c)
{
	const struct rete_ev_kernel *k = &c->ev->kernel;
	const char *abbrev = "invalid";

	for (size_t i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++) {
		if (!strncmp(k->probe_type, probe_types[i].name, sizeof(k->probe_type))) {
			abbrev = probe_types[i].abbrev;
			break;
		}
	}
	color_on(c, RETE_TEXT_SGR_PROBE);
	rete_strbuf_addf(c->out, "[%s] %.*s", abbrev, (int)sizeof(k->symbol), k->symbol);
	color_off(c);
	/* Return value: numbers and -errno in decimal, pointers in hex. */
	if (k->has_retval && k->retval >= INT32_MIN && k->retval <= (int64_t)UINT32_MAX)
		rete_strbuf_addf(c->out, " ret %" PRId64, k->retval);
	else if (k->has_retval)
		rete_strbuf_addf(c->out, " ret 0x%" PRIx64, (uint64_t)k->retval);
	return c->out->err;
}

/* Tracking id: (first-seen timestamp << 64) | original head, as one hex number. */
static int fmt_track_id(const struct text_ctx *c, uint64_t ts, uint64_t head, uint64_t skb)
{
	struct rete_strbuf *out = c->out;

	color_on(c, RETE_TEXT_SGR_TRACK);
	if (ts)
		rete_strbuf_addf(out, "#%" PRIx64 "%016" PRIx64, ts, head);
	else
		rete_strbuf_addf(out, "#%" PRIx64, head);
	color_off(c);
	return rete_strbuf_addf(out, " (skb %" PRIx64 ")", skb);
}

static int fmt_header(const struct text_ctx *c)
{
	const struct rete_event *ev = c->ev;
	struct rete_strbuf *out = c->out;
	size_t start = out->len;
	const struct rete_ev_extra *user;

	if (rete_event_has(ev, RETE_SEC_COMMON))
		fmt_common(c);

	if (rete_event_has(ev, RETE_SEC_KERNEL)) {
		header_sep(out, start);
		fmt_kernel(c);
	} else if ((user = rete_event_find_extra(ev, "userspace"))) {
		header_sep(out, start);
		color_on(c, RETE_TEXT_SGR_PROBE);
		rete_text_userspace(user->json, out);
		color_off(c);
	}

	if (rete_event_has(ev, RETE_SEC_TRACKING)) {
		const struct rete_ev_tracking *t = &ev->tracking;

		header_sep(out, start);
		fmt_track_id(c, t->timestamp, t->orig_head, t->skb);
		rete_strbuf_addf(out, " n %" PRIu32, t->idx);
	} else if (rete_event_has(ev, RETE_SEC_SKB_TRACKING)) {
		const struct rete_ev_skb_tracking *t = &ev->skb_tracking;

		header_sep(out, start);
		fmt_track_id(c, t->timestamp, t->orig_head, t->skb);
	}

	if (rete_event_has(ev, RETE_SEC_SKB_DROP)) {
		const struct rete_ev_skb_drop *d = &ev->skb_drop;

		header_sep(out, start);
		color_on(c, RETE_TEXT_SGR_DROP);
		if (d->subsys[0])
			rete_strbuf_addf(out, "drop (reason %.*s/%.*s)", (int)sizeof(d->subsys),
					 d->subsys, (int)sizeof(d->drop_reason), d->drop_reason);
		else
			rete_strbuf_addf(out, "drop (reason %.*s)", (int)sizeof(d->drop_reason),
					 d->drop_reason);
		color_off(c);
	}
	return out->err;
}

static int fmt_stack(struct text_ctx *c)
{
	const struct rete_ev_kernel *k = &c->ev->kernel;
	uint32_t n = k->nstack < RETE_STACK_MAX ? k->nstack : RETE_STACK_MAX;

	if (!rete_event_has(c->ev, RETE_SEC_KERNEL) || !k->has_stack || !n)
		return 0;

	if (c->ml) {
		for (uint32_t i = 0; i < n; i++) {
			body_sep(c, INDENT_STACK);
			rete_strbuf_adds(c->out, k->stack[i] ? k->stack[i] : "");
		}
		return c->out->err;
	}

	rete_strbuf_adds(c->out, " [");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			rete_strbuf_adds(c->out, ", ");
		rete_strbuf_adds(c->out, k->stack[i] ? k->stack[i] : "");
	}
	return rete_strbuf_addc(c->out, ']');
}

static int fmt_packet(struct text_ctx *c)
{
	const struct rete_ev_packet *p = &c->ev->packet;
	size_t start;
	int err;

	body_sep(c, INDENT_SECTION);
	start = c->out->len;
	err = rete_text_packet(p->data, p->data ? p->capture_len : 0, p->len, c->opts, c->out);
	if (err)
		return err;
	return c->ml ? indent_tail(c->out, start, c->base + INDENT_SECTION) : c->out->err;
}

/* "ns 0x<cookie>/<inum>" and "if <ifindex> (<name>) rxif <idx>", on one line. */
static int fmt_netns_dev(struct text_ctx *c)
{
	const struct rete_event *ev = c->ev;
	struct rete_strbuf *out = c->out;
	bool netns = rete_event_has(ev, RETE_SEC_NETNS);

	if (netns) {
		body_sep(c, INDENT_SECTION);
		if (ev->netns.has_cookie)
			rete_strbuf_addf(out, "ns 0x%" PRIx64 "/%" PRIu32, ev->netns.cookie,
					 ev->netns.inum);
		else
			rete_strbuf_addf(out, "ns %" PRIu32, ev->netns.inum);
	}
	if (rete_event_has(ev, RETE_SEC_DEV)) {
		const struct rete_ev_dev *d = &ev->dev;

		if (netns)
			rete_strbuf_addc(out, ' ');
		else
			body_sep(c, INDENT_SECTION);
		rete_strbuf_addf(out, "if %" PRIu32, d->ifindex);
		if (d->name[0])
			rete_strbuf_addf(out, " (%.*s)", (int)sizeof(d->name), d->name);
		if (d->has_rx_ifindex)
			rete_strbuf_addf(out, " rxif %" PRIu32, d->rx_ifindex);
	}
	return out->err;
}

static void fmt_skb_meta(struct rete_strbuf *out, const struct rete_ev_skb *s)
{
	rete_strbuf_adds(out, "csum ");
	switch (s->meta.ip_summed) {
	case 0:
		rete_strbuf_adds(out, "none ");
		break;
	case 1:
		rete_strbuf_addf(out, "unnecessary (level %u) ", s->meta.csum_level);
		break;
	case 2:
		rete_strbuf_addf(out, "complete (0x%" PRIx32 ") ", s->meta.csum);
		break;
	case 3:
		/* CHECKSUM_PARTIAL: csum holds (offset << 16) | start. */
		rete_strbuf_addf(out, "partial (start %" PRIu32 " off %" PRIu32 ") ",
				 s->meta.csum & 0xffff, s->meta.csum >> 16);
		break;
	default:
		rete_strbuf_addf(out, "unknown (%u) ", s->meta.ip_summed);
		break;
	}
	if (s->meta.hash)
		rete_strbuf_addf(out, "hash 0x%" PRIx32 " ", s->meta.hash);
	rete_strbuf_addf(out, "len %" PRIu32 " ", s->meta.len);
	if (s->meta.data_len)
		rete_strbuf_addf(out, "data_len %" PRIu32 " ", s->meta.data_len);
	rete_strbuf_addf(out, "priority %" PRIu32, s->meta.priority);
}

static void fmt_skb_data_ref(struct rete_strbuf *out, const struct rete_ev_skb *s)
{
	if (s->data_ref.nohdr)
		rete_strbuf_adds(out, "nohdr ");
	if (s->data_ref.cloned)
		rete_strbuf_adds(out, "cloned ");
	if (s->data_ref.fclone)
		rete_strbuf_addf(out, "fclone %u ", s->data_ref.fclone);
	rete_strbuf_addf(out, "users %u dataref %u", s->data_ref.users, s->data_ref.dataref);
}

static void fmt_skb_gso(struct rete_strbuf *out, const struct rete_ev_skb *s)
{
	rete_strbuf_addf(out, "gso [type 0x%" PRIx32 " ", s->gso.type);
	if (s->gso.flags)
		rete_strbuf_addf(out, "flags 0x%x ", s->gso.flags);
	if (s->gso.frags)
		rete_strbuf_addf(out, "frags %u ", s->gso.frags);
	if (s->gso.segs)
		rete_strbuf_addf(out, "segs %" PRIu32 " ", s->gso.segs);
	rete_strbuf_addf(out, "size %" PRIu32 "]", s->gso.size);
}

/* An skb section with nothing to show (e.g. only vlan_accel without -e) is skipped. */
static int fmt_skb(struct text_ctx *c)
{
	const struct rete_ev_skb *s = &c->ev->skb;
	struct rete_strbuf *out = c->out;
	bool vlan = s->has_vlan_accel && c->opts->link_layer;
	size_t start;

	if (!vlan && !s->has_meta && !s->has_data_ref && !s->has_gso)
		return 0;

	body_sep(c, INDENT_SECTION);
	start = out->len;
	if (vlan) {
		const char *name = rete_pkt_etype_name(s->vlan_accel.proto);

		rete_strbuf_adds(out, "vlan_accel (");
		if (s->vlan_accel.has_proto)
			rete_strbuf_addf(out, "ethertype %s%s(0x%04x) ", name ? name : "",
					 name ? " " : "", s->vlan_accel.proto);
		rete_strbuf_addf(out, "vlan %u p %u%s)", s->vlan_accel.vid, s->vlan_accel.pcp,
				 s->vlan_accel.dei ? " DEI" : "");
	}
	if (s->has_meta || s->has_data_ref) {
		header_sep(out, start);
		rete_strbuf_adds(out, "skb [");
		if (s->has_meta)
			fmt_skb_meta(out, s);
		if (s->has_meta && s->has_data_ref)
			rete_strbuf_addc(out, ' ');
		if (s->has_data_ref)
			fmt_skb_data_ref(out, s);
		rete_strbuf_addc(out, ']');
	}
	if (s->has_gso) {
		header_sep(out, start);
		fmt_skb_gso(out, s);
	}
	return out->err;
}

/*
 * Retis 1.6 prints "Retis version <v>". Files carrying the machine/cmdline
 * fields (Retis >= 1.7 and rete) get the later, longer form.
 */
static int fmt_startup(struct text_ctx *c)
{
	const struct rete_ev_startup *s = &c->ev->startup;
	struct rete_strbuf *out = c->out;
	const char *sep = c->ml ? "\n" : " ";
	size_t start;

	body_sep(c, INDENT_SECTION);
	start = out->len;
	if (!s->has_machine && !s->cmdline) {
		rete_strbuf_addf(out, "Retis version %.*s", (int)sizeof(s->version), s->version);
		return out->err;
	}

	rete_strbuf_addf(out, "collected with Retis %.*s", (int)sizeof(s->version), s->version);
	if (s->has_machine)
		rete_strbuf_addf(out, "%son machine %.*s %.*s %.*s", sep,
				 (int)sizeof(s->kernel_release), s->kernel_release,
				 (int)sizeof(s->kernel_version), s->kernel_version,
				 (int)sizeof(s->hardware_name), s->hardware_name);
	if (s->has_split)
		rete_strbuf_addf(out, "%sfile id %" PRIu32, sep, s->split_id);
	if (s->cmdline)
		rete_strbuf_addf(out, "%scmdline %s", sep, s->cmdline);
	return c->ml ? indent_tail(out, start, c->base + INDENT_SECTION) : out->err;
}

static int fmt_extra(struct text_ctx *c, const struct rete_ev_extra *x)
{
	size_t start;
	int err;

	body_sep(c, INDENT_SECTION);
	start = c->out->len;
	err = rete_text_extra_section(x, c->ml, c->out);
	if (err)
		return err;
	return c->ml ? indent_tail(c->out, start, c->base + INDENT_SECTION) : c->out->err;
}

/* A section described by its collector (events/section.h). */
static int fmt_described(struct text_ctx *c, size_t i)
{
	const struct rete_section_desc *d = rete_xsection(i);
	const void *sec = rete_event_xsec_get(c->ev, i);
	size_t start;
	int err;

	if (!sec || !d->text)
		return 0;
	body_sep(c, INDENT_SECTION);
	start = c->out->len;
	err = d->text(sec, c->ml, c->out);
	if (err)
		return err;
	return c->ml ? indent_tail(c->out, start, c->base + INDENT_SECTION) : c->out->err;
}

/* Extra sections with a fixed place in the body, in Retis's order. */
static const char *const placed_extras[] = { "ovs", "ovs-detrace", "nft", "ct" };

static bool is_placed_extra(const char *name)
{
	if (!strcmp(name, "userspace"))
		return true;
	for (size_t i = 0; i < sizeof(placed_extras) / sizeof(placed_extras[0]); i++)
		if (!strcmp(name, placed_extras[i]))
			return true;
	return false;
}

static int fmt_body(struct text_ctx *c)
{
	const struct rete_event *ev = c->ev;
	int err;

	if (rete_event_has(ev, RETE_SEC_PACKET)) {
		err = fmt_packet(c);
		if (err)
			return err;
	}
	fmt_netns_dev(c);
	if (rete_event_has(ev, RETE_SEC_SKB))
		fmt_skb(c);

	for (size_t i = 0; i < sizeof(placed_extras) / sizeof(placed_extras[0]); i++) {
		const struct rete_ev_extra *x = rete_event_find_extra(ev, placed_extras[i]);
		int d = rete_xsection_find(placed_extras[i]);

		if (d >= 0 && (err = fmt_described(c, (size_t)d)))
			return err;
		if (x && (err = fmt_extra(c, x)))
			return err;
	}
	for (size_t i = 0; ev->xpresent && i < rete_xsections_count(); i++) {
		if (is_placed_extra(rete_xsection(i)->name))
			continue;
		if ((err = fmt_described(c, i)))
			return err;
	}
	/* Sections rete does not know, kept in file order, so nothing is lost. */
	for (uint32_t i = 0; i < ev->nextra && i < RETE_EXTRA_MAX; i++) {
		if (is_placed_extra(ev->extra[i].name))
			continue;
		if ((err = fmt_extra(c, &ev->extra[i])))
			return err;
	}

	if (rete_event_has(ev, RETE_SEC_STARTUP))
		fmt_startup(c);
	return c->out->err;
}

int rete_text_event(const struct rete_event *ev, const struct rete_text_opts *opts,
		    struct rete_strbuf *out)
{
	static const struct rete_text_opts defaults;
	struct text_ctx c;
	int err;

	if (!ev || !out)
		return -EINVAL;
	if (out->err)
		return out->err;

	c = (struct text_ctx){
		.ev = ev,
		.opts = opts ? opts : &defaults,
		.out = out,
	};
	c.ml = !c.opts->single_line;
	c.base = c.opts->indent * INDENT_SERIES;

	/* Follow-up events of a series: "  ↳ " replaces the indentation's last columns. */
	if (c.opts->indent) {
		add_spaces(out, c.base - 2);
		rete_strbuf_adds(out, "\xe2\x86\xb3 ");
	}

	err = fmt_header(&c);
	if (err)
		return err;
	err = fmt_stack(&c);
	if (err)
		return err;
	return fmt_body(&c);
}
