/*
 * Meta filter compiler (see meta_compile.h for the semantics).
 *
 * Registers: R6 = the sk_buff (R1 on entry), R7 = the struct reached by the
 * last pointer followed, R8 = the value compared, R9 = 64-bit constants.
 * R1-R5 are the helper's arguments and are clobbered by each call. Stack:
 * [R10 - 8] receives pointers and numbers, the words below it strings.
 *
 * Each comparison is compiled knowing where to jump when it is true, when it
 * is false, and which of the two comes right after it (so it needs a single
 * conditional jump): `a && b` sends a's true exit to b and its false exit to
 * the whole expression's false exit, `a || b` the other way around. Jumps
 * name labels; their offsets are fixed once every label has a place. The
 * program is loop-free and every instruction is reachable, as the verifier
 * requires.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "filter/insn.h"
#include "filter/meta_btf.h"
#include "filter/meta_compile.h"
#include "lib/suggest.h"

#define SLOT_OFF (-8)		/* [R10 - 8]: pointers and numbers */
#define REG_SKB BPF_REG_6
#define REG_BASE BPF_REG_7
#define REG_VAL BPF_REG_8
#define REG_CONST BPF_REG_9

struct fixup {
	size_t insn;
	int label;
};

struct cc {
	const struct btf *btf;
	struct rete_filter_prog *prog;
	size_t n;		/* instructions so far, counted on past the limit */
	bool full;		/* prog reached RETE_FILTER_MAX_INSNS */
	size_t *labels;		/* label -> instruction index, SIZE_MAX until placed */
	size_t nlabels, caplabels;
	struct fixup *fixups;
	size_t nfixups, capfixups;
	int skb_id;
	char path[256];		/* "sk_buff.dev.name": the member being compiled */
	char *err;
	size_t errlen;
	int rc;
};

enum leaf_kind {
	LEAF_NUM,
	LEAF_CHAR_ARRAY,
	LEAF_CHAR_PTR,
};

struct leaf {
	enum leaf_kind kind;
	uint32_t bit_off;	/* from the base pointer */
	uint32_t bits;		/* NUM: width */
	uint32_t size;		/* NUM: bytes of the type (1, 2, 4, 8) */
	uint32_t nelems;	/* CHAR_ARRAY */
	bool is_signed;		/* NUM */
	bool bitfield;		/* NUM: extracted with shifts */
};

__attribute__((format(printf, 2, 3))) static void cfail(struct cc *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->rc)
		return;
	c->rc = -EINVAL;
	if (!c->errlen)
		return;
	n = snprintf(c->err, c->errlen, "meta filter: ");
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void nomem(struct cc *c)
{
	if (c->rc)
		return;
	c->rc = -ENOMEM;
	snprintf(c->err, c->errlen, "meta filter: out of memory");
}

/* ---- emission ----------------------------------------------------------- */

static void emit(struct cc *c, struct bpf_insn insn)
{
	int rc;

	if (c->rc)
		return;
	c->n++;
	if (c->full)
		return;
	rc = rete_filter_emit(c->prog, insn);
	if (rc == -E2BIG)
		c->full = true;
	else if (rc)
		nomem(c);
}

static int new_label(struct cc *c)
{
	if (c->nlabels == c->caplabels) {
		size_t cap = c->caplabels ? c->caplabels * 2 : 16;
		size_t *n = realloc(c->labels, cap * sizeof(*n));

		if (!n) {
			nomem(c);
			return 0;
		}
		c->labels = n;
		c->caplabels = cap;
	}
	c->labels[c->nlabels] = SIZE_MAX;
	return (int)c->nlabels++;
}

static void place(struct cc *c, int label)
{
	if (!c->rc)
		c->labels[label] = c->n;
}

/* A jump whose offset is set later to reach label. */
static void emit_jump(struct cc *c, struct bpf_insn insn, int label)
{
	if (c->rc)
		return;
	if (c->nfixups == c->capfixups) {
		size_t cap = c->capfixups ? c->capfixups * 2 : 64;
		struct fixup *n = realloc(c->fixups, cap * sizeof(*n));

		if (!n) {
			nomem(c);
			return;
		}
		c->fixups = n;
		c->capfixups = cap;
	}
	c->fixups[c->nfixups].insn = c->n;
	c->fixups[c->nfixups++].label = label;
	emit(c, insn);
}

