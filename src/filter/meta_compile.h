/*
 * Meta filter compiler: a parsed expression (meta_parse.h) and the kernel's
 * BTF in, eBPF out, following the meta filter convention of filter.h
 * (R1 = struct sk_buff kernel address; R0 = 1 on a match, 0 otherwise).
 *
 * Members are found in BTF (through anonymous structs and unions), pointers
 * are followed with bpf_probe_read_kernel() into the stack, and a pointer
 * that is NULL, or memory that cannot be read, makes that comparison false
 * whatever its operator (Retis does the same). `a && b` and `a || b` skip b
 * when a decides. Strings compare byte by byte up to the literal's NUL
 * (char arrays) or after reading through the pointer (char *).
 */
#ifndef RETE_FILTER_META_COMPILE_H
#define RETE_FILTER_META_COMPILE_H

#include <stddef.h>

#include "filter/filter.h"
#include "filter/meta_parse.h"

struct btf;

/*
 * Compile node against btf into prog (which must be empty). Returns 0, or
 * -EINVAL (the expression does not fit this kernel's types: "meta filter:
 * struct sk_buff has no member 'mrak' (did you mean 'mark'?)"), -E2BIG ("the
 * meta filter needs N instructions, more than the 4096 rete allows") or
 * -ENOMEM, with that one sentence in err. prog is left empty on error.
 */
int rete_meta_compile(const struct rete_meta_node *node, const struct btf *btf,
		      struct rete_filter_prog *prog, char *err, size_t errlen);

/* rete_meta_parse() then rete_meta_compile(). */
int rete_meta_filter_build(const char *expr, const struct btf *btf,
			   struct rete_filter_prog *prog, char *err, size_t errlen);

#endif
