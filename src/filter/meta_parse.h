/*
 * Meta filter expressions (-m/--filter-meta), Retis's grammar (meta.pest):
 *
 *	expr    = primary { ("&&" | "and" | "||" | "or") primary }
 *	primary = term | "(" expr ")"
 *	term    = lhs [ op rhs ]		no op: lhs != 0
 *	op      = "==" | "!=" | "<" | "<=" | ">" | ">="
 *	lhs     = "sk_buff" "." member { "." member }
 *	member  = ident [ ":" ["~"] number [ ":" ident ] ]	mask, then cast
 *	rhs     = ["-"] decimal | 0x hex | 0b binary | '...' | "..."
 *
 * `&&` and `||` have the same precedence and associate to the left, so
 * `a || b && c` is `(a || b) && c`. Whitespace may separate any two tokens.
 * The parser knows nothing of BTF; meta_compile.c gives members a meaning.
 */
#ifndef RETE_FILTER_META_PARSE_H
#define RETE_FILTER_META_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rete_strbuf;

/* Longest string literal: the compiled program holds it on the BPF stack. */
#define RETE_META_STR_MAX 128
/* More comparisons than this cannot fit in RETE_FILTER_MAX_INSNS anyway. */
#define RETE_META_CMP_MAX 512
/* Deepest nesting of parentheses. */
#define RETE_META_DEPTH_MAX 32

enum rete_meta_node_type {
	RETE_META_NODE_CMP,
	RETE_META_NODE_AND,
	RETE_META_NODE_OR,
	RETE_META_NODE_TYPE_MAX,
};

enum rete_meta_op {
	RETE_META_OP_EQ,
	RETE_META_OP_NE,
	RETE_META_OP_LT,
	RETE_META_OP_LE,
	RETE_META_OP_GT,
	RETE_META_OP_GE,
	RETE_META_OP_MAX,
};

enum rete_meta_value_type {
	RETE_META_VALUE_NUM,
	RETE_META_VALUE_STR,
	RETE_META_VALUE_TYPE_MAX,
};

/* One member of a path: `name[:MASK[:cast]]`. */
struct rete_meta_member {
	char *name;
	char *cast;		/* type the masked value points to, or NULL */
	uint64_t mask;		/* '~' already applied; never 0 when has_mask */
	bool has_mask;
};

struct rete_meta_value {
	enum rete_meta_value_type type;
	uint64_t num;		/* NUM: two's complement when negative */
	bool negative;		/* NUM: written with a '-' (and not -0) */
	char *str;		/* STR: contents without the quotes, NUL-terminated */
	size_t len;		/* STR: strlen(str) */
	char *text;		/* as written, for messages ("0x10", "'eth0'") */
};

struct rete_meta_cmp {
	struct rete_meta_member *path;	/* members after the sk_buff root */
	size_t npath;			/* >= 1 */
	enum rete_meta_op op;
	bool bare;			/* written without operator: op is NE, value 0 */
	struct rete_meta_value value;
};

struct rete_meta_node {
	enum rete_meta_node_type type;
	union {
		struct rete_meta_cmp cmp;	/* CMP */
		struct {			/* AND, OR */
			struct rete_meta_node *lhs, *rhs;
		};
	};
};

/*
 * Parse a meta filter expression. On success returns 0 and the tree in *ret
 * (free with rete_meta_free()). On a syntax error returns -EINVAL and writes
 * one sentence to err ("meta filter: at column N: expected ..."); -ENOMEM
 * when out of memory.
 */
int rete_meta_parse(const char *s, struct rete_meta_node **ret, char *err, size_t errlen);
void rete_meta_free(struct rete_meta_node *node);

/* "==", "!=", ... */
const char *rete_meta_op_str(enum rete_meta_op op);

/*
 * Canonical text of a tree, every boolean operation parenthesized:
 * "(sk_buff.mark == 1 || sk_buff.dev.name == 'eth0')". 0 or -ENOMEM.
 */
int rete_meta_format(const struct rete_meta_node *node, struct rete_strbuf *sb);

#endif
