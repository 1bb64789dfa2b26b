/*
 * Meta filters (-m): lexer and recursive-descent parser building the tree
 * of evfilter_priv.h, with paths and value types checked against the
 * sections rete knows. Grammar and semantics in evfilter.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/section.h"
#include "lib/parse.h"
#include "lib/suggest.h"
#include "process/evfilter.h"
#include "process/evfilter_priv.h"

/* Parentheses and "not" nesting allowed (the parser recurses). */
#define MAX_DEPTH 64

/* ---- meta filter: known sections and fields --------------------------------- */

enum ftype {
	F_NUM,
	F_STR,
	F_BOOL,
	F_OBJ,		/* has sub-fields */
	F_STR_ARRAY,
	F_ANY,		/* not checked */
};

struct field {
	const char *name;
	enum ftype type;
	const struct field *sub;	/* F_OBJ: NULL-terminated; NULL = not checked */
};

static const struct field f_task[] = {
	{ "pid", F_NUM, NULL }, { "tgid", F_NUM, NULL }, { "comm", F_STR, NULL }, { NULL },
};
static const struct field f_common[] = {
	{ "timestamp", F_NUM, NULL }, { "smp_id", F_NUM, NULL }, { "task", F_OBJ, f_task },
	{ NULL },
};
static const struct field f_kernel[] = {
	{ "symbol", F_STR, NULL }, { "probe_type", F_STR, NULL },
	{ "stack_trace", F_STR_ARRAY, NULL }, { NULL },
};
static const struct field f_skb_ids[] = {
	{ "orig_head", F_NUM, NULL }, { "timestamp", F_NUM, NULL }, { "skb", F_NUM, NULL },
	{ NULL },
};
static const struct field f_tracking[] = {
	{ "skb", F_OBJ, f_skb_ids }, { "idx", F_NUM, NULL }, { NULL },
};
static const struct field f_packet[] = {
	{ "len", F_NUM, NULL }, { "capture_len", F_NUM, NULL }, { "data", F_STR, NULL }, { NULL },
};
static const struct field f_offset[] = {
	{ "sec", F_NUM, NULL }, { "nsec", F_NUM, NULL }, { NULL },
};
static const struct field f_machine[] = {
	{ "kernel_release", F_STR, NULL }, { "kernel_version", F_STR, NULL },
	{ "hardware_name", F_STR, NULL }, { NULL },
};
static const struct field f_policy[] = {
	{ "kind", F_STR, NULL }, { "limit", F_NUM, NULL }, { NULL },
};
static const struct field f_split[] = {
	{ "id", F_NUM, NULL }, { "policy", F_OBJ, f_policy }, { NULL },
};
static const struct field f_startup[] = {
	{ "retis_version", F_STR, NULL }, { "cmdline", F_STR, NULL },
	{ "clock_monotonic_offset", F_OBJ, f_offset }, { "machine", F_OBJ, f_machine },
	{ "split_file", F_OBJ, f_split }, { NULL },
};

/*
 * Every section an event file may hold; fields NULL = not checked, unless the
 * section is described by its collector (events/section.h): then its field
 * table is the check (check_described()).
 */
static const struct field sections[] = {
	{ "common", F_OBJ, f_common },
	{ "kernel", F_OBJ, f_kernel },
	{ "userspace", F_OBJ, NULL },
	{ "tracking", F_OBJ, f_tracking },
	{ "skb-tracking", F_OBJ, NULL },	/* described: checked from its table */
	{ "skb-drop", F_OBJ, NULL },
	{ "packet", F_OBJ, f_packet },
	{ "skb", F_OBJ, NULL },
	{ "netns", F_OBJ, NULL },
	{ "dev", F_OBJ, NULL },
	{ "ovs", F_OBJ, NULL },
	{ "ovs-detrace", F_OBJ, NULL },
	{ "nft", F_OBJ, NULL },		/* described */
	{ "ct", F_OBJ, NULL },		/* described */
	{ "startup", F_OBJ, f_startup },
	{ NULL },
};

/* ---- meta filter: tree ------------------------------------------------------- */

