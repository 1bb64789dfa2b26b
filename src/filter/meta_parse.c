/*
 * Hand-written recursive-descent parser for meta filter expressions (grammar
 * in meta_parse.h). Errors name the 1-based column and what was expected.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/meta_parse.h"
#include "lib/strbuf.h"

/* Longest excerpt of the input quoted in a message. */
#define QUOTE_MAX 64

struct parser {
	const char *s;
	size_t pos;
	size_t prev, prev_end;	/* last token consumed, quoted by "after '...'" */
	int depth;		/* parentheses */
	int ncmp;
	char *err;
	size_t errlen;
	int rc;			/* first error, 0 while parsing goes well */
};

static const char *const op_strs[RETE_META_OP_MAX] = {
	[RETE_META_OP_EQ] = "==", [RETE_META_OP_NE] = "!=", [RETE_META_OP_LT] = "<",
	[RETE_META_OP_LE] = "<=", [RETE_META_OP_GT] = ">",  [RETE_META_OP_GE] = ">=",
};

const char *rete_meta_op_str(enum rete_meta_op op)
{
	return op < RETE_META_OP_MAX ? op_strs[op] : "?";
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	       p->s[p->pos] == '\r')
		p->pos++;
}

__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, size_t pos,
							const char *fmt, ...)
{
	int n;
	va_list ap;

	if (p->rc)
		return;
	p->rc = -EINVAL;
	if (!p->errlen)
		return;
	n = snprintf(p->err, p->errlen, "meta filter: at column %zu: ", pos + 1);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void fail_nomem(struct parser *p)
{
	if (p->rc)
		return;
	p->rc = -ENOMEM;
	snprintf(p->err, p->errlen, "meta filter: out of memory");
}

/* Length of an excerpt [from, to) to quote, capped at QUOTE_MAX. */
static int quote_len(size_t from, size_t to)
{
	return (int)(to - from > QUOTE_MAX ? QUOTE_MAX : to - from);
}

static void consumed(struct parser *p, size_t start)
{
	p->prev = start;
	p->prev_end = p->pos;
}

/* The word at pos is `w` (a keyword is not a prefix of a longer identifier). */
static bool at_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p->s + p->pos, w, n) && !is_ident_char(p->s[p->pos + n]);
}

/* At "&&", "||", "and" or "or": returns the node type and its length, or -1. */
static int peek_bool_op(const struct parser *p, size_t *len)
{
	const char *c = p->s + p->pos;

	if ((c[0] == '&' && c[1] == '&') || (c[0] == '|' && c[1] == '|')) {
		*len = 2;
		return c[0] == '&' ? RETE_META_NODE_AND : RETE_META_NODE_OR;
	}
	if (at_word(p, "and")) {
		*len = 3;
		return RETE_META_NODE_AND;
	}
	if (at_word(p, "or")) {
		*len = 2;
		return RETE_META_NODE_OR;
	}
	return -1;
}

/* At an operator: returns it and consumes it, or -1. */
static int take_op(struct parser *p)
{
	static const enum rete_meta_op order[] = {
		RETE_META_OP_EQ, RETE_META_OP_NE, RETE_META_OP_LE,
		RETE_META_OP_GE, RETE_META_OP_LT, RETE_META_OP_GT,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *o = op_strs[order[i]];
		size_t n = strlen(o);

		if (!strncmp(p->s + p->pos, o, n)) {
			size_t start = p->pos;

			p->pos += n;
			consumed(p, start);
			return (int)order[i];
		}
	}
	return -1;
}

static char *dup_range(struct parser *p, size_t from, size_t to)
{
	char *r = strndup(p->s + from, to - from);

	if (!r)
		fail_nomem(p);
	return r;
}

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/*
 * A number: decimal (with a leading '-' when allow_neg), 0x hex or 0b binary.
 * Returns 0 and the value (two's complement when negative), or -1.
 */