static void resolve_jumps(struct cc *c)
{
	for (size_t i = 0; i < c->nfixups; i++) {
		struct fixup *f = &c->fixups[i];

		c->prog->insns[f->insn].off = (int16_t)(c->labels[f->label] - f->insn - 1);
	}
}

static bool fits_imm32(uint64_t v)
{
	return (int64_t)(int32_t)v == (int64_t)v;
}

static void emit_ld_imm64(struct cc *c, uint8_t reg, uint64_t v)
{
	emit(c, rete_ld_imm64_lo(reg, v));
	emit(c, rete_ld_imm64_hi(v));
}

static void emit_and(struct cc *c, uint8_t reg, uint64_t mask)
{
	if (fits_imm32(mask)) {
		emit(c, rete_alu_imm(BPF_ALU64, BPF_AND, reg, (int32_t)mask));
	} else {
		emit_ld_imm64(c, REG_CONST, mask);
		emit(c, rete_alu_reg(BPF_ALU64, BPF_AND, reg, REG_CONST));
	}
}

/* if (reg op v) goto label */
static void emit_cond(struct cc *c, uint8_t op, uint8_t reg, uint64_t v, int label)
{
	if (fits_imm32(v)) {
		emit_jump(c, rete_jmp_imm(BPF_JMP, op, reg, (int32_t)v, 0), label);
	} else {
		emit_ld_imm64(c, REG_CONST, v);
		emit_jump(c, rete_jmp_reg(BPF_JMP, op, reg, REG_CONST, 0), label);
	}
}

/* bpf_probe_read_kernel(R10 + stack_off, size, base + off); on failure goto lf. */
static void emit_read(struct cc *c, int16_t stack_off, uint32_t size, uint8_t base, uint32_t off,
		      int lf)
{
	emit(c, rete_mov64_reg(BPF_REG_1, BPF_REG_10));
	emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, stack_off));
	emit(c, rete_mov64_imm(BPF_REG_2, (int32_t)size));
	emit(c, rete_mov64_reg(BPF_REG_3, base));
	if (off)
		emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_3, (int32_t)off));
	emit(c, rete_call_helper(BPF_FUNC_probe_read_kernel));
	emit_jump(c, rete_jmp_imm(BPF_JMP, BPF_JNE, BPF_REG_0, 0, 0), lf);
}

/* R7 = *(u64 *)(base + off) [& mask]; NULL goes to lf. */
static void emit_follow(struct cc *c, uint8_t base, uint32_t off, const struct rete_meta_member *m,
			int lf)
{
	emit_read(c, SLOT_OFF, 8, base, off, lf);
	emit(c, rete_ldx(BPF_DW, REG_BASE, BPF_REG_10, SLOT_OFF));
	if (m->has_mask)
		emit_and(c, REG_BASE, m->mask);
	emit_jump(c, rete_jmp_imm(BPF_JMP, BPF_JEQ, REG_BASE, 0, 0), lf);
}

/* ---- checks against BTF ----------------------------------------------- */

static void fail_no_member(struct cc *c, uint32_t comp, const char *tdname, const char *name)
{
	const struct btf_type *t = btf__type_by_id(c->btf, comp);
	struct rete_suggest s;
	char what[320];

	if (*rete_meta_btf_name(c->btf, t))
		snprintf(what, sizeof(what), "%s %s", rete_meta_btf_tag(t),
			 rete_meta_btf_name(c->btf, t));
	else if (tdname && *tdname)
		snprintf(what, sizeof(what), "%s", tdname);
	else
		snprintf(what, sizeof(what), "%s (an anonymous %s)", c->path, rete_meta_btf_tag(t));
	rete_suggest_init(&s, name);
	rete_meta_btf_suggest_members(c->btf, comp, &s);
	if (s.best)
		cfail(c, "%s has no member '%s' (did you mean '%s'?)", what, name, s.best);
	else
		cfail(c, "%s has no member '%s'", what, name);
}