static void node_free(struct rete_evf_node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	for (size_t i = 0; i < n->npath; i++)
		free(n->path[i]);
	free(n->path);
	free(n->v.s);
	free(n);
}

/* ---- meta filter: lexer ------------------------------------------------------ */

enum tok {
	T_END,
	T_LPAREN,
	T_RPAREN,
	T_NOT,
	T_AND,
	T_OR,
	T_OP,
	T_STR,
	T_NUM,
	T_TRUE,
	T_FALSE,
	T_PATH,
	T_BAD,
};

struct token {
	enum tok type;
	size_t pos;		/* byte offset in the expression */
	size_t len;
	enum rete_evf_op op;
};

struct parser {
	const char *src;
	size_t pos;
	struct token t;		/* current token */
	char *err;
	size_t errlen;
	int rc;			/* first error */
	unsigned depth;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->rc)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return p->rc = -EINVAL;
}

static int nomem(struct parser *p)
{
	if (!p->rc) {
		snprintf(p->err, p->errlen, "out of memory");
		p->rc = -ENOMEM;
	}
	return p->rc;
}

static bool is_path_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_path_char(char c)
{
	return is_path_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const struct {
	const char *text;
	enum tok type;
	enum rete_evf_op op;
} puncts[] = {
	/* Longest first. */
	{ "&&", T_AND, 0 },	   { "||", T_OR, 0 },	     { "==", T_OP, EVF_OP_EQ },
	{ "!=", T_OP, EVF_OP_NE }, { "<=", T_OP, EVF_OP_LE }, { ">=", T_OP, EVF_OP_GE },
	{ "<", T_OP, EVF_OP_LT },  { ">", T_OP, EVF_OP_GT },  { "!", T_NOT, 0 },
	{ "(", T_LPAREN, 0 },	   { ")", T_RPAREN, 0 },
};

static const struct {
	const char *word;
	enum tok type;
} keywords[] = {
	{ "and", T_AND },   { "or", T_OR },	  { "not", T_NOT },
	{ "true", T_TRUE }, { "false", T_FALSE },
};

static void lex(struct parser *p)
{
	const char *s = p->src;
	size_t i = p->pos, n;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->t = (struct token){ .type = T_END, .pos = i };
	if (!s[i]) {
		p->pos = i;
		return;
	}
	for (size_t k = 0; k < sizeof(puncts) / sizeof(puncts[0]); k++) {
		n = strlen(puncts[k].text);
		if (!strncmp(s + i, puncts[k].text, n)) {
			p->t.type = puncts[k].type;
			p->t.op = puncts[k].op;
			p->t.len = n;
			p->pos = i + n;
			return;
		}
	}
	if (s[i] == '"' || s[i] == '\'') {
		char q = s[i];

		for (n = i + 1; s[n] && s[n] != q; n++)
			if (s[n] == '\\' && s[n + 1])
				n++;
		if (!s[n]) {
			perr(p, "unterminated string starting at column %zu", i + 1);
			p->t.type = T_BAD;
			return;
		}
		p->t.type = T_STR;
		p->t.len = n + 1 - i;
		p->pos = n + 1;
		return;
	}
	if (is_digit(s[i]) || ((s[i] == '-' || s[i] == '+' || s[i] == '.') && is_digit(s[i + 1]))) {
		for (n = i + 1; is_path_char(s[n]) || s[n] == '+' ||
				((s[n] == '-') && (s[n - 1] == 'e' || s[n - 1] == 'E'));
		     n++)
			;
		p->t.type = T_NUM;
		p->t.len = n - i;
		p->pos = n;
		return;
	}
	if (is_path_start(s[i])) {
		for (n = i + 1; is_path_char(s[n]); n++)
			;
		p->t.type = T_PATH;
		p->t.len = n - i;
		p->pos = n;
		for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
			if (strlen(keywords[k].word) == n - i &&
			    !strncmp(s + i, keywords[k].word, n - i))
				p->t.type = keywords[k].type;
		return;
	}
	if (s[i] == '=')
		perr(p, "unexpected '=' at column %zu (did you mean '=='?)", i + 1);
	else if (s[i] == '&' || s[i] == '|')
		perr(p, "unexpected '%c' at column %zu (did you mean '%c%c'?)", s[i], i + 1, s[i],
		     s[i]);
	else
		perr(p, "unexpected character '%c' at column %zu", s[i], i + 1);
	p->t.type = T_BAD;
}

/* The text of the current token, for messages. */
static int tok_width(const struct parser *p)
{
	return p->t.len > 40 ? 40 : (int)p->t.len;
}

static const char *tok_text(const struct parser *p)
{
	return p->src + p->t.pos;
}

/* ---- meta filter: values and paths ------------------------------------------ */

static int parse_string(struct parser *p, struct rete_evf_value *v)
{
	const char *s = tok_text(p) + 1;
	size_t n = p->t.len - 2, o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return nomem(p);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		default:	/* \" \' \\ and anything else: the character itself */
			out[o++] = s[i];
			break;
		}
	}
	out[o] = '\0';
	v->kind = EVF_V_STR;
	v->s = out;
	return 0;
}