static int take_number(struct parser *p, bool allow_neg, uint64_t *ret, bool *ret_neg)
{
	size_t start = p->pos, digits;
	bool neg = false, overflow = false;
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (allow_neg && p->s[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->s[p->pos] == '0' && (p->s[p->pos + 1] == 'x' || p->s[p->pos + 1] == 'X'))
		base = 16;
	else if (p->s[p->pos] == '0' && (p->s[p->pos + 1] == 'b' || p->s[p->pos + 1] == 'B'))
		base = 2;
	if (base != 10) {
		if (neg) {
			fail(p, start, "negative numbers must be written in decimal");
			return -1;
		}
		p->pos += 2;
	}
	digits = p->pos;
	while ((d = digit_value(p->s[p->pos], base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		v = v * base + (uint64_t)d;
		p->pos++;
	}
	if (p->pos == digits && !is_ident_char(p->s[p->pos])) {
		fail(p, start, "expected %s digits after '%.*s'",
		     base == 16 ? "hexadecimal" : base == 2 ? "binary" : "decimal",
		     (int)(p->pos - start), p->s + start);
		return -1;
	}
	if (p->pos == digits || is_ident_char(p->s[p->pos])) {
		while (is_ident_char(p->s[p->pos]))
			p->pos++;
		fail(p, start, "invalid number '%.*s'", quote_len(start, p->pos), p->s + start);
		return -1;
	}
	if (neg && v > (uint64_t)INT64_MAX + 1)
		overflow = true;
	if (overflow) {
		fail(p, start, "'%.*s' does not fit in 64 bits", quote_len(start, p->pos),
		     p->s + start);
		return -1;
	}
	consumed(p, start);
	*ret = neg ? (uint64_t)0 - v : v;
	*ret_neg = neg && v;
	return 0;
}

static int take_string(struct parser *p, struct rete_meta_value *v)
{
	size_t start = p->pos, len;
	char q = p->s[p->pos];
	const char *end = strchr(p->s + start + 1, q);

	if (!end) {
		fail(p, start, "the string starting here has no closing %c", q);
		return -1;
	}
	len = (size_t)(end - (p->s + start + 1));
	if (len > RETE_META_STR_MAX) {
		fail(p, start,
		     "the string is %zu bytes long, more than the %d the meta filter allows", len,
		     RETE_META_STR_MAX);
		return -1;
	}
	p->pos = (size_t)(end - p->s) + 1;
	consumed(p, start);
	v->type = RETE_META_VALUE_STR;
	v->len = len;
	v->str = dup_range(p, start + 1, start + 1 + len);
	return v->str ? 0 : -1;
}

static void free_cmp(struct rete_meta_cmp *c)
{
	for (size_t i = 0; i < c->npath; i++) {
		free(c->path[i].name);
		free(c->path[i].cast);
	}
	free(c->path);
	free(c->value.str);
	free(c->value.text);
}

void rete_meta_free(struct rete_meta_node *node)
{
	if (!node)
		return;
	if (node->type == RETE_META_NODE_CMP) {
		free_cmp(&node->cmp);
	} else {
		rete_meta_free(node->lhs);
		rete_meta_free(node->rhs);
	}
	free(node);
}

/* `:[~]MASK[:type]` after a member name (p->pos is on the ':'). */
static int take_modifiers(struct parser *p, size_t lhs_start, struct rete_meta_member *m)
{
	size_t mask_start;
	bool tilde = false, neg;
	uint64_t mask;

	p->pos++;
	consumed(p, p->pos - 1);
	skip_ws(p);
	mask_start = p->pos;
	if (p->s[p->pos] == '~') {
		tilde = true;
		p->pos++;
		skip_ws(p);
	}
	if (!is_digit(p->s[p->pos])) {
		fail(p, p->pos,
		     "expected a mask (a number such as 0xff, 0b101 or 255, optionally after '~') after '%.*s'",
		     quote_len(lhs_start, p->prev_end), p->s + lhs_start);
		return -1;
	}
	if (take_number(p, false, &mask, &neg))
		return -1;
	if (tilde)
		mask = ~mask;
	if (!mask) {
		fail(p, mask_start, "the mask '%.*s' is 0, which would clear every bit",
		     quote_len(mask_start, p->pos), p->s + mask_start);
		return -1;
	}
	m->mask = mask;
	m->has_mask = true;
	skip_ws(p);
	if (p->s[p->pos] != ':')
		return 0;
	p->pos++;
	consumed(p, p->pos - 1);
	skip_ws(p);
	if (!is_ident_start(p->s[p->pos])) {
		fail(p, p->pos, "expected a type name after '%.*s'",
		     quote_len(lhs_start, p->prev_end), p->s + lhs_start);
		return -1;
	}
	mask_start = p->pos;
	while (is_ident_char(p->s[p->pos]))
		p->pos++;
	consumed(p, mask_start);
	m->cast = dup_range(p, mask_start, p->pos);
	return m->cast ? 0 : -1;
}

/* sk_buff.member[:mask[:type]]... (p->pos is after "sk_buff"). */
static int take_path(struct parser *p, size_t start, struct rete_meta_cmp *c)
{
	size_t cap = 0;

	for (;;) {
		struct rete_meta_member *m;
		size_t name;

		skip_ws(p);
		if (p->s[p->pos] != '.')
			break;
		p->pos++;
		consumed(p, p->pos - 1);
		skip_ws(p);
		if (!is_ident_start(p->s[p->pos])) {
			fail(p, p->pos, "expected a member name after '%.*s'",
			     quote_len(start, p->prev_end), p->s + start);
			return -1;
		}
		if (c->npath == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct rete_meta_member *n = realloc(c->path, ncap * sizeof(*n));

			if (!n) {
				fail_nomem(p);
				return -1;
			}
			c->path = n;
			cap = ncap;
		}
		m = &c->path[c->npath++];
		memset(m, 0, sizeof(*m));
		name = p->pos;
		while (is_ident_char(p->s[p->pos]))
			p->pos++;
		consumed(p, name);
		m->name = dup_range(p, name, p->pos);
		if (!m->name)
			return -1;
		skip_ws(p);
		if (p->s[p->pos] == ':' && take_modifiers(p, start, m))
			return -1;
	}
	if (!c->npath) {
		fail(p, p->pos, "expected '.' and a member name after 'sk_buff'");
		return -1;
	}
	return 0;
}

/* What may follow a comparison: the end, ')' or a boolean operator. */
static bool at_term_end(const struct parser *p)
{
	size_t len;

	return !p->s[p->pos] || p->s[p->pos] == ')' || peek_bool_op(p, &len) >= 0;
}

static int take_rhs(struct parser *p, struct rete_meta_cmp *c, size_t op_pos)
{
	char ch = p->s[p->pos];
	size_t start = p->pos;

	if (ch == '"' || ch == '\'') {
		if (c->op != RETE_META_OP_EQ && c->op != RETE_META_OP_NE) {
			fail(p, op_pos, "strings can only be compared with == or !=, not with '%s'",
			     rete_meta_op_str(c->op));
			return -1;
		}
		if (take_string(p, &c->value))
			return -1;
	} else if (ch == '-' || is_digit(ch)) {
		c->value.type = RETE_META_VALUE_NUM;
		if (take_number(p, true, &c->value.num, &c->value.negative))
			return -1;
	} else if (is_ident_start(ch)) {
		while (is_ident_char(p->s[p->pos]))
			p->pos++;
		fail(p, start, "expected a number or a quoted string after '%s', not '%.*s'",
		     rete_meta_op_str(c->op), quote_len(start, p->pos), p->s + start);
		return -1;
	} else {
		fail(p, start, "expected a number or a quoted string after '%s'",
		     rete_meta_op_str(c->op));
		return -1;
	}
	c->value.text = dup_range(p, start, p->pos);
	return c->value.text ? 0 : -1;
}

static struct rete_meta_node *parse_term(struct parser *p)
{
	size_t start = p->pos, lhs_end, op_pos;
	struct rete_meta_node *node;
	int op;

	while (is_ident_char(p->s[p->pos]))
		p->pos++;
	if (p->pos - start != strlen("sk_buff") || strncmp(p->s + start, "sk_buff", 7)) {
		fail(p, start,
		     "expected 'sk_buff', not '%.*s' (the meta filter reads struct sk_buff only)",
		     quote_len(start, p->pos), p->s + start);
		return NULL;
	}
	consumed(p, start);
	if (++p->ncmp > RETE_META_CMP_MAX) {
		fail(p, start, "more than %d comparisons", RETE_META_CMP_MAX);
		return NULL;
	}
	node = calloc(1, sizeof(*node));
	if (!node) {
		fail_nomem(p);
		return NULL;
	}
	node->type = RETE_META_NODE_CMP;
	if (take_path(p, start, &node->cmp))
		goto err;
	lhs_end = p->prev_end;
	skip_ws(p);
	op_pos = p->pos;
	op = take_op(p);
	if (op < 0) {
		if (!at_term_end(p)) {
			fail(p, p->pos,
			     "expected an operator (==, !=, <, <=, >, >=) after '%.*s'",
			     quote_len(start, lhs_end), p->s + start);
			goto err;
		}
		node->cmp.bare = true;
		node->cmp.op = RETE_META_OP_NE;
		node->cmp.value.type = RETE_META_VALUE_NUM;
		return node;
	}
	node->cmp.op = (enum rete_meta_op)op;
	skip_ws(p);
	if (take_rhs(p, &node->cmp, op_pos))
		goto err;
	return node;
err:
	rete_meta_free(node);
	return NULL;
}

static struct rete_meta_node *parse_expr(struct parser *p);

static void fail_after(struct parser *p, const char *what)
{
	fail(p, p->pos, "expected %s after '%.*s'", what, quote_len(p->prev, p->prev_end),
	     p->s + p->prev);
}

static struct rete_meta_node *parse_primary(struct parser *p)
{
	struct rete_meta_node *e;
	size_t open;

	skip_ws(p);
	if (is_ident_start(p->s[p->pos]))
		return parse_term(p);
	if (p->s[p->pos] != '(') {
		if (!p->s[p->pos] && !p->prev_end)
			fail(p, p->pos, "the filter is empty");
		else if (!p->prev_end)
			fail(p, p->pos, "expected 'sk_buff' or '('");
		else
			fail_after(p, "'sk_buff' or '('");
		return NULL;
	}
	open = p->pos++;
	consumed(p, open);
	if (++p->depth > RETE_META_DEPTH_MAX) {
		fail(p, open, "parentheses nested deeper than %d", RETE_META_DEPTH_MAX);
		return NULL;
	}
	e = parse_expr(p);
	p->depth--;
	if (!e)
		return NULL;
	skip_ws(p);
	if (p->s[p->pos] != ')') {
		if (!p->s[p->pos])
			fail(p, p->pos, "expected ')' to close the '(' at column %zu", open + 1);
		else
			fail_after(p, "'&&', '||', 'and', 'or' or ')'");
		rete_meta_free(e);
		return NULL;
	}
	p->pos++;
	consumed(p, p->pos - 1);
	return e;
}

static struct rete_meta_node *parse_expr(struct parser *p)
{
	struct rete_meta_node *lhs = parse_primary(p);

	while (lhs) {
		struct rete_meta_node *rhs, *n;
		size_t len, start;
		int type;

		skip_ws(p);
		type = peek_bool_op(p, &len);
		if (type < 0)
			break;
		start = p->pos;
		p->pos += len;
		consumed(p, start);
		rhs = parse_primary(p);
		if (!rhs) {
			rete_meta_free(lhs);
			return NULL;
		}
		n = calloc(1, sizeof(*n));
		if (!n) {
			fail_nomem(p);
			rete_meta_free(lhs);
			rete_meta_free(rhs);
			return NULL;
		}
		/* Equal precedence, left associative: the tree so far is the lhs. */
		n->type = (enum rete_meta_node_type)type;
		n->lhs = lhs;
		n->rhs = rhs;
		lhs = n;
	}
	return lhs;
}

int rete_meta_parse(const char *s, struct rete_meta_node **ret, char *err, size_t errlen)
{
	struct parser p = { .s = s, .err = err, .errlen = errlen };
	struct rete_meta_node *node;

	if (errlen)
		err[0] = '\0';
	*ret = NULL;
	node = parse_expr(&p);
	if (node) {
		skip_ws(&p);
		if (p.s[p.pos] == ')')
			fail(&p, p.pos, "unmatched ')'");
		else if (p.s[p.pos])
			fail_after(&p, "'&&', '||', 'and', 'or' or the end of the filter");
	}
	if (p.rc) {
		rete_meta_free(node);
		return p.rc;
	}
	*ret = node;
	return 0;
}

static void format_cmp(const struct rete_meta_cmp *c, struct rete_strbuf *sb)
{
	rete_strbuf_adds(sb, "sk_buff");
	for (size_t i = 0; i < c->npath; i++) {
		const struct rete_meta_member *m = &c->path[i];

		rete_strbuf_addf(sb, ".%s", m->name);
		if (m->has_mask)
			rete_strbuf_addf(sb, ":0x%" PRIx64, m->mask);
		if (m->cast)
			rete_strbuf_addf(sb, ":%s", m->cast);
	}
	if (!c->bare)
		rete_strbuf_addf(sb, " %s %s", rete_meta_op_str(c->op), c->value.text);
}

int rete_meta_format(const struct rete_meta_node *node, struct rete_strbuf *sb)
{
	if (node->type == RETE_META_NODE_CMP) {
		format_cmp(&node->cmp, sb);
	} else {
		rete_strbuf_addc(sb, '(');
		rete_meta_format(node->lhs, sb);
		rete_strbuf_adds(sb, node->type == RETE_META_NODE_AND ? " && " : " || ");
		rete_meta_format(node->rhs, sb);
		rete_strbuf_addc(sb, ')');
	}
	return sb->err;
}