/* The struct or union a cast names (by struct, union or typedef name), or 0. */
static uint32_t resolve_cast(struct cc *c, const char *name)
{
	static const int kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF };
	const struct btf_type *t;
	struct rete_suggest s;
	char tn[128];
	uint32_t n;
	int id;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		id = btf__find_by_name_kind(c->btf, name, kinds[i]);
		if (id <= 0)
			continue;
		id = (int)rete_meta_btf_skip_mods(c->btf, (uint32_t)id, NULL);
		t = btf__type_by_id(c->btf, (uint32_t)id);
		if (t && btf_is_composite(t))
			return (uint32_t)id;
		rete_meta_btf_type_name(c->btf, (uint32_t)id, tn, sizeof(tn));
		cfail(c, "%s cannot be cast to %s, which is %s, not a struct or a union", c->path,
		      name, tn);
		return 0;
	}
	if (btf__find_by_name(c->btf, name) > 0) {
		cfail(c, "%s cannot be cast to %s, which is not a struct or a union", c->path,
		      name);
		return 0;
	}
	rete_suggest_init(&s, name);
	n = btf__type_cnt(c->btf);
	for (uint32_t i = 1; i < n; i++) {
		t = btf__type_by_id(c->btf, i);
		if (btf_is_composite(t) || btf_is_typedef(t))
			rete_suggest_offer(&s, rete_meta_btf_name(c->btf, t));
	}
	if (s.best && *s.best)
		cfail(c, "%s is cast to the unknown type '%s' (did you mean '%s'?)", c->path, name,
		      s.best);
	else
		cfail(c, "%s is cast to the unknown type '%s'", c->path, name);
	return 0;
}

/* What a leaf member is, or an error. */
static int classify_leaf(struct cc *c, const struct rete_meta_member_info *mi, struct leaf *l)
{
	uint32_t id = rete_meta_btf_skip_mods(c->btf, mi->type, NULL);
	const struct btf_type *t = btf__type_by_id(c->btf, id), *e;
	char tn[128];

	rete_meta_btf_type_name(c->btf, mi->type, tn, sizeof(tn));
	memset(l, 0, sizeof(*l));
	l->bit_off = mi->bit_off;
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		l->kind = LEAF_NUM;
		l->size = t->size;
		if (btf_is_int(t)) {
			l->is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
			l->bits = btf_int_bits(t);
			/* Old-style bit-fields live in the int type (structs without kflag). */
			l->bit_off += btf_int_offset(t);
		} else {
			l->is_signed = btf_kflag(t);
			l->bits = t->size * 8;
		}
		if (mi->bf_size)
			l->bits = mi->bf_size;
		if (l->size != 1 && l->size != 2 && l->size != 4 && l->size != 8) {
			cfail(c,
			      "%s is a %u-byte number (%s), which the meta filter cannot compare",
			      c->path, l->size, tn);
			return -1;
		}
		l->bitfield = l->bits != l->size * 8 || l->bit_off % 8;
		return 0;
	}
	if (btf_is_ptr(t)) {
		e = btf__type_by_id(c->btf, rete_meta_btf_skip_mods(c->btf, t->type, NULL));
		if (btf_is_int(e) && e->size == 1) {
			l->kind = LEAF_CHAR_PTR;
			return 0;
		}
		cfail(c, "%s is a pointer (%s), not a number or a string: compare one of the members it points to",
		      c->path, tn);
		return -1;
	}
	if (btf_is_array(t)) {
		id = rete_meta_btf_skip_mods(c->btf, btf_array(t)->type, NULL);
		e = btf__type_by_id(c->btf, id);
		if (!btf_is_int(e) || e->size != 1) {
			cfail(c,
			      "%s is an array (%s); only arrays of chars can be compared, as strings",
			      c->path, tn);
			return -1;
		}
		if (!btf_array(t)->nelems) {
			cfail(c, "%s is a flexible array (%s), whose length BTF does not give",
			      c->path, tn);
			return -1;
		}
		l->kind = LEAF_CHAR_ARRAY;
		l->nelems = btf_array(t)->nelems;
		return 0;
	}
	if (btf_is_composite(t))
		cfail(c, "%s is a %s (%s), not a number or a string: compare one of its members",
		      c->path, rete_meta_btf_tag(t), tn);
	else
		cfail(c, "%s is %s%s, which the meta filter cannot compare", c->path,
		      btf_is_float(t) ? "a floating-point number, " : "of type ", tn);
	return -1;
}