static int parse_number(struct parser *p, struct rete_evf_value *v)
{
	char buf[64], *end;
	const char *t = tok_text(p);
	bool neg = t[0] == '-';
	uint64_t u;

	if (p->t.len >= sizeof(buf))
		return perr(p, "number too long at column %zu", p->t.pos + 1);
	memcpy(buf, t, p->t.len);
	buf[p->t.len] = '\0';
	if (!rete_parse_u64(buf + (neg || buf[0] == '+'), &u) &&
	    (!neg || u <= (uint64_t)INT64_MAX + 1)) {
		v->kind = EVF_V_INT;
		v->neg = neg && u;
		v->mag = u;
		return 0;
	}
	errno = 0;
	v->d = strtod(buf, &end);
	if (*end || errno || !isfinite(v->d))
		return perr(p, "invalid number '%s' at column %zu", buf, p->t.pos + 1);
	v->kind = EVF_V_DBL;
	return 0;
}

static const char *section_list(void)
{
	return "common, kernel, userspace, tracking, skb-tracking, skb-drop, packet, skb, netns, "
	       "dev, ovs, ovs-detrace, nft, ct, startup";
}

static const struct field *find_field(const struct field *list, const char *name)
{
	for (; list && list->name; list++)
		if (!strcmp(list->name, name))
			return list;
	return NULL;
}

static const char *suggest_field(const struct field *list, const char *name)
{
	struct rete_suggest s;

	rete_suggest_init(&s, name);
	for (; list && list->name; list++)
		rete_suggest_offer(&s, list->name);
	return s.best;
}

/*
 * Check a path against the known sections; *ret_type is the type of what it
 * names (F_ANY when unchecked).
 */
static const struct field f_array_elem = { "", F_STR, NULL };

static const char *ftype_name(enum ftype t)
{
	switch (t) {
	case F_NUM:
		return "a number";
	case F_STR:
		return "a string";
	case F_BOOL:
		return "true/false";
	case F_STR_ARRAY:
		return "a list of strings";
	default:
		return "an object";
	}
}

static void offer_key(const char *key, void *arg)
{
	rete_suggest_offer(arg, key);
}

static enum ftype described_type(const struct rete_field *f)
{
	switch (f->type) {
	case RETE_FT_U8:
	case RETE_FT_U16:
	case RETE_FT_U32:
	case RETE_FT_U64:
	case RETE_FT_S64:
		return F_NUM;
	case RETE_FT_BOOL:
		return F_BOOL;
	case RETE_FT_STR:
	case RETE_FT_ENUM:
		return F_STR;
	default:
		return F_OBJ;
	}
}

/* "unknown field KEY in PARENT at column N", with the closest known name when there is one. */
static int unknown_field(struct parser *p, const char *key, const char *parent, size_t col,
			 const char *best)
{
	if (best)
		return perr(p, "unknown field '%s' in '%s' at column %zu (did you mean '%s'?)", key,
			    parent, col, best);
	return perr(p, "unknown field '%s' in '%s' at column %zu", key, parent, col);
}

