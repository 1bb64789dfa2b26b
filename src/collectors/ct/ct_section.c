/*
 * The ct section: its JSON shape (Retis's CtEvent: state, the connection's
 * fields flattened beside it, and an optional parent of the same shape),
 * the decoding of the BPF records (struct rete_sec_ct) and the text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "collectors/ct/ct_section.h"
#include "uapi/rete_sections.h"

#define OFF(type, member) ((uint32_t)offsetof(struct type, member))
#define NAMES(a) .names = (a), .nnames = sizeof(a) / sizeof((a)[0])

/* ---- description ---- */

static const char *const state_names[] = {
	[RETE_CT_ESTABLISHED] = "established", [RETE_CT_RELATED] = "related",
	[RETE_CT_NEW] = "new",		       [RETE_CT_REPLY] = "reply",
	[RETE_CT_RELATED_REPLY] = "related_reply", [RETE_CT_UNTRACKED] = "untracked",
};
static const char *const zone_dir_names[] = {
	[RETE_CT_ZONE_ORIG] = "Original", [RETE_CT_ZONE_REPLY] = "Reply",
	[RETE_CT_ZONE_DEFAULT] = "Default", [RETE_CT_ZONE_NONE] = "None",
};
static const char *const version_names[] = { "v4", "v6" };
static const char *const proto_names[] = {
	[RETE_CT_TCP] = "tcp", [RETE_CT_UDP] = "udp", [RETE_CT_ICMP] = "icmp",
	[RETE_CT_SCTP] = "sctp",
};

static const struct rete_field ports_f[] = {
	{ .name = "sport", .type = RETE_FT_U16, .off = OFF(rete_ct_tuple, sport),
	  .doc = "Source port." },
	{ .name = "dport", .type = RETE_FT_U16, .off = OFF(rete_ct_tuple, dport),
	  .doc = "Destination port." },
};
static const struct rete_fields tcp_t = RETE_FIELDS("CtTcp", "TCP", ports_f);
static const struct rete_fields udp_t = RETE_FIELDS("CtUdp", "UDP", ports_f);
static const struct rete_fields sctp_t = RETE_FIELDS("CtSctp", "SCTP", ports_f);

static const struct rete_field icmp_f[] = {
	{ .name = "code", .type = RETE_FT_U8, .off = OFF(rete_ct_tuple, code), .doc = "Code." },
	{ .name = "type", .type = RETE_FT_U8, .off = OFF(rete_ct_tuple, type), .doc = "Type." },
	{ .name = "id", .type = RETE_FT_U16, .off = OFF(rete_ct_tuple, id), .doc = "ID." },
};
static const struct rete_fields icmp_t =
	RETE_FIELDS("CtIcmp", "ICMP (ICMPv6 too, with IPv6 addresses)", icmp_f);

static const struct rete_fields *const proto_variants[] = {
	[RETE_CT_TCP] = &tcp_t, [RETE_CT_UDP] = &udp_t, [RETE_CT_ICMP] = &icmp_t,
	[RETE_CT_SCTP] = &sctp_t,
};

static const struct rete_field ip_f[] = {
	{ .name = "src", .type = RETE_FT_STR, .size = 48, .off = OFF(rete_ct_tuple, src),
	  .doc = "Source." },
	{ .name = "dst", .type = RETE_FT_STR, .size = 48, .off = OFF(rete_ct_tuple, dst),
	  .doc = "Destination." },
	{ .name = "version", .type = RETE_FT_ENUM, .off = OFF(rete_ct_tuple, version),
	  NAMES(version_names), .doc = "Version." },
};
static const struct rete_fields ip_t = RETE_FIELDS("CtIp", "Addresses of a tuple.", ip_f);

static const struct rete_field tuple_f[] = {
	/* The addresses are in the tuple struct itself: "ip" is an object at offset 0. */
	{ .name = "ip", .type = RETE_FT_OBJ, .off = 0, .sub = &ip_t, .doc = "IP address." },
	{ .name = "proto", .type = RETE_FT_ONEOF, .off = OFF(rete_ct_tuple, proto),
	  NAMES(proto_names), .variants = proto_variants, .doc = "Protocol." },
};
static const struct rete_fields tuple_t = RETE_FIELDS("CtTuple", "Conntrack tuple.", tuple_f);

