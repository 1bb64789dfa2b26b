/* BTF queries for the meta filter compiler (see meta_btf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "filter/meta_btf.h"
#include "lib/suggest.h"

#define MAX_NEST 16	/* anonymous struct nesting, typedef chains, pointer levels */

/* Skip typedefs and qualifiers; *tdname gets the last typedef's name, if any. */
uint32_t rete_meta_btf_skip_mods(const struct btf *btf, uint32_t id, const char **tdname)
{
	for (int i = 0; i < MAX_NEST * 2; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t || !(btf_is_typedef(t) || btf_is_mod(t)))
			break;
		if (btf_is_typedef(t) && tdname)
			*tdname = btf__name_by_offset(btf, t->name_off);
		id = t->type;
	}
	return id;
}

/* A forward declaration resolved to the full definition when BTF has one. */
uint32_t rete_meta_btf_resolve_fwd(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int full;

	if (!t || !btf_is_fwd(t))
		return id;
	full = btf__find_by_name_kind(btf, btf__name_by_offset(btf, t->name_off),
				      btf_kflag(t) ? BTF_KIND_UNION : BTF_KIND_STRUCT);
	return full > 0 ? (uint32_t)full : id;
}

const char *rete_meta_btf_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return n ? n : "";
}

const char *rete_meta_btf_tag(const struct btf_type *t)
{
	if (btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t)))
		return "union";
	if (btf_is_any_enum(t))
		return "enum";
	return "struct";
}

/* Append to a NUL-terminated buffer, truncating. */
__attribute__((format(printf, 3, 4))) static void addf(char *buf, size_t len, const char *fmt,
						       ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void type_name_add(const struct btf *btf, uint32_t id, char *buf, size_t len, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	size_t used;

	if (!t) {
		addf(buf, len, "type #%u", id);
		return;
	}
	if (depth > MAX_NEST) {
		addf(buf, len, "...");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_UNKN:
		addf(buf, len, "void");
		break;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPEDEF:
		addf(buf, len, "%s", rete_meta_btf_name(btf, t));
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		if (*rete_meta_btf_name(btf, t))
			addf(buf, len, "%s %s", rete_meta_btf_tag(t), rete_meta_btf_name(btf, t));
		else
			addf(buf, len, "%s {...}", rete_meta_btf_tag(t));
		break;
	case BTF_KIND_PTR:
		type_name_add(btf, t->type, buf, len, depth + 1);
		used = strnlen(buf, len);
		addf(buf, len, used && buf[used - 1] == '*' ? "*" : " *");
		break;
	case BTF_KIND_ARRAY:
		type_name_add(btf, btf_array(t)->type, buf, len, depth + 1);
		addf(buf, len, "[%u]", btf_array(t)->nelems);
		break;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		addf(buf, len, "%s ", btf_is_const(t) ? "const" : "volatile");
		type_name_add(btf, t->type, buf, len, depth + 1);
		break;
	case BTF_KIND_FUNC_PROTO:
		addf(buf, len, "a function");
		break;
	default:
		type_name_add(btf, t->type, buf, len, depth + 1);
		break;
	}
}

/* C-like name of a type ("struct net_device *", "char[16]", "u32"). */
void rete_meta_btf_type_name(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	buf[0] = '\0';
	type_name_add(btf, id, buf, len, 0);
}

/* Find member `name` of composite id, looking into anonymous members. */
static bool find_member(const struct btf *btf, uint32_t id, const char *name, uint32_t base_bits,
			struct rete_meta_member_info *ret, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint32_t off = base_bits + btf_member_bit_offset(t, i);
		uint32_t sub;

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			ret->type = m->type;
			ret->bit_off = off;
			ret->bf_size = btf_member_bitfield_size(t, i);
			return true;
		}
		sub = rete_meta_btf_skip_mods(btf, m->type, NULL);
		if (depth < MAX_NEST && btf_is_composite(btf__type_by_id(btf, sub)) &&
		    find_member(btf, sub, name, off, ret, depth + 1))
			return true;
	}
	return false;
}

static void suggest_members(const struct btf *btf, uint32_t id, struct rete_suggest *s, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint32_t sub;

		if (mname && *mname) {
			rete_suggest_offer(s, mname);
			continue;
		}
		sub = rete_meta_btf_skip_mods(btf, m->type, NULL);
		if (depth < MAX_NEST && btf_is_composite(btf__type_by_id(btf, sub)))
			suggest_members(btf, sub, s, depth + 1);
	}
}

bool rete_meta_btf_find_member(const struct btf *btf, uint32_t id, const char *name,
			       uint32_t base_bits, struct rete_meta_member_info *ret)
{
	return find_member(btf, id, name, base_bits, ret, 0);
}

void rete_meta_btf_suggest_members(const struct btf *btf, uint32_t id, struct rete_suggest *s)
{
	suggest_members(btf, id, s, 0);
}