/* A path into a section described by its collector: checked against its field table. */
static int check_described(struct parser *p, const struct rete_evf_node *n, size_t col,
			   const struct rete_fields *t, enum ftype *ret_type)
{
	static const struct rete_field hi = { .name = "hi", .type = RETE_FT_U64 };
	static const struct rete_field lo = { .name = "lo", .type = RETE_FT_U64 };
	const struct rete_field *f = NULL;
	struct rete_suggest s;

	*ret_type = F_OBJ;
	for (size_t i = 1; i < n->npath; i++) {
		const char *key = n->path[i];

		col += strlen(n->path[i - 1]) + 1;
		if (f && f->type == RETE_FT_U128) {
			f = !strcmp(key, "hi") ? &hi : !strcmp(key, "lo") ? &lo : NULL;
			if (!f)
				return perr(p, "unknown field '%s' in '%s' at column %zu (fields: "
					       "hi, lo)",
					    key, n->path[i - 1], col);
			continue;
		}
		if (f && f->type == RETE_FT_ONEOF) {
			t = rete_field_variant(f, key);
			if (!t) {
				rete_suggest_init(&s, key);
				for (size_t k = 0; k < f->nnames; k++)
					rete_suggest_offer(&s, f->names[k]);
				return unknown_field(p, key, n->path[i - 1], col, s.best);
			}
			f = NULL;
			continue;
		}
		if (f && f->type != RETE_FT_OBJ)
			return perr(p, "'%s' has no field '%s' (column %zu): it is %s",
				    n->path[i - 1], key, col, ftype_name(described_type(f)));
		if (f)
			t = f->sub;
		f = rete_fields_find(t, key);
		if (!f) {
			rete_suggest_init(&s, key);
			rete_fields_keys(t, offer_key, &s);
			return unknown_field(p, key, n->path[i - 1], col, s.best);
		}
	}
	*ret_type = f ? described_type(f) : F_OBJ;
	return 0;
}

/*
 * Check a path against the known sections; *ret_type is the type of what it
 * names (F_OBJ for a section, F_ANY when not checked).
 */
static int check_path(struct parser *p, const struct rete_evf_node *n, size_t pos,
		      enum ftype *ret_type)
{
	const struct field *f = find_field(sections, n->path[0]);
	int xi = rete_xsection_find(n->path[0]);
	size_t col = pos + 1;
	const char *best;

	if (xi >= 0)
		return check_described(p, n, col, rete_xsection((size_t)xi)->fields, ret_type);
	*ret_type = F_ANY;
	if (!f) {
		best = suggest_field(sections, n->path[0]);
		if (best)
			return perr(p, "unknown section '%s' at column %zu (did you mean '%s'?)",
				    n->path[0], col, best);
		return perr(p, "unknown section '%s' at column %zu (sections: %s)", n->path[0], col,
			    section_list());
	}
	for (size_t i = 1; i < n->npath; i++) {
		col += strlen(n->path[i - 1]) + 1;
		if (f->type == F_STR_ARRAY && rete_evf_all_digits(n->path[i])) {
			f = &f_array_elem;
			continue;
		}
		if (f->type != F_OBJ)
			return perr(p, "'%s' has no field '%s' (column %zu): it is %s",
				    n->path[i - 1], n->path[i], col, ftype_name(f->type));
		if (!f->sub)
			return 0;	/* not checked below this point */
		best = suggest_field(f->sub, n->path[i]);
		f = find_field(f->sub, n->path[i]);
		if (!f)
			return unknown_field(p, n->path[i], n->path[i - 1], col, best);
	}
	*ret_type = f->type;
	return 0;
}

