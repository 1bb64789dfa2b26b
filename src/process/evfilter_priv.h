/*
 * Private to the meta filter: the parsed tree (evfilter_meta.c builds it,
 * evfilter_eval.c walks it).
 */
#ifndef RETE_PROCESS_EVFILTER_PRIV_H
#define RETE_PROCESS_EVFILTER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rete_evf_op { EVF_OP_EQ, EVF_OP_NE, EVF_OP_LT, EVF_OP_LE, EVF_OP_GT, EVF_OP_GE, EVF_OP_MAX };

enum rete_evf_vkind { EVF_V_STR, EVF_V_INT, EVF_V_DBL, EVF_V_BOOL, EVF_V_MAX };

struct rete_evf_value {
	enum rete_evf_vkind kind;
	char *s;
	bool neg;		/* EVF_V_INT: the value is -mag */
	uint64_t mag;
	double d;
	bool b;
};

enum rete_evf_nkind { EVF_N_AND, EVF_N_OR, EVF_N_NOT, EVF_N_TEST, EVF_N_MAX };

struct rete_evf_node {
	enum rete_evf_nkind kind;
	struct rete_evf_node *a, *b;
	/* EVF_N_TEST */
	char **path;
	size_t npath;
	bool has_op;
	enum rete_evf_op op;
	struct rete_evf_value v;
};

struct rete_metafilter {
	struct rete_evf_node *root;
};

static inline bool rete_evf_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

#endif