static const struct rete_field conn_f[] = {
	{ .name = "zone_id", .type = RETE_FT_U16, .off = OFF(rete_ct_conn, zone_id),
	  .doc = "Zone ID." },
	{ .name = "zone_dir", .type = RETE_FT_ENUM, .off = OFF(rete_ct_conn, zone_dir),
	  NAMES(zone_dir_names), .doc = "Zone direction." },
	{ .name = "orig", .type = RETE_FT_OBJ, .off = OFF(rete_ct_conn, orig), .sub = &tuple_t,
	  .doc = "Original tuple." },
	{ .name = "reply", .type = RETE_FT_OBJ, .off = OFF(rete_ct_conn, reply), .sub = &tuple_t,
	  .doc = "Reply tuple." },
	{ .name = "proto_state", .alias = "tcp_state", .type = RETE_FT_STR, .flags = RETE_FF_OPT,
	  .size = 24, .off = OFF(rete_ct_conn, proto_state),
	  .has_off = OFF(rete_ct_conn, has_proto_state),
	  .doc = "Protocol state (TCP, SCTP); \"tcp_state\" in older files." },
	{ .name = "mark", .type = RETE_FT_U32, .flags = RETE_FF_OPT, .off = OFF(rete_ct_conn, mark),
	  .has_off = OFF(rete_ct_conn, has_mark), .doc = "Mark." },
	{ .name = "labels", .type = RETE_FT_U128, .flags = RETE_FF_OPT,
	  .off = OFF(rete_ct_conn, labels), .has_off = OFF(rete_ct_conn, has_labels),
	  .doc = "Labels." },
	{ .name = "ct_status", .type = RETE_FT_U64, .flags = RETE_FF_OPT | RETE_FF_SCHEMA_REQ,
	  .off = OFF(rete_ct_conn, ct_status), .has_off = OFF(rete_ct_conn, has_ct_status),
	  .doc = "Status. From ct->status (absent in Retis 1.5 files)." },
};
static const struct rete_fields conn_t = RETE_FIELDS("CtConnEvent", "Conntrack connection.", conn_f);

static const struct rete_field ct_f[] = {
	{ .name = "state", .type = RETE_FT_ENUM, .off = OFF(rete_ct, state), NAMES(state_names),
	  .doc = "Conntrack state of the packet." },
	{ .name = "", .type = RETE_FT_FLAT, .off = OFF(rete_ct, base), .sub = &conn_t },
	{ .name = "parent", .type = RETE_FT_OBJ, .flags = RETE_FF_OPT, .off = OFF(rete_ct, parent),
	  .has_off = OFF(rete_ct, has_parent), .sub = &conn_t,
	  .doc = "Parent (master) connection of an expected one." },
};
static const struct rete_fields ct_t = RETE_FIELDS("CtEvent", "Conntrack section.", ct_f);

/* ---- decoding ---- */

/* enum tcp_conntrack and enum sctp_conntrack (uapi), as Retis names them. */
static const char *const tcp_states[] = {
	"NONE",	     "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",	     "LISTEN",
};
static const char *const sctp_states[] = {
	"NONE",		 "CLOSED",	  "COOKIE_WAIT",       "COOKIE_ECHOED",
	"ESTABLISHED",	 "SHUTDOWN_SENT", "SHUTDOWN_RECD",     "SHUTDOWN_ACK_SENT",
	"HEARTBEAT_SENT", "HEARTBEAT_ACKED",
};