/* ---- comparisons -------------------------------------------------------- */

static uint8_t jmp_op(enum rete_meta_op op, bool is_signed)
{
	switch (op) {
	case RETE_META_OP_EQ:
		return BPF_JEQ;
	case RETE_META_OP_NE:
		return BPF_JNE;
	case RETE_META_OP_LT:
		return is_signed ? BPF_JSLT : BPF_JLT;
	case RETE_META_OP_LE:
		return is_signed ? BPF_JSLE : BPF_JLE;
	case RETE_META_OP_GT:
		return is_signed ? BPF_JSGT : BPF_JGT;
	default:
		return is_signed ? BPF_JSGE : BPF_JGE;
	}
}

static enum rete_meta_op negate(enum rete_meta_op op)
{
	static const enum rete_meta_op neg[RETE_META_OP_MAX] = {
		[RETE_META_OP_EQ] = RETE_META_OP_NE, [RETE_META_OP_NE] = RETE_META_OP_EQ,
		[RETE_META_OP_LT] = RETE_META_OP_GE, [RETE_META_OP_LE] = RETE_META_OP_GT,
		[RETE_META_OP_GT] = RETE_META_OP_LE, [RETE_META_OP_GE] = RETE_META_OP_LT,
	};

	return neg[op];
}

/* The value fits the leaf's width and signedness. */
static int check_range(struct cc *c, const struct leaf *l, const struct rete_meta_value *v,
		       const char *tn)
{
	uint64_t umax = l->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << l->bits) - 1;
	int64_t smax = (int64_t)(umax >> 1), smin = -smax - 1;

	if (!l->is_signed && v->negative) {
		cfail(c, "%s is unsigned (%s) and cannot be compared with %s", c->path, tn,
		      v->text);
		return -1;
	}
	if (!l->is_signed && v->num > umax) {
		cfail(c, "%s is out of the range of %s (%s%s: 0 to %llu)", v->text, c->path, tn,
		      l->bitfield ? " bit-field" : "", (unsigned long long)umax);
		return -1;
	}
	if (l->is_signed && ((v->negative && (int64_t)v->num < smin) ||
			     (!v->negative && v->num > (uint64_t)smax))) {
		cfail(c, "%s is out of the range of %s (%s%s: %lld to %lld)", v->text, c->path, tn,
		      l->bitfield ? " bit-field" : "", (long long)smin, (long long)smax);
		return -1;
	}
	return 0;
}

