/*
 * JSON reader, second half: json-c objects -> struct rete_event, for the
 * Retis 1.6 schema (plus the 1.5 nested skb and the pre-1.5 flat skb).
 *
 * Every modelled section is checked: required fields present, types and
 * ranges right; the first problem becomes a one-sentence error and the
 * event is reset. Unknown fields of modelled sections are ignored (as
 * serde does in Retis); unknown sections are kept as extra sections.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "events/json.h"
#include "events/json_priv.h"
#include "events/section.h"
#include "lib/base64.h"

/* sizeof a member, for char arrays in field tables. */
#define RETE_MEMBER_SIZE(type, member) sizeof(((struct type *)0)->member)

static int vfail(struct rete_json_rd *r, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int vfail(struct rete_json_rd *r, const char *fmt, va_list ap)
{
	char msg[192];

	if (!r->err || !r->errlen)
		return -EINVAL;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (r->sec)
		snprintf(r->err, r->errlen, "%ssection \"%s\": %s", r->prefix, r->sec, msg);
	else
		snprintf(r->err, r->errlen, "%s%s", r->prefix, msg);
	return -EINVAL;
}

static int fail(struct rete_json_rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct rete_json_rd *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(r, fmt, ap);
	va_end(ap);
	return rc;
}

int rete_json_fail(struct rete_json_rd *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(r, fmt, ap);
	va_end(ap);
	return rc;
}

static int fail_nomem(struct rete_json_rd *r)
{
	fail(r, "out of memory");
	return -ENOMEM;
}

static int fail_field(struct rete_json_rd *r, const char *key, const char *what)
{
	return fail(r, "field \"%s%s\" %s", r->path, key, what);
}

const char *rete_json_type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown value";
}

/*
 * Field lookup. Returns 1 and the value, 0 when absent or null (serde maps
 * null to None), or the error for a missing required field.
 */
static int member(struct rete_json_rd *r, struct json_object *obj, const char *key, bool req,
		  struct json_object **ret)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !v) {
		if (req)
			return fail_field(r, key, "is missing");
		return 0;
	}
	*ret = v;
	return 1;
}

static int get_uint(struct rete_json_rd *r, struct json_object *obj, const char *key, bool req,
		    uint64_t max, uint64_t *ret)
{
	struct json_object *v = NULL;
	int64_t s;
	uint64_t u;
	int rc = member(r, obj, key, req, &v);

	if (rc <= 0)
		return rc;
	if (!json_object_is_type(v, json_type_int))
		return fail(r, "field \"%s%s\" is not an integer (got %s)", r->path, key,
			    rete_json_type_name(v));
	s = json_object_get_int64(v);
	if (s < 0)
		return fail(r, "field \"%s%s\" is out of range (%lld, expected 0..%llu)", r->path,
			    key, (long long)s, (unsigned long long)max);
	u = json_object_get_uint64(v);
	if (u > max)
		return fail(r, "field \"%s%s\" is out of range (%llu, expected 0..%llu)", r->path,
			    key, (unsigned long long)u, (unsigned long long)max);
	*ret = u;
	return 1;
}

