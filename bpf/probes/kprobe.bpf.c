// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel function probes. rete_kprobe_entry runs at the entry of every
 * function with a kprobe or a kretprobe probe, rete_kprobe_return at the
 * return of the kretprobe ones. Each is loaded once and attached either with
 * kprobe.multi (one link for all its functions) or with one perf-event link
 * per function; either way the attach cookie is the probe id.
 *
 * kretprobes follow Retis: the event is built at return time from the
 * arguments the function was called with. The entry stores them in a hash
 * keyed by (stack pointer at entry, probe id); at return the stack pointer
 * is that value plus the popped return address (checked on 6.1 and 6.12,
 * kprobe and kprobe.multi), so the return finds exactly its own call. A live
 * frame's stack address is unique system-wide (task and interrupt stacks
 * are disjoint), so recursion, preemption and interrupts cannot mix calls
 * up, where pid_tgid would (every CPU's idle task is pid 0, and recursive
 * calls share it). The probe id tells apart a function and the one it
 * tail-calls, which enter with the same stack pointer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rete_chain.bpf.h"

#ifndef __TARGET_ARCH_x86
#error "kprobe argument registers are only wired for x86_64"
#endif

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RETE_KRET_INFLIGHT_MAX);
	__type(key, struct rete_kret_key);
	__type(value, struct rete_kret_entry);
} rete_kret_inflight SEC(".maps");

/* x86_64: at return, the return address the entry saw at *sp has been popped. */
#define RETE_KRET_SP_DELTA 8

/* The first RETE_KPROBE_ARGS arguments, in the 16 slots rete_ctx_set_args indexes. */
static __always_inline void rete_kprobe_args(struct pt_regs *ctx, __u64 *args)
{
	args[0] = PT_REGS_PARM1(ctx);
	args[1] = PT_REGS_PARM2(ctx);
	args[2] = PT_REGS_PARM3(ctx);
	args[3] = PT_REGS_PARM4(ctx);
	args[4] = PT_REGS_PARM5(ctx);
	args[5] = ctx->r9;	/* x86_64: the sixth integer argument */
}

static __always_inline void rete_kret_store(const struct rete_ctx *rc, const __u64 *args,
					    struct pt_regs *ctx)
{
	struct rete_kret_entry e;
	struct rete_kret_key key;

	key.sp = PT_REGS_SP(ctx);
	key.probe_id = rc->probe_id;
	key.pad = 0;
	for (int i = 0; i < RETE_KPROBE_ARGS; i++)
		e.args[i] = args[i];
	e.ksym = rc->ksym;
	e.ts = rc->ts;
	/* BPF_ANY: an entry whose return was missed is replaced by the next call there. */
	if (bpf_map_update_elem(&rete_kret_inflight, &key, &e, BPF_ANY))
		rete_gcount(RETE_GC_KRET_FULL);
}

/* Take the entry of the call returning now; false when there is none. */
static __always_inline bool rete_kret_take(struct rete_ctx *rc, __u64 *args, struct pt_regs *ctx)
{
	struct rete_kret_entry *e;
	struct rete_kret_key key;

	key.sp = PT_REGS_SP(ctx) - RETE_KRET_SP_DELTA;
	key.probe_id = rc->probe_id;
	key.pad = 0;
	e = bpf_map_lookup_elem(&rete_kret_inflight, &key);
	if (!e)
		return false;
	for (int i = 0; i < RETE_KPROBE_ARGS; i++)
		args[i] = e->args[i];
	rc->ksym = e->ksym;
	/* Copied out first: a deleted element can be reused at once by another CPU. */
	bpf_map_delete_elem(&rete_kret_inflight, &key);
	return true;
}

static __always_inline int rete_kprobe_entry_run(struct pt_regs *ctx, struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;

	rc->probe_id = (__u32)bpf_get_attach_cookie(ctx);
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg)
		return 0;
	rete_kprobe_args(ctx, args);
	if (!rete_ctx_set_args(rc, args))
		return 0;
	rc->ts = bpf_ktime_get_ns();
	rc->ksym = bpf_get_func_ip(ctx);
	if (rc->cfg->flags & RETE_PROBE_F_RETURN) {
		rete_kret_store(rc, args, ctx);
		return 0;
	}
	rc->ctx = ctx;
	return rete_chain(rc);
}