static void emit_num(struct cc *c, const struct rete_meta_cmp *cmp,
		     const struct rete_meta_member *m, const struct leaf *l, uint8_t base, int lt,
		     int lf, int lnext)
{
	static const uint8_t ldx_size[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };
	uint32_t byte = l->bit_off / 8, shift = l->bit_off % 8;
	enum rete_meta_op op = cmp->op;
	int target = lt;

	if (l->bitfield) {
		/*
		 * Little-endian (x86) bit-field: read the bytes that hold it into a
		 * zeroed u64, shift its top bit to bit 63, then back down to bit 0
		 * (arithmetic shift for signed fields: sign extension).
		 */
		uint32_t nbytes = (shift + l->bits + 7) / 8;

		if (nbytes > 8) {
			cfail(c, "%s is a bit-field spanning more than 8 bytes", c->path);
			return;
		}
		emit(c, rete_st_imm(BPF_DW, BPF_REG_10, SLOT_OFF, 0));
		emit_read(c, SLOT_OFF, nbytes, base, byte, lf);
		emit(c, rete_ldx(BPF_DW, REG_VAL, BPF_REG_10, SLOT_OFF));
		if (64 - shift - l->bits)
			emit(c, rete_alu_imm(BPF_ALU64, BPF_LSH, REG_VAL,
					     (int32_t)(64 - shift - l->bits)));
		if (64 - l->bits)
			emit(c, rete_alu_imm(BPF_ALU64, l->is_signed ? BPF_ARSH : BPF_RSH, REG_VAL,
					     (int32_t)(64 - l->bits)));
	} else {
		emit_read(c, SLOT_OFF, l->size, base, byte, lf);
		emit(c, rete_ldx(ldx_size[l->size], REG_VAL, BPF_REG_10, SLOT_OFF));
		if (l->is_signed && l->size < 8) {
			int32_t pad = 64 - 8 * (int32_t)l->size;

			emit(c, rete_alu_imm(BPF_ALU64, BPF_LSH, REG_VAL, pad));
			emit(c, rete_alu_imm(BPF_ALU64, BPF_ARSH, REG_VAL, pad));
		}
	}
	if (m->has_mask)
		emit_and(c, REG_VAL, m->mask);
	/* One conditional jump to the exit that does not follow; the other falls through. */
	if (lnext == lt) {
		op = negate(op);
		target = lf;
	}
	emit_cond(c, jmp_op(op, l->is_signed), REG_VAL, cmp->value.num, target);
	if (target == lt && lf != lnext)
		emit_jump(c, rete_ja(0), lf);
}

static void emit_str(struct cc *c, const struct rete_meta_cmp *cmp,
		     const struct rete_meta_member *m, const struct leaf *l, uint8_t base, int lt,
		     int lf, int lnext)
{
	uint8_t bytes[RETE_META_STR_MAX + 8] = { 0 };
	size_t len = cmp->value.len, n, words;
	uint32_t off = l->bit_off / 8;
	int lmismatch = cmp->op == RETE_META_OP_EQ ? lf : lt;
	int lmatch = cmp->op == RETE_META_OP_EQ ? lt : lf;
	int16_t buf;

	memcpy(bytes, cmp->value.str, len);
	if (l->kind == LEAF_CHAR_PTR) {
		emit_follow(c, base, off, m, lf);
		base = REG_BASE;
		off = 0;
		n = len + 1;
	} else {
		/* A full array needs no NUL: "eth0" matches char[4] holding "eth0". */
		n = len < l->nelems ? len + 1 : len;
	}
	words = (n + 7) / 8;
	buf = (int16_t)(SLOT_OFF - 8 * (int)words);
	/* The verifier wants every stack byte we load written: zero the last word's tail. */
	if (n % 8)
		emit(c, rete_st_imm(BPF_DW, BPF_REG_10, (int16_t)(buf + 8 * (words - 1)), 0));
	emit_read(c, buf, (uint32_t)n, base, off, lf);
	for (size_t w = 0; w < words; w++) {
		uint64_t v;

		/* Host and kernel share the byte order: memcpy() builds the word the load sees. */
		memcpy(&v, bytes + 8 * w, sizeof(v));
		emit(c, rete_ldx(BPF_DW, REG_VAL, BPF_REG_10, (int16_t)(buf + 8 * w)));
		emit_cond(c, BPF_JNE, REG_VAL, v, lmismatch);
	}
	if (lmatch != lnext)
		emit_jump(c, rete_ja(0), lmatch);
}

