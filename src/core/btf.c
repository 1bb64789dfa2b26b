#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/btf.h"

static const char *const arg_kind_names[RETE_ARG_KIND_MAX] = {
	[RETE_ARG_SKB] = "struct sk_buff *",
	[RETE_ARG_DROP_REASON] = "enum skb_drop_reason",
	[RETE_ARG_NET_DEVICE] = "struct net_device *",
	[RETE_ARG_NET] = "struct net *",
};

const char *rete_arg_kind_name(enum rete_arg_kind kind)
{
	return (unsigned)kind < RETE_ARG_KIND_MAX ? arg_kind_names[kind] : "?";
}

/* Skip typedefs and modifiers (const, volatile, restrict, type tags). */
static const struct btf_type *resolve(const struct btf *btf, uint32_t id, uint32_t *ret_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t) || btf_kind(t) == BTF_KIND_TYPE_TAG)) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (ret_id)
		*ret_id = id;
	return t;
}

struct kind_match {
	enum rete_arg_kind kind;
	int btf_kind;		/* BTF_KIND_STRUCT (through one pointer) or BTF_KIND_ENUM */
	const char *name;
};

static const struct kind_match kind_matches[] = {
	{ RETE_ARG_SKB, BTF_KIND_STRUCT, "sk_buff" },
	{ RETE_ARG_DROP_REASON, BTF_KIND_ENUM, "skb_drop_reason" },
	{ RETE_ARG_NET_DEVICE, BTF_KIND_STRUCT, "net_device" },
	{ RETE_ARG_NET, BTF_KIND_STRUCT, "net" },
};

static int classify(const struct btf *btf, uint32_t type_id)
{
	const struct btf_type *t = resolve(btf, type_id, NULL);
	int want;

	if (!t)
		return -1;
	if (btf_is_ptr(t)) {
		t = resolve(btf, t->type, NULL);
		if (!t || !btf_is_struct(t))
			return -1;
		want = BTF_KIND_STRUCT;
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		want = BTF_KIND_ENUM;
	} else {
		return -1;
	}
	for (size_t i = 0; i < sizeof(kind_matches) / sizeof(kind_matches[0]); i++) {
		const struct kind_match *m = &kind_matches[i];

		if (m->btf_kind == want && !strcmp(btf__name_by_offset(btf, t->name_off), m->name))
			return (int)m->kind;
	}
	return -1;
}

static int args_from_proto(const struct btf *btf, const struct btf_type *proto, unsigned skip,
			   struct rete_probe_args *ret)
{
	const struct btf_param *p = btf_params(proto);
	unsigned n = btf_vlen(proto);
	struct rete_probe_args a;

	if (n < skip)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	for (int k = 0; k < RETE_ARG_KIND_MAX; k++)
		a.pos[k] = -1;
	a.nargs = (uint8_t)(n - skip);
	for (unsigned i = skip; i < n; i++) {
		int kind = classify(btf, p[i].type);

		/* First argument of a kind wins (e.g. skb before a second skb). */
		if (kind >= 0 && a.pos[kind] < 0)
			a.pos[kind] = (int8_t)(i - skip);
	}
	*ret = a;
	return 0;
}

int rete_btf_tp_args(const struct btf *btf, const char *event, struct rete_probe_args *ret)
{
	const struct btf_type *t;
	char name[256];
	int id;

	if ((size_t)snprintf(name, sizeof(name), "btf_trace_%s", event) >= sizeof(name))
		return -ENAMETOOLONG;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = resolve(btf, (uint32_t)id, NULL);
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = resolve(btf, t->type, NULL);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	/* The first parameter is the `void *__data` context, not a tracepoint argument. */
	return args_from_proto(btf, t, 1, ret);
}

int rete_btf_func_args(const struct btf *btf, const char *func, struct rete_probe_args *ret)
{
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, (uint32_t)id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return args_from_proto(btf, t, 0, ret);
}

int rete_btf_proto_args(const struct btf *btf, uint32_t proto_id, unsigned skip,
			struct rete_probe_args *ret)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);

	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return args_from_proto(btf, t, skip, ret);
}

int rete_btf_proto_reg_params(const struct btf *btf, uint32_t proto_id)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);
	const struct btf_param *p;
	int n;

	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	p = btf_params(t);
	for (n = 0; n < (int)btf_vlen(t); n++) {
		const struct btf_type *a = resolve(btf, p[n].type, NULL);
		long size;

		/* Type 0 here is the "..." of a variadic function. */
		if (!p[n].type || !a || !(btf_is_int(a) || btf_is_enum(a) || btf_is_enum64(a) ||
					  btf_is_ptr(a)))
			break;
		size = btf__resolve_size(btf, p[n].type);
		if (size <= 0 || size > 8)
			break;
	}
	return n;
}

int rete_probe_args_known(const struct rete_probe_args *a)
{
	for (int k = 0; k < RETE_ARG_KIND_MAX; k++)
		if (a->pos[k] >= 0)
			return 1;
	return 0;
}

const char *rete_btf_enum_name(const struct btf *btf, const char *enum_name,
			       const char *strip_prefix, int64_t value)
{
	const struct btf_type *t;
	size_t plen = strip_prefix ? strlen(strip_prefix) : 0;
	int id;

	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, (uint32_t)id);
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		const char *name;
		int64_t v;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			v = btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
			name = btf__name_by_offset(btf, e->name_off);
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			v = (int64_t)btf_enum64_value(e);
			name = btf__name_by_offset(btf, e->name_off);
		}
		if (v != value)
			continue;
		if (plen && !strncmp(name, strip_prefix, plen))
			name += plen;
		return name;
	}
	return NULL;
}
