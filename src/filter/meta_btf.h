/*
 * BTF queries behind the meta filter compiler: walking typedefs and
 * qualifiers, finding members through anonymous structs and unions, and
 * naming types the way C writes them for error messages.
 */
#ifndef RETE_FILTER_META_BTF_H
#define RETE_FILTER_META_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct btf_type;
struct rete_suggest;

/* A member found in a struct or union; offsets in bits from the outer struct. */
struct rete_meta_member_info {
	uint32_t type;
	uint32_t bit_off;
	uint32_t bf_size;	/* bit-field width, 0 for a plain member */
};

/* Skip typedefs and qualifiers; *tdname (when not NULL) gets the last typedef's name. */
uint32_t rete_meta_btf_skip_mods(const struct btf *btf, uint32_t id, const char **tdname);
/* A forward declaration resolved to the full definition when BTF has one. */
uint32_t rete_meta_btf_resolve_fwd(const struct btf *btf, uint32_t id);
/* Name of a type, "" when anonymous. */
const char *rete_meta_btf_name(const struct btf *btf, const struct btf_type *t);
/* "struct", "union" or "enum". */
const char *rete_meta_btf_tag(const struct btf_type *t);
/* C-like name of a type ("struct net_device *", "char[16]", "u32"), truncated to len. */
void rete_meta_btf_type_name(const struct btf *btf, uint32_t id, char *buf, size_t len);
/*
 * Find member `name` of struct or union id, looking into anonymous members;
 * base_bits is added to the offset found.
 */
bool rete_meta_btf_find_member(const struct btf *btf, uint32_t id, const char *name,
			       uint32_t base_bits, struct rete_meta_member_info *ret);
/* Offer every member name of struct or union id (anonymous members included) to s. */
void rete_meta_btf_suggest_members(const struct btf *btf, uint32_t id, struct rete_suggest *s);

#endif