/* Check a leaf against the comparison written, then emit it. */
static void compile_leaf(struct cc *c, const struct rete_meta_cmp *cmp,
			 const struct rete_meta_member *m, const struct rete_meta_member_info *mi,
			 uint8_t base, int lt, int lf, int lnext)
{
	const struct rete_meta_value *v = &cmp->value;
	struct leaf l;
	char tn[128];

	if (m->cast) {
		cfail(c, "%s is cast to %s but no member of %s follows", c->path, m->cast, m->cast);
		return;
	}
	if (classify_leaf(c, mi, &l))
		return;
	rete_meta_btf_type_name(c->btf, mi->type, tn, sizeof(tn));
	if (l.kind == LEAF_NUM) {
		if (v->type == RETE_META_VALUE_STR) {
			cfail(c, "%s is a number (%s) and cannot be compared with the string %s",
			      c->path, tn, v->text);
			return;
		}
		if (m->has_mask && l.is_signed) {
			cfail(c,
			      "%s is signed (%s): masks apply only to unsigned numbers and pointers",
			      c->path, tn);
			return;
		}
		if (check_range(c, &l, v, tn))
			return;
		emit_num(c, cmp, m, &l, base, lt, lf, lnext);
		return;
	}
	if (cmp->bare) {
		cfail(c, "%s is a string (%s): compare it with == or != and a quoted string",
		      c->path, tn);
		return;
	}
	if (v->type != RETE_META_VALUE_STR) {
		cfail(c, "%s is a string (%s) and cannot be compared with the number %s", c->path,
		      tn, v->text);
		return;
	}
	if (cmp->op != RETE_META_OP_EQ && cmp->op != RETE_META_OP_NE) {
		cfail(c, "strings can only be compared with == or !=, not with '%s'",
		      rete_meta_op_str(cmp->op));
		return;
	}
	if (m->has_mask && l.kind == LEAF_CHAR_ARRAY) {
		cfail(c, "%s is an array (%s): masks apply only to unsigned numbers and pointers",
		      c->path, tn);
		return;
	}
	if (v->len > RETE_META_STR_MAX) {
		cfail(c, "the string %s is longer than %d bytes", v->text, RETE_META_STR_MAX);
		return;
	}
	if (l.kind == LEAF_CHAR_ARRAY && v->len > l.nelems) {
		cfail(c, "the string %s is %zu bytes long but %s (%s) holds at most %u", v->text,
		      v->len, c->path, tn, l.nelems);
		return;
	}
	emit_str(c, cmp, m, &l, base, lt, lf, lnext);
}

static void path_add(struct cc *c, const char *name)
{
	size_t len = strlen(c->path);

	snprintf(c->path + len, sizeof(c->path) - len, ".%s", name);
}

/*
 * One intermediate member: an embedded struct moves the offset, a pointer
 * (or a cast) is followed into R7. Returns the next composite, or 0.
 */
static uint32_t walk_member(struct cc *c, const struct rete_meta_member *m,
			    const struct rete_meta_member_info *mi, const char *next, uint8_t *base,
			    uint32_t *bits, const char **tdname, int lf)
{
	uint32_t id = rete_meta_btf_skip_mods(c->btf, mi->type, tdname), target;
	const struct btf_type *t = btf__type_by_id(c->btf, id), *pt;
	char tn[128];

	rete_meta_btf_type_name(c->btf, mi->type, tn, sizeof(tn));
	if (m->cast) {
		if (mi->bf_size || !(btf_is_ptr(t) || (btf_is_int(t) && t->size == 8))) {
			cfail(c,
			      "%s (%s) cannot be cast to %s: only pointers and 64-bit integers can",
			      c->path, tn, m->cast);
			return 0;
		}
		target = resolve_cast(c, m->cast);
		if (!target)
			return 0;
		emit_follow(c, *base, mi->bit_off / 8, m, lf);
		*base = REG_BASE;
		*bits = 0;
		*tdname = m->cast;
		return target;
	}
	if (!mi->bf_size && btf_is_composite(t)) {
		if (m->has_mask) {
			cfail(c,
			      "%s is a %s (%s): masks apply only to unsigned numbers and pointers",
			      c->path, rete_meta_btf_tag(t), tn);
			return 0;
		}
		*bits = mi->bit_off;
		return id;
	}
	if (mi->bf_size || !btf_is_ptr(t)) {
		cfail(c, "%s is %s, not a struct or a pointer to one, so it has no member '%s'",
		      c->path, tn, next);
		return 0;
	}
	*tdname = NULL;
	id = rete_meta_btf_resolve_fwd(c->btf, rete_meta_btf_skip_mods(c->btf, t->type, tdname));
	pt = btf__type_by_id(c->btf, id);
	if (btf_is_composite(pt)) {
		emit_follow(c, *base, mi->bit_off / 8, m, lf);
		*base = REG_BASE;
		*bits = 0;
		return id;
	}
	if (btf_is_void(pt))
		cfail(c, "%s is a void pointer: give it a type with a cast to follow it (%s:~0x0:TYPE.%s)",
		      c->path, c->path, next);
	else if (btf_is_fwd(pt))
		cfail(c, "%s points to %s %s, whose members this kernel's BTF does not describe",
		      c->path, rete_meta_btf_tag(pt), rete_meta_btf_name(c->btf, pt));
	else
		cfail(c, "%s is %s, not a pointer to a struct, so it has no member '%s'", c->path,
		      tn, next);
	return 0;
}

