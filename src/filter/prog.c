#include <errno.h>
#include <stdlib.h>

#include "filter/filter.h"

void rete_filter_prog_free(struct rete_filter_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->n = p->cap = 0;
}

int rete_filter_emit(struct rete_filter_prog *p, struct bpf_insn insn)
{
	if (p->n >= RETE_FILTER_MAX_INSNS)
		return -E2BIG;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *n = realloc(p->insns, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->insns = n;
		p->cap = cap;
	}
	p->insns[p->n++] = insn;
	return 0;
}
