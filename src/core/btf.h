/* BTF queries: tracepoint argument discovery and enum names. */
#ifndef RETE_CORE_BTF_H
#define RETE_CORE_BTF_H

#include <stdint.h>

struct btf;

/* Kinds of arguments collectors understand. */
enum rete_arg_kind {
	RETE_ARG_SKB,		/* struct sk_buff * */
	RETE_ARG_DROP_REASON,	/* enum skb_drop_reason */
	RETE_ARG_NET_DEVICE,	/* struct net_device * */
	RETE_ARG_NET,		/* struct net * */
	RETE_ARG_KIND_MAX,
};

struct rete_probe_args {
	uint8_t nargs;				/* number of arguments */
	int8_t pos[RETE_ARG_KIND_MAX];		/* index, or -1 */
};

/* Human name of an argument kind ("struct sk_buff *"). */
const char *rete_arg_kind_name(enum rete_arg_kind kind);

/*
 * Arguments of raw tracepoint `event` (name without group), from its
 * btf_trace_<event> typedef: a pointer to a function prototype whose first
 * parameter is the context. -ENOENT when the kernel has no such tracepoint.
 */
int rete_btf_tp_args(const struct btf *btf, const char *event, struct rete_probe_args *ret);

/* Arguments of a kernel function (for kprobes); -ENOENT when not in BTF. */
int rete_btf_func_args(const struct btf *btf, const char *func, struct rete_probe_args *ret);

/*
 * Arguments of the function prototype proto_id, ignoring the first `skip`
 * parameters (1 for the context of a btf_trace_* prototype): for callers
 * walking BTF themselves, without a lookup by name per probe.
 */
int rete_btf_proto_args(const struct btf *btf, uint32_t proto_id, unsigned skip,
			struct rete_probe_args *ret);

/*
 * How many leading parameters of function prototype proto_id take one
 * register each (integers, enums and pointers of up to 8 bytes): kprobes
 * find those by index in pt_regs. A struct or union passed by value, or a
 * wider integer, shifts the registers of every parameter after it. -EINVAL
 * when proto_id is not a prototype.
 */
int rete_btf_proto_reg_params(const struct btf *btf, uint32_t proto_id);

/* True when at least one argument has a kind some collector understands. */
int rete_probe_args_known(const struct rete_probe_args *a);

/*
 * Name of enumerator `value` of enum `enum_name`, with `strip_prefix`
 * removed when present. NULL when unknown.
 */
const char *rete_btf_enum_name(const struct btf *btf, const char *enum_name,
			       const char *strip_prefix, int64_t value);

#endif