static int parse_path(struct parser *p, struct rete_evf_node *n)
{
	const char *s = tok_text(p);
	size_t len = p->t.len, start = 0;

	for (size_t i = 0; i <= len; i++) {
		char **np;

		if (i < len && s[i] != '.')
			continue;
		if (i == start)
			return perr(p, "empty field name in '%.*s' at column %zu", (int)len, s,
				    p->t.pos + i + 1);
		np = realloc(n->path, (n->npath + 1) * sizeof(*np));
		if (!np)
			return nomem(p);
		n->path = np;
		n->path[n->npath] = strndup(s + start, i - start);
		if (!n->path[n->npath])
			return nomem(p);
		n->npath++;
		start = i + 1;
	}
	return 0;
}

static const char *op_text(enum rete_evf_op op)
{
	static const char *const text[] = { "==", "!=", "<", "<=", ">", ">=" };

	return text[op];
}

static const char *vkind_name(enum rete_evf_vkind k)
{
	return k == EVF_V_STR ? "a string" : k == EVF_V_BOOL ? "true/false" : "a number";
}

/* The value type fits what the path names. */
static int check_types(struct parser *p, const struct rete_evf_node *n, enum ftype type,
		       size_t path_pos,
		       size_t path_len, size_t val_pos)
{
	int plen = path_len > 80 ? 80 : (int)path_len;
	const char *path = p->src + path_pos;
	bool ok;

	if (n->v.kind == EVF_V_BOOL && n->op != EVF_OP_EQ && n->op != EVF_OP_NE)
		return perr(p, "operator '%s' cannot compare with true/false (column %zu)",
			    op_text(n->op), val_pos + 1);
	switch (type) {
	case F_ANY:
		return 0;
	case F_OBJ:
		return perr(p, "'%.*s' (column %zu) holds fields, not a value: compare one of its "
			       "fields, or test its presence alone",
			    plen, path, path_pos + 1);
	case F_NUM:
		ok = n->v.kind == EVF_V_INT || n->v.kind == EVF_V_DBL;
		break;
	case F_STR:
	case F_STR_ARRAY:
		ok = n->v.kind == EVF_V_STR;
		break;
	default:
		ok = n->v.kind == EVF_V_BOOL;
		break;
	}
	if (ok)
		return 0;
	return perr(p, "'%.*s' is %s but the value at column %zu is %s", plen, path,
		    ftype_name(type == F_STR_ARRAY ? F_STR : type), val_pos + 1,
		    vkind_name(n->v.kind));
}

/* ---- meta filter: parser ------------------------------------------------------ */

static struct rete_evf_node *parse_or(struct parser *p);

static struct rete_evf_node *new_node(struct parser *p, enum rete_evf_nkind kind,
				      struct rete_evf_node *a, struct rete_evf_node *b)
{
	struct rete_evf_node *n = calloc(1, sizeof(*n));

	if (!n) {
		nomem(p);
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->kind = kind;
	n->a = a;
	n->b = b;
	return n;
}

static struct rete_evf_node *parse_test(struct parser *p)
{
	size_t path_pos = p->t.pos, path_len = p->t.len, val_pos;
	enum ftype type;
	struct rete_evf_node *n;

	if (p->t.type != T_PATH) {
		if (p->t.type == T_END)
			perr(p, "expected a field (like dev.name) at column %zu, got the end "
				"of the expression",
			     p->t.pos + 1);
		else
			perr(p, "expected a field (like dev.name) at column %zu, got '%.*s'",
			     p->t.pos + 1, tok_width(p), tok_text(p));
		return NULL;
	}
	n = new_node(p, EVF_N_TEST, NULL, NULL);
	if (!n || parse_path(p, n) || check_path(p, n, path_pos, &type))
		goto out_free;
	lex(p);
	if (p->t.type != T_OP)
		return n;	/* presence test */
	n->has_op = true;
	n->op = p->t.op;
	lex(p);
	val_pos = p->t.pos;
	switch (p->t.type) {
	case T_STR:
		if (parse_string(p, &n->v))
			goto out_free;
		break;
	case T_NUM:
		if (parse_number(p, &n->v))
			goto out_free;
		break;
	case T_TRUE:
	case T_FALSE:
		n->v.kind = EVF_V_BOOL;
		n->v.b = p->t.type == T_TRUE;
		break;
	case T_PATH:
		perr(p, "expected a value after '%s' at column %zu, got '%.*s' (strings are "
			"quoted: \"%.*s\")",
		     op_text(n->op), val_pos + 1, tok_width(p), tok_text(p), tok_width(p),
		     tok_text(p));
		goto out_free;
	case T_END:
		perr(p, "expected a value after '%s' at column %zu, got the end of the expression",
		     op_text(n->op), val_pos + 1);
		goto out_free;
	default:
		perr(p, "expected a value after '%s' at column %zu, got '%.*s'", op_text(n->op),
		     val_pos + 1, tok_width(p), tok_text(p));
		goto out_free;
	}
	if (check_types(p, n, type, path_pos, path_len, val_pos))
		goto out_free;
	lex(p);
	return n;

out_free:
	node_free(n);
	return NULL;
}

static struct rete_evf_node *parse_unary(struct parser *p)
{
	struct rete_evf_node *n;
	size_t open;

