/*
 * Text rendering of the sections kept as JSON text: ovs and userspace, in
 * Retis 1.6's format, plus a "<name> <json>" fallback so no section is ever
 * dropped.
 *
 * The JSON comes from files: any field may be missing or of the wrong type.
 * Missing numbers read as 0, missing strings as "", missing optional fields
 * are omitted, as Retis does for its optional fields.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "events/text_extra.h"

/* ---- JSON access, tolerant of missing fields and wrong types ---- */

static struct json_object *jget(struct json_object *obj, const char *key)
{
	struct json_object *val = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &val) || json_object_is_type(val, json_type_null))
		return NULL;
	return val;
}

static bool jhas_int(struct json_object *obj, const char *key)
{
	return json_object_is_type(jget(obj, key), json_type_int);
}

static uint64_t ju64(struct json_object *obj, const char *key)
{
	struct json_object *v = jget(obj, key);

	return json_object_is_type(v, json_type_int) ? json_object_get_uint64(v) : 0;
}

static int64_t ji64(struct json_object *obj, const char *key)
{
	struct json_object *v = jget(obj, key);

	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

/* NULL when absent or not a string. */
static const char *jstr_opt(struct json_object *obj, const char *key)
{
	struct json_object *v = jget(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char *jstr(struct json_object *obj, const char *key)
{
	const char *s = jstr_opt(obj, key);

	return s ? s : "";
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Fallback: "<name> <json>", the JSON as stored (already compact). */
static int fmt_raw(const char *name, const char *json, struct rete_strbuf *out)
{
	const char *s = skip_ws(json ? json : "");
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	rete_strbuf_adds(out, name);
	if (n) {
		rete_strbuf_addc(out, ' ');
		rete_strbuf_add(out, s, n);
	}
	return out->err;
}

static struct json_object *parse_object(const char *json)
{
	struct json_object *obj;

	if (!json)
		return NULL;
	obj = json_tokener_parse(json);
	if (obj && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/* ---- ovs ---- */

/* OVS_PACKET_CMD_* */
static const char *ovs_upcall_cmd(uint64_t cmd)
{
	static const char *const cmds[] = { " (unspec)", " (miss)", " (action)", " (exec)" };

	return cmd < sizeof(cmds) / sizeof(cmds[0]) ? cmds[cmd] : "";
}

static void fmt_ovs_upcall(struct rete_strbuf *out, struct json_object *o)
{
	rete_strbuf_addf(out, "upcall%s port %" PRIu64 " cpu %" PRIu64,
			 ovs_upcall_cmd(ju64(o, "cmd")), ju64(o, "port"), ju64(o, "cpu"));
}

static void fmt_ovs_upcall_enqueue(struct rete_strbuf *out, struct json_object *o)
{
	rete_strbuf_addf(out,
			 "upcall_enqueue%s (%" PRIu64 "/%" PRIu64 ") q %" PRIu64 " ret %" PRId64,
			 ovs_upcall_cmd(ju64(o, "cmd")), ju64(o, "upcall_cpu"),
			 ju64(o, "upcall_ts"), ju64(o, "queue_id"), ji64(o, "ret"));
}

static void fmt_ovs_upcall_return(struct rete_strbuf *out, struct json_object *o)
{
	rete_strbuf_addf(out, "upcall_ret (%" PRIu64 "/%" PRIu64 ") ret %" PRId64,
			 ju64(o, "upcall_cpu"), ju64(o, "upcall_ts"), ji64(o, "ret"));
}

static void fmt_ovs_recv_upcall(struct rete_strbuf *out, struct json_object *o)
{
	rete_strbuf_addf(out, "upcall_recv q %" PRIu64 " pkt_size %" PRIu64, ju64(o, "queue_id"),
			 ju64(o, "pkt_size"));
}

static void fmt_ovs_flow_operation(struct rete_strbuf *out, struct json_object *o)
{
	const char *op = jstr(o, "op_type");

	if (strcmp(op, "exec") && strcmp(op, "put"))
		op = "?";
	rete_strbuf_addf(out, "flow_%s q %" PRIu64 " ts %" PRIu64 " (%" PRIu64 ")", op,
			 ju64(o, "queue_id"), ju64(o, "batch_ts"), ju64(o, "batch_idx"));
}

/* UFID: 4 u32 words shown as a UUID. */
static void fmt_ovs_ufid(struct rete_strbuf *out, struct json_object *ufid)
{
	uint32_t w[4] = { 0 };

	if (json_object_is_type(ufid, json_type_array)) {
		for (size_t i = 0; i < 4 && i < json_object_array_length(ufid); i++) {
			struct json_object *v = json_object_array_get_idx(ufid, i);

			if (json_object_is_type(v, json_type_int))
				w[i] = (uint32_t)json_object_get_uint64(v);
		}
	}
	rete_strbuf_addf(out, "%08" PRIx32 "-%04" PRIx32 "-%04" PRIx32 "-%04" PRIx32 "-%04" PRIx32
			 "%08" PRIx32, w[0], w[1] >> 16, w[1] & 0xffff, w[2] >> 16, w[2] & 0xffff,
			 w[3]);
}

static void fmt_ovs_flow_lookup(struct rete_strbuf *out, struct json_object *o)
{
	rete_strbuf_adds(out, "ufid ");
	fmt_ovs_ufid(out, jget(o, "ufid"));
	rete_strbuf_addf(out, " hit (mask/cache) %" PRIu64 "/%" PRIu64 " flow %" PRIx64
			 " sf_acts %" PRIx64, ju64(o, "n_mask_hit"), ju64(o, "n_cache_hit"),
			 ju64(o, "flow"), ju64(o, "sf_acts"));
}

/* OVS_CT_ATTR flags as reported by Retis's ovs collector. */
#define OVS_CT_COMMIT (1u << 0)
#define OVS_CT_FORCE (1u << 1)
#define OVS_CT_NAT_RANGE_MAP_IPS (1u << 7)
#define OVS_CT_NAT_RANGE_PROTO_SPECIFIED (1u << 8)
#define OVS_CT_NAT_RANGE_PROTO_RANDOM (1u << 9)
#define OVS_CT_NAT_RANGE_PERSISTENT (1u << 10)
#define OVS_CT_NAT_RANGE_PROTO_RANDOM_FULLY (1u << 11)

static const struct {
	uint32_t flag;
	const char *name;
} ovs_ct_flags[] = {
	{ OVS_CT_COMMIT, "commit" },
	{ OVS_CT_FORCE, "force" },
	{ OVS_CT_NAT_RANGE_PERSISTENT, "persistent" },
	{ OVS_CT_NAT_RANGE_PROTO_RANDOM, "hash" },
	{ OVS_CT_NAT_RANGE_PROTO_RANDOM_FULLY, "random" },
};

static void fmt_ovs_ct_nat(struct rete_strbuf *out, struct json_object *nat, uint64_t flags)
{
	const char *dir = jstr(nat, "dir");
	const char *min_addr, *max_addr;

	rete_strbuf_adds(out, " nat");
	if (strcmp(dir, "src") && strcmp(dir, "dst"))
		return;

	rete_strbuf_addf(out, "(%s", dir);
	min_addr = jstr_opt(nat, "min_addr");
	max_addr = jstr_opt(nat, "max_addr");
	if ((flags & OVS_CT_NAT_RANGE_MAP_IPS) && min_addr && max_addr) {
		if (!strcmp(min_addr, max_addr))
			rete_strbuf_addf(out, "=%s", min_addr);
		else
			rete_strbuf_addf(out, "=%s-%s", min_addr, max_addr);
	}
	if ((flags & OVS_CT_NAT_RANGE_PROTO_SPECIFIED) && jhas_int(nat, "min_port") &&
	    jhas_int(nat, "max_port")) {
		uint64_t lo = ju64(nat, "min_port"), hi = ju64(nat, "max_port");

		if (lo == hi)
			rete_strbuf_addf(out, ":%" PRIu64, lo);
		else
			rete_strbuf_addf(out, ":%" PRIu64 "-%" PRIu64, lo, hi);
	}
	rete_strbuf_addc(out, ')');
}

static void fmt_ovs_ct_action(struct rete_strbuf *out, struct json_object *o)
{
	uint64_t flags = ju64(o, "flags");
	struct json_object *nat = jget(o, "nat");
	bool first = true;

	rete_strbuf_addf(out, " ct zone %" PRIu64, ju64(o, "zone_id"));
	if (nat)
		fmt_ovs_ct_nat(out, nat, flags);
	for (size_t i = 0; i < sizeof(ovs_ct_flags) / sizeof(ovs_ct_flags[0]); i++) {
		if (!(flags & ovs_ct_flags[i].flag))
			continue;
		rete_strbuf_addc(out, first ? ' ' : ',');
		rete_strbuf_adds(out, ovs_ct_flags[i].name);
		first = false;
	}
}

/* Actions printed by name only: {JSON "action" value, text}. */
static const struct {
	const char *action;
	const char *text;
} ovs_simple_actions[] = {
	{ "userspace", "userspace" },
	{ "set", "tunnel_set" },
	{ "push_vlan", "push_vlan" },
	{ "pop_vlan", "pop_vlan" },
	{ "sample", "sample" },
	{ "hash", "hash" },
	{ "push_mpls", "push_mpls" },
	{ "pop_mpls", "pop_mpls" },
	{ "set_masked", "set_masked" },
	{ "trunc", "trunc" },
	{ "push_eth", "push_eth" },
	{ "pop_eth", "pop_eth" },
	{ "ct_clear", "ct_clear" },
	{ "push_nsh", "push_nsh" },
	{ "pop_nsh", "pop_nsh" },
	{ "meter", "meter" },
	{ "clone", "clone" },
	{ "check_pkt_len", "check_pkt_len" },
	{ "add_mpls", "add_mpls" },
	{ "dec_ttl", "dec_ttl" },
};

static void fmt_ovs_action_execute(struct rete_strbuf *out, struct json_object *o)
{
	const char *action = jstr_opt(o, "action");
	uint64_t recirc_id = ju64(o, "recirc_id");

	if (recirc_id)
		rete_strbuf_addf(out, "[recirc_id 0x%" PRIx64 "] ", recirc_id);
	rete_strbuf_adds(out, "exec");

	if (!action) {
		rete_strbuf_adds(out, " unspec");
	} else if (!strcmp(action, "output")) {
		rete_strbuf_addf(out, " oport %" PRIu64, ju64(o, "port"));
	} else if (!strcmp(action, "recirc")) {
		rete_strbuf_addf(out, " recirc 0x%" PRIx64, ju64(o, "id"));
	} else if (!strcmp(action, "ct")) {
		fmt_ovs_ct_action(out, o);
	} else if (!strcmp(action, "drop")) {
		rete_strbuf_addf(out, " drop %" PRIu64, ju64(o, "reason"));
	} else {
		const char *text = action;	/* unknown to Retis 1.6: show its name */

		for (size_t i = 0; i < sizeof(ovs_simple_actions) / sizeof(ovs_simple_actions[0]);
		     i++) {
			if (!strcmp(action, ovs_simple_actions[i].action)) {
				text = ovs_simple_actions[i].text;
				break;
			}
		}
		rete_strbuf_addf(out, " %s", text);
	}

	if (jhas_int(o, "queue_id"))
		rete_strbuf_addf(out, " q %" PRIu64, ju64(o, "queue_id"));
}

static const struct {
	const char *event_type;
	void (*fmt)(struct rete_strbuf *out, struct json_object *o);
} ovs_events[] = {
	{ "upcall", fmt_ovs_upcall },
	{ "upcall_enqueue", fmt_ovs_upcall_enqueue },
	{ "upcall_return", fmt_ovs_upcall_return },
	{ "recv_upcall", fmt_ovs_recv_upcall },
	{ "flow_operation", fmt_ovs_flow_operation },
	{ "action_execute", fmt_ovs_action_execute },
	{ "flow_lookup", fmt_ovs_flow_lookup },
};

/* false when the event type is unknown (the caller falls back to raw JSON). */
static bool fmt_ovs(struct rete_strbuf *out, struct json_object *o)
{
	const char *type = jstr_opt(o, "event_type");

	for (size_t i = 0; type && i < sizeof(ovs_events) / sizeof(ovs_events[0]); i++) {
		if (!strcmp(type, ovs_events[i].event_type)) {
			ovs_events[i].fmt(out, o);
			return true;
		}
	}
	return false;
}

/*
 * rete's closing record: {"probes": {"type/symbol": N}, "total": N, "kernel_skipped": N}.
 * "lost N event(s)", then the probes that lost some and the runs the kernel skipped.
 */
static bool fmt_lost(struct rete_strbuf *out, struct json_object *o, bool multiline)
{
	struct json_object *probes = jget(o, "probes");
	uint64_t skipped = ju64(o, "kernel_skipped");
	bool first = true;

	if (!jhas_int(o, "total"))
		return false;
	rete_strbuf_addf(out, "lost %" PRIu64 " event(s)", ju64(o, "total"));
	if (probes && json_object_is_type(probes, json_type_object)) {
		json_object_object_foreach(probes, name, val)
		{
			uint64_t n = (uint64_t)json_object_get_int64(val);

			if (!n)
				continue;
			rete_strbuf_addf(out, "%s%s %" PRIu64, first ? " (" : ", ", name, n);
			first = false;
		}
		if (!first)
			rete_strbuf_addc(out, ')');
	}
	if (skipped)
		rete_strbuf_addf(out, "%s%" PRIu64 " probe run(s) skipped by the kernel",
			 multiline ? ", " : " ", skipped);
	return true;
}

static bool fmt_ovs_extra(struct rete_strbuf *out, struct json_object *o, bool multiline)
{
	return fmt_ovs(out, o);
}

/* Extra sections with a text form; the others print as "<name> <json>". */
static const struct {
	const char *name;
	bool (*fmt)(struct rete_strbuf *out, struct json_object *o, bool multiline);
} extra_fmts[] = {
	{ "ovs", fmt_ovs_extra },
	{ "lost", fmt_lost },
};

/* ---- entry points ---- */

int rete_text_extra_section(const struct rete_ev_extra *x, bool multiline,
			    struct rete_strbuf *out)
{
	struct json_object *obj;
	bool done;
	size_t i;

	if (!x || !out)
		return -EINVAL;
	for (i = 0; i < sizeof(extra_fmts) / sizeof(extra_fmts[0]); i++)
		if (!strcmp(x->name, extra_fmts[i].name))
			break;
	if (i == sizeof(extra_fmts) / sizeof(extra_fmts[0]))
		return fmt_raw(x->name, x->json, out);

	obj = parse_object(x->json);
	if (!obj)
		return fmt_raw(x->name, x->json, out);
	/* A formatter returns false before writing anything: a variant it does not know. */
	done = extra_fmts[i].fmt(out, obj, multiline);
	json_object_put(obj);
	return done ? out->err : fmt_raw(x->name, x->json, out);
}

int rete_text_userspace(const char *json, struct rete_strbuf *out)
{
	struct json_object *obj = parse_object(json);
	const char *path, *bin;

	if (!out)
		return -EINVAL;
	rete_strbuf_addf(out, "[u] %s", jstr(obj, "symbol"));
	path = jstr(obj, "path");
	bin = strrchr(path, '/');
	if (bin)
		rete_strbuf_addf(out, " (%s)", bin + 1);
	json_object_put(obj);
	return out->err;
}