/* struct nf_conntrack_tuple: src {u3[16], u[2], l3num[2]}, dst {u3[16], u[2], protonum, dir}. */
#define T_SRC 0
#define T_SRC_U 16
#define T_L3NUM 18
#define T_DST 20
#define T_DST_U 36
#define T_PROTONUM 38

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* 0, or RETE_SEC_DROP when the protocol is one the section cannot describe. */
static int decode_tuple(struct rete_ct_tuple *t, const uint8_t *raw)
{
	uint16_t l3;

	memcpy(&l3, raw + T_L3NUM, sizeof(l3));
	if (l3 != AF_INET && l3 != AF_INET6)
		return RETE_SEC_DROP;
	t->version = l3 == AF_INET6;
	if (!inet_ntop(l3, raw + T_SRC, t->src, sizeof(t->src)) ||
	    !inet_ntop(l3, raw + T_DST, t->dst, sizeof(t->dst)))
		return RETE_SEC_DROP;
	switch (raw[T_PROTONUM]) {
	case 6:
	case 17:
	case 132:
		t->proto = raw[T_PROTONUM] == 6 ? RETE_CT_TCP :
			   raw[T_PROTONUM] == 17 ? RETE_CT_UDP : RETE_CT_SCTP;
		t->sport = be16_at(raw + T_SRC_U);
		t->dport = be16_at(raw + T_DST_U);
		return 0;
	case 1:
	case 58:
		t->proto = RETE_CT_ICMP;
		t->id = be16_at(raw + T_SRC_U);
		t->type = raw[T_DST_U];
		t->code = raw[T_DST_U + 1];
		return 0;
	}
	return RETE_SEC_DROP;
}

static void proto_state_name(struct rete_ct_conn *c, uint8_t proto, uint8_t v)
{
	const char *const *names = proto == RETE_CT_TCP ? tcp_states : sctp_states;
	size_t n = proto == RETE_CT_TCP ? sizeof(tcp_states) / sizeof(tcp_states[0]) :
					  sizeof(sctp_states) / sizeof(sctp_states[0]);

	c->has_proto_state = true;
	if (v < n)
		snprintf(c->proto_state, sizeof(c->proto_state), "%s", names[v]);
	else
		snprintf(c->proto_state, sizeof(c->proto_state), "%u", v);
}

static int decode_conn(struct rete_ct_conn *c, const struct rete_sec_ct *r)
{
	static const uint8_t dirs[] = { RETE_CT_ZONE_NONE, RETE_CT_ZONE_ORIG, RETE_CT_ZONE_REPLY,
					RETE_CT_ZONE_DEFAULT };

	if (decode_tuple(&c->orig, r->tuple[0]) || decode_tuple(&c->reply, r->tuple[1]))
		return RETE_SEC_DROP;
	c->zone_dir = RETE_CT_ZONE_NONE;
	if (r->flags & RETE_CT_F_ZONE) {
		c->zone_id = r->zone_id;
		c->zone_dir = dirs[r->zone_dir & 3];
	}
	if (c->orig.proto == RETE_CT_TCP || c->orig.proto == RETE_CT_SCTP)
		proto_state_name(c, c->orig.proto, r->proto_state);
	c->has_mark = r->flags & RETE_CT_F_MARK;
	c->mark = r->mark;
	if (r->flags & RETE_CT_F_LABELS) {
		uint64_t lo, hi;

		memcpy(&lo, r->labels, 8);
		memcpy(&hi, r->labels + 8, 8);
		c->has_labels = lo || hi;
		c->labels[0] = hi;
		c->labels[1] = lo;
	}
	c->has_ct_status = true;
	c->ct_status = r->status;
	return 0;
}

/* An untracked packet has no connection: Retis's required fields get zero tuples. */
static void no_conn(struct rete_ct_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->zone_dir = RETE_CT_ZONE_NONE;
	c->has_ct_status = true;
}

static int ct_decode(void *sec, uint8_t type, const void *raw, size_t len,
		     struct rete_decoder *d)
{
	struct rete_ct *ct = sec;
	struct rete_sec_ct r;

	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	if (type == RETE_SEC_T_CT_PARENT) {
		if (!(r.flags & RETE_CT_F_CONN) || decode_conn(&ct->parent, &r))
			return 0;	/* a parent the section cannot describe: left out */
		ct->has_parent = true;
		return 0;
	}
	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	switch (r.state) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		ct->state = r.state;	/* enum ip_conntrack_info, in the same order */
		break;
	case 7:
		ct->state = RETE_CT_UNTRACKED;
		break;
	default:
		return RETE_SEC_DROP;
	}
	if (!(r.flags & RETE_CT_F_CONN)) {
		no_conn(&ct->base);
		return 0;
	}
	/* Like Retis: a connection of another protocol (GRE, ...) gives no section. */
	return decode_conn(&ct->base, &r);
}

