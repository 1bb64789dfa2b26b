/* Meta filters (-m): evaluation of the parsed tree on one event's JSON form. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "process/evfilter.h"
#include "process/evfilter_priv.h"

static bool apply(enum rete_evf_op op, int c)
{
	switch (op) {
	case EVF_OP_EQ:
		return c == 0;
	case EVF_OP_NE:
		return c != 0;
	case EVF_OP_LT:
		return c < 0;
	case EVF_OP_LE:
		return c <= 0;
	case EVF_OP_GT:
		return c > 0;
	case EVF_OP_GE:
		return c >= 0;
	case EVF_OP_MAX:
		break;
	}
	return false;
}

/* Signed comparison of two integers given as (negative?, magnitude). */
static int cmp_int(bool an, uint64_t am, bool bn, uint64_t bm)
{
	if (an != bn)
		return an ? -1 : 1;
	if (am == bm)
		return 0;
	return (am < bm) != an ? -1 : 1;
}

static int cmp_dbl(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static bool compare(const struct rete_evf_node *n, struct json_object *o)
{
	const struct rete_evf_value *v = &n->v;
	enum json_type t = json_object_get_type(o);

	switch (t) {
	case json_type_string:
		if (v->kind != EVF_V_STR)
			return false;
		return apply(n->op, strcmp(json_object_get_string(o), v->s));
	case json_type_boolean:
		if (v->kind != EVF_V_BOOL)
			return false;
		return apply(n->op, (int)json_object_get_boolean(o) - (int)v->b);
	case json_type_int: {
		int64_t i = json_object_get_int64(o);
		bool neg = i < 0;
		uint64_t mag = neg ? (uint64_t)0 - (uint64_t)i : json_object_get_uint64(o);

		if (v->kind == EVF_V_INT)
			return apply(n->op, cmp_int(neg, mag, v->neg, v->mag));
		if (v->kind == EVF_V_DBL)
			return apply(n->op, cmp_dbl(neg ? (double)i : (double)mag, v->d));
		return false;
	}
	case json_type_double: {
		double d = json_object_get_double(o);

		if (v->kind == EVF_V_DBL)
			return apply(n->op, cmp_dbl(d, v->d));
		if (v->kind == EVF_V_INT)
			return apply(n->op, cmp_dbl(d, v->neg ? -(double)v->mag : (double)v->mag));
		return false;
	}
	default:
		return false;
	}
}

/* Walk the path from component i; arrays match when one element does. */
static bool eval_path(const struct rete_evf_node *n, struct json_object *o, size_t i)
{
	struct json_object *child;

	if (!o)
		return false;
	if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);

		if (i < n->npath && rete_evf_all_digits(n->path[i])) {
			unsigned long idx = strtoul(n->path[i], NULL, 10);

			return idx < len && eval_path(n, json_object_array_get_idx(o, idx), i + 1);
		}
		if (i == n->npath && !n->has_op)
			return true;
		for (size_t k = 0; k < len; k++)
			if (eval_path(n, json_object_array_get_idx(o, k), i))
				return true;
		return false;
	}
	if (i == n->npath)
		return n->has_op ? compare(n, o) : true;
	if (!json_object_is_type(o, json_type_object))
		return false;
	if (!json_object_object_get_ex(o, n->path[i], &child))
		return false;
	return eval_path(n, child, i + 1);
}

static bool eval(const struct rete_evf_node *n, struct json_object *ev)
{
	switch (n->kind) {
	case EVF_N_AND:
		return eval(n->a, ev) && eval(n->b, ev);
	case EVF_N_OR:
		return eval(n->a, ev) || eval(n->b, ev);
	case EVF_N_NOT:
		return !eval(n->a, ev);
	case EVF_N_TEST:
		return eval_path(n, ev, 0);
	case EVF_N_MAX:
		break;
	}
	return false;
}

bool rete_metafilter_match_json(const struct rete_metafilter *f, struct json_object *ev)
{
	return ev && json_object_is_type(ev, json_type_object) && eval(f->root, ev);
}


static bool uses(const struct rete_evf_node *n, const char *name)
{
	if (!n)
		return false;
	if (n->kind == EVF_N_TEST)
		return !strcmp(n->path[0], name);
	return uses(n->a, name) || uses(n->b, name);
}

bool rete_metafilter_uses(const struct rete_metafilter *f, const char *name)
{
	return uses(f->root, name);
}