	if (p->rc)
		return NULL;
	if (++p->depth > MAX_DEPTH) {
		perr(p, "expression nested more than %d levels deep at column %zu", MAX_DEPTH,
		     p->t.pos + 1);
		return NULL;
	}
	if (p->t.type == T_NOT) {
		lex(p);
		n = parse_unary(p);
		n = n ? new_node(p, EVF_N_NOT, n, NULL) : NULL;
	} else if (p->t.type == T_LPAREN) {
		open = p->t.pos;
		lex(p);
		n = parse_or(p);
		if (n && p->t.type != T_RPAREN) {
			if (p->t.type == T_END)
				perr(p, "missing ')' for the '(' at column %zu", open + 1);
			else
				perr(p, "expected ')' at column %zu (for the '(' at column %zu), "
					"got '%.*s'",
				     p->t.pos + 1, open + 1, tok_width(p), tok_text(p));
			node_free(n);
			n = NULL;
		}
		if (n)
			lex(p);
	} else {
		n = parse_test(p);
	}
	p->depth--;
	return n;
}

static struct rete_evf_node *parse_and(struct parser *p)
{
	struct rete_evf_node *n = parse_unary(p), *b;

	while (n && p->t.type == T_AND) {
		lex(p);
		b = parse_unary(p);
		if (!b) {
			node_free(n);
			return NULL;
		}
		n = new_node(p, EVF_N_AND, n, b);
	}
	return n;
}

static struct rete_evf_node *parse_or(struct parser *p)
{
	struct rete_evf_node *n = parse_and(p), *b;

	while (n && p->t.type == T_OR) {
		lex(p);
		b = parse_and(p);
		if (!b) {
			node_free(n);
			return NULL;
		}
		n = new_node(p, EVF_N_OR, n, b);
	}
	return n;
}

int rete_metafilter_new(const char *expr, struct rete_metafilter **ret, char *err,
			size_t errlen)
{
	struct parser p = { .src = expr, .err = err, .errlen = errlen };
	struct rete_metafilter *f;
	struct rete_evf_node *root;

	lex(&p);
	if (p.t.type == T_END) {
		snprintf(err, errlen, "empty filter expression");
		return -EINVAL;
	}
	root = parse_or(&p);
	if (root && p.t.type != T_END) {
		if (p.t.type == T_RPAREN)
			perr(&p, "unmatched ')' at column %zu", p.t.pos + 1);
		else if (p.t.type == T_PATH || p.t.type == T_LPAREN || p.t.type == T_NOT)
			perr(&p, "expected 'and' or 'or' at column %zu, got '%.*s'", p.t.pos + 1,
			     tok_width(&p), tok_text(&p));
		else
			perr(&p, "unexpected '%.*s' at column %zu", tok_width(&p), tok_text(&p),
			     p.t.pos + 1);
	}
	if (p.rc) {
		node_free(root);
		return p.rc;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		node_free(root);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->root = root;
	*ret = f;
	return 0;
}

void rete_metafilter_free(struct rete_metafilter *f)
{
	if (!f)
		return;
	node_free(f->root);
	free(f);
}