/* ---- text ---- */

static const char *const state_text[] = {
	[RETE_CT_ESTABLISHED] = "ESTABLISHED", [RETE_CT_RELATED] = "RELATED",
	[RETE_CT_NEW] = "NEW",		       [RETE_CT_REPLY] = "REPLY",
	[RETE_CT_RELATED_REPLY] = "RELATED_REPLY", [RETE_CT_UNTRACKED] = "UNTRACKED",
};
static const char *const zone_text[] = {
	[RETE_CT_ZONE_ORIG] = "orig-zone", [RETE_CT_ZONE_REPLY] = "reply-zone",
	[RETE_CT_ZONE_DEFAULT] = "zone", [RETE_CT_ZONE_NONE] = NULL,
};

static void text_ports(struct rete_strbuf *out, const struct rete_ct_tuple *t)
{
	rete_strbuf_addf(out, "%s.%u > %s.%u", t->src, t->sport, t->dst, t->dport);
}

static void text_icmp(struct rete_strbuf *out, const struct rete_ct_tuple *t)
{
	rete_strbuf_addf(out, "%s > %s type %u code %u id %u", t->src, t->dst, t->type, t->code,
			 t->id);
}

static void text_conn(struct rete_strbuf *out, const struct rete_ct_conn *c)
{
	const struct rete_ct_tuple *o = &c->orig, *r = &c->reply;

	rete_strbuf_addf(out, "status 0x%" PRIx64 " ", c->ct_status);
	/* Both directions must agree on the protocol, else no tuples are shown. */
	if (o->proto == r->proto && o->proto <= RETE_CT_SCTP) {
		rete_strbuf_adds(out, proto_names[o->proto]);
		if (o->proto == RETE_CT_TCP || o->proto == RETE_CT_SCTP)
			rete_strbuf_addf(out, " (%s)",
					 c->has_proto_state ? c->proto_state : "UNKNOWN");
		rete_strbuf_adds(out, " orig [");
		if (o->proto == RETE_CT_ICMP)
			text_icmp(out, o);
		else
			text_ports(out, o);
		rete_strbuf_adds(out, "] reply [");
		if (o->proto == RETE_CT_ICMP)
			text_icmp(out, r);
		else
			text_ports(out, r);
		rete_strbuf_adds(out, "] ");
	}
	if (c->zone_dir < RETE_CT_ZONE_NONE)
		rete_strbuf_addf(out, "%s %u", zone_text[c->zone_dir], c->zone_id);
	if (c->has_mark)
		rete_strbuf_addf(out, " mark %" PRIu32, c->mark);
	if (c->has_labels) {
		if (c->labels[0])
			rete_strbuf_addf(out, " labels 0x%" PRIx64 "%016" PRIx64, c->labels[0],
					 c->labels[1]);
		else
			rete_strbuf_addf(out, " labels 0x%" PRIx64, c->labels[1]);
	}
}

static int ct_text(const void *sec, bool multiline, struct rete_strbuf *out)
{
	const struct rete_ct *ct = sec;

	rete_strbuf_addf(out, "ct_state %s", ct->state <= RETE_CT_UNTRACKED ?
						    state_text[ct->state] : "UNTRACKED");
	/* No connection (notrack): rete writes empty tuples, they say nothing. */
	if (ct->state == RETE_CT_UNTRACKED && !ct->base.orig.src[0] && !ct->has_parent)
		return out->err;
	rete_strbuf_addc(out, ' ');
	text_conn(out, &ct->base);
	if (ct->has_parent) {
		if (multiline)
			rete_strbuf_adds(out, "\n\\");
		rete_strbuf_adds(out, " parent [");
		text_conn(out, &ct->parent);
		rete_strbuf_addc(out, ']');
	}
	return out->err;
}

const struct rete_section_desc rete_section_ct = {
	.name = "ct",
	.doc = "Conntrack section.",
	.size = sizeof(struct rete_ct),
	.fields = &ct_t,
	.owner = RETE_OWNER_CT,
	/* Retis's ct layout changed across versions: one rete cannot read is kept as it is. */
	.keep_unfit = true,
	.decode = ct_decode,
	.text = ct_text,
};