static int get_int(struct rete_json_rd *r, struct json_object *obj, const char *key, bool req,
		   int64_t min, int64_t max, int64_t *ret)
{
	struct json_object *v = NULL;
	int64_t s;
	int rc = member(r, obj, key, req, &v);

	if (rc <= 0)
		return rc;
	if (!json_object_is_type(v, json_type_int))
		return fail(r, "field \"%s%s\" is not an integer (got %s)", r->path, key,
			    rete_json_type_name(v));
	s = json_object_get_int64(v);
	/* json-c clamps values above INT64_MAX to it: look at the unsigned value. */
	if (s == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return fail(r, "field \"%s%s\" is out of range (%llu, expected %lld..%lld)",
			    r->path, key, (unsigned long long)json_object_get_uint64(v),
			    (long long)min, (long long)max);
	if (s < min || s > max)
		return fail(r, "field \"%s%s\" is out of range (%lld, expected %lld..%lld)",
			    r->path, key, (long long)s, (long long)min, (long long)max);
	*ret = s;
	return 1;
}

static int get_bool(struct rete_json_rd *r, struct json_object *o, const char *key, bool req,
		    bool *dst)
{
	struct json_object *v = NULL;
	int rc = member(r, o, key, req, &v);

	if (rc <= 0)
		return rc;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(r, "field \"%s%s\" is not a boolean (got %s)", r->path, key,
			    rete_json_type_name(v));
	*dst = json_object_get_boolean(v);
	return 1;
}

static int get_str(struct rete_json_rd *r, struct json_object *o, const char *key, bool req,
		   const char **ret, size_t *ret_len)
{
	struct json_object *v = NULL;
	int rc = member(r, o, key, req, &v);

	if (rc <= 0)
		return rc;
	if (!json_object_is_type(v, json_type_string))
		return fail(r, "field \"%s%s\" is not a string (got %s)", r->path, key,
			    rete_json_type_name(v));
	*ret = json_object_get_string(v);
	*ret_len = (size_t)json_object_get_string_len(v);
	/* C strings: an escaped \u0000 would silently cut the value. */
	if (memchr(*ret, '\0', *ret_len))
		return fail_field(r, key, "contains a NUL character");
	return 1;
}

/* Into a fixed-size array of the event; too long is an error, not a silent cut. */
static int get_str_arr(struct rete_json_rd *r, struct json_object *o, const char *key, bool req,
		       char *dst, size_t cap)
{
	const char *s;
	size_t n;
	int rc = get_str(r, o, key, req, &s, &n);

	if (rc <= 0)
		return rc;
	if (n >= cap)
		return fail(r, "field \"%s%s\" is too long (%zu bytes, at most %zu)", r->path, key,
			    n, cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 1;
}

static int get_obj(struct rete_json_rd *r, struct json_object *o, const char *key, bool req,
		   struct json_object **ret)
{
	struct json_object *v = NULL;
	int rc = member(r, o, key, req, &v);

	if (rc <= 0)
		return rc;
	if (!json_object_is_type(v, json_type_object))
		return fail(r, "field \"%s%s\" is not an object (got %s)", r->path, key,
			    rete_json_type_name(v));
	*ret = v;
	return 1;
}

/*
 * Sections are described by field tables: key, type, offset in the section
 * struct, and whether the field is required or which bool records it.
 */
enum field_type {
	FT_U8,
	FT_U16,
	FT_U32,
	FT_U64,
	FT_I32,
	FT_I64,
	FT_BOOL,
	FT_STR,		/* char array of .size bytes */
};

#define F_REQUIRED ((size_t)-1)	/* .has: the field must be there */
#define F_OPTIONAL ((size_t)-2)	/* .has: may be absent, no presence flag */

struct field {
	const char *key;
	enum field_type type;
	size_t off;
	size_t size;
	size_t has;	/* F_REQUIRED, F_OPTIONAL, or offset of a bool set when present */
};

static const uint64_t ft_max[] = {
	[FT_U8] = UINT8_MAX, [FT_U16] = UINT16_MAX, [FT_U32] = UINT32_MAX, [FT_U64] = UINT64_MAX,
};

static int read_field(struct rete_json_rd *r, struct json_object *o, void *base,
		      const struct field *f)
{
	char *dst = (char *)base + f->off;
	bool req = f->has == F_REQUIRED;
	uint64_t u = 0;
	int64_t i = 0;
	int rc;

	switch (f->type) {
	case FT_U8:
	case FT_U16:
	case FT_U32:
	case FT_U64:
		rc = get_uint(r, o, f->key, req, ft_max[f->type], &u);
		if (rc <= 0)
			break;
		if (f->type == FT_U8)
			*(uint8_t *)dst = (uint8_t)u;
		else if (f->type == FT_U16)
			*(uint16_t *)dst = (uint16_t)u;
		else if (f->type == FT_U32)
			*(uint32_t *)dst = (uint32_t)u;
		else
			*(uint64_t *)dst = u;
		break;
	case FT_I32:
		rc = get_int(r, o, f->key, req, INT32_MIN, INT32_MAX, &i);
		if (rc > 0)
			*(int32_t *)dst = (int32_t)i;
		break;
	case FT_I64:
		rc = get_int(r, o, f->key, req, INT64_MIN, INT64_MAX, &i);
		if (rc > 0)
			*(int64_t *)dst = i;
		break;
	case FT_BOOL:
		rc = get_bool(r, o, f->key, req, (bool *)dst);
		break;
	case FT_STR:
		rc = get_str_arr(r, o, f->key, req, dst, f->size);
		break;
	default:
		rc = fail(r, "internal error: bad field type");
		break;
	}
	if (rc > 0 && f->has != F_REQUIRED && f->has != F_OPTIONAL)
		*(bool *)((char *)base + f->has) = true;
	return rc < 0 ? rc : 0;
}

/* Read every field of a table; path prefixes field names in messages ("meta."). */
static int read_fields(struct rete_json_rd *r, struct json_object *o, void *base,
		       const char *path, const struct field *fields, size_t n)
{
	int rc;

	r->path = path;
	for (size_t i = 0; i < n; i++) {
		rc = read_field(r, o, base, &fields[i]);
		if (rc)
			return rc;
	}
	r->path = "";
	return 0;
}

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

#define OFF(type, member) offsetof(struct type, member)

static const struct field common_fields[] = {
	{ "timestamp", FT_U64, OFF(rete_ev_common, timestamp), 0, F_REQUIRED },
	{ "smp_id", FT_U32, OFF(rete_ev_common, smp_id), 0, OFF(rete_ev_common, has_smp_id) },
};

static const struct field task_fields[] = {
	{ "pid", FT_I32, OFF(rete_ev_common, pid), 0, F_REQUIRED },
	{ "tgid", FT_I32, OFF(rete_ev_common, tgid), 0, F_REQUIRED },
	{ "comm", FT_STR, OFF(rete_ev_common, comm), RETE_MEMBER_SIZE(rete_ev_common, comm),
	  F_REQUIRED },
};

static int read_common(struct rete_json_rd *r, struct json_object *o)
{
	struct rete_ev_common *c = &r->ev->common;
	struct json_object *task;
	int rc;

	if ((rc = read_fields(r, o, c, "", common_fields, NFIELDS(common_fields))) ||
	    (rc = get_obj(r, o, "task", false, &task)) < 0)
		return rc;
	if (rc > 0) {
		if ((rc = read_fields(r, task, c, "task.", task_fields, NFIELDS(task_fields))))
			return rc;
		c->has_task = true;
	}
	return 0;
}

static const struct field kernel_fields[] = {
	{ "symbol", FT_STR, OFF(rete_ev_kernel, symbol), RETE_MEMBER_SIZE(rete_ev_kernel, symbol),
	  F_REQUIRED },
	{ "probe_type", FT_STR, OFF(rete_ev_kernel, probe_type),
	  RETE_MEMBER_SIZE(rete_ev_kernel, probe_type), F_REQUIRED },
	{ "retval", FT_I64, OFF(rete_ev_kernel, retval), 0, OFF(rete_ev_kernel, has_retval) },
};

static int read_kernel(struct rete_json_rd *r, struct json_object *o)
{
	struct rete_ev_kernel *k = &r->ev->kernel;
	struct json_object *st = NULL;
	size_t n;
	int rc;

	if ((rc = read_fields(r, o, k, "", kernel_fields, NFIELDS(kernel_fields))) ||
	    (rc = member(r, o, "stack_trace", false, &st)) <= 0)
		return rc;
	if (!json_object_is_type(st, json_type_array))
		return fail(r, "field \"stack_trace\" is not an array (got %s)",
			    rete_json_type_name(st));
	n = json_object_array_length(st);
	if (n > RETE_STACK_MAX)
		return fail(r, "field \"stack_trace\" has %zu entries (at most %d)", n,
			    RETE_STACK_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(st, i);
		const char *s;

		if (!e || !json_object_is_type(e, json_type_string))
			return fail(r, "field \"stack_trace\": entry %zu is not a string", i);
		s = rete_event_strndup(r->ev, json_object_get_string(e),
				       (size_t)json_object_get_string_len(e));
		if (!s)
			return fail_nomem(r);
		k->stack[i] = s;
	}
	k->nstack = (uint32_t)n;
	k->has_stack = true;
	return 0;
}

static const struct field tracking_skb_fields[] = {
	{ "orig_head", FT_U64, OFF(rete_ev_tracking, orig_head), 0, F_REQUIRED },
	{ "timestamp", FT_U64, OFF(rete_ev_tracking, timestamp), 0, F_REQUIRED },
	{ "skb", FT_U64, OFF(rete_ev_tracking, skb), 0, F_REQUIRED },
};

static const struct field tracking_fields[] = {
	{ "idx", FT_U32, OFF(rete_ev_tracking, idx), 0, F_REQUIRED },
};

static int read_tracking(struct rete_json_rd *r, struct json_object *o)
{
	struct rete_ev_tracking *t = &r->ev->tracking;
	struct json_object *skb;
	int rc;

	if ((rc = get_obj(r, o, "skb", true, &skb)) < 0 ||
	    (rc = read_fields(r, skb, t, "skb.", tracking_skb_fields,
			      NFIELDS(tracking_skb_fields))))
		return rc;
	return read_fields(r, o, t, "", tracking_fields, NFIELDS(tracking_fields));
}

static const struct field packet_fields[] = {
	{ "len", FT_U32, OFF(rete_ev_packet, len), 0, F_REQUIRED },
	{ "capture_len", FT_U32, OFF(rete_ev_packet, capture_len), 0, F_REQUIRED },
};

/* Packet fields; data_key is "data", or "packet" in the Retis 1.5 skb layout. */
static int read_packet_fields(struct rete_json_rd *r, struct json_object *o, const char *path,
			      const char *data_key)
{
	struct rete_ev_packet *p = &r->ev->packet;
	uint8_t *data = NULL;
	const char *b64;
	size_t n;
	int rc;

	if ((rc = read_fields(r, o, p, path, packet_fields, NFIELDS(packet_fields))))
		return rc;
	r->path = path;
	if ((rc = get_str(r, o, data_key, true, &b64, &n)) < 0)
		return rc;
	/* No bytes: data stays NULL, as in a freshly built event. */
	rc = 0;
	if (n) {
		data = rete_event_alloc(r->ev, rete_base64_decoded_max(n));
		if (!data)
			return fail_nomem(r);
		rc = rete_base64_decode(b64, n, data, rete_base64_decoded_max(n));
		if (rc < 0)
			return fail_field(r, data_key, "is not valid base64");
	}
	if ((uint32_t)rc != p->capture_len)
		return fail(r, "field \"%scapture_len\" is %u but \"%s%s\" holds %d bytes", path,
			    p->capture_len, path, data_key, rc);
	p->data = data;
	r->path = "";
	return 0;
}

static int read_packet(struct rete_json_rd *r, struct json_object *o)
{
	return read_packet_fields(r, o, "", "data");
}


/* Retis 1.5 kept packet, dev and netns inside "skb"; 1.6 moved them out. */
static const char *const skb15_keys[] = { "packet", "dev", "ns" };

static bool skb_key_known(const struct rete_fields *t, const char *key)
{
	if (rete_fields_find(t, key))
		return true;
	for (size_t i = 0; i < NFIELDS(skb15_keys); i++)
		if (!strcmp(key, skb15_keys[i]))
			return true;
	return false;
}

static int add_extra_obj(struct rete_json_rd *r, const char *name, struct json_object *v);

/*
 * The skb section is described by its collector (src/collectors/skb/skb.c);
 * read here for the older layouts it may hide.
 */
static int read_skb(struct rete_json_rd *r, struct json_object *o)
{
	int i = rete_xsection_find("skb");
	const struct rete_fields *t;
	int rc;

	if (i < 0)
		return add_extra_obj(r, "skb", o);
	t = rete_xsection((size_t)i)->fields;
	/*
	 * The pre-1.5 flat layout (saddr, etype, dev_name, netns, ...): Retis
	 * 1.6 ignores those fields and keeps an empty section; keep it all.
	 */
	json_object_object_foreach(o, key, val) {
		if (val && !skb_key_known(t, key))
			return add_extra_obj(r, "skb", o);
	}
	if (!rete_event_xsec(r->ev, (size_t)i, true))
		return fail_nomem(r);
	if ((rc = rete_fields_read(r, o, t, &r->ev->skb, "")))
		return rc;
	if ((rc = get_obj(r, o, "packet", false, &r->skb15_packet)) < 0 ||
	    (rc = get_obj(r, o, "dev", false, &r->skb15_dev)) < 0 ||
	    (rc = get_obj(r, o, "ns", false, &r->skb15_ns)) < 0)
		return rc;
	return 0;
}


#define STARTUP(m) OFF(rete_ev_startup, m)
#define STARTUP_SIZE(m) RETE_MEMBER_SIZE(rete_ev_startup, m)

static const struct field startup_fields[] = {
	{ "retis_version", FT_STR, STARTUP(version), STARTUP_SIZE(version), F_REQUIRED },
};

static const struct field mono_offset_fields[] = {
	{ "sec", FT_I64, STARTUP(mono_offset_sec), 0, F_REQUIRED },
	{ "nsec", FT_I64, STARTUP(mono_offset_nsec), 0, F_REQUIRED },
};

static const struct field machine_fields[] = {
	{ "kernel_release", FT_STR, STARTUP(kernel_release), STARTUP_SIZE(kernel_release),
	  F_REQUIRED },
	{ "kernel_version", FT_STR, STARTUP(kernel_version), STARTUP_SIZE(kernel_version),
	  F_REQUIRED },
	{ "hardware_name", FT_STR, STARTUP(hardware_name), STARTUP_SIZE(hardware_name),
	  F_REQUIRED },
};

static const struct field split_fields[] = {
	{ "id", FT_U32, STARTUP(split_id), 0, F_REQUIRED },
};

static const struct field policy_fields[] = {
	{ "limit", FT_U64, STARTUP(split_limit), 0, F_REQUIRED },
};

static int read_split_file(struct rete_json_rd *r, struct json_object *o)
{
	struct rete_ev_startup *s = &r->ev->startup;
	struct json_object *policy;
	const char *kind;
	size_t n;
	int rc;

	if ((rc = read_fields(r, o, s, "split_file.", split_fields, NFIELDS(split_fields))))
		return rc;
	r->path = "split_file.";
	if ((rc = get_obj(r, o, "policy", true, &policy)) < 0)
		return rc;
	r->path = "split_file.policy.";
	if ((rc = get_str(r, policy, "kind", true, &kind, &n)) < 0)
		return rc;
	/* RotationPolicy is an enum tagged by "kind"; Retis only has "size". */
	if (strcmp(kind, "size"))
		return fail(r, "field \"split_file.policy.kind\" is \"%.32s\" (only \"size\" is "
			       "known)",
			    kind);
	if ((rc = read_fields(r, policy, s, "split_file.policy.", policy_fields,
			      NFIELDS(policy_fields))))
		return rc;
	s->has_split = true;
	return 0;
}

static int read_startup(struct rete_json_rd *r, struct json_object *o)
{
	struct rete_ev_startup *s = &r->ev->startup;
	struct json_object *sub;
	const char *cmdline;
	size_t n;
	int rc;

	if ((rc = read_fields(r, o, s, "", startup_fields, NFIELDS(startup_fields))) ||
	    (rc = get_str(r, o, "cmdline", false, &cmdline, &n)) < 0)
		return rc;
	if (rc > 0) {
		s->cmdline = rete_event_strndup(r->ev, cmdline, n);
		if (!s->cmdline)
			return fail_nomem(r);
	}
	if ((rc = get_obj(r, o, "clock_monotonic_offset", true, &sub)) < 0 ||
	    (rc = read_fields(r, sub, s, "clock_monotonic_offset.", mono_offset_fields,
			      NFIELDS(mono_offset_fields))))
		return rc;
	if ((rc = get_obj(r, o, "machine", false, &sub)) < 0)
		return rc;
	if (rc > 0) {
		if ((rc = read_fields(r, sub, s, "machine.", machine_fields,
				      NFIELDS(machine_fields))))
			return rc;
		s->has_machine = true;
	}
	if ((rc = get_obj(r, o, "split_file", false, &sub)) < 0)
		return rc;
	return rc > 0 ? read_split_file(r, sub) : 0;
}

static const struct {
	const char *name;
	enum rete_section_id id;
	int (*read)(struct rete_json_rd *r, struct json_object *o);
	bool sets_itself;	/* read() decides whether the section is present */
} sections[] = {
	{ "common", RETE_SEC_COMMON, read_common, false },
	{ "kernel", RETE_SEC_KERNEL, read_kernel, false },
	{ "tracking", RETE_SEC_TRACKING, read_tracking, false },
	{ "packet", RETE_SEC_PACKET, read_packet, false },
	{ "skb", RETE_SEC_SKB, read_skb, true },
	{ "startup", RETE_SEC_STARTUP, read_startup, false },
};

static int add_extra_obj(struct rete_json_rd *r, const char *name, struct json_object *v)
{
	size_t n;
	const char *s = json_object_to_json_string_length(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	int rc;

	if (!s)
		return fail_nomem(r);
	rc = rete_event_add_extra(r->ev, name, s, n);
	switch (rc) {
	case 0:
		return 0;
	case -E2BIG:
		return fail(r, "too many unmodelled sections (at most %d)", RETE_EXTRA_MAX);
	case -ENAMETOOLONG:
		return fail(r, "section name is too long (at most %zu bytes)",
			    sizeof(r->ev->extra[0].name) - 1);
	case -ENOMEM:
		return fail_nomem(r);
	default:
		return fail(r, "cannot keep the section (%s)", strerror(-rc));
	}
}

/* Retis 1.5 "skb/ns": {netns} became "netns": {inum}. */
static const struct field ns15_fields[] = {
	{ "netns", FT_U32, OFF(rete_ev_netns, inum), 0, F_REQUIRED },
};

/* Retis 1.5 "skb/dev" has the dev section's layout: read with its table. */
static int read_skb15_dev(struct rete_json_rd *r)
{
	int i = rete_xsection_find("dev");
	void *sec;

	if (i < 0)
		return fail(r, "field \"dev\": no dev section in this build");
	sec = rete_event_xsec(r->ev, (size_t)i, true);
	if (!sec)
		return fail_nomem(r);
	return rete_fields_read(r, r->skb15_dev, rete_xsection((size_t)i)->fields, sec, "dev.");
}

/* Retis's V1 compat fixups for 1.5 files: skb/{packet,dev,ns} become sections. */
static int convert_skb15(struct rete_json_rd *r)
{
	int rc;

	r->sec = "skb";
	if (r->skb15_packet) {
		if (rete_event_has(r->ev, RETE_SEC_PACKET))
			return fail(r, "field \"packet\" conflicts with the \"packet\" section");
		if ((rc = read_packet_fields(r, r->skb15_packet, "packet.", "packet")))
			return rc;
		rete_event_set(r->ev, RETE_SEC_PACKET);
	}
	if (r->skb15_dev) {
		if (rete_event_has(r->ev, RETE_SEC_DEV))
			return fail(r, "field \"dev\" conflicts with the \"dev\" section");
		if ((rc = read_skb15_dev(r)))
			return rc;
	}
	if (r->skb15_ns) {
		if (rete_event_has(r->ev, RETE_SEC_NETNS))
			return fail(r, "field \"ns\" conflicts with the \"netns\" section");
		if ((rc = read_fields(r, r->skb15_ns, &r->ev->netns, "ns.", ns15_fields,
				      NFIELDS(ns15_fields))))
			return rc;
		rete_event_set(r->ev, RETE_SEC_NETNS);
	}
	r->path = "";
	r->sec = NULL;
	return 0;
}

/*
 * A section described by its collector (events/section.h), else an extra.
 * One that does not fit its description (a layout rete does not know) is
 * kept as an extra too: printed as it is, written back unchanged.
 */
static int read_described(struct rete_json_rd *r, const char *name, struct json_object *v)
{
	int i = rete_xsection_find(name);
	void *sec;
	int rc;

	if (i < 0 || i >= RETE_XSEC_SLOTS)
		return add_extra_obj(r, name, v);
	sec = rete_event_xsec(r->ev, (size_t)i, true);
	if (!sec)
		return fail_nomem(r);
	r->sec = name;
	r->path = "";
	rc = rete_fields_read(r, v, rete_xsection((size_t)i)->fields, sec, "");
	if (rc == -ENOMEM || (rc && !rete_xsection((size_t)i)->keep_unfit))
		return rc;
	r->sec = NULL;
	if (rc) {
		rete_event_xsec_clear(r->ev, (size_t)i);
		return add_extra_obj(r, name, v);
	}
	return 0;
}

static int read_section(struct rete_json_rd *r, const char *name, struct json_object *v)
{
	int rc;

	for (size_t i = 0; i < NFIELDS(sections); i++) {
		if (strcmp(name, sections[i].name))
			continue;
		r->sec = sections[i].name;
		r->path = "";
		if (!json_object_is_type(v, json_type_object))
			return fail(r, "not an object (got %s)", rete_json_type_name(v));
		rc = sections[i].read(r, v);
		if (rc)
			return rc;
		if (!sections[i].sets_itself)
			rete_event_set(r->ev, sections[i].id);
		r->sec = NULL;
		return 0;
	}
	r->sec = NULL;
	return read_described(r, name, v);
}

/*
 * Keep extras in the order the writer emits them, whatever the input order:
 * then write -> read gives back the same struct. Stable insertion sort (at
 * most RETE_EXTRA_MAX entries).
 */
static void sort_extras(struct rete_event *ev)
{
	for (uint32_t i = 1; i < ev->nextra; i++) {
		struct rete_ev_extra x = ev->extra[i];
		unsigned int rank = rete_json_section_rank(x.name);
		uint32_t j = i;

		for (; j > 0 && rete_json_section_rank(ev->extra[j - 1].name) > rank; j--)
			ev->extra[j] = ev->extra[j - 1];
		ev->extra[j] = x;
	}
}

/* Fill r->ev from one event object. */
static int read_object(struct rete_json_rd *r, struct json_object *obj)
{
	int rc;

	json_object_object_foreach(obj, key, val) {
		/* A null section is an absent one (serde Option). */
		if (!val)
			continue;
		rc = read_section(r, key, val);
		if (rc)
			return rc;
	}
	rc = convert_skb15(r);
	if (rc)
		return rc;
	sort_extras(r->ev);
	return 0;
}

int rete_json_read_object(struct rete_json_rd *r, struct json_object *obj)
{
	int rc;

	rete_event_reset(r->ev);
	r->skb15_packet = r->skb15_dev = r->skb15_ns = NULL;
	r->sec = NULL;
	r->path = "";
	rc = read_object(r, obj);
	if (rc)
		rete_event_reset(r->ev);
	return rc;
}