static __always_inline int rete_kprobe_return_run(struct pt_regs *ctx, struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;

	rc->probe_id = (__u32)bpf_get_attach_cookie(ctx);
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg || !(rc->cfg->flags & RETE_PROBE_F_RETURN))
		return 0;
	if (!rete_kret_take(rc, args, ctx))
		return 0;
	if (!rete_ctx_set_args(rc, args))
		return 0;
	rc->ts = bpf_ktime_get_ns();
	rc->retval = (__s64)PT_REGS_RC(ctx);
	rc->has_retval = true;
	rc->ctx = ctx;
	return rete_chain(rc);
}

/* nft's probe on __nft_trace_packet (src/collectors/nft/nft.bpf.h). */
static __always_inline int rete_kprobe_nft_run(struct pt_regs *ctx, struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;

	rc->probe_id = (__u32)bpf_get_attach_cookie(ctx);
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg)
		return 0;
	rete_kprobe_args(ctx, args);
	if (!rete_nft_read(args, &rc->scratch->nft, &rc->skb) || !rc->skb)
		return 0;
	rc->has_nft = true;
	rc->ts = bpf_ktime_get_ns();
	rc->ksym = bpf_get_func_ip(ctx);
	rc->ctx = ctx;
	return rete_chain(rc);
}

/* nft's kretprobe on nft_do_chain: the entry keeps the arguments, the return reports. */
static __always_inline int rete_kprobe_nft_chain_entry_run(struct pt_regs *ctx,
							   struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;

	rc->probe_id = (__u32)bpf_get_attach_cookie(ctx);
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg)
		return 0;
	rete_kprobe_args(ctx, args);
	rc->ts = bpf_ktime_get_ns();
	rc->ksym = bpf_get_func_ip(ctx);
	rete_kret_store(rc, args, ctx);
	rete_nft_chain_enter(args);
	return 0;
}

static __always_inline int rete_kprobe_nft_chain_return_run(struct pt_regs *ctx,
							    struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;

	rc->probe_id = (__u32)bpf_get_attach_cookie(ctx);
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg || !rete_kret_take(rc, args, ctx))
		return 0;
	rc->retval = (__s64)PT_REGS_RC(ctx);
	if (!rete_nft_chain_read(args, (__u32)rc->retval, &rc->scratch->nft, &rc->skb) ||
	    !rc->skb)
		return 0;
	rc->has_retval = true;
	rc->has_nft = true;
	rc->ts = bpf_ktime_get_ns();
	rc->ctx = ctx;
	return rete_chain(rc);
}

/*
 * A program: its run function with a context and this nesting level's
 * scratch area (rete_scratch_enter), released on the way out.
 */
#define RETE_KPROBE_PROG(sec, name)						\
	SEC(sec)								\
	int name(struct pt_regs *ctx)						\
	{									\
		struct rete_ctx rc = {};					\
		int ret;							\
										\
		rc.scratch = rete_scratch_enter();				\
		if (!rc.scratch)						\
			return 0;						\
		ret = name##_run(ctx, &rc);					\
		rete_scratch_exit();						\
		return ret;							\
	}

RETE_KPROBE_PROG("rete_kprobe", rete_kprobe_entry)
RETE_KPROBE_PROG("rete_kprobe/return", rete_kprobe_return)
/* nft's, loaded only when the nft collector probes __nft_trace_packet or nft_do_chain. */
RETE_KPROBE_PROG("rete_kprobe/nft", rete_kprobe_nft)
RETE_KPROBE_PROG("rete_kprobe/nft_chain", rete_kprobe_nft_chain_entry)
RETE_KPROBE_PROG("rete_kprobe/nft_chain_return", rete_kprobe_nft_chain_return)