static void compile_cmp(struct cc *c, const struct rete_meta_cmp *cmp, int lt, int lf, int lnext)
{
	uint32_t comp = (uint32_t)c->skb_id, bits = 0;
	const char *tdname = NULL;
	uint8_t base = REG_SKB;

	snprintf(c->path, sizeof(c->path), "sk_buff");
	for (size_t i = 0; i < cmp->npath && !c->rc; i++) {
		const struct rete_meta_member *m = &cmp->path[i];
		struct rete_meta_member_info mi;

		if (!rete_meta_btf_find_member(c->btf, comp, m->name, bits, &mi)) {
			fail_no_member(c, comp, tdname, m->name);
			return;
		}
		path_add(c, m->name);
		if (i + 1 == cmp->npath) {
			compile_leaf(c, cmp, m, &mi, base, lt, lf, lnext);
			return;
		}
		tdname = NULL;
		comp = walk_member(c, m, &mi, cmp->path[i + 1].name, &base, &bits, &tdname, lf);
	}
}

/* Code for node: jump to lt when true, lf when false; lnext is placed right after. */
static void compile_node(struct cc *c, const struct rete_meta_node *node, int lt, int lf,
			 int lnext)
{
	int mid;

	if (c->rc)
		return;
	if (node->type == RETE_META_NODE_CMP) {
		compile_cmp(c, &node->cmp, lt, lf, lnext);
		return;
	}
	mid = new_label(c);
	if (node->type == RETE_META_NODE_AND)
		compile_node(c, node->lhs, mid, lf, mid);
	else
		compile_node(c, node->lhs, lt, mid, mid);
	place(c, mid);
	compile_node(c, node->rhs, lt, lf, lnext);
}

int rete_meta_compile(const struct rete_meta_node *node, const struct btf *btf,
		      struct rete_filter_prog *prog, char *err, size_t errlen)
{
	struct cc c = { .btf = btf, .prog = prog, .err = err, .errlen = errlen };
	int lt, lf;

	if (errlen)
		err[0] = '\0';
	c.skb_id = btf__find_by_name_kind(btf, "sk_buff", BTF_KIND_STRUCT);
	if (c.skb_id <= 0) {
		cfail(&c, "this kernel's BTF has no struct sk_buff");
		return c.rc;
	}
	lt = new_label(&c);
	lf = new_label(&c);
	emit(&c, rete_mov64_reg(REG_SKB, BPF_REG_1));
	compile_node(&c, node, lt, lf, lt);
	place(&c, lt);
	emit(&c, rete_mov64_imm(BPF_REG_0, 1));
	emit(&c, rete_exit());
	place(&c, lf);
	emit(&c, rete_mov64_imm(BPF_REG_0, 0));
	emit(&c, rete_exit());
	if (!c.rc && c.full) {
		/* The sentence names the meta filter already: no "meta filter: " prefix. */
		c.rc = -E2BIG;
		snprintf(err, errlen,
			 "the meta filter needs %zu instructions, more than the %d rete allows",
			 c.n, RETE_FILTER_MAX_INSNS);
	}
	if (!c.rc)
		resolve_jumps(&c);
	else
		rete_filter_prog_free(prog);
	free(c.labels);
	free(c.fixups);
	return c.rc;
}

int rete_meta_filter_build(const char *expr, const struct btf *btf,
			   struct rete_filter_prog *prog, char *err, size_t errlen)
{
	struct rete_meta_node *node;
	int rc = rete_meta_parse(expr, &node, err, errlen);

	if (rc)
		return rc;
	rc = rete_meta_compile(node, btf, prog, err, errlen);
	rete_meta_free(node);
	return rc;
}
